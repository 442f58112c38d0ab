package node

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledgerd/ledgerd/x/consortium"
)

func TestGenesisFileEdits(t *testing.T) {
	home := t.TempDir()
	if _, err := Init(InitOptions{Home: home, ChainID: "edit-chain", Moniker: "bank-1", MemberID: "bank-1",
		Passphrase: "p", LightScrypt: true, Denoms: []string{"CNY"}}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(home, "config", "genesis.json")
	g, err := ReadGenesisFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, value, wantErr string }{
		{"consortium.max_block_txs", "4000", ""},
		{"wallet.limits.0.tiers.0.balance_cap", "60000000", ""}, // a decimal string in the genesis
		{"wallet.utc_offset", "+07:00", ""},
		{"aml.velocity_limt", "5", "unknown field"},
		{"wallet.limits.9.tiers", "[]", "not an index"},
		{"wallet.utc_offset.x", "1", "not an object"},
	} {
		err := g.SetParam(tc.path, tc.value)
		if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("SetParam(%s, %s) = %v, want %q", tc.path, tc.value, err, tc.wantErr)
		}
	}
	if err := g.AddMember(consortium.GenesisMember{ID: "bank-1", Name: "again", Roles: []string{"issuer"}}); err == nil {
		t.Error("a second bank-1 was added")
	}
	if err := g.AddMember(consortium.GenesisMember{ID: "auditor", Name: "Audit", Roles: []string{"auditor"}}); err != nil {
		t.Fatal(err)
	}
	if err := g.Write(); err != nil {
		t.Fatal(err)
	}
	again, err := ReadGenesisFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := again.Validate(); err != nil {
		t.Fatal(err)
	}
	if again.App.Consortium.MaxBlockTxs != 4000 || again.App.Wallet.UTCOffset != "+07:00" ||
		len(again.App.Consortium.Members) != 2 || again.App.Wallet.Limits[0].Tiers[0].BalanceCap != 60000000 {
		t.Fatalf("written genesis: %+v", again.App)
	}
	// An invalid result is not written.
	if err := again.SetParam("consortium.max_tx_bytes", "10"); err != nil {
		t.Fatal(err)
	}
	if err := again.Write(); err == nil || !strings.Contains(err.Error(), "not written") {
		t.Fatalf("invalid genesis written: %v", err)
	}
	// A wallets file is read from the genesis file's directory when the
	// genesis is written; set-param null drops the reference.
	if err := again.SetParam("consortium.max_tx_bytes", "65536"); err != nil {
		t.Fatal(err)
	}
	if err := again.SetParam("wallet.wallets_file", `{"path":"w.jsonl","sha256":"`+strings.Repeat("0", 64)+`"}`); err != nil {
		t.Fatal(err)
	}
	if err := again.Write(); err == nil || !strings.Contains(err.Error(), "w.jsonl") {
		t.Fatalf("a genesis naming a wallets file its directory lacks was written: %v", err)
	}
	if err := again.SetParam("wallet.wallets_file", "null"); err != nil {
		t.Fatal(err)
	}
	if err := again.Write(); err != nil || again.App.Wallet.WalletsFile != nil {
		t.Fatalf("after dropping the wallets file: %v, %+v", err, again.App.Wallet.WalletsFile)
	}
	if err := again.RemoveMember("nobody"); err == nil {
		t.Error("removed a member that does not exist")
	}
}
