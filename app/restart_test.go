package app_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/ledgerd/ledgerd/x/wallet"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/app/apptest"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/auth"
)

func info(t *testing.T, h *apptest.Harness) *abci.ResponseInfo {
	t.Helper()
	r, err := h.App.Info(context.Background(), &abci.RequestInfo{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// wantCommit fails unless the store's last commit and Info are want.
func wantCommit(t *testing.T, h *apptest.Harness, want store.CommitID) {
	t.Helper()
	if got := h.Store.LastCommit(); got.Height != want.Height || !bytes.Equal(got.AppHash, want.AppHash) {
		t.Fatalf("last commit %d %x, want %d %x", got.Height, got.AppHash, want.Height, want.AppHash)
	}
	r := info(t, h)
	if r.LastBlockHeight != want.Height || !bytes.Equal(r.LastBlockAppHash, want.AppHash) || r.AppVersion != app.Version {
		t.Fatalf("Info %d %x v%d, want %d %x", r.LastBlockHeight, r.LastBlockAppHash, r.AppVersion, want.Height, want.AppHash)
	}
}

func TestRestart(t *testing.T) {
	h := apptest.New(t, apptest.Options{Dir: t.TempDir(), Wallets: 2, Balance: 100})
	defer h.Close()
	if r := info(t, h); r.LastBlockHeight != 0 || r.LastBlockAppHash != nil {
		t.Fatalf("fresh Info %v", r)
	}
	w0, a1 := h.WalletKey(0), apptest.Address(h.WalletKey(1))
	for i := range 3 {
		mustOK(t, h.Block(h.Sign(w0, uint64(i), apptest.Transfer(a1, 1))))
	}
	last := h.Store.LastCommit()
	domain := h.App.Domain()
	wantCommit(t, h, last)

	h.Reopen()
	wantCommit(t, h, last)
	if h.App.Domain() != domain {
		t.Fatalf("domain %+v after restart, want %+v", h.App.Domain(), domain)
	}
	// The check state is loaded: nonces continue, replays are refused.
	next := h.Sign(w0, 3, apptest.Transfer(a1, 1))
	wantCheck(t, h.CheckTx(next), ok)
	wantCheck(t, h.CheckTx(h.Sign(w0, 2, apptest.Transfer(a1, 1))), auth.ErrNonceTooLow)
	mustOK(t, h.Block(next))
	if h.Height() != last.Height+1 || h.Balance(a1) != 104 {
		t.Fatalf("height %d, balance %d", h.Height(), h.Balance(a1))
	}
	wantQuery(t, h.Query(wallet.QueryInvariant, nil, 0, false), ok)
	// Old heights are still there.
	if v, err := h.Store.Version(last.Height); err != nil || !bytes.Equal(v.AppHash(), last.AppHash) {
		t.Fatalf("version %d after restart: %v", last.Height, err)
	}
}

// TestInterruptedBlock: a block finalized but not committed when the node
// stops is gone after the restart, and finalizing it again gives the same
// results and app hash.
func TestInterruptedBlock(t *testing.T) {
	h := apptest.New(t, apptest.Options{Dir: t.TempDir(), Wallets: 2, Balance: 100})
	defer h.Close()
	w0, a1 := h.WalletKey(0), apptest.Address(h.WalletKey(1))
	mustOK(t, h.Block(h.Sign(w0, 0, apptest.Transfer(a1, 1))))
	last := h.Store.LastCommit()

	tx := h.Sign(w0, 1, apptest.Transfer(a1, 7))
	fin := h.FinalizeBlock(tx)
	mustOK(t, fin.TxResults)
	h.Reopen()
	wantCommit(t, h, last)
	if got := h.Balance(a1); got != 101 {
		t.Fatalf("balance %d after restart, want 101", got)
	}
	again := h.FinalizeBlock(tx)
	mustOK(t, again.TxResults)
	if !bytes.Equal(again.AppHash, fin.AppHash) {
		t.Fatalf("re-finalized app hash %x, first time %x", again.AppHash, fin.AppHash)
	}
	h.Commit()
	if h.Height() != last.Height+1 || !bytes.Equal(h.AppHash(), fin.AppHash) || h.Balance(a1) != 108 {
		t.Fatalf("after commit: height %d hash %x balance %d", h.Height(), h.AppHash(), h.Balance(a1))
	}
}

// TestInterruptedFirstBlock: a node stopped before its first commit starts
// from genesis again (CometBFT calls InitChain again since Info says 0).
func TestInterruptedFirstBlock(t *testing.T) {
	h := apptest.New(t, apptest.Options{Dir: t.TempDir(), Wallets: 1, Balance: 100})
	defer h.Close()
	tx := h.Sign(h.IssuerKey(), 0, apptest.Deposit(apptest.Address(h.WalletKey(0)), 5, "r"))
	fin := h.FinalizeBlock(tx)
	mustOK(t, fin.TxResults)
	h.Reopen() // runs InitChain: nothing was committed
	if r := info(t, h); h.Height() != 0 || r.LastBlockHeight != 0 || r.LastBlockAppHash != nil {
		t.Fatalf("height %d, Info %v", h.Height(), r)
	}
	mustOK(t, h.Block(tx))
	if !bytes.Equal(h.AppHash(), fin.AppHash) || h.Balance(apptest.Address(h.WalletKey(0))) != 105 {
		t.Fatalf("hash %x, want %x; balance %d", h.AppHash(), fin.AppHash, h.Balance(apptest.Address(h.WalletKey(0))))
	}
}

// TestFirstBlockFinalizedTwice: the first block starts from InitChain's
// working trees as they are; a first block finalized again (a round that
// did not commit) starts from the genesis state again, not from the
// first attempt's writes, and commits what a node finalizing it once
// commits. After that first commit the store reloads its trees (their
// cache empty), and the next blocks go on from the committed state.
func TestFirstBlockFinalizedTwice(t *testing.T) {
	opts := apptest.Options{Dir: t.TempDir(), Wallets: 2, Balance: 100}
	h := apptest.New(t, opts)
	defer h.Close()
	w0, a1 := h.WalletKey(0), apptest.Address(h.WalletKey(1))
	mustOK(t, h.FinalizeBlock(h.Sign(w0, 0, apptest.Transfer(a1, 30))).TxResults)
	tx := h.Sign(w0, 0, apptest.Transfer(a1, 7))
	fin := h.FinalizeBlock(tx)
	mustOK(t, fin.TxResults)
	h.Commit()

	opts.Dir = t.TempDir()
	once := apptest.New(t, opts)
	defer once.Close()
	mustOK(t, once.Block(tx))
	if !bytes.Equal(h.AppHash(), once.AppHash()) || !bytes.Equal(h.AppHash(), fin.AppHash) || h.Balance(a1) != 107 {
		t.Fatalf("hash %x, finalized once %x, FinalizeBlock said %x; balance %d, want 107",
			h.AppHash(), once.AppHash(), fin.AppHash, h.Balance(a1))
	}
	next := h.Sign(w0, 1, apptest.Transfer(a1, 1))
	mustOK(t, h.Block(next))
	mustOK(t, once.Block(next))
	if !bytes.Equal(h.AppHash(), once.AppHash()) || h.Balance(a1) != 108 {
		t.Fatalf("second block: hash %x and %x, balance %d", h.AppHash(), once.AppHash(), h.Balance(a1))
	}
	h.Reopen()
	if h.Height() != 2 || !bytes.Equal(h.AppHash(), once.AppHash()) {
		t.Fatalf("after restart: height %d hash %x", h.Height(), h.AppHash())
	}
}
