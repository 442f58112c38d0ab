package schedule

import (
	"fmt"
	"strconv"

	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/calendar"
)

// PrepayMode is what a partial prepayment lowers. The zero value is neither
// mode.
type PrepayMode uint8

const (
	// ShortenTerm keeps the installment (EMI, or principal per installment)
	// and repays the loan with fewer installments.
	ShortenTerm PrepayMode = iota + 1
	// LowerInstallment keeps the number of installments and lowers them.
	LowerInstallment
)

// String returns "shorten-term" or "lower-installment", or "PrepayMode(n)"
// for a value that is neither.
func (m PrepayMode) String() string {
	switch m {
	case ShortenTerm:
		return "shorten-term"
	case LowerInstallment:
		return "lower-installment"
	}
	return "PrepayMode(" + strconv.Itoa(int(m)) + ")"
}

// Reamortize returns the installments that replace installments k to the
// end of a schedule after a partial prepayment on day p, from which balance
// is the principal outstanding. The installments are the loan's current
// schedule under terms t: as Generate made it, or as an earlier Reamortize
// left it (installments 1 to n, installment i due on
// calendar.AddMonths(t.Start, i)). Installment k is the next to fall due:
// p lies in [d(k-1), d(k)), where d(0) is t.Start; a prepayment on a due
// date comes after that day's installment. The interest on the former
// balance up to p is not included: the caller charges it at the
// prepayment, with InterestToDay.
//
// The new installments are numbered from k, keep their due dates, and
// repay exactly balance. The first period, [p, d(k)), bears interest to the
// day on balance (actual days over t.Basis); later periods follow t's
// accrual. The first t.Grace installments still repay no principal. By
// method, with a the first installment from k on that repays principal and
// m = n − a + 1 the installments left to repay it:
//
//   - EqualInstallments. LowerInstallment: the EMI is recomputed by the
//     annuity formula for balance over m, but never above the current EMI
//     (a prepayment smaller than the current schedule's rounding leaves it
//     as it is). ShortenTerm: the current EMI is kept and the schedule ends
//     at the installment that repays the balance, which may be lower. In
//     both, each installment's principal is the EMI less the interest at
//     the monthly rate on the balance, as in Generate, and the first
//     installment's interest is the interest to the day in place of that
//     monthly interest, so its amount differs from the EMI by the
//     difference. The current EMI is installment a's principal plus the
//     monthly interest on what was outstanding before it.
//   - EqualPrincipal. LowerInstallment: balance/m, rounded half up, an
//     installment, never above the current one; ShortenTerm: the current
//     principal per installment, ending early.
//   - InterestOnly: only the interest changes; the mode does not matter.
//   - Bullet: only the interest changes, balance × rate to the day from p
//     to maturity.
//
// In every case the last installment repays what remains, so the principal
// sums to balance, and the total of the new installments fits in uint64.
// ShortenTerm never returns more installments than remained (it ends at n
// at the latest) and keeps the level. LowerInstallment never raises the
// level; with EqualInstallments every installment between the first and
// the last is the level, and the last differs from a recomputed EMI by less
// than ((1+r)^m − 1)/r units, as in Generate (with the EMI kept, it is no
// more than before). With EqualPrincipal each installment carries the
// interest on its balance, which need not fall everywhere: the balance is
// spread evenly over the installments left, so after a prepayment smaller
// than the schedule's rounding a later balance may exceed the former one by
// fewer units than there are months, and after an earlier ShortenTerm (which
// left a smaller last installment) by much more, so that later installments
// can rise where more than 1/r months remain. A zero balance (the
// prepayment repaid the loan) returns no installments.
//
// The installments from k on must be as Generate or the latest Reamortize
// made them (prepayments come in date order): their level is read from them.
//
// Errors: ErrInvalidTerms; ErrInvalidSchedule if installments are not a
// schedule of t (numbering, due dates, more than t's installments);
// ErrInvalidPrepayment for k outside 1..n, p outside [d(k-1), d(k)),
// balance above the principal outstanding from k, or an unknown mode;
// ErrAmortization as Generate's (LowerInstallment only, for a balance tiny
// against the remaining term); arith.ErrOverflow. It is pure and
// deterministic and does not modify installments.
func Reamortize(t Terms, installments []Installment, k uint32, p calendar.Day, balance uint64, mode PrepayMode) ([]Installment, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if mode != ShortenTerm && mode != LowerInstallment {
		return nil, fmt.Errorf("%w: unknown mode %s", ErrInvalidPrepayment, mode)
	}
	if err := checkInstallments(t, installments); err != nil {
		return nil, err
	}
	n := uint32(len(installments))
	if k < 1 || k > n {
		return nil, fmt.Errorf("%w: installment %d is not one of 1 to %d", ErrInvalidPrepayment, k, n)
	}
	prev, due := t.Start, installments[k-1].Due
	if k > 1 {
		prev = installments[k-2].Due
	}
	if p < prev || p >= due {
		return nil, fmt.Errorf("%w: a prepayment on %s does not precede installment %d: it must fall from %s to the day before %s", ErrInvalidPrepayment, p, k, prev, due)
	}
	outstanding, err := principalFrom(installments, k)
	if err != nil {
		return nil, err
	}
	if balance > outstanding {
		return nil, fmt.Errorf("%w: balance %d above the %d outstanding from installment %d", ErrInvalidPrepayment, balance, outstanding, k)
	}
	if balance == 0 {
		return nil, nil
	}

	a := amortization{
		terms:      t,
		first:      k,
		last:       n,
		from:       p,
		dailyFirst: true,
		balance:    balance,
		repayFrom:  max(k, t.Grace+1),
		shorten:    mode == ShortenTerm,
	}
	if t.Method == InterestOnly || t.Method == Bullet {
		a.repayFrom = n
	}
	if a.repayFrom < n { // a level to keep or recompute
		if a.level, err = a.reLevel(installments); err != nil {
			return nil, err
		}
	}
	return a.build()
}

