package nodelog

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

var (
	// ErrKeyShape is returned for a key that is not a prefix followed by a
	// version and a nonce (see the package documentation).
	ErrKeyShape = errors.New("nodelog: key is not a prefix, a version and a nonce")
	// ErrPrefixConflict is returned for a key whose prefix is a proper
	// prefix of one the log holds, or the other way round.
	ErrPrefixConflict = errors.New("nodelog: key prefix conflicts with another prefix")
	// ErrNilValue is returned when setting a nil value.
	ErrNilValue = errors.New("nodelog: value is nil")
	// ErrCorrupt is returned when a segment holds a damaged record where a
	// crash cannot have left one. Restore the node's data from a backup
	// or a state sync snapshot.
	ErrCorrupt = errors.New("nodelog: corrupted")
	// ErrClosed is returned by every call after Close.
	ErrClosed = errors.New("nodelog: log is closed")
	// ErrBatchClosed is returned when a batch is used after Write,
	// WriteSync or Close.
	ErrBatchClosed = errors.New("nodelog: batch has been written or closed")
)

const (
	// DefaultSegmentSize is the size at which a segment is closed and the
	// next one begun.
	DefaultSegmentSize = 64 << 20
	// maxSegmentSize keeps every offset within a uint32.
	maxSegmentSize = 1 << 31

	segmentSuffix = ".seg"
)

// segmentMagic begins every segment file: the format's name and version.
var segmentMagic = []byte("NODELOG1")

// Options configures Open. The zero value is valid.
type Options struct {
	// SegmentSize is the size in bytes past which the log begins a new
	// segment; a segment may exceed it by one chunk of a batch. 0 selects
	// DefaultSegmentSize.
	SegmentSize int64
}

// Log is an append-only store of node records. See the package
// documentation for its contracts.
type Log struct {
	dir  string
	opts Options

	// syncMu serialises Sync and Compact, so that neither returns while
	// the other still fsyncs segments it took off unsynced: a Sync that
	// returned early could report writes durable that are not, and a
	// checkpoint could name them. It is taken before mu.
	syncMu   sync.Mutex
	mu       sync.RWMutex
	closed   bool
	segs     map[uint32]*segment
	active   *segment
	unsynced []*segment // written since the last sync, active included
	dirDirty bool       // a segment was created since the last sync
	trees    map[string]*treeIndex
	prefixes []string // the trees' prefixes, sorted
	// checkpoint is where the last checkpoint's index ends: Open replays
	// the records after it.
	checkpoint position
	// liveRecords, appended and copied are Stats' LiveRecords, Appended
	// and Copied.
	liveRecords      int
	appended, copied int64
	// compaction is the state of a compaction under way (Compact).
	compaction compaction
	// checkpointing is closed when the checkpoint under way is durable
	// and the segments it freed are deleted (nil: none under way);
	// checkpointErr is the error of the last one, for Compact to return.
	checkpointing chan struct{}
	checkpointErr error

	// buffers holds batches' record buffers for reuse: a node makes a
	// batch per tree per block, and memory it reuses costs no page
	// faults, where a fresh buffer's first touch does.
	buffers sync.Pool
}

// segment is one file of the log.
type segment struct {
	id   uint32
	f    *os.File
	size int64 // bytes of records and header
	live int64 // bytes of the records the index points at
}

// Stats describes the log's files, and what it has written since Open.
type Stats struct {
	Segments    int
	Bytes       int64 // all segments' bytes
	LiveBytes   int64 // bytes of the records the log would keep
	LiveRecords int
	// Appended counts the bytes of records written since Open, Copied
	// those of them that Compact copied forward.
	Appended, Copied int64
}

// Open opens the log in dir, creating dir and the log if needed, and
// rebuilds the index from the segments. The last segment is cut at its
// first incomplete or damaged record; damage anywhere else is ErrCorrupt.
func Open(dir string, opts Options) (*Log, error) {
	if opts.SegmentSize == 0 {
		opts.SegmentSize = DefaultSegmentSize
	}
	if opts.SegmentSize < int64(len(segmentMagic))+recordHeader+bodyHeader || opts.SegmentSize > maxSegmentSize {
		return nil, fmt.Errorf("nodelog: SegmentSize %d out of range (at most %d)", opts.SegmentSize, maxSegmentSize)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("nodelog: %w", err)
	}
	ids, err := segmentIDs(dir)
	if err != nil {
		return nil, err
	}
	l := &Log{dir: dir, opts: opts, segs: make(map[uint32]*segment), trees: make(map[string]*treeIndex)}
	if err := l.open(ids); err != nil {
		l.closeFiles()
		return nil, err
	}
	return l, nil
}

