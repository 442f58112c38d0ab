package auth

import (
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"google.golang.org/protobuf/proto"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"

	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
)

var testDomain = Domain{ChainID: "ledgerd-test", NumericID: 4242}

func testBodies(signer []byte) map[string]*authv1.TxBody {
	to := make([]byte, 20)
	to[19] = 7
	kyc := make([]byte, 32)
	kyc[0] = 0xab
	envelope := func(msg proto.Message) *authv1.TxBody {
		b := &authv1.TxBody{ChainId: testDomain.ChainID, Signer: signer, Nonce: 3, ValidUntilHeight: 1000}
		if err := SetMsg(b, msg); err != nil {
			panic(err)
		}
		return b
	}
	return map[string]*authv1.TxBody{
		"OpenWallet": envelope(&walletv1.MsgOpenWallet{Owner: to, KycHash: kyc, Tier: 2}),
		"Deposit":    envelope(&walletv1.MsgDeposit{Wallet: to, Denom: "CNY", Amount: 10_000_00, Reference: "FIAT-1"}),
		"Transfer":   envelope(&walletv1.MsgTransfer{To: to, Denom: "CNY", Amount: 1<<63 + 5, Memo: "lunch 午饭"}),
		"Redeem":     envelope(&walletv1.MsgRedeem{Denom: "CNY", Amount: 500, PayoutReference: "acct-token-9"}),
		"BatchTransfer": envelope(&walletv1.MsgBatchTransfer{Denom: "CNY", Memo: "payroll", Legs: []*walletv1.BatchLeg{
			{To: to, Amount: 1}, {To: kyc[:20], Amount: 1 << 40}}}),
		"BatchTransfer empty": envelope(&walletv1.MsgBatchTransfer{Denom: "CNY"}),
		"Freeze":              envelope(&walletv1.MsgFreeze{Wallet: to, Kind: walletv1.FreezeKind_FREEZE_KIND_DEBIT, LegalBasis: "court 2026-17", Expires: 1_800_000_000}),
		"Freeze negative":     envelope(&walletv1.MsgFreeze{Wallet: to, Kind: 1, Expires: -5}),
		"Release":             envelope(&walletv1.MsgRelease{Wallet: to, OrderId: 3, Reason: "order lifted"}),
		"SetTier":             envelope(&walletv1.MsgSetTier{Wallet: to, Tier: 3, KycHash: kyc}),
		"SetLimits":           envelope(&walletv1.MsgSetLimits{Wallet: to, Denom: "CNY", Limits: &walletv1.Limits{PaymentLimit: 100, DailyOutflowLimit: 300}}),
		"CloseWallet":         envelope(&walletv1.MsgCloseWallet{Wallet: to}),
		"SubmitProposal": envelope(&govv1.MsgSubmitProposal{Title: "Admit bank-5", Description: "agreement of 2026-11-01",
			DocumentHash: kyc, VotingEnd: 1_800_000_000, Action: &govv1.Action{Kind: &govv1.Action_SetValidator{
				SetValidator: &govv1.SetValidator{MemberId: "bank-5", PubKey: kyc, Power: 10}}}}),
		"Vote": envelope(&govv1.MsgVote{ProposalId: 7, Option: govv1.VoteOption_VOTE_OPTION_ABSTAIN}),
	}
}

// TestDigestMatchesGoEthereum checks the hand-written EIP-712 hashing against
// go-ethereum's reference implementation (what MetaMask's
// eth_signTypedData_v4 computes), for every message kind.
func TestDigestMatchesGoEthereum(t *testing.T) {
	key, _ := crypto.GenerateKey()
	signer := crypto.PubkeyToAddress(key.PublicKey).Bytes()
	for name, body := range testBodies(signer) {
		t.Run(name, func(t *testing.T) {
			td, err := NewTypedData(testDomain, body)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := td.JSON()
			if err != nil {
				t.Fatal(err)
			}
			var ref apitypes.TypedData
			if err := json.Unmarshal(raw, &ref); err != nil {
				t.Fatal(err)
			}
			want, _, err := apitypes.TypedDataAndHash(ref)
			if err != nil {
				t.Fatalf("go-ethereum rejects our typed data: %v\n%s", err, raw)
			}
			got, err := SigningDigest(testDomain, body)
			if err != nil {
				t.Fatal(err)
			}
			if string(got[:]) != string(want) {
				t.Fatalf("digest %x, go-ethereum says %x", got, want)
			}
		})
	}
}

