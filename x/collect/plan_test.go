package collect_test

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/app/apptest"
	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/collect"
	"github.com/ledgerd/ledgerd/x/credit"
)

func kindsOf(es []*collectv1.CaseEntry) map[collectv1.CaseEntryKind]int {
	out := map[collectv1.CaseEntryKind]int{}
	for _, e := range es {
		out[e.Kind]++
	}
	return out
}

// TestRepaymentPlan: the lender's agency offers a plan on the case; the
// borrower's acceptance with other terms, after it lapsed, or by anyone
// else is refused with its code and no change; accepted, it becomes the
// loan's restructured schedule through the credit module and the case,
// its loan current again, closes, with the offer and the acceptance in
// its history.
func TestRepaymentPlan(t *testing.T) {
	c := newChain(t)
	loan := c.openLoan()
	c.block(noon(2025, 2, 14))
	k := c.caseOf(loan)
	c.ok(noon(2025, 2, 15), c.lender, &collectv1.MsgDelegateCase{Case: k.Id, Collector: agencyID, Until: noon(2025, 6, 1).Unix()})
	plan := &collectv1.MsgOfferPlan{Case: k.Id, TermMonths: 18, RateBps: 1000, Method: creditv1.Method_METHOD_EQUAL_INSTALLMENTS,
		ContractHash: hash("plan"), Expires: noon(2025, 2, 20).Unix(), Reason: "hardship"}
	c.refused(noon(2025, 2, 15).Add(time.Minute), c.h.OtherIssuerKey(), plan, collect.ErrNotActing.Code)
	tooLong := proto.Clone(plan).(*collectv1.MsgOfferPlan)
	tooLong.Expires = noon(2025, 3, 30).Unix()
	c.refused(noon(2025, 2, 15).Add(2*time.Minute), c.agency, tooLong, collect.ErrInvalidMsg.Code)
	overCap := proto.Clone(plan).(*collectv1.MsgOfferPlan)
	overCap.RateBps = 9000
	before := c.snapshot()
	if res := c.block(noon(2025, 2, 15).Add(3*time.Minute), c.tx(c.agency, overCap))[0]; res.Codespace != credit.Codespace || res.Code != credit.ErrRateCap.Code {
		t.Fatalf("a plan over the rate cap: %s/%d %s", res.Codespace, res.Code, res.Log)
	}
	if c.snapshot() != before {
		t.Fatal("a refused plan changed the collection store")
	}
	c.ok(noon(2025, 2, 15).Add(4*time.Minute), c.agency, plan)
	if p := c.caseOf(loan).Plan; p == nil || p.Seq != 1 || p.Member != agencyID {
		t.Fatalf("offered plan: %v", p)
	}
	accept := &collectv1.MsgAcceptPlan{Case: k.Id, Seq: 1, TermMonths: 18, RateBps: 1000, Method: creditv1.Method_METHOD_EQUAL_INSTALLMENTS,
		ContractHash: hash("plan")}
	wrong := proto.Clone(accept).(*collectv1.MsgAcceptPlan)
	wrong.RateBps = 900
	c.refused(noon(2025, 2, 16), c.borrower, wrong, collect.ErrPlanMismatch.Code)
	c.refused(noon(2025, 2, 16).Add(time.Minute), c.h.WalletKey(2), accept, collect.ErrNotBorrower.Code)
	c.refused(noon(2025, 2, 16).Add(2*time.Minute), c.borrower, &collectv1.MsgSettleCase{Case: k.Id, Seq: 1, Denom: apptest.Denom, Amount: 1},
		collect.ErrPlanNotFound.Code)
	c.refused(noon(2025, 2, 20).Add(time.Second), c.borrower, accept, collect.ErrPlanExpired.Code)
	plan.Expires = noon(2025, 2, 25).Unix()
	c.ok(noon(2025, 2, 21), c.agency, plan)
	c.refused(noon(2025, 2, 21).Add(time.Minute), c.borrower, accept, collect.ErrPlanNotFound.Code) // offer 2 replaced it
	accept.Seq = 2
	c.ok(noon(2025, 2, 21).Add(2*time.Minute), c.borrower, accept)
	l := c.loan(loan)
	if l.Status != creditv1.LoanStatus_LOAN_STATUS_RESTRUCTURED || l.Terms.TermMonths != 18 || l.Terms.RateBps != 1000 || l.OverdueSince != 0 {
		t.Fatalf("loan after the plan: %s, %v", l.Status, l.Terms)
	}
	if id := c.view().OpenCaseOf(loan); id != 0 {
		t.Fatalf("case %d open after the plan", id)
	}
	k = c.kase(k.Id)
	if k.Status != collectv1.CaseStatus_CASE_STATUS_CLOSED || k.Plan != nil {
		t.Fatalf("case after the plan: %v", k)
	}
	kinds := kindsOf(c.verifyHistory(k.Id))
	if kinds[collectv1.CaseEntryKind_CASE_ENTRY_KIND_PLAN_OFFERED] != 2 || kinds[collectv1.CaseEntryKind_CASE_ENTRY_KIND_PLAN_ACCEPTED] != 1 ||
		kinds[collectv1.CaseEntryKind_CASE_ENTRY_KIND_CLOSED] != 1 {
		t.Fatalf("history: %v", kinds)
	}
	c.refused(noon(2025, 2, 22), c.agency, plan, collect.ErrCaseClosed.Code)
}

