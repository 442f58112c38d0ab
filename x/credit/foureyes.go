package credit

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/credit/schedule"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
)

// Four eyes: a write-off, a restructuring, a manual downgrade and a
// discounted settlement are proposed by one operator of the loan's lender
// (the maker) and take effect only once a second operator of the same
// lender (the checker) approves; a restructuring also needs the borrower's
// signature. Both operators are in the loan's record.

// expiresOf is when a pending action lapses.
func expiresOf(p *creditv1.Pending) int64 {
	switch a := p.Action.(type) {
	case *creditv1.Pending_WriteOff:
		return a.WriteOff.Expires
	case *creditv1.Pending_Restructure:
		return a.Restructure.Expires
	case *creditv1.Pending_Classify:
		return a.Classify.Expires
	case *creditv1.Pending_Discount:
		return a.Discount.Expires
	}
	return 0
}

func actionName(p *creditv1.Pending) string {
	switch p.Action.(type) {
	case *creditv1.Pending_WriteOff:
		return "write-off"
	case *creditv1.Pending_Restructure:
		return "restructure"
	case *creditv1.Pending_Classify:
		return "classify"
	case *creditv1.Pending_Discount:
		return "discount"
	}
	return "unknown"
}

func reasonOf(p *creditv1.Pending) string {
	switch a := p.Action.(type) {
	case *creditv1.Pending_WriteOff:
		return a.WriteOff.Reason
	case *creditv1.Pending_Restructure:
		return a.Restructure.Reason
	case *creditv1.Pending_Classify:
		return a.Classify.Reason
	case *creditv1.Pending_Discount:
		return a.Discount.Reason
	}
	return ""
}

// prune drops l's lapsed proposals, recording each.
func (mod *Module) prune(ctx exec.Context, l *creditv1.Loan) {
	kept := l.Pending[:0]
	for _, p := range l.Pending {
		if expiresOf(p) < ctx.Time.Unix() {
			mod.emitProposal(ctx, l, p, "lapsed")
			continue
		}
		kept = append(kept, p)
	}
	l.Pending = kept
}

func (mod *Module) emitProposal(ctx exec.Context, l *creditv1.Loan, p *creditv1.Pending, state string) {
	ctx.Emit(EventProposal, "loan", idString(l.Id), "lender", l.Lender, "pending", idString(p.Id), "action", actionName(p),
		"state", state, "by", hexAddr(ctx.Signer.Bytes()), "reason", reasonOf(p))
}

func validReason(r string) error {
	if r == "" || len(r) > maxReason {
		return errcode.Wrap(ErrInvalidMsg, "reason: 1 to %d bytes", maxReason)
	}
	return nil
}

// ValidateWriteOffLoan applies the stateless checks.
func ValidateWriteOffLoan(m *creditv1.MsgWriteOffLoan) error { return validReason(m.Reason) }

// ValidateRestructureLoan applies the stateless checks.
func ValidateRestructureLoan(m *creditv1.MsgRestructureLoan) error {
	switch {
	case m.TermMonths == 0 || m.TermMonths > schedule.MaxMonths:
		return errcode.Wrap(ErrInvalidMsg, "term %d months: 1 to %d", m.TermMonths, schedule.MaxMonths)
	case m.Method < creditv1.Method_METHOD_EQUAL_INSTALLMENTS || m.Method > creditv1.Method_METHOD_BULLET:
		return errcode.Wrap(ErrInvalidMsg, "method %v", m.Method)
	case len(m.ContractHash) != hashLen:
		return errcode.Wrap(ErrInvalidMsg, "contract_hash: 32 bytes")
	}
	return validReason(m.Reason)
}

// ValidateClassifyLoan applies the stateless checks.
func ValidateClassifyLoan(m *creditv1.MsgClassifyLoan) error {
	if m.Class > creditv1.Class_CLASS_LOSS {
		return errcode.Wrap(ErrInvalidMsg, "class %v", m.Class)
	}
	return validReason(m.Reason)
}

// ValidateOfferDiscount applies the stateless checks.
func ValidateOfferDiscount(m *creditv1.MsgOfferDiscount) error {
	if m.Amount == 0 {
		return errcode.Wrap(ErrInvalidMsg, "amount is zero: a settlement pays something")
	}
	return validReason(m.Reason)
}

