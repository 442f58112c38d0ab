package credit

import (
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/calendar"
)

// The monthly report codes (docs/credit.md, "The report"). A loan's code
// for a month is a pure function of the loan's record as of that month's
// end. It is fixed lazily: advance, which walks a loan day by day over its
// event days, also stops at each month end it passes, and appends the
// month's code to the loan's grid the first time the loan is brought past
// that month end, before anything later is applied. Month ends are never
// put in the sweep's wake index: a month end costs nothing for a loan that
// nothing else wakes or touches, and a read derives the months ended since
// the loan's as-of day the same way (by advancing a copy), so a stored
// code and a derived one cannot differ.

// Code characters.
const (
	CodeNothingDue = '*' // nothing fell due, nothing overdue
	CodeOnTime     = 'N' // something fell due and nothing is overdue
	CodeLatePaid   = 'M' // paid after its grace days, before month end
	CodeUnknown    = '#' // a month before the loan kept codes
)

// monthIndex is mo's place in l's grid: months since the drawdown's.
func monthIndex(l *creditv1.Loan, mo calendar.Month) int {
	return int(mo - calendar.Day(l.Start).Month())
}

// gridMonth is the month of l's grid entry i.
func gridMonth(l *creditv1.Loan, i int) calendar.Month { return calendar.Day(l.Start).Month().Add(i) }

// MonthCode is l's report code for month mo, l being as of mo's last day
// (or ended before it), or 0 if l has none for mo (it ended earlier, or
// was drawn later):
//   - the code of its end (C, G, B, D, Z) if it ended in mo, and B for
//     every month it stays written off;
//   - 1..7, the bucket of its days past due at month end, if the borrower
//     was notified (the first-day-past-due notice); not before;
//   - M if an installment was paid off in mo after its grace days;
//   - N if an installment fell due in mo;
//   - * otherwise.
func MonthCode(l *creditv1.Loan, mo calendar.Month) byte {
	first, last := mo.First(), mo.Last()
	if calendar.Day(l.Start) > last {
		return 0
	}
	if l.ClosedDay != 0 || Terminal(l.Status) {
		end := calendar.Day(l.ClosedDay)
		if end == 0 {
			end = calendar.Day(l.AsOf)
		}
		if end < first {
			return 0
		}
		if end <= last {
			return ReportCode(l.Status)[0]
		}
	}
	if l.Status == creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF {
		return 'B'
	}
	if b := Bucket(DaysPastDue(l)); b > 0 && l.NoticeDay != 0 {
		return byte('0' + b)
	}
	code := byte(CodeNothingDue)
	for _, in := range l.Installments {
		due := calendar.Day(in.Due)
		if in.PaidDay != 0 && calendar.Day(in.PaidDay) >= first && calendar.Day(in.PaidDay) <= last &&
			calendar.Day(in.PaidDay) > graceEnd(in, l.Terms) {
			return CodeLatePaid
		}
		if due >= first && due <= last {
			code = CodeOnTime
		}
	}
	return code
}

// fixMonth appends to l's grid the code of month mo (l being as of its
// end), unless it is fixed already; months missing before it (a loan
// drawn before the ledger kept codes) are filled with '#'. A fixed code is
// never rewritten.
func fixMonth(l *creditv1.Loan, mo calendar.Month) {
	i := monthIndex(l, mo)
	if i < len(l.Grid) || i < 0 {
		return
	}
	c := MonthCode(l, mo)
	if c == 0 {
		return
	}
	grid := []byte(l.Grid)
	for len(grid) < i {
		grid = append(grid, CodeUnknown)
	}
	l.Grid = string(append(grid, c))
}

// fixMonthEnd fixes the month of l's as-of day if that day is its month
// end: advance calls it when it is about to bring l past it.
func fixMonthEnd(l *creditv1.Loan) {
	if d := calendar.Day(l.AsOf); d.IsMonthEnd() {
		fixMonth(l, d.Month())
	}
}

// monthEndStop is the day advance brings l to next: next, or the end of
// l's as-of month if that comes first, so that the month's code is fixed
// from the loan as of its end.
func monthEndStop(l *creditv1.Loan, next calendar.Day) calendar.Day {
	if e := calendar.Day(l.AsOf).Month().Last(); e > calendar.Day(l.AsOf) && e < next {
		return e
	}
	return next
}

// fixStaticMonths fixes, for a loan nothing happens to by the calendar (it
// ended, or is written off), the months that end from its as-of day up to
// before today: its record is the same at each of their ends.
func fixStaticMonths(l *creditv1.Loan, today calendar.Day) {
	for mo := calendar.Day(l.AsOf).Month(); mo.Last() < today; mo++ {
		if MonthCode(l, mo) == 0 && calendar.Day(l.Start) <= mo.Last() {
			return // it ended before mo
		}
		fixMonth(l, mo)
	}
}
