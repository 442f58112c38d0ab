package main

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/store/badgerdb"
)

// TestBadgerWritesCountsWritesAndCompactions catches Badger counters
// renamed or dropped by an upgrade, which would leave the harness printing
// zeros. A first commit of about 12 MiB of tree nodes with 1 MiB memtables
// (Badger holds at most five in memory, so some must reach level 0) must
// raise the first figure, and its compaction of level 0 the second.
func TestBadgerWritesCountsWritesAndCompactions(t *testing.T) {
	s, err := store.Open(store.Options{Dir: t.TempDir(), Badger: badgerdb.Options{MemTableSize: badgerdb.MinMemTableSize}},
		[]string{"wallet"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	written0, compacted0 := badgerWrites()
	b := store.NewBranch(s.Names(), s.Working())
	value := bytes.Repeat([]byte("v"), 200)
	for i := range 20_000 {
		b.KV("wallet").Set([]byte(fmt.Sprintf("w%08d", i)), value)
	}
	s.Apply(b)
	if _, err := s.Commit(); err != nil {
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
