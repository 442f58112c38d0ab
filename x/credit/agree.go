package credit

import (
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
)

// Agreements made on a collection case (x/collect): the lender, or the
// collection agency acting for it, offers the borrower a repayment plan
// or a settlement at a discount on the case, and the borrower's signature
// accepts it. The credit module carries the agreement out with the same
// checks, schedule and records as its own restructuring and discounted
// settlement; the borrower's signature and the case's record (who offered
// what, when) stand in for the proposal and its approval, and detail
// names the case in the loan's history.

// CheckRestructure refuses r's terms for loan id as restructuring it today
// would (a closed or written-off loan, equal installments on a daily
// accrual, a rate over the cap). It writes nothing.
func (mod *Module) CheckRestructure(ctx exec.Context, id uint64, r *creditv1.MsgRestructureLoan) error {
	l, _, _, err := mod.openLoan(ctx, NewKeeper(ctx.KV(StoreName)), id)
	if err != nil {
		return err
	}
	return mod.checkRestructure(ctx, l, r)
}

// RestructureAgreed puts loan id on r's terms from today, as an approved
// and accepted restructuring does (restructure), with detail in the
// loan's history entry.
func (mod *Module) RestructureAgreed(ctx exec.Context, id uint64, r *creditv1.MsgRestructureLoan, detail string) error {
	k := NewKeeper(ctx.KV(StoreName))
	l, before, today, err := mod.openLoan(ctx, k, id)
	if err != nil {
		return err
	}
	if err := mod.checkRestructure(ctx, l, r); err != nil {
		return err
	}
	if err := restructure(l, r, today); err != nil {
		return err
	}
	if err := mod.entry(ctx, l, &creditv1.LoanEntry{Kind: creditv1.LoanEntryKind_LOAN_ENTRY_KIND_RESTRUCTURED,
		Amount: l.Outstanding, Principal: l.Outstanding, By: ctx.Signer.Bytes(),
		Detail: detail + ": " + r.Reason}); err != nil {
		return err
	}
	return mod.saveLoan(ctx, k, before, l)
}

// CheckSettlement refuses a settlement of loan id for amount of denom that
// is not less than what settling it costs today. It writes nothing.
func (mod *Module) CheckSettlement(ctx exec.Context, id uint64, denom string, amount uint64) error {
	l, _, today, err := mod.openLoan(ctx, NewKeeper(ctx.KV(StoreName)), id)
	if err != nil {
		return err
	}
	return checkDiscount(l, today, denom, amount)
}

// SettleAgreed settles loan id for the agreed amount of denom, paid from
// the signer's wallet (the borrower's), the rest waived, as a discounted
// settlement does: the loan ends settled at a discount (report code G),
// or, if it now costs no more than amount, settled in full for what it
// costs. detail names the agreement in the loan's history.
func (mod *Module) SettleAgreed(ctx exec.Context, id uint64, denom string, amount uint64, detail string) error {
	k := NewKeeper(ctx.KV(StoreName))
	pre, err := k.Loan(id)
	if err != nil {
		return err
	}
	if err := mod.touch(ctx, ctx.AccountID, addrOf(pre.Borrower)); err != nil {
		return err
	}
	l, before, today, err := mod.openLoan(ctx, k, id)
	if err != nil {
		return err
	}
	if denom != l.Terms.Denom {
		return errcode.Wrap(ErrDenomMismatch, "loan %d is in %s", l.Id, l.Terms.Denom)
	}
	return mod.settle(ctx, k, l, before, today, amount, &discount{Amount: amount, Why: detail})
}
