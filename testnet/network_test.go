package testnet

import (
	"bytes"
	"context"
	"crypto/sha256"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/keys"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// TestFourBankNetwork generates a network of four member banks, runs each
// bank's validator as a process, and checks that they make the same blocks
// with the same app hashes, and that a payment made through one bank's node
// is proven through another's.
func TestFourBankNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("runs four node processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin, err := BuildBinary(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	base, err := FreeBase(40)
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
	for _, msg := range []client.Msg{
		&walletv1.MsgOpenWallet{Owner: addr.Bytes(), KycHash: kyc[:], Tier: 2},
		&walletv1.MsgDeposit{Wallet: addr.Bytes(), Denom: "CNY", Amount: 12_345, Reference: "net-1"},
	} {
		if _, err := clients[1].Submit(ctx, bank, msg, client.TxOptions{}, true); err != nil {
			t.Fatalf("%T through node1: %v", msg, err)
		}
	}
	w, proven, err := clients[3].VerifiedWallet(ctx, addr, 0)
	if err != nil {
		t.Fatal(err)
	}
	if wallet.Balance(w, "CNY") != 12_345 || w.Bank != "bank-2" {
		t.Fatalf("node3 proves %v at height %d", w, proven.Height)
	}
}
