package store

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// model is the expected content of a store.
type model map[string]string

func (m model) clone() model {
	out := model{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// want lists m's pairs in [start, end) in iteration order.
func (m model) want(start, end []byte, reverse bool) []string {
	var out []string
	for k, v := range m {
		if inRange([]byte(k), start, end) {
			out = append(out, k+"="+v)
		}
	}
	sort.Strings(out)
	if reverse {
		slices.Reverse(out)
	}
	return out
}

func collect(r Reader, start, end []byte, reverse bool) []string {
	var out []string
	Each(r, start, end, reverse, func(k, v []byte) bool {
		out = append(out, string(k)+"="+string(v))
		return true
	})
	return out
}

// randomKey draws from a small alphabet so that writes collide, shadow and
// delete each other across the layers.
func randomKey(r *rand.Rand) []byte {
	k := make([]byte, 1+r.IntN(3))
	for i := range k {
		k[i] = "abcd"[r.IntN(4)]
	}
	return k
}

func randomBound(r *rand.Rand) []byte {
	if r.IntN(4) == 0 {
		return nil
	}
	return randomKey(r)
}

// TestIteratorMatchesModel writes random keys into a committed tree, then
// into the working tree (Apply), then into a block branch and a
// transaction branch over it, and checks after each layer that forward and
// reverse iterators with random bounds, at every layer, list exactly what a
// map of the same writes holds.
func TestIteratorMatchesModel(t *testing.T) {
	for seed := uint64(1); seed <= 40; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 99))
			s := memStore(t, Options{})
			m := model{}
			writeRandom := func(kv KV, m model, n int) {
				for range n {
					k := randomKey(r)
					if r.IntN(3) == 0 {
						kv.Delete(k)
						delete(m, string(k))
						continue
					}
					v := fmt.Sprint(r.IntN(1000))
					kv.Set(k, []byte(v))
					m[string(k)] = v
				}
			}
			check := func(layer string, rd Reader, m model) {
				t.Helper()
				for range 30 {
					start, end := randomBound(r), randomBound(r)
					if start != nil && end != nil && bytes.Compare(start, end) > 0 {
						start, end = end, start
					}
					for _, reverse := range []bool{false, true} {
						if got, want := collect(rd, start, end, reverse), m.want(start, end, reverse); !slices.Equal(got, want) {
							t.Fatalf("%s [%q, %q) reverse %v:\n got  %v\n want %v", layer, start, end, reverse, got, want)
						}
					}
				}
			}
			// Committed.
			b := NewBranch(s.Names(), s.Working())
			writeRandom(b.KV("alpha"), m, 40)
			s.Apply(b)
			if _, err := s.Commit(); err != nil {
				t.Fatal(err)
			}
			v, err := s.Version(0)
			if err != nil {
				t.Fatal(err)
			}
			committed, _ := v.Reader("alpha")
			check("committed version", committed, m)
			// Working tree: applied, not committed.
			work := m.clone()
			b = NewBranch(s.Names(), s.Working())
			writeRandom(b.KV("alpha"), work, 30)
			s.Apply(b)
			check("working tree", s.Working()[0], work)
			check("committed version after Apply", committed, m)
			// A block branch, and a transaction branch over it.
			block := NewBranch(s.Names(), s.Working())
			inBlock := work.clone()
			writeRandom(block.KV("alpha"), inBlock, 20)
			check("block branch", block.KV("alpha"), inBlock)
			tx := block.Branch()
			inTx := inBlock.clone()
			writeRandom(tx.KV("alpha"), inTx, 20)
			check("tx branch", tx.KV("alpha"), inTx)
			check("block branch under a tx", block.KV("alpha"), inBlock)
			// Writes after an iterator was used must show in the next one.
			writeRandom(tx.KV("alpha"), inTx, 10)
			check("tx branch, written again", tx.KV("alpha"), inTx)
			block.Merge(tx)
			check("block branch after merge", block.KV("alpha"), inTx)
			s.Apply(block)
			check("working tree after the block", s.Working()[0], inTx)
		})
	}
}

// TestIteratorSnapshot: writes to an overlay while iterating it do not
// disturb the iteration, which sees the overlay as it was.
func TestIteratorSnapshot(t *testing.T) {
	o := NewOverlay(mapReader{"a": "1", "c": "3"})
	o.Set([]byte("b"), []byte("2"))
	var got []string
	Each(o, nil, nil, false, func(k, v []byte) bool {
		got = append(got, string(k)+"="+string(v))
		o.Set([]byte("bb"), []byte("new"))
		o.Delete([]byte("c"))
		return true
	})
	if want := []string{"a=1", "b=2", "c=3"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if got, want := collect(o, nil, nil, false), []string{"a=1", "b=2", "bb=new"}; !slices.Equal(got, want) {
		t.Fatalf("after: got %v, want %v", got, want)
	}
}

func TestKeysAndFirst(t *testing.T) {
	o := NewOverlay(mapReader{"p1": "x", "p2": "y", "q": "z"})
	o.Delete([]byte("p1"))
	o.Set([]byte("p3"), []byte("w"))
	if got := Keys(o, []byte("p"), PrefixEnd([]byte("p")), false, 0); len(got) != 2 || string(got[0]) != "p2" || string(got[1]) != "p3" {
		t.Fatalf("Keys = %q", got)
	}
	if got := Keys(o, nil, nil, true, 2); len(got) != 2 || string(got[0]) != "q" || string(got[1]) != "p3" {
		t.Fatalf("Keys reverse limit 2 = %q", got)
	}
	if k, v, ok := First(o, []byte("p"), nil); !ok || string(k) != "p2" || string(v) != "y" {
		t.Fatalf("First = %q %q %v", k, v, ok)
	}
	if _, _, ok := First(o, []byte("r"), nil); ok {
		t.Fatal("First past the end found a key")
	}
	if _, _, ok := First(Empty, nil, nil); ok {
		t.Fatal("First of Empty found a key")
	}
}
