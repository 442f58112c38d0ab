package app_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/app/apptest"
	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// poolHarness is a harness whose app keeps the mempool, bounded to maxTxs.
func poolHarness(t *testing.T, maxTxs, wallets int) *apptest.Harness {
	cfg := app.DefaultConfig(apptest.ChainID)
	cfg.Mempool = app.MempoolConfig{MaxTxs: maxTxs}
	h := apptest.New(t, apptest.Options{Config: &cfg, Wallets: wallets, Balance: 100})
	h.Block()
	return h
}

// propose is the app's proposal for the next block, from its own pool.
func propose(t *testing.T, h *apptest.Harness) [][]byte {
	t.Helper()
	res, err := h.App.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{MaxTxBytes: 1 << 20, Height: h.Height() + 1})
	if err != nil {
		t.Fatal(err)
	}
	return res.Txs
}

func mempoolStatus(t *testing.T, h *apptest.Harness) *authv1.Mempool {
	t.Helper()
	r := h.Query(app.QueryMempool, nil, 0, false)
	wantQuery(t, r, ok)
	var m authv1.Mempool
	if err := proto.Unmarshal(r.Value, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

func queryAccount(t *testing.T, h *apptest.Harness, addr common.Address) *authv1.Account {
	t.Helper()
	r := h.Query(app.QueryAccountPrefix+addr.Hex(), nil, 0, false)
	wantQuery(t, r, ok)
	var a authv1.Account
	if err := proto.Unmarshal(r.Value, &a); err != nil {
		t.Fatal(err)
	}
	return &a
}

func wantTxs(t *testing.T, what string, got [][]byte, want ...[]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d txs, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("%s: tx %d is not the one expected", what, i)
		}
	}
}

func TestAppMempoolProposesPendingAndRechecksAfterBlocks(t *testing.T) {
	h := poolHarness(t, 100, 3)
	w0, w1 := h.WalletKey(0), h.WalletKey(1)
	to := apptest.Address(h.WalletKey(2))
	tx00 := h.Sign(w0, 0, apptest.Transfer(to, 10))
	tx10 := h.Sign(w1, 0, apptest.Transfer(to, 10))
	tx01 := h.Sign(w0, 1, apptest.Transfer(to, 10))
	tx11 := h.Sign(w1, 1, apptest.Transfer(to, 10))
	for _, tx := range [][]byte{tx00, tx10, tx01, tx11} {
		wantCheck(t, h.CheckTx(tx), ok)
	}
	wantCheck(t, h.CheckTx(tx01), auth.ErrAlreadyPending)
	// The check state counts what is pending: 80 left on w0.
	wantCheck(t, h.CheckTx(h.Sign(w0, 2, apptest.Transfer(to, 81))), wallet.ErrInsufficientFunds)
	wantTxs(t, "proposal", propose(t, h), tx00, tx10, tx01, tx11)
	if m := mempoolStatus(t, h); m.KeptBy != "app" || m.Txs != 4 || m.Bytes == 0 || m.MaxTxs != 100 || m.Height != h.Height() {
		t.Fatalf("/mempool = %v", m)
	}

	// Another proposer's block includes tx00 and, instead of tx10, a
	// transaction of w1 with the same nonce: tx10 can never succeed now,
	// while tx11 follows the conflicting one.
	conflict := h.Sign(w1, 0, apptest.Transfer(to, 5))
	mustOK(t, h.Block(tx00, conflict))
	wantTxs(t, "proposal after the block", propose(t, h), tx01, tx11)
	if m := mempoolStatus(t, h); m.Txs != 2 || m.Dropped != 1 {
		t.Fatalf("/mempool after the block = %v, want 2 pending and 1 dropped", m)
	}
	// The pending nonces follow the pool: w0 has nonce 1 pending.
	if acct := queryAccount(t, h, apptest.Address(w0)); acct.Nonce != 1 || acct.PendingNonce != 2 {
		t.Fatalf("w0's account: nonce %d, pending nonce %d; want 1 and 2", acct.Nonce, acct.PendingNonce)
	}
	// A payment valid until the next block only, left out of it, expires
	// in the pool: the recheck drops it.
	body := apptest.Body(w1, 2, apptest.Transfer(to, 1))
	body.ValidUntilHeight = uint64(h.Height() + 1)
	wantCheck(t, h.CheckTx(h.Encode(h.SignTx(w1, body))), ok)
	mustOK(t, h.Block())
	wantTxs(t, "proposal after an empty block", propose(t, h), tx01, tx11)
	if m := mempoolStatus(t, h); m.Txs != 2 || m.Dropped != 2 {
		t.Fatalf("/mempool after the expiry = %v, want 2 pending and 2 dropped", m)
	}
	wantCheck(t, h.CheckTx(h.Sign(w0, 2, apptest.Transfer(to, 10))), ok)
	mustOK(t, h.Block(propose(t, h)...))
	if m := mempoolStatus(t, h); m.Txs != 0 || m.Dropped != 2 {
		t.Fatalf("/mempool after the proposal was committed = %v", m)
	}
	if got := h.Balance(apptest.Address(w0)); got != 70 {
		t.Fatalf("w0's balance %d, want 70", got)
	}
	if got := h.Balance(apptest.Address(w1)); got != 85 {
		t.Fatalf("w1's balance %d, want 85", got)
	}
}

