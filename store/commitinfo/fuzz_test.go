package commitinfo

import (
	"bytes"
	"errors"
	"testing"

	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
)

// FuzzVerify feeds proof ops of any bytes to VerifyValue and VerifyAbsence
// against the fixture's app hash. Neither may panic; every refusal wraps
// ErrProofMalformed or ErrProofMismatch; and neither may be fooled: a
// value it accepts is the value the store holds, an absence it accepts is
// a key the store does not hold. The seeds are genuine proofs, so the
// fuzzer starts from ops that verify and mutates them.
func FuzzVerify(f *testing.F) {
	fix := newFixture(f)
	seed := func(key string, absent bool, value string) {
		ops := fix.ops(f, "bank", key, absent)
		f.Add([]byte(key), []byte(value), ops[0].Data, []byte("bank"), ops[1].Data, absent)
	}
	seed("alice", false, "v-alice")
	seed("erin", false, "v-erin")
	seed("carol", true, "")
	seed("0", true, "")
	seed("zed", true, "")

	f.Fuzz(func(t *testing.T, key, value, iavlData, storeName, simpleData []byte, absent bool) {
		ops := []cmtcrypto.ProofOp{
			{Type: ProofOpIAVL, Key: key, Data: iavlData},
			{Type: ProofOpSimple, Key: storeName, Data: simpleData},
		}
		held, err := fix.tree.Get(key)
		if err != nil {
			t.Fatal(err)
		}
		if absent {
			err = VerifyAbsence(fix.appHash, string(storeName), key, ops)
			if err == nil && (held != nil || string(storeName) != "bank") {
				t.Fatalf("accepted the absence of %q from store %q, which holds %q", key, storeName, held)
			}
		} else {
			err = VerifyValue(fix.appHash, string(storeName), key, value, ops)
			if err == nil && (!bytes.Equal(held, value) || held == nil || string(storeName) != "bank") {
				t.Fatalf("accepted %q = %q in store %q, which holds %q", key, value, storeName, held)
			}
		}
		if err != nil && !errors.Is(err, ErrProofMalformed) && !errors.Is(err, ErrProofMismatch) {
			t.Fatalf("refusal of neither kind: %v", err)
		}
	})
}
