package walletclient_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/clienttest"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/wallet"
	"github.com/ledgerd/ledgerd/x/wallet/walletclient"
)

var (
	ownerA = common.HexToAddress("0x00000000000000000000000000000000000000aa")
	ownerB = common.HexToAddress("0x00000000000000000000000000000000000000bb")
)

// newNode is a fake node serving the consortium and wallet modules, with
// members bank-a and bank-b, and wallet parameters carrying CNY, at height
// 1; then ownerA's wallet holding 501 CNY, issued 500 by bank-a and 1 by
// bank-b, at height 3; a block every 10 ms after that.
func newNode(t *testing.T) *clienttest.FakeNode {
	f := clienttest.NewFakeNode(t, []string{consortium.StoreName, wallet.StoreName})
	f.ServeModule(consortium.New(nil))
	f.ServeModule(wallet.New(nil, nil).Module())
	f.SetProto(consortium.StoreName, consortium.ParamsKey(), &consortiumv1.Params{ChainNumericId: clienttest.NumericID})
	for _, id := range []string{"bank-a", "bank-b"} {
		f.SetProto(consortium.StoreName, consortium.MemberKey(id), &consortiumv1.Member{Id: id})
	}
	f.SetProto(wallet.StoreName, wallet.ParamsKey(), &walletv1.Params{Denoms: []string{"CNY"}})
	f.Produce(1)
	f.SetProto(wallet.StoreName, wallet.WalletKey(ownerA[:]), &walletv1.Wallet{Owner: ownerA[:], Bank: "bank-a", Tier: 2,
		Balances: []*walletv1.Coin{{Denom: "CNY", Amount: 501}}})
	f.SetProto(wallet.StoreName, wallet.SupplyKey("CNY"), &walletv1.Coin{Denom: "CNY", Amount: 501})
	f.SetProto(wallet.StoreName, wallet.IssuanceKey("bank-a", "CNY"), &walletv1.Issuance{Issuer: "bank-a", Denom: "CNY", Outstanding: 500, Held: 501})
	f.SetProto(wallet.StoreName, wallet.IssuanceKey("bank-b", "CNY"), &walletv1.Issuance{Issuer: "bank-b", Denom: "CNY", Outstanding: 1})
	f.Produce(2)
	f.StartBlocks(10 * time.Millisecond)
	return f
}

func TestPlain(t *testing.T) {
	f := newNode(t)
	c := walletclient.New(clienttest.NewClient(t, f))
	ctx := context.Background()
	if w, err := c.Wallet(ctx, ownerA); err != nil || w.Bank != "bank-a" {
		t.Fatalf("Wallet = %v, %v", w, err)
	}
	var nf *client.NotFoundError
	if _, err := c.Wallet(ctx, ownerB); !errors.As(err, &nf) || !errors.Is(err, client.ErrNotFound) || nf.Proven {
		t.Fatalf("missing wallet: %v", err)
	}
	if s, err := c.Supply(ctx, "CNY"); err != nil || s.Amount != 501 {
		t.Fatalf("Supply = %v, %v", s, err)
	}
	if s, err := c.Supply(ctx, "USD"); err != nil || s.Amount != 0 || s.Denom != "USD" {
		t.Fatalf("Supply(USD) = %v, %v", s, err)
	}
	if is, err := c.Issuances(ctx, "bank-a"); err != nil || len(is) != 1 || is[0].Outstanding != 500 {
		t.Fatalf("Issuances = %v, %v", is, err)
	}
	if _, err := c.Issuances(ctx, ""); err == nil {
		t.Fatal("Issuances accepted an empty issuer")
	}
	if err := c.Invariant(ctx); err != nil {
		t.Fatal(err)
	}

	// A broken invariant is the node's refusal.
	f.SetProto(wallet.StoreName, wallet.SupplyKey("CNY"), &walletv1.Coin{Denom: "CNY", Amount: 502})
	f.Produce(1)
	var qe *client.QueryError
	if err := c.Invariant(ctx); !errors.As(err, &qe) || !strings.Contains(err.Error(), "supply 502") {
		t.Fatalf("broken invariant: %v", err)
	}
}

