package settle_test

import (
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/app/apptest"
	settlev1 "github.com/ledgerd/ledgerd/proto/ledgerd/settle/v1"
	"github.com/ledgerd/ledgerd/x/settle"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// TestFourBanks is docs/settlement.md's worked example: a payment chain
// across four banks, redemptions at each, positions checked by hand; a
// cycle closed, a disputed leg paid again, every leg confirmed and the
// issuance re-attributed; a bank at its cap; a daily cycle with a late
// leg; a bilateral cycle.
func TestFourBanks(t *testing.T) {
	c := newChain(t, func(p *settlev1.Params) {
		p.Caps = []*settlev1.NetDebitCap{{Bank: bankD, Denom: "CNY", Cap: 300}}
	})
	a1, a2, b1, c1, d1 := testKey("a1"), testKey("a2"), testKey("b1"), testKey("c1"), testKey("d1")
	A, B, C, D, X := c.ops[bankA], c.ops[bankB], c.ops[bankC], c.ops[bankD], c.ops[agent]
	for _, o := range []struct {
		bank string
		w    common.Address
	}{{bankA, addr(a1)}, {bankA, addr(a2)}, {bankB, addr(b1)}, {bankC, addr(c1)}, {bankD, addr(d1)}} {
		c.ok(c.ops[o.bank], apptest.OpenWallet(o.w))
	}
	c.ok(A, deposit(addr(a1), 1000, "A-1"))
	c.ok(B, deposit(addr(b1), 500, "B-1"))
	c.ok(C, deposit(addr(c1), 200, "C-1"))
	c.ok(D, deposit(addr(d1), 800, "D-1"))
	c.wantPositions(nil)

	// The payment chain: D -> A, A -> B, B -> C, C -> A, and within A.
	c.ok(d1, apptest.Transfer(addr(a2), 600))
	c.ok(a1, apptest.Transfer(addr(b1), 400))
	c.ok(b1, apptest.Transfer(addr(c1), 300))
	c.ok(c1, apptest.Transfer(addr(a2), 50))
	before := c.h.Issuance(bankA)
	c.ok(a1, apptest.Transfer(addr(a2), 100))
	if after := c.h.Issuance(bankA); after.Held != before.Held {
		t.Fatalf("a payment within bank A changed what its wallets hold: %d -> %d", before.Held, after.Held)
	}
	// Held: A 500+750, B 600, C 450, D 200; issued: A 1000, B 500, C 200,
	// D 800. Position = issued - held.
	c.wantPositions(map[string]int64{bankA: -250, bankB: -100, bankC: -250, bankD: 600})

	// Redemptions at each bank, whoever issued the money: positions stay.
	c.ok(a2, apptest.Redeem(700, "pay-a2"))
	c.ok(b1, apptest.Redeem(600, "pay-b1")) // B issued 500: its issuance goes below zero
	c.ok(c1, apptest.Redeem(450, "pay-c1"))
	c.ok(d1, apptest.Redeem(100, "pay-d1"))
	c.wantPositions(map[string]int64{bankA: -250, bankB: -100, bankC: -250, bankD: 600})
	c.wantOutstanding(bankA, 300)
	c.wantOutstanding(bankB, -100)
	c.wantOutstanding(bankC, -250)
	c.wantOutstanding(bankD, 700)
	if c.h.Supply() != 650 {
		t.Fatalf("supply %d, want 2500 - 1850 redeemed", c.h.Supply())
	}

	// D is past its cap (300) already: it issues no more.
	c.refused(D, deposit(addr(d1), 1, "D-2"), settle.Codespace, settle.ErrIssuanceStopped.Code)

	// A cycle, called by A: D pays the agent 600, the agent pays C 250, A
	// 250 and B 100 (creditors in the order of the issuance records).
	c.ok(A, &settlev1.MsgCloseCycle{Denom: "CNY"})
	cy := c.cycle(1)
	if cy.Legs != 4 || cy.Kind != settlev1.CycleKind_CYCLE_KIND_EXTRA || cy.CalledBy != bankA || cy.Agent != agent ||
		cy.ClosedDay != int64(day(2025, 1, 1)) || cy.DeadlineDay != int64(day(2025, 1, 2)) {
		t.Fatalf("cycle %v", cy)
	}
	for i, want := range []struct {
		payer, payee string
		amount       uint64
	}{{bankD, agent, 600}, {agent, bankC, 250}, {agent, bankA, 250}, {agent, bankB, 100}} {
		if l := c.leg(1, uint32(i)); l.Payer != want.payer || l.Payee != want.payee || l.Amount != want.amount || l.Status != settlev1.LegStatus_LEG_STATUS_DUE {
			t.Fatalf("leg %d: %v, want %v", i, l, want)
		}
	}
	if b := c.view().Breaches(bankD); len(b) != 1 || b[0].Kind != settlev1.BreachKind_BREACH_KIND_CAP || b[0].Amount != 600 {
		t.Fatalf("D's breaches %v", b)
	}
	// Nothing more to settle while the legs are open.
	c.refused(B, &settlev1.MsgCloseCycle{Denom: "CNY"}, settle.Codespace, settle.ErrNothingToSettle.Code)

	// Refusals: the agent pays out before receiving; the wrong parties;
	// a leg confirmed before it is paid.
	c.refused(X, pay(1, 1, "HV-X1"), settle.Codespace, settle.ErrAgentShort.Code)
	c.refused(A, pay(1, 0, "HV-D1"), settle.Codespace, settle.ErrNotPayer.Code)
	c.refused(D, confirm(1, 0), settle.Codespace, settle.ErrNotPayee.Code)
	c.refused(X, confirm(1, 0), settle.Codespace, settle.ErrLegState.Code)
	c.refused(X, confirm(1, 9), settle.Codespace, settle.ErrLegNotFound.Code)
	c.refused(X, confirm(9, 0), settle.Codespace, settle.ErrCycleNotFound.Code)

	// D pays; the agent disputes (not received): recorded, D reported.
	c.ok(D, pay(1, 0, "HV-D1"))
	c.ok(X, &settlev1.MsgDisputeSettlement{Cycle: 1, Leg: 0, Reason: "HV-D1 not received"})
	if c.event("settle_breach", "kind") != "disputed" || c.event("settle_breach", "bank") != bankD {
		t.Fatalf("dispute not escalated: %v", c.events)
	}
	if l := c.leg(1, 0); l.Status != settlev1.LegStatus_LEG_STATUS_DISPUTED || l.Disputes != 1 || l.Dispute != "HV-D1 not received" {
		t.Fatalf("disputed leg %v", l)
	}
	c.refused(X, confirm(1, 0), settle.Codespace, settle.ErrLegState.Code)
	// D pays again; the agent confirms: 600 of issuance moves from D to
	// the agent, D's breaches lift, and D issues again.
	c.ok(D, pay(1, 0, "HV-D2"))
	c.ok(X, confirm(1, 0))
	c.wantOutstanding(bankD, 100)
	c.wantOutstanding(agent, 600)
	c.wantPositions(map[string]int64{bankA: -250, bankB: -100, bankC: -250, agent: 600})
	if b := c.view().Breaches(bankD); len(b) != 0 || c.event("settle_breach_cleared", "bank") != bankD {
		t.Fatalf("D's breaches after its leg is confirmed: %v", b)
	}
	c.ok(D, deposit(addr(d1), 200, "D-2"))

	// The agent pays the creditors, who confirm.
	for leg := uint32(1); leg <= 3; leg++ {
		c.ok(X, pay(1, leg, "HV-X"+string(rune('0'+leg))))
	}
	c.refused(X, pay(1, 1, "HV-again"), settle.Codespace, settle.ErrLegState.Code)
	c.ok(C, confirm(1, 1))
	c.ok(A, confirm(1, 2))
	c.ok(B, confirm(1, 3))
	if cy := c.cycle(1); cy.Status != settlev1.CycleStatus_CYCLE_STATUS_SETTLED || cy.Confirmed != 4 || cy.AgentReceived != 600 || cy.AgentPaid != 600 {
		t.Fatalf("cycle after its last leg: %v", cy)
	}
	c.wantPositions(nil)
	// Issuance re-attributed: each bank's issuance is what its customers
	// hold.
	c.wantOutstanding(bankA, 550)
	c.wantOutstanding(bankB, 0)
	c.wantOutstanding(bankC, 0)
	c.wantOutstanding(bankD, 300)
	c.wantOutstanding(agent, 0)
	c.refused(A, &settlev1.MsgCloseCycle{Denom: "CNY"}, settle.Codespace, settle.ErrNothingToSettle.Code)

	// The next day: D's customer pays A's 250. The daily cycle closes at
	// the first block of Thursday 2 January; D does not pay by its
	// deadline (Friday 3 January): late, reported, and it issues no more.
	c.ok(d1, apptest.Transfer(addr(a1), 250))
	c.block(at(2025, 1, 2, 9))
	cy = c.cycle(2)
	if cy.Kind != settlev1.CycleKind_CYCLE_KIND_DAILY || cy.Legs != 2 || cy.DeadlineDay != int64(day(2025, 1, 3)) || c.event("settle_cycle_closed", "cycle") != "2" {
		t.Fatalf("daily cycle %v", cy)
	}
	c.block(at(2025, 1, 2, 15)) // one daily cycle a day
	if c.view().LastCycle() != 2 {
		t.Fatalf("a second daily cycle on one day")
	}
	c.ok(D, deposit(addr(d1), 10, "D-3")) // not late yet, and within its cap
	c.block(at(2025, 1, 4, 9))            // Saturday: past the deadline
	if l := c.leg(2, 0); !l.Late || !c.cycle(2).Late {
		t.Fatalf("leg 0 of cycle 2 after its deadline: %v", l)
	}
	breaches := c.view().Breaches("")
	// By bank (ids length-prefixed: cnaps, then bank-d): the agent is late
	// paying A too, since it cannot pay out what D did not pay in.
	if len(breaches) != 2 || breaches[1].Bank != bankD || breaches[1].Kind != settlev1.BreachKind_BREACH_KIND_LATE ||
		breaches[0].Bank != agent {
		t.Fatalf("breaches after the deadline: %v", breaches)
	}
	c.refused(D, deposit(addr(d1), 1, "D-4"), settle.Codespace, settle.ErrIssuanceStopped.Code)
	c.ok(D, pay(2, 0, "HV-D3"))
	c.ok(X, confirm(2, 0))
	c.ok(X, pay(2, 1, "HV-X4"))
	c.ok(A, confirm(2, 1))
	if b := c.view().Breaches(""); len(b) != 0 {
		t.Fatalf("breaches after cycle 2 settled late: %v", b)
	}
	c.ok(D, deposit(addr(d1), 1, "D-4"))
	c.wantPositions(nil)

	// Bilateral, without the agent: B's customer pays C's 80; C's pays
	// B's 30. B and C settle the net 50 directly.
	c.ok(B, deposit(addr(b1), 100, "B-2"))
	c.ok(b1, apptest.Transfer(addr(c1), 80))
	c.ok(C, deposit(addr(c1), 30, "C-2"))
	c.ok(c1, apptest.Transfer(addr(b1), 30))
	c.refused(C, &settlev1.MsgCloseCycle{Denom: "CNY", With: bankA}, settle.Codespace, settle.ErrNothingToSettle.Code)
	c.refused(X, &settlev1.MsgCloseCycle{Denom: "CNY", With: bankB}, settle.Codespace, settle.ErrNotBank.Code)
	c.ok(C, &settlev1.MsgCloseCycle{Denom: "CNY", With: bankB})
	cy = c.cycle(3)
	if l := c.leg(3, 0); cy.Kind != settlev1.CycleKind_CYCLE_KIND_BILATERAL || cy.Legs != 1 || l.Payer != bankB || l.Payee != bankC || l.Amount != 50 {
		t.Fatalf("bilateral cycle %v, leg %v", cy, l)
	}
	c.ok(B, pay(3, 0, "HV-B1"))
	c.ok(C, confirm(3, 0))
	c.wantPositions(nil)

	// Every step of cycle 1 is in its history chain.
	if cy := c.cycle(1); cy.HistoryCount != 1+4+1+1+1+1+1+1+1+3+3+1 {
		t.Fatalf("cycle 1 has %d history entries", cy.HistoryCount)
	}
	if err := wallet.Invariant(c.reader(wallet.StoreName)); err != nil {
		t.Fatal(err)
	}
}
