package main

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/ledgerd/ledgerd/store/badgerdb"
)

// TestBadgerWritesCountsWritesAndCompactions catches Badger counters
// renamed or dropped by an upgrade, which would leave the harness printing
// zeros. About 5 MiB of records with 1 MiB memtables (Badger holds at most
// five in memory, so some must reach level 0) must raise the first figure,
// and a compaction of level 0 the second.
func TestBadgerWritesCountsWritesAndCompactions(t *testing.T) {
	db, err := badgerdb.Open(t.TempDir(), badgerdb.Options{MemTableSize: badgerdb.MinMemTableSize})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	written0, compacted0 := badgerWrites()
	value := bytes.Repeat([]byte("v"), 200)
	for chunk := range 40 {
		b := db.NewBatch()
		for i := range 500 {
			if err := b.Set([]byte(fmt.Sprintf("w%08d", chunk*500+i)), value); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Write(); err != nil {
			t.Fatal(err)
		}
		b.Close()
	}
	if err := db.CompactLevel0(); err != nil {
		t.Fatal(err)
	}
	written1, compacted1 := badgerWrites()
	if written1-written0 < 20_000*200 {
		t.Fatalf("badgerWrites counted %d bytes written for at least 4,000,000", written1-written0)
	}
	if compacted1 <= compacted0 {
		t.Fatalf("badgerWrites counted no compaction: %d bytes before, %d after", compacted0, compacted1)
	}
}
