package credit

import (
	"fmt"
	"strconv"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/credit/schedule"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// Reasons of the money the credit module moves, in both wallets' history.
const (
	reasonDrawdown  = "credit.drawdown"
	reasonRepayment = "credit.repayment"
	reasonAutoDebit = "credit.autodebit"
)

func loanRef(id uint64) string { return "loan " + idString(id) }

// installmentsOf converts a schedule into the loan's installments; the
// first period starts at start.
func installmentsOf(s []schedule.Installment, start calendar.Day) []*creditv1.Installment {
	out := make([]*creditv1.Installment, len(s))
	prev := start
	for i, in := range s {
		out[i] = &creditv1.Installment{Seq: in.Seq, Due: int64(in.Due), Principal: in.Principal, Interest: in.Interest, Start: int64(prev)}
		prev = in.Due
	}
	return out
}

// ValidateDrawLoan applies the stateless checks.
func ValidateDrawLoan(m *creditv1.MsgDrawLoan) error {
	if m.Amount == 0 {
		return errcode.Wrap(ErrInvalidMsg, "amount is zero")
	}
	return nil
}

// DrawLoan draws a loan on an active line of the signer's: the lender's
// treasury pays the borrower's wallet through the send keeper (every
// wallet rule applies to both), and the loan gets its schedule.
func (mod *Module) DrawLoan(ctx exec.Context, m *creditv1.MsgDrawLoan) error {
	k := NewKeeper(ctx.KV(StoreName))
	line, err := k.Line(m.Line)
	if err != nil {
		return err
	}
	if addrOf(line.Borrower) != ctx.AccountID {
		return errcode.Wrap(ErrNotBorrower, "line %d is %s's", line.Id, addrOf(line.Borrower).Hex())
	}
	if line.Status != creditv1.LineStatus_LINE_STATUS_ACTIVE {
		return errcode.Wrap(ErrLineState, "line %d is %s, not active", line.Id, lineStatusName(line.Status))
	}
	t := line.Terms
	if m.Denom != t.Denom {
		return errcode.Wrap(ErrDenomMismatch, "line %d lends %s", line.Id, t.Denom)
	}
	months := t.TermMonths
	if m.TermMonths != 0 {
		if t.Kind != creditv1.LineKind_LINE_KIND_REVOLVING || m.TermMonths > t.TermMonths {
			return errcode.Wrap(ErrOutOfRange, "line %d: a draw's own term is for revolving lines, at most %d months", line.Id, t.TermMonths)
		}
		months = m.TermMonths
	}
	drawn, err := arith.Add(line.Drawn, m.Amount)
	if err != nil || drawn > line.Limit {
		return errcode.Wrap(ErrOverLimit, "line %d: %d drawn of %d, draws %d", line.Id, line.Drawn, line.Limit, m.Amount)
	}
	if t.Kind != creditv1.LineKind_LINE_KIND_REVOLVING && line.Draws > 0 {
		return errcode.Wrap(ErrOneDraw, "line %d was drawn", line.Id)
	}
	if len(k.ids(LineLoansPrefix(line.Id), 0, MaxOpenLoansPerLine)) >= MaxOpenLoansPerLine {
		return errcode.Wrap(ErrTooManyLoans, "line %d has %d open loans", line.Id, MaxOpenLoansPerLine)
	}
	// The hooks of both wallets first, so that nothing is held across them.
	if err := mod.touch(ctx, ctx.AccountID, addrOf(t.Treasury)); err != nil {
		return err
	}
	today := mod.today(ctx)
	sched, err := schedule.Generate(scheduleTerms(t, m.Amount, months, today))
	if err != nil {
		return errcode.Wrap(ErrArithmetic, "%v", err)
	}
	loanTerms := proto.Clone(t).(*creditv1.Terms)
	loanTerms.TermMonths = months
	l := &creditv1.Loan{
		Id: k.takeID(keyNextLoan), Line: line.Id, Lender: line.Lender, Borrower: line.Borrower, Terms: loanTerms,
		Principal: m.Amount, Outstanding: m.Amount, Start: int64(today), AsOf: int64(today),
		Installments: installmentsOf(sched, today), Class: creditv1.Class_CLASS_NORMAL, RuleClass: creditv1.Class_CLASS_NORMAL,
		Autodebit: line.Autodebit, Subject: line.Subject,
	}
	l.Status = deriveStatus(l)
	if err := mod.wallets.Send(ctx, addrOf(t.Treasury), ctx.AccountID, t.Denom, m.Amount,
		wallet.Reason{Kind: reasonDrawdown, Reference: loanRef(l.Id)}); err != nil {
		return err
	}
	line.Drawn, line.Draws = drawn, line.Draws+1
	k.setProto(LineKey(line.Id), line)
	k.index(BorrowerLoansPrefix(l.Borrower), l.Id)
	k.index(LenderLoansPrefix(l.Lender), l.Id)
	k.index(LineLoansPrefix(line.Id), l.Id)
	if err := k.addSubjectLoan(l); err != nil { // subject.go
		return err
	}
	if err := mod.entry(ctx, l, &creditv1.LoanEntry{Kind: creditv1.LoanEntryKind_LOAN_ENTRY_KIND_DRAWN, By: ctx.Signer.Bytes(),
		Amount: m.Amount, Principal: m.Amount,
		Detail: fmt.Sprintf("line %d (offered at height %d, accepted at height %d, contract %x): %d installments, %d bps, %s",
			line.Id, line.OfferedHeight, line.AcceptedHeight, line.ContractHash, len(sched), t.RateBps, methodName(t.Method))}); err != nil {
		return err
	}
	ctx.Emit(EventDrawdown, "loan", idString(l.Id), "line", idString(line.Id), "lender", l.Lender, "borrower", hexAddr(l.Borrower),
		"denom", t.Denom, "amount", strconv.FormatUint(m.Amount, 10), "installments", strconv.Itoa(len(sched)))
	return mod.saveLoan(ctx, k, contribution{}, l)
}

// touch runs the balance hooks of the wallets that exist among owners.
func (mod *Module) touch(ctx exec.Context, owners ...common.Address) error {
	for _, o := range owners {
		if err := mod.wallets.Touch(ctx, o); err != nil {
			return err
		}
	}
	return nil
}

// openLoan loads loan id, refusing a closed one, and brings it up to
// today. It returns the loan, its contribution before, and today.
func (mod *Module) openLoan(ctx exec.Context, k Keeper, id uint64) (*creditv1.Loan, contribution, calendar.Day, error) {
	l, err := k.Loan(id)
	if err != nil {
		return nil, contribution{}, 0, err
	}
	if closed(l) {
		return nil, contribution{}, 0, errcode.Wrap(ErrLoanClosed, "loan %d is %s", l.Id, statusName(l.Status))
	}
	before := contributionOf(l)
	today := mod.today(ctx)
	if err := mod.advance(ctx, l, today); err != nil {
		return nil, contribution{}, 0, err
	}
	return l, before, today, nil
}

// ValidateRepayLoan applies the stateless checks.
func ValidateRepayLoan(m *creditv1.MsgRepayLoan) error {
	if m.Amount == 0 {
		return errcode.Wrap(ErrInvalidMsg, "amount is zero")
	}
	return nil
}

// RepayLoan pays what is due on a loan from the signer's wallet (the
// borrower's or a guarantor's), allocated oldest installment first, each
// in the terms' order.
func (mod *Module) RepayLoan(ctx exec.Context, m *creditv1.MsgRepayLoan) error {
	k := NewKeeper(ctx.KV(StoreName))
	pre, err := k.Loan(m.Loan)
	if err != nil {
		return err
	}
	if err := mod.touch(ctx, ctx.AccountID, addrOf(pre.Borrower)); err != nil {
		return err
	}
	l, before, today, err := mod.openLoan(ctx, k, m.Loan)
	if err != nil {
		return err
	}
	if m.Denom != l.Terms.Denom {
		return errcode.Wrap(ErrDenomMismatch, "loan %d is in %s", l.Id, l.Terms.Denom)
	}
	o, err := owed(l, today)
	if err != nil {
		return err
	}
	switch {
	case o.Due == 0:
		return errcode.Wrap(ErrNothingDue, "loan %d: nothing is due on %s; prepay to repay ahead", l.Id, today)
	case m.Amount > o.Due:
		return errcode.Wrap(ErrOverpayment, "loan %d: %d is due on %s, the payment is %d; prepay to repay more", l.Id, o.Due, today, m.Amount)
	}
	if err := mod.pay(ctx, l, ctx.AccountID, m.Amount); err != nil {
		return err
	}
	s, err := allocate(l, m.Amount, today)
	if err != nil {
		return err
	}
	return mod.afterPayment(ctx, k, before, l, today, kindRepay, ctx.AccountID.Bytes(), s, Split{}, "")
}

// pay moves amount from payer to the loan's treasury.
func (mod *Module) pay(ctx exec.Context, l *creditv1.Loan, payer common.Address, amount uint64) error {
	return mod.wallets.Send(ctx, payer, addrOf(l.Terms.Treasury), l.Terms.Denom, amount,
		wallet.Reason{Kind: reasonRepayment, Reference: loanRef(l.Id)})
}

// afterPayment records a payment into l, closes the loan if nothing is
// left (settled; paid by a guarantor if one paid last), adjusts its
// line, and stores it.
func (mod *Module) afterPayment(ctx exec.Context, k Keeper, before contribution, l *creditv1.Loan, today calendar.Day,
	kind string, payer []byte, s, extra Split, detail string) error {
	if err := mod.recordAfterPayment(ctx, k, l, today, kind, payer, s, extra, detail); err != nil {
		return err
	}
	return mod.saveLoan(ctx, k, before, l)
}

// recordAfterPayment is afterPayment without storing the loan.
func (mod *Module) recordAfterPayment(ctx exec.Context, k Keeper, l *creditv1.Loan, today calendar.Day,
	kind string, payer []byte, s, extra Split, detail string) error {
	rearm(l, today)
	if err := mod.reclassify(ctx, l, today); err != nil {
		return err
	}
	if l.Status == creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF {
		r, err := arith.Sum(l.Recovered, s.Total(), extra.Total())
		if err != nil {
			return ErrArithmetic
		}
		l.Recovered = r
	}
	if err := mod.recordPayment(ctx, l, today, kind, payer, s, extra, detail); err != nil {
		return err
	}
	if err := mod.lineRepaid(k, l, s.Principal+extra.Principal); err != nil {
		return err
	}
	if allPaid(l) {
		return mod.finish(ctx, k, l, today, payer)
	}
	return nil
}

// allPaid reports whether every installment is paid.
func allPaid(l *creditv1.Loan) bool {
	for _, in := range l.Installments {
		if in.PaidDay == 0 {
			return false
		}
	}
	return l.Outstanding == 0
}

// lineRepaid gives principal back to l's line (a revolving line can draw
// it again).
func (mod *Module) lineRepaid(k Keeper, l *creditv1.Loan, principal uint64) error {
	if l.Line == 0 || principal == 0 {
		return nil
	}
	line, err := k.Line(l.Line)
	if err != nil {
		return err
	}
	line.Drawn -= min(principal, line.Drawn)
	k.setProto(LineKey(line.Id), line)
	return nil
}

// finish ends a loan with nothing left to pay: settled, or paid by a
// guarantor when the last payment came from another wallet than the
// borrower's; a written-off loan stays written off, recovered.
func (mod *Module) finish(ctx exec.Context, k Keeper, l *creditv1.Loan, today calendar.Day, payer []byte) error {
	status := creditv1.LoanStatus_LOAN_STATUS_SETTLED
	switch {
	case l.Status == creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF:
		status = l.Status
	case payer != nil && addrOf(payer) != addrOf(l.Borrower):
		status = creditv1.LoanStatus_LOAN_STATUS_PAID_BY_GUARANTOR
		l.SettledBy = payer
	}
	return mod.close(ctx, k, l, today, status)
}

// close ends l in status today: its indexes go, its line forgets it.
func (mod *Module) close(ctx exec.Context, k Keeper, l *creditv1.Loan, today calendar.Day, status creditv1.LoanStatus) error {
	l.Status, l.ClosedDay, l.OverdueSince = status, int64(today), 0
	l.Pending = nil
	k.unmark(lineLoanKey(l.Line, l.Id))
	ctx.Emit(EventLoan, "loan", idString(l.Id), "lender", l.Lender, "borrower", hexAddr(l.Borrower),
		"status", statusName(status), "class", className(l.Class))
	return mod.entry(ctx, l, &creditv1.LoanEntry{Kind: creditv1.LoanEntryKind_LOAN_ENTRY_KIND_STATUS, Day: int64(today), Status: status,
		Detail: "report code " + ReportCode(status)})
}

// ValidatePrepayLoan applies the stateless checks.
func ValidatePrepayLoan(m *creditv1.MsgPrepayLoan) error {
	if m.Amount == 0 {
		return errcode.Wrap(ErrInvalidMsg, "amount is zero")
	}
	return nil
}

// PrepayLoan pays everything due, then the running period's interest to
// the day, then principal ahead of schedule; the rest of the schedule is
// recomputed from today (shorter, or lower, as the terms say).
func (mod *Module) PrepayLoan(ctx exec.Context, m *creditv1.MsgPrepayLoan) error {
	k := NewKeeper(ctx.KV(StoreName))
	pre, err := k.Loan(m.Loan)
	if err != nil {
		return err
	}
	if err := mod.touch(ctx, ctx.AccountID, addrOf(pre.Borrower)); err != nil {
		return err
	}
	l, before, today, err := mod.openLoan(ctx, k, m.Loan)
	if err != nil {
		return err
	}
	if m.Denom != l.Terms.Denom {
		return errcode.Wrap(ErrDenomMismatch, "loan %d is in %s", l.Id, l.Terms.Denom)
	}
	if l.Status == creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF {
		return errcode.Wrap(ErrLineState, "loan %d is written off: repay or settle it", l.Id)
	}
	o, err := owed(l, today)
	if err != nil {
		return err
	}
	ahead := m.Amount
	if ahead <= o.Due+o.InterestToDay {
		return errcode.Wrap(ErrOverpayment, "loan %d: %d is due and %d interest to the day; a prepayment pays more than that", l.Id, o.Due, o.InterestToDay)
	}
	ahead -= o.Due + o.InterestToDay
	if ahead >= o.NotYetDue {
		return errcode.Wrap(ErrOverpayment, "loan %d: the prepayment would pay off the %d principal not yet due: settle instead", l.Id, o.NotYetDue)
	}
	if err := mod.pay(ctx, l, ctx.AccountID, m.Amount); err != nil {
		return err
	}
	var s Split
	if o.Due > 0 {
		if s, err = allocate(l, o.Due, today); err != nil {
			return err
		}
	}
	kIdx := current(l, today)
	balance := o.NotYetDue - ahead
	if err := reamortize(l, kIdx, today, balance, o.InterestToDay, ahead); err != nil {
		return err
	}
	l.Outstanding -= ahead
	return mod.afterPayment(ctx, k, before, l, today, kindPrepay, ctx.AccountID.Bytes(), s,
		Split{Interest: o.InterestToDay, Principal: ahead}, "")
}

// reamortize replaces installments k.. of l with the schedule of balance
// from today; the running installment keeps what was paid of it and takes
// the interest to the day and the principal prepaid now, so that the
// installments' principal still sums to what was drawn.
func reamortize(l *creditv1.Loan, k int, today calendar.Day, balance, interestPaid, principalPaid uint64) error {
	old := make([]schedule.Installment, len(l.Installments))
	for i, in := range l.Installments {
		old[i] = schedule.Installment{Seq: in.Seq, Due: calendar.Day(in.Due), Principal: in.Principal, Interest: in.Interest}
	}
	t := scheduleTerms(l.Terms, l.Principal, l.Terms.TermMonths, calendar.Day(l.Start))
	next, err := schedule.Reamortize(t, old, uint32(k+1), today, balance, schedule.PrepayMode(l.Terms.PrepayMode))
	if err != nil {
		return errcode.Wrap(ErrArithmetic, "%v", err)
	}
	running := l.Installments[k]
	ins := installmentsOf(next, today)
	if len(ins) > 0 {
		first := ins[0]
		first.Interest += running.PaidInterest + interestPaid
		first.PaidInterest = running.PaidInterest + interestPaid
		first.Principal += running.PaidPrincipal + principalPaid
		first.PaidPrincipal = running.PaidPrincipal + principalPaid
		first.Start = int64(today)
	}
	l.Installments = append(l.Installments[:k:k], ins...)
	return nil
}

// SettleLoan pays a loan off today: what is due, interest to the day and
// the principal not yet due; or, under an approved discount, the agreed
// amount, the rest waived.
func (mod *Module) SettleLoan(ctx exec.Context, m *creditv1.MsgSettleLoan) error {
	k := NewKeeper(ctx.KV(StoreName))
	pre, err := k.Loan(m.Loan)
	if err != nil {
		return err
	}
	if err := mod.touch(ctx, ctx.AccountID, addrOf(pre.Borrower)); err != nil {
		return err
	}
	l, before, today, err := mod.openLoan(ctx, k, m.Loan)
	if err != nil {
		return err
	}
	if m.Denom != l.Terms.Denom {
		return errcode.Wrap(ErrDenomMismatch, "loan %d is in %s", l.Id, l.Terms.Denom)
	}
	return mod.settle(ctx, k, l, before, today, m.MaxAmount, mod.approvedDiscount(ctx, l))
}

// settle pays l off today from the signer's wallet: what it costs in
// full, or under discount the agreed amount, the rest waived; refused
// above maxAmount. The loan ends (settled, settled at a discount, paid by
// a guarantor, or a written-off loan's recovery) and is saved.
func (mod *Module) settle(ctx exec.Context, k Keeper, l *creditv1.Loan, before contribution, today calendar.Day, maxAmount uint64, discount *discount) error {
	o, err := owed(l, today)
	if err != nil {
		return err
	}
	full, err := o.Total()
	if err != nil {
		return ErrArithmetic
	}
	amount := full
	if discount != nil && discount.Amount < full {
		amount = discount.Amount
	}
	if amount > maxAmount {
		return errcode.Wrap(ErrSettleAmount, "loan %d costs %d to settle on %s, max_amount is %d", l.Id, amount, today, maxAmount)
	}
	if err := mod.pay(ctx, l, ctx.AccountID, amount); err != nil {
		return err
	}
	var s Split
	detail := ""
	outstanding := l.Outstanding
	if amount == full {
		if s, err = payOff(l, o, today); err != nil {
			return err
		}
	} else {
		// A discount: the payment counts toward principal first; what is
		// left unpaid is waived.
		s = Split{Principal: min(amount, outstanding), Interest: amount - min(amount, outstanding)}
		l.Waived = full - amount
		detail = fmt.Sprintf("%s: %d waived", discount.Why, l.Waived)
		markAllPaid(l, today)
	}
	l.Outstanding = 0
	rearm(l, today)
	if err := mod.recordPayment(ctx, l, today, kindSettle, ctx.AccountID.Bytes(), s, Split{}, detail); err != nil {
		return err
	}
	if err := mod.lineRepaid(k, l, outstanding); err != nil {
		return err
	}
	status := creditv1.LoanStatus_LOAN_STATUS_SETTLED
	switch {
	case l.Status == creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF:
		status = l.Status
		if l.Recovered, err = arith.Add(l.Recovered, amount); err != nil {
			return ErrArithmetic
		}
	case amount < full:
		status = creditv1.LoanStatus_LOAN_STATUS_SETTLED_DISCOUNT
	case ctx.AccountID != addrOf(l.Borrower):
		status = creditv1.LoanStatus_LOAN_STATUS_PAID_BY_GUARANTOR
		l.SettledBy = ctx.AccountID.Bytes()
	}
	if err := mod.close(ctx, k, l, today, status); err != nil {
		return err
	}
	return mod.saveLoan(ctx, k, before, l)
}

// payOff pays everything owed on today (o): what is due, by allocation,
// then the running period's interest to the day and every principal not
// yet due; later periods' interest is not owed.
func payOff(l *creditv1.Loan, o Owed, today calendar.Day) (Split, error) {
	var s Split
	var err error
	if o.Due > 0 {
		if s, err = allocate(l, o.Due, today); err != nil {
			return s, err
		}
	}
	k := current(l, today)
	for i, in := range l.Installments[k:] {
		if i == 0 {
			in.Interest = in.PaidInterest + o.InterestToDay
		} else {
			in.Interest = in.PaidInterest
		}
		in.PaidInterest = in.Interest
		in.PaidPrincipal = in.Principal
		in.PaidDay = int64(today)
	}
	s.Interest += o.InterestToDay
	s.Principal += o.NotYetDue
	return s, nil
}

// markAllPaid closes every installment on day (a discounted settlement:
// what is unpaid is waived).
func markAllPaid(l *creditv1.Loan, day calendar.Day) {
	for _, in := range l.Installments {
		if in.PaidDay == 0 {
			in.PaidDay = int64(day)
		}
	}
}

func methodName(m creditv1.Method) string { return schedule.Method(m).String() }
