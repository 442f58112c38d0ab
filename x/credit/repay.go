package credit

import (
	"fmt"
	"strconv"

	"github.com/ethereum/go-ethereum/common"

	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
)

func addrOf(b []byte) common.Address { return common.BytesToAddress(b) }

// defaultAllocation is the order within an installment when the terms name
// none: penalty, interest, principal.
var defaultAllocation = []creditv1.Component{
	creditv1.Component_COMPONENT_PENALTY, creditv1.Component_COMPONENT_INTEREST, creditv1.Component_COMPONENT_PRINCIPAL,
}

func allocationOf(t *creditv1.Terms) []creditv1.Component {
	if len(t.Allocation) == 0 {
		return defaultAllocation
	}
	return t.Allocation
}

// dueBy reports whether installment in is due on day: by its due date, or
// every installment of a written-off loan (its debt is due at once).
func dueBy(l *creditv1.Loan, in *creditv1.Installment, day calendar.Day) bool {
	return l.Status == creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF || calendar.Day(in.Due) <= day
}

// owed is what l owes on day, l being advanced to day: the unpaid
// components of the installments due (their penalties charged, which
// rounds them), and what paying off costs besides.
func owed(l *creditv1.Loan, day calendar.Day) (Owed, error) {
	var o Owed
	var err error
	k := current(l, day)
	for i, in := range l.Installments {
		if in.PaidDay != 0 {
			continue
		}
		if dueBy(l, in, day) {
			if err := chargePenalty(in, l.Terms.Basis); err != nil {
				return o, err
			}
			if o.Due, err = arith.Sum(o.Due, unpaidPenalty(in), unpaidInterest(in), unpaidPrincipal(in)); err != nil {
				return o, ErrArithmetic
			}
			continue
		}
		if o.NotYetDue, err = arith.Add(o.NotYetDue, unpaidPrincipal(in)); err != nil {
			return o, ErrArithmetic
		}
		if i == k {
			p, err := notYetDuePrincipal(l, k)
			if err != nil {
				return o, err
			}
			if o.InterestToDay, err = interestToDay(l, p, calendar.Day(in.Start), day); err != nil {
				return o, err
			}
		}
	}
	return o, nil
}

// notYetDuePrincipal is the principal of installments k and after: the
// balance the running period's interest accrues on.
func notYetDuePrincipal(l *creditv1.Loan, k int) (uint64, error) {
	var p uint64
	for _, in := range l.Installments[k:] {
		var err error
		if p, err = arith.Add(p, unpaidPrincipal(in)); err != nil {
			return 0, ErrArithmetic
		}
	}
	return p, nil
}

// interestToDay is the interest on principal from the start of the running
// period to day, at the contract rate over the day-count basis, rounded
// half up: what a prepayment or a settlement pays for the running period.
func interestToDay(l *creditv1.Loan, principal uint64, from, day calendar.Day) (uint64, error) {
	if day <= from || principal == 0 || l.Terms.RateBps == 0 {
		return 0, nil
	}
	n, err := arith.Mul128(principal, uint64(l.Terms.RateBps)).Mul64(uint64(day - from))
	if err != nil {
		return 0, ErrArithmetic
	}
	v, err := n.Div64(10000*uint64(l.Terms.Basis), arith.HalfUp)
	if err != nil {
		return 0, ErrArithmetic
	}
	return v, nil
}

// Split is how a payment was allocated.
type Split struct {
	Penalty, Interest, Principal uint64
}

// Total is the split's sum.
func (s Split) Total() uint64 { return s.Penalty + s.Interest + s.Principal }

// allocate pays amount into the installments due on day, oldest first,
// each in the terms' order of components, and records what it completes
// (paid day, on-time count, arrears). It returns the split; amount must
// not exceed what is due (the caller checked).
func allocate(l *creditv1.Loan, amount uint64, day calendar.Day) (Split, error) {
	var s Split
	order := allocationOf(l.Terms)
	for _, in := range l.Installments {
		if amount == 0 {
			break
		}
		if in.PaidDay != 0 || !dueBy(l, in, day) {
			continue
		}
		if err := chargePenalty(in, l.Terms.Basis); err != nil {
			return s, err
		}
		for _, c := range order {
			var field *uint64
			var owe uint64
			switch c {
			case creditv1.Component_COMPONENT_PENALTY:
				field, owe = &in.PaidPenalty, unpaidPenalty(in)
			case creditv1.Component_COMPONENT_INTEREST:
				field, owe = &in.PaidInterest, unpaidInterest(in)
			case creditv1.Component_COMPONENT_PRINCIPAL:
				field, owe = &in.PaidPrincipal, unpaidPrincipal(in)
			default:
				return s, fmt.Errorf("credit: allocation names component %v", c)
			}
			pay := min(owe, amount)
			*field += pay
			amount -= pay
			switch c {
			case creditv1.Component_COMPONENT_PENALTY:
				s.Penalty += pay
			case creditv1.Component_COMPONENT_INTEREST:
				s.Interest += pay
			default:
				s.Principal += pay
			}
		}
		if settled(in) {
			complete(l, in, day)
		}
	}
	if amount != 0 {
		return s, errcode.Wrap(ErrOverpayment, "%d left after paying everything due", amount)
	}
	l.Outstanding -= s.Principal
	return s, nil
}

