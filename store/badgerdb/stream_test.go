package badgerdb

import (
	"errors"
	"fmt"
	"testing"

	corestore "cosmossdk.io/core/store"
)

// A streaming batch's chunks are committed as they fill: a chunk is visible
// to reads begun after the Set that sent it, the updates after the last
// chunk only after Write, and everything after Write and a reopen.
func TestStreamingBatchChunksVisibleInOrder(t *testing.T) {
	db, dir := openTestDB(t, Options{})
	b := db.NewStreamingBatch(1 << 10)
	value := make([]byte, 100)
	const n = 95 // 107 bytes each: a chunk every tenth key, and a rest of five
	for i := range n {
		if err := b.Set(fmt.Appendf(nil, "key-%03d", i), value); err != nil {
			t.Fatal(err)
		}
	}
	// The tenth key completes the first chunk (10 x 107 bytes >= 1 KiB).
	if v := mustGet(t, db, "key-009"); v == nil {
		t.Fatal("the first chunk is not visible after the Set that completed it")
	}
	if v := mustGet(t, db, "key-090"); v != nil {
		t.Fatal("an update after the last chunk is visible before Write")
	}
	if err := b.Write(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	db = reopen(t, db, dir, Options{})
	for i := range n {
		if v := mustGet(t, db, fmt.Sprintf("key-%03d", i)); len(v) != len(value) {
			t.Fatalf("key-%03d after Write and reopen: %d bytes, want %d", i, len(v), len(value))
		}
	}
}

// overwriteAfterChunks records 25 keys of 107 bytes in a streaming batch
// of 1 KiB chunks (two chunks sent, five keys not), then overwrites key-000
// and deletes key-001, both in the first chunk.
func overwriteAfterChunks(t *testing.T, db *DB) corestore.Batch {
	t.Helper()
	b := db.NewStreamingBatch(1 << 10)
	for i := range 25 {
		if err := b.Set(fmt.Appendf(nil, "key-%03d", i), make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Set([]byte("key-000"), []byte("second")); err != nil {
		t.Fatal(err)
	}
	if err := b.Delete([]byte("key-001")); err != nil {
		t.Fatal(err)
	}
	return b
}

// A streaming batch is not atomic: Close discards only what no chunk sent,
// and a later update of a key in the same batch wins over a chunk's.
func TestStreamingBatchCloseAndOverwrite(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	b := overwriteAfterChunks(t, db)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if v := mustGet(t, db, "key-005"); v == nil {
		t.Fatal("a sent chunk is gone after Close")
	}
	if v := mustGet(t, db, "key-024"); v != nil {
		t.Fatal("Close wrote the updates after the last chunk")
	}
	if _, err := b.GetByteSize(); !errors.Is(err, ErrBatchClosed) {
		t.Fatalf("GetByteSize after Close: %v, want ErrBatchClosed", err)
	}

	b = overwriteAfterChunks(t, db)
	if err := b.Write(); err != nil {
		t.Fatal(err)
	}
	if v := mustGet(t, db, "key-000"); string(v) != "second" {
		t.Fatalf("key-000 = %q, want the batch's later update", v)
	}
	if v := mustGet(t, db, "key-001"); v != nil {
		t.Fatalf("key-001 = %q, want the batch's later delete", v)
	}
}

// A streaming batch holds any number of updates: chunks are cut by
// entries as well as bytes, so that none reaches Badger's limits, and
// GetByteSize counts the whole batch.
func TestStreamingBatchBeyondTxnLimits(t *testing.T) {
	opts := Options{MemTableSize: MinMemTableSize}
	db, _ := openTestDB(t, opts)
	_, maxEntries := TxnLimits(opts)
	b := db.NewStreamingBatch(0)
	n := 3 * int(maxEntries)
	for i := range n {
		if err := b.Delete(fmt.Appendf(nil, "k%06d", i)); err != nil {
			t.Fatalf("delete %d of %d: %v", i, n, err)
		}
	}
	if size, err := b.GetByteSize(); err != nil || size != 7*n {
		t.Fatalf("GetByteSize = %d, %v; want %d", size, err, 7*n)
	}
	if err := b.Write(); err != nil {
		t.Fatal(err)
	}
}

// An invalid update poisons the rest of a streaming batch; Write reports it
// and says that chunks before it were written.
func TestStreamingBatchPoisoned(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	b := db.NewStreamingBatch(1 << 10)
	for i := range 25 {
		if err := b.Set(fmt.Appendf(nil, "key-%03d", i), make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Set([]byte("bad"), nil); !errors.Is(err, ErrNilValue) {
		t.Fatalf("Set(nil value) = %v, want ErrNilValue", err)
	}
	err := b.Write()
	if !errors.Is(err, ErrNilValue) {
		t.Fatalf("Write after a failed update = %v, want ErrNilValue", err)
	}
	t.Log(err)
	if v := mustGet(t, db, "key-000"); v == nil {
		t.Fatal("a chunk sent before the failed update is not written")
	}
	if v := mustGet(t, db, "key-024"); v != nil {
		t.Fatal("an update after the last chunk was written despite the failure")
	}
}
