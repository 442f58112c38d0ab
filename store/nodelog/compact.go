package nodelog

import (
	"fmt"
	"os"
	"path/filepath"
)

const (
	// compactPiece is how much of a segment Compact reads at a time.
	compactPiece = 1 << 20
	// replaySegments bounds the log Open replays: past this many
	// segments' worth of records after the checkpoint, Compact writes a
	// new one.
	replaySegments = 4
)

// compaction is a Compact under way: the segments whose live records it
// copies to the active segment, ascending, and how far into the first it
// has read.
type compaction struct {
	victims []uint32
	cursor  int64
}

// Compact reclaims the space of deleted records, a step at a time: each
// call reads at most budget bytes of the segments it empties. It picks the
// segments at least half of whose bytes are dead, copies their live
// records to the active segment, and once it has copied all of them it
// writes a checkpoint (which syncs the log) and deletes every segment
// before the checkpoint that holds no live record. It also writes a
// checkpoint when Open would otherwise replay more than a few segments.
//
// Reads go on during a compaction, and a crash at any point loses
// nothing: until the checkpoint, the copies are replayed like any record,
// and a segment is deleted only once a synced checkpoint no longer needs
// it. A caller with a steady stream of writes calls Compact after each
// sync with a budget that bounds the time it may take.
func (l *Log) Compact(budget int64) error {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	c := &l.compaction
	if len(c.victims) == 0 {
		c.victims, c.cursor = l.pickVictims(), int64(len(segmentMagic))
		if len(c.victims) == 0 {
			if l.hasEmptySegment() || l.replayBytes() > replaySegments*l.opts.SegmentSize {
				return l.checkpointAndDrop()
			}
			return nil
		}
	}
	for budget > 0 && len(c.victims) > 0 {
		s := l.segs[c.victims[0]]
		if c.cursor >= s.size {
			c.victims, c.cursor = c.victims[1:], int64(len(segmentMagic))
			continue
		}
		read, err := l.copyLive(s, c.cursor, min(budget, compactPiece, s.size-c.cursor))
		if err != nil {
			return err
		}
		c.cursor += read
		budget -= read
	}
	if len(c.victims) == 0 {
		return l.checkpointAndDrop()
	}
	return nil
}

// pickVictims lists the segments, the active one aside, that hold live
// records in at most half of their bytes. Callers hold l.mu.
func (l *Log) pickVictims() []uint32 {
	var victims []uint32
	for _, id := range l.sortedSegmentIDs() {
		s := l.segs[id]
		if s != l.active && s.live > 0 && 2*s.live <= s.size-int64(len(segmentMagic)) {
			victims = append(victims, id)
		}
	}
	return victims
}

// hasEmptySegment reports whether a segment other than the active one
// holds no live record. Callers hold l.mu.
func (l *Log) hasEmptySegment() bool {
	for _, s := range l.segs {
		if s != l.active && s.live == 0 {
			return true
		}
	}
	return false
}

// copyLive reads the records of s in [from, from+n), or the one record
// that begins at from if it is longer than n, writes the live ones to the
// active segment, and returns how many bytes it read. Callers hold l.mu.
func (l *Log) copyLive(s *segment, from, n int64) (int64, error) {
	piece := make([]byte, n)
	if _, err := s.f.ReadAt(piece, from); err != nil {
		return 0, fmt.Errorf("nodelog: compact segment %d at offset %d: %w", s.id, from, err)
	}
	out := l.getBuffer(compactPiece)
	defer func() { l.putBuffer(out) }()
	var read int64
	for read < n {
		size, err := recordLen(piece[read:])
		if err == errTorn || (err == nil && read+int64(size) > n) {
			if read > 0 {
				break // the record continues past the piece: the next call reads it
			}
			// The piece is shorter than the record at from: read it whole.
			var header [recordHeader]byte
			if _, err := s.f.ReadAt(header[:], from); err != nil {
				return 0, fmt.Errorf("nodelog: compact segment %d at offset %d: %w", s.id, from, err)
			}
			if size, err = recordLen(header[:]); err == nil {
				piece = make([]byte, size)
				if _, err := s.f.ReadAt(piece, from); err != nil {
					return 0, fmt.Errorf("nodelog: compact segment %d at offset %d: %w", s.id, from, err)
				}
				n = int64(size)
			}
		}
		var r record
		if err == nil {
			r, err = decodeRecord(piece[read : read+int64(size)])
		}
		if err != nil {
			return 0, fmt.Errorf("%w: segment %d at offset %d: %v", ErrCorrupt, s.id, from+read, err)
		}
		if r.op == opPut && l.points(r.key, loc{seg: s.id, off: uint32(from + read), n: uint32(size)}) {
			out = append(out, piece[read:read+int64(size)]...)
		}
		read += int64(size)
	}
	if len(out) > 0 {
		if err := l.writeLocked(out); err != nil {
			return 0, err
		}
		l.copied += int64(len(out))
	}
	return read, nil
}

// points reports whether the index has key at at. Callers hold l.mu.
func (l *Log) points(key []byte, at loc) bool {
	prefix, version, nonce, err := splitKey(key)
	if err != nil {
		return false
	}
	t := l.trees[string(prefix)]
	return t != nil && t.get(version, nonce) == at
}

// checkpointAndDrop writes a checkpoint and deletes the segments before it
// that hold no live record. Callers hold l.mu.
func (l *Log) checkpointAndDrop() error {
	if err := l.writeCheckpoint(); err != nil {
		return err
	}
	dropped := false
	for _, id := range l.sortedSegmentIDs() {
		s := l.segs[id]
		if id >= l.checkpoint.seg || s.live != 0 {
			continue
		}
		delete(l.segs, id)
		if err := s.f.Close(); err != nil {
			return fmt.Errorf("nodelog: close segment %d: %w", id, err)
		}
		if err := os.Remove(filepath.Join(l.dir, segmentName(id))); err != nil {
			return fmt.Errorf("nodelog: delete segment %d: %w", id, err)
		}
		dropped = true
	}
	if dropped {
		return syncAll(l.dir, nil, true)
	}
	return nil
}
