package commitinfo

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cometbft/cometbft/crypto/merkle"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	"github.com/cosmos/iavl"
	dbm "github.com/cosmos/iavl/db"
	ics23 "github.com/cosmos/ics23/go"
)

// fixture is a saved IAVL store "bank" next to a second store "wallet".
type fixture struct {
	tree    *iavl.ImmutableTree
	roots   []StoreRoot
	appHash []byte
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	mt := iavl.NewMutableTree(dbm.NewMemDB(), 100, true, iavl.NewNopLogger())
	for _, k := range []string{"alice", "bob", "dave", "erin"} {
		if _, err := mt.Set([]byte(k), []byte("v-"+k)); err != nil {
			t.Fatal(err)
		}
	}
	_, version, err := mt.SaveVersion()
	if err != nil {
		t.Fatal(err)
	}
	tree, err := mt.GetImmutable(version)
	if err != nil {
		t.Fatal(err)
	}
	roots := []StoreRoot{{Name: "wallet", Hash: sum([]byte("other"))}, {Name: "bank", Hash: tree.Hash()}}
	return fixture{tree: tree, roots: roots, appHash: AppHash(roots)}
}

// ops returns [iavl op, simple op] for key in store, proving membership or
// (if absent) non-membership.
func (f fixture) ops(t testing.TB, store, key string, absent bool) []cmtcrypto.ProofOp {
	t.Helper()
	get := f.tree.GetMembershipProof
	if absent {
		get = f.tree.GetNonMembershipProof
	}
	iavlProof, err := get([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	iavlOp, err := IAVLProofOp([]byte(key), iavlProof)
	if err != nil {
		t.Fatal(err)
	}
	storeProof, err := ProveStore(f.roots, store)
	if err != nil {
		t.Fatal(err)
	}
	simpleOp, err := SimpleProofOp(store, storeProof)
	if err != nil {
		t.Fatal(err)
	}
	return []cmtcrypto.ProofOp{iavlOp, simpleOp}
}

func TestVerifyEndToEnd(t *testing.T) {
	f := newFixture(t)
	for _, k := range []string{"alice", "bob", "dave", "erin"} {
		if err := VerifyValue(f.appHash, "bank", []byte(k), []byte("v-"+k), f.ops(t, "bank", k, false)); err != nil {
			t.Errorf("VerifyValue(%s): %v", k, err)
		}
	}
	// Before the first key, between keys, after the last key.
	for _, k := range []string{"0", "carol", "zed"} {
		if err := VerifyAbsence(f.appHash, "bank", []byte(k), f.ops(t, "bank", k, true)); err != nil {
			t.Errorf("VerifyAbsence(%s): %v", k, err)
		}
	}
}

func TestVerifyFailures(t *testing.T) {
	f := newFixture(t)
	key, value := []byte("alice"), []byte("v-alice")
	good := func() []cmtcrypto.ProofOp { return f.ops(t, "bank", "alice", false) }
	absent := func() []cmtcrypto.ProofOp { return f.ops(t, "bank", "carol", true) }
	verify := func(ops []cmtcrypto.ProofOp) error { return VerifyValue(f.appHash, "bank", key, value, ops) }

	tamperedIAVL := good()
	{
		p, err := decode(iavlStep, tamperedIAVL[0])
		if err != nil {
			t.Fatal(err)
		}
		// Flip a bit of a sibling hash: the proof stays well formed but
		// proves another store root.
		op := p.GetExist().Path[0]
		if len(op.Suffix) > 0 {
			op.Suffix[len(op.Suffix)-1] ^= 1
		} else {
			op.Prefix[len(op.Prefix)-1] ^= 1
		}
		if tamperedIAVL[0], err = IAVLProofOp(key, p); err != nil {
			t.Fatal(err)
		}
	}
	walletProof, err := ProveStore(f.roots, "wallet")
	if err != nil {
		t.Fatal(err)
	}
	otherStore := good()
	if otherStore[1], err = SimpleProofOp("bank", walletProof); err != nil {
		t.Fatal(err)
	}
	absentAsBob := absent()
	absentAsBob[0].Key = []byte("bob")

	tests := []struct {
		name string
		err  error
		want error
		step string // text the error must contain
	}{
		{"wrong value", VerifyValue(f.appHash, "bank", key, []byte("v-bob"), good()), ErrProofMismatch, "op 0 (ics23:iavl): proof mismatch: proven value"},
		{"wrong key", VerifyValue(f.appHash, "bank", []byte("bob"), []byte("v-bob"), good()), ErrProofMismatch, "op 0 (ics23:iavl): proof mismatch: key"},
		{"wrong store name", VerifyValue(f.appHash, "wallet", key, value, good()), ErrProofMismatch, "op 1 (ics23:simple): proof mismatch: key"},
		{"tampered app hash", VerifyValue(sum(f.appHash), "bank", key, value, good()), ErrProofMismatch, "op 1 (ics23:simple): proof mismatch: app hash"},
		{"tampered iavl proof", verify(tamperedIAVL), ErrProofMismatch, "op 1 (ics23:simple): proof mismatch: proven value"},
		{"proof of another store", verify(otherStore), ErrProofMismatch, "op 1 (ics23:simple): proof mismatch: proven key"},
		{"swapped op order", verify([]cmtcrypto.ProofOp{good()[1], good()[0]}), ErrProofMalformed, "op 0 (ics23:iavl): malformed proof: type"},
		{"missing op", verify(good()[:1]), ErrProofMalformed, "proof ops: malformed proof: expected 2 ops"},
		{"extra op", verify(append(good(), good()[1])), ErrProofMalformed, "proof ops: malformed proof: expected 2 ops"},
		{"garbage op data", verify([]cmtcrypto.ProofOp{{Type: ProofOpIAVL, Key: key, Data: []byte("garbage")}, good()[1]}), ErrProofMalformed, "op 0 (ics23:iavl): malformed proof: decode"},
		{"empty op data", verify([]cmtcrypto.ProofOp{{Type: ProofOpIAVL, Key: key}, good()[1]}), ErrProofMalformed, "op 0 (ics23:iavl): malformed proof: expected an existence proof"},
		{"garbage op type", verify([]cmtcrypto.ProofOp{good()[0], {Type: "garbage", Key: []byte("bank")}}), ErrProofMalformed, "op 1 (ics23:simple): malformed proof: type"},
		{"absence ops for a value", VerifyValue(f.appHash, "bank", []byte("carol"), value, absent()), ErrProofMalformed, "expected an existence proof"},
		{"membership ops for absence", VerifyAbsence(f.appHash, "bank", key, good()), ErrProofMalformed, "op 0 (ics23:iavl): malformed proof: expected a non-existence proof"},
		{"absence of wrong key", VerifyAbsence(f.appHash, "bank", []byte("bob"), absent()), ErrProofMismatch, "op 0 (ics23:iavl): proof mismatch: key"},
		{"absence of present key", VerifyAbsence(f.appHash, "bank", []byte("bob"), absentAsBob), ErrProofMismatch, "not after the left neighbour"},
		{"absence, wrong store", VerifyAbsence(f.appHash, "wallet", []byte("carol"), absent()), ErrProofMismatch, "op 1 (ics23:simple): proof mismatch: key"},
		{"absence, tampered app hash", VerifyAbsence(sum(f.appHash), "bank", []byte("carol"), absent()), ErrProofMismatch, "op 1 (ics23:simple): proof mismatch: app hash"},
	}
	for _, tc := range tests {
		if !errors.Is(tc.err, tc.want) || !strings.Contains(fmt.Sprint(tc.err), tc.step) {
			t.Errorf("%s: got %v, want %v containing %q", tc.name, tc.err, tc.want, tc.step)
		}
	}
}

// sdkOp does what the Cosmos SDK's storetypes.CommitmentOp does, so the ops
// can be checked with CometBFT's ProofRuntime as SDK clients check them.
type sdkOp struct {
	spec  *ics23.ProofSpec
	key   []byte
	proof *ics23.CommitmentProof
}

func (op sdkOp) GetKey() []byte             { return op.key }
func (op sdkOp) ProofOp() cmtcrypto.ProofOp { panic("unused") }
func (op sdkOp) Run(args [][]byte) ([][]byte, error) {
	root, err := op.proof.Calculate()
	if err != nil {
		return nil, err
	}
	switch {
	case len(args) == 0 && ics23.VerifyNonMembership(op.spec, root, op.proof, op.key):
	case len(args) == 1 && ics23.VerifyMembership(op.spec, root, op.proof, op.key, args[0]):
	default:
		return nil, errors.New("proof does not verify")
	}
	return [][]byte{root}, nil
}

func TestCometBFTProofRuntimeCompat(t *testing.T) {
	f := newFixture(t)
	prt := merkle.NewProofRuntime()
	for typ, spec := range map[string]*ics23.ProofSpec{ProofOpIAVL: ics23.IavlSpec, ProofOpSimple: ics23.TendermintSpec} {
		prt.RegisterOpDecoder(typ, func(pop cmtcrypto.ProofOp) (merkle.ProofOperator, error) {
			p := new(ics23.CommitmentProof)
			return sdkOp{spec: spec, key: pop.Key, proof: p}, p.Unmarshal(pop.Data)
		})
	}
	ops := &cmtcrypto.ProofOps{Ops: f.ops(t, "bank", "bob", false)}
	if err := prt.VerifyValue(ops, f.appHash, "/bank/bob", []byte("v-bob")); err != nil {
		t.Errorf("VerifyValue: %v", err)
	}
	if err := prt.VerifyValue(ops, f.appHash, "/bank/bob", []byte("v-alice")); err == nil {
		t.Error("VerifyValue accepted a wrong value")
	}
	ops = &cmtcrypto.ProofOps{Ops: f.ops(t, "bank", "carol", true)}
	if err := prt.VerifyAbsence(ops, f.appHash, "/bank/carol"); err != nil {
		t.Errorf("VerifyAbsence: %v", err)
	}
}
