package history

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	corestore "cosmossdk.io/core/store"
	badger "github.com/dgraph-io/badger/v4"

	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	"github.com/ledgerd/ledgerd/store/badgerdb"
	"github.com/ledgerd/ledgerd/x/history"
)

// Key prefixes.
const (
	prefixEntry     = 'e'
	prefixTx        = 't'
	keyWatermark    = 'w'
	keyChainID      = 'c'
	keyFormat       = 'v'
	txHashLen       = 32
	badgerMemTable  = 16 << 20
	badgerCacheMB   = 32
	badgerIndexMB   = 16
	perKeyOverheadB = 32
)

// format is the index's key layout version, recorded in it: an index of
// another layout is refused with a way out (delete it to rebuild).
const format = "2"

// Index is a node's history index, in its own Badger database. It is safe
// for concurrent use: one writer (Apply, CatchUp) at a time is enforced, and
// queries read consistent snapshots.
type Index struct {
	dir string
	db  *badgerdb.DB
	// maxBytes and maxKeys bound one write transaction (half of Badger's
	// limits, see badgerdb.TxnLimits).
	maxBytes, maxKeys int

	// wmu serialises writers; mu guards db against Close while a call is in
	// flight.
	wmu       sync.Mutex
	mu        sync.RWMutex
	closed    bool
	watermark atomic.Int64
	stopped   atomic.Pointer[error]
}

// Open opens (creating if needed) the index in dir. logger receives the
// log of the index's Badger (nil: its errors, to stderr; see
// badgerdb.Options.Logger).
func Open(dir string, logger badger.Logger) (*Index, error) {
	if dir == "" {
		return nil, errors.New("history: empty index directory")
	}
	opts := badgerdb.Options{CacheSizeMB: badgerCacheMB, IndexCacheSizeMB: badgerIndexMB, MemTableSize: badgerMemTable, Logger: logger}
	db, err := badgerdb.Open(dir, opts)
	if err != nil {
		return nil, fmt.Errorf("history: open index %s: %w", dir, err)
	}
	maxBytes, maxKeys := badgerdb.TxnLimits(opts)
	x := &Index{dir: dir, db: db, maxBytes: int(maxBytes / 2), maxKeys: int(maxKeys / 2)}
	raw, err := db.Get([]byte{keyWatermark})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("history: index %s: read watermark: %w", dir, err)
	}
	switch len(raw) {
	case 0:
	case 8:
		x.watermark.Store(int64(binary.BigEndian.Uint64(raw)))
	default:
		db.Close()
		return nil, fmt.Errorf("history: index %s: watermark is %d bytes, want 8: not a history index, or corrupted", dir, len(raw))
	}
	have, err := db.Get([]byte{keyFormat})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("history: index %s: read format: %w", dir, err)
	}
	switch {
	case have == nil && x.Watermark() == 0:
		if err := db.Set([]byte{keyFormat}, []byte(format)); err != nil {
			db.Close()
			return nil, fmt.Errorf("history: index %s: record format: %w", dir, err)
		}
	case string(have) != format:
		db.Close()
		return nil, fmt.Errorf("history: index %s has key layout %q, this node writes %q: delete the directory and restart to rebuild it from the stored blocks", dir, have, format)
	}
	return x, nil
}

// Dir returns the index's directory.
func (x *Index) Dir() string { return x.dir }

// Watermark returns the last height whose entries are all in the index (0:
// none).
func (x *Index) Watermark() int64 { return x.watermark.Load() }

// BindChain records chainID in an index that has none, and fails if the
// index was built for another chain.
func (x *Index) BindChain(chainID string) error {
	if chainID == "" {
		return errors.New("history: empty chain id")
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return errClosed
	}
	got, err := x.db.Get([]byte{keyChainID})
	if err != nil {
		return fmt.Errorf("history: index %s: read chain id: %w", x.dir, err)
	}
	switch {
	case got == nil:
		if err := x.db.Set([]byte{keyChainID}, []byte(chainID)); err != nil {
			return fmt.Errorf("history: index %s: record chain id: %w", x.dir, err)
		}
		return nil
	case string(got) != chainID:
		return fmt.Errorf("history: the index in %s belongs to chain %q, this node runs %q: delete the directory to rebuild it for this chain",
			x.dir, got, chainID)
	}
	return nil
}

var errClosed = errors.New("history: index is closed")

// Stopped returns why the index stopped applying blocks, or nil.
func (x *Index) Stopped() error {
	if p := x.stopped.Load(); p != nil {
		return *p
	}
	return nil
}

// stop makes the index refuse further writes and queries, for err.
func (x *Index) stop(err error) {
	err = fmt.Errorf("history index stopped at height %d: %w; restart the node to catch it up", x.Watermark(), err)
	x.stopped.CompareAndSwap(nil, &err)
}

// block is one height's entries, in the order the block wrote them.
type block struct {
	height  int64
	entries []*historyv1.Entry
}

// Apply writes the entries of height and advances the watermark to it. A
// height at or below the watermark is skipped (it was applied before: the
// blocks are deterministic, so its entries are the same); a height above
// watermark+1 is refused, since the index would then claim heights it lacks.
// Entries must belong to height and carry a subject, an id of 1 to 255
// bytes, a seq from 1 and a tx hash of 0 or 32 bytes.
//
// The entries and the watermark are written in one Badger transaction unless
// they exceed Badger's transaction limit (thousands of entries); then the
// entries go first, in several transactions, and the watermark with the
// last.
func (x *Index) Apply(height int64, entries []*historyv1.Entry) error {
	return x.applyBlocks([]block{{height: height, entries: entries}})
}

