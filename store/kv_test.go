package store

import (
	"fmt"
	"slices"
	"testing"
)

// mapReader is a parent Reader over a map.
type mapReader map[string]string

func (m mapReader) Get(key []byte) []byte {
	if v, ok := m[string(key)]; ok {
		return []byte(v)
	}
	return nil
}

func (m mapReader) Iterator(start, end []byte, reverse bool) Iterator {
	b := make(map[string][]byte, len(m))
	for k, v := range m {
		b[k] = []byte(v)
	}
	return SortedIterator(b, start, end, reverse)
}

// recorder is a KV that records the calls made to it.
type recorder struct{ calls []string }

func (r *recorder) Get([]byte) []byte { return nil }
func (r *recorder) Iterator([]byte, []byte, bool) Iterator {
	return emptyIterator{}
}
func (r *recorder) Set(k, v []byte)   { r.calls = append(r.calls, fmt.Sprintf("set %s=%s", k, v)) }
func (r *recorder) Delete(k []byte)   { r.calls = append(r.calls, fmt.Sprintf("del %s", k)) }
func get(r Reader, key string) string { return string(r.Get([]byte(key))) }
func has(r Reader, key string) bool   { return r.Get([]byte(key)) != nil }
func set(kv KV, key, value string)    { kv.Set([]byte(key), []byte(value)) }
func mustPanic(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s did not panic", name)
		}
	}()
	f()
}

func TestOverlay(t *testing.T) {
	parent := mapReader{"a": "1", "b": "2", "c": "3"}
	o := NewOverlay(parent)
	if get(o, "a") != "1" || has(o, "z") {
		t.Fatal("reads do not fall through")
	}
	set(o, "b", "20")
	set(o, "d", "4")
	o.Delete([]byte("c"))
	o.Delete([]byte("y")) // absent in the parent too
	if get(o, "b") != "20" || get(o, "d") != "4" || has(o, "c") || get(o, "a") != "1" {
		t.Fatal("overlay reads wrong")
	}
	if get(parent, "b") != "2" || has(parent, "d") || !has(parent, "c") {
		t.Fatal("overlay wrote through to its parent")
	}
	// Set after Delete, Delete after Set.
	set(o, "y", "25")
	o.Delete([]byte("d"))
	if get(o, "y") != "25" || has(o, "d") {
		t.Fatal("last write does not win")
	}
	if o.Len() != 4 {
		t.Fatalf("Len %d", o.Len())
	}
	var got []string
	for _, w := range o.Writes() {
		got = append(got, fmt.Sprintf("%s=%v", w.Key, w.Value != nil))
	}
	if want := []string{"b=true", "c=false", "d=false", "y=true"}; !slices.Equal(got, want) {
		t.Fatalf("Writes %v, want %v", got, want)
	}
	rec := new(recorder)
	o.WriteTo(rec)
	if want := []string{"set b=20", "del c", "del d", "set y=25"}; !slices.Equal(rec.calls, want) {
		t.Fatalf("WriteTo %v, want %v", rec.calls, want)
	}
	mustPanic(t, "Set with empty key", func() { o.Set(nil, []byte("x")) })
	mustPanic(t, "Set with nil value", func() { o.Set([]byte("k"), nil) })
}

// TestOverlayWritesSorted: Writes is in byte order whatever the insertion
// order (IAVL's shape depends on it).
func TestOverlayWritesSorted(t *testing.T) {
	o := NewOverlay(mapReader{})
	keys := []string{"\xff", "b", "\x00", "ab", "a", "ba", "\x01\x02", "\x01"}
	for _, k := range keys {
		set(o, k, "v")
	}
	var got []string
	for _, w := range o.Writes() {
		got = append(got, string(w.Key))
	}
	want := slices.Clone(keys)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("Writes order %q, want %q", got, want)
	}
}

