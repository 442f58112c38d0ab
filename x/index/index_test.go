package index_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/index"
)

type empty struct{}

func (empty) Get([]byte) []byte                           { return nil }
func (empty) Iterator(_, _ []byte, _ bool) store.Iterator { return store.SliceIterator(nil) }

// TestRange: the first entry brackets its range with marks at the
// smallest and largest keys it can hold; Each lists the entries only, from
// the start given; a neighbouring range's keys stay outside the marks.
func TestRange(t *testing.T) {
	kv := store.NewOverlay(empty{})
	a, b := index.Of([]byte("a")), index.Range{Prefix: []byte("b"), IDLen: 2}
	if kv.Get(a.Open()) != nil {
		t.Fatal("a mark before any entry")
	}
	a.Add(kv, []byte("a\x00\x00\x00\x00\x00\x00\x00\x05"))
	a.Add(kv, []byte("a\x00\x00\x00\x00\x00\x00\x00\x07"))
	b.Add(kv, []byte("b\x00\x01"))
	if !bytes.Equal(a.Open(), []byte("a\x00\x00\x00\x00\x00\x00\x00\x00")) || !bytes.Equal(b.Close(), []byte("b\xff\xff")) {
		t.Fatalf("marks %X %X", a.Open(), b.Close())
	}
	list := func(r index.Range, start []byte) string {
		var out string
		r.Each(kv, start, func(k, v []byte) bool {
			out += fmt.Sprintf("%X=%X ", k[len(r.Prefix):], v)
			return true
		})
		return out
	}
	if got := list(a, nil); got != "0000000000000005=01 0000000000000007=01 " {
		t.Fatalf("a: %q", got)
	}
	if got := list(a, []byte("a\x00\x00\x00\x00\x00\x00\x00\x06")); got != "0000000000000007=01 " {
		t.Fatalf("a from 6: %q", got)
	}
	if got := list(b, nil); got != "0001=01 " {
		t.Fatalf("b: %q", got)
	}
	var keys []string
	store.Each(kv, nil, nil, false, func(k, _ []byte) bool { keys = append(keys, fmt.Sprintf("%X", k)); return true })
	want := []string{"610000000000000000", "610000000000000005", "610000000000000007", "61FFFFFFFFFFFFFFFF", "620000", "620001", "62FFFF"}
	if fmt.Sprint(keys) != fmt.Sprint(want) {
		t.Fatalf("store keys %v, want %v", keys, want)
	}
	if !a.IsMark(a.Close()) || a.IsMark([]byte("a\x00\x00\x00\x00\x00\x00\x00\x05")) {
		t.Fatal("IsMark")
	}
}
