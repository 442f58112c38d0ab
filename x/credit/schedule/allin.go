package schedule

import (
	"fmt"

	"github.com/ledgerd/ledgerd/x/arith"
)

// AllInBps returns the annualised all-in rate over 365 days of a product
// whose principal bears rateBps a year and, once overdue, penaltyBps more
// (both on a basis of basis days): (rateBps + penaltyBps) × 365 / basis,
// rounded up, so that a product passes a cap only if its rate truly does. A
// product is allowed when AllInBps ≤ the consortium's cap (by default
// 2,400 bps, the courts' 24% a year): 2,400 bps on a 360-day basis is 2,434
// over 365 (24.33%), and is refused.
//
// It fails with an error wrapping ErrInvalidBasis unless basis is 360 or
// 365, and with arith.ErrOverflow if the result exceeds 2^32-1. It is pure
// and deterministic.
func AllInBps(rateBps, penaltyBps, basis uint32) (uint32, error) {
	if !validBasis(basis) {
		return 0, fmt.Errorf("%w, not %d", ErrInvalidBasis, basis)
	}
	// Below 2^33 × 365: no uint64 step can overflow.
	allIn, err := arith.MulDiv(uint64(rateBps)+uint64(penaltyBps), 365, uint64(basis), arith.Up)
	if err != nil {
		return 0, err
	}
	if allIn > 1<<32-1 {
		return 0, fmt.Errorf("schedule: all-in rate of %d + %d bps on %d days: %w", rateBps, penaltyBps, basis, arith.ErrOverflow)
	}
	return uint32(allIn), nil
}
