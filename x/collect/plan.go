package collect

import (
	"fmt"

	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/credit"
	"github.com/ledgerd/ledgerd/x/exec"
)

// Repayment plans and settlements: the case's lender or its current
// delegate offers the borrower new terms for the loan (a plan) or an
// amount that closes it (a settlement at a discount); the borrower's
// signature accepts it and the credit module carries it out
// (credit.RestructureAgreed, credit.SettleAgreed), so that the loan's
// schedule, report code and records are the credit module's own. The
// loan's change then reaches the case through the loan listener: a
// restructured loan is current again and a settled one ended, so the case
// closes. A case holds one offer at a time; a new one replaces it.

// maxOfferSeconds bounds how long an offer stands.
const maxOfferSeconds = 30 * calendar.SecondsPerDay

// restructureOf is the credit module's restructuring of p's terms.
func restructureOf(loan uint64, p *collectv1.Plan) *creditv1.MsgRestructureLoan {
	return &creditv1.MsgRestructureLoan{Loan: loan, TermMonths: p.TermMonths, RateBps: p.RateBps, Method: p.Method,
		ContractHash: p.ContractHash, Reason: p.Reason, Expires: p.Expires}
}

func planOf(m *collectv1.MsgOfferPlan) *collectv1.Plan {
	return &collectv1.Plan{TermMonths: m.TermMonths, RateBps: m.RateBps, Method: m.Method, ContractHash: m.ContractHash,
		Denom: m.Denom, SettleAmount: m.SettleAmount, Expires: m.Expires, Reason: m.Reason}
}

func isSettlement(p *collectv1.Plan) bool { return p.SettleAmount != 0 }

func planKind(p *collectv1.Plan) string {
	if isSettlement(p) {
		return "settlement"
	}
	return "plan"
}

func describePlan(p *collectv1.Plan) string {
	if isSettlement(p) {
		return fmt.Sprintf("settlement %d: %d %s until %s: %s", p.Seq, p.SettleAmount, p.Denom, unixString(p.Expires), p.Reason)
	}
	return fmt.Sprintf("plan %d: %d months at %d bps by %s, contract %x, until %s: %s", p.Seq, p.TermMonths, p.RateBps,
		lowerTrim(p.Method.String(), "METHOD_"), p.ContractHash, unixString(p.Expires), p.Reason)
}

// ValidateOfferPlan applies the stateless checks: a plan carries the
// terms a restructuring takes (credit.ValidateRestructureLoan), a
// settlement an amount and its denom and no terms.
func ValidateOfferPlan(m *collectv1.MsgOfferPlan) error {
	switch {
	case m.Expires <= 0:
		return wrapf(ErrInvalidMsg, "expires: when the offer lapses")
	case m.Reason == "" || len(m.Reason) > maxReason:
		return wrapf(ErrInvalidMsg, "reason: 1 to %d bytes", maxReason)
	case m.SettleAmount == 0 && m.Denom != "":
		return wrapf(ErrInvalidMsg, "a plan takes no denom; a settlement takes settle_amount")
	case m.SettleAmount == 0:
		return credit.ValidateRestructureLoan(restructureOf(0, planOf(m)))
	case m.Denom == "":
		return wrapf(ErrInvalidMsg, "denom: the settlement's currency")
	case m.TermMonths != 0 || m.RateBps != 0 || m.Method != 0 || len(m.ContractHash) != 0:
		return wrapf(ErrInvalidMsg, "a settlement takes no terms")
	}
	return nil
}

// OfferPlan records a plan or a settlement offered on a case by its lender
// or current delegate, checked against the loan as it is today by the
// credit module (a rate over the cap, a settlement not below what the
// loan costs), replacing any earlier offer.
func (mod *Module) OfferPlan(ctx exec.Context, m *collectv1.MsgOfferPlan) error {
	k := NewKeeper(ctx.KV(StoreName))
	c, today, err := mod.touchCase(ctx, k, m.Case)
	if err != nil {
		return err
	}
	member, err := mod.actor(ctx, k, c)
	if err != nil {
		return err
	}
	if now := ctx.Time.Unix(); m.Expires <= now || m.Expires > now+maxOfferSeconds {
		return wrapf(ErrInvalidMsg, "expires %s: after now and within 30 days", unixString(m.Expires))
	}
	p := planOf(m)
	if isSettlement(p) {
		err = mod.loans.CheckSettlement(ctx, c.Loan, p.Denom, p.SettleAmount)
	} else {
		err = mod.loans.CheckRestructure(ctx, c.Loan, restructureOf(c.Loan, p))
	}
	if err != nil {
		return err
	}
	before := shareOf(c)
	c.Plans++
	p.Seq, p.Member, p.Operator = c.Plans, member, ctx.Signer.Bytes()
	c.Plan = p
	entry(ctx, c, today, &collectv1.CaseEntry{Kind: collectv1.CaseEntryKind_CASE_ENTRY_KIND_PLAN_OFFERED, Member: member, By: ctx.Signer.Bytes(),
		Amount: p.SettleAmount, Hash: p.ContractHash, Detail: describePlan(p)})
	mod.emitPlan(ctx, c, p, "offered")
	return mod.saveCase(ctx, k, before, c)
}

