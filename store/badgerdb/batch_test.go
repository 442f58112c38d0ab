package badgerdb

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

func mustGet(t *testing.T, db *DB, key string) []byte {
	t.Helper()
	v, err := db.Get([]byte(key))
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return v
}

func TestBatchAtomicity(t *testing.T) {
	db, dir := openTestDB(t, Options{})
	if err := db.Set([]byte("doomed"), []byte("x")); err != nil {
		t.Fatal(err)
	}

	// Closed without Write: nothing is visible.
	b := db.NewBatch()
	for i := 0; i < 100; i++ {
		if err := b.Set([]byte(fmt.Sprintf("discarded-%03d", i)), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Delete([]byte("doomed")); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if v := mustGet(t, db, "discarded-000"); v != nil {
		t.Fatalf("closed batch leaked a write: %q", v)
	}
	if v := mustGet(t, db, "doomed"); string(v) != "x" {
		t.Fatalf("closed batch leaked a delete: %q", v)
	}

	// Nothing is visible before Write, everything after.
	b = db.NewBatchWithSize(1 << 20)
	for i := 0; i < 100; i++ {
		if err := b.Set([]byte(fmt.Sprintf("key-%03d", i)), []byte(fmt.Sprintf("val-%03d", i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Delete([]byte("doomed")); err != nil {
		t.Fatal(err)
	}
	if v := mustGet(t, db, "key-000"); v != nil {
		t.Fatal("batch write visible before Write")
	}
	if err := b.Write(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}

	db = reopen(t, db, dir, Options{})
	for i := 0; i < 100; i++ {
		if v := mustGet(t, db, fmt.Sprintf("key-%03d", i)); string(v) != fmt.Sprintf("val-%03d", i) {
			t.Fatalf("after reopen key-%03d = %q", i, v)
		}
	}
	if v := mustGet(t, db, "doomed"); v != nil {
		t.Fatalf("deleted key survived reopen: %q", v)
	}

	// WriteSync persists as well.
	b = db.NewBatch()
	if err := b.Set([]byte("synced"), []byte("yes")); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteSync(); err != nil {
		t.Fatal(err)
	}
	db = reopen(t, db, dir, Options{})
	if v := mustGet(t, db, "synced"); string(v) != "yes" {
		t.Fatalf("WriteSync value after reopen = %q", v)
	}
}

func TestBatchCopiesInputs(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	b := db.NewBatch()
	defer b.Close()
	key, val := []byte("key-0"), []byte("val-0")
	for i := 0; i < 3; i++ {
		key[4], val[4] = byte('0'+i), byte('0'+i) // reuse buffers like IAVL does
		if err := b.Set(key, val); err != nil {
			t.Fatal(err)
		}
	}
	key[4] = '1'
	if err := b.Delete(key); err != nil {
		t.Fatal(err)
	}
	key[4] = 'X'
	if err := b.Write(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"key-0": "val-0", "key-1": "", "key-2": "val-2"}
	for k, w := range want {
		if v := mustGet(t, db, k); string(v) != w || (w == "") != (v == nil) {
			t.Errorf("%s = %q, want %q", k, v, w)
		}
	}
}

func TestBatchByteSizeAndLifecycle(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	b := db.NewBatch()
	steps := []struct {
		name string
		do   func() error
		size int
	}{
		{"empty", func() error { return nil }, 0},
		{"set", func() error { return b.Set([]byte("abc"), []byte("12345")) }, 8},
		{"set empty value", func() error { return b.Set([]byte("d"), []byte{}) }, 9},
		{"delete", func() error { return b.Delete([]byte("efgh")) }, 13},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if n, err := b.GetByteSize(); err != nil || n != s.size {
			t.Fatalf("%s: GetByteSize = %d, %v; want %d", s.name, n, err, s.size)
		}
	}
	if err := b.Write(); err != nil {
		t.Fatal(err)
	}
	after := map[string]func() error{
		"Set":         func() error { return b.Set([]byte("k"), []byte("v")) },
		"Delete":      func() error { return b.Delete([]byte("k")) },
		"Write":       b.Write,
		"WriteSync":   b.WriteSync,
		"GetByteSize": func() error { _, err := b.GetByteSize(); return err },
	}
	for name, call := range after {
		if err := call(); !errors.Is(err, ErrBatchClosed) {
			t.Errorf("%s after Write: err = %v, want ErrBatchClosed", name, err)
		}
	}
	for i := 0; i < 2; i++ {
		if err := b.Close(); err != nil {
			t.Fatalf("Close after Write (#%d): %v", i, err)
		}
	}

	c := db.NewBatch()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Write(); !errors.Is(err, ErrBatchClosed) {
		t.Errorf("Write after Close: err = %v, want ErrBatchClosed", err)
	}
	if err := c.Set([]byte("k"), []byte("v")); !errors.Is(err, ErrBatchClosed) {
		t.Errorf("Set after Close: err = %v, want ErrBatchClosed", err)
	}
}

// A failed update poisons the batch: Write must not commit the rest.
func TestBatchPoisonedByInvalidInput(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	b := db.NewBatch()
	defer b.Close()
	if err := b.Set([]byte("good"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	if err := b.Set([]byte("bad"), nil); !errors.Is(err, ErrNilValue) {
		t.Fatalf("Set nil value: err = %v, want ErrNilValue", err)
	}
	if err := b.Write(); !errors.Is(err, ErrNilValue) {
		t.Fatalf("Write of poisoned batch: err = %v, want ErrNilValue", err)
	}
	if v := mustGet(t, db, "good"); v != nil {
		t.Fatal("poisoned batch was partially written")
	}
}

func TestBatchTooBig(t *testing.T) {
	opts := Options{MemTableSize: MinMemTableSize}
	db, dir := openTestDB(t, opts)
	if err := db.Set([]byte("pre-existing"), []byte("keep")); err != nil {
		t.Fatal(err)
	}
	_, maxEntries := TxnLimits(opts)

	b := db.NewBatch()
	defer b.Close()
	if err := b.Delete([]byte("pre-existing")); err != nil {
		t.Fatal(err)
	}
	var setErr error
	written := 0
	for i := 0; i < int(maxEntries)+10 && setErr == nil; i++ {
		setErr = b.Set([]byte(fmt.Sprintf("k%06d", i)), []byte("value"))
		if setErr == nil {
			written++
		}
	}
	if !errors.Is(setErr, badger.ErrTxnTooBig) {
		t.Fatalf("Set past the limit: err = %v, want ErrTxnTooBig", setErr)
	}
	if msg := setErr.Error(); !strings.Contains(msg, "transaction limit") || !strings.Contains(msg, "flush threshold") {
		t.Errorf("error does not explain the limit: %v", msg)
	}
	if err := b.Write(); !errors.Is(err, badger.ErrTxnTooBig) {
		t.Fatalf("Write after ErrTxnTooBig: err = %v, want ErrTxnTooBig", err)
	}

	db = reopen(t, db, dir, opts)
	if v := mustGet(t, db, "k000000"); v != nil {
		t.Fatalf("oversized batch partially committed (%d entries accepted)", written)
	}
	if v := mustGet(t, db, "pre-existing"); string(v) != "keep" {
		t.Fatalf("oversized batch's delete was applied: %q", v)
	}
}

// MaxBatchBytes must hold in the worst case: the smallest possible entries
// (1-byte keys, empty values, deletes), which hit Badger's entry limit first.
// One byte more must fail, which shows the bound is exact for that case.
func TestMaxBatchBytesIsSafe(t *testing.T) {
	opts := Options{MemTableSize: MinMemTableSize}
	db, _ := openTestDB(t, opts)
	limit := MaxBatchBytes(opts)

	fill := func(b interface{ Set(k, v []byte) error }, n int) error {
		for i := 0; i < n; i++ {
			if err := b.Set([]byte{byte('a' + i%26)}, []byte{}); err != nil {
				return err
			}
		}
		return nil
	}
	b := db.NewBatch()
	if err := fill(b, limit); err != nil {
		t.Fatalf("batch of MaxBatchBytes=%d one-byte entries failed: %v", limit, err)
	}
	if n, _ := b.GetByteSize(); n != limit {
		t.Fatalf("GetByteSize = %d, want %d", n, limit)
	}
	if err := b.Write(); err != nil {
		t.Fatalf("Write at MaxBatchBytes: %v", err)
	}
	_ = b.Close()

	b = db.NewBatch()
	defer b.Close()
	if err := fill(b, limit+1); !errors.Is(err, badger.ErrTxnTooBig) {
		t.Fatalf("batch of MaxBatchBytes+1 one-byte entries: err = %v, want ErrTxnTooBig", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	b := db.NewBatch()
	defer b.Close()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				key := []byte(fmt.Sprintf("g%d-%02d", g, i))
				if err := b.Set(key, key); err != nil {
					t.Error(err)
					return
				}
				if err := db.Set(append([]byte("direct-"), key...), key); err != nil {
					t.Error(err)
					return
				}
				if _, err := db.Get(key); err != nil {
					t.Error(err)
					return
				}
				it, err := db.Iterator([]byte("direct-"), nil)
				if err != nil {
					t.Error(err)
					return
				}
				for ; it.Valid(); it.Next() {
					_ = it.Key()
				}
				_ = it.Close()
			}
		}(g)
	}
	wg.Wait()
	if err := b.Write(); err != nil {
		t.Fatal(err)
	}
	if v := mustGet(t, db, "g7-49"); string(v) != "g7-49" {
		t.Fatalf("g7-49 = %q", v)
	}
}