func TestAppMempoolBoundsAndGossip(t *testing.T) {
	h := poolHarness(t, 2, 2)
	w0, to := h.WalletKey(0), apptest.Address(h.WalletKey(1))
	txs := make([][]byte, 3)
	for i := range txs {
		txs[i] = h.Sign(w0, uint64(i), apptest.Transfer(to, 1))
	}
	wantCheck(t, h.CheckTx(txs[0]), ok)
	insert, err := h.App.InsertTx(context.Background(), &abci.RequestInsertTx{Tx: txs[1]})
	if err != nil || insert.Code != abci.CodeTypeOK {
		t.Fatalf("InsertTx from a peer = %v, %v", insert, err)
	}
	wantCheck(t, h.CheckTx(txs[2]), auth.ErrMempoolFull)
	// A peer's transaction refused for a passing reason gets CometBFT's
	// retry code (it is checked again when gossiped again); one that can
	// never pass does not.
	insertCode := func(tx []byte) uint32 {
		t.Helper()
		res, err := h.App.InsertTx(context.Background(), &abci.RequestInsertTx{Tx: tx})
		if err != nil {
			t.Fatal(err)
		}
		return res.Code
	}
	if code := insertCode(txs[2]); code != abci.CodeTypeRetry {
		t.Fatalf("InsertTx into a full pool: code %d, want %d (retry)", code, abci.CodeTypeRetry)
	}
	reap := func() [][]byte {
		res, err := h.App.ReapTxs(context.Background(), &abci.RequestReapTxs{})
		if err != nil {
			t.Fatal(err)
		}
		return res.Txs
	}
	wantTxs(t, "first gossip", reap(), txs[0], txs[1])
	wantTxs(t, "second gossip", reap())
	mustOK(t, h.Block(txs[0]))
	if code := insertCode(append([]byte{0xff}, txs[2]...)); code == abci.CodeTypeOK || code >= abci.CodeTypeRetry {
		t.Fatalf("InsertTx of undecodable bytes: code %d, want a final refusal", code)
	}
	ahead := h.Sign(w0, 3, apptest.Transfer(to, 1))
	if code := insertCode(ahead); code != abci.CodeTypeRetry {
		t.Fatalf("InsertTx of a nonce ahead of the pool: code %d, want %d (retry)", code, abci.CodeTypeRetry)
	}
	wantCheck(t, h.CheckTx(txs[2]), ok)
	wantTxs(t, "gossip after the block", reap(), txs[2])
	wantTxs(t, "proposal", propose(t, h), txs[1], txs[2])
}

