package main

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/ledgerd/ledgerd/store/badgerdb"
)

// TestBadgerWritesCountsWritesAndCompactions catches Badger counters
// renamed or dropped by an upgrade, which would leave the harness printing
// zeros: a write must raise the first figure, and a compaction the second.
func TestBadgerWritesCountsWritesAndCompactions(t *testing.T) {
	db, err := badgerdb.Open(t.TempDir(), badgerdb.Options{MemTableSize: badgerdb.MinMemTableSize})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	written0, compacted0 := badgerWrites()
	value := bytes.Repeat([]byte("v"), 200)
	for start := 0; db.Level0Tables() == 0; start += 500 {
		if start > 100_000 {
			t.Fatal("no memtable reached level 0 after 100,000 writes")
		}
		b := db.NewBatch()
		for i := start; i < start+500; i++ {
			if err := b.Set([]byte(fmt.Sprintf("k%08d", i)), value); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Write(); err != nil {
			t.Fatal(err)
		}
	}
	written1, _ := badgerWrites()
	if written1-written0 < 500*200 {
		t.Fatalf("badgerWrites counted %d bytes written for at least 100,000", written1-written0)
	}
	if err := db.CompactLevel0(); err != nil {
		t.Fatal(err)
	}
	if _, compacted1 := badgerWrites(); compacted1 <= compacted0 {
		t.Fatalf("badgerWrites counted no compaction: %d bytes before, %d after", compacted0, compacted1)
	}
}