func TestDomainBindsChain(t *testing.T) {
	key, _ := crypto.GenerateKey()
	body := testBodies(crypto.PubkeyToAddress(key.PublicKey).Bytes())["Transfer"]
	base, _ := SigningDigest(testDomain, body)
	for _, d := range []Domain{
		{ChainID: "ledgerd-other", NumericID: testDomain.NumericID},
		{ChainID: testDomain.ChainID, NumericID: testDomain.NumericID + 1},
	} {
		other, _ := SigningDigest(d, body)
		if other == base {
			t.Errorf("domain %+v gives the same digest as %+v", d, testDomain)
		}
	}
}

func TestRecover(t *testing.T) {
	key, _ := crypto.GenerateKey()
	addr := crypto.PubkeyToAddress(key.PublicKey)
	s := NewSigner(testDomain)
	body := testBodies(addr.Bytes())["Transfer"]

	for _, mode := range []authv1.SignMode{authv1.SignMode_SIGN_MODE_EIP712, authv1.SignMode_SIGN_MODE_EIP191} {
		tx, err := s.Sign(body, mode, key)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.Verify(tx); err != nil || got != addr {
			t.Fatalf("mode %v: Verify = %x, %v; want %x", mode, got, err, addr)
		}
	}

	good, _ := s.Sign(body, authv1.SignMode_SIGN_MODE_EIP712, key)
	mutate := func(f func(tx *authv1.Tx)) *authv1.Tx {
		c := &authv1.Tx{Body: good.Body, Signature: append([]byte(nil), good.Signature...), SignMode: good.SignMode}
		f(c)
		return c
	}
	highS := func(tx *authv1.Tx) {
		n := crypto.S256().Params().N
		sv := new(big.Int).SetBytes(tx.Signature[32:64])
		new(big.Int).Sub(n, sv).FillBytes(tx.Signature[32:64])
		tx.Signature[64] ^= 1
	}
	otherKey, _ := crypto.GenerateKey()
	otherSigned, _ := s.Sign(body, authv1.SignMode_SIGN_MODE_EIP712, otherKey)

	for _, tc := range []struct {
		name string
		tx   *authv1.Tx
		want error
	}{
		{"short", mutate(func(tx *authv1.Tx) { tx.Signature = tx.Signature[:64] }), ErrSigLength},
		{"v is 27", mutate(func(tx *authv1.Tx) { tx.Signature[64] += 27 }), ErrSigRecoveryID},
		{"high s", mutate(highS), ErrSigHighS},
		{"zero r", mutate(func(tx *authv1.Tx) { clear(tx.Signature[:32]) }), ErrSigInvalid},
		{"other mode", mutate(func(tx *authv1.Tx) { tx.SignMode = authv1.SignMode_SIGN_MODE_EIP191 }), ErrSignerMismatch},
		{"unknown mode", mutate(func(tx *authv1.Tx) { tx.SignMode = 9 }), ErrInvalidSignMode},
		{"other key", otherSigned, ErrSignerMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.Verify(tc.tx); !errors.Is(err, tc.want) {
				t.Fatalf("Verify error = %v, want %v", err, tc.want)
			}
		})
	}
}

// The high-s twin of a valid signature recovers the same key: accepting it
// would make transactions malleable. Check that it is rejected even though
// it is otherwise valid.
func TestHighSTwinIsValidOtherwise(t *testing.T) {
	key, _ := crypto.GenerateKey()
	s := NewSigner(testDomain)
	tx, _ := s.Sign(testBodies(crypto.PubkeyToAddress(key.PublicKey).Bytes())["Deposit"], 0, key)
	digest, _ := s.Digest(tx.Body, 0)
	sig := append([]byte(nil), tx.Signature...)
	n := crypto.S256().Params().N
	new(big.Int).Sub(n, new(big.Int).SetBytes(sig[32:64])).FillBytes(sig[32:64])
	sig[64] ^= 1
	pub, err := crypto.Ecrecover(digest[:], sig)
	if err != nil {
		t.Fatalf("twin does not recover: %v", err)
	}
	if crypto.PubkeyToAddress(key.PublicKey) != crypto.PubkeyToAddress(*mustUnmarshal(t, pub)) {
		t.Fatal("twin recovers another key")
	}
	if err := CheckSignatureValues(sig); !errors.Is(err, ErrSigHighS) {
		t.Fatalf("CheckSignatureValues(twin) = %v, want ErrSigHighS", err)
	}
}

