package commitinfo

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	ics23 "github.com/cosmos/ics23/go"
)

// ProofOp types. They match the Cosmos SDK's ProofOpIAVLCommitment and
// ProofOpSimpleMerkleCommitment.
const (
	ProofOpIAVL   = "ics23:iavl"
	ProofOpSimple = "ics23:simple"
)

var (
	// ErrProofMalformed reports proof ops that are missing, in the wrong
	// order, of the wrong type, undecodable, or not in the form that their
	// ICS23 spec requires.
	ErrProofMalformed = errors.New("malformed proof")
	// ErrProofMismatch reports well-formed proof ops that prove something
	// other than what was asked: another key, value, store or app hash.
	ErrProofMismatch = errors.New("proof mismatch")
)

// IAVLProofOp wraps an ICS23 proof from an IAVL store (from
// ImmutableTree.GetMembershipProof or GetNonMembershipProof) as the first op
// of a store proof. The op has Type ProofOpIAVL, Key = key and
// Data = proto-encoded proof.
func IAVLProofOp(key []byte, proof *ics23.CommitmentProof) (cmtcrypto.ProofOp, error) {
	return proofOp(ProofOpIAVL, key, proof)
}

// SimpleProofOp wraps a proof from ProveStore as the second op of a store
// proof. The op has Type ProofOpSimple, Key = storeName and
// Data = proto-encoded proof.
func SimpleProofOp(storeName string, proof *ics23.CommitmentProof) (cmtcrypto.ProofOp, error) {
	return proofOp(ProofOpSimple, []byte(storeName), proof)
}

func proofOp(typ string, key []byte, proof *ics23.CommitmentProof) (cmtcrypto.ProofOp, error) {
	if proof == nil {
		return cmtcrypto.ProofOp{}, fmt.Errorf("commitinfo: %s op: %w: nil proof", typ, ErrProofMalformed)
	}
	data, err := proof.Marshal()
	if err != nil {
		return cmtcrypto.ProofOp{}, fmt.Errorf("commitinfo: %s op: encode proof: %w", typ, err)
	}
	return cmtcrypto.ProofOp{Type: typ, Key: slices.Clone(key), Data: data}, nil
}

// VerifyValue checks that ops prove key = value in store storeName under
// appHash. The ops must be [IAVLProofOp(key, membership proof),
// SimpleProofOp(storeName, ProveStore proof)].
//
// appHash must come from a trusted header. For state committed at height H,
// that is the header at height H+1. The first op's proof is checked with
// ics23.VerifyMembership against ics23.IavlSpec, using the store root that it
// computes itself. The second op must then prove that store root under
// storeName to ics23.TendermintSpec, and the result must be appHash.
//
// VerifyValue returns nil on success. Otherwise it returns an error wrapping
// ErrProofMalformed or ErrProofMismatch that names the op that failed.
func VerifyValue(appHash []byte, storeName string, key, value []byte, ops []cmtcrypto.ProofOp) error {
	if err := checkOps(ops, key, storeName); err != nil {
		return err
	}
	root, err := verifyExistence(iavlStep, ops[0], ics23.IavlSpec, key, value)
	if err != nil {
		return err
	}
	return verifyStore(appHash, storeName, root, ops[1])
}

// VerifyAbsence checks that ops prove that key is not in store storeName
// under appHash. The ops must be [IAVLProofOp(key, non-membership proof),
// SimpleProofOp(storeName, ProveStore proof)].
//
// The store root comes from the neighbour existence proofs in the first op's
// non-existence proof. That proof is checked with ics23.VerifyNonMembership
// against ics23.IavlSpec. The second op is checked as in VerifyValue, and the
// errors are the same kind.
func VerifyAbsence(appHash []byte, storeName string, key []byte, ops []cmtcrypto.ProofOp) error {
	if err := checkOps(ops, key, storeName); err != nil {
		return err
	}
	proof, err := decode(iavlStep, ops[0])
	if err != nil {
		return err
	}
	np := proof.GetNonexist()
	if np == nil {
		return iavlStep.malformed("expected a non-existence proof")
	}
	if np.Left != nil && bytes.Compare(np.Left.Key, key) >= 0 {
		return iavlStep.mismatch("key %q is not after the left neighbour %q", key, np.Left.Key)
	}
	if np.Right != nil && bytes.Compare(key, np.Right.Key) >= 0 {
		return iavlStep.mismatch("key %q is not before the right neighbour %q", key, np.Right.Key)
	}
	root, err := proof.Calculate()
	if err != nil {
		return iavlStep.malformed("calculate root: %v", err)
	}
	if !ics23.VerifyNonMembership(ics23.IavlSpec, root, proof, key) {
		return iavlStep.malformed("rejected by ics23.VerifyNonMembership (neighbours are invalid, disagree on the root, or are not adjacent)")
	}
	return verifyStore(appHash, storeName, root, ops[1])
}

