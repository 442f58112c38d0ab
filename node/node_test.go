package node_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/ledgerd/ledgerd/client"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/consortium/consortiumclient"
	"github.com/ledgerd/ledgerd/x/wallet"
	"github.com/ledgerd/ledgerd/x/wallet/walletclient"
)

// TestPaymentEndToEnd starts a real node (CometBFT in-process), makes the
// README's first payment through the client library over RPC, and checks
// the balances with proofs verified against light-client-verified headers.
func TestPaymentEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	home := initHome(t, "ledgerd-e2e")
	tn, err := newTestNode(t, home, nil)
	if err != nil {
		t.Fatal(err)
	}
	tn.start(ctx, t, 2)
	defer tn.stop(t)
	c := tn.c
	wc := walletclient.New(c)

	bank := bankKey(t, home)
	member, err := consortiumclient.New(c).Member(ctx, "demo-bank")
	if err != nil {
		t.Fatal(err)
	}
	if got := crypto.PubkeyToAddress(bank.PublicKey); len(member.Operators) != 1 || common.BytesToAddress(member.Operators[0]) != got {
		t.Fatalf("keyring operator %s is not the genesis operator of demo-bank %x", got.Hex(), member.Operators)
	}
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

	w, proven, err := wc.VerifiedWallet(ctx, bobAddr, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := wallet.Balance(w, "CNY"); got != 25_000 {
		t.Fatalf("bob's verified balance %d, want 25000", got)
	}
	if proven.Height < paid.Height || proven.HeaderHeight != proven.Height+1 {
		t.Fatalf("proof at height %d (header %d), payment in %d", proven.Height, proven.HeaderHeight, paid.Height)
	}
	// The state before the payment is provable too, and shows no balance.
	before, _, err := wc.VerifiedWallet(ctx, bobAddr, paid.Height-1)
	if err != nil {
		t.Fatal(err)
	}
	if got := wallet.Balance(before, "CNY"); got != 0 {
		t.Fatalf("bob's balance before the payment %d, want 0", got)
	}
	aw, _, err := wc.VerifiedWallet(ctx, aliceAddr, 0)
	if err != nil || wallet.Balance(aw, "CNY") != 75_000 || aw.Nonce != 1 {
		t.Fatalf("alice: %v, %v", aw, err)
	}
	supply, _, err := wc.VerifiedSupply(ctx, "CNY", 0)
	if err != nil || supply.Amount != 100_000 {
		t.Fatalf("supply %v, %v", supply, err)
	}
	if err := wc.Invariant(ctx); err != nil {
		t.Fatal(err)
	}
	check, err := wc.VerifiedSupplyInvariant(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(check.Denoms) != 1 || check.Denoms[0].Supply != 100_000 || check.Denoms[0].Issued["demo-bank"] != "100000" || !check.BalancesChecked {
		t.Fatalf("proven supply invariant: %+v %+v", check, check.Denoms[0])
	}

	// A wallet that does not exist is proven absent, not just reported so.
	stranger, _ := crypto.GenerateKey()
	_, _, err = wc.VerifiedWallet(ctx, crypto.PubkeyToAddress(stranger.PublicKey), 0)
	if !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("stranger's wallet: %v, want ErrNotFound", err)
	}

	// A replayed payment is refused with its code and changes nothing.
	_, raw, err := c.BuildTx(ctx, alice, &walletv1.MsgTransfer{To: bobAddr.Bytes(), Denom: "CNY", Amount: 1}, client.TxOptions{Nonce: new(uint64)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.BroadcastAndWait(ctx, raw, 10*time.Second)
	var txErr *client.TxError
	if !errors.As(err, &txErr) || txErr.Codespace != "auth" || txErr.Code != 13 {
		t.Fatalf("replay: %v, want auth/13 nonce too low", err)
	}
}
