package credit

import (
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/exec"
)

// contribution is what one loan adds to its lender's portfolio.
type contribution struct {
	lender, denom string
	outstanding   uint64
	loans         uint64
	// overdue is the loan's overdue principal and interest, counted in
	// the bucket its days past due since overdueSince give today
	// (ageing.go), not on its own as-of day: so that a loan crossing a
	// bucket's threshold needs no write of its own.
	overdue      uint64
	overdueSince calendar.Day
	byClass      [5]uint64
	writtenOff   uint64
}

// contributionOf is l's share of its lender's portfolio as of its as-of
// day: nothing once it ended; its principal as written off while a
// written-off loan is unrecovered; else its outstanding principal by
// class, and its overdue principal and interest with the day it has been
// overdue since (its bucket is that of today: BucketOn).
func contributionOf(l *creditv1.Loan) contribution {
	if l == nil {
		return contribution{}
	}
	c := contribution{lender: l.Lender, denom: l.Terms.GetDenom()}
	switch {
	case Terminal(l.Status) || l.ClosedDay != 0:
		return c
	case l.Status == creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF:
		c.writtenOff = l.Outstanding
		return c
	}
	c.outstanding, c.loans = l.Outstanding, 1
	if l.Class >= creditv1.Class_CLASS_NORMAL && l.Class <= creditv1.Class_CLASS_LOSS {
		c.byClass[l.Class-1] = l.Outstanding
	}
	if DaysPastDue(l) > 0 {
		day := calendar.Day(l.AsOf)
		for _, in := range l.Installments {
			if delinquent(in, l.Terms, day) {
				c.overdue += unpaidPrincipal(in) + unpaidInterest(in) // bounded by the principal and interest scheduled
			}
		}
		if c.overdue > 0 {
			c.overdueSince = calendar.Day(l.OverdueSince)
		}
	}
	return c
}

// applyPortfolio moves the portfolio of the contributions' lender and denom
// from before to after (either may be empty: a new or an ended loan) on
// today, and the overdue amounts by day the portfolios' buckets age by
// (ageing.go).
func (k Keeper) applyPortfolio(before, after contribution, today calendar.Day) error {
	if err := k.ageOverdue(today); err != nil {
		return err
	}
	if before.lender != after.lender || before.denom != after.denom || before.overdueSince != after.overdueSince ||
		before.overdue != after.overdue {
		if err := k.addOverdueDay(before, today, false); err != nil {
			return err
		}
		if err := k.addOverdueDay(after, today, true); err != nil {
			return err
		}
	}
	for _, side := range []struct {
		c    contribution
		sign int
	}{{before, -1}, {after, 1}} {
		if side.c.lender == "" {
			continue
		}
		p := k.Portfolio(side.c.lender, side.c.denom)
		for len(p.Overdue) < 7 {
			p.Overdue = append(p.Overdue, 0)
		}
		for len(p.ByClass) < 5 {
			p.ByClass = append(p.ByClass, 0)
		}
		move := func(field *uint64, v uint64) error {
			var err error
			if side.sign < 0 {
				*field, err = arith.Sub(*field, v)
			} else {
				*field, err = arith.Add(*field, v)
			}
			return err
		}
		if err := move(&p.Outstanding, side.c.outstanding); err != nil {
			return ErrArithmetic
		}
		if err := move(&p.Loans, side.c.loans); err != nil {
			return ErrArithmetic
		}
		if err := move(&p.WrittenOff, side.c.writtenOff); err != nil {
			return ErrArithmetic
		}
		if side.c.overdue > 0 {
			if err := move(&p.Overdue[BucketOn(side.c.overdueSince, today)-1], side.c.overdue); err != nil {
				return ErrArithmetic
			}
		}
		for i := range side.c.byClass {
			if err := move(&p.ByClass[i], side.c.byClass[i]); err != nil {
				return ErrArithmetic
			}
		}
		k.setProto(PortfolioKey(p.Lender, p.Denom), p)
	}
	return nil
}