func TestBranch(t *testing.T) {
	names := []string{"one", "two"}
	parents := []Reader{mapReader{"k": "one-k"}, mapReader{"k": "two-k", "gone": "x"}}
	block := NewBranch(names, parents)
	if get(block.KV("one"), "k") != "one-k" || get(block.KV("two"), "k") != "two-k" {
		t.Fatal("stores are not wired to their parents")
	}

	tx := block.Branch()
	set(tx.KV("one"), "k", "tx")
	set(tx.KV("two"), "new", "n")
	tx.KV("two").Delete([]byte("gone"))
	if get(tx.KV("one"), "k") != "tx" || has(tx.KV("two"), "gone") {
		t.Fatal("child does not read its own writes")
	}
	if get(block.KV("one"), "k") != "one-k" || has(block.KV("two"), "new") || !has(block.KV("two"), "gone") {
		t.Fatal("child writes visible to the parent before Merge")
	}
	// A sibling sees neither.
	sibling := block.Branch()
	if has(sibling.KV("two"), "new") {
		t.Fatal("child writes visible to a sibling")
	}
	// A discarded branch changes nothing.
	dropped := block.Branch()
	set(dropped.KV("one"), "k", "dropped")

	block.Merge(tx)
	if get(block.KV("one"), "k") != "tx" || get(block.KV("two"), "new") != "n" || has(block.KV("two"), "gone") {
		t.Fatal("Merge did not apply the child's writes and deletes")
	}
	if get(parents[0], "k") != "one-k" || !has(parents[1], "gone") {
		t.Fatal("Merge wrote through to the block's parents")
	}
	// The sibling made before the merge reads through to the block.
	if get(sibling.KV("two"), "new") != "n" {
		t.Fatal("branch does not read through to its parent's current state")
	}
	// Nested: grandchild into child into block.
	child := block.Branch()
	grand := child.Branch()
	set(grand.KV("one"), "g", "1")
	child.Merge(grand)
	if has(block.KV("one"), "g") {
		t.Fatal("grandchild visible to the block before the child merges")
	}
	block.Merge(child)
	if get(block.KV("one"), "g") != "1" {
		t.Fatal("nested merge lost a write")
	}

	dst := map[string]*recorder{"one": {}, "two": {}}
	block.WriteTo(func(name string) KV { return dst[name] })
	if want := []string{"set g=1", "set k=tx"}; !slices.Equal(dst["one"].calls, want) {
		t.Fatalf("one: %v, want %v", dst["one"].calls, want)
	}
	if want := []string{"del gone", "set new=n"}; !slices.Equal(dst["two"].calls, want) {
		t.Fatalf("two: %v, want %v", dst["two"].calls, want)
	}
	if block.Overlay("two").Len() != 2 {
		t.Fatalf("Overlay(two).Len = %d", block.Overlay("two").Len())
	}
	mustPanic(t, "KV of an unknown store", func() { block.KV("three") })
	mustPanic(t, "NewBranch with mismatched parents", func() { NewBranch(names, parents[:1]) })
}

// TestBranchReuse checks that a recycled child and a reset branch come
// back empty, reading through to their (new) parents, without taking back
// what was merged from them, and that an overlay that wrote many keys
// gives up its map rather than keep it.
func TestBranchReuse(t *testing.T) {
	names := []string{"one", "two"}
	block := NewBranch(names, []Reader{mapReader{"k": "parent"}, mapReader{}})

	tx := block.Branch()
	set(tx.KV("one"), "k", "tx")
	set(tx.KV("one"), "a", "1")
	tx.KV("two").Iterator(nil, nil, false) // sorts the keys written so far
	set(tx.KV("two"), "b", "2")
	block.Merge(tx)
	block.Recycle(tx)

	again := block.Branch()
	if again != tx {
		t.Fatal("Branch after Recycle did not reuse the child")
	}
	if again.Overlay("one").Len() != 0 || again.Overlay("two").Len() != 0 {
		t.Fatal("a recycled child kept its writes")
	}
	if get(again.KV("one"), "k") != "tx" || get(again.KV("two"), "b") != "2" {
		t.Fatal("a recycled child does not read through to its parent")
	}
	if it := again.KV("two").Iterator(nil, nil, false); !it.Valid() || string(it.Key()) != "b" {
		t.Fatal("a recycled child iterates keys it no longer holds, or not its parent's")
	}
	set(again.KV("one"), "k", "again")
	if get(block.KV("one"), "k") != "tx" || get(block.KV("one"), "a") != "1" {
		t.Fatal("writing to a recycled child changed what was merged from it")
	}
	if block.Branch() == again {
		t.Fatal("a child not recycled was handed out twice")
	}

	// A dropped child that wrote many keys gives up its map.
	big := block.Branch()
	for i := 0; i <= maxReusedWrites; i++ {
		set(big.KV("one"), fmt.Sprint(i), "v")
	}
	block.Recycle(big)
	if big.Overlay("one").writes != nil || get(block.KV("one"), "0") != "" {
		t.Fatal("a recycled child of many writes kept its map, or leaked a write")
	}

	block.Reset([]Reader{mapReader{"k": "next"}, mapReader{"c": "3"}})
	if block.Overlay("one").Len() != 0 || get(block.KV("one"), "k") != "next" || get(block.KV("two"), "c") != "3" {
		t.Fatal("Reset did not empty the branch over its new parents")
	}
	if block.Branch() == big {
		t.Fatal("Reset kept a spare child")
	}
	mustPanic(t, "Reset with mismatched parents", func() { block.Reset([]Reader{Empty}) })
}

func TestPrefixEnd(t *testing.T) {
	for _, tc := range []struct{ in, want []byte }{
		{[]byte{1}, []byte{2}},
		{[]byte{1, 2}, []byte{1, 3}},
		{[]byte{1, 0xff}, []byte{2}},
		{[]byte{0xff, 0xff}, nil},
		{nil, nil},
	} {
		if got := PrefixEnd(tc.in); !slices.Equal(got, tc.want) || (got == nil) != (tc.want == nil) {
			t.Errorf("PrefixEnd(%x) = %x, want %x", tc.in, got, tc.want)
		}
	}
}
