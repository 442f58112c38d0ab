package node_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/keys"
	"github.com/ledgerd/ledgerd/node"
	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/testnet"
	"github.com/ledgerd/ledgerd/x/history"
	"github.com/ledgerd/ledgerd/x/wallet"
)

const testPass = "test-passphrase"

// initHome writes a one-bank node home with 200ms blocks.
func initHome(t *testing.T, chainID string) string {
	t.Helper()
	home := t.TempDir()
	if _, err := node.Init(node.InitOptions{
		Home: home, ChainID: chainID, Moniker: "demo-bank", Passphrase: testPass, LightScrypt: true,
		BlockInterval: 200 * time.Millisecond,
	}); err != nil {
		t.Fatal(err)
	}
	return home
}

// bankKey is the demo-bank operator's key from home's keyring.
func bankKey(t *testing.T, home string) *ecdsa.PrivateKey {
	t.Helper()
	kr, err := keys.Open(node.KeyringDir(home), keys.Options{LightScrypt: true})
	if err != nil {
		t.Fatal(err)
	}
	bank, err := kr.Key("demo-bank", testPass)
	if err != nil {
		t.Fatal(err)
	}
	return bank
}

// testNode is a node started on home, with its client.
type testNode struct {
	n   *node.Node
	cmt *cmtcfg.Config
	c   *client.Client
	// home and edit rebuild the node on other ports (start).
	home string
	edit func(*cmtcfg.Config, *node.Config)
}

// newTestNode builds the node on home with fresh ports; edit changes the
// configurations first.
func newTestNode(t *testing.T, home string, edit func(*cmtcfg.Config, *node.Config)) (*testNode, error) {
	t.Helper()
	cmt, err := node.LoadCometConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	rpcPort, _ := testnet.FreePort()
	p2pPort, _ := testnet.FreePort()
	cmt.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", rpcPort)
	cmt.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", p2pPort)
	cmt.LogLevel = "error"
	cfg := node.DefaultConfig()
	cfg.Metrics.Enabled = false
	if edit != nil {
		edit(cmt, &cfg)
	}
	n, err := node.New(home, cmt, cfg)
	if err != nil {
		return nil, err
	}
	return &testNode{n: n, cmt: cmt, home: home, edit: edit}, nil
}