// WriteOffLoan proposes a write-off.
func (mod *Module) WriteOffLoan(ctx exec.Context, m *creditv1.MsgWriteOffLoan) error {
	return mod.propose(ctx, m.Loan, m.Expires, &creditv1.Pending{Action: &creditv1.Pending_WriteOff{WriteOff: m}})
}

// RestructureLoan proposes a restructuring.
func (mod *Module) RestructureLoan(ctx exec.Context, m *creditv1.MsgRestructureLoan) error {
	return mod.propose(ctx, m.Loan, m.Expires, &creditv1.Pending{Action: &creditv1.Pending_Restructure{Restructure: m}})
}

// ClassifyLoan proposes a manual class.
func (mod *Module) ClassifyLoan(ctx exec.Context, m *creditv1.MsgClassifyLoan) error {
	return mod.propose(ctx, m.Loan, m.Expires, &creditv1.Pending{Action: &creditv1.Pending_Classify{Classify: m}})
}

// OfferDiscount proposes a discounted settlement.
func (mod *Module) OfferDiscount(ctx exec.Context, m *creditv1.MsgOfferDiscount) error {
	return mod.propose(ctx, m.Loan, m.Expires, &creditv1.Pending{Action: &creditv1.Pending_Discount{Discount: m}})
}

// propose records p, made by the signer, an operator of the loan's lender,
// after checking it against the loan as it is today.
func (mod *Module) propose(ctx exec.Context, id uint64, expires int64, p *creditv1.Pending) error {
	k := NewKeeper(ctx.KV(StoreName))
	l, before, today, err := mod.openLoan(ctx, k, id)
	if err != nil {
		return err
	}
	if err := mod.actsFor(ctx, l.Lender); err != nil {
		return err
	}
	now := ctx.Time.Unix()
	if expires <= now || expires > now+mod.paramsOf(ctx).MaxPendingSeconds {
		return errcode.Wrap(ErrInvalidMsg, "expires %d: after the block time %d, within max_pending_seconds %d", expires, now, mod.paramsOf(ctx).MaxPendingSeconds)
	}
	writtenOff := l.Status == creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF
	switch a := p.Action.(type) {
	case *creditv1.Pending_WriteOff:
		if writtenOff {
			return errcode.Wrap(ErrLoanClosed, "loan %d is written off already", l.Id)
		}
	case *creditv1.Pending_Restructure:
		if err := mod.checkRestructure(ctx, l, a.Restructure); err != nil {
			return err
		}
	case *creditv1.Pending_Classify:
		c := a.Classify.Class
		if writtenOff {
			return errcode.Wrap(ErrLoanClosed, "loan %d is written off", l.Id)
		}
		if c != creditv1.Class_CLASS_UNSPECIFIED && c <= l.RuleClass {
			return errcode.Wrap(ErrClassBetter, "loan %d: the rules make it %s; a manual class must be worse", l.Id, className(l.RuleClass))
		}
		if c == creditv1.Class_CLASS_UNSPECIFIED && l.ManualClass == creditv1.Class_CLASS_UNSPECIFIED {
			return errcode.Wrap(ErrInvalidMsg, "loan %d has no manual class to lift", l.Id)
		}
	case *creditv1.Pending_Discount:
		if err := checkDiscount(l, today, a.Discount.Denom, a.Discount.Amount); err != nil {
			return err
		}
	}
	mod.prune(ctx, l)
	if len(l.Pending) >= MaxPendingPerLoan {
		return errcode.Wrap(ErrTooManyPending, "loan %d has %d open proposals", l.Id, len(l.Pending))
	}
	l.NextPending++
	p.Id, p.Maker, p.ProposedHeight = l.NextPending, ctx.Signer.Bytes(), ctx.Height
	l.Pending = append(l.Pending, p)
	mod.emitProposal(ctx, l, p, "proposed")
	if err := mod.entry(ctx, l, &creditv1.LoanEntry{Kind: creditv1.LoanEntryKind_LOAN_ENTRY_KIND_PROPOSED, By: ctx.Signer.Bytes(),
		Detail: fmt.Sprintf("proposal %d: %s: %s", p.Id, actionName(p), reasonOf(p))}); err != nil {
		return err
	}
	return mod.saveLoan(ctx, k, before, l)
}