// complete marks in paid on day: on time within its grace days, which
// counts toward an upgrade; late, which starts the count again.
func complete(l *creditv1.Loan, in *creditv1.Installment, day calendar.Day) {
	in.PaidDay = int64(day)
	if day <= graceEnd(in, l.Terms) {
		l.OnTime++
		if l.ObservationUntil != 0 {
			l.ObservationInstallments++
		}
	} else {
		l.OnTime = 0
	}
}

// rearm recomputes when the loan's arrears began after a payment: the due
// date of the oldest installment still unpaid past its grace days. Arrears
// repaid in full start an upgrade's observation.
func rearm(l *creditv1.Loan, day calendar.Day) {
	was := l.OverdueSince
	l.OverdueSince = 0
	for _, in := range l.Installments {
		if delinquent(in, l.Terms, day) {
			l.OverdueSince = in.Due
			break
		}
	}
	if was != 0 && l.OverdueSince == 0 {
		// The count of installments paid on time starts again after the
		// arrears: those paid with them do not show the borrower pays.
		l.ArrearsCleared, l.OnTime = int64(day), 0
		l.NotifiedOverdue = false
	}
}

// Repayment kinds, in entries and events.
const (
	kindRepay     = "repay"
	kindPrepay    = "prepay"
	kindSettle    = "settle"
	kindAutoDebit = "autodebit"
	kindAssets    = "assets"
)

// recordPayment writes the entry and event of a payment of split into l by
// payer (the borrower, a guarantor, or nil for the lender's assets).
func (mod *Module) recordPayment(ctx exec.Context, l *creditv1.Loan, day calendar.Day, kind string, payer []byte, s Split, extra Split, detail string) error {
	entryKind := creditv1.LoanEntryKind_LOAN_ENTRY_KIND_REPAID
	switch kind {
	case kindPrepay:
		entryKind = creditv1.LoanEntryKind_LOAN_ENTRY_KIND_PREPAID
	case kindSettle:
		entryKind = creditv1.LoanEntryKind_LOAN_ENTRY_KIND_SETTLED
	case kindAutoDebit:
		entryKind = creditv1.LoanEntryKind_LOAN_ENTRY_KIND_AUTODEBIT
	case kindAssets:
		entryKind = creditv1.LoanEntryKind_LOAN_ENTRY_KIND_ASSETS
	}
	total := Split{s.Penalty + extra.Penalty, s.Interest + extra.Interest, s.Principal + extra.Principal}
	e := &creditv1.LoanEntry{Kind: entryKind, Day: int64(day), By: ctx.Signer.Bytes(), Amount: total.Total(), Penalty: total.Penalty,
		Interest: total.Interest, Principal: total.Principal, Detail: detail}
	if ctx.Signer == (common.Address{}) || kind == kindAutoDebit {
		e.By = nil // the ledger's own work, whichever transaction set it off
	}
	if payer != nil && addrOf(payer) != addrOf(l.Borrower) {
		e.Payer = payer
	}
	if err := mod.entry(ctx, l, e); err != nil {
		return err
	}
	if err := mod.loanRepaid(ctx, l, total.Total(), day); err != nil {
		return err
	}
	payerAttr := ""
	if payer != nil {
		payerAttr = hexAddr(payer)
	}
	ctx.Emit(EventRepayment, "loan", idString(l.Id), "lender", l.Lender, "payer", payerAttr, "kind", kind,
		"denom", l.Terms.Denom, "amount", strconv.FormatUint(total.Total(), 10), "penalty", strconv.FormatUint(total.Penalty, 10),
		"interest", strconv.FormatUint(total.Interest, 10), "principal", strconv.FormatUint(total.Principal, 10))
	return nil
}
