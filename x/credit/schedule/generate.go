package schedule

import (
	"fmt"

	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/calendar"
)

// Installment is one due date of a schedule and what falls due on it.
type Installment struct {
	// Seq numbers the installments from 1 in due order.
	Seq uint32
	// Due is the day it falls due.
	Due calendar.Day
	// Principal is the principal repaid, in minor units.
	Principal uint64
	// Interest is the interest of its period, in minor units.
	Interest uint64
}

// Total returns Principal + Interest, the amount due. It fails with
// arith.ErrOverflow if that exceeds 2^64-1, which cannot happen for an
// installment of Generate or Reamortize.
func (in Installment) Total() (uint64, error) {
	return arith.Add(in.Principal, in.Interest)
}

// Generate returns the schedule of terms: its installments in due order,
// Seq 1 to Months (one installment for Bullet), installment i due on
// calendar.AddMonths(Start, i). Rounding is half up, once per amount; the
// last installment repays whatever principal remains, so the principal of
// the installments sums to Principal exactly. By method (r = RateBps /
// 120,000 a month, "interest" the period's interest under the accrual):
//
//   - EqualInstallments: EMI = P·r / (1 − (1+r)^−m) over the m = Months −
//     Grace amortizing periods, exact and rounded once (at rate 0, P/m);
//     each period's interest is balance × r and its principal EMI −
//     interest; the last installment's principal is what remains and its
//     interest balance × r, so it differs from the EMI by the rounding alone
//     (less than ((1+r)^m − 1)/r minor units: the EMI's half unit compounds).
//   - EqualPrincipal: the principal of each amortizing installment is P/m,
//     rounded; the last takes what remains; interest on the balance.
//   - InterestOnly: interest on the principal every period; the principal
//     with the last.
//   - Bullet: one installment at calendar.AddMonths(Start, Months) with the
//     principal and the interest of the whole term, rounded once: P × RateBps
//     × Months / 120,000 under Monthly accrual, P × RateBps × days / (10,000 ×
//     Basis) under Daily.
//
// Under Monthly accrual a period's interest is balance × RateBps / 120,000
// whatever its length; under Daily it is balance × RateBps × days / (10,000
// × Basis) for the actual days from the previous due date (or Start) to the
// due date. The first Grace installments repay no principal.
//
// Generate guarantees that every amount is non-negative, that the principal
// sums to Principal, and that the sum of every installment's principal and
// interest fits in uint64, so a caller may add any of them unchecked.
//
// Errors: ErrInvalidTerms (see Terms.Validate); arith.ErrOverflow if an
// amount or the total exceeds 2^64-1; ErrAmortization if the rounded level
// installment (or principal) would repay the principal before the last
// installment (a tiny principal, or a long term at a high rate; see the
// package documentation). It is pure and deterministic.
//
// Restructuring is Generate on the new terms: the outstanding principal,
// the new rate and term, and Start the restructuring day.
func Generate(t Terms) ([]Installment, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	a := amortization{
		terms:     t,
		first:     1,
		last:      t.count(),
		from:      t.Start,
		balance:   t.Principal,
		repayFrom: t.Grace + 1,
	}
	var err error
	switch t.Method {
	case EqualInstallments:
		a.level, err = annuity(t.Principal, t.RateBps, t.Months-t.Grace)
	case EqualPrincipal:
		a.level, err = arith.MulDiv(t.Principal, 1, uint64(t.Months-t.Grace), arith.HalfUp)
	case InterestOnly, Bullet:
		a.repayFrom = a.last
	}
	if err != nil {
		return nil, fmt.Errorf("schedule: installment of %d over %d months at %d bps: %w", t.Principal, t.Months-t.Grace, t.RateBps, err)
	}
	return a.build()
}

