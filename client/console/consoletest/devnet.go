// Package consoletest runs what the console's tests need: a one-node demo
// devnet with a payment on it (Devnet), and a relay in front of a node
// that tampers with its answers (Tamper).
package consoletest

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/keys"
	"github.com/ledgerd/ledgerd/node"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/testnet"
)

// Devnet is a running one-node demo chain ("demo-bank", CNY with two
// decimals) on which Alice got a deposit of 1000.00 CNY and paid Bob
// 250.50 CNY.
type Devnet struct {
	// RPC is the node's RPC URL (http://127.0.0.1:port).
	RPC    string
	Client *client.Client
	Alice  common.Address
	Bob    common.Address
	// Bank signs for demo-bank, the devnet's bank and validator.
	Bank *ecdsa.PrivateKey
	// AliceKey is Alice's key; Auditor signs for demo-auditor, the demo's
	// auditor and credit bureau.
	AliceKey, Auditor *ecdsa.PrivateKey
}

// NewDevnet starts the devnet and makes the payment; it stops when the
// test ends.
func NewDevnet(t testing.TB) *Devnet {
	t.Helper()
	home := t.TempDir()
	if _, err := node.Init(node.InitOptions{Home: home, ChainID: "console-test", Moniker: "demo-bank", Demo: true,
		Passphrase: "secret", LightScrypt: true, BlockInterval: 200 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	cmt, err := node.LoadCometConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	rpcPort, err := testnet.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	p2pPort, err := testnet.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	cmt.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", rpcPort)
	cmt.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", p2pPort)
	cmt.Instrumentation.Prometheus = false
	cmt.LogLevel = "error"
	cfg := node.DefaultConfig()
	cfg.Metrics.Enabled = false
	n, err := node.New(home, cmt, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := n.Stop(); err != nil {
			t.Errorf("stop the devnet: %v", err)
		}
	})
	d := &Devnet{RPC: fmt.Sprintf("http://127.0.0.1:%d", rpcPort)}
	if d.Client, err = client.New(d.RPC); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Client.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for h, _ := d.Client.LatestHeight(ctx); h < 2; h, _ = d.Client.LatestHeight(ctx) {
		select {
		case <-ctx.Done():
			t.Fatal("the devnet made no blocks")
		case <-time.After(50 * time.Millisecond):
		}
	}
	kr, err := keys.Open(node.KeyringDir(home), keys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	bank, err := kr.Key("demo-bank", "secret")
	if err != nil {
		t.Fatal(err)
	}
	d.Bank = bank
	if d.Auditor, err = kr.Key("demo-auditor", "secret"); err != nil {
		t.Fatal(err)
	}
	alice, bob := newKey(t), newKey(t)
	d.Alice, d.Bob = crypto.PubkeyToAddress(alice.PublicKey), crypto.PubkeyToAddress(bob.PublicKey)
	d.AliceKey = alice
	kyc := sha256.Sum256([]byte("KYC record"))
	d.Send(t, bank, &walletv1.MsgOpenWallet{Owner: d.Alice[:], KycHash: kyc[:], Tier: 2})
	d.Send(t, bank, &walletv1.MsgOpenWallet{Owner: d.Bob[:], KycHash: kyc[:], Tier: 3})
	d.Send(t, bank, &walletv1.MsgDeposit{Wallet: d.Alice[:], Denom: "CNY", Amount: 100000, Reference: "CASH-1"})
	d.Send(t, alice, &walletv1.MsgTransfer{To: d.Bob[:], Denom: "CNY", Amount: 25050, Memo: "dinner"})
	// The console proves the newest state whose app hash is in a header
	// the node has (one below its latest): wait until that includes the
	// payment.
	paid, err := d.Client.LatestHeight(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for h := paid; h < paid+2; h, _ = d.Client.LatestHeight(ctx) {
		select {
		case <-ctx.Done():
			t.Fatal("the devnet stopped making blocks")
		case <-time.After(50 * time.Millisecond):
		}
	}
	return d
}

// Loan offers Alice a 6000.00 CNY line of the demo's "instant-12m"
// product (attesting her to a credit subject), which she accepts and
// draws: loan 1. It waits until the console's proven state includes it.
func (d *Devnet) Loan(t testing.TB) {
	t.Helper()
	contract, subject := sha256.Sum256([]byte("contract")), sha256.Sum256([]byte("Alice's ID"))
	d.Send(t, d.Bank, &creditv1.MsgOfferLine{Product: "instant-12m", Borrower: d.Alice[:], Denom: "CNY", Limit: 600000,
		Expires: time.Now().Add(72 * time.Hour).Unix(), ContractHash: contract[:], Subject: subject[:]})
	d.Send(t, d.AliceKey, &creditv1.MsgAcceptLine{Line: 1, Denom: "CNY", Limit: 600000, RateBps: 1800, PenaltyRateBps: 500,
		TermMonths: 12, ContractHash: contract[:]})
	d.Send(t, d.AliceKey, &creditv1.MsgDrawLoan{Line: 1, Denom: "CNY", Amount: 600000})
	d.settle(t)
}

// WriteOff writes loan 1 off, which opens collection case 1 at once: by
// governance (proposal id, demo-bank and demo-auditor voting) demo-bank
// gets a second operator, who approves the write-off (four eyes).
func (d *Devnet) WriteOff(t testing.TB, proposal uint64) {
	t.Helper()
	checker := newKey(t)
	doc := sha256.Sum256([]byte("second operator"))
	d.Send(t, d.Bank, &govv1.MsgSubmitProposal{Title: "A checker for demo-bank", DocumentHash: doc[:], VotingEnd: time.Now().Add(2 * time.Hour).Unix(),
		Action: &govv1.Action{Kind: &govv1.Action_SetOperators{SetOperators: &govv1.SetOperators{MemberId: "demo-bank",
			Operators: [][]byte{crypto.PubkeyToAddress(d.Bank.PublicKey).Bytes(), crypto.PubkeyToAddress(checker.PublicKey).Bytes()}}}}})
	d.Send(t, d.Bank, &govv1.MsgVote{ProposalId: proposal, Option: govv1.VoteOption_VOTE_OPTION_YES})
	d.Send(t, d.Auditor, &govv1.MsgVote{ProposalId: proposal, Option: govv1.VoteOption_VOTE_OPTION_YES})
	d.Send(t, d.Bank, &creditv1.MsgWriteOffLoan{Loan: 1, Reason: "fraud suspected", Expires: time.Now().Add(72 * time.Hour).Unix()})
	d.Send(t, checker, &creditv1.MsgApproveLoanAction{Loan: 1, Pending: 1})
	d.settle(t)
}

// settle waits until the newest state whose app hash is in a header the
// node has includes the last transaction.
func (d *Devnet) settle(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done, err := d.Client.LatestHeight(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for h := done; h < done+2; h, _ = d.Client.LatestHeight(ctx) {
		select {
		case <-ctx.Done():
			t.Fatal("the devnet stopped making blocks")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Send signs msg with key, broadcasts it and waits for it to commit.
func (d *Devnet) Send(t testing.TB, key *ecdsa.PrivateKey, msg client.Msg) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, raw, err := d.Client.BuildTx(ctx, key, msg, client.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Client.BroadcastAndWait(ctx, raw, 20*time.Second); err != nil {
		t.Fatalf("%T: %v", msg, err)
	}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}
