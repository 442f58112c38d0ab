package testnet

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/keys"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/wallet"
	"github.com/ledgerd/ledgerd/x/wallet/walletclient"
)

// TestExportNewChain runs a one-bank network, stops it, exports its state
// at an earlier height with `ledgerd export --chain-id`, and starts the
// same validator on the new chain from that genesis: it goes on from the
// next height and proves the wallet made on the old chain, with its
// history, under the new chain id.
func TestExportNewChain(t *testing.T) {
	if testing.Short() {
		t.Skip("runs node processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pn := startProcessNet(ctx, t, 1, 200*time.Millisecond, 0)
	p := pn.Procs[0]
	c, err := client.New(p.RPC(), client.WithTrustDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	kr, err := keys.Open(filepath.Join(pn.Dir, "keyring"), keys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	bank, err := kr.Key("bank-1", "localnet")
	if err != nil {
		t.Fatal(err)
	}
	alice, _ := crypto.GenerateKey()
	addr := crypto.PubkeyToAddress(alice.PublicKey)
	kyc := sha256.Sum256(addr.Bytes())
	var last *client.TxResult
	for _, msg := range []client.Msg{
		&walletv1.MsgOpenWallet{Owner: addr.Bytes(), KycHash: kyc[:], Tier: 2},
		&walletv1.MsgDeposit{Wallet: addr.Bytes(), Denom: "CNY", Amount: 777, Reference: "fork-1"},
	} {
		if last, err = c.Submit(ctx, bank, msg, client.TxOptions{}, true); err != nil {
			t.Fatalf("%T: %v", msg, err)
		}
	}
	c.Close()
	exportAt := last.Height + 1
	if err := p.WaitForHeight(ctx, exportAt+3); err != nil {
		t.Fatal(err)
	}
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}

	home := pn.Net.Nodes[0].Home
	out := filepath.Join(t.TempDir(), "genesis.json")
	if b, err := exec.CommandContext(ctx, pn.Bin, "export", "--home", home, "--height", strconv.FormatInt(exportAt, 10), "--chain-id", "ledgerd-fork",
		"--out", out).CombinedOutput(); err != nil {
		t.Fatalf("ledgerd export: %v\n%s", err, b)
	}
	doc, err := cmttypes.GenesisDocFromFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if doc.InitialHeight != exportAt+1 || doc.ChainID != "ledgerd-fork" || len(doc.Validators) != 1 {
		t.Fatalf("exported genesis: initial height %d, chain %s, %d validators", doc.InitialHeight, doc.ChainID, len(doc.Validators))
	}
	var appState map[string]json.RawMessage
	if err := json.Unmarshal(doc.AppState, &appState); err != nil || len(appState["export"]) == 0 {
		t.Fatalf("exported app_state: %v", err)
	}

	// The same validator on the new chain: its state and blocks start
	// afresh (a new chain id), its keys and config stay.
	for _, dir := range []string{"data"} {
		if err := os.RemoveAll(filepath.Join(home, dir)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(home, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "data", "priv_validator_state.json"), []byte(`{"height":"0","round":0,"step":0}`), 0o600); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "config", "genesis.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	if err := p.WaitForHeight(ctx, exportAt+3); err != nil {
		t.Fatal(err)
	}
	nc, err := client.New(p.RPC(), client.WithTrustDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	st, err := nc.RPC().Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.NodeInfo.Network != "ledgerd-fork" || st.SyncInfo.EarliestBlockHeight != exportAt+1 {
		t.Fatalf("new chain %s, earliest block %d, want ledgerd-fork from %d", st.NodeInfo.Network, st.SyncInfo.EarliestBlockHeight, exportAt+1)
	}
	w, proven, err := walletclient.New(nc).VerifiedWallet(ctx, addr, 0)
	if err != nil {
		t.Fatal(err)
	}
	if wallet.Balance(w, "CNY") != 777 || proven.Height <= exportAt {
		t.Fatalf("new chain proves %v at height %d", w, proven.Height)
	}
	h, err := nc.VerifiedHistory(ctx, walletHistory(addr.Bytes()), addr.Bytes(), 0)
	if err != nil {
		t.Fatalf("history on the new chain: %v", err)
	}
	if len(h.Entries) != 2 || h.Entries[1].Height > exportAt {
		t.Fatalf("new chain's verified history: %d entries", len(h.Entries))
	}
}
