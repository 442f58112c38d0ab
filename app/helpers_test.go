package app_test

import (
	"crypto/ecdsa"
	"math/big"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/crypto"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/app/apptest"
	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// ok is the zero (codespace, code) of a success.
var ok = &errcode.Error{}

// wantExec fails unless r carries want's codespace and code.
func wantExec(t *testing.T, r *abci.ExecTxResult, want *errcode.Error) {
	t.Helper()
	if r.Codespace != want.Codespace || r.Code != want.Code {
		t.Fatalf("ExecTxResult = (%q, %d) %q, want (%q, %d) %s", r.Codespace, r.Code, r.Log, want.Codespace, want.Code, want.Desc)
	}
}

// wantCheck fails unless r carries want's codespace and code.
func wantCheck(t *testing.T, r *abci.ResponseCheckTx, want *errcode.Error) {
	t.Helper()
	if r.Codespace != want.Codespace || r.Code != want.Code {
		t.Fatalf("CheckTx = (%q, %d) %q, want (%q, %d) %s", r.Codespace, r.Code, r.Log, want.Codespace, want.Code, want.Desc)
	}
}

// wantQuery fails unless r carries want's codespace and code.
func wantQuery(t *testing.T, r *abci.ResponseQuery, want *errcode.Error) {
	t.Helper()
	if r.Codespace != want.Codespace || r.Code != want.Code {
		t.Fatalf("Query = (%q, %d) %q, want (%q, %d) %s", r.Codespace, r.Code, r.Log, want.Codespace, want.Code, want.Desc)
	}
}

// mustOK fails unless every result succeeded.
func mustOK(t *testing.T, rs []*abci.ExecTxResult) {
	t.Helper()
	for i, r := range rs {
		if r.Code != 0 {
			t.Fatalf("tx %d: (%q, %d) %s", i, r.Codespace, r.Code, r.Log)
		}
	}
}

// Encodings that decode to the same Tx as a canonical encoding but differ
// from it: the pipeline must reject every one of them as non-canonical.

func marshal(t testing.TB, m proto.Message) []byte {
	t.Helper()
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withUnknownField appends field 99 (varint 1) to the canonical encoding.
func withUnknownField(t testing.TB, tx *authv1.Tx) []byte {
	b := marshal(t, tx)
	b = protowire.AppendTag(b, 99, protowire.VarintType)
	return protowire.AppendVarint(b, 1)
}

// withFieldTwice appends the signature field a second time (same value:
// the decoder keeps the last).
func withFieldTwice(t testing.TB, tx *authv1.Tx) []byte {
	b := marshal(t, tx)
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	return protowire.AppendBytes(b, tx.Signature)
}

// withFieldsOutOfOrder puts the signature before the body.
func withFieldsOutOfOrder(t testing.TB, tx *authv1.Tx) []byte {
	var b []byte
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	b = protowire.AppendBytes(b, tx.Signature)
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendBytes(b, marshal(t, tx.Body))
	if tx.SignMode != 0 {
		t.Fatal("withFieldsOutOfOrder: only for sign mode 0")
	}
	return b
}

// withExplicitDefault encodes sign_mode = 0, which canonical proto3 omits.
func withExplicitDefault(t testing.TB, tx *authv1.Tx) []byte {
	if tx.SignMode != 0 {
		t.Fatal("withExplicitDefault: only for sign mode 0")
	}
	b := marshal(t, tx)
	b = protowire.AppendTag(b, 3, protowire.VarintType)
	return protowire.AppendVarint(b, 0)
}

// withNonMinimalVarint encodes the body's valid_until_height with one
// redundant continuation byte. Only the body's fields 1-4 and a transfer
// are supported.
func withNonMinimalVarint(t testing.TB, tx *authv1.Tx) []byte {
	t.Helper()
	body := tx.Body
	tr := body.GetTransfer()
	if tr == nil || body.ChainId == "" || body.Nonce == 0 || body.ValidUntilHeight == 0 {
		t.Fatal("withNonMinimalVarint: want a transfer with every envelope field set")
	}
	encode := func(validUntil []byte) []byte {
		var b []byte
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendString(b, body.ChainId)
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendBytes(b, body.Signer)
		b = protowire.AppendTag(b, 3, protowire.VarintType)
		b = protowire.AppendVarint(b, body.Nonce)
		b = protowire.AppendTag(b, 4, protowire.VarintType)
		b = append(b, validUntil...)
		b = protowire.AppendTag(b, 12, protowire.BytesType)
		return protowire.AppendBytes(b, marshal(t, tr))
	}
	minimal := protowire.AppendVarint(nil, body.ValidUntilHeight)
	if string(encode(minimal)) != string(marshal(t, body)) {
		t.Fatal("withNonMinimalVarint: hand encoding of the body is not canonical")
	}
	padded := append([]byte(nil), minimal...)
	padded[len(padded)-1] |= 0x80
	padded = append(padded, 0)
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendBytes(b, encode(padded))
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	return protowire.AppendBytes(b, tx.Signature)
}

// sameTx fails unless raw decodes to a Tx equal to tx: the non-canonical
// encodings carry the same, validly signed, transaction.
func sameTx(t testing.TB, raw []byte, tx *authv1.Tx) {
	t.Helper()
	got := new(authv1.Tx)
	if err := proto.Unmarshal(raw, got); err != nil {
		t.Fatal(err)
	}
	got.ProtoReflect().SetUnknown(nil)
	if !proto.Equal(got, tx) {
		t.Fatalf("encoding decodes to %v, want %v", got, tx)
	}
}

// highS returns tx with its signature replaced by the malleated twin
// (n - s, v flipped), which recovers the same key.
func highS(tx *authv1.Tx) *authv1.Tx {
	c := proto.Clone(tx).(*authv1.Tx)
	n := crypto.S256().Params().N
	s := new(big.Int).SetBytes(c.Signature[32:64])
	new(big.Int).Sub(n, s).FillBytes(c.Signature[32:64])
	c.Signature[64] ^= 1
	return c
}

// withSig returns tx with its signature changed by f.
func withSig(tx *authv1.Tx, f func(sig []byte) []byte) *authv1.Tx {
	c := proto.Clone(tx).(*authv1.Tx)
	c.Signature = f(c.Signature)
	return c
}

func addr(k *ecdsa.PrivateKey) []byte { return apptest.Address(k).Bytes() }
