package arith

import "math/bits"

// Uint128 is an unsigned 128-bit integer, Hi*2^64 + Lo: the exact
// intermediate of money computations whose products exceed 64 bits
// (principal × rate × days), before the one division that ends them. The
// zero value is 0. Its methods are checked like the rest of the package.
type Uint128 struct {
	Hi, Lo uint64
}

// Mul128 returns the exact 128-bit product a*b; it cannot overflow.
func Mul128(a, b uint64) Uint128 {
	hi, lo := bits.Mul64(a, b)
	return Uint128{Hi: hi, Lo: lo}
}

// Add returns x+y, or ErrOverflow if it exceeds 2^128-1.
func (x Uint128) Add(y Uint128) (Uint128, error) {
	lo, carry := bits.Add64(x.Lo, y.Lo, 0)
	hi, carry := bits.Add64(x.Hi, y.Hi, carry)
	if carry != 0 {
		return Uint128{}, ErrOverflow
	}
	return Uint128{Hi: hi, Lo: lo}, nil
}

// Mul64 returns x*y, or ErrOverflow if it exceeds 2^128-1.
func (x Uint128) Mul64(y uint64) (Uint128, error) {
	hi, lo := bits.Mul64(x.Lo, y)
	carryHi, mid := bits.Mul64(x.Hi, y)
	hi, carry := bits.Add64(hi, mid, 0)
	if carryHi != 0 || carry != 0 {
		return Uint128{}, ErrOverflow
	}
	return Uint128{Hi: hi, Lo: lo}, nil
}

// DivRem64 returns the quotient and remainder of x/d, exact: x = q*d + r
// with r < d. It fails with ErrDivByZero if d is 0 and with ErrOverflow if
// the quotient exceeds 2^64-1 (x.Hi >= d).
func (x Uint128) DivRem64(d uint64) (q, r uint64, err error) {
	if d == 0 {
		return 0, 0, ErrDivByZero
	}
	if x.Hi >= d {
		return 0, 0, ErrOverflow
	}
	q, r = bits.Div64(x.Hi, x.Lo, d)
	return q, r, nil
}

// Div64 returns x/d rounded by r. It fails with ErrDivByZero if d is 0 and
// with ErrOverflow if the rounded quotient exceeds 2^64-1. It panics if r
// is not one of the Rounding constants.
func (x Uint128) Div64(d uint64, r Rounding) (uint64, error) {
	q, rem, err := x.DivRem64(d)
	if err != nil {
		return 0, err
	}
	return r.round(q, rem, d)
}