// TestSettlement: the lender offers a settlement at a discount; one not
// below what the loan costs is refused by the credit module; the
// borrower's settle with other figures is refused; settled, the loan ends
// settled at a discount (report code G) and the case closes.
func TestSettlement(t *testing.T) {
	c := newChain(t)
	loan := c.openLoan()
	c.block(noon(2025, 3, 20))
	k := c.caseOf(loan)
	offer := &collectv1.MsgOfferPlan{Case: k.Id, Denom: apptest.Denom, SettleAmount: 5_000_000, Expires: noon(2025, 3, 27).Unix(), Reason: "one-off"}
	before := c.snapshot()
	if res := c.block(noon(2025, 3, 20).Add(time.Minute), c.tx(c.lender, offer))[0]; res.Codespace != credit.Codespace || res.Code != credit.ErrInvalidMsg.Code {
		t.Fatalf("a settlement above the loan's cost: %s/%d %s", res.Codespace, res.Code, res.Log)
	}
	if c.snapshot() != before {
		t.Fatal("a refused settlement changed the collection store")
	}
	offer.SettleAmount = 600_000
	c.ok(noon(2025, 3, 20).Add(2*time.Minute), c.lender, offer)
	c.refused(noon(2025, 3, 21), c.borrower, &collectv1.MsgSettleCase{Case: k.Id, Seq: 1, Denom: apptest.Denom, Amount: 500_000},
		collect.ErrPlanMismatch.Code)
	c.refused(noon(2025, 3, 21).Add(time.Minute), c.borrower, &collectv1.MsgAcceptPlan{Case: k.Id, Seq: 1, TermMonths: 1,
		Method: creditv1.Method_METHOD_BULLET, ContractHash: hash("x")}, collect.ErrPlanNotFound.Code)
	c.ok(noon(2025, 3, 21).Add(2*time.Minute), c.borrower, &collectv1.MsgSettleCase{Case: k.Id, Seq: 1, Denom: apptest.Denom, Amount: 600_000})
	l := c.loan(loan)
	if l.Status != creditv1.LoanStatus_LOAN_STATUS_SETTLED_DISCOUNT || l.Waived == 0 || l.Outstanding != 0 {
		t.Fatalf("loan after the settlement: %s waived %d outstanding %d", l.Status, l.Waived, l.Outstanding)
	}
	k = c.kase(k.Id)
	if k.Status != collectv1.CaseStatus_CASE_STATUS_CLOSED {
		t.Fatalf("case after the settlement: %v", k)
	}
	kinds := kindsOf(c.verifyHistory(k.Id))
	if kinds[collectv1.CaseEntryKind_CASE_ENTRY_KIND_SETTLED] != 1 || kinds[collectv1.CaseEntryKind_CASE_ENTRY_KIND_CLOSED] != 1 {
		t.Fatalf("history: %v", kinds)
	}
}