func TestVerified(t *testing.T) {
	f := newNode(t)
	c := walletclient.New(clienttest.NewClient(t, f))
	ctx := context.Background()

	w, p, err := c.VerifiedWallet(ctx, ownerA, 0)
	if err != nil || w.Bank != "bank-a" || w.Tier != 2 || !p.Present() {
		t.Fatalf("VerifiedWallet = %v, %v", w, err)
	}
	f.CheckProven(t, p)
	var nf *client.NotFoundError
	if _, p, err := c.VerifiedWallet(ctx, ownerB, 0); !errors.As(err, &nf) || !nf.Proven || p == nil || p.Present() || nf.Height != p.Height {
		t.Fatalf("absent wallet: %v, %+v", err, p)
	}
	// Before the wallet was opened: proven absent.
	if _, p, err := c.VerifiedWallet(ctx, ownerA, 1); !errors.Is(err, client.ErrNotFound) || p.Height != 1 {
		t.Fatalf("height 1: %v", err)
	}
	if w, p, err := c.VerifiedWallet(ctx, ownerA, 3); err != nil || p.Height != 3 || w.Bank != "bank-a" {
		t.Fatalf("height 3: %v, %v", w, err)
	}

	if s, p, err := c.VerifiedSupply(ctx, "CNY", 0); err != nil || s.Amount != 501 || !p.Present() {
		t.Fatalf("supply %v, %v", s, err)
	}
	if s, p, err := c.VerifiedSupply(ctx, "USD", 0); err != nil || s.Amount != 0 || s.Denom != "USD" || p.Present() {
		t.Fatalf("absent supply %v, %v", s, err)
	}
	if is, _, err := c.VerifiedIssuance(ctx, "bank-a", "CNY", 0); err != nil || is.Outstanding != 500 {
		t.Fatalf("issuance %v, %v", is, err)
	}
	if is, p, err := c.VerifiedIssuance(ctx, "bank-c", "CNY", 0); err != nil || is.Outstanding != 0 || is.Issuer != "bank-c" || p.Present() {
		t.Fatalf("absent issuance %v, %v", is, err)
	}
	if _, _, err := c.VerifiedIssuance(ctx, "", "CNY", 0); err == nil {
		t.Fatal("VerifiedIssuance accepted an empty issuer")
	}
}

func TestVerifiedSupplyInvariant(t *testing.T) {
	f := newNode(t)
	c := walletclient.New(clienttest.NewClient(t, f))
	ctx := context.Background()

	check, err := c.VerifiedSupplyInvariant(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(check.Denoms) != 1 || !check.BalancesChecked {
		t.Fatalf("check %+v", check)
	}
	if d := check.Denoms[0]; d.Denom != "CNY" || d.Supply != 501 || d.SumIssued != 501 || d.Issued["bank-a"] != "500" || d.Issued["bank-b"] != "1" ||
		d.Held["bank-a"] != 501 || d.SumHeld != 501 {
		t.Fatalf("CNY %+v", d)
	}

	// Issuance that does not add up to the proven supply is caught by the
	// proofs, before the node's own check.
	f.SetProto(wallet.StoreName, wallet.IssuanceKey("bank-b", "CNY"), &walletv1.Issuance{Issuer: "bank-b", Denom: "CNY", Outstanding: 2})
	f.Produce(1)
	if _, err := c.VerifiedSupplyInvariant(ctx, 0); !errors.Is(err, client.ErrVerification) || !strings.Contains(err.Error(), "sums to 502") {
		t.Fatalf("broken supply: %v", err)
	}
	// Signed issuance (bank-b paid out money bank-a issued) adds up; a
	// bank whose holdings are left out of its record breaks the positions.
	f.SetProto(wallet.StoreName, wallet.IssuanceKey("bank-a", "CNY"), &walletv1.Issuance{Issuer: "bank-a", Denom: "CNY", Outstanding: 600, Held: 400})
	f.SetProto(wallet.StoreName, wallet.IssuanceKey("bank-b", "CNY"), &walletv1.Issuance{Issuer: "bank-b", Denom: "CNY", Outstanding: 99, Negative: true, Held: 100})
	f.Produce(1)
	if _, err := c.VerifiedSupplyInvariant(ctx, 0); !errors.Is(err, client.ErrVerification) || !strings.Contains(err.Error(), "hold sums to 500") {
		t.Fatalf("positions not summing to zero: %v", err)
	}
}
