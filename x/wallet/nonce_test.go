package wallet

import (
	"bytes"
	"math"
	"testing"

	"google.golang.org/protobuf/proto"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
)

// nonceTestWallets are records with a nonce on either side of the varint
// size steps and at the maximum, with and without the fields around the
// nonce's place, a key, a recovery (empty, too), and repeated fields with
// empty elements.
func nonceTestWallets() []*walletv1.Wallet {
	owner := bytes.Repeat([]byte{0xab}, 20)
	full := func(nonce uint64) *walletv1.Wallet {
		return &walletv1.Wallet{Owner: owner, Bank: "bank-a", Tier: 2, Status: walletv1.WalletStatus(1),
			KycHash: bytes.Repeat([]byte{1}, 32), Nonce: nonce,
			Balances:     []*walletv1.Coin{{Denom: "CNY", Amount: 5}, {Denom: "HKD"}},
			OpenedHeight: 7, OpenedTime: -3,
			Flows:        []*walletv1.Flow{{Denom: "CNY", Day: 20000, DayOutflow: 9, Year: -1}},
			Freezes:      []*walletv1.FreezeOrder{{Id: 1, Authority: "court"}},
			HistoryCount: 3, HistoryHead: bytes.Repeat([]byte{2}, 32),
			Payees: [][]byte{owner, {}}, SubWallets: 1, TouchDay: 20001}
	}
	var out []*walletv1.Wallet
	for _, n := range []uint64{0, 1, 127, 128, 16383, 16384, math.MaxUint64 - 1, math.MaxUint64} {
		out = append(out,
			&walletv1.Wallet{Owner: owner, Nonce: n},
			&walletv1.Wallet{Owner: owner, Bank: "b", Nonce: n},        // fields before the nonce only
			&walletv1.Wallet{Nonce: n, Balances: []*walletv1.Coin{{}}}, // after it only
			full(n),
		)
		keyed := full(n)
		keyed.Key = bytes.Repeat([]byte{3}, 20)
		recovering := full(n)
		recovering.Recovery = &walletv1.Recovery{NewKey: owner, Due: 99}
		emptyRecovery := full(n)
		emptyRecovery.Recovery = &walletv1.Recovery{}
		out = append(out, keyed, recovering, emptyRecovery)
	}
	return out
}

// TestWalletNonceMatchesDecoding checks walletNonce and withNextNonce
// against decoding the record, incrementing its nonce and encoding it.
func TestWalletNonceMatchesDecoding(t *testing.T) {
	for i, w := range nonceTestWallets() {
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		checkNonceFunctions(t, i, b, w)
	}
}

func checkNonceFunctions(t *testing.T, i int, b []byte, w *walletv1.Wallet) {
	t.Helper()
	nonce, plain, ok := walletNonce(b)
	if !ok {
		t.Fatalf("wallet %d: walletNonce refused a canonical encoding %x", i, b)
	}
	if nonce != w.Nonce || plain != (len(w.Key) == 0 && w.Recovery == nil) {
		t.Fatalf("wallet %d: walletNonce = %d, plain %v; the record has nonce %d, key %x, recovery %v",
			i, nonce, plain, w.Nonce, w.Key, w.Recovery)
	}
	next, ok := withNextNonce(b)
	if w.Nonce == math.MaxUint64 {
		if ok {
			t.Fatalf("wallet %d: withNextNonce went past the maximum nonce", i)
		}
		return
	}
	if !ok {
		t.Fatalf("wallet %d: withNextNonce refused a canonical encoding %x", i, b)
	}
	w = proto.Clone(w).(*walletv1.Wallet)
	w.Nonce++
	want, err := proto.MarshalOptions{Deterministic: true}.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(next, want) {
		t.Fatalf("wallet %d: withNextNonce\n got  %x\n want %x", i, next, want)
	}
}

// TestWalletNonceRefusesNonCanonical checks that top-level departures from
// the canonical encoding send the caller to decoding.
func TestWalletNonceRefusesNonCanonical(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty (no wallet)":    nil,
		"fields out of order":  {0x30, 0x05, 0x0a, 0x01, 0xab}, // nonce, then owner
		"singular field twice": {0x30, 0x05, 0x30, 0x06},       // nonce twice
		"explicit zero":        {0x18, 0x00},                   // tier 0
		"non-minimal varint":   {0x30, 0x85, 0x00},             // nonce 5 in two bytes
		"non-minimal tag":      {0xb0, 0x00, 0x05},             // field 6 in a two-byte tag
		"wrong wire type":      {0x32, 0x01, 0x05},             // nonce as bytes
		"unknown field":        {0xf8, 0x3f, 0x01},             // field 1023
		"empty singular bytes": {0x0a, 0x00},                   // owner, empty
		"truncated":            {0x0a, 0x05, 0xab},             // owner cut short
	} {
		if _, _, ok := walletNonce(b); ok {
			t.Errorf("%s: walletNonce accepted %x", name, b)
		}
		if _, ok := withNextNonce(b); ok {
			t.Errorf("%s: withNextNonce accepted %x", name, b)
		}
	}
}

// FuzzWalletNonce: on any canonical encoding of a wallet (one that
// decoding and encoding again reproduces, with no field the record does
// not have), walletNonce and withNextNonce
// accept it and agree with decoding; on any other input they may refuse
// but never panic.
func FuzzWalletNonce(f *testing.F) {
	for _, w := range nonceTestWallets() {
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(w)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		walletNonce(b)
		withNextNonce(b)
		w := new(walletv1.Wallet)
		if len(b) == 0 || proto.Unmarshal(b, w) != nil {
			return
		}
		again, err := proto.MarshalOptions{Deterministic: true}.Marshal(w)
		if err != nil || !bytes.Equal(again, b) || len(w.ProtoReflect().GetUnknown()) > 0 {
			// Not canonical, or with fields the record does not have
			// (which decoding keeps as unknown, and store.SetProto never
			// writes): outside the contract.
			return
		}
		checkNonceFunctions(t, 0, b, w)
	})
}
