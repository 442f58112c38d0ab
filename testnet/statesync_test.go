package testnet

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/ethereum/go-ethereum/crypto"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/keys"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/history"
	"github.com/ledgerd/ledgerd/x/wallet"
	"github.com/ledgerd/ledgerd/x/wallet/walletclient"
)

// TestStateSyncJoin runs four member banks' validators taking a snapshot
// every 10 blocks, then has a new bank's node join by state sync
// (`ledgerd statesync` to configure it): it starts from a snapshot, not
// from block 1, catches up with the network, and proves a wallet's balance
// and its complete history (the history index restored from the snapshot,
// verified against the proven accumulator) through its own RPC.
func TestStateSyncJoin(t *testing.T) {
	if testing.Short() {
		t.Skip("runs five node processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin := testBinary(ctx, t)
	base, err := FreeBase(50)
	if err != nil {
		t.Fatal(err)
	}
	net, err := Generate(GenOptions{Dir: filepath.Join(dir, "net"), Validators: 4, FullNodes: 1, FullNodeMembers: true,
		BasePort: base, Passphrase: "localnet", LightScrypt: true, BlockInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	const interval = 10
	var procs []*Process
	for _, n := range net.Nodes[:4] {
		p := &Process{NodeName: n.Name, Bin: bin, Home: n.Home, RPCPort: n.RPCPort, P2PPort: n.P2PPort,
			Args: []string{"--log_level", "error", "--snapshots.interval", fmt.Sprint(interval)}}
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = p.Stop() })
		procs = append(procs, p)
	}
	for _, p := range procs {
		if err := p.WaitForHeight(ctx, 3); err != nil {
			t.Fatal(err)
		}
	}

	// A wallet with a history before the snapshot.
	c1, err := client.New(procs[1].RPC(), client.WithTrustDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	kr, err := keys.Open(filepath.Join(dir, "net", "keyring"), keys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	bank, err := kr.Key("bank-2", "localnet")
	if err != nil {
		t.Fatal(err)
	}
	alice, _ := crypto.GenerateKey()
	addr := crypto.PubkeyToAddress(alice.PublicKey)
	kyc := sha256.Sum256(addr.Bytes())
	for _, msg := range []client.Msg{
		&walletv1.MsgOpenWallet{Owner: addr.Bytes(), KycHash: kyc[:], Tier: 2},
		&walletv1.MsgDeposit{Wallet: addr.Bytes(), Denom: "CNY", Amount: 12_345, Reference: "sync-1"},
		&walletv1.MsgDeposit{Wallet: addr.Bytes(), Denom: "CNY", Amount: 5, Reference: "sync-2"},
	} {
		if _, err := c1.Submit(ctx, bank, msg, client.TxOptions{}, true); err != nil {
			t.Fatalf("%T: %v", msg, err)
		}
	}
	if err := procs[0].WaitForHeight(ctx, 2*interval+2); err != nil {
		t.Fatal(err)
	}
	snaps, _ := filepath.Glob(filepath.Join(net.Nodes[0].Home, "data", "snapshots", "*-1", "metadata.json"))
	if len(snaps) == 0 {
		t.Fatalf("node0 took no snapshot by height %d", 2*interval+2)
	}

	// The new bank's node: configured by `ledgerd statesync`, started.
	joiner := net.Nodes[4]
	out, err := exec.CommandContext(ctx, bin, "statesync", "--home", joiner.Home, "--rpc-servers",
		procs[0].RPC()+","+procs[1].RPC()).CombinedOutput()
	if err != nil {
		t.Fatalf("ledgerd statesync: %v\n%s", err, out)
	}
	cfgPath := filepath.Join(joiner.Home, "config", "config.toml")
	cfg, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(cfg), "enable = true") {
		t.Fatalf("config.toml after ledgerd statesync:\n%s", cfg)
	}
	// Look for snapshots 5 s instead of 15 s: the peers are all there.
	cfg = []byte(strings.Replace(string(cfg), `discovery_time = "15s"`, `discovery_time = "5s"`, 1))
	if err := os.WriteFile(cfgPath, cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	jp := &Process{NodeName: joiner.Name, Bin: bin, Home: joiner.Home, RPCPort: joiner.RPCPort, P2PPort: joiner.P2PPort,
		Args: []string{"--log_level", "statesync:info,snapshots:info,*:error"}}
	if err := jp.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = jp.Stop() })
	jc, err := rpchttp.New(jp.RPC(), "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	r0, err := rpchttp.New(procs[0].RPC(), "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	var earliest int64
	for {
		st, err := jc.Status(ctx)
		tip, err0 := r0.Status(ctx)
		if err == nil && err0 == nil && !st.SyncInfo.CatchingUp && st.SyncInfo.LatestBlockHeight > 0 &&
			st.SyncInfo.LatestBlockHeight >= tip.SyncInfo.LatestBlockHeight-2 {
			earliest = st.SyncInfo.EarliestBlockHeight
			t.Logf("joined in %s: earliest block %d, height %d (network at %d)", time.Since(start).Round(time.Millisecond),
				earliest, st.SyncInfo.LatestBlockHeight, tip.SyncInfo.LatestBlockHeight)
			break
		}
		if exited, err := jp.Exited(); exited {
			t.Fatalf("joining node exited: %v (see %s)", err, filepath.Join(joiner.Home, "node.log"))
		}
		select {
		case <-ctx.Done():
			log, _ := os.ReadFile(filepath.Join(joiner.Home, "node.log"))
			t.Fatalf("joining node never caught up; its log ends:\n%s", log[max(0, len(log)-6000):])
		case <-time.After(200 * time.Millisecond):
		}
	}
	if earliest < interval {
		t.Fatalf("joining node's earliest block is %d: it replayed from the start instead of restoring a snapshot", earliest)
	}

	jcl, err := client.New(jp.RPC(), client.WithTrustDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer jcl.Close()
	w, proven, err := walletclient.New(jcl).VerifiedWallet(ctx, addr, 0)
	if err != nil {
		t.Fatal(err)
	}
	if wallet.Balance(w, "CNY") != 12_350 || w.Bank != "bank-2" {
		t.Fatalf("joining node proves %v at height %d", w, proven.Height)
	}
	h, err := jcl.VerifiedHistory(ctx, walletHistory(addr.Bytes()), addr.Bytes(), 0)
	if err != nil {
		t.Fatalf("history through the joining node: %v", err)
	}
	if len(h.Entries) != 3 || h.Entries[0].Height >= earliest {
		t.Fatalf("joining node's verified history: %d entries, first at height %d (earliest block %d)", len(h.Entries), h.Entries[0].Height, earliest)
	}
}

// walletHistory is where a wallet's history accumulator is proven.
func walletHistory(owner []byte) client.HistorySource {
	return client.HistorySource{Subject: wallet.HistorySubject, Store: wallet.StoreName, Key: wallet.WalletKey(owner),
		Chain: func(v []byte) (history.Chain, error) {
			w := new(walletv1.Wallet)
			if err := proto.Unmarshal(v, w); err != nil {
				return history.Chain{}, err
			}
			return history.Chain{Count: w.HistoryCount, Head: w.HistoryHead}, nil
		}}
}
