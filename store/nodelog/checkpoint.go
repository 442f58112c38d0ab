package nodelog

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
)

// A checkpoint is the whole index written to a file, with the position in
// the log up to which it holds every record: Open loads it and replays
// only the records after that position. Records before the position that
// the index does not point at are never read again, so the segments that
// hold nothing else can be deleted (Compact).
//
// The file is
//
//	magic      "NODEIDX1"
//	position   segment (4 bytes), offset (4 bytes)
//	prefixes   count (4 bytes), then each: length (2 bytes), bytes,
//	           versions: count (4 bytes), then each: version (8 bytes),
//	           records: count (4 bytes), then each: nonce, segment,
//	           offset, length (4 bytes each)
//	crc        CRC-32C of everything before it (4 bytes)
//
// all integers big-endian. It is written to a temporary file, synced and
// renamed over the last one, so a crash leaves one or the other whole.
const (
	checkpointName = "checkpoint.idx"
	checkpointTemp = checkpointName + ".tmp"
)

var checkpointMagic = []byte("NODEIDX1")

// checkpointChunk is how much of a checkpoint is encoded before it is
// written.
const checkpointChunk = 1 << 20

// position is a place in the log: a segment and an offset in it.
type position struct{ seg, off uint32 }

// writeCheckpoint syncs the log and writes the index, as a checkpoint at
// the end of the active segment, to a temporary file, which it returns
// open and unsynced: finishCheckpoint makes it the checkpoint. Callers
// hold l.mu.
func (l *Log) writeCheckpoint() (pos position, tmp *os.File, err error) {
	if err := syncAll(l.dir, l.unsynced, l.dirDirty); err != nil {
		return pos, nil, err
	}
	l.unsynced, l.dirDirty = nil, false
	pos = position{seg: l.active.id, off: uint32(l.active.size)}

	f, err := os.OpenFile(filepath.Join(l.dir, checkpointTemp), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return pos, nil, fmt.Errorf("nodelog: checkpoint: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	// The index is encoded into chunks, each hashed and written whole:
	// a million wallets' trees make some 40 MB of it, written while
	// readers wait.
	crc := crc32.New(castagnoli)
	b := l.getBuffer(checkpointChunk)
	defer func() { l.putBuffer(b) }()
	var werr error
	flush := func() {
		if werr == nil && len(b) > 0 {
			crc.Write(b)
			_, werr = f.Write(b)
		}
		b = b[:0]
	}
	b = append(b, checkpointMagic...)
	b = binary.BigEndian.AppendUint32(b, pos.seg)
	b = binary.BigEndian.AppendUint32(b, pos.off)
	b = binary.BigEndian.AppendUint32(b, uint32(len(l.prefixes)))
	for _, p := range l.prefixes {
		t := l.trees[p]
		versions := t.sortedVersions()
		b = binary.BigEndian.AppendUint16(b, uint16(len(p)))
		b = append(b, p...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(versions)))
		for _, v := range versions {
			vx := t.versions[v]
			b = binary.BigEndian.AppendUint64(b, v)
			b = binary.BigEndian.AppendUint32(b, uint32(vx.live))
			for i := range vx.slots() {
				nonce, at := vx.slot(i)
				if at.n == 0 {
					continue
				}
				b = binary.BigEndian.AppendUint32(b, nonce)
				b = binary.BigEndian.AppendUint32(b, at.seg)
				b = binary.BigEndian.AppendUint32(b, at.off)
				b = binary.BigEndian.AppendUint32(b, at.n)
				if len(b) >= checkpointChunk {
					flush()
				}
			}
		}
	}
	flush()
	if werr != nil {
		return pos, nil, fmt.Errorf("nodelog: checkpoint: %w", werr)
	}
	if _, err := f.Write(binary.BigEndian.AppendUint32(nil, crc.Sum32())); err != nil {
		return pos, nil, fmt.Errorf("nodelog: checkpoint: %w", err)
	}
	return pos, f, nil
}

// finishCheckpoint syncs tmp, the file writeCheckpoint wrote in dir,
// closes it and renames it over the checkpoint, and syncs dir.
func finishCheckpoint(dir string, tmp *os.File) error {
	err := fsync(tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, checkpointName))
	}
	if err != nil {
		return fmt.Errorf("nodelog: checkpoint: %w", err)
	}
	return syncAll(dir, nil, true)
}