// segmentIDs lists the segment files of dir by id, ascending.
func segmentIDs(dir string) ([]uint32, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("nodelog: %w", err)
	}
	var ids []uint32
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), segmentSuffix)
		if !ok {
			continue
		}
		id, err := strconv.ParseUint(name, 10, 32)
		if err != nil || id == 0 || segmentName(uint32(id)) != e.Name() {
			return nil, fmt.Errorf("nodelog: unexpected file %s in %s", e.Name(), dir)
		}
		ids = append(ids, uint32(id))
	}
	slices.Sort(ids)
	return ids, nil
}

func segmentName(id uint32) string { return fmt.Sprintf("%08d%s", id, segmentSuffix) }

// open loads the checkpoint, opens the segments ids and replays those
// after the checkpoint's position.
func (l *Log) open(ids []uint32) error {
	pos, hasCheckpoint, err := l.readCheckpoint()
	if err != nil {
		return err
	}
	for _, id := range ids {
		path := filepath.Join(l.dir, segmentName(id))
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("nodelog: %w", err)
		}
		l.segs[id] = &segment{id: id, f: f}
		fi, err := f.Stat()
		if err != nil {
			return fmt.Errorf("nodelog: %w", err)
		}
		l.segs[id].size = fi.Size()
	}
	if hasCheckpoint && l.segs[pos.seg] == nil {
		return fmt.Errorf("%w: the checkpoint's segment %d is missing", ErrCorrupt, pos.seg)
	}
	if err := l.countLive(); err != nil {
		return err
	}
	l.checkpoint = pos
	for i, id := range ids {
		if id < pos.seg {
			continue
		}
		start := int64(len(segmentMagic))
		if id == pos.seg {
			start = int64(pos.off)
		}
		if err := l.replay(l.segs[id], start, i == len(ids)-1); err != nil {
			return err
		}
	}
	if len(ids) > 0 {
		// The last segment's tail may be only in the page cache (a crash
		// came before its sync): sync it and the directory now, so that a
		// checkpoint, which syncs only what this process wrote, cannot
		// name records a power loss would take.
		l.active = l.segs[ids[len(ids)-1]]
		return syncAll(l.dir, []*segment{l.active}, true)
	}
	if err := l.newSegment(1); err != nil {
		return err
	}
	return syncAll(l.dir, l.unsynced, true)
}

// replay reads the records of s from offset start into the index; last
// marks the log's last segment, the only one a crash can have cut short.
func (l *Log) replay(s *segment, start int64, last bool) error {
	path := filepath.Join(l.dir, segmentName(s.id))
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("nodelog: %w", err)
	}
	if len(data) < len(segmentMagic) {
		if !last || start > int64(len(segmentMagic)) {
			return fmt.Errorf("%w: segment %s is %d bytes, shorter than its header", ErrCorrupt, path, len(data))
		}
		// Created by a roll the crash interrupted: begin it again.
		if err := writeHeader(s.f); err != nil {
			return err
		}
		s.size = int64(len(segmentMagic))
		return nil
	}
	if !bytes.Equal(data[:len(segmentMagic)], segmentMagic) {
		return fmt.Errorf("%w: %s does not begin with %q", ErrCorrupt, path, segmentMagic)
	}
	if start > int64(len(data)) {
		return fmt.Errorf("%w: segment %s is %d bytes, shorter than the checkpoint's position %d", ErrCorrupt, path, len(data), start)
	}
	off := int(start)
	for off < len(data) {
		n, err := recordLen(data[off:])
		if err == nil && off+n > len(data) {
			err = errTorn
		}
		var r record
		if err == nil {
			r, err = decodeRecord(data[off : off+n])
		}
		if err == nil {
			err = l.apply(r, loc{seg: s.id, off: uint32(off), n: uint32(n)})
		}
		if err != nil {
			if !last {
				return fmt.Errorf("%w: segment %s at offset %d: %v", ErrCorrupt, path, off, err)
			}
			// A write the crash cut short; nothing after it was synced.
			if err := s.f.Truncate(int64(off)); err != nil {
				return fmt.Errorf("nodelog: cut %s at its damaged tail (offset %d): %w", path, off, err)
			}
			if err := fsync(s.f); err != nil {
				return fmt.Errorf("nodelog: %w", err)
			}
			break
		}
		off += n
	}
	s.size = int64(off)
	return nil
}

func writeHeader(f *os.File) error {
	if _, err := f.WriteAt(segmentMagic, 0); err != nil {
		return fmt.Errorf("nodelog: %w", err)
	}
	return nil
}