// TestPortfolioDelegation: a lender delegates its cases of the loan's
// class before the case opens: the case opens delegated; ending the
// portfolio's delegation takes the case back by the sweep; a new one
// delegates the open case by the sweep; a case delegated on its own to
// nobody else stays as it is; another class's delegation leaves it.
func TestPortfolioDelegation(t *testing.T) {
	c := newChain(t)
	loan := c.openLoan()
	c.block(noon(2025, 2, 13))
	class := creditv1.Class_CLASS_SPECIAL_MENTION
	c.refused(noon(2025, 2, 13).Add(time.Minute), c.agency, &collectv1.MsgDelegatePortfolio{Class: class, Collector: agencyID,
		Until: noon(2025, 6, 1).Unix()}, collect.ErrNotLender.Code)
	c.refused(noon(2025, 2, 13).Add(2*time.Minute), c.lender, &collectv1.MsgDelegatePortfolio{Class: class, Collector: apptest.OtherIssuer,
		Until: noon(2025, 6, 1).Unix()}, collect.ErrNotCollector.Code)
	c.refused(noon(2025, 2, 13).Add(3*time.Minute), c.lender, &collectv1.MsgDelegatePortfolio{Class: class}, collect.ErrInvalidMsg.Code)
	c.ok(noon(2025, 2, 13).Add(4*time.Minute), c.lender, &collectv1.MsgDelegatePortfolio{Class: class, Collector: agencyID,
		Until: noon(2025, 6, 1).Unix()})
	c.block(noon(2025, 2, 14))
	k := c.caseOf(loan)
	if cls := c.loan(loan).Class; cls != class {
		t.Fatalf("the loan is %s a day past due; the test expects %s", cls, class)
	}
	if k.Delegate != agencyID || k.DelegateUntil != noon(2025, 6, 1).Unix() {
		t.Fatalf("case opened in a delegated class: delegate %q until %d", k.Delegate, k.DelegateUntil)
	}
	c.ok(noon(2025, 2, 15), c.lender, &collectv1.MsgDelegatePortfolio{Class: class})
	c.block(noon(2025, 2, 15).Add(time.Minute))
	if k = c.caseOf(loan); k.Delegate != "" {
		t.Fatalf("case after the portfolio's delegation ended: delegate %q", k.Delegate)
	}
	if _, ok := c.view().Portfolio(apptest.Issuer, class); ok {
		t.Fatal("an ended portfolio delegation is still stored after its sweep")
	}
	c.ok(noon(2025, 2, 16), c.lender, &collectv1.MsgDelegatePortfolio{Class: creditv1.Class_CLASS_DOUBTFUL, Collector: agencyID,
		Until: noon(2025, 6, 1).Unix()})
	c.block(noon(2025, 2, 16).Add(time.Minute))
	if k = c.caseOf(loan); k.Delegate != "" {
		t.Fatalf("another class's delegation took the case: %q", k.Delegate)
	}
	c.ok(noon(2025, 2, 17), c.lender, &collectv1.MsgDelegatePortfolio{Class: class, Collector: agencyID, Until: noon(2025, 5, 1).Unix()})
	c.block(noon(2025, 2, 17).Add(time.Minute))
	if k = c.caseOf(loan); k.Delegate != agencyID || k.DelegateUntil != noon(2025, 5, 1).Unix() {
		t.Fatalf("open case after a portfolio delegation: %q until %d", k.Delegate, k.DelegateUntil)
	}
	if p, _ := c.view().Portfolio(apptest.Issuer, class); !p.Done || p.Cursor != k.Id {
		t.Fatalf("portfolio after its sweep: %v", p)
	}
	c.ok(noon(2025, 2, 18), c.agency, &collectv1.MsgRequestPermit{Case: k.Id, Channel: letter})
	c.verifyHistory(k.Id)
}