// pullDay is the next day an auto-debit pull of l is due: the due date of
// its oldest unpaid installment; after a failed pull of that cycle, the
// next day while retries remain, then the next installment's due date.
// 0 if none.
func pullDay(l *creditv1.Loan) calendar.Day {
	if !l.Autodebit || closed(l) || l.Status == creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF {
		return 0
	}
	failed := calendar.Day(l.AutodebitFailedDay)
	for i, in := range l.Installments {
		if in.PaidDay != 0 {
			continue
		}
		due := calendar.Day(in.Due)
		if failed < due {
			return due
		}
		if l.AutodebitRetries < l.Terms.AutodebitRetryDays {
			return failed + 1
		}
		for _, later := range l.Installments[i+1:] {
			if calendar.Day(later.Due) > failed {
				return calendar.Day(later.Due)
			}
		}
		return 0
	}
	return 0
}

// saveLoan stores l after a change, with everything kept beside it: its
// status, its places in the sweep's and the auto-debit's day indexes, the
// borrower wallet's touch day, and its lender's portfolio (before is its
// contribution before the change).
func (mod *Module) saveLoan(ctx exec.Context, k Keeper, before contribution, l *creditv1.Loan) error {
	l.Status = deriveStatus(l)
	mod.saveReminder(ctx, k, l)
	var wake, pull calendar.Day
	if !closed(l) {
		pull, wake = pullDay(l), nextWake(l)
		if pull != 0 && (wake == 0 || pull < wake) {
			wake = pull
		}
	}
	// Index entries are rewritten only when they move: an unchanged key
	// costs the tree nothing.
	if old := calendar.Day(l.PullDay); old != pull {
		if old != 0 {
			k.unmark(pullKey(l.Borrower, old, l.Id))
		}
		if pull != 0 {
			k.mark(pullKey(l.Borrower, pull, l.Id))
			mod.wallets.RequestTouch(ctx, addrOf(l.Borrower), pull)
		}
	}
	if old := calendar.Day(l.Wake); old != wake {
		if old != 0 {
			k.unmark(wakeKey(old, l.Id))
		}
		if wake != 0 {
			k.mark(wakeKey(wake, l.Id))
		}
	}
	l.Wake, l.PullDay = int64(wake), int64(pull)
	if after := contributionOf(l); after != before {
		if err := k.applyPortfolio(before, after, mod.today(ctx)); err != nil {
			return err
		}
	}
	k.setProto(LoanKey(l.Id), l)
	return mod.loanSaved(ctx, l)
}

// saveReminder keeps l's next pre-due reminder in the reminder index: the
// first installment unpaid whose reminder day is after the loan's as-of
// day, with what it owes as of now. A reminder whose day has come stays in
// the index until the sweep has sent it, unless the loan has closed; one
// sent goes at the loan's next save.
func (mod *Module) saveReminder(ctx exec.Context, k Keeper, l *creditv1.Loan) {
	var next *creditv1.Reminder
	if days := calendar.Day(mod.paramsOf(ctx).ReminderDays); !closed(l) && days > 0 {
		for _, in := range l.Installments {
			if day := calendar.Day(in.Due) - days; in.PaidDay == 0 && day > calendar.Day(l.AsOf) {
				next = &creditv1.Reminder{Loan: l.Id, Borrower: l.Borrower, Lender: l.Lender, Installment: in.Seq,
					Due: in.Due, Denom: l.Terms.Denom, Amount: unpaidPrincipal(in) + unpaidInterest(in)}
				break
			}
		}
	}
	old, oldAmount := calendar.Day(l.ReminderDay), l.ReminderAmount
	l.ReminderDay, l.ReminderAmount = 0, 0
	if next != nil {
		l.ReminderDay, l.ReminderAmount = next.Due-int64(mod.paramsOf(ctx).ReminderDays), next.Amount
	}
	day := calendar.Day(l.ReminderDay)
	if old == day && oldAmount == l.ReminderAmount && day > calendar.Day(l.AsOf) {
		return // unchanged: a rewrite would cost the tree a new path
	}
	// The old one goes if it will not be sent (it is not due yet, or the
	// loan ended) or has been; one due and not yet sent stays for the sweep.
	if old != 0 && old != day {
		if key := reminderKey(old, l.Id); old > calendar.Day(l.AsOf) || closed(l) || reminderSent(k.kv, key) {
			k.unmark(key)
		}
	}
	if next != nil {
		k.setProto(reminderKey(day, l.Id), next)
	}
}
