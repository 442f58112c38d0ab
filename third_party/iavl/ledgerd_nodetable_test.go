package iavl

import (
	"math/rand"
	"testing"
)

// TestNodeTableMatchesAMap runs random sets and deletes on a nodeTable and
// on a Go map side by side: every key's node, and the count, must agree
// after each, through the table's growth and deletions in the middle of
// runs of slots (backward shifts), with keys that count up as node keys do
// and keys that collide in the low bits.
func TestNodeTableMatchesAMap(t *testing.T) {
	for seed := int64(1); seed <= 8; seed++ {
		r := rand.New(rand.NewSource(seed))
		var table nodeTable
		want := map[uint64]*Node{}
		keys := make([]uint64, 0, 4096)
		for i := 0; i < 20000; i++ {
			var k uint64
			switch {
			case len(keys) > 0 && r.Intn(3) == 0:
				k = keys[r.Intn(len(keys))] // one seen before
			case r.Intn(2) == 0:
				k = uint64(r.Intn(64)+1)<<32 | uint64(r.Intn(64)) // versions and nonces
			default:
				k = uint64(r.Intn(1<<12)+1) << 20 // equal low bits
			}
			if k == 0 {
				continue
			}
			keys = append(keys, k)
			if r.Intn(5) < 2 {
				table.delete(k)
				delete(want, k)
			} else {
				n := &Node{size: int64(i)}
				table.set(k, n)
				want[k] = n
			}
			if table.len() != len(want) {
				t.Fatalf("seed %d, op %d: table holds %d keys, map %d", seed, i, table.len(), len(want))
			}
			if i%97 == 0 {
				for _, k := range keys {
					if got := table.get(k); got != want[k] {
						t.Fatalf("seed %d, op %d: get(%#x) = %p, map has %p", seed, i, k, got, want[k])
					}
				}
			}
		}
		if 2*table.len() > len(table.slots) {
			t.Fatalf("seed %d: %d keys in %d slots: more than half full", seed, table.len(), len(table.slots))
		}
	}
	var empty nodeTable
	if empty.get(1) != nil {
		t.Fatal("an empty table found a node")
	}
	empty.delete(1)
}