// reLevel returns the level installment (EMI, or principal per
// installment) of the run that replaces installments: the current one for
// ShortenTerm, the lower of the current and the recomputed one for
// LowerInstallment.
func (a amortization) reLevel(installments []Installment) (uint64, error) {
	t := a.terms
	current := installments[a.repayFrom-1].Principal
	count := a.last - a.repayFrom + 1
	var recomputed uint64
	var err error
	switch t.Method {
	case EqualInstallments:
		var before, interest uint64
		if before, err = principalFrom(installments, a.repayFrom); err != nil {
			return 0, err
		}
		if interest, err = monthlyInterest(before, t.RateBps); err != nil {
			return 0, fmt.Errorf("schedule: interest of installment %d on %d: %w", a.repayFrom, before, err)
		}
		if current, err = arith.Add(current, interest); err != nil {
			return 0, fmt.Errorf("schedule: installment %d: %w", a.repayFrom, err)
		}
		if a.shorten {
			return current, nil
		}
		recomputed, err = annuity(a.balance, t.RateBps, count)
	default: // EqualPrincipal
		if a.shorten {
			return current, nil
		}
		recomputed, err = arith.MulDiv(a.balance, 1, uint64(count), arith.HalfUp)
	}
	if err != nil {
		return 0, fmt.Errorf("schedule: installment of %d over %d months at %d bps: %w", a.balance, count, t.RateBps, err)
	}
	return min(recomputed, current), nil
}

// checkInstallments reports whether installments can be a schedule of t:
// 1 to t's number of installments (fewer after a ShortenTerm), numbered
// from 1 in order, each due on its date. It fails with an error wrapping
// ErrInvalidSchedule that says which installment is wrong.
func checkInstallments(t Terms, installments []Installment) error {
	if len(installments) == 0 || len(installments) > int(t.count()) {
		return fmt.Errorf("%w: %d installments, not 1 to %d", ErrInvalidSchedule, len(installments), t.count())
	}
	for i, in := range installments {
		seq := uint32(i + 1)
		if in.Seq != seq || in.Due != t.due(seq) {
			return fmt.Errorf("%w: installment %d is numbered %d and due on %s; want %d due on %s", ErrInvalidSchedule, i+1, in.Seq, in.Due, seq, t.due(seq))
		}
	}
	return nil
}

// principalFrom returns the principal of installments seq to the end: what
// is outstanding before installment seq.
func principalFrom(installments []Installment, seq uint32) (uint64, error) {
	var sum uint64
	for _, in := range installments[seq-1:] {
		var err error
		if sum, err = arith.Add(sum, in.Principal); err != nil {
			return 0, fmt.Errorf("%w: principal from installment %d: %w", ErrInvalidSchedule, seq, err)
		}
	}
	return sum, nil
}
