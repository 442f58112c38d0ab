// Package schedule is the arithmetic of loans: repayment schedules, interest
// to the day, and the all-in rate a product is capped by. The credit module
// calls it; it keeps no state.
//
// Money is a uint64 count of minor units, rates are basis points a year,
// days are calendar.Day. Every step is checked: an amount that does not fit
// fails with arith.ErrOverflow, never wraps. Nothing here uses floating
// point, a clock, randomness, maps or goroutines: every function is pure and
// deterministic, and safe for concurrent use.
package schedule
