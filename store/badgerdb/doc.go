// Package badgerdb implements github.com/cosmos/iavl/db.DB on top of
// Badger v4. It is the key/value backend of the node's state store.
//
// # Contracts
//
// Keys and values. Keys must be non-empty and must not start with Badger's
// reserved prefix "!badger!" or this package's "!badgerdb!"
// (ErrReservedKey); values must be non-nil (an
// empty, non-nil value is allowed and reads back as an empty, non-nil slice).
// Get returns nil, nil for an absent key.
//
// Copy semantics. Every byte slice handed out (Get, Iterator.Key,
// Iterator.Value) is a fresh copy owned by the caller, valid after the
// iterator moves on or is closed. Every byte slice handed in is copied or
// fully consumed before the call returns, so callers may reuse their buffers,
// including for Batch.Set and Batch.Delete before Write.
//
// Atomicity. A batch is exactly one Badger read-write transaction: Write
// makes either all of its updates visible or none of them, also across a
// crash. Badger bounds the size of one transaction (see TxnLimits and
// MaxBatchBytes); a batch that grows past the bound fails with an error
// wrapping badger.ErrTxnTooBig, and then nothing of it can be written. The
// DB-level Set and Delete are each their own transaction. A streaming batch
// (NewStreamingBatch) gives atomicity up for speed: it commits a chunk of
// its updates whenever one fills, while the caller goes on recording the
// next, and has no size limit.
//
// Durability. Writes are not fsynced (SyncWrites is off): a committed batch
// is visible to readers at once but may be lost on power failure until Sync
// (or Batch.WriteSync) returns. The store calls Sync once per block commit.
// Sync also fsyncs the write-ahead logs of memtables Badger has rotated out
// and not yet written as tables, which Badger's own Sync leaves out, so
// that no write becomes durable before those made ahead of it (wal.go).
//
// Concurrency. DB methods, including NewBatch and the iterator constructors,
// are safe for concurrent use. A single Batch may be used from several
// goroutines; a single Iterator may not. Iterators read a consistent snapshot
// taken when they were created. Close must be called only after every
// iterator and batch has been closed and no other call is in flight.
package badgerdb