// checkRestructure refuses r's terms for l: a written-off loan is settled
// instead, equal installments need monthly accrual, the rate within the
// cap.
func (mod *Module) checkRestructure(ctx exec.Context, l *creditv1.Loan, r *creditv1.MsgRestructureLoan) error {
	if l.Status == creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF {
		return errcode.Wrap(ErrLoanClosed, "loan %d is written off: settle it instead", l.Id)
	}
	if r.Method == creditv1.Method_METHOD_EQUAL_INSTALLMENTS && l.Terms.Accrual != creditv1.Accrual_ACCRUAL_MONTHLY {
		return errcode.Wrap(ErrInvalidMsg, "loan %d accrues daily: equal installments need monthly accrual", l.Id)
	}
	return checkRateCap(mod.paramsOf(ctx), r.RateBps, l.Terms.PenaltyRateBps, l.Terms.Basis)
}

// checkDiscount refuses a settlement of l for amount of denom that is not
// less than what settling it costs today.
func checkDiscount(l *creditv1.Loan, today calendar.Day, denom string, amount uint64) error {
	o, err := owed(l, today)
	if err != nil {
		return err
	}
	full, err := o.Total()
	if err != nil {
		return ErrArithmetic
	}
	if denom != l.Terms.Denom {
		return errcode.Wrap(ErrDenomMismatch, "loan %d is in %s", l.Id, l.Terms.Denom)
	}
	if amount >= full {
		return errcode.Wrap(ErrInvalidMsg, "loan %d costs %d to settle today: a discount is less", l.Id, full)
	}
	return nil
}

// pending finds proposal id on l, unexpired.
func pending(ctx exec.Context, l *creditv1.Loan, id uint64) (*creditv1.Pending, error) {
	for _, p := range l.Pending {
		if p.Id != id {
			continue
		}
		if expiresOf(p) < ctx.Time.Unix() {
			return nil, errcode.Wrap(ErrPendingExpired, "loan %d proposal %d lapsed at %d", l.Id, id, expiresOf(p))
		}
		return p, nil
	}
	return nil, errcode.Wrap(ErrPendingNotFound, "loan %d proposal %d", l.Id, id)
}

// ApproveLoanAction approves a proposal as its checker.
func (mod *Module) ApproveLoanAction(ctx exec.Context, m *creditv1.MsgApproveLoanAction) error {
	k := NewKeeper(ctx.KV(StoreName))
	l, before, today, err := mod.openLoan(ctx, k, m.Loan)
	if err != nil {
		return err
	}
	if err := mod.actsFor(ctx, l.Lender); err != nil {
		return err
	}
	p, err := pending(ctx, l, m.Pending)
	if err != nil {
		return err
	}
	if addrOf(p.Maker) == ctx.Signer {
		return errcode.Wrap(ErrSameOperator, "loan %d proposal %d was made by %s", l.Id, p.Id, ctx.Signer.Hex())
	}
	if p.Approved {
		return errcode.Wrap(ErrPendingNotFound, "loan %d proposal %d is approved already", l.Id, p.Id)
	}
	p.Approved, p.Checker = true, ctx.Signer.Bytes()
	mod.emitProposal(ctx, l, p, "approved")
	if err := mod.entry(ctx, l, &creditv1.LoanEntry{Kind: creditv1.LoanEntryKind_LOAN_ENTRY_KIND_APPROVED, By: ctx.Signer.Bytes(),
		Detail: fmt.Sprintf("proposal %d: %s, made by %s", p.Id, actionName(p), addrOf(p.Maker).Hex())}); err != nil {
		return err
	}
	if err := mod.applyIfReady(ctx, l, p, today); err != nil {
		return err
	}
	return mod.saveLoan(ctx, k, before, l)
}

// ValidateAcceptRestructure applies the stateless checks.
func ValidateAcceptRestructure(m *creditv1.MsgAcceptRestructure) error {
	if len(m.ContractHash) != hashLen {
		return errcode.Wrap(ErrInvalidMsg, "contract_hash: 32 bytes")
	}
	return nil
}

