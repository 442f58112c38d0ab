// Package schedule is the arithmetic of loans: repayment schedules, their
// reamortisation after a prepayment, interest to the day, the all-in rate a
// product is capped by, and the allocation of a repayment. The credit module
// calls it; it keeps no state.
//
// Money is a uint64 count of minor units, rates are basis points a year,
// days are calendar.Day. Every step is checked: an amount that does not fit
// fails with arith.ErrOverflow, wrapped, and never wraps around.
//
// # Schedules
//
// [Generate] turns [Terms] into installments, installment i due on
// calendar.AddMonths(Start, i), always counted from the drawdown day (drawn
// 31 January: due 28 or 29 February, 31 March, 30 April). With r = RateBps /
// 120,000 a month and m the periods that repay principal (Months less the
// Grace of interest-only periods that may lead):
//
//   - EqualInstallments (annuity): EMI = P·r / (1 − (1+r)^−m), computed
//     exactly in big integers and rounded half up once; each period's
//     interest is balance × r, rounded half up, and its principal EMI −
//     interest; the last installment repays whatever principal remains, with
//     its interest computed the same way. At rate 0 the EMI is P/m.
//   - EqualPrincipal: P/m, rounded half up, each installment; the last
//     repays what remains; interest on the balance.
//   - InterestOnly: interest on the principal each period, the principal
//     with the last.
//   - Bullet: one installment at maturity, the principal and the whole
//     term's interest rounded once.
//
// Interest accrues Monthly (balance × r, whatever the days: installment
// products, and the only accrual for which the annuity is exact) or Daily
// (balance × RateBps × actual days / (10,000 × Basis), Basis 360 or 365:
// revolving lines).
//
// # Rounding
//
// Each amount is rounded half up once, from its exact value: a product of
// up to 128 bits ([arith.Uint128]) or a big integer, never a rounded
// intermediate. The last installment absorbs the rounding, so the principal
// of a schedule sums exactly to the loan's. For an annuity the last
// installment then differs from the EMI by the EMI's half unit and each
// period's rounding, compounded: less than ((1+r)^m − 1)/r units, which is
// 12.68 for 12 months at 12% a year but 3,494.96 for 360 months (100,000.00
// at 12% over 30 years ends 8.17 above its EMI).
//
// The same compounding can exhaust the balance before the last installment
// when the EMI is only a few units (a tiny principal, or a long term at a
// high rate): Generate then refuses the terms with [ErrAmortization] rather
// than schedule a negative balance. It cannot happen when the exact EMI is
// at least ((1+r)^m − 1)/r − 1 units: at 12% a year, from 34.94 a month
// over 30 years (a principal of 3,396.78), from 0.12 over 12 months (1.32). For
// EqualPrincipal, m − 1 rounded shares can exceed P only when P < m(m−1)/2
// units (646.20 over 360 months).
//
// # Prepayment and restructuring
//
// After a partial prepayment, [Reamortize] rebuilds the installments still
// to fall due from the new balance: ShortenTerm keeps the installment and
// ends early, LowerInstallment keeps the count and lowers the installment;
// the first new period bears interest to the day. The interest on the
// former balance up to the prepayment is charged by the caller with
// [InterestToDay]. A restructuring is [Generate] on the new terms, drawn on
// the restructuring day.
//
// # Interest to the day and penalties
//
// [InterestToDay] is balance × rate × days / (10,000 × basis), rounded half
// up. [Accrued] sums such interest exactly over periods of different
// balances and rates, to be rounded once when charged: penalty interest on
// overdue principal. [AllInBps] annualises a product's rate and penalty
// over 365 days, rounded up, for the consortium's cap.
//
// # Allocation
//
// [Allocate] pays a repayment over what installments owe, oldest first, and
// within an installment in a given order of penalty, interest and principal
// ([DefaultOrder]: penalty, interest, principal); what no installment can
// take is returned, never booked as negative principal.
//
// # Determinism
//
// Nothing here uses floating point, a clock, randomness, maps or
// goroutines; math/big is exact integer arithmetic. Every function is pure
// and deterministic, and safe for concurrent use; none modifies its
// arguments. Work is bounded: a schedule has at most [MaxMonths]
// installments.
package schedule
