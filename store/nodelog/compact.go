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
// The checkpoint is synced, and the segments deleted, in the background
// (checkpointAndDrop); an error there is returned by the next call.
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
	if err := l.checkpointErr; err != nil {
		l.checkpointErr = nil
		return err
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

// checkpointAndDrop writes a checkpoint and, once it is durable, deletes
// the segments before it that held no live record when it was written
// (a segment emptied later waits for the next checkpoint, which no longer
// points into it). The index is written under l.mu; the checkpoint's
// fsync, its rename and the deletions run on a goroutine of their own, so
// that the commit calling Compact does not wait for the disk (about half
// of a checkpoint's time: 30 of 60 ms for 2.5 million nodes). At most one
// checkpoint is under way: none starts until the last one is done, and
// Close waits for it. Compact, or Close, returns its error. Callers hold
// l.syncMu and l.mu.
func (l *Log) checkpointAndDrop() error {
	if l.checkpointing != nil {
		return nil
	}
	pos, tmp, err := l.writeCheckpoint()
	if err != nil {
		return err
	}
	var drop []*segment
	for _, id := range l.sortedSegmentIDs() {
		if s := l.segs[id]; id < pos.seg && s.live == 0 {
			drop = append(drop, s)
		}
	}
	done := make(chan struct{})
	l.checkpointing = done
	// nolint:determinism: storage, not state: the checkpoint's file and the segments it frees are the same whenever this finishes.
	go func() {
		err := finishCheckpoint(l.dir, tmp)
		l.mu.Lock()
		if err == nil {
			l.checkpoint = pos
			err = l.dropSegments(drop)
		}
		l.mu.Unlock()
		if err == nil && len(drop) > 0 {
			err = syncAll(l.dir, nil, true)
		}
		// Done only now, so that Close, once waitCheckpoint returns, finds
		// nothing of this checkpoint still running.
		l.mu.Lock()
		l.checkpointErr = err
		l.checkpointing = nil
		l.mu.Unlock()
		close(done)
	}()
	return nil
}

// dropSegments closes and deletes segments. Callers hold l.mu.
func (l *Log) dropSegments(segs []*segment) error {
	for _, s := range segs {
		delete(l.segs, s.id)
		if err := s.f.Close(); err != nil {
			return fmt.Errorf("nodelog: close segment %d: %w", s.id, err)
		}
		if err := os.Remove(filepath.Join(l.dir, segmentName(s.id))); err != nil {
			return fmt.Errorf("nodelog: delete segment %d: %w", s.id, err)
		}
	}
	return nil
}

// waitCheckpoint waits for the checkpoint under way, if any, to finish.
// Callers hold neither l.mu nor l.syncMu.
func (l *Log) waitCheckpoint() {
	l.mu.RLock()
	done := l.checkpointing
	l.mu.RUnlock()
	if done != nil {
		<-done
	}
}

// Checkpoint writes a checkpoint now and waits until it is durable and
// the segments it frees are deleted: Open then replays nothing written
// before it. For a caller that has just written much (a bulk load), so
// that the checkpoint Compact would soon write does not fall among later
// commits.
func (l *Log) Checkpoint() error {
	l.waitCheckpoint()
	l.syncMu.Lock()
	l.mu.Lock()
	var err error
	switch {
	case l.closed:
		err = ErrClosed
	case l.checkpointErr != nil:
		err, l.checkpointErr = l.checkpointErr, nil
	default:
		err = l.checkpointAndDrop()
	}
	l.mu.Unlock()
	l.syncMu.Unlock()
	if err != nil {
		return err
	}
	l.waitCheckpoint()
	l.mu.Lock()
	defer l.mu.Unlock()
	err, l.checkpointErr = l.checkpointErr, nil
	return err
}
