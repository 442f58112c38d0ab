package badgerdb

import (
	"bytes"
	"fmt"
	"sort"
	"testing"
)

// iterKeys are stored with value "v"+hex(key). They include 0x00 and 0xFF
// bytes, keys that are prefixes of each other and the largest keys possible
// in practice, so that a nil end in reverse must really start at the top.
var iterKeys = [][]byte{
	{0x00},
	{0x00, 0x00},
	{0x00, 0xff},
	[]byte("a"),
	[]byte("a\x00"),
	[]byte("ab"),
	[]byte("abc"),
	[]byte("b"),
	{0x7f, 0xff},
	{0xff},
	{0xff, 0x00},
	{0xff, 0xff},
	{0xff, 0xff, 0xff, 0xff},
}

func iterValue(k []byte) []byte { return []byte(fmt.Sprintf("v%x", k)) }

// iterBounds are candidate start/end values: nil, every stored key, and keys
// strictly between, below and above stored keys.
var iterBounds = func() [][]byte {
	b := [][]byte{nil}
	b = append(b, iterKeys...)
	return append(b,
		[]byte{0x00, 0x00, 0x00}, // between {0,0} and {0,ff}
		[]byte{0x01},             // between {0,ff} and "a"
		[]byte("aa"),             // between "a\x00" and "ab"
		[]byte("abd"),            // between "abc" and "b"
		[]byte("c"),              // between "b" and {7f,ff}
		[]byte{0xfe},             // between {7f,ff} and {ff}
		[]byte{0xff, 0x01},       // between {ff,00} and {ff,ff}
		[]byte{0xff, 0xff, 0xff}, // between {ff,ff} and {ff,ff,ff,ff}
		[]byte{0xff, 0xff, 0xff, 0xff, 0x00},
		[]byte{0xff, 0xff, 0xff, 0xff, 0xff}, // above everything
	)
}()

