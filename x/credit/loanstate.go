package credit

import (
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/calendar"
)

// The loan's state is a function of its own fields and the day: these
// functions read it, without a context, so that the sweep, a touch, a
// query and a client computing over proven state agree.

// Terminal reports whether status ends a loan (its report code is final).
func Terminal(s creditv1.LoanStatus) bool {
	switch s {
	case creditv1.LoanStatus_LOAN_STATUS_SETTLED, creditv1.LoanStatus_LOAN_STATUS_SETTLED_DISCOUNT,
		creditv1.LoanStatus_LOAN_STATUS_PAID_BY_GUARANTOR, creditv1.LoanStatus_LOAN_STATUS_PAID_WITH_ASSETS,
		creditv1.LoanStatus_LOAN_STATUS_TRANSFERRED:
		return true
	}
	return false
}

// closed reports whether nothing more happens to the loan: a terminal
// state, or written off and fully recovered.
func closed(l *creditv1.Loan) bool { return Terminal(l.Status) || l.ClosedDay != 0 }

// ReportCode is the credit report code of a loan's end, or "" while it is
// open: C settled, G ended otherwise (a discount, a transfer), B written
// off, D paid by a guarantor, Z paid with assets.
func ReportCode(s creditv1.LoanStatus) string {
	switch s {
	case creditv1.LoanStatus_LOAN_STATUS_SETTLED:
		return "C"
	case creditv1.LoanStatus_LOAN_STATUS_SETTLED_DISCOUNT, creditv1.LoanStatus_LOAN_STATUS_TRANSFERRED:
		return "G"
	case creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF:
		return "B"
	case creditv1.LoanStatus_LOAN_STATUS_PAID_BY_GUARANTOR:
		return "D"
	case creditv1.LoanStatus_LOAN_STATUS_PAID_WITH_ASSETS:
		return "Z"
	}
	return ""
}

func unpaidPrincipal(i *creditv1.Installment) uint64 { return i.Principal - i.PaidPrincipal }
func unpaidInterest(i *creditv1.Installment) uint64  { return i.Interest - i.PaidInterest }

// penaltyAccrued is installment i's exact penalty numerator, in units of
// 1/(10000*basis) minor unit.
func penaltyAccrued(i *creditv1.Installment) arith.Uint128 {
	return arith.Uint128{Hi: i.PenaltyAccruedHi, Lo: i.PenaltyAccruedLo}
}

// chargePenalty rounds i's accrued penalty half up into i.Penalty: the
// penalty is rounded only when charged (at a payment, or when the
// installment is paid off), never in between.
func chargePenalty(i *creditv1.Installment, basis uint32) error {
	p, err := penaltyAccrued(i).Div64(10000*uint64(basis), arith.HalfUp)
	if err != nil {
		return ErrArithmetic
	}
	if p > i.Penalty {
		i.Penalty = p
	}
	return nil
}

func unpaidPenalty(i *creditv1.Installment) uint64 { return i.Penalty - i.PaidPenalty }

// settled reports whether nothing of i is unpaid (its penalty charged).
func settled(i *creditv1.Installment) bool {
	return unpaidPrincipal(i) == 0 && unpaidInterest(i) == 0 && unpaidPenalty(i) == 0
}

// graceEnd is the last day a payment of i counts as on time.
func graceEnd(i *creditv1.Installment, t *creditv1.Terms) calendar.Day {
	return calendar.Day(i.Due) + calendar.Day(t.GraceDays)
}

// delinquent reports whether i is unpaid past its grace days on day.
func delinquent(i *creditv1.Installment, t *creditv1.Terms, day calendar.Day) bool {
	return i.PaidDay == 0 && day > graceEnd(i, t) && (unpaidPrincipal(i) > 0 || unpaidInterest(i) > 0)
}

// DaysPastDue is the loan's days past due on its as-of day: counted from
// the due date of the oldest installment unpaid past its grace days.
func DaysPastDue(l *creditv1.Loan) uint32 {
	if l.OverdueSince == 0 || l.AsOf <= l.OverdueSince {
		return 0
	}
	return uint32(l.AsOf - l.OverdueSince)
}

// Bucket is the delinquency bucket of dpd days past due: 0 (M0, current),
// then k = 1..7 for 1-30, 31-60, ..., 151-180 and 181+ days, which is
// also the monthly report code k.
func Bucket(dpd uint32) int {
	if dpd == 0 {
		return 0
	}
	return min(int((dpd-1)/30)+1, 7)
}

// bucketThresholds are the days past due at which the bucket changes.
var bucketThresholds = []uint32{1, 31, 61, 91, 121, 151, 181}

// classThresholds are the days past due at which the rule's class worsens:
// any overdue amount makes a loan special mention; more than 90 days
// substandard, more than 270 doubtful, more than 360 loss (the 2023 rules).
var classThresholds = []struct {
	dpd   uint32
	class creditv1.Class
}{
	{1, creditv1.Class_CLASS_SPECIAL_MENTION},
	{91, creditv1.Class_CLASS_SUBSTANDARD},
	{271, creditv1.Class_CLASS_DOUBTFUL},
	{361, creditv1.Class_CLASS_LOSS},
}

// RuleClass is the class days past due alone give.
func RuleClass(dpd uint32) creditv1.Class {
	c := creditv1.Class_CLASS_NORMAL
	for _, t := range classThresholds {
		if dpd >= t.dpd {
			c = t.class
		}
	}
	return c
}

// performing reports whether c is normal or special mention.
func performing(c creditv1.Class) bool { return c <= creditv1.Class_CLASS_SPECIAL_MENTION }

// deriveStatus is an open loan's status from its fields.
func deriveStatus(l *creditv1.Loan) creditv1.LoanStatus {
	switch {
	case Terminal(l.Status) || l.Status == creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF:
		return l.Status
	case l.OverdueSince != 0:
		return creditv1.LoanStatus_LOAN_STATUS_OVERDUE
	case l.ObservationUntil != 0:
		return creditv1.LoanStatus_LOAN_STATUS_RESTRUCTURED
	}
	return creditv1.LoanStatus_LOAN_STATUS_CURRENT
}

// Owed is what the loan owes on day: every unpaid component of the
// installments due by then (penalty charged to the day), and what paying
// it off on day costs besides: interest to the day on the principal not
// yet due, and that principal.
type Owed struct {
	Due           uint64 // penalty, interest and principal of installments due by the day
	InterestToDay uint64
	NotYetDue     uint64 // principal of installments not yet due
}

// Total is what settles the loan on the day.
func (o Owed) Total() (uint64, error) { return arith.Sum(o.Due, o.InterestToDay, o.NotYetDue) }

// current is the index of the first installment not yet due on day (the
// one whose period runs), or len if all are due.
func current(l *creditv1.Loan, day calendar.Day) int {
	for i, in := range l.Installments {
		if calendar.Day(in.Due) > day {
			return i
		}
	}
	return len(l.Installments)
}