// newSegment creates segment id and makes it the active one. Callers hold
// l.mu or own l.
func (l *Log) newSegment(id uint32) error {
	path := filepath.Join(l.dir, segmentName(id))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("nodelog: %w", err)
	}
	if err := writeHeader(f); err != nil {
		f.Close()
		return err
	}
	s := &segment{id: id, f: f, size: int64(len(segmentMagic))}
	l.segs[id] = s
	l.active = s
	l.unsynced = append(l.unsynced, s)
	l.dirDirty = true
	return nil
}

// roll syncs the active segment and the directory, and begins the next
// segment, so that only the last segment can ever hold a write a crash cut
// short, and no segment can outlive a crash that loses the one before it.
// Callers hold l.mu.
func (l *Log) roll() error {
	s := l.active
	if err := syncAll(l.dir, []*segment{s}, true); err != nil {
		return err
	}
	l.unsynced = slices.DeleteFunc(l.unsynced, func(u *segment) bool { return u == s })
	return l.newSegment(s.id + 1)
}

// apply records r, found at at, in the index. Callers hold l.mu or own l.
func (l *Log) apply(r record, at loc) error {
	prefix, version, nonce, err := splitKey(r.key)
	if err != nil {
		return err
	}
	t, err := l.tree(prefix, r.op == opPut)
	if t == nil || err != nil {
		return err
	}
	var old loc
	if r.op == opPut {
		old = t.set(version, nonce, at)
		l.segs[at.seg].live += int64(at.n)
		l.liveRecords++
	} else {
		old = t.remove(version, nonce)
	}
	if old.n != 0 {
		l.segs[old.seg].live -= int64(old.n)
		l.liveRecords--
	}
	return nil
}

// tree returns the index of prefix, creating it if create is set (else
// nil when the log holds no such prefix). Callers hold l.mu (for writing
// when create is set).
func (l *Log) tree(prefix []byte, create bool) (*treeIndex, error) {
	if t := l.trees[string(prefix)]; t != nil || !create {
		return t, nil
	}
	p := string(prefix)
	i, _ := slices.BinarySearch(l.prefixes, p)
	for _, j := range []int{i - 1, i} {
		if j >= 0 && j < len(l.prefixes) && (strings.HasPrefix(p, l.prefixes[j]) || strings.HasPrefix(l.prefixes[j], p)) {
			return nil, fmt.Errorf("%w: %q and %q", ErrPrefixConflict, p, l.prefixes[j])
		}
	}
	t := newTreeIndex(p)
	l.trees[p] = t
	l.prefixes = slices.Insert(l.prefixes, i, p)
	return t, nil
}

// Get returns the value of key, or nil if the log does not hold it.
func (l *Log) Get(key []byte) ([]byte, error) {
	prefix, version, nonce, err := splitKey(key)
	if err != nil {
		return nil, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return nil, ErrClosed
	}
	t, _ := l.tree(prefix, false)
	if t == nil {
		return nil, nil
	}
	at := t.get(version, nonce)
	if at.n == 0 {
		return nil, nil
	}
	r, err := l.read(at)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(r.key, key) {
		return nil, fmt.Errorf("%w: segment %d at offset %d holds key %x where the index has %x", ErrCorrupt, at.seg, at.off, r.key, key)
	}
	return r.value, nil
}

// read reads and checks the record at at. Callers hold l.mu for reading.
func (l *Log) read(at loc) (record, error) {
	buf := make([]byte, at.n)
	if _, err := l.segs[at.seg].f.ReadAt(buf, int64(at.off)); err != nil {
		return record{}, fmt.Errorf("nodelog: read segment %d at offset %d: %w", at.seg, at.off, err)
	}
	r, err := decodeRecord(buf)
	if err != nil || r.op != opPut {
		return record{}, fmt.Errorf("%w: segment %d at offset %d: %v", ErrCorrupt, at.seg, at.off, err)
	}
	return r, nil
}

// Has reports whether the log holds key.
func (l *Log) Has(key []byte) (bool, error) {
	prefix, version, nonce, err := splitKey(key)
	if err != nil {
		return false, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return false, ErrClosed
	}
	t, _ := l.tree(prefix, false)
	return t != nil && t.get(version, nonce).n != 0, nil
}

// write appends buf, whole records made by a batch, to the active
// segment, beginning a new one first if the active one is full, and then
// indexes them.
func (l *Log) write(buf []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	return l.writeLocked(buf)
}

