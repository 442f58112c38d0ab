package app_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/app/apptest"
	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/errcode"
)

var genCorpus = flag.Bool("gencorpus", false, "write the fuzz seed corpus into testdata/fuzz")

// fuzzTargets are the fuzz targets whose seed corpus TestGenCorpus writes.
var fuzzTargets = []string{"FuzzDecodeTx", "FuzzCheckTx"}

// fuzzHarness is the app the fuzz targets run on: two funded wallets and
// one committed block, so CheckTx has a check state.
func fuzzHarness(t apptest.T) *apptest.Harness {
	h := apptest.New(t, apptest.Options{Wallets: 2, Balance: 1000})
	h.Block()
	return h
}

// isRegistered reports whether (codespace, code) is a registered error.
func isRegistered(codespace string, code uint32) bool {
	for _, e := range errcode.All() {
		if e.Codespace == codespace && e.Code == code {
			return true
		}
	}
	return false
}

// FuzzDecodeTx: decodeTx never panics, fails only with registered errors,
// and accepts only bytes that are the canonical encoding of what they
// decode to.
func FuzzDecodeTx(f *testing.F) {
	h := fuzzHarness(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		tx, err := h.App.DecodeTx(raw)
		if err != nil {
			if codespace, code, log := errcode.ABCIInfo(err); !isRegistered(codespace, code) {
				t.Fatalf("unregistered error (%q, %d): %s", codespace, code, log)
			}
			return
		}
		again, err := proto.MarshalOptions{Deterministic: true}.Marshal(tx)
		if err != nil {
			t.Fatalf("accepted tx does not re-encode: %v", err)
		}
		if !bytes.Equal(again, raw) {
			t.Fatalf("accepted %x, which re-encodes as %x", raw, again)
		}
		if tx.Body == nil || tx.Body.Msg == nil || tx.Body.ChainId != apptest.ChainID {
			t.Fatalf("accepted an invalid envelope: %v", tx)
		}
	})
}

// FuzzCheckTx: CheckTx never panics or errors, answers OK or a registered
// code, and never touches the committed state.
func FuzzCheckTx(f *testing.F) {
	h := fuzzHarness(f)
	committed := h.AppHash()
	f.Fuzz(func(t *testing.T, raw []byte) {
		// Not h.CheckTx: the fuzz function must not call f's methods.
		resp, err := h.App.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: raw})
		if err != nil {
			t.Fatalf("CheckTx error: %v", err)
		}
		if resp.Code != 0 && (resp.Code == errcode.Internal || !isRegistered(resp.Codespace, resp.Code)) {
			t.Fatalf("CheckTx answered unregistered (%q, %d): %s", resp.Codespace, resp.Code, resp.Log)
		}
		if resp.Code == 0 && resp.Codespace != "" {
			t.Fatalf("OK with codespace %q", resp.Codespace)
		}
		if !bytes.Equal(h.AppHash(), committed) {
			t.Fatal("CheckTx changed the committed state")
		}
	})
}

type seed struct {
	name string
	raw  []byte
}

