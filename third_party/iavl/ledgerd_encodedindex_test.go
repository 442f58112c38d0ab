package iavl

import (
	"encoding/binary"
	"fmt"
	"math/rand"
	"testing"
)

// indexAgreesWithRing checks c's index against its ring: walking the ring
// from the oldest entry to the head, each key is indexed at the offset of
// its newest entry there, and the index (its table and the old one it may
// be draining) holds nothing else; every slot is found from its key's home
// slot. It reports whether the index was draining an old table.
func indexAgreesWithRing(t *testing.T, c *EncodedNodeCache, when string) (draining bool) {
	t.Helper()
	newest := map[encodedKey]uint64{}
	for off := c.oldest; off < c.head; {
		e := c.at(off)
		if len(e) < encodedHeader {
			off += uint64(len(e))
			continue
		}
		n := binary.BigEndian.Uint16(e)
		if n == skipMark {
			off += uint64(len(e))
			continue
		}
		newest[c.keyAt(off)] = off
		off += encodedHeader + uint64(n)
	}
	used := 0
	for _, table := range []struct {
		slots encodedTable
		old   bool
	}{{c.index.table, false}, {c.index.old, true}} {
		for i, s := range table.slots {
			if s.off1 == 0 {
				continue
			}
			used++
			key := c.keyAt(s.off1 - 1)
			if want, ok := newest[key]; !ok || want != s.off1-1 {
				t.Fatalf("%s: slot %d (old table: %v) indexes key %x at %d; the ring's newest entry for it is at %d (held: %v)", when, i, table.old, key.nk, s.off1-1, want, ok)
			}
			if _, j, inOld, ok := c.locate(key, s.hash); !ok || j != i || inOld != table.old {
				t.Fatalf("%s: slot %d (old table: %v) is not found from its home (locate gives %d, old table %v, %v)", when, i, table.old, j, inOld, ok)
			}
		}
	}
	if used != c.index.n || used != len(newest) {
		t.Fatalf("%s: %d slots in use, the index counts %d, the ring holds %d keys", when, used, c.index.n, len(newest))
	}
	return c.index.old != nil
}

// TestEncodedIndexAgreesWithTheRing runs a cache of small entries (tens of
// thousands in one ring, so that the table grows, its clusters wrap round
// its end and entries leave it all the time) through random puts and
// reads, the reads writing old entries again at the head, and checks the
// index often enough to catch it draining an old table.
func TestEncodedIndexAgreesWithTheRing(t *testing.T) {
	c := NewEncodedNodeCache(encodedChunk)
	rng := rand.New(rand.NewSource(7))
	const keys = 60_000
	checksWhileDraining := 0
	for i := 0; i < 300_000; i++ {
		k := rng.Intn(keys)
		if rng.Intn(3) == 0 {
			if got := c.get(0, encKey(k)); got != nil && binary.BigEndian.Uint32(got) != uint32(k) {
				t.Fatalf("op %d: key %d read the encoding of %d", i, k, binary.BigEndian.Uint32(got))
			}
		} else {
			c.put(0, encKey(k), encodingOf(k, 4+rng.Intn(40)))
		}
		if i < 40_000 && i%97 == 0 || i%2_003 == 0 {
			if indexAgreesWithRing(t, c, fmt.Sprintf("after op %d", i)) {
				checksWhileDraining++
			}
		}
	}
	indexAgreesWithRing(t, c, "at the end")
	if checksWhileDraining < 10 {
		t.Fatalf("only %d checks came while the index drained an old table", checksWhileDraining)
	}
	if c.index.n < 10_000 {
		t.Fatalf("the ring held only %d entries: the test did not fill the table it meant to", c.index.n)
	}
}

// TestEncodedIndexRemoveKeepsRunsFindable removes slots from runs of
// colliding hashes, one of them wrapping round the table's end, and checks
// that every slot left is still found by probing from its home.
func TestEncodedIndexRemoveKeepsRunsFindable(t *testing.T) {
	for seed := int64(0); seed < 50; seed++ {
		rng := rand.New(rand.NewSource(seed))
		x := make(encodedTable, encodedIndexMinSlots)
		mask := uint64(len(x) - 1)
		find := func(h uint64) (int, bool) {
			return x.find(h, func(uint64) bool { return true })
		}
		// Hashes whose homes crowd a few slots, two near the end.
		homes := []uint64{mask - 2, mask, 0, 5, 6, 300}
		var held []uint64
		for n := uint64(1); len(held) < 200; n++ {
			h := n<<32 | homes[rng.Intn(len(homes))]
			x.place(encodedSlot{hash: h, off1: n})
			held = append(held, h)
		}
		for len(held) > 0 {
			j := rng.Intn(len(held))
			i, ok := find(held[j])
			if !ok {
				t.Fatalf("seed %d: hash %x not found before its removal", seed, held[j])
			}
			x.remove(i)
			held = append(held[:j], held[j+1:]...)
			for _, h := range held {
				if _, ok := find(h); !ok {
					t.Fatalf("seed %d: hash %x lost after a removal (%d left)", seed, h, len(held))
				}
			}
			used := 0
			for _, s := range x {
				if s.off1 != 0 {
					used++
				}
			}
			if used != len(held) {
				t.Fatalf("seed %d: %d slots in use, %d are held", seed, used, len(held))
			}
		}
		for i, s := range x {
			if s.off1 != 0 {
				t.Fatalf("seed %d: slot %d still in use after every removal", seed, i)
			}
		}
	}
}
