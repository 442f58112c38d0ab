package arith

// BpsScale is the number of basis points in a whole: 10,000 bps = 100%.
const BpsScale = 10_000

// MulDiv returns a*b/c rounded by r, computed from the exact 128-bit product
// and rounded once. It fails with ErrDivByZero if c is 0 and with
// ErrOverflow if the rounded quotient exceeds 2^64-1; an intermediate a*b
// above 2^64 is fine. It panics if r is not one of the Rounding constants.
func MulDiv(a, b, c uint64, r Rounding) (uint64, error) {
	return Mul128(a, b).Div64(c, r)
}

// MulDivRem returns the exact quotient and remainder of a*b/c: a*b = q*c +
// rem with rem < c. Keep rem to carry a fraction of a minor unit into the
// next computation instead of rounding it away. It fails with ErrDivByZero
// if c is 0 and with ErrOverflow if q exceeds 2^64-1.
func MulDivRem(a, b, c uint64) (q, rem uint64, err error) {
	return Mul128(a, b).DivRem64(c)
}

// ApplyBps returns amount*bps/10,000 (bps basis points of amount) rounded by
// r. It fails with ErrOverflow only if the result exceeds 2^64-1, which
// needs bps above 10,000. It panics if r is not one of the Rounding
// constants.
func ApplyBps(amount uint64, bps uint32, r Rounding) (uint64, error) {
	return MulDiv(amount, uint64(bps), BpsScale, r)
}
