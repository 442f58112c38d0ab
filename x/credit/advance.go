package credit

import (
	"strconv"

	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/exec"
)

// advance brings an open loan from its as-of day up to today, event day
// by event day: the penalty accrues on principal unpaid past its grace
// days; installments fall due; delinquency starts the day after the grace
// days (with the borrower's first-day-past-due notice); the rule's class
// worsens at its thresholds; a loan that repaid its arrears is upgraded
// once it has shown it pays; reminders go out ahead of due dates. Each
// step is a history entry or an event. The result depends only on the
// loan's fields and today, not on whether a sweep or a touch runs it, or
// how often.
func (mod *Module) advance(ctx exec.Context, l *creditv1.Loan, today calendar.Day) error {
	if closed(l) || l.Status == creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF {
		// A written-off loan stays owed as it was written off: nothing
		// accrues, nothing falls due.
		fixStaticMonths(l, today)
		l.AsOf = max(l.AsOf, int64(today))
		return nil
	}
	for calendar.Day(l.AsOf) < today {
		fixMonthEnd(l) // months.go: the month code, before the next day
		next := nextEvent(l)
		if next == 0 || next > today {
			next = today
		}
		stop := monthEndStop(l, next)
		if err := accrue(l, calendar.Day(l.AsOf), stop); err != nil {
			return err
		}
		l.AsOf = int64(stop)
		if stop != next {
			continue // a month end with no event of its own
		}
		if err := mod.applyDay(ctx, l, next); err != nil {
			return err
		}
	}
	return nil
}

// nextEvent is the first day after the loan's as-of day on which
// something happens to it by the calendar, or 0 if nothing will: advance
// stops on each. (Reminders change nothing: they wait in their own index,
// see saveReminder.)
func nextEvent(l *creditv1.Loan) calendar.Day { return nextDay(l, true) }

// nextWake is the day the loan goes in the wake index: nextEvent without
// due dates. An installment falling due changes nothing anyone else sees
// (it counts as overdue, in the portfolio and the class, only past its
// grace days), so its DUE entry, dated its day, is written whenever the
// loan is next brought up to date; a due date with a pull to make is
// indexed as the pull day (pullDay).
func nextWake(l *creditv1.Loan) calendar.Day { return nextDay(l, false) }

// nextDay is nextEvent, with or without the due dates.
func nextDay(l *creditv1.Loan, dueDates bool) calendar.Day {
	asOf := calendar.Day(l.AsOf)
	var next calendar.Day
	consider := func(d calendar.Day) {
		if d > asOf && (next == 0 || d < next) {
			next = d
		}
	}
	for _, in := range l.Installments {
		if in.PaidDay != 0 {
			continue
		}
		due := calendar.Day(in.Due)
		if dueDates {
			consider(due)
		}
		consider(graceEnd(in, l.Terms) + 1)
		if due > asOf {
			break // later installments come after this one's events
		}
	}
	if l.OverdueSince != 0 {
		// The class's thresholds, not the buckets': a portfolio ages its
		// overdue amounts into the next bucket by day (ageing.go).
		s := calendar.Day(l.OverdueSince)
		for _, t := range classThresholds {
			consider(s + calendar.Day(t.dpd))
		}
	}
	if u := upgradeDay(l); u != 0 {
		consider(u)
	}
	return next
}

// accrue adds the penalty of the days (from, to] to every installment
// whose principal is unpaid past its grace days.
func accrue(l *creditv1.Loan, from, to calendar.Day) error {
	t := l.Terms
	if t.PenaltyRateBps == 0 || to <= from {
		return nil
	}
	for _, in := range l.Installments {
		p := unpaidPrincipal(in)
		if in.PaidDay != 0 || p == 0 {
			continue
		}
		start := max(from, graceEnd(in, t))
		if to <= start {
			continue
		}
		days := uint64(to - start)
		add, err := arith.Mul128(p, uint64(t.PenaltyRateBps)).Mul64(days)
		if err != nil {
			return ErrArithmetic
		}
		sum, err := penaltyAccrued(in).Add(add)
		if err != nil {
			return ErrArithmetic
		}
		in.PenaltyAccruedHi, in.PenaltyAccruedLo = sum.Hi, sum.Lo
	}
	return nil
}

