// Package nodelog keeps IAVL's node records in append-only segment files,
// with their index in memory.
//
// IAVL (v1) names each node it saves by the version that made it and a
// nonce, and never changes a saved node: a key is written once and later
// deleted by pruning. A log-structured store fits that: a write is an
// append, and a read is one positioned read of the file that holds the
// record. An LSM tree such as Badger pays for each key in its write-ahead
// log, its memtable's skiplist, a table flush and the compactions after
// it; in ledgerd-bench at 100,000 wallets those cost about a fifth of the
// node's CPU (docs/performance.md, "A log for the trees' nodes").
//
// The store (store/nodes.go) keeps its trees' nodes here and everything
// else in Badger.
//
// # Keys
//
// A key is a prefix followed by 12 bytes: the version (8 bytes) and the
// nonce (4 bytes), both big-endian, as IAVL's node keys are ("s" followed
// by them, under the tree's own prefix). Any non-empty prefix is accepted,
// but no prefix may be a proper prefix of another one the log holds
// (ErrPrefixConflict), so that the log's key order is its prefixes' order,
// then the version's, then the nonce's. Keys that do not have this shape
// are refused (ErrKeyShape); a caller keeps them elsewhere.
//
// # Contracts
//
// Values are non-nil (an empty value is allowed). Get returns nil, nil for
// an absent key. Every slice handed out is the caller's; every slice handed
// in is copied before the call returns.
//
// Atomicity. A batch's updates become visible when Write or WriteSync
// returns, except that a batch larger than its chunk (DefaultChunkBytes)
// writes each full chunk as soon as it fills, on a goroutine of its own
// while it gathers the next (one chunk of a batch at a time, in order;
// Write, WriteSync and Close wait for it): a reader may see the first
// chunks before the last, and a crash may leave the first chunks on disk
// without the rest. IAVL's callers already live with that (the store drops
// a version that no commit record names).
//
// Durability. Write appends to the segment file without fsync; WriteSync
// and Sync fsync every segment written since the last sync, and the
// directory when a segment was created. What was synced survives a crash.
// What was not may survive in part: on Open, the last segment is cut at
// its first incomplete or damaged record (a write the crash interrupted),
// and damage in any earlier segment, which was synced, with the directory,
// before the next one began, is reported as ErrCorrupt.
//
// Concurrency. All methods are safe for concurrent use; Compact and a
// checkpoint hold off writers and readers while they copy records and
// write the index, not while the checkpoint is synced. An iterator walks
// the index as it is when it reaches each key, keeping its place by key:
// deleting the keys it has visited is safe (IAVL does), and a key written
// ahead of it may or may not be seen.
//
// Space. A deleted record's bytes stay in its segment until Compact copies
// the segment's live records forward and deletes it. Compact works in steps
// of a bounded size and ends each pass with a checkpoint: the index written
// whole, so that Open loads it and replays only the records after it, and
// no segment before it is read again except for the records the index
// points at. Stats reports the log's size and its live share.
package nodelog
