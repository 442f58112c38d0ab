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
//
// A streaming batch (NewStreamingBatch) is the exception: it commits each
// chunk of its updates as its own transaction as soon as the chunk is full,
// without waiting for Badger to write it, so that Badger's writer works
// while the caller records the next chunk.
type batch struct {
	mu      sync.Mutex
	db      *DB
	txn     *badger.Txn // nil if the DB was closed when the batch was made
	done    bool        // written or closed
	size    int         // accumulated key + value bytes
	entries int
	err     error // first failure; poisons the batch

	// chunk and chunkEntries bound a streaming batch's chunk, in key +
	// value bytes and in entries (0: not streaming); sent and sentEntries
	// are how many of size's bytes and entries' updates the chunks
	// committed so far hold.
	chunk, chunkEntries int
	sent, sentEntries   int
	// inflight counts the chunks committed but not yet written; chunkErr
	// holds the first error Badger reported for one.
	inflight sync.WaitGroup
	chunkMu  sync.Mutex
	chunkErr error
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
	if b.chunk > 0 && (b.size-b.sent >= b.chunk || b.entries-b.sentEntries >= b.chunkEntries) {
		b.sendChunk()
	}
	return nil
}

// sendChunk commits the updates recorded since the last chunk as one
// transaction without waiting for it to be written, and starts the next.
// Badger assigns the commit its timestamp before CommitWith returns, and a
// read begun after that waits until the commit is written, so the chunk is
// visible to every later read. Callers hold b.mu.
func (b *batch) sendChunk() {
	txn := b.txn
	b.txn = b.db.bdb.NewTransaction(true)
	b.sent, b.sentEntries = b.size, b.entries
	b.inflight.Add(1)
	txn.CommitWith(func(err error) {
		if err != nil {
			b.chunkMu.Lock()
			if b.chunkErr == nil {
				b.chunkErr = fmt.Errorf("badgerdb: commit a chunk of a streaming batch: %w", err)
			}
			b.chunkMu.Unlock()
		}
		b.inflight.Done()
	})
}

// waitChunks waits until every chunk sent is written and returns the first
// error of one.
func (b *batch) waitChunks() error {
	b.inflight.Wait()
	b.chunkMu.Lock()
	defer b.chunkMu.Unlock()
	return b.chunkErr
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
		if b.sent > 0 {
			return errors.Join(fmt.Errorf("badgerdb: the rest of a streaming batch not written because an update failed "+
				"(its first %d bytes were): %w", b.sent, b.err), b.waitChunks())
		}
		return fmt.Errorf("badgerdb: batch not written because an earlier update failed: %w", b.err)
	}
	if err := b.db.checkOpen(); err != nil {
		discard(txn)
		return errors.Join(err, b.waitChunks())
	}
	if err := txn.Commit(); err != nil { // Commit discards the txn in all cases.
		return errors.Join(fmt.Errorf("badgerdb: commit batch of %d entries / %d bytes: %w", b.entries, b.size, err), b.waitChunks())
	}
	return b.waitChunks()
}

// Close discards any unwritten updates. It is idempotent. A streaming
// batch's chunks already sent cannot be discarded: Close waits until they
// are written, so that nothing of the batch is in flight once it returns.
func (b *batch) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = true
	discard(b.txn)
	b.txn = nil
	b.inflight.Wait()
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