// writeLocked is write for callers that hold l.mu.
func (l *Log) writeLocked(buf []byte) error {
	// Check every key before writing, so that a refused one writes nothing.
	for off := 0; off < len(buf); {
		n, _ := recordLen(buf[off:])
		r := trustedRecord(buf[off : off+n])
		prefix, _, _, err := splitKey(r.key)
		if err == nil {
			_, err = l.tree(prefix, r.op == opPut)
		}
		if err != nil {
			return err
		}
		off += n
	}
	if s := l.active; s.size > int64(len(segmentMagic)) && s.size+int64(len(buf)) > l.opts.SegmentSize {
		if err := l.roll(); err != nil {
			return err
		}
	}
	s := l.active
	if s.size+int64(len(buf)) > maxSegmentSize {
		return fmt.Errorf("nodelog: a chunk of %d bytes does not fit in a segment", len(buf))
	}
	if _, err := s.f.WriteAt(buf, s.size); err != nil {
		// Cut whatever part was written, so that no record of a failed
		// write is replayed, nor synced into the middle of the log by a
		// later roll.
		if terr := s.f.Truncate(s.size); terr != nil {
			return fmt.Errorf("nodelog: write segment %d: %w; and cutting the partial write failed: %v", s.id, err, terr)
		}
		return fmt.Errorf("nodelog: write segment %d: %w", s.id, err)
	}
	startWriteback(s.f, s.size, len(buf))
	for off := 0; off < len(buf); {
		n, _ := recordLen(buf[off:])
		if err := l.apply(trustedRecord(buf[off:off+n]), loc{seg: s.id, off: uint32(s.size) + uint32(off), n: uint32(n)}); err != nil {
			panic(fmt.Sprintf("nodelog: a checked record failed to index: %v", err)) // checked above, under the same lock
		}
		off += n
	}
	s.size += int64(len(buf))
	l.appended += int64(len(buf))
	if len(l.unsynced) == 0 || l.unsynced[len(l.unsynced)-1] != s {
		l.unsynced = append(l.unsynced, s)
	}
	return nil
}

// trustedRecord decodes a record this process encoded, without its CRC.
func trustedRecord(b []byte) record {
	keyLen := int(b[9])<<8 | int(b[10])
	rest := b[recordHeader+bodyHeader:]
	return record{op: b[8], key: rest[:keyLen], value: rest[keyLen:]}
}

// Sync makes every write so far durable: it fsyncs the segments written
// since the last sync, and the directory if a segment was created. It
// returns only once every write before it is on disk, including those a
// concurrent Sync took and is still syncing.
func (l *Log) Sync() error {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	segs, dirDirty := l.unsynced, l.dirDirty
	l.unsynced, l.dirDirty = nil, false
	l.mu.Unlock()

	err := syncAll(l.dir, segs, dirDirty)
	if err != nil {
		// Sync them again next time.
		l.mu.Lock()
		l.unsynced = append(segs, l.unsynced...)
		l.dirDirty = l.dirDirty || dirDirty
		l.mu.Unlock()
	}
	return err
}

// fsync is (*os.File).Sync; tests replace it to watch the order of syncs.
var fsync = (*os.File).Sync

func syncAll(dir string, segs []*segment, dirDirty bool) error {
	for _, s := range segs {
		if err := fsync(s.f); err != nil {
			return fmt.Errorf("nodelog: sync segment %d: %w", s.id, err)
		}
	}
	if !dirDirty {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("nodelog: %w", err)
	}
	defer d.Close()
	if err := fsync(d); err != nil {
		return fmt.Errorf("nodelog: sync %s: %w", dir, err)
	}
	return nil
}

// getBuffer returns an empty buffer for a batch's records, with room for
// a chunk and a record past it.
func (l *Log) getBuffer(chunk int) []byte {
	if p, ok := l.buffers.Get().(*[]byte); ok && cap(*p) >= chunk {
		return (*p)[:0]
	}
	return make([]byte, 0, chunk+chunk/8)
}

func (l *Log) putBuffer(buf []byte) { l.buffers.Put(&buf) }

// Stats returns the log's sizes.
func (l *Log) Stats() Stats {
	l.mu.RLock()
	defer l.mu.RUnlock()
	st := Stats{Segments: len(l.segs), LiveRecords: l.liveRecords, Appended: l.appended, Copied: l.copied}
	for _, s := range l.segs {
		st.Bytes += s.size
		st.LiveBytes += s.live
	}
	return st
}

// Close syncs the log and closes its files. It must not be called while
// another call is in flight; every call after it returns ErrClosed.
func (l *Log) Close() error {
	l.waitCheckpoint()
	err := l.Sync()
	if errors.Is(err, ErrClosed) {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if err == nil {
		err = l.checkpointErr
	}
	if cerr := l.closeFiles(); err == nil {
		err = cerr
	}
	return err
}

func (l *Log) closeFiles() error {
	var err error
	for _, s := range l.segs {
		if cerr := s.f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("nodelog: close segment %d: %w", s.id, cerr)
		}
	}
	return err
}
