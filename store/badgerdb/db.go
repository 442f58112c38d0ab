package badgerdb

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"

	corestore "cosmossdk.io/core/store"
	dbm "github.com/cosmos/iavl/db"
	badger "github.com/dgraph-io/badger/v4"
)

var (
	// ErrEmptyKey is returned for a nil or empty key or iterator bound.
	ErrEmptyKey = errors.New("badgerdb: key is empty")
	// ErrNilValue is returned when setting a nil value.
	ErrNilValue = errors.New("badgerdb: value is nil")
	// ErrReservedKey is returned for keys starting with Badger's internal
	// prefix "!badger!", which Badger neither stores nor iterates, or with
	// this package's own "!badgerdb!" (CompactLevel0's marker).
	ErrReservedKey = errors.New(`badgerdb: key starts with a reserved prefix ("!badger!" is Badger's, "!badgerdb!" this package's)`)
	// ErrBatchClosed is returned when a batch is used after Write, WriteSync or Close.
	ErrBatchClosed = errors.New("badgerdb: batch has been written or closed")
)

var (
	reservedPrefix = []byte("!badger!")
	ownPrefix      = []byte("!badgerdb!")
	// compactMarker is the key CompactLevel0 writes for Badger's
	// DropPrefix to drop; no caller can write a key with its prefix.
	compactMarker = []byte("!badgerdb!compact")
)

// DB is a Badger-backed key/value store implementing iavl's db.DB. See the
// package documentation for its contracts.
type DB struct {
	bdb    *badger.DB
	dir    string  // "" for an in-memory database
	opts   Options // resolved
	closed atomic.Bool
}

var _ dbm.DB = (*DB)(nil)

// Open opens (creating if needed) the Badger database in dir. dir is ignored
// when opts.InMemory is set.
func Open(dir string, opts Options) (*DB, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if dir == "" && !opts.InMemory {
		return nil, errors.New("badgerdb: empty directory for an on-disk database")
	}
	bdb, err := badger.Open(opts.badgerOptions(dir))
	if err != nil {
		return nil, fmt.Errorf("badgerdb: open %q: %w", dir, err)
	}
	db := &DB{bdb: bdb, opts: opts}
	if !opts.InMemory {
		db.dir = dir
	}
	return db, nil
}

func checkKey(key []byte) error {
	if len(key) == 0 {
		return ErrEmptyKey
	}
	if bytes.HasPrefix(key, reservedPrefix) || bytes.HasPrefix(key, ownPrefix) {
		return ErrReservedKey
	}
	return nil
}

func (db *DB) checkOpen() error {
	if db.closed.Load() {
		return badger.ErrDBClosed
	}
	return nil
}

// Get returns a copy of the value stored under key, or nil if there is none.
func (db *DB) Get(key []byte) ([]byte, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if err := db.checkOpen(); err != nil {
		return nil, err
	}
	var value []byte
	err := db.bdb.View(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if err != nil {
			return err
		}
		value, err = copyValue(item)
		return err
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("badgerdb: get %x: %w", key, err)
	}
	return value, nil
}

// Has reports whether key is present.
func (db *DB) Has(key []byte) (bool, error) {
	if err := checkKey(key); err != nil {
		return false, err
	}
	if err := db.checkOpen(); err != nil {
		return false, err
	}
	err := db.bdb.View(func(txn *badger.Txn) error {
		_, err := txn.Get(key)
		return err
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("badgerdb: has %x: %w", key, err)
	}
	return true, nil
}

// Set stores value under key in its own transaction. For several updates
// use a batch.
func (db *DB) Set(key, value []byte) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if value == nil {
		return ErrNilValue
	}
	if err := db.checkOpen(); err != nil {
		return err
	}
	// Commit copies key and value before it returns, so no copy is needed.
	if err := db.bdb.Update(func(txn *badger.Txn) error { return txn.Set(key, value) }); err != nil {
		return fmt.Errorf("badgerdb: set %x: %w", key, err)
	}
	return nil
}

// Delete removes key, if present, in its own transaction.
func (db *DB) Delete(key []byte) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := db.checkOpen(); err != nil {
		return err
	}
	if err := db.bdb.Update(func(txn *badger.Txn) error { return txn.Delete(key) }); err != nil {
		return fmt.Errorf("badgerdb: delete %x: %w", key, err)
	}
	return nil
}

// Iterator returns an ascending iterator over [start, end); nil start means
// from the first key, nil end means through the last key. Non-nil empty
// bounds are rejected. If start >= end the iterator is empty.
func (db *DB) Iterator(start, end []byte) (corestore.Iterator, error) {
	return db.newIterator(start, end, false)
}

// ReverseIterator returns a descending iterator over [start, end); nil end
// means from the last key, nil start means through the first key. Non-nil
// empty bounds are rejected. If start >= end the iterator is empty.
func (db *DB) ReverseIterator(start, end []byte) (corestore.Iterator, error) {
	return db.newIterator(start, end, true)
}

// NewBatch returns a batch backed by one Badger transaction. The caller must
// Close it.
func (db *DB) NewBatch() corestore.Batch {
	return newBatch(db)
}

// NewBatchWithSize is NewBatch; Badger transactions take no size hint.
func (db *DB) NewBatchWithSize(int) corestore.Batch {
	return newBatch(db)
}

