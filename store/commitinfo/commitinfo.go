package commitinfo

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cometbft/cometbft/crypto/merkle"
	ics23 "github.com/cosmos/ics23/go"
)

// StoreRoot is the committed root hash of one named store.
type StoreRoot struct {
	Name string
	Hash []byte
}

var (
	// ErrInvalidRoots reports a set of store roots that has an empty or
	// duplicate store name, or (for ProveStore) an empty root hash.
	ErrInvalidRoots = errors.New("commitinfo: invalid store roots")
	// ErrUnknownStore reports a store name that is not in the set of roots.
	ErrUnknownStore = errors.New("commitinfo: unknown store")
)

// AppHash returns the app hash over roots. The result is the same as the
// Cosmos SDK's CommitInfo.Hash() for stores with these names and commit
// hashes. The order of roots does not matter, and roots is not modified.
// AppHash returns nil when roots is empty, as the SDK does.
//
// AppHash panics if a store name is empty or used twice. Either case is a
// programming error in the caller's store list. Use ProveStore to get these
// cases back as an error.
func AppHash(roots []StoreRoot) []byte {
	if len(roots) == 0 {
		return nil
	}
	leaves, err := leafBytes(sortedRoots(roots))
	if err != nil {
		panic(err)
	}
	return merkle.HashFromByteSlices(leaves)
}

// ProveStore returns an ICS23 existence proof of (key = name,
// value = that store's root hash) against AppHash(roots). The proof verifies
// with ics23.VerifyMembership(ics23.TendermintSpec, ...). It is built exactly
// as the Cosmos SDK builds it, from the CometBFT simple Merkle proof. Wrap
// the result with SimpleProofOp to get the second op of a store proof.
//
// ProveStore returns an error wrapping ErrInvalidRoots when a name is empty
// or used twice, or when the store's root hash is empty (ICS23 cannot prove
// an empty value). It returns an error wrapping ErrUnknownStore when name is
// not in roots.
func ProveStore(roots []StoreRoot, name string) (*ics23.CommitmentProof, error) {
	sorted := sortedRoots(roots)
	leaves, err := leafBytes(sorted)
	if err != nil {
		return nil, err
	}
	idx := slices.IndexFunc(sorted, func(r StoreRoot) bool { return r.Name == name })
	if idx < 0 {
		return nil, fmt.Errorf("%w: %q", ErrUnknownStore, name)
	}
	if len(sorted[idx].Hash) == 0 {
		return nil, fmt.Errorf("%w: store %q has an empty root hash", ErrInvalidRoots, name)
	}

	_, proofs := merkle.ProofsFromByteSlices(leaves)
	p := proofs[idx]
	path := innerOps(p.Index, p.Total, p.Aunts)
	return &ics23.CommitmentProof{
		Proof: &ics23.CommitmentProof_Exist{Exist: &ics23.ExistenceProof{
			Key:   []byte(name),
			Value: slices.Clone(sorted[idx].Hash),
			Leaf: &ics23.LeafOp{
				Hash:         ics23.HashOp_SHA256,
				PrehashKey:   ics23.HashOp_NO_HASH,
				PrehashValue: ics23.HashOp_SHA256,
				Length:       ics23.LengthOp_VAR_PROTO,
				Prefix:       []byte{0},
			},
			Path: path,
		}},
	}, nil
}

// sortedRoots returns a copy of roots sorted by name.
func sortedRoots(roots []StoreRoot) []StoreRoot {
	sorted := slices.Clone(roots)
	slices.SortFunc(sorted, func(a, b StoreRoot) int { return strings.Compare(a.Name, b.Name) })
	return sorted
}

// leafBytes returns the SDK's KVPair encoding of each root, which must be
// sorted by name:
//
//	uvarint(len(name)) || name || uvarint(32) || sha256(hash)
func leafBytes(sorted []StoreRoot) ([][]byte, error) {
	leaves := make([][]byte, len(sorted))
	for i, r := range sorted {
		if r.Name == "" {
			return nil, fmt.Errorf("%w: empty store name", ErrInvalidRoots)
		}
		if i > 0 && sorted[i-1].Name == r.Name {
			return nil, fmt.Errorf("%w: duplicate store name %q", ErrInvalidRoots, r.Name)
		}
		h := sha256.Sum256(r.Hash)
		b := binary.AppendUvarint(nil, uint64(len(r.Name)))
		b = append(b, r.Name...)
		b = binary.AppendUvarint(b, uint64(len(h)))
		leaves[i] = append(b, h[:]...)
	}
	return leaves, nil
}

// innerOps converts the aunts of a CometBFT simple Merkle proof for leaf
// index of total into ICS23 inner ops, from the leaf up to the root. Each step
// hashes 0x01 || left || right. When the proven node is on the left, the
// aunt becomes the suffix. When it is on the right, the aunt goes after 0x01
// in the prefix. The SDK's proofs.convertInnerOps does the same.
func innerOps(index, total int64, aunts [][]byte) []*ics23.InnerOp {
	ops := make([]*ics23.InnerOp, len(aunts))
	// aunts[0] is the leaf's sibling and aunts[len-1] the root's child, the
	// same order as ICS23's path, so walk it from the root down.
	for d := len(aunts) - 1; d >= 0; d-- {
		split := splitPoint(total)
		op := &ics23.InnerOp{Hash: ics23.HashOp_SHA256}
		if index < split {
			op.Prefix, op.Suffix = []byte{1}, aunts[d]
			total = split
		} else {
			op.Prefix = append([]byte{1}, aunts[d]...)
			index, total = index-split, total-split
		}
		ops[d] = op
	}
	return ops
}

// splitPoint returns the largest power of two less than n (n >= 2), the same
// split that CometBFT's simple Merkle tree uses.
func splitPoint(n int64) int64 {
	k := int64(1)
	for k*2 < n {
		k *= 2
	}
	return k
}
