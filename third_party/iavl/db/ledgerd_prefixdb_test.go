package db

import (
	"bytes"
	"testing"
)

// prefixedSink keeps prefixed's result on the heap, as a caller's is.
var prefixedSink []byte

// TestPrefixedOneAllocation checks ledgerd's prefixed: the prefix, then the
// key, in a new slice of its own, made in one allocation (upstream's
// append(cp(prefix), key...) made two).
func TestPrefixedOneAllocation(t *testing.T) {
	prefix, key := []byte("t/wallet/"), []byte("s\x00\x00\x00\x00\x00\x00\x00\x07\x00\x00\x00\x01")
	got := prefixed(prefix, key)
	if want := append(append([]byte{}, prefix...), key...); !bytes.Equal(got, want) {
		t.Fatalf("prefixed = %q, want %q", got, want)
	}
	got[0] = 'x'
	if prefix[0] != 't' {
		t.Fatal("the result shares the prefix's array")
	}
	if !bytes.Equal(prefixed(prefix, nil), prefix) {
		t.Fatal("prefixed(prefix, nil) is not the prefix")
	}
	if n := testing.AllocsPerRun(100, func() { prefixedSink = prefixed(prefix, key) }); n != 1 {
		t.Fatalf("prefixed allocates %v times, want 1", n)
	}
	// Through a batch and the database, as the trees write and read nodes.
	mem := NewMemDB()
	pdb := NewPrefixDB(mem, prefix)
	b := pdb.NewBatch()
	if err := b.Set(key, []byte("node")); err != nil {
		t.Fatal(err)
	}
	if err := b.Write(); err != nil {
		t.Fatal(err)
	}
	if v, err := mem.Get(append(append([]byte{}, prefix...), key...)); err != nil || string(v) != "node" {
		t.Fatalf("source holds %q, %v under the prefixed key", v, err)
	}
	if v, err := pdb.Get(key); err != nil || string(v) != "node" {
		t.Fatalf("Get = %q, %v", v, err)
	}
}