// readCheckpoint loads the checkpoint of dir into l's index and returns
// its position; with no checkpoint (found false), it returns the log's
// beginning.
func (l *Log) readCheckpoint() (pos position, found bool, err error) {
	start := position{seg: 1, off: uint32(len(segmentMagic))}
	path := filepath.Join(l.dir, checkpointName)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return start, false, nil
	}
	if err != nil {
		return start, false, fmt.Errorf("nodelog: %w", err)
	}
	bad := func(what string) (position, bool, error) {
		return start, true, fmt.Errorf("%w: checkpoint %s: %s", ErrCorrupt, path, what)
	}
	if len(data) < len(checkpointMagic)+12+4 || !bytes.Equal(data[:len(checkpointMagic)], checkpointMagic) {
		return bad("no header")
	}
	body := data[:len(data)-4]
	if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(data[len(data)-4:]) {
		return bad("CRC mismatch")
	}
	r := body[len(checkpointMagic):]
	next := func(n int) []byte {
		if len(r) < n {
			return nil
		}
		b := r[:n]
		r = r[n:]
		return b
	}
	u32 := func() (uint32, bool) {
		b := next(4)
		if b == nil {
			return 0, false
		}
		return binary.BigEndian.Uint32(b), true
	}
	seg, ok1 := u32()
	off, ok2 := u32()
	prefixes, ok3 := u32()
	if !ok1 || !ok2 || !ok3 {
		return bad("truncated")
	}
	for range prefixes {
		lb := next(2)
		if lb == nil {
			return bad("truncated")
		}
		p := next(int(binary.BigEndian.Uint16(lb)))
		versions, ok := u32()
		if p == nil || !ok {
			return bad("truncated")
		}
		t, err := l.tree(p, true)
		if err != nil {
			return bad(err.Error())
		}
		for range versions {
			vb := next(8)
			count, ok := u32()
			if vb == nil || !ok {
				return bad("truncated")
			}
			version := binary.BigEndian.Uint64(vb)
			for range count {
				e := next(16)
				if e == nil {
					return bad("truncated")
				}
				nonce := binary.BigEndian.Uint32(e)
				at := loc{seg: binary.BigEndian.Uint32(e[4:]), off: binary.BigEndian.Uint32(e[8:]), n: binary.BigEndian.Uint32(e[12:])}
				if nonce > maxNonce || at.n == 0 {
					return bad(fmt.Sprintf("record (%d, %d) out of range", version, nonce))
				}
				t.set(version, nonce, at)
			}
			if vx := t.versions[version]; vx != nil {
				vx.tidy()
			}
		}
	}
	if len(r) != 0 {
		return bad("trailing bytes")
	}
	return position{seg: seg, off: off}, true, nil
}

// countLive sets each segment's live bytes from the index, and checks that
// every record the index points at lies within its segment.
func (l *Log) countLive() error {
	for _, p := range l.prefixes {
		for _, vx := range l.trees[p].versions {
			for _, at := range vx.locs {
				if at.n == 0 {
					continue
				}
				s := l.segs[at.seg]
				if s == nil || int64(at.off)+int64(at.n) > s.size {
					return fmt.Errorf("%w: the checkpoint points at segment %d offset %d, which the log does not hold", ErrCorrupt, at.seg, at.off)
				}
				s.live += int64(at.n)
				l.liveRecords++
			}
		}
	}
	return nil
}

// replayBytes is how much of the log Open would replay after the
// checkpoint. Callers hold l.mu.
func (l *Log) replayBytes() int64 {
	var n int64
	for id, s := range l.segs {
		switch {
		case id > l.checkpoint.seg:
			n += s.size
		case id == l.checkpoint.seg:
			n += s.size - int64(l.checkpoint.off)
		}
	}
	return n
}

// sortedSegmentIDs returns the ids of the log's segments, ascending.
// Callers hold l.mu.
func (l *Log) sortedSegmentIDs() []uint32 {
	ids := make([]uint32, 0, len(l.segs))
	for id := range l.segs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