func mustUnmarshal(t *testing.T, pub []byte) *ecdsa.PublicKey {
	k, err := crypto.UnmarshalPubkey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestSigners: one signature gives Verify's answer and no second signer;
// a second signature over the same body, in either sign mode, gives its
// key; the second signature gets the first's checks, with their codes, and
// may not be by the signer's own key.
func TestSigners(t *testing.T) {
	s := NewSigner(testDomain)
	key, _ := crypto.GenerateKey()
	token, _ := crypto.GenerateKey()
	body := testBodies(crypto.PubkeyToAddress(key.PublicKey).Bytes())["Transfer"]
	tx, err := s.Sign(body, authv1.SignMode_SIGN_MODE_EIP712, key)
	if err != nil {
		t.Fatal(err)
	}
	signer, second, err := s.Signers(tx)
	if err != nil || signer != crypto.PubkeyToAddress(key.PublicKey) || second != (common.Address{}) {
		t.Fatalf("one signature: %s %s %v", signer, second, err)
	}
	for _, mode := range []authv1.SignMode{authv1.SignMode_SIGN_MODE_EIP712, authv1.SignMode_SIGN_MODE_EIP191} {
		both, err := s.Cosign(tx, mode, token)
		if err != nil {
			t.Fatal(err)
		}
		signer, second, err := s.Signers(both)
		if err != nil || signer != crypto.PubkeyToAddress(key.PublicKey) || second != crypto.PubkeyToAddress(token.PublicKey) {
			t.Fatalf("mode %s: %s %s %v", mode, signer, second, err)
		}
		// The first signature alone still verifies: the body is the same.
		if _, err := s.Verify(both); err != nil {
			t.Fatal(err)
		}
	}
	both, _ := s.Cosign(tx, authv1.SignMode_SIGN_MODE_EIP712, token)
	self, _ := s.Cosign(tx, authv1.SignMode_SIGN_MODE_EIP712, key)
	short := proto.Clone(both).(*authv1.Tx)
	short.SecondSignature = short.SecondSignature[:64]
	badV := proto.Clone(both).(*authv1.Tx)
	badV.SecondSignature[64] = 27
	badMode := proto.Clone(both).(*authv1.Tx)
	badMode.SecondSignMode = 9
	modeAlone := proto.Clone(tx).(*authv1.Tx)
	modeAlone.SecondSignMode = authv1.SignMode_SIGN_MODE_EIP191
	wrongFirst := proto.Clone(both).(*authv1.Tx)
	wrongFirst.Signature = both.SecondSignature
	for name, c := range map[string]struct {
		tx   *authv1.Tx
		want error
	}{
		"second by the signer": {self, ErrSecondSignerIsSigner},
		"second too short":     {short, ErrSigLength},
		"second v 27":          {badV, ErrSigRecoveryID},
		"second mode unknown":  {badMode, ErrInvalidSignMode},
		"mode without second":  {modeAlone, ErrInvalidSignMode},
		"first by the token":   {wrongFirst, ErrSignerMismatch},
	} {
		if _, _, err := s.Signers(c.tx); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}

// CheckSignatureValues compares r and s as bytes: on the edges of their
// ranges it must agree with go-ethereum's check on big integers (low s).
func TestSignatureValuesAtTheirEdges(t *testing.T) {
	n := crypto.S256().Params().N
	half := new(big.Int).Rsh(n, 1)
	one := big.NewInt(1)
	max := new(big.Int).Sub(new(big.Int).Lsh(one, 256), one)
	values := []*big.Int{big.NewInt(0), one, big.NewInt(2), new(big.Int).Sub(half, one), half, new(big.Int).Add(half, one),
		new(big.Int).Sub(n, one), n, new(big.Int).Add(n, one), max}
	for _, r := range values {
		for _, s := range values {
			for _, v := range []byte{0, 1} {
				sig := make([]byte, SignatureLen)
				r.FillBytes(sig[:32])
				s.FillBytes(sig[32:64])
				sig[64] = v
				err := CheckSignatureValues(sig)
				if want := crypto.ValidateSignatureValues(v, r, s, true); (err == nil) != want {
					t.Errorf("r=%x s=%x: CheckSignatureValues = %v, go-ethereum says valid=%v", r, s, err, want)
				}
				if s.Cmp(half) > 0 && !errors.Is(err, ErrSigHighS) {
					t.Errorf("r=%x s=%x: CheckSignatureValues = %v, want ErrSigHighS", r, s, err)
				}
			}
		}
	}
}