// seedTxs returns valid and invalid transactions for the fuzz harness,
// one of each kind the pipeline tells apart.
func seedTxs(t testing.TB, h *apptest.Harness) []seed {
	issuer, w0, w1 := h.IssuerKey(), h.WalletKey(0), h.WalletKey(1)
	a0, a1 := apptest.Address(w0), apptest.Address(w1)
	transfer := h.SignTx(w0, apptest.Body(w0, 1, apptest.Transfer(a1, 5)))
	eip191, err := h.Signer.Sign(apptest.Body(w1, 0, apptest.Transfer(a0, 5)), authv1.SignMode_SIGN_MODE_EIP191, w1)
	if err != nil {
		t.Fatal(err)
	}
	oversize := marshal(t, transfer)
	for len(oversize) <= consortium.DefaultMaxTxBytes {
		oversize = append(oversize, 0x98, 0x06, 0x01)
	}
	wrongChain := apptest.Body(w0, 0, apptest.Transfer(a1, 5))
	wrongChain.ChainId = "ledgerd-other"
	return []seed{
		{"valid-open-wallet", h.Sign(issuer, 0, apptest.OpenWallet(apptest.Address(h.WalletKey(2))))},
		{"valid-deposit", h.Sign(issuer, 0, apptest.Deposit(a0, 100, "FIAT-1"))},
		{"valid-transfer", h.Sign(w0, 0, apptest.Transfer(a1, 5))},
		{"valid-eip191-transfer", h.Encode(eip191)},
		{"nonce-too-high", h.Encode(transfer)},
		{"empty", nil},
		{"undecodable", []byte{0x0a, 0xff, 0xff, 0xff}},
		{"no-body", h.Encode(&authv1.Tx{Signature: transfer.Signature})},
		{"oversize", oversize},
		{"unknown-field", withUnknownField(t, transfer)},
		{"field-twice", withFieldTwice(t, transfer)},
		{"fields-out-of-order", withFieldsOutOfOrder(t, transfer)},
		{"non-minimal-varint", withNonMinimalVarint(t, transfer)},
		{"explicit-default", withExplicitDefault(t, transfer)},
		{"wrong-chain-id", h.Encode(h.SignTx(w0, wrongChain))},
		{"high-s", h.Encode(highS(transfer))},
		{"v-27", h.Encode(withSig(transfer, func(s []byte) []byte { s[64] += 27; return s }))},
		{"short-signature", h.Encode(withSig(transfer, func(s []byte) []byte { return s[:64] }))},
		{"signer-mismatch", h.Encode(h.SignTx(w1, apptest.Body(w0, 0, apptest.Transfer(a1, 5))))},
		{"insufficient-funds", h.Sign(w1, 0, apptest.Transfer(a0, 5000))},
		{"zero-amount", h.Sign(w1, 0, apptest.Transfer(a0, 0))},
		{"valid-redeem", h.Sign(w0, 0, apptest.Redeem(5, "PAYOUT-1"))},
		{"valid-batch-transfer", h.Sign(w0, 0, apptest.BatchTransfer(apptest.Leg(a1, 5), apptest.Leg(a1, 7)))},
		{"valid-freeze", h.Sign(issuer, 0, apptest.Freeze(a1, walletv1.FreezeKind_FREEZE_KIND_DEBIT, "court order 7", 0))},
		{"valid-set-tier", h.Sign(issuer, 0, apptest.SetTier(a1, 3))},
		{"valid-set-limits", h.Sign(issuer, 0, apptest.SetLimits(a1, &walletv1.Limits{PaymentLimit: 100}))},
		{"release-no-order", h.Sign(issuer, 0, apptest.Release(a1, 1, ""))},
		{"close-nonzero-balance", h.Sign(w0, 0, apptest.CloseWallet(a0))},
		{"batch-leg-to-self", h.Sign(w0, 0, apptest.BatchTransfer(apptest.Leg(a1, 5), apptest.Leg(a0, 7)))},
	}
}

// TestGenCorpus writes the seed corpus of the fuzz targets:
//
//	go test ./app/ -run TestGenCorpus -gencorpus
//
// Signatures are deterministic (RFC 6979), so the files only change when
// the transactions or keys do.
func TestGenCorpus(t *testing.T) {
	if !*genCorpus {
		t.Skip("run with -gencorpus to write testdata/fuzz")
	}
	h := fuzzHarness(t)
	for _, target := range fuzzTargets {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, s := range seedTxs(t, h) {
			data := fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", s.raw)
			if err := os.WriteFile(filepath.Join(dir, s.name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestCorpusPresent keeps `go test -run=Fuzz` from passing vacuously: every
// seed is committed, and the valid ones are accepted by the fuzz harness.
func TestCorpusPresent(t *testing.T) {
	h := fuzzHarness(t)
	for _, s := range seedTxs(t, h) {
		for _, target := range fuzzTargets {
			if _, err := os.Stat(filepath.Join("testdata", "fuzz", target, s.name)); err != nil {
				t.Errorf("seed missing (go test ./app/ -run TestGenCorpus -gencorpus): %v", err)
			}
		}
		if strings.HasPrefix(s.name, "valid-") {
			if r := fuzzHarness(t).CheckTx(s.raw); r.Code != 0 {
				t.Errorf("seed %s rejected: %s", s.name, r.Log)
			}
		} else if r := h.CheckTx(s.raw); r.Code == 0 {
			t.Errorf("seed %s accepted", s.name)
		}
	}
}
