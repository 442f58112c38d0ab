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

// hashSplit is a setting of hashParallel: how many levels deep it splits
// the tree into tasks, and on how many goroutines.
type hashSplit struct{ levels, workers int }

func withParallelHash(split hashSplit, f func()) {
	defer func(levels, workers int) { parallelHashLevels, parallelHashWorkers = levels, workers }(parallelHashLevels, parallelHashWorkers)
	parallelHashLevels, parallelHashWorkers = split.levels, split.workers
	f()
}

// TestParallelWorkingHashIsSerialHash applies the same random operations to
// trees hashed with 0 levels (upstream's serial recursion), and split 1, 3
// and 6 levels deep on two to four goroutines, and compares every working
// hash and saved hash.
func TestParallelWorkingHashIsSerialHash(t *testing.T) {
	levels := []hashSplit{{0, 2}, {1, 2}, {3, 2}, {3, 4}, {6, 3}}
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
			withParallelHash(levels[i], func() { hash = tree.WorkingHash() })
			working = append(working, hash)
			savedHash, _, err := tree.SaveVersion()
			if err != nil {
				t.Fatal(err)
			}
			saved = append(saved, savedHash)
		}
		for i := range levels {
			if !bytes.Equal(working[i], working[0]) || !bytes.Equal(saved[i], saved[0]) || !bytes.Equal(saved[i], working[i]) {
				t.Fatalf("version %d, split %+v: working %X saved %X, serial gives working %X saved %X",
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
	withParallelHash(hashSplit{0, 1}, func() {
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
// (a block of transfers on a large wallet tree) serially (upstream's
// recursion), and split 1 and 3 levels deep on two goroutines.
func BenchmarkWorkingHash(b *testing.B) {
	for _, split := range []hashSplit{{0, 1}, {1, 2}, {3, 2}} {
		b.Run(fmt.Sprintf("levels=%d,workers=%d", split.levels, split.workers), func(b *testing.B) {
			withParallelHash(split, func() {
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
