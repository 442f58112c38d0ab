package badgerdb

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/cosmos/iavl"
)

// TestIAVLRoundTrip drives a real IAVL tree over the Badger DB, with IAVL's
// flush threshold set from MaxBatchBytes on a small memtable so that every
// SaveVersion spans many batches, then reopens everything and compares.
func TestIAVLRoundTrip(t *testing.T) {
	opts := Options{MemTableSize: 2 << 20}
	db, dir := openTestDB(t, opts)
	flush := iavl.FlushThresholdOption(MaxBatchBytes(opts))

	const versions, perVersion = 5, 2000 // 10k keys in total
	key := func(i int) []byte { return []byte(fmt.Sprintf("key-%05d", i)) }
	value := func(i, v int) []byte { return []byte(fmt.Sprintf("value-%05d-v%d", i, v)) }
	want := make(map[string][]byte)

	tree := iavl.NewMutableTree(db, 1000, true, iavl.NewNopLogger(), flush)
	var hash []byte
	var version int64
	for v := 1; v <= versions; v++ {
		for i := (v - 1) * perVersion; i < v*perVersion; i++ {
			if _, err := tree.Set(key(i), value(i, v)); err != nil {
				t.Fatal(err)
			}
			want[string(key(i))] = value(i, v)
		}
		// Rewrite and remove some keys of earlier versions.
		for i := 0; i < (v-1)*perVersion; i += 97 {
			if _, err := tree.Set(key(i), value(i, v)); err != nil {
				t.Fatal(err)
			}
			want[string(key(i))] = value(i, v)
		}
		for i := 13; i < (v-1)*perVersion; i += 501 {
			if _, _, err := tree.Remove(key(i)); err != nil {
				t.Fatal(err)
			}
			delete(want, string(key(i)))
		}
		var err error
		if hash, version, err = tree.SaveVersion(); err != nil {
			t.Fatalf("SaveVersion %d: %v", v, err)
		}
		if err := db.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	if version != versions {
		t.Fatalf("version = %d, want %d", version, versions)
	}

	db = reopen(t, db, dir, opts)
	tree = iavl.NewMutableTree(db, 1000, true, iavl.NewNopLogger(), flush)
	got, err := tree.LoadVersion(0)
	if err != nil {
		t.Fatalf("LoadVersion: %v", err)
	}
	if got != versions {
		t.Fatalf("loaded version %d, want %d", got, versions)
	}
	if !bytes.Equal(tree.Hash(), hash) {
		t.Fatalf("root hash after reopen = %X, want %X", tree.Hash(), hash)
	}
	for i := 0; i < versions*perVersion; i++ {
		v, err := tree.Get(key(i))
		if err != nil {
			t.Fatal(err)
		}
		if w := want[string(key(i))]; !bytes.Equal(v, w) {
			t.Fatalf("%s = %q, want %q", key(i), v, w)
		}
	}
}