// AcceptRestructure is the borrower's signature of a proposed
// restructuring.
func (mod *Module) AcceptRestructure(ctx exec.Context, m *creditv1.MsgAcceptRestructure) error {
	k := NewKeeper(ctx.KV(StoreName))
	l, before, today, err := mod.openLoan(ctx, k, m.Loan)
	if err != nil {
		return err
	}
	if addrOf(l.Borrower) != ctx.AccountID {
		return errcode.Wrap(ErrNotBorrower, "loan %d is %s's", l.Id, addrOf(l.Borrower).Hex())
	}
	p, err := pending(ctx, l, m.Pending)
	if err != nil {
		return err
	}
	r := p.GetRestructure()
	if r == nil {
		return errcode.Wrap(ErrPendingNotFound, "loan %d proposal %d is a %s, not a restructuring", l.Id, p.Id, actionName(p))
	}
	if m.TermMonths != r.TermMonths || m.RateBps != r.RateBps || m.Method != r.Method || string(m.ContractHash) != string(r.ContractHash) {
		return errcode.Wrap(ErrTermsMismatch, "loan %d proposal %d: %d months at %d bps by %s, contract %x", l.Id, p.Id,
			r.TermMonths, r.RateBps, methodName(r.Method), r.ContractHash)
	}
	if p.BorrowerAccepted {
		return errcode.Wrap(ErrPendingNotFound, "loan %d proposal %d is accepted already", l.Id, p.Id)
	}
	p.BorrowerAccepted = true
	mod.emitProposal(ctx, l, p, "accepted")
	if err := mod.entry(ctx, l, &creditv1.LoanEntry{Kind: creditv1.LoanEntryKind_LOAN_ENTRY_KIND_APPROVED, By: ctx.Signer.Bytes(),
		Detail: fmt.Sprintf("proposal %d: restructure, accepted by the borrower", p.Id)}); err != nil {
		return err
	}
	if err := mod.applyIfReady(ctx, l, p, today); err != nil {
		return err
	}
	return mod.saveLoan(ctx, k, before, l)
}

// applyIfReady applies p once it has every signature it needs; a discount
// stays pending, approved, for the settlement that uses it.
func (mod *Module) applyIfReady(ctx exec.Context, l *creditv1.Loan, p *creditv1.Pending, today calendar.Day) error {
	if !p.Approved {
		return nil
	}
	switch a := p.Action.(type) {
	case *creditv1.Pending_Discount:
		return nil
	case *creditv1.Pending_Restructure:
		if !p.BorrowerAccepted {
			return nil
		}
		if err := restructure(l, a.Restructure, today); err != nil {
			return err
		}
		if err := mod.entry(ctx, l, &creditv1.LoanEntry{Kind: creditv1.LoanEntryKind_LOAN_ENTRY_KIND_RESTRUCTURED,
			Amount: l.Outstanding, Principal: l.Outstanding,
			Detail: fmt.Sprintf("proposal %d: %d months at %d bps by %s, contract %x: %s", p.Id, a.Restructure.TermMonths,
				a.Restructure.RateBps, methodName(a.Restructure.Method), a.Restructure.ContractHash, a.Restructure.Reason)}); err != nil {
			return err
		}
	case *creditv1.Pending_WriteOff:
		l.Status = creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF
		if err := mod.entry(ctx, l, &creditv1.LoanEntry{Kind: creditv1.LoanEntryKind_LOAN_ENTRY_KIND_WRITTEN_OFF,
			Amount: l.Outstanding, Detail: fmt.Sprintf("proposal %d: %s", p.Id, a.WriteOff.Reason)}); err != nil {
			return err
		}
		ctx.Emit(EventLoan, "loan", idString(l.Id), "lender", l.Lender, "borrower", hexAddr(l.Borrower),
			"status", statusName(l.Status), "class", className(l.Class))
	case *creditv1.Pending_Classify:
		l.ManualClass, l.ManualReason = a.Classify.Class, a.Classify.Reason
		if l.ManualClass == creditv1.Class_CLASS_UNSPECIFIED {
			l.ManualReason = ""
		}
		l.Class = max(l.RuleClass, l.ManualClass)
		if err := mod.entry(ctx, l, &creditv1.LoanEntry{Kind: creditv1.LoanEntryKind_LOAN_ENTRY_KIND_CLASS, Class: l.Class,
			Detail: fmt.Sprintf("proposal %d: manual class %s: %s", p.Id, className(a.Classify.Class), a.Classify.Reason)}); err != nil {
			return err
		}
		ctx.Emit(EventLoan, "loan", idString(l.Id), "lender", l.Lender, "borrower", hexAddr(l.Borrower),
			"status", statusName(l.Status), "class", className(l.Class))
	}
	mod.emitProposal(ctx, l, p, "applied")
	removePending(l, p.Id)
	return nil
}

