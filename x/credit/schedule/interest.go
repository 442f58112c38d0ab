package schedule

import (
	"fmt"

	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/calendar"
)

// monthlyScale is the divisor of monthly interest: 12 months × 10,000 bps.
const monthlyScale = 12 * arith.BpsScale

// monthlyInterest returns a period's interest under Monthly accrual:
// balance × rateBps / 120,000, rounded half up once. It fails with
// arith.ErrOverflow only for a rate above 1,200% a year.
func monthlyInterest(balance uint64, rateBps uint32) (uint64, error) {
	return arith.MulDiv(balance, uint64(rateBps), monthlyScale, arith.HalfUp)
}

// Accrued is interest accrued exactly, to be summed over periods of
// different balances, rates or lengths and rounded once, when it is
// charged. The zero value is nothing accrued.
//
// Its unit is a minor-unit basis-point day: 1/(10,000 × basis) of a minor
// unit on a day-count basis of basis days. The numerator does not depend on
// the basis, which is applied only by Charge, so a caller may store Num as
// it is (for a penalty accruing over many blocks) and charge it later.
type Accrued struct {
	// Num is the sum of balance × rateBps × days over the accrued periods.
	Num arith.Uint128
}

// Accrue returns a plus the interest of balance at rateBps a year over
// days days: a.Num + balance × rateBps × days, exactly. It fails with an
// error wrapping ErrInvalidPeriod for negative days and arith.ErrOverflow if
// the sum exceeds 2^128-1 (far beyond any amount that Charge could return).
// It is pure and deterministic; a is not modified.
func (a Accrued) Accrue(balance uint64, rateBps uint32, days int64) (Accrued, error) {
	if days < 0 {
		return Accrued{}, fmt.Errorf("%w: %d days", ErrInvalidPeriod, days)
	}
	term, err := arith.Mul128(balance, uint64(rateBps)).Mul64(uint64(days))
	if err != nil {
		return Accrued{}, fmt.Errorf("schedule: accruing %d at %d bps over %d days: %w", balance, rateBps, days, err)
	}
	num, err := a.Num.Add(term)
	if err != nil {
		return Accrued{}, fmt.Errorf("schedule: accrued interest: %w", err)
	}
	return Accrued{Num: num}, nil
}

// Charge returns the accrued interest in minor units on a day-count basis
// of basis days: Num / (10,000 × basis), rounded half up, the one rounding
// of the accrual. It fails with an error wrapping ErrInvalidBasis unless
// basis is 360 or 365, and with arith.ErrOverflow if the interest exceeds
// 2^64-1 minor units.
func (a Accrued) Charge(basis uint32) (uint64, error) {
	if !validBasis(basis) {
		return 0, fmt.Errorf("%w, not %d", ErrInvalidBasis, basis)
	}
	interest, err := a.Num.Div64(arith.BpsScale*uint64(basis), arith.HalfUp)
	if err != nil {
		return 0, fmt.Errorf("schedule: charging accrued interest: %w", err)
	}
	return interest, nil
}

// InterestToDay returns the interest of balance at rateBps a year from day
// from to day to (the days of [from, to), actual days over basis), rounded
// half up once: balance × rateBps × days / (10,000 × basis). It is the
// interest of a prepayment to the day and of a penalty on overdue
// principal. It fails with an error wrapping ErrInvalidPeriod if to is
// before from, ErrInvalidBasis unless basis is 360 or 365, and
// arith.ErrOverflow if the interest exceeds 2^64-1. It is pure and
// deterministic.
func InterestToDay(balance uint64, rateBps uint32, basis uint32, from, to calendar.Day) (uint64, error) {
	days := calendar.DaysBetween(from, to)
	if days < 0 {
		return 0, fmt.Errorf("%w: from %s to %s", ErrInvalidPeriod, from, to)
	}
	a, err := Accrued{}.Accrue(balance, rateBps, days)
	if err != nil {
		return 0, err
	}
	return a.Charge(basis)
}
