package badgerdb

import (
	"errors"
	"fmt"
	"sync"

	corestore "cosmossdk.io/core/store"
	badger "github.com/dgraph-io/badger/v4"
)

// batch is a corestore.Batch backed by exactly one Badger read-write
// transaction, so that Write is atomic. (badger.WriteBatch is deliberately not
// used: it silently splits into several commits.)
//
// If any Set or Delete fails, the batch is poisoned: Write and WriteSync
// return that error and commit nothing, so a batch is never written partially.
type batch struct {
	mu      sync.Mutex
	db      *DB
	txn     *badger.Txn // nil if the DB was closed when the batch was made
	done    bool        // written or closed
	size    int         // accumulated key + value bytes
	entries int
	err     error // first failure; poisons the batch
}

var _ corestore.Batch = (*batch)(nil)

func newBatch(db *DB) *batch {
	if err := db.checkOpen(); err != nil {
		return &batch{db: db, err: err} // reports the closed DB on every call
	}
	return &batch{db: db, txn: db.bdb.NewTransaction(true)}
}

// Set records key=value. key and value are copied.
func (b *batch) Set(key, value []byte) error {
	if err := checkKey(key); err != nil {
		return b.fail(err)
	}
	if value == nil {
		return b.fail(ErrNilValue)
	}
	buf := make([]byte, len(key)+len(value))
	k, v := buf[:len(key):len(key)], buf[len(key):]
	copy(k, key)
	copy(v, value)
	return b.modify(len(buf), func(txn *badger.Txn) error { return txn.Set(k, v) })
}

// Delete records the removal of key. key is copied.
func (b *batch) Delete(key []byte) error {
	if err := checkKey(key); err != nil {
		return b.fail(err)
	}
	k := append([]byte(nil), key...)
	return b.modify(len(k), func(txn *badger.Txn) error { return txn.Delete(k) })
}

func (b *batch) modify(n int, op func(*badger.Txn) error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.usable(); err != nil {
		return err
	}
	if err := op(b.txn); err != nil {
		if errors.Is(err, badger.ErrTxnTooBig) {
			err = b.tooBig(err)
		} else {
			err = fmt.Errorf("badgerdb: batch update: %w", err)
		}
		b.err = err
		return err
	}
	b.size += n
	b.entries++
	return nil
}

func (b *batch) tooBig(err error) error {
	maxBytes, maxEntries := b.db.bdb.MaxBatchSize(), b.db.bdb.MaxBatchCount()
	return fmt.Errorf("badgerdb: batch exceeds Badger's transaction limit "+
		"(%d entries or %d bytes for MemTableSize %d) after %d entries / %d key+value bytes; "+
		"nothing of this batch will be written; lower the caller's flush threshold "+
		"(e.g. IAVL FlushThreshold) to at most MaxBatchBytes = %d: %w",
		maxEntries, maxBytes, b.db.opts.MemTableSize, b.entries, b.size, b.db.MaxBatchBytes(), err)
}

// fail poisons the batch with a validation error and returns it.
func (b *batch) fail(err error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if uerr := b.usable(); uerr != nil {
		return uerr
	}
	b.err = err
	return err
}

// usable reports why the batch cannot take more updates, if it cannot.
// Callers hold b.mu.
func (b *batch) usable() error {
	if b.done {
		return ErrBatchClosed
	}
	return b.err
}

// Write commits all recorded updates atomically. The batch cannot be used
// afterwards, except for Close.
func (b *batch) Write() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.write()
}

// WriteSync is Write followed by DB.Sync.
func (b *batch) WriteSync() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.write(); err != nil {
		return err
	}
	return b.db.Sync()
}

func (b *batch) write() error {
	if b.done {
		return ErrBatchClosed
	}
	b.done = true
	txn := b.txn
	b.txn = nil
	if txn == nil { // the DB was already closed when the batch was made
		return b.err
	}
	if b.err != nil {
		discard(txn)
		return fmt.Errorf("badgerdb: batch not written because an earlier update failed: %w", b.err)
	}
	if err := b.db.checkOpen(); err != nil {
		discard(txn)
		return err
	}
	if err := txn.Commit(); err != nil { // Commit discards the txn in all cases.
		return fmt.Errorf("badgerdb: commit batch of %d entries / %d bytes: %w", b.entries, b.size, err)
	}
	return nil
}

// Close discards any unwritten updates. It is idempotent.
func (b *batch) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = true
	discard(b.txn)
	b.txn = nil
	return nil
}

func discard(txn *badger.Txn) {
	if txn != nil {
		txn.Discard()
	}
}

// GetByteSize returns the accumulated length of the keys and values recorded
// so far (Badger's own per-entry overhead is not included; see MaxBatchBytes).
func (b *batch) GetByteSize() (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return 0, ErrBatchClosed
	}
	return b.size, nil
}
