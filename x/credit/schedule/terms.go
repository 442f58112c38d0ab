package schedule

import (
	"fmt"
	"strconv"

	"github.com/ledgerd/ledgerd/x/calendar"
)

// MaxMonths is the longest term, 360 monthly periods (30 years). It bounds
// a schedule's length and so the work of Generate and Reamortize.
const MaxMonths = 360

// The years a loan may be drawn in: its due dates, at most MaxMonths later,
// then stay in four-digit years.
const (
	minStartYear = 1
	maxStartYear = 9999 - MaxMonths/12
)

// Method is how a loan repays its principal. The zero value is none of the
// methods, so that terms that forget it are refused.
type Method uint8

const (
	// EqualInstallments (等额本息, annuity): every installment but the last
	// is the same amount, the EMI; its interest falls and its principal rises.
	EqualInstallments Method = iota + 1
	// EqualPrincipal (等额本金): every installment but the last repays the
	// same principal, with the interest on the balance.
	EqualPrincipal
	// InterestOnly (先息后本): interest every period, the principal with the
	// last.
	InterestOnly
	// Bullet (一次性还本付息): one installment at maturity, principal and
	// interest.
	Bullet
)

// String returns the method's name as the golden files write it,
// "equal-installments", "equal-principal", "interest-only" or "bullet", or
// "Method(n)" for a value that is none of them.
func (m Method) String() string {
	switch m {
	case EqualInstallments:
		return "equal-installments"
	case EqualPrincipal:
		return "equal-principal"
	case InterestOnly:
		return "interest-only"
	case Bullet:
		return "bullet"
	}
	return "Method(" + strconv.Itoa(int(m)) + ")"
}

// Accrual is how a period's interest is computed. The zero value is none of
// them.
type Accrual uint8

const (
	// Monthly: a period's interest is balance × RateBps / 120,000 (the annual
	// rate over 12), whatever the period's length in days: the installment
	// products' convention, and the one the annuity formula assumes.
	Monthly Accrual = iota + 1
	// Daily: a period's interest is balance × RateBps × days / (10,000 ×
	// Basis) for the actual days of the period (revolving lines).
	Daily
)

// String returns "monthly" or "daily", or "Accrual(n)" for a value that is
// neither.
func (a Accrual) String() string {
	switch a {
	case Monthly:
		return "monthly"
	case Daily:
		return "daily"
	}
	return "Accrual(" + strconv.Itoa(int(a)) + ")"
}

// Terms are a loan's contract terms, all a schedule depends on.
//
// Installment i (from 1) falls due on calendar.AddMonths(Start, i): the
// drawdown's day of the month, or the month's last day in a shorter month
// (drawn 31 January: 28 or 29 February, 31 March, 30 April). A Bullet loan's
// one installment falls due at maturity, calendar.AddMonths(Start, Months).
type Terms struct {
	// Principal is the amount drawn, in minor units.
	Principal uint64
	// RateBps is the annual contract rate in basis points (1,200 is 12% a
	// year); 0 is an interest-free loan.
	RateBps uint32
	// Months is the number of monthly periods, 1 to MaxMonths; for Bullet,
	// the maturity in months.
	Months uint32
	// Grace is the number of leading periods that pay interest only before
	// the principal is amortized over the remaining Months - Grace periods
	// (Fineract's grace on principal). Only EqualInstallments and
	// EqualPrincipal take it, and it must leave at least one period.
	Grace uint32
	// Method is how the principal is repaid.
	Method Method
	// Accrual is how a period's interest is computed. EqualInstallments
	// requires Monthly: the annuity is exact only with equal periodic rates.
	Accrual Accrual
	// Basis is the day-count basis of daily interest, 360 or 365 days a
	// year. Every product has one, whatever its Accrual: interest to the
	// day (a prepayment, a penalty) uses it.
	Basis uint32
	// Start is the drawdown day, from which due dates are counted. It must
	// lie in the years 1 to 9969, so that every due date has a four-digit
	// year.
	Start calendar.Day
}

// Validate reports whether the terms can be scheduled: a non-zero
// principal, 1 to MaxMonths months, a known method and accrual, a basis of
// 360 or 365, EqualInstallments only with Monthly accrual, a grace only for
// EqualInstallments and EqualPrincipal and shorter than the term, and a
// start day in the years 1 to 9969. Any rate is valid: one too high for the
// amounts fails in Generate with arith.ErrOverflow. It returns an error
// wrapping ErrInvalidTerms that names the first field refused and why. It is
// pure and deterministic.
func (t Terms) Validate() error {
	switch {
	case t.Principal == 0:
		return fmt.Errorf("%w: principal is zero", ErrInvalidTerms)
	case t.Months == 0 || t.Months > MaxMonths:
		return fmt.Errorf("%w: %d months, not 1 to %d", ErrInvalidTerms, t.Months, MaxMonths)
	case t.Method < EqualInstallments || t.Method > Bullet:
		return fmt.Errorf("%w: unknown method %s", ErrInvalidTerms, t.Method)
	case t.Accrual < Monthly || t.Accrual > Daily:
		return fmt.Errorf("%w: unknown accrual %s", ErrInvalidTerms, t.Accrual)
	case !validBasis(t.Basis):
		return fmt.Errorf("%w: basis %d days, not 360 or 365", ErrInvalidTerms, t.Basis)
	case t.Method == EqualInstallments && t.Accrual != Monthly:
		return fmt.Errorf("%w: equal installments accrue monthly: the annuity is exact only for equal periodic rates, not for %s accrual", ErrInvalidTerms, t.Accrual)
	case t.Grace > 0 && t.Method != EqualInstallments && t.Method != EqualPrincipal:
		return fmt.Errorf("%w: grace of %d months on a %s loan: only equal installments and equal principal take a grace", ErrInvalidTerms, t.Grace, t.Method)
	case t.Grace >= t.Months:
		return fmt.Errorf("%w: grace of %d months leaves none of the %d to repay the principal", ErrInvalidTerms, t.Grace, t.Months)
	}
	if y := t.Start.Year(); y < minStartYear || y > maxStartYear {
		return fmt.Errorf("%w: start %s: the year must be %d to %d", ErrInvalidTerms, t.Start, minStartYear, maxStartYear)
	}
	return nil
}

// validBasis reports whether basis is a day-count basis: 360 or 365.
func validBasis(basis uint32) bool {
	return basis == 360 || basis == 365
}

// due returns the due date of installment seq (from 1) of valid terms.
func (t Terms) due(seq uint32) calendar.Day {
	if t.Method == Bullet {
		return calendar.AddMonths(t.Start, int(t.Months))
	}
	return calendar.AddMonths(t.Start, int(seq))
}

// count returns the number of installments Generate makes for valid terms.
func (t Terms) count() uint32 {
	if t.Method == Bullet {
		return 1
	}
	return t.Months
}
