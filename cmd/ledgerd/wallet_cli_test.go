package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	cmtcfg "github.com/cometbft/cometbft/config"

	"github.com/ledgerd/ledgerd/node"
)

// TestWalletCLI opens two wallets on the demo devnet, deposits and pays in
// major units, and reads back the balances (text in major units, JSON in
// minor units), a wallet's verified history and the same history through
// the generic history command. The node's app keeps the mempool
// (`ledgerd init --mempool app`); the other CLI tests run CometBFT's.
func TestWalletCLI(t *testing.T) {
	node := demoNodeWith(t, useAppMempool(t))
	with := func(args ...string) []string { return append(args, node...) }
	var keys [2]string
	for i, name := range []string{"alice", "bob"} {
		if _, err := run(t, with("keys", "add", name)...); err != nil {
			t.Fatal(err)
		}
		var k struct {
			Address string `json:"address"`
		}
		runJSON(t, &k, with("keys", "show", name)...)
		keys[i] = k.Address
	}
	alice, bob := keys[0], keys[1]
	kyc := sha256.Sum256([]byte("alice KYC"))
	for _, args := range [][]string{
		{"tx", "wallet", "open", alice, "--tier", "2", "--kyc-hash", hex.EncodeToString(kyc[:]), "--from", "demo-bank"},
		{"tx", "wallet", "open", bob, "--tier", "3", "--kyc-hash", hex.EncodeToString(kyc[:]), "--from", "demo-bank"},
		{"tx", "wallet", "deposit", alice, "1000.00", "CNY", "--reference", "CASH-1", "--from", "demo-bank"},
		{"tx", "wallet", "transfer", bob, "250.5", "CNY", "--memo", "dinner", "--from", "alice"},
	} {
		if out, err := run(t, with(args...)...); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	// Three decimals for a two-decimal denom: refused before signing.
	if out, err := run(t, with("tx", "wallet", "transfer", bob, "1.005", "CNY", "--from", "alice")...); err == nil ||
		!strings.Contains(err.Error(), "3 digits after the decimal point, at most 2") {
		t.Fatalf("1.005 CNY: %v\n%s", err, out)
	}

	// Alice signed one transaction; the bank's operator is an account too.
	var acct struct {
		Kind  string `json:"kind"`
		Nonce uint64 `json:"nonce"`
	}
	runJSON(t, &acct, with("query", "account", alice)...)
	if acct.Kind != "wallet" || acct.Nonce != 1 {
		t.Fatalf("alice's account: %+v", acct)
	}
	runJSON(t, &acct, with("query", "account", alice, "--prove")...)
	if acct.Kind != "wallet" || acct.Nonce != 1 {
		t.Fatalf("alice's account, proven: %+v", acct)
	}
	// The app keeps the mempool; every payment above is committed, so it
	// holds nothing.
	var pool struct {
		KeptBy  string `json:"kept_by"`
		Txs     uint64 `json:"txs"`
		MaxTxs  uint64 `json:"max_txs"`
		Dropped uint64 `json:"dropped"`
	}
	runJSON(t, &pool, with("query", "mempool")...)
	if pool.KeptBy != "app" || pool.Txs != 0 || pool.MaxTxs == 0 || pool.Dropped != 0 {
		t.Fatalf("query mempool: %+v", pool)
	}
	var op struct {
		Address string `json:"address"`
	}
	runJSON(t, &op, with("keys", "show", "demo-bank")...)
	if out, err := run(t, with("query", "account", op.Address, "--prove")...); err != nil ||
		!strings.Contains(strings.ToLower(out), "signs for operator "+strings.ToLower(op.Address)) || !strings.Contains(out, ": nonce 3") {
		t.Fatalf("the bank operator's account, proven: %v\n%s", err, out)
	}
	out, err := run(t, with("query", "wallet", alice)...)
	if err != nil || !strings.Contains(out, "CNY    749.50") {
		t.Fatalf("alice's wallet: %v\n%s", err, out)
	}
	var w struct {
		Balances []struct {
			Denom  string `json:"denom"`
			Amount string `json:"amount"`
		} `json:"balances"`
	}
	runJSON(t, &w, with("query", "wallet", bob)...)
	if len(w.Balances) != 1 || w.Balances[0].Amount != "25050" {
		t.Fatalf("bob's wallet in JSON (minor units): %+v", w)
	}

	out, err = run(t, with("query", "wallet", "history", alice, "--verify")...)
	if err != nil || !strings.Contains(out, "250.50 CNY, balance 749.50") || !strings.Contains(out, "entries 1 to 3, complete") {
		t.Fatalf("alice's verified history: %v\n%s", err, out)
	}
	var any struct {
		Entries []struct {
			Seq   uint64          `json:"seq"`
			Entry json.RawMessage `json:"entry"`
		} `json:"entries"`
		Proof json.RawMessage `json:"proof"`
	}
	runJSON(t, &any, with("query", "history", "wallet", bob, "--verify")...)
	var second struct {
		Kind   string `json:"kind"`
		Detail string `json:"detail"`
		Amount string `json:"amount"`
	}
	if len(any.Entries) != 2 || any.Entries[1].Seq != 2 || json.Unmarshal(any.Entries[1].Entry, &second) != nil ||
		second.Kind != "HISTORY_KIND_TRANSFER_IN" || second.Detail != "dinner" || second.Amount != "25050" || any.Proof == nil {
		t.Fatalf("bob's history through the generic command: %d entries, second %+v", len(any.Entries), second)
	}
	if _, err := run(t, with("query", "history", "nothing", bob)...); err == nil || !strings.Contains(err.Error(), "subjects are wallet") {
		t.Fatalf("unknown subject: %v", err)
	}
}

// useAppMempool edits a node home's config.toml as `ledgerd init
// --mempool app` writes it.
func useAppMempool(t *testing.T) func(home string) {
	return func(home string) {
		cmt, err := node.LoadCometConfig(home)
		if err != nil {
			t.Fatal(err)
		}
		if err := node.SetMempool(cmt.Mempool, "app"); err != nil {
			t.Fatal(err)
		}
		cmtcfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), cmt)
	}
}
