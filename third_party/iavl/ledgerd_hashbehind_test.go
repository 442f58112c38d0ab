package iavl

import (
	"bytes"
	"fmt"
	"math/rand"
	"slices"
	"testing"

	dbm "github.com/cosmos/iavl/db"
)

// TestHashBehindIsSerialHash writes the same versions into two trees, one
// hashing behind its writes (HashBehind after every few, the frontier the
// next key) and one not, and compares every working and saved hash. Most
// versions write in key order as the store does; some also remove keys or
// write a key below the frontier, which must make the tree wait instead of
// hashing a subtree that changes (run it with -race too).
func TestHashBehindIsSerialHash(t *testing.T) {
	for seed := int64(1); seed <= 12; seed++ {
		rng := rand.New(rand.NewSource(seed))
		plain := NewMutableTree(dbm.NewMemDB(), 10_000, true, NewNopLogger())
		behind := NewMutableTree(dbm.NewMemDB(), 10_000, true, NewNopLogger())
		started := 0
		for version := 1; version <= 8; version++ {
			type write struct {
				key, value []byte
				remove     bool
			}
			writes := make([]write, 200+rng.Intn(1500))
			for i := range writes {
				writes[i] = write{key: fmt.Appendf(nil, "k%06d", rng.Intn(20_000)), value: fmt.Appendf(nil, "v%d-%d", version, i)}
			}
			slices.SortFunc(writes, func(a, b write) int { return bytes.Compare(a.key, b.key) })
			breaks := version > 2 && rng.Intn(3) == 0
			if breaks {
				// A removal, and a write below the frontier, among them.
				writes[len(writes)/2].remove = true
				writes = append(writes, write{key: []byte("k000000"), value: []byte("late")})
			}
			every := 1 + rng.Intn(64)
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
			want, got := plain.WorkingHash(), behind.WorkingHash()
			if !bytes.Equal(got, want) {
				t.Fatalf("seed %d version %d (removal and late write: %v): working hash %X, serial %X", seed, version, breaks, got, want)
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
				t.Fatalf("seed %d version %d: saved hash %X, serial %X", seed, version, gotSaved, wantSaved)
			}
		}
		if started == 0 {
			t.Fatalf("seed %d: HashBehind never had a subtree to hash; the test means to exercise it", seed)
		}
	}
}
