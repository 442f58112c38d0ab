package commitinfo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cometbft/cometbft/crypto/merkle"
	ics23 "github.com/cosmos/ics23/go"
)

func sum(b []byte) []byte { h := sha256.Sum256(b); return h[:] }

// kvHand is the SDK KVPair encoding written out by hand for names shorter
// than 128 bytes (single-byte uvarint lengths).
func kvHand(name string, root []byte) []byte {
	b := append([]byte{byte(len(name))}, name...)
	return append(append(b, 32), sum(root)...)
}

// testRoots returns n stores, given in reverse name order.
func testRoots(n int) []StoreRoot {
	roots := make([]StoreRoot, n)
	for i := range n {
		name := fmt.Sprintf("store%d", n-1-i)
		roots[i] = StoreRoot{Name: name, Hash: sum([]byte(name))}
	}
	return roots
}

func TestAppHashMatchesCometBFTSimpleMerkle(t *testing.T) {
	for n := 1; n <= 7; n++ {
		roots := testRoots(n)
		orig := slices.Clone(roots)

		sorted := slices.Clone(roots)
		slices.SortFunc(sorted, func(a, b StoreRoot) int { return strings.Compare(a.Name, b.Name) })
		var kvs [][]byte
		for _, r := range sorted {
			kvs = append(kvs, kvHand(r.Name, r.Hash))
		}
		want := merkle.HashFromByteSlices(kvs)

		if got := AppHash(roots); !bytes.Equal(got, want) {
			t.Errorf("n=%d: AppHash = %X, want %X", n, got, want)
		}
		if got := AppHash(sorted); !bytes.Equal(got, want) {
			t.Errorf("n=%d: AppHash depends on input order", n)
		}
		if !slices.EqualFunc(roots, orig, func(a, b StoreRoot) bool { return a.Name == b.Name }) {
			t.Errorf("n=%d: AppHash reordered its input", n)
		}
	}
}

// goldenAppHash is AppHash({"consortium": sha256("a"), "wallet": sha256("b")}),
// cross-checked by the hand-built tree in TestAppHashGolden and by an
// independent Python computation (hashlib.sha256).
const goldenAppHash = "cbd059bec79297ee4bc644b3445105b25596c699aede68c4cd63916c0de1530a"

func TestAppHashGolden(t *testing.T) {
	roots := []StoreRoot{
		{Name: "wallet", Hash: sum([]byte("b"))},
		{Name: "consortium", Hash: sum([]byte("a"))},
	}
	leaf := func(name string, root []byte) []byte {
		// 0x00 || uvarint(len(name)) || name || uvarint(32) || sha256(root)
		b := append([]byte{0x00, byte(len(name))}, name...)
		b = append(append(b, 0x20), sum(root)...)
		return sum(b)
	}
	inner := func(l, r []byte) []byte { return sum(append(append([]byte{0x01}, l...), r...)) }
	byHand := inner(leaf("consortium", roots[1].Hash), leaf("wallet", roots[0].Hash))

	got := AppHash(roots)
	if !bytes.Equal(got, byHand) {
		t.Fatalf("AppHash = %X, hand-built tree = %X", got, byHand)
	}
	if hex.EncodeToString(got) != goldenAppHash {
		t.Fatalf("AppHash = %x, golden %s", got, goldenAppHash)
	}

	// A 200-byte name takes a two-byte uvarint length (0xC8 0x01).
	long := strings.Repeat("x", 200)
	b := append([]byte{0x00, 0xC8, 0x01}, long...)
	b = append(append(b, 0x20), sum([]byte("r"))...)
	if got, want := AppHash([]StoreRoot{{Name: long, Hash: []byte("r")}}), sum(b); !bytes.Equal(got, want) {
		t.Fatalf("long name: AppHash = %X, want %X", got, want)
	}
}

func TestAppHashEdgeCases(t *testing.T) {
	if got := AppHash(nil); got != nil {
		t.Errorf("AppHash(nil) = %X, want nil (as the SDK)", got)
	}
	// Root bytes are hashed as given, including an empty root.
	want := sum(append([]byte{0}, kvHand("s", nil)...))
	if got := AppHash([]StoreRoot{{Name: "s"}}); !bytes.Equal(got, want) {
		t.Errorf("empty root: AppHash = %X, want %X", got, want)
	}
	for name, roots := range map[string][]StoreRoot{
		"duplicate":  {{Name: "a", Hash: []byte{1}}, {Name: "a", Hash: []byte{2}}},
		"empty name": {{Name: "", Hash: []byte{1}}},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("%s: AppHash did not panic", name)
				}
			}()
			AppHash(roots)
		}()
		if _, err := ProveStore(roots, "a"); !errors.Is(err, ErrInvalidRoots) {
			t.Errorf("%s: ProveStore error = %v, want ErrInvalidRoots", name, err)
		}
	}
	if _, err := ProveStore(testRoots(3), "nope"); !errors.Is(err, ErrUnknownStore) {
		t.Errorf("unknown store: ProveStore error = %v, want ErrUnknownStore", err)
	}
	if _, err := ProveStore([]StoreRoot{{Name: "s"}}, "s"); !errors.Is(err, ErrInvalidRoots) {
		t.Errorf("empty root: ProveStore error = %v, want ErrInvalidRoots", err)
	}
}

func TestProveStoreVerifiesWithTendermintSpec(t *testing.T) {
	for n := 1; n <= 7; n++ {
		roots := testRoots(n)
		appHash := AppHash(roots)
		for _, r := range roots {
			proof, err := ProveStore(roots, r.Name)
			if err != nil {
				t.Fatalf("n=%d %s: %v", n, r.Name, err)
			}
			if !ics23.VerifyMembership(ics23.TendermintSpec, appHash, proof, []byte(r.Name), r.Hash) {
				t.Errorf("n=%d %s: proof does not verify", n, r.Name)
			}
			if ics23.VerifyMembership(ics23.TendermintSpec, appHash, proof, []byte(r.Name), sum(r.Hash)) {
				t.Errorf("n=%d %s: proof verifies a wrong root", n, r.Name)
			}
			// The proof must round-trip through its ProofOp encoding.
			op, err := SimpleProofOp(r.Name, proof)
			if err != nil {
				t.Fatal(err)
			}
			if root, err := verifyExistence(simpleStep, op, ics23.TendermintSpec, []byte(r.Name), r.Hash); err != nil || !bytes.Equal(root, appHash) {
				t.Errorf("n=%d %s: decoded op: root %X, err %v", n, r.Name, root, err)
			}
		}
	}
}