func loadIterKeys(t *testing.T, db *DB) {
	t.Helper()
	b := db.NewBatch()
	defer b.Close()
	for _, k := range iterKeys {
		if err := b.Set(k, iterValue(k)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Write(); err != nil {
		t.Fatal(err)
	}
}

// expectRange is the reference model: the stored keys in [start, end).
func expectRange(start, end []byte, reverse bool) [][]byte {
	var out [][]byte
	for _, k := range iterKeys {
		if (start == nil || bytes.Compare(k, start) >= 0) && (end == nil || bytes.Compare(k, end) < 0) {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i], out[j]) < 0 })
	if reverse {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out
}

func collect(t *testing.T, db *DB, start, end []byte, reverse bool) [][]byte {
	t.Helper()
	newIter := db.Iterator
	if reverse {
		newIter = db.ReverseIterator
	}
	it, err := newIter(start, end)
	if err != nil {
		t.Fatalf("iterator(%x, %x): %v", start, end, err)
	}
	defer it.Close()
	if s, e := it.Domain(); !bytes.Equal(s, start) || !bytes.Equal(e, end) || (s == nil) != (start == nil) || (e == nil) != (end == nil) {
		t.Fatalf("Domain = %x, %x; want %x, %x", s, e, start, end)
	}
	var keys [][]byte
	for ; it.Valid(); it.Next() {
		k, v := it.Key(), it.Value()
		if !bytes.Equal(v, iterValue(k)) {
			t.Fatalf("value of %x = %q, want %q", k, v, iterValue(k))
		}
		keys = append(keys, k) // kept across Next: must be a copy
	}
	if err := it.Error(); err != nil {
		t.Fatalf("iterator error: %v", err)
	}
	return keys
}

// TestIteratorBounds checks every combination of nil, existing, in-between
// and out-of-range bounds, forward and reverse, against the reference model.
func TestIteratorBounds(t *testing.T) {
	backends(t, func(t *testing.T, db *DB) {
		loadIterKeys(t, db)
		for _, reverse := range []bool{false, true} {
			for _, start := range iterBounds {
				for _, end := range iterBounds {
					got := collect(t, db, start, end, reverse)
					want := expectRange(start, end, reverse)
					if !equalKeys(got, want) {
						t.Errorf("reverse=%v [%x, %x): got %x, want %x", reverse, start, end, got, want)
					}
				}
			}
		}
	})
}

// TestIteratorNamedCases spells out the cases most likely to regress.
func TestIteratorNamedCases(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	loadIterKeys(t, db)
	k := func(b ...byte) []byte { return b }
	cases := []struct {
		name       string
		start, end []byte
		reverse    bool
		want       [][]byte
	}{
		{"reverse nil end starts at top 0xFF key", k(0xff), nil, true,
			[][]byte{k(0xff, 0xff, 0xff, 0xff), k(0xff, 0xff), k(0xff, 0x00), k(0xff)}},
		{"reverse end equal to key excludes it", []byte("a"), []byte("abc"), true,
			[][]byte{[]byte("ab"), []byte("a\x00"), []byte("a")}},
		{"reverse end between keys", []byte("a"), []byte("aa"), true,
			[][]byte{[]byte("a\x00"), []byte("a")}},
		{"reverse end above all keys", k(0xff, 0xff), k(0xff, 0xff, 0xff, 0xff, 0xff), true,
			[][]byte{k(0xff, 0xff, 0xff, 0xff), k(0xff, 0xff)}},
		{"reverse end is smallest key", nil, k(0x00), true, nil},
		{"reverse nil start", nil, k(0x00, 0xff), true, [][]byte{k(0x00, 0x00), k(0x00)}},
		{"forward start between keys", k(0xfe), k(0xff, 0x01), false, [][]byte{k(0xff), k(0xff, 0x00)}},
		{"forward end equal to key excludes it", k(0x00), k(0x00, 0xff), false, [][]byte{k(0x00), k(0x00, 0x00)}},
		{"forward nil end includes last key", k(0xff, 0xff), nil, false, [][]byte{k(0xff, 0xff), k(0xff, 0xff, 0xff, 0xff)}},
		{"start == end is empty", []byte("ab"), []byte("ab"), false, nil},
		{"start > end is empty", []byte("b"), []byte("a"), true, nil},
	}
	for _, c := range cases {
		if got := collect(t, db, c.start, c.end, c.reverse); !equalKeys(got, c.want) {
			t.Errorf("%s: got %x, want %x", c.name, got, c.want)
		}
	}
}

func TestIteratorCopiesAndLifecycle(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	loadIterKeys(t, db)

	start := []byte("a")
	it, err := db.Iterator(start, nil)
	if err != nil {
		t.Fatal(err)
	}
	start[0] = 'z' // caller reuses the bound buffer
	if s, _ := it.Domain(); string(s) != "a" {
		t.Fatalf("Domain start changed with caller's buffer: %q", s)
	}
	k, v := it.Key(), it.Value()
	k[0], v[0] = 'X', 'X'
	if string(it.Key()) != "a" || string(it.Value()) != string(iterValue([]byte("a"))) {
		t.Fatalf("mutating returned key/value changed the iterator: %q %q", it.Key(), it.Value())
	}

	// Snapshot: a write after creation is not seen, and does not fail.
	if err := db.Set([]byte("ac"), []byte("new")); err != nil {
		t.Fatal(err)
	}
	for ; it.Valid(); it.Next() {
		if string(it.Key()) == "ac" {
			t.Fatal("iterator saw a write made after it was created")
		}
	}
	assertPanics(t, "Next on invalid iterator", it.Next)
	assertPanics(t, "Key on invalid iterator", func() { it.Key() })
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	if err := it.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if it.Valid() {
		t.Fatal("closed iterator is valid")
	}

	// Closing before exhaustion releases the transaction (Badger would
	// panic on Discard with an open iterator).
	it2, err := db.ReverseIterator(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !it2.Valid() {
		t.Fatal("reverse iterator over non-empty DB is invalid")
	}
	if err := it2.Close(); err != nil {
		t.Fatal(err)
	}

	// Empty value reads back as empty, non-nil.
	if err := db.Set([]byte("empty"), []byte{}); err != nil {
		t.Fatal(err)
	}
	it3, err := db.Iterator([]byte("empty"), []byte("emptz"))
	if err != nil {
		t.Fatal(err)
	}
	defer it3.Close()
	if !it3.Valid() || it3.Value() == nil || len(it3.Value()) != 0 {
		t.Fatalf("empty value: valid=%v value=%v", it3.Valid(), it3.Value())
	}
}

func TestIteratorEmptyDB(t *testing.T) {
	db, _ := openTestDB(t, Options{})
	for _, reverse := range []bool{false, true} {
		if got := collect(t, db, nil, nil, reverse); len(got) != 0 {
			t.Errorf("reverse=%v: got %x from an empty DB", reverse, got)
		}
	}
}

func equalKeys(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func assertPanics(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s did not panic", what)
		}
	}()
	f()
}
