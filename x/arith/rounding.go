package arith

import "strconv"

// Rounding says how a division rounds an inexact quotient of non-negative
// integers. The zero value is Down.
type Rounding uint8

const (
	// Down rounds toward zero: the quotient is truncated.
	Down Rounding = iota
	// HalfUp rounds to the nearest integer, a tie (a remainder of exactly
	// half the divisor) away from zero, which is up for the non-negative
	// values here. It is the ledger's rounding of money.
	HalfUp
	// Up rounds away from zero: any non-zero remainder adds one.
	Up
)

// String returns "down", "half-up" or "up", or "Rounding(n)" for a value
// that is none of the constants.
func (r Rounding) String() string {
	switch r {
	case Down:
		return "down"
	case HalfUp:
		return "half-up"
	case Up:
		return "up"
	}
	return "Rounding(" + strconv.Itoa(int(r)) + ")"
}

// round returns q, or q+1 when r rounds the quotient q with remainder rem
// of a division by d (rem < d) up. It fails with ErrOverflow if q+1 does not
// fit. It panics if r is none of the constants: a programming error, as
// Rounding values are constants or validated parameters.
func (r Rounding) round(q, rem, d uint64) (uint64, error) {
	var up bool
	switch r {
	case Down:
		return q, nil
	case HalfUp:
		up = rem >= d-rem // rem/d >= 1/2, without overflowing 2*rem
	case Up:
		up = rem != 0
	default:
		panic("arith: invalid rounding " + r.String())
	}
	if !up {
		return q, nil
	}
	if q == ^uint64(0) {
		return 0, ErrOverflow
	}
	return q + 1, nil
}
