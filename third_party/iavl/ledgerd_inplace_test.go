package iavl

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand"
	"testing"

	dbm "github.com/cosmos/iavl/db"
)

// ledgerd's patch: clone changes an unsaved node in place instead of
// copying it. The trees it builds must be exactly upstream's: same working
// hashes, same saved versions, node for node.

// randomOps applies the same pseudo-random writes, removals, working
// hashes and saves to a tree and returns the hash after each step.
func randomOps(t *testing.T, copying bool, seed int64) []byte {
	t.Helper()
	copyUnsaved = copying
	defer func() { copyUnsaved = false }()
	tree := NewMutableTree(dbm.NewMemDB(), 0, true, NewNopLogger())
	r := rand.New(rand.NewSource(seed))
	var trace bytes.Buffer
	key := func() []byte { return binary.BigEndian.AppendUint32(nil, uint32(r.Intn(3000))) }
	for step := 0; step < 6000; step++ {
		switch op := r.Intn(100); {
		case op < 70:
			if _, err := tree.Set(key(), []byte(fmt.Sprint(step))); err != nil {
				t.Fatal(err)
			}
		case op < 90:
			if _, _, err := tree.Remove(key()); err != nil {
				t.Fatal(err)
			}
		case op < 97:
			trace.Write(tree.WorkingHash())
		default:
			h, _, err := tree.SaveVersion()
			if err != nil {
				t.Fatal(err)
			}
			trace.Write(h)
		}
	}
	h, _, err := tree.SaveVersion()
	if err != nil {
		t.Fatal(err)
	}
	trace.Write(h)
	return trace.Bytes()
}

func TestChangingUnsavedNodesInPlaceBuildsUpstreamsTrees(t *testing.T) {
	for seed := int64(1); seed <= 5; seed++ {
		if got, want := randomOps(t, false, seed), randomOps(t, true, seed); !bytes.Equal(got, want) {
			t.Fatalf("seed %d: the hashes differ from upstream's copying clone", seed)
		}
	}
}

// A genesis-sized batch of insertions into an empty tree: in place, it
// allocates a node per record instead of a copy of every node on each
// insertion's path.
func TestInsertionsAllocateNoCopies(t *testing.T) {
	insert := func() {
		tree := NewMutableTree(dbm.NewMemDB(), 0, true, NewNopLogger())
		for i := 0; i < 1000; i++ {
			if _, err := tree.Set(binary.BigEndian.AppendUint32(nil, uint32(i*7919%1000)), []byte("v")); err != nil {
				t.Fatal(err)
			}
		}
	}
	inPlace := testing.AllocsPerRun(3, insert)
	copyUnsaved = true
	copying := testing.AllocsPerRun(3, insert)
	copyUnsaved = false
	if inPlace*2 > copying {
		t.Fatalf("1,000 insertions: %.0f allocations in place, %.0f copying; want less than half", inPlace, copying)
	}
	t.Logf("1,000 insertions: %.0f allocations in place, %.0f copying", inPlace, copying)
}
