package arith

import (
	"errors"
	"math/bits"
)

// The errors of this package. Functions return them bare or wrapped (Parse);
// test with errors.Is.
var (
	// ErrOverflow: the exact result exceeds 2^64-1.
	ErrOverflow = errors.New("arith: overflow: the result exceeds 2^64-1")
	// ErrNegative: the exact result is below zero.
	ErrNegative = errors.New("arith: negative result")
	// ErrDivByZero: the divisor is zero.
	ErrDivByZero = errors.New("arith: division by zero")
	// ErrSyntax: Parse refused its input.
	ErrSyntax = errors.New("arith: invalid amount")
)

// Add returns a+b, or ErrOverflow if it exceeds 2^64-1.
func Add(a, b uint64) (uint64, error) {
	sum, carry := bits.Add64(a, b, 0)
	if carry != 0 {
		return 0, ErrOverflow
	}
	return sum, nil
}

// Sub returns a-b, or ErrNegative if b > a.
func Sub(a, b uint64) (uint64, error) {
	diff, borrow := bits.Sub64(a, b, 0)
	if borrow != 0 {
		return 0, ErrNegative
	}
	return diff, nil
}

// Mul returns a*b, or ErrOverflow if it exceeds 2^64-1.
func Mul(a, b uint64) (uint64, error) {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 {
		return 0, ErrOverflow
	}
	return lo, nil
}

// Sum returns the sum of xs (0 for none), or ErrOverflow as soon as a
// partial sum exceeds 2^64-1. The terms are unsigned, so a partial sum never
// exceeds the total: Sum fails exactly when the total does not fit.
func Sum(xs ...uint64) (uint64, error) {
	var sum uint64
	for _, x := range xs {
		var carry uint64
		if sum, carry = bits.Add64(sum, x, 0); carry != 0 {
			return 0, ErrOverflow
		}
	}
	return sum, nil
}