// offerToBorrower brings the case up to date and returns it with its
// unexpired offer seq of the kind asked, if the signer is its borrower.
func (mod *Module) offerToBorrower(ctx exec.Context, k Keeper, id, seq uint64, settlement bool) (*collectv1.Case, *collectv1.Plan, calendar.Day, error) {
	c, today, err := mod.touchCase(ctx, k, id)
	if err != nil {
		return nil, nil, today, err
	}
	if err := borrowerOf(ctx, c); err != nil {
		return nil, nil, today, err
	}
	p, err := offer(ctx, c, seq, settlement)
	return c, p, today, err
}

// offer returns the case's unexpired offer seq of the kind asked.
func offer(ctx exec.Context, c *collectv1.Case, seq uint64, settlement bool) (*collectv1.Plan, error) {
	p := c.Plan
	if p == nil || p.Seq != seq {
		return nil, wrapf(ErrPlanNotFound, "case %d has no offer %d", c.Id, seq)
	}
	if isSettlement(p) != settlement {
		return nil, wrapf(ErrPlanNotFound, "case %d offer %d is a %s", c.Id, seq, planKind(p))
	}
	if p.Expires < ctx.Time.Unix() {
		return nil, wrapf(ErrPlanExpired, "case %d offer %d lapsed at %s", c.Id, seq, unixString(p.Expires))
	}
	return p, nil
}

// accept records the borrower's acceptance of p on c and saves c; the
// credit module's change of the loan follows.
func (mod *Module) accept(ctx exec.Context, k Keeper, c *collectv1.Case, p *collectv1.Plan, today calendar.Day) error {
	before := shareOf(c)
	c.Plan = nil
	kind := collectv1.CaseEntryKind_CASE_ENTRY_KIND_PLAN_ACCEPTED
	if isSettlement(p) {
		kind = collectv1.CaseEntryKind_CASE_ENTRY_KIND_SETTLED
	}
	entry(ctx, c, today, &collectv1.CaseEntry{Kind: kind, Member: p.Member, By: ctx.Signer.Bytes(), Amount: p.SettleAmount,
		Hash: p.ContractHash, Detail: describePlan(p)})
	mod.emitPlan(ctx, c, p, "accepted")
	return mod.saveCase(ctx, k, before, c)
}

// AcceptPlan is the borrower's signature on the plan offered on their
// case, repeating its terms: the credit module restructures the loan to
// them, and the case, its loan current again, closes.
func (mod *Module) AcceptPlan(ctx exec.Context, m *collectv1.MsgAcceptPlan) error {
	k := NewKeeper(ctx.KV(StoreName))
	c, p, today, err := mod.offerToBorrower(ctx, k, m.Case, m.Seq, false)
	if err != nil {
		return err
	}
	if m.TermMonths != p.TermMonths || m.RateBps != p.RateBps || m.Method != p.Method || string(m.ContractHash) != string(p.ContractHash) {
		return wrapf(ErrPlanMismatch, "case %d offer %d", c.Id, p.Seq)
	}
	if err := mod.accept(ctx, k, c, p, today); err != nil {
		return err
	}
	return mod.loans.RestructureAgreed(ctx, c.Loan, restructureOf(c.Loan, p),
		fmt.Sprintf("plan %d of collection case %d, offered by %s, accepted by the borrower", p.Seq, c.Id, p.Member))
}

// SettleCase is the borrower's acceptance of the settlement offered on
// their case: they pay its amount and the credit module ends the loan
// settled at a discount; the case closes with it.
func (mod *Module) SettleCase(ctx exec.Context, m *collectv1.MsgSettleCase) error {
	k := NewKeeper(ctx.KV(StoreName))
	c, p, today, err := mod.offerToBorrower(ctx, k, m.Case, m.Seq, true)
	if err != nil {
		return err
	}
	if m.Denom != p.Denom || m.Amount != p.SettleAmount {
		return wrapf(ErrPlanMismatch, "case %d offer %d is %d %s", c.Id, p.Seq, p.SettleAmount, p.Denom)
	}
	if err := mod.accept(ctx, k, c, p, today); err != nil {
		return err
	}
	return mod.loans.SettleAgreed(ctx, c.Loan, p.Denom, p.SettleAmount,
		fmt.Sprintf("settlement %d of collection case %d, offered by %s", p.Seq, c.Id, p.Member))
}

func (mod *Module) emitPlan(ctx exec.Context, c *collectv1.Case, p *collectv1.Plan, state string) {
	ctx.Emit(EventPlan, "case", idString(c.Id), "lender", c.Lender, "borrower", hexAddr(c.Borrower), "seq", idString(p.Seq),
		"kind", planKind(p), "state", state)
}
