package iavl

import (
	"bytes"
	"fmt"
	"math/rand"
	"slices"
	"testing"

	dbm "github.com/cosmos/iavl/db"
)

// hbWrite is a write of TestHashBehindIsSerialHash.
type hbWrite struct {
	key, value []byte
	remove     bool
}

// TestHashBehindIsSerialHash writes the same versions into two trees, one
// hashing behind its writes (HashBehind after every few, the frontier the
// next key) and one not, and compares every working and saved hash. Most
// versions write in key order as the store does. Others break the promise
// HashBehind is given, each of which must make the tree wait instead of
// hashing a subtree that changes (run it with -race too): removals among
// the writes in key order, a write below the frontier, a rollback and the
// writes again, a save without a working hash first, and a return to an
// older version to write it again.
func TestHashBehindIsSerialHash(t *testing.T) {
	for seed := int64(1); seed <= 12; seed++ {
		rng := rand.New(rand.NewSource(seed))
		plain := NewMutableTree(dbm.NewMemDB(), 10_000, true, NewNopLogger())
		behind := NewMutableTree(dbm.NewMemDB(), 10_000, true, NewNopLogger())
		started := 0
		apply := func(writes []hbWrite, every int) {
			for i, w := range writes {
				if i > 0 && i%every == 0 {
					behind.HashBehind(w.key)
					if behind.behind != nil {
						started++
					}
				}
				for _, tree := range []*MutableTree{plain, behind} {
					var err error
					if w.remove {
						_, _, err = tree.Remove(w.key)
					} else {
						_, err = tree.Set(w.key, w.value)
					}
					if err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		for version := 1; version <= 10; version++ {
			writes := make([]hbWrite, 200+rng.Intn(1500))
			for i := range writes {
				writes[i] = hbWrite{key: fmt.Appendf(nil, "k%06d", rng.Intn(20_000)), value: fmt.Appendf(nil, "v%d-%d", version, i)}
			}
			slices.SortFunc(writes, func(a, b hbWrite) int { return bytes.Compare(a.key, b.key) })
			mode := "in key order"
			if version > 2 {
				switch rng.Intn(5) {
				case 0:
					mode = "removals among them"
					for i := range writes {
						writes[i].remove = rng.Intn(4) == 0
					}
				case 1:
					mode = "a write below the frontier"
					writes = append(writes, hbWrite{key: []byte("k000000"), value: []byte("late")})
				case 2:
					mode = "rolled back and written again"
					apply(writes, 1+rng.Intn(64))
					plain.Rollback()
					behind.Rollback()
					if behind.behind != nil {
						t.Fatalf("seed %d version %d: the hashing behind the writes outlives a rollback", seed, version)
					}
				case 3:
					mode = "an older version written again"
					apply(writes, 1+rng.Intn(64))
					back := plain.Version() - 1
					for _, tree := range []*MutableTree{plain, behind} {
						if err := tree.LoadVersionForOverwriting(back); err != nil {
							t.Fatal(err)
						}
					}
					if behind.behind != nil {
						t.Fatalf("seed %d version %d: the hashing behind the writes outlives loading version %d", seed, version, back)
					}
				}
			}
			apply(writes, 1+rng.Intn(64))
			if rng.Intn(2) == 0 {
				want, got := plain.WorkingHash(), behind.WorkingHash()
				if !bytes.Equal(got, want) {
					t.Fatalf("seed %d version %d (%s): working hash %X, serial %X", seed, version, mode, got, want)
				}
			}
			wantSaved, _, err := plain.SaveVersion()
			if err != nil {
				t.Fatal(err)
			}
			gotSaved, _, err := behind.SaveVersion()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(gotSaved, wantSaved) {
				t.Fatalf("seed %d version %d (%s): saved hash %X, serial %X", seed, version, mode, gotSaved, wantSaved)
			}
		}
		if started == 0 {
			t.Fatalf("seed %d: HashBehind never had a subtree to hash; the test means to exercise it", seed)
		}
	}
}