// step names a verification step in errors.
type step string

const (
	opsStep    step = "proof ops"
	iavlStep   step = "op 0 (" + ProofOpIAVL + ")"
	simpleStep step = "op 1 (" + ProofOpSimple + ")"
)

func (s step) malformed(format string, args ...any) error {
	return fmt.Errorf("commitinfo: %s: %w: %s", s, ErrProofMalformed, fmt.Sprintf(format, args...))
}

func (s step) mismatch(format string, args ...any) error {
	return fmt.Errorf("commitinfo: %s: %w: %s", s, ErrProofMismatch, fmt.Sprintf(format, args...))
}

// checkOps checks the number, order, types and keys of the two ops.
func checkOps(ops []cmtcrypto.ProofOp, key []byte, storeName string) error {
	if len(ops) != 2 {
		return opsStep.malformed("expected 2 ops [%s, %s], got %d", ProofOpIAVL, ProofOpSimple, len(ops))
	}
	want := []struct {
		step step
		typ  string
		key  []byte
	}{
		{iavlStep, ProofOpIAVL, key},
		{simpleStep, ProofOpSimple, []byte(storeName)},
	}
	for i, w := range want {
		if ops[i].Type != w.typ {
			return w.step.malformed("type: expected %q, got %q", w.typ, ops[i].Type)
		}
		if !bytes.Equal(ops[i].Key, w.key) {
			return w.step.mismatch("key: expected %q, got %q", w.key, ops[i].Key)
		}
	}
	return nil
}

func decode(s step, op cmtcrypto.ProofOp) (*ics23.CommitmentProof, error) {
	proof := new(ics23.CommitmentProof)
	if err := proof.Unmarshal(op.Data); err != nil {
		return nil, s.malformed("decode: %v", err)
	}
	return proof, nil
}

// verifyExistence checks that op holds an existence proof of key = value
// that conforms to spec, and returns the root it proves.
func verifyExistence(s step, op cmtcrypto.ProofOp, spec *ics23.ProofSpec, key, value []byte) ([]byte, error) {
	proof, err := decode(s, op)
	if err != nil {
		return nil, err
	}
	ep := proof.GetExist()
	if ep == nil {
		return nil, s.malformed("expected an existence proof")
	}
	if !bytes.Equal(ep.Key, key) {
		return nil, s.mismatch("proven key: expected %q, got %q", key, ep.Key)
	}
	if !bytes.Equal(ep.Value, value) {
		return nil, s.mismatch("proven value: expected %X, got %X", value, ep.Value)
	}
	if err := ep.CheckAgainstSpec(spec); err != nil {
		return nil, s.malformed("spec: %v", err)
	}
	root, err := ep.Calculate()
	if err != nil {
		return nil, s.malformed("calculate root: %v", err)
	}
	if !ics23.VerifyMembership(spec, root, proof, key, value) {
		return nil, s.malformed("rejected by ics23.VerifyMembership")
	}
	return root, nil
}

// verifyStore checks that op proves storeName = storeRoot under appHash.
func verifyStore(appHash []byte, storeName string, storeRoot []byte, op cmtcrypto.ProofOp) error {
	got, err := verifyExistence(simpleStep, op, ics23.TendermintSpec, []byte(storeName), storeRoot)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, appHash) {
		return simpleStep.mismatch("app hash: expected %X, got %X", appHash, got)
	}
	return nil
}