// NewStreamingBatch returns a batch that is not atomic: whenever the
// updates recorded since its last chunk reach chunkBytes of keys and values
// (or half of Badger's per-transaction entry limit), it commits them as one
// Badger transaction without waiting for the write, and goes on recording
// into the next; Write commits the rest and returns once every chunk is
// written, with the first error of any. A chunk is visible to every read
// that begins after the Set or Delete that sent it (the read waits for it).
// A crash, or a failed update, may leave the chunks sent before it written
// and the rest not, so it is for writers whose atomicity comes from
// elsewhere: the store writes a version's IAVL nodes with it, and the
// version is part of the state only once the store's commit record names
// it. The point is speed: Badger's writer applies one chunk while the caller
// records the next. chunkBytes at most 0, or above a quarter of Badger's
// per-transaction byte limit (TxnLimits), is that quarter, so that no chunk
// reaches the limits.
func (db *DB) NewStreamingBatch(chunkBytes int) corestore.Batch {
	b := newBatch(db)
	maxBytes, maxEntries := TxnLimits(db.opts)
	if limit := int(maxBytes / 4); chunkBytes <= 0 || chunkBytes > limit {
		chunkBytes = limit
	}
	b.chunk, b.chunkEntries = chunkBytes, int(maxEntries/2)
	return b
}

// Sync flushes all committed writes to stable storage. It is a no-op for an
// in-memory database.
//
// Badger's own Sync syncs the write-ahead log of the memtable being
// written, not the logs of memtables it has rotated out and not yet
// written as tables, so Sync fsyncs those first (syncLogs, wal.go).
func (db *DB) Sync() error {
	if err := db.checkOpen(); err != nil {
		return err
	}
	var err error
	if db.dir != "" {
		err = syncLogs(db.dir, db.bdb)
	} else {
		err = db.bdb.Sync()
	}
	if err != nil {
		return fmt.Errorf("badgerdb: sync: %w", err)
	}
	return nil
}

// Level0Tables reports how many tables Badger's level 0 holds: the
// memtables flushed to disk and not yet compacted into the levels below.
// It reports 0 once the database is closed.
func (db *DB) Level0Tables() int {
	if db.closed.Load() {
		return 0
	}
	return db.bdb.Levels()[0].NumTables
}

// CompactLevel0 writes the memtables out and compacts every level-0 table
// into the levels below. It does nothing in memory. It does its work even
// when level 0 holds no table: Badger flushes full memtables in the
// background, and level 0 does not count those still waiting, so right
// after a bulk load an empty level 0 does not mean that nothing will reach
// it. Reads go on while it runs, but a write from another goroutine fails
// with badger.ErrBlockedWrites: call it when nothing else writes.
//
// Call it after a bulk load that nothing waits on. A genesis of a million
// wallets leaves about 120 MiB in four level-0 tables. Left there, the
// first memtable flush after it makes the fifth (Badger's
// NumLevelZeroTables), and the compaction of the whole load then runs
// beside block execution for several blocks: on a 2-core machine it took
// about 4.5 s of CPU and page faults from blocks 14 to 21. Compacted at
// once, it took 3 s (docs/operations.md, Tuning).
//
// Badger has no call that compacts level 0 on demand. DropPrefix does: it
// flushes the memtables and compacts all of level 0 when there is a key to
// drop. So CompactLevel0 writes a marker under this package's reserved
// prefix, which no caller can write, and drops it. A crash in between
// leaves the marker; nothing reads it, and the next call drops it.
func (db *DB) CompactLevel0() error {
	if err := db.checkOpen(); err != nil {
		return err
	}
	if db.opts.InMemory {
		return nil
	}
	err := db.bdb.Update(func(txn *badger.Txn) error { return txn.Set(compactMarker, []byte{}) })
	if err != nil {
		return fmt.Errorf("badgerdb: compact level 0: write the marker: %w", err)
	}
	if err := db.bdb.DropPrefix(compactMarker); err != nil {
		return fmt.Errorf("badgerdb: compact level 0: %w", err)
	}
	return nil
}

// Close closes the database. Closing twice is a no-op.
func (db *DB) Close() error {
	if db.closed.Swap(true) {
		return nil
	}
	if err := db.bdb.Close(); err != nil {
		return fmt.Errorf("badgerdb: close: %w", err)
	}
	return nil
}

// MaxBatchBytes is the package-level MaxBatchBytes computed from the limits
// Badger actually applies to this database.
func (db *DB) MaxBatchBytes() int {
	return int(db.bdb.MaxBatchCount() - 2)
}

// Stats reports on-disk sizes and transaction limits, for diagnostics.
func (db *DB) Stats() map[string]string {
	lsm, vlog := db.bdb.Size()
	return map[string]string{
		"badger.lsm_size_bytes":    strconv.FormatInt(lsm, 10),
		"badger.vlog_size_bytes":   strconv.FormatInt(vlog, 10),
		"badger.txn_max_bytes":     strconv.FormatInt(db.bdb.MaxBatchSize(), 10),
		"badger.txn_max_entries":   strconv.FormatInt(db.bdb.MaxBatchCount(), 10),
		"badgerdb.max_batch_bytes": strconv.Itoa(db.MaxBatchBytes()),
		"badgerdb.block_cache_mb":  strconv.Itoa(db.opts.CacheSizeMB),
		"badgerdb.index_cache_mb":  strconv.Itoa(db.opts.IndexCacheSizeMB),
		"badgerdb.memtable_size_b": strconv.FormatInt(db.opts.MemTableSize, 10),
		"badgerdb.in_memory":       strconv.FormatBool(db.opts.InMemory),
	}
}

// copyValue returns a copy of item's value; an empty value is returned as an
// empty, non-nil slice so that it is distinguishable from "absent".
func copyValue(item *badger.Item) ([]byte, error) {
	v, err := item.ValueCopy(nil)
	if err != nil {
		return nil, err
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}
