package settleclient_test

import (
	"context"
	"errors"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/clienttest"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	settlev1 "github.com/ledgerd/ledgerd/proto/ledgerd/settle/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/settle"
	"github.com/ledgerd/ledgerd/x/settle/settleclient"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// newNode serves two banks: bank-a issued 500 and its customers hold 200
// (it owes 300), bank-b issued -100 and its customers hold 200 (owed 300);
// cycle 1 settles it through the agent, its first leg paid.
func newNode(t *testing.T) *clienttest.FakeNode {
	f := clienttest.NewFakeNode(t, []string{consortium.StoreName, wallet.StoreName, settle.StoreName})
	f.ServeModule(consortium.New(nil))
	f.ServeModule(settle.New(nil, nil).Module())
	f.SetProto(consortium.StoreName, consortium.ParamsKey(), &consortiumv1.Params{ChainNumericId: clienttest.NumericID})
	f.SetProto(wallet.StoreName, wallet.IssuanceKey("bank-a", "CNY"), &walletv1.Issuance{Issuer: "bank-a", Denom: "CNY", Outstanding: 500, Held: 200})
	f.SetProto(wallet.StoreName, wallet.IssuanceKey("bank-b", "CNY"), &walletv1.Issuance{Issuer: "bank-b", Denom: "CNY", Outstanding: 100, Negative: true, Held: 200})
	f.SetProto(settle.StoreName, settle.CycleKey(1), &settlev1.Cycle{Id: 1, Denom: "CNY", Agent: "cnaps", Legs: 2,
		Status: settlev1.CycleStatus_CYCLE_STATUS_OPEN, Nets: []*settlev1.Net{{Bank: "bank-a", Owes: 300}, {Bank: "bank-b", Owed: 300}}})
	f.SetProto(settle.StoreName, settle.LegKey(1, 0), &settlev1.Leg{Cycle: 1, Index: 0, Payer: "bank-a", Payee: "cnaps", Denom: "CNY", Amount: 300,
		Status: settlev1.LegStatus_LEG_STATUS_PAID, Reference: "HV-1", PaidHeight: 1})
	f.SetProto(settle.StoreName, settle.LegKey(1, 1), &settlev1.Leg{Cycle: 1, Index: 1, Payer: "cnaps", Payee: "bank-b", Denom: "CNY", Amount: 300,
		Status: settlev1.LegStatus_LEG_STATUS_DUE})
	f.SetProto(settle.StoreName, settle.InflightKey("bank-a", "CNY"), &settlev1.Inflight{Bank: "bank-a", Denom: "CNY", ToPay: 300})
	f.SetProto(settle.StoreName, settle.InflightKey("bank-b", "CNY"), &settlev1.Inflight{Bank: "bank-b", Denom: "CNY", ToReceive: 300})
	f.SetProto(settle.StoreName, settle.InflightKey("cnaps", "CNY"), &settlev1.Inflight{Bank: "cnaps", Denom: "CNY", ToPay: 300, ToReceive: 300})
	f.SetProto(settle.StoreName, settle.BreachKey("bank-a", 1, byte(settlev1.BreachKind_BREACH_KIND_CAP)),
		&settlev1.Breach{Bank: "bank-a", Cycle: 1, Kind: settlev1.BreachKind_BREACH_KIND_CAP, Denom: "CNY", Amount: 300})
	f.Produce(2)
	f.StartBlocks(10 * time.Millisecond)
	return f
}

// TestVerified: positions, legs and breaches computed over proven reads
// are what the records say; a node that alters a proven answer is caught.
func TestVerified(t *testing.T) {
	f := newNode(t)
	c := settleclient.New(clienttest.NewClient(t, f))
	ctx := context.Background()
	ps, reads, err := c.VerifiedPositions(ctx, "CNY", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(reads.Proofs()) == 0 || len(ps.Positions) != 2 {
		t.Fatalf("positions %v, %d proofs", ps, len(reads.Proofs()))
	}
	a, b := ps.Positions[0], ps.Positions[1]
	if a.Bank != "bank-a" || a.Owes != 300 || a.ToPay != 300 || b.Bank != "bank-b" || b.Owed != 300 || !b.OutstandingNegative || b.ToReceive != 300 {
		t.Fatalf("positions %v", ps)
	}
	legs, _, err := c.VerifiedLegs(ctx, 1, 0)
	if err != nil || len(legs) != 2 || legs[0].Reference != "HV-1" || legs[1].Payee != "bank-b" {
		t.Fatalf("legs %v, %v", legs, err)
	}
	if _, _, err := c.VerifiedLegs(ctx, 2, 0); !errors.Is(err, settle.ErrCycleNotFound) {
		t.Fatalf("legs of a cycle that does not exist: %v", err)
	}
	breaches, _, err := c.VerifiedBreaches(ctx, "", 0)
	if err != nil || len(breaches) != 1 || breaches[0].Bank != "bank-a" {
		t.Fatalf("breaches %v, %v", breaches, err)
	}
	if none, _, err := c.VerifiedBreaches(ctx, "bank-b", 0); err != nil || len(none) != 0 {
		t.Fatalf("bank-b's breaches %v, %v", none, err)
	}
	cy, p, err := c.VerifiedCycle(ctx, 1, 0)
	if err != nil || cy.Legs != 2 || !p.Present() {
		t.Fatalf("cycle %v, %v", cy, err)
	}
	plain, err := c.Cycle(ctx, 1)
	if err != nil || plain.Agent != "cnaps" {
		t.Fatalf("Cycle = %v, %v", plain, err)
	}

	if _, err := c.VerifiedInvariant(ctx, 0); err != nil {
		t.Fatal(err)
	}
	// A confirmed leg without a recorded payment breaks it.
	f.SetProto(settle.StoreName, settle.LegKey(1, 0), &settlev1.Leg{Cycle: 1, Index: 0, Payer: "bank-a", Payee: "cnaps", Denom: "CNY", Amount: 300,
		Status: settlev1.LegStatus_LEG_STATUS_CONFIRMED})
	f.Produce(1)
	if _, err := c.VerifiedInvariant(ctx, 0); err == nil || errors.Is(err, client.ErrVerification) {
		t.Fatalf("a leg settled without a payment: %v", err)
	}
	f.SetProto(settle.StoreName, settle.LegKey(1, 0), &settlev1.Leg{Cycle: 1, Index: 0, Payer: "bank-a", Payee: "cnaps", Denom: "CNY", Amount: 300,
		Status: settlev1.LegStatus_LEG_STATUS_PAID, Reference: "HV-1", PaidHeight: 1})
	f.Produce(1)

	// A node that alters what it proves is caught.
	f.SetTamper(func(q *abci.ResponseQuery) {
		if len(q.Value) > 0 {
			q.Value = append([]byte{}, q.Value...)
			q.Value[len(q.Value)-1] ^= 1
		}
	})
	if _, _, err := c.VerifiedCycle(ctx, 1, 0); !errors.Is(err, client.ErrVerification) {
		t.Fatalf("tampered cycle: %v", err)
	}
	if _, _, err := c.VerifiedPositions(ctx, "CNY", 0); !errors.Is(err, client.ErrVerification) {
		t.Fatalf("tampered positions: %v", err)
	}
	if _, _, err := c.VerifiedLegs(ctx, 1, 0); !errors.Is(err, client.ErrVerification) {
		t.Fatalf("tampered legs: %v", err)
	}
}
