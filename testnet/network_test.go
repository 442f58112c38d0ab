package testnet

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/keys"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/wallet"
	"github.com/ledgerd/ledgerd/x/wallet/walletclient"
)

// TestFourBankNetwork generates a network of four member banks, runs each
// bank's validator as a process, and checks that they make the same blocks
// with the same app hashes, and that a payment made through one bank's node
// is proven through another's; and that a node whose id no member declared
// is refused by every member (filter_peers).
func TestFourBankNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("runs four node processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin := testBinary(ctx, t)
	base, err := FreeBase(50) // 4 nodes and the outsider, 10 ports each
	if err != nil {
		t.Fatal(err)
	}
	net, err := Generate(GenOptions{Dir: filepath.Join(dir, "net"), Validators: 4, BasePort: base,
		Passphrase: "localnet", LightScrypt: true, BlockInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var procs []*Process
	for _, n := range net.Nodes {
		p := &Process{Bin: bin, Home: n.Home, RPCPort: n.RPCPort, P2PPort: n.P2PPort, Args: []string{"--log_level", "error"}}
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
		defer p.Stop()
		procs = append(procs, p)
	}
	for _, p := range procs {
		if err := p.WaitForHeight(ctx, 6); err != nil {
			t.Fatal(err)
		}
	}
	clients := make([]*client.Client, len(procs))
	for i, p := range procs {
		if clients[i], err = client.New(p.RPC(), client.WithTrustDir(t.TempDir())); err != nil {
			t.Fatal(err)
		}
		defer clients[i].Close()
	}
	for h := int64(1); h <= 5; h++ {
		var hash, appHash []byte
		for i, c := range clients {
			b, err := c.RPC().Block(ctx, &h)
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				hash, appHash = b.BlockID.Hash, b.Block.AppHash
				continue
			}
			if !bytes.Equal(b.BlockID.Hash, hash) || !bytes.Equal(b.Block.AppHash, appHash) {
				t.Fatalf("height %d: node%d has block %X app hash %X, node0 %X %X", h, i, b.BlockID.Hash, b.Block.AppHash, hash, appHash)
			}
		}
	}

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
	var last *client.TxResult
	for _, msg := range []client.Msg{
		&walletv1.MsgOpenWallet{Owner: addr.Bytes(), KycHash: kyc[:], Tier: 2},
		&walletv1.MsgDeposit{Wallet: addr.Bytes(), Denom: "CNY", Amount: 12_345, Reference: "net-1"},
	} {
		if last, err = clients[1].Submit(ctx, bank, msg, client.TxOptions{}, true); err != nil {
			t.Fatalf("%T through node1: %v", msg, err)
		}
	}
	// node1 reported the commit; node3 may be a block behind it.
	if _, err := clients[3].WaitForTx(ctx, last.Hash, 30*time.Second); err != nil {
		t.Fatalf("node3 never committed the deposit node1 committed: %v", err)
	}
	w, proven, err := walletclient.New(clients[3]).VerifiedWallet(ctx, addr, 0)
	if err != nil {
		t.Fatal(err)
	}
	if wallet.Balance(w, "CNY") != 12_345 || w.Bank != "bank-2" {
		t.Fatalf("node3 proves %v at height %d", w, proven.Height)
	}

	checkOutsiderRefused(ctx, t, bin, dir, base+40, net)
}

// checkOutsiderRefused starts a node with the network's genesis whose id no
// member declared, peered with every member node, and checks that none of
// them admits it: it stays without peers and blocks.
func checkOutsiderRefused(ctx context.Context, t *testing.T, bin, dir string, port int, net *Network) {
	home := filepath.Join(dir, "outsider")
	cfg := cmtcfg.DefaultConfig().SetRoot(home)
	cmtcfg.EnsureRoot(home)
	nodeKey, err := p2p.LoadOrGenNodeKey(cfg.NodeKeyFile())
	if err != nil {
		t.Fatal(err)
	}
	privval.LoadOrGenFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
	var peers []string
	for _, n := range net.Nodes {
		peers = append(peers, fmt.Sprintf("%s@127.0.0.1:%d", n.ID, n.P2PPort))
	}
	cfg.P2P.PersistentPeers = strings.Join(peers, ",")
	cfg.P2P.AddrBookStrict, cfg.P2P.AllowDuplicateIP = false, true
	cmtcfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), cfg)
	genesis, err := os.ReadFile(filepath.Join(net.Nodes[0].Home, "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg.GenesisFile(), genesis, 0o644); err != nil {
		t.Fatal(err)
	}
	outsider := &Process{Bin: bin, Home: home, RPCPort: port + 1, P2PPort: port, Args: []string{"--log_level", "p2p:info,*:error"}}
	if err := outsider.Start(); err != nil {
		t.Fatal(err)
	}
	defer outsider.Stop()
	oc, err := rpchttp.New(outsider.RPC(), "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	// Dial attempts repeat every few seconds; give them time to be refused.
	time.Sleep(8 * time.Second)
	st, err := oc.Status(ctx)
	if err != nil {
		t.Fatalf("outsider status: %v", err)
	}
	if st.SyncInfo.LatestBlockHeight > 0 {
		t.Errorf("outsider synced to height %d", st.SyncInfo.LatestBlockHeight)
	}
	for _, n := range net.Nodes {
		c, err := rpchttp.New(fmt.Sprintf("tcp://127.0.0.1:%d", n.RPCPort), "/websocket")
		if err != nil {
			t.Fatal(err)
		}
		info, err := c.NetInfo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range info.Peers {
			if p.NodeInfo.ID() == nodeKey.ID() {
				t.Errorf("%s admitted the outsider %s as a peer", n.Name, nodeKey.ID())
			}
		}
		if len(info.Peers) != len(net.Nodes)-1 {
			t.Errorf("%s has %d peers, want the %d other members' nodes", n.Name, len(info.Peers), len(net.Nodes)-1)
		}
	}
	if info, err := oc.NetInfo(ctx); err != nil || info.NPeers != 0 {
		t.Errorf("outsider has peers: %v %v", info, err)
	}
}