// amortization is a run of installments first..last (at most) repaying
// balance, the loop that Generate and Reamortize share.
type amortization struct {
	terms Terms
	// first and last are the sequence numbers of the first installment and
	// of the last one (the run may end earlier when shorten is set).
	first, last uint32
	// from is the first period's start: Start, or the prepayment day.
	from calendar.Day
	// dailyFirst makes the first period bear interest to the day, whatever
	// the accrual: the period after a prepayment.
	dailyFirst bool
	balance    uint64
	// repayFrom is the first installment that repays principal.
	repayFrom uint32
	// level is EqualInstallments' installment (EMI) or EqualPrincipal's
	// principal per installment.
	level uint64
	// shorten ends the run at the installment that repays the balance
	// (ShortenTerm), where otherwise repaying it early is ErrAmortization.
	shorten bool
}

// build returns the run's installments.
func (a amortization) build() ([]Installment, error) {
	t := a.terms
	out := make([]Installment, 0, a.last-a.first+1)
	balance, from := a.balance, a.from
	var total uint64 // of principal and interest, to guarantee it fits
	for seq := a.first; seq <= a.last; seq++ {
		due := t.due(seq)
		interest, err := a.interest(seq, balance, from, due)
		if err != nil {
			return nil, fmt.Errorf("schedule: interest of installment %d on %d: %w", seq, balance, err)
		}
		principal, end, err := a.principal(seq, balance)
		if err != nil {
			return nil, err
		}
		if total, err = arith.Sum(total, principal, interest); err != nil {
			return nil, fmt.Errorf("schedule: total due by installment %d: %w", seq, err)
		}
		balance -= principal // principal ≤ balance
		out = append(out, Installment{Seq: seq, Due: due, Principal: principal, Interest: interest})
		if end {
			break
		}
		from = due
	}
	return out, nil
}

// interest returns the interest of installment seq's period [from, due) on
// balance.
func (a amortization) interest(seq uint32, balance uint64, from, due calendar.Day) (uint64, error) {
	t := a.terms
	if t.Method == Bullet && t.Accrual == Monthly && !a.dailyFirst {
		// The whole term's interest, rounded once.
		num, err := arith.Mul128(balance, uint64(t.RateBps)).Mul64(uint64(t.Months))
		if err != nil {
			return 0, err
		}
		return num.Div64(monthlyScale, arith.HalfUp)
	}
	if t.Accrual == Daily || (seq == a.first && a.dailyFirst) {
		return InterestToDay(balance, t.RateBps, t.Basis, from, due)
	}
	return monthlyInterest(balance, t.RateBps)
}

// principal returns the principal repaid by installment seq out of balance,
// and whether seq ends the run.
func (a amortization) principal(seq uint32, balance uint64) (uint64, bool, error) {
	t := a.terms
	var principal uint64
	switch {
	case seq == a.last:
		return balance, true, nil
	case seq < a.repayFrom:
		return 0, false, nil
	case t.Method == EqualInstallments:
		// The EMI less the period's interest at the monthly rate, even when
		// the period bears interest to the day: the principal follows the
		// annuity. EMI ≥ balance × r rounded, as the rounding is monotonic
		// and the exact EMI exceeds the interest on any balance up to P.
		interest, err := monthlyInterest(balance, t.RateBps)
		if err != nil {
			return 0, false, fmt.Errorf("schedule: interest of installment %d on %d: %w", seq, balance, err)
		}
		if principal, err = arith.Sub(a.level, interest); err != nil {
			return 0, false, fmt.Errorf("%w: installment %d: the EMI %d is less than its interest %d on %d", ErrAmortization, seq, a.level, interest, balance)
		}
	default: // EqualPrincipal
		principal = a.level
	}
	switch {
	case principal >= balance && a.shorten:
		return balance, true, nil
	case principal > balance:
		return 0, false, fmt.Errorf("%w: installment %d of %d would repay %d of %d outstanding, %d installments before the last", ErrAmortization, seq, a.last, principal, balance, a.last-seq)
	}
	return principal, false, nil
}
