package iavl

import (
	"encoding/binary"
	"fmt"
	"testing"

	dbm "github.com/cosmos/iavl/db"
)

// ledgerd's patch: a node the working tree replaces or removes leaves the
// node cache (nodeDB.uncache), so that a cache larger than the tree holds
// exactly the last saved version's nodes, however many versions are saved.

func TestCacheHoldsOnlyTheLastVersion(t *testing.T) {
	tree := NewMutableTree(dbm.NewMemDB(), 1_000_000, true, NewNopLogger())
	key := func(i int) []byte { return binary.BigEndian.AppendUint32([]byte("k"), uint32(i)) }
	const records = 1000
	for i := 0; i < records; i++ {
		if _, err := tree.Set(key(i), []byte("v0")); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := tree.SaveVersion(); err != nil {
		t.Fatal(err)
	}
	for version := 2; version <= 20; version++ {
		// Update a spread of records, insert one and remove one.
		for i := version; i < records; i += 37 {
			if _, err := tree.Set(key(i), []byte(fmt.Sprintf("v%d", version))); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := tree.Set(key(records+version), []byte("new")); err != nil {
			t.Fatal(err)
		}
		if _, _, err := tree.Remove(key(version * 3)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := tree.SaveVersion(); err != nil {
			t.Fatal(err)
		}
		// A tree of n leaves has 2n-1 nodes; without the patch the cache
		// also keeps every node an earlier version replaced.
		if got, want := tree.ndb.nodeCache.Len(), 2*int(tree.Size())-1; got != want {
			t.Fatalf("version %d: node cache holds %d nodes, the tree has %d", version, got, want)
		}
	}

	// The replaced nodes are still on disk: an older version reads them.
	old, err := tree.GetImmutable(1)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{2, 6, 39, 999} {
		v, err := old.Get(key(i))
		if err != nil || string(v) != "v0" {
			t.Fatalf("version 1, record %d: %q, %v; want v0", i, v, err)
		}
	}
	v, err := tree.Get(key(20))
	if err != nil || string(v) != "v20" {
		t.Fatalf("last version, record 20: %q, %v; want v20", v, err)
	}
}

// TestCacheAfterVersionsDeleted saves a version again after
// DeleteVersionsFrom, with the node cache still holding the deleted
// version's nodes under the keys the new save gives its own: each new node
// must replace the cached one (nodeCache.openVersion), so that the cache's
// map and order agree and a read finds the new values.
func TestCacheAfterVersionsDeleted(t *testing.T) {
	tree := NewMutableTree(dbm.NewMemDB(), 1_000_000, true, NewNopLogger())
	key := func(i int) []byte { return binary.BigEndian.AppendUint32([]byte("k"), uint32(i)) }
	save := func(value string) {
		t.Helper()
		for i := 0; i < 200; i += 3 {
			if _, err := tree.Set(key(i), []byte(value)); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := tree.SaveVersion(); err != nil {
			t.Fatal(err)
		}
	}
	save("v1")
	save("v2")
	if err := tree.DeleteVersionsFrom(2); err != nil {
		t.Fatal(err)
	}
	if err := tree.LoadVersionForOverwriting(1); err != nil {
		t.Fatal(err)
	}
	save("v2 again")

	c := tree.ndb.nodeCache
	n := 0
	for node := c.head; node != nil; node = node.lruNext {
		if c.lookup(*node.nodeKey) != node {
			t.Fatalf("node %v is in the cache's order but its key maps to another", node.nodeKey)
		}
		n++
	}
	if n != c.Len() {
		t.Fatalf("the cache's order holds %d nodes, its maps %d", n, c.Len())
	}
	v, err := tree.Get(key(3))
	if err != nil || string(v) != "v2 again" {
		t.Fatalf("record 3: %q, %v; want v2 again", v, err)
	}
}
