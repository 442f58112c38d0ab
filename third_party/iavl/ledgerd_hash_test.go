package iavl

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"

	dbm "github.com/cosmos/iavl/db"
)

// ledgerd's patch: WorkingHash hashes the subtrees below the top levels in
// parallel (hashParallel). The hash must be upstream's serial one whatever
// the split, over inserts, updates and removals between saved versions.

func withParallelHashLevels(levels int, f func()) {
	defer func(was int) { parallelHashLevels = was }(parallelHashLevels)
	parallelHashLevels = levels
	f()
}

// TestParallelWorkingHashIsSerialHash applies the same random operations to
// trees hashed with 0 (upstream's serial recursion), 1, 2 and 6 parallel
// levels, and compares every working hash and saved hash.
func TestParallelWorkingHashIsSerialHash(t *testing.T) {
	levels := []int{0, 1, 2, 6}
	trees := make([]*MutableTree, len(levels))
	for i := range trees {
		trees[i] = NewMutableTree(dbm.NewMemDB(), 10_000, true, NewNopLogger())
	}
	rng := rand.New(rand.NewSource(42))
	for version := 1; version <= 20; version++ {
		type op struct {
			key, value []byte
			remove     bool
		}
		ops := make([]op, 1+rng.Intn(500))
		for i := range ops {
			ops[i] = op{key: fmt.Appendf(nil, "k%05d", rng.Intn(3000)), value: fmt.Appendf(nil, "v%d-%d", version, i),
				remove: version > 1 && rng.Intn(5) == 0}
		}
		var working, saved [][]byte
		for i, tree := range trees {
			for _, o := range ops {
				var err error
				if o.remove {
					_, _, err = tree.Remove(o.key)
				} else {
					_, err = tree.Set(o.key, o.value)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			var hash []byte
			withParallelHashLevels(levels[i], func() { hash = tree.WorkingHash() })
			working = append(working, hash)
			savedHash, _, err := tree.SaveVersion()
			if err != nil {
				t.Fatal(err)
			}
			saved = append(saved, savedHash)
		}
		for i := range levels {
			if !bytes.Equal(working[i], working[0]) || !bytes.Equal(saved[i], saved[0]) || !bytes.Equal(saved[i], working[i]) {
				t.Fatalf("version %d, %d parallel levels: working %X saved %X, serial gives working %X saved %X",
					version, levels[i], working[i], saved[i], working[0], saved[0])
			}
		}
	}
	if trees[0].Size() < 1000 {
		t.Fatalf("the trees hold %d records; the test means to hash trees of several levels", trees[0].Size())
	}
}

// An empty tree and a single leaf hash as upstream's.
func TestParallelWorkingHashSmallTrees(t *testing.T) {
	tree := NewMutableTree(dbm.NewMemDB(), 100, true, NewNopLogger())
	empty := tree.WorkingHash()
	if want := (*Node)(nil).hashWithCount(1); !bytes.Equal(empty, want) {
		t.Fatalf("empty tree: %X, want %X", empty, want)
	}
	if _, err := tree.Set([]byte("a"), []byte("1")); err != nil {
		t.Fatal(err)
	}
	got := tree.WorkingHash()
	var serial []byte
	withParallelHashLevels(0, func() {
		other := NewMutableTree(dbm.NewMemDB(), 100, true, NewNopLogger())
		if _, err := other.Set([]byte("a"), []byte("1")); err != nil {
			t.Fatal(err)
		}
		serial = other.WorkingHash()
	})
	if !bytes.Equal(got, serial) {
		t.Fatalf("one leaf: %X, serial %X", got, serial)
	}
}

// BenchmarkWorkingHash hashes 2,000 changed records of a tree of 300,000
// (a block of transfers on a large wallet tree) at 0 (upstream's serial
// recursion), 1 and 2 parallel levels.
func BenchmarkWorkingHash(b *testing.B) {
	for _, levels := range []int{0, 1, 2} {
		b.Run(fmt.Sprintf("levels=%d", levels), func(b *testing.B) {
			withParallelHashLevels(levels, func() {
				rng := rand.New(rand.NewSource(1))
				tree := NewMutableTree(dbm.NewMemDB(), 1_500_000, true, NewNopLogger())
				keys := make([][]byte, 300_000)
				value := bytes.Repeat([]byte("v"), 70)
				for i := range keys {
					keys[i] = fmt.Appendf(nil, "wallet/%08d", rng.Intn(1<<30))
					if _, err := tree.Set(keys[i], value); err != nil {
						b.Fatal(err)
					}
				}
				if _, _, err := tree.SaveVersion(); err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					for j := 0; j < 2000; j++ {
						if _, err := tree.Set(keys[rng.Intn(len(keys))], fmt.Appendf(nil, "%d-%d", i, j)); err != nil {
							b.Fatal(err)
						}
					}
					b.StartTimer()
					tree.WorkingHash()
					b.StopTimer()
					if _, _, err := tree.SaveVersion(); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
			})
		})
	}
}
