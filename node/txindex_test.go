package node_test

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/ledgerd/ledgerd/client"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
)

// TestTxIndexRepairedAtStart commits a transaction, stops the node, loses
// CometBFT's tx index (as a kill between a block's tx events and the
// indexer's write does for that block), and checks that the restarted node
// finds the transaction by hash again, at its height with its result.
func TestTxIndexRepairedAtStart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	home := initHome(t, "ledgerd-txindex")
	tn, err := newTestNode(t, home, nil)
	if err != nil {
		t.Fatal(err)
	}
	tn.start(ctx, t, 2)
	bank := bankKey(t, home)
	alice, _ := crypto.GenerateKey()
	kyc := sha256.Sum256([]byte("kyc"))
	opened, err := tn.c.Submit(ctx, bank, &walletv1.MsgOpenWallet{Owner: crypto.PubkeyToAddress(alice.PublicKey).Bytes(), KycHash: kyc[:], Tier: 1},
		client.TxOptions{}, true)
	if err != nil {
		t.Fatal(err)
	}
	tn.stop(t)

	if err := os.RemoveAll(filepath.Join(home, "data", "tx_index.db")); err != nil {
		t.Fatal(err)
	}
	tn, err = newTestNode(t, home, nil)
	if err != nil {
		t.Fatal(err)
	}
	tn.start(ctx, t, opened.Height+1)
	defer tn.stop(t)
	r, err := tn.c.RPC().Tx(ctx, opened.Hash, false)
	if err != nil {
		t.Fatalf("the committed tx is not found after the restart: %v", err)
	}
	if r.Height != opened.Height || r.TxResult.Code != 0 {
		t.Fatalf("tx at height %d code %d, was committed at %d with code 0", r.Height, r.TxResult.Code, opened.Height)
	}
}
