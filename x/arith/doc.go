// Package arith is the checked integer arithmetic of money. An amount is a
// uint64 count of its denomination's minor unit (fen, cent); every
// operation here gives the exact result or fails with an error. None wraps
// or saturates, and none panics on any amount: only a Rounding that is none
// of the constants, or more than MaxDecimals decimals, both programming
// errors, panic.
//
// # Why integers
//
// Every node must compute the same bits, and money must add up exactly.
// Floating point gives neither: 0.10 has no binary representation, and
// results can differ with the compiler's choices (fused multiply-add). Go
// defines integer operations exactly on every platform, so the arithmetic
// here uses uint64, and 128 bits (math/bits) where a product needs them.
// Nothing here reads a clock, a random source or a map: every function is
// pure and deterministic, and safe for concurrent use.
//
// # Rounding
//
// Only a division can lose precision, so every division names its
// [Rounding]: [Down], [HalfUp] or [Up]. It is applied once, to the exact
// quotient: [MulDiv] computes a*b/c from the 128-bit product a*b, never as
// (a/c)*b and never rounding twice.
//
// The ledger's rule is to round half up at one documented place of each
// computation: carry the exact value in integers to the end (a [Uint128]
// holds products and sums of products), divide once with [HalfUp], and let
// a last part absorb the difference so that the parts sum exactly to the
// whole (the last installment of a loan carries the rounding of the
// others). Where a fraction of a minor unit must not be lost, such as
// interest accruing from one period to the next, keep the remainder of
// [MulDivRem] or [Uint128.DivRem64] and add it to the next period's
// numerator instead of rounding.
//
// # Errors
//
// [ErrOverflow]: the exact result does not fit in uint64. [ErrNegative]: a
// subtraction would go below zero. [ErrDivByZero]: a division by zero.
// [ErrSyntax]: text that [Parse] refuses. The arithmetic returns these
// sentinels bare, so the hot path does not allocate; a module wraps them
// into its own registered error, with the facts of the occurrence, and
// tests them with errors.Is. [Parse] wraps them with its input and the
// reason.
//
// # Decimal text
//
// [Format] and [Parse] convert between minor units and the decimal text
// people read and type ("250.00" with 2 decimals is 25000 minor units), for
// the CLI and documents. They are not an encoding of state: state holds the
// integer.
package arith
