package schedule

import "errors"

// The errors of this package. Functions wrap them with the facts of the
// occurrence (which field, which installment, which amounts); test with
// errors.Is. An amount whose exact value does not fit in uint64 is reported
// as arith.ErrOverflow, wrapped the same way. These are plain errors, not
// registered ones: the credit module maps them to its own registered errors,
// as it does for x/arith's.
var (
	// ErrInvalidTerms: Terms.Validate refused the terms; the wrapping error
	// names the field and why.
	ErrInvalidTerms = errors.New("schedule: invalid loan terms")
	// ErrInvalidBasis: a day-count basis other than 360 or 365.
	ErrInvalidBasis = errors.New("schedule: day-count basis must be 360 or 365")
	// ErrInvalidPeriod: a period of interest that ends before it starts.
	ErrInvalidPeriod = errors.New("schedule: period ends before it starts")
	// ErrAmortization: with its rounding, the level installment (or level
	// principal) would repay more than the outstanding principal before the
	// last installment. It happens only when that installment is a few minor
	// units compared with the compounding of its half-unit rounding over the
	// term (a tiny principal, or a long term at a high rate): the terms
	// cannot be scheduled as asked; a shorter term or a larger principal can.
	ErrAmortization = errors.New("schedule: the rounded installments repay the principal before the last installment")
	// ErrInvalidSchedule: Reamortize was given installments that are not a
	// schedule of its terms.
	ErrInvalidSchedule = errors.New("schedule: installments are not a schedule of the terms")
	// ErrInvalidPrepayment: Reamortize's installment, day, balance or mode is
	// out of range.
	ErrInvalidPrepayment = errors.New("schedule: invalid prepayment")
	// ErrInvalidAllocation: Allocate's order is not a permutation of the
	// components, or its installments are not oldest first.
	ErrInvalidAllocation = errors.New("schedule: invalid allocation")
)