func TestInsertTxRefusedWhenCometBFTKeepsTheMempool(t *testing.T) {
	h := apptest.New(t, apptest.Options{Wallets: 2, Balance: 100})
	h.Block()
	tx := h.Sign(h.WalletKey(0), 0, apptest.Transfer(apptest.Address(h.WalletKey(1)), 1))
	if _, err := h.App.InsertTx(context.Background(), &abci.RequestInsertTx{Tx: tx}); err == nil {
		t.Fatal("InsertTx succeeded on an app that does not keep the mempool")
	}
	if m := mempoolStatus(t, h); m.KeptBy != "cometbft" || m.Txs != 0 {
		t.Fatalf("/mempool = %v", m)
	}
}

// TestAppMempoolConcurrentChecks admits many signers' payments from
// concurrent callers, as CometBFT calls an app that keeps the mempool, and
// checks that the proposal holds every one in each signer's nonce order
// and that all of them succeed in the block.
func TestAppMempoolConcurrentChecks(t *testing.T) {
	const signers, each = 8, 6
	h := poolHarness(t, 1000, signers+1)
	to := apptest.Address(h.WalletKey(signers))
	var wg sync.WaitGroup
	errs := make(chan error, signers)
	for s := range signers {
		key := h.WalletKey(s)
		txs := make([][]byte, each)
		for n := range txs {
			txs[n] = h.Sign(key, uint64(n), apptest.Transfer(to, 1))
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n, tx := range txs {
				res, err := h.App.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: tx})
				if err != nil || res.Code != abci.CodeTypeOK {
					errs <- fmt.Errorf("signer %d nonce %d: %v %v", s, n, res, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	proposal := propose(t, h)
	if len(proposal) != signers*each {
		t.Fatalf("proposal of %d txs, want %d", len(proposal), signers*each)
	}
	next := map[common.Address]uint64{}
	for i, raw := range proposal {
		var tx authv1.Tx
		if err := proto.Unmarshal(raw, &tx); err != nil {
			t.Fatal(err)
		}
		signer := common.BytesToAddress(tx.Body.Signer)
		if tx.Body.Nonce != next[signer] {
			t.Fatalf("proposal tx %d: %s nonce %d, want %d", i, signer, tx.Body.Nonce, next[signer])
		}
		next[signer]++
	}
	mustOK(t, h.Block(proposal...))
	if got := h.Balance(to); got != 100+signers*each {
		t.Fatalf("recipient's balance %d, want %d", got, 100+signers*each)
	}
}

// TestBlockResultsDoNotDependOnThePool executes the same block on an app
// whose mempool holds its transactions (FinalizeBlock takes their checks
// from the pool) and on one that never saw them, and compares the results
// and the app hash.
func TestBlockResultsDoNotDependOnThePool(t *testing.T) {
	pooled := poolHarness(t, 100, 3)
	fresh := apptest.New(t, apptest.Options{Wallets: 3, Balance: 100})
	fresh.Block()
	to := apptest.Address(pooled.WalletKey(2))
	var txs [][]byte
	for n := range uint64(3) {
		txs = append(txs, pooled.Sign(pooled.WalletKey(0), n, apptest.Transfer(to, 10)), pooled.Sign(pooled.WalletKey(1), n, apptest.Transfer(to, 40)))
	}
	for _, tx := range txs {
		if res := pooled.CheckTx(tx); res.Code != abci.CodeTypeOK && res.Codespace != wallet.Codespace {
			t.Fatalf("CheckTx: %v", res)
		}
	}
	if m := mempoolStatus(t, pooled); m.Txs < 4 {
		t.Fatalf("the pool holds %d of the block's transactions, want at least 4", m.Txs)
	}
	at := pooled.NextTime()
	a, b := pooled.BlockAt(at, txs...), fresh.BlockAt(at, txs...)
	for i := range a {
		if a[i].Code != b[i].Code || a[i].Codespace != b[i].Codespace || a[i].Log != b[i].Log {
			t.Fatalf("tx %d: %v with the pool, %v without", i, a[i], b[i])
		}
	}
	if !bytes.Equal(pooled.AppHash(), fresh.AppHash()) {
		t.Fatal("app hash differs with and without the pool")
	}
}