// applyDay does what happens to the loan on day d, its new as-of day.
func (mod *Module) applyDay(ctx exec.Context, l *creditv1.Loan, d calendar.Day) error {
	for _, in := range l.Installments {
		if in.PaidDay != 0 {
			continue
		}
		due := calendar.Day(in.Due)
		if due == d {
			if err := mod.entry(ctx, l, &creditv1.LoanEntry{Kind: creditv1.LoanEntryKind_LOAN_ENTRY_KIND_DUE, Day: int64(d),
				Installment: in.Seq, Principal: unpaidPrincipal(in), Interest: unpaidInterest(in),
				Amount: unpaidPrincipal(in) + unpaidInterest(in)}); err != nil {
				return err
			}
		}
		if graceEnd(in, l.Terms)+1 == d && l.OverdueSince == 0 {
			l.OverdueSince, l.ArrearsCleared, l.OnTime = in.Due, 0, 0
			l.NotifiedOverdue = true
			if l.NoticeDay == 0 {
				l.NoticeDay = int64(d) // the notice before negative data (months.go)
			}
			ctx.Emit(EventOverdueNotice, "loan", idString(l.Id), "borrower", hexAddr(l.Borrower), "lender", l.Lender,
				"installment", strconv.FormatUint(uint64(in.Seq), 10), "due", due.String(),
				"amount", strconv.FormatUint(unpaidPrincipal(in)+unpaidInterest(in), 10), "denom", l.Terms.Denom)
			if err := mod.entry(ctx, l, &creditv1.LoanEntry{Kind: creditv1.LoanEntryKind_LOAN_ENTRY_KIND_NOTICE, Day: int64(d),
				Installment: in.Seq, Amount: unpaidPrincipal(in) + unpaidInterest(in), Detail: "first day past due"}); err != nil {
				return err
			}
		}
	}
	return mod.reclassify(ctx, l, d)
}

// reclassify applies the classification rules on day d: days past due
// only ever make the class worse; an upgrade needs its conditions
// (upgradeDue); a manual class is a floor. It records a change of class or
// status.
func (mod *Module) reclassify(ctx exec.Context, l *creditv1.Loan, d calendar.Day) error {
	if rc := RuleClass(DaysPastDue(l)); rc > l.RuleClass {
		l.RuleClass = rc
	}
	if l.RuleClass > creditv1.Class_CLASS_NORMAL && upgradeDue(l, d) {
		l.RuleClass = creditv1.Class_CLASS_NORMAL
		l.ObservationUntil, l.ObservationInstallments = 0, 0
	}
	class := max(l.RuleClass, l.ManualClass)
	if class != l.Class {
		l.Class = class
		ctx.Emit(EventLoan, "loan", idString(l.Id), "lender", l.Lender, "borrower", hexAddr(l.Borrower),
			"status", statusName(l.Status), "class", className(class))
		if err := mod.entry(ctx, l, &creditv1.LoanEntry{Kind: creditv1.LoanEntryKind_LOAN_ENTRY_KIND_CLASS, Day: int64(d), Class: class}); err != nil {
			return err
		}
	}
	if s := deriveStatus(l); s != l.Status {
		l.Status = s
		ctx.Emit(EventLoan, "loan", idString(l.Id), "lender", l.Lender, "borrower", hexAddr(l.Borrower),
			"status", statusName(s), "class", className(l.Class))
		if err := mod.entry(ctx, l, &creditv1.LoanEntry{Kind: creditv1.LoanEntryKind_LOAN_ENTRY_KIND_STATUS, Day: int64(d), Status: s}); err != nil {
			return err
		}
	}
	return nil
}

// upgradeDue reports whether a loan worse than normal may go back to
// normal on day d. Never while in arrears. Special mention: once the
// arrears are repaid. A restructured loan: not before its observation
// ends (a year from its first new due date) and two installments are paid
// on time. A non-performing loan: once its arrears are repaid and it then
// pays two consecutive installments on time, or six months pass.
func upgradeDue(l *creditv1.Loan, d calendar.Day) bool {
	switch {
	case l.OverdueSince != 0:
		return false
	case l.ObservationUntil != 0:
		return d >= calendar.Day(l.ObservationUntil) && l.ObservationInstallments >= 2
	case l.RuleClass == creditv1.Class_CLASS_SPECIAL_MENTION:
		return true
	case l.ArrearsCleared == 0:
		return false
	}
	return l.OnTime >= 2 || d >= calendar.AddMonths(calendar.Day(l.ArrearsCleared), 6)
}

// upgradeDay is the day an upgrade by time falls due, or 0.
func upgradeDay(l *creditv1.Loan) calendar.Day {
	switch {
	case l.OverdueSince != 0 || l.RuleClass <= creditv1.Class_CLASS_NORMAL:
		return 0
	case l.ObservationUntil != 0:
		return calendar.Day(l.ObservationUntil)
	case l.ArrearsCleared != 0 && !performing(l.RuleClass):
		return calendar.AddMonths(calendar.Day(l.ArrearsCleared), 6)
	}
	return 0
}