// start starts tn and waits for height 2 (or minHeight). A port that
// FreePort found free may have been taken since, by another test process
// or a socket of the node stopped before: then it builds the node again on
// other ports, up to three times.
func (tn *testNode) start(ctx context.Context, t *testing.T, minHeight int64) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		err := tn.n.Start()
		if err == nil {
			break
		}
		if attempt == 3 || !(errors.Is(err, syscall.EADDRINUSE) || strings.Contains(err.Error(), "address already in use")) {
			t.Fatal(err)
		}
		t.Logf("start: %v; again on other ports", err)
		if err := tn.n.Stop(); err != nil {
			t.Logf("stop after the failed start: %v", err)
		}
		again, err := newTestNode(t, tn.home, tn.edit)
		if err != nil {
			t.Fatal(err)
		}
		*tn = *again
	}
	c, err := client.New(tn.cmt.RPC.ListenAddress, client.WithTrustDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	tn.c = c
	for h, _ := c.LatestHeight(ctx); h < minHeight; h, _ = c.LatestHeight(ctx) {
		select {
		case <-ctx.Done():
			t.Fatalf("height %d not reached in time", minHeight)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (tn *testNode) stop(t *testing.T) {
	t.Helper()
	if tn.c != nil {
		tn.c.Close()
	}
	if err := tn.n.Stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
}

func kinds(entries []*walletv1.HistoryEntry) string {
	var s []string
	for _, e := range entries {
		s = append(s, strings.TrimPrefix(e.Kind.String(), "HISTORY_KIND_"))
	}
	return strings.Join(s, ",")
}

// TestHistoryEndToEnd makes payments on a real node, then verifies
// wallets' complete histories against their proven accumulators; then it
// deletes the index and restarts the node, which rebuilds it from the
// stored block results.
func TestHistoryEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	home := initHome(t, "ledgerd-history")
	tn, err := newTestNode(t, home, nil)
	if err != nil {
		t.Fatal(err)
	}
	tn.start(ctx, t, 2)
	stopped := false
	defer func() {
		if !stopped {
			tn.stop(t)
		}
	}()
	c := tn.c

	bank := bankKey(t, home)
	alice, _ := crypto.GenerateKey()
	bob, _ := crypto.GenerateKey()
	aliceAddr, bobAddr := crypto.PubkeyToAddress(alice.PublicKey), crypto.PubkeyToAddress(bob.PublicKey)
	kyc := sha256.Sum256([]byte("kyc"))
	submit := func(key *ecdsa.PrivateKey, msg client.Msg) *client.TxResult {
		t.Helper()
		r, err := c.Submit(ctx, key, msg, client.TxOptions{}, true)
		if err != nil {
			t.Fatalf("%T: %v", msg, err)
		}
		return r
	}
	submit(bank, &walletv1.MsgOpenWallet{Owner: aliceAddr.Bytes(), KycHash: kyc[:], Tier: 2})
	submit(bank, &walletv1.MsgOpenWallet{Owner: bobAddr.Bytes(), KycHash: kyc[:], Tier: 3})
	submit(bank, &walletv1.MsgDeposit{Wallet: aliceAddr.Bytes(), Denom: "CNY", Amount: 100_000, Reference: "CASH-1"})
	paid := submit(alice, &walletv1.MsgTransfer{To: bobAddr.Bytes(), Denom: "CNY", Amount: 25_000, Memo: "dinner"})
	back := submit(bob, &walletv1.MsgTransfer{To: aliceAddr.Bytes(), Denom: "CNY", Amount: 5_000, Memo: "my share"})
	// A failed payment writes no history.
	if _, err := c.Submit(ctx, bob, &walletv1.MsgTransfer{To: aliceAddr.Bytes(), Denom: "CNY", Amount: 1 << 40}, client.TxOptions{}, true); err == nil {
		t.Fatal("overdraft accepted")
	}

	want := map[common.Address]string{
		aliceAddr: "OPENED,DEPOSIT,TRANSFER_OUT,TRANSFER_IN",
		bobAddr:   "OPENED,TRANSFER_IN,TRANSFER_OUT",
	}
	verify := func(c *client.Client) map[common.Address][]*walletv1.HistoryEntry {
		t.Helper()
		out := map[common.Address][]*walletv1.HistoryEntry{}
		for addr, k := range want {
			count, entries, p, err := verifiedWalletHistory(ctx, c, addr, 0)
			if err != nil {
				t.Fatalf("%s: %v", addr.Hex(), err)
			}
			if got := kinds(entries); got != k || count != uint64(len(entries)) {
				t.Fatalf("%s: verified history %s (count %d), want %s", addr.Hex(), got, count, k)
			}
			if p.Height < back.Height {
				t.Fatalf("history proven at height %d, before the last payment (%d)", p.Height, back.Height)
			}
			out[addr] = entries
		}
		return out
	}
	before := verify(c)
	ae := before[aliceAddr]
	if ae[2].Amount != 25_000 || ae[2].BalanceAfter != 75_000 || ae[2].Detail != "dinner" ||
		common.BytesToAddress(ae[2].Counterparty) != bobAddr || ae[2].Height != paid.Height || string(ae[2].TxHash) != string(paid.Hash) {
		t.Fatalf("alice's payment entry: %v", ae[2])
	}
	if ae[3].BalanceAfter != 80_000 {
		t.Fatalf("alice's balance after the refund: %d", ae[3].BalanceAfter)
	}

	// Plain queries: a page, and a transaction's entries.
	page, err := c.History(ctx, &historyv1.Request{Subject: wallet.HistorySubject, Id: aliceAddr.Bytes(), Limit: 2})
	if err != nil || len(page) != 2 || page[0].Seq != 4 || page[1].Seq != 3 {
		t.Fatalf("newest page: %v, %v", page, err)
	}
	txEntries, err := c.TxHistory(ctx, paid.Hash)
	if err != nil || len(txEntries) != 2 {
		t.Fatalf("payment's entries: %v, %v", txEntries, err)
	}
	// The state at the first payment proves the history up to it.
	_, early, p, err := verifiedWalletHistory(ctx, c, aliceAddr, paid.Height)
	if err != nil || kinds(early) != "OPENED,DEPOSIT,TRANSFER_OUT" || p.Height != paid.Height {
		t.Fatalf("history at height %d: %s, %v", paid.Height, kinds(early), err)
	}

	// Stop, delete the index, restart: it is rebuilt from the blocks.
	tn.stop(t)
	stopped = true
	lastHeight := tn.n.App().Store().LastCommit().Height
	if err := os.RemoveAll(node.HistoryDir(home, node.DefaultConfig())); err != nil {
		t.Fatal(err)
	}
	tn, err = newTestNode(t, home, nil)
	if err != nil {
		t.Fatal(err)
	}
	if wm := tn.n.History().Watermark(); wm != lastHeight {
		t.Fatalf("rebuilt index at height %d, the state at %d", wm, lastHeight)
	}
	tn.start(ctx, t, lastHeight+2)
	stopped = false
	after := verify(tn.c)
	for addr, entries := range before {
		for i, e := range entries {
			if !proto.Equal(e, after[addr][i]) {
				t.Fatalf("%s entry %d after the rebuild: %v, before: %v", addr.Hex(), i+1, after[addr][i], e)
			}
		}
	}
}

// TestHistoryWithoutResults: a node that discards FinalizeBlock results
// cannot rebuild a deleted index, and says so instead of serving an
// incomplete one; with the index off it starts and refuses history
// queries.
func TestHistoryWithoutResults(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	home := initHome(t, "ledgerd-history-discard")
	discard := func(cmt *cmtcfg.Config, _ *node.Config) { cmt.Storage.DiscardABCIResponses = true }
	tn, err := newTestNode(t, home, discard)
	if err != nil {
		t.Fatal(err)
	}
	tn.start(ctx, t, 3)
	tn.stop(t)
	if err := os.RemoveAll(node.HistoryDir(home, node.DefaultConfig())); err != nil {
		t.Fatal(err)
	}

	_, err = newTestNode(t, home, discard)
	if err == nil || !strings.Contains(err.Error(), "cannot catch up") || !strings.Contains(err.Error(), "enabled = false") {
		t.Fatalf("restart without results: %v", err)
	}

	tn, err = newTestNode(t, home, func(cmt *cmtcfg.Config, c *node.Config) {
		discard(cmt, c)
		c.History.Enabled = false
	})
	if err != nil {
		t.Fatal(err)
	}
	tn.start(ctx, t, 1)
	defer tn.stop(t)
	_, err = tn.c.History(ctx, &historyv1.Request{Subject: wallet.HistorySubject, Id: common.HexToAddress("0x01").Bytes()})
	if !errors.Is(err, app.ErrNoHistory) {
		t.Fatalf("history query with the index off: %v", err)
	}
}

// verifiedWalletHistory proves addr's history (client.VerifiedHistory) and
// checks and decodes its entries as the wallet's (wallet.VerifyHistory).
func verifiedWalletHistory(ctx context.Context, c *client.Client, addr common.Address, height int64) (uint64, []*walletv1.HistoryEntry, *client.Proven, error) {
	src := client.HistorySource{Subject: wallet.HistorySubject, Store: wallet.StoreName, Key: wallet.WalletKey(addr[:]),
		Chain: func(v []byte) (history.Chain, error) {
			w := new(walletv1.Wallet)
			err := proto.Unmarshal(v, w)
			return history.Chain{Count: w.HistoryCount, Head: w.HistoryHead}, err
		}}
	ph, err := c.VerifiedHistory(ctx, src, addr.Bytes(), height)
	if err != nil {
		return 0, nil, nil, err
	}
	entries, err := wallet.VerifyHistory(addr, ph.Chain.Count, ph.Chain.Head, ph.Entries)
	return ph.Chain.Count, entries, ph.Proof, err
}