// applyBlocks writes consecutive blocks and the watermark of the last one.
func (x *Index) applyBlocks(blocks []block) error {
	x.wmu.Lock()
	defer x.wmu.Unlock()
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return errClosed
	}
	if err := x.Stopped(); err != nil {
		return err
	}
	wm := x.Watermark()
	for len(blocks) > 0 && blocks[0].height <= wm {
		blocks = blocks[1:]
	}
	if len(blocks) == 0 {
		return nil
	}
	w := x.newWriter()
	defer w.close()
	next := wm + 1
	for _, b := range blocks {
		if b.height != next {
			return fmt.Errorf("history: index %s is at height %d; cannot apply height %d: heights %d to %d are missing",
				x.dir, next-1, b.height, next, b.height-1)
		}
		for _, e := range b.entries {
			if err := checkEntry(b.height, e); err != nil {
				return err
			}
			key := entryKey(e.Subject, e.Id, e.Seq)
			if err := w.set(key, history.Encode(e)); err != nil {
				return err
			}
			if len(e.TxHash) == txHashLen {
				if err := w.set(txEntryKey(e.TxHash, e.Subject, e.Id, e.Seq), []byte{}); err != nil {
					return err
				}
			}
		}
		next++
	}
	last := next - 1
	if err := w.set([]byte{keyWatermark}, binary.BigEndian.AppendUint64(nil, uint64(last))); err != nil {
		return err
	}
	if err := w.flush(); err != nil {
		return err
	}
	x.watermark.Store(last)
	return nil
}

func checkEntry(height int64, e *historyv1.Entry) error {
	switch {
	case e == nil:
		return fmt.Errorf("history: height %d: nil entry", height)
	case e.Subject == "" || len(e.Subject) > 255:
		return fmt.Errorf("history: height %d: entry with subject %q", height, e.Subject)
	case len(e.Id) == 0 || len(e.Id) > 255:
		return fmt.Errorf("history: height %d: %s entry with a %d-byte id", height, e.Subject, len(e.Id))
	case e.Seq == 0:
		return fmt.Errorf("history: height %d: entry of %s %x with seq 0", height, e.Subject, e.Id)
	case e.Height != height:
		return fmt.Errorf("history: entry %d of %s %x says height %d, applied at height %d", e.Seq, e.Subject, e.Id, e.Height, height)
	case len(e.TxHash) != 0 && len(e.TxHash) != txHashLen:
		return fmt.Errorf("history: height %d: entry %d of %s %x has a %d-byte tx hash", height, e.Seq, e.Subject, e.Id, len(e.TxHash))
	}
	return nil
}

// Close closes the database. Calls after Close fail.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return nil
	}
	x.closed = true
	return x.db.Close()
}

// subjectKey appends a subject and id, each length-prefixed, so that no
// subject's keys are a prefix of another's.
func subjectKey(k []byte, subject string, id []byte) []byte {
	k = append(append(k, byte(len(subject))), subject...)
	return append(append(k, byte(len(id))), id...)
}

// entryPrefix is the prefix of a subject's entries, in seq order.
func entryPrefix(subject string, id []byte) []byte {
	return subjectKey([]byte{prefixEntry}, subject, id)
}

func entryKey(subject string, id []byte, seq uint64) []byte {
	k := subjectKey(append(make([]byte, 0, 3+len(subject)+len(id)+8), prefixEntry), subject, id)
	return binary.BigEndian.AppendUint64(k, seq)
}

func txEntryKey(txHash []byte, subject string, id []byte, seq uint64) []byte {
	k := append(append(make([]byte, 0, 1+txHashLen+2+len(subject)+len(id)+8), prefixTx), txHash...)
	return binary.BigEndian.AppendUint64(subjectKey(k, subject, id), seq)
}

// parseSubjectKey reads subject, id and seq back from the tail of an entry
// or tx key (after its prefix and hash).
func parseSubjectKey(k []byte) (subject string, id []byte, seq uint64, ok bool) {
	if len(k) < 1 {
		return "", nil, 0, false
	}
	n := int(k[0])
	if len(k) < 1+n+1 {
		return "", nil, 0, false
	}
	subject, k = string(k[1:1+n]), k[1+n:]
	m := int(k[0])
	if len(k) != 1+m+8 {
		return "", nil, 0, false
	}
	return subject, k[1 : 1+m], binary.BigEndian.Uint64(k[1+m:]), true
}

// writer spreads writes over as few Badger transactions as its limits
// allow, committing them in order.
type writer struct {
	x        *Index
	b        corestore.Batch
	bytes, n int
}

func (x *Index) newWriter() *writer { return &writer{x: x, b: x.db.NewBatch()} }

func (w *writer) set(k, v []byte) error {
	cost := len(k) + len(v) + perKeyOverheadB
	if w.n > 0 && (w.bytes+cost > w.x.maxBytes || w.n+1 > w.x.maxKeys) {
		if err := w.flush(); err != nil {
			return err
		}
	}
	if err := w.b.Set(k, v); err != nil {
		return fmt.Errorf("history: index %s: %w", w.x.dir, err)
	}
	w.bytes += cost
	w.n++
	return nil
}

// flush commits the open transaction and opens another.
func (w *writer) flush() error {
	err := w.b.Write()
	w.b.Close()
	w.b, w.bytes, w.n = w.x.db.NewBatch(), 0, 0
	if err != nil {
		return fmt.Errorf("history: index %s: write: %w", w.x.dir, err)
	}
	return nil
}

func (w *writer) close() { w.b.Close() }