func removePending(l *creditv1.Loan, id uint64) {
	kept := l.Pending[:0]
	for _, p := range l.Pending {
		if p.Id != id {
			kept = append(kept, p)
		}
	}
	l.Pending = kept
}

// approvedDiscount is the approved, unexpired discount on l, if any.
func (mod *Module) approvedDiscount(ctx exec.Context, l *creditv1.Loan) *discount {
	for _, p := range l.Pending {
		if d := p.GetDiscount(); d != nil && p.Approved && expiresOf(p) >= ctx.Time.Unix() {
			return &discount{Amount: d.Amount, Why: fmt.Sprintf("discount approved as proposal %d", p.Id)}
		}
	}
	return nil
}

// discount is a settlement amount agreed with the borrower, and where
// the agreement is (for the loan's record).
type discount struct {
	Amount uint64
	Why    string
}

// restructure puts l on a new schedule from today: what is unpaid of the
// installments due (penalty, interest, principal) is added to the
// outstanding principal, the new terms' schedule replaces every unpaid
// installment, and the loan enters its observation period (from its first
// new due date, a year and two installments paid on time), classed at
// least substandard (the 2023 rules' class of a restructured loan).
func restructure(l *creditv1.Loan, r *creditv1.MsgRestructureLoan, today calendar.Day) error {
	principal := uint64(0)
	var kept []*creditv1.Installment
	for _, in := range l.Installments {
		if in.PaidDay != 0 {
			kept = append(kept, in)
			continue
		}
		if err := chargePenalty(in, l.Terms.Basis); err != nil {
			return err
		}
		add := unpaidPrincipal(in)
		if dueBy(l, in, today) {
			add += unpaidInterest(in) + unpaidPenalty(in)
		}
		var err error
		if principal, err = arith.Add(principal, add); err != nil {
			return ErrArithmetic
		}
		if in.PaidPrincipal+in.PaidInterest+in.PaidPenalty > 0 {
			in.Principal, in.Interest, in.Penalty = in.PaidPrincipal, in.PaidInterest, in.PaidPenalty
			in.PaidDay = int64(today)
			kept = append(kept, in)
		}
	}
	terms := proto.Clone(l.Terms).(*creditv1.Terms)
	terms.RateBps, terms.Method, terms.TermMonths = r.RateBps, r.Method, r.TermMonths
	sched, err := schedule.Generate(scheduleTerms(terms, principal, r.TermMonths, today))
	if err != nil {
		return errcode.Wrap(ErrArithmetic, "%v", err)
	}
	next := installmentsOf(sched, today)
	for i, in := range next {
		in.Seq = uint32(len(kept) + i + 1)
	}
	l.Terms, l.Installments = terms, append(kept, next...)
	l.Outstanding, l.OverdueSince, l.ArrearsCleared, l.OnTime = principal, 0, int64(today), 0
	l.ObservationUntil = int64(calendar.AddMonths(calendar.Day(next[0].Due), 12))
	l.ObservationInstallments = 0
	l.RuleClass = max(l.RuleClass, creditv1.Class_CLASS_SUBSTANDARD)
	l.Class = max(l.RuleClass, l.ManualClass)
	l.Restructured++
	l.AutodebitFailedDay, l.AutodebitRetries = 0, 0
	l.Status = creditv1.LoanStatus_LOAN_STATUS_RESTRUCTURED
	return nil
}
