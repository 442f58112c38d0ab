package credit_test

import (
	"testing"
	"time"

	"github.com/ledgerd/ledgerd/app/apptest"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/credit"
)

// TestInstantLoan walks an instant loan through its life: offer,
// acceptance, a drawdown on 31 January (due dates clamped to month ends),
// a reminder, an installment paid on time, one missed (grace days, then
// overdue with its notice, special mention, penalty accruing from the end
// of the grace days), the arrears repaid (current and normal again), with
// the portfolio and the supply invariant checked at every step.
func TestInstantLoan(t *testing.T) {
	c := newChain(t, 0)
	jan31 := at(2025, 1, 31)
	line := c.openLine(jan31, c.product(), 2_000_000, false)
	if l := c.line(line); l.Status != creditv1.LineStatus_LINE_STATUS_ACTIVE || l.Limit != 2_000_000 {
		t.Fatalf("line %v", l)
	}
	borrowerBefore, treasuryBefore := c.balance(addr(c.borrower)), c.balance(c.treasury)
	id := c.draw(jan31, line, 1_200_000)
	if got := c.balance(addr(c.borrower)) - borrowerBefore; got != 1_200_000 {
		t.Fatalf("borrower received %d", got)
	}
	if got := treasuryBefore - c.balance(c.treasury); got != 1_200_000 {
		t.Fatalf("treasury paid %d", got)
	}
	l := c.loan(id)
	if len(l.Installments) != 12 || l.Outstanding != 1_200_000 || l.Status != creditv1.LoanStatus_LOAN_STATUS_CURRENT {
		t.Fatalf("loan %v", l)
	}
	// Fineract's table: EMI 1,066.19, the last 1,066.14; drawn on 31
	// January, due on the last day of the shorter months.
	wantDue := []calendar.Day{day(2025, 2, 28), day(2025, 3, 31), day(2025, 4, 30), day(2025, 5, 31)}
	for i, d := range wantDue {
		if calendar.Day(l.Installments[i].Due) != d {
			t.Errorf("installment %d due %s, want %s", i+1, calendar.Day(l.Installments[i].Due), d)
		}
	}
	for i, in := range l.Installments {
		want := uint64(106_619)
		if i == 11 {
			want = 106_614
		}
		if in.Principal+in.Interest != want {
			t.Errorf("installment %d is %d, want %d", i+1, in.Principal+in.Interest, want)
		}
	}
	if p := c.portfolio(); p.Outstanding != 1_200_000 || p.Loans != 1 || p.ByClass[0] != 1_200_000 {
		t.Fatalf("portfolio %v", p)
	}
	c.checkInvariants()

	// Three days ahead, the reminder, by the sweep alone.
	c.block(at(2025, 2, 25))
	if ev := c.eventsOf(credit.EventReminder); len(ev) != 1 || attr(ev[0], "due") != "2025-02-28" || attr(ev[0], "amount") != "106619" {
		t.Fatalf("reminder events %v", ev)
	}
	c.block(at(2025, 2, 26))
	if ev := c.eventsOf(credit.EventReminder); len(ev) != 0 {
		t.Fatalf("the reminder went out again: %v", ev)
	}

	// Paid on its due date.
	c.ok(at(2025, 2, 28), c.borrower, &creditv1.MsgRepayLoan{Loan: id, Denom: apptest.Denom, Amount: 106_619})
	if l = c.loan(id); l.Outstanding != 1_105_381 || l.Installments[0].PaidDay != int64(day(2025, 2, 28)) || l.OnTime != 1 {
		t.Fatalf("after the first installment: outstanding %d, %v", l.Outstanding, l.Installments[0])
	}
	// A due date without a pull changes nothing anyone sees: the sweep
	// wakes the loan next on the first day past installment 2's grace days.
	if calendar.Day(l.Wake) != day(2025, 4, 4) || calendar.Day(l.ReminderDay) != day(2025, 3, 28) {
		t.Fatalf("after the first installment: wakes %s, reminder %s", calendar.Day(l.Wake), calendar.Day(l.ReminderDay))
	}
	// Nothing more is due: a repayment is refused, and changes nothing.
	c.refused(at(2025, 3, 1), c.borrower, &creditv1.MsgRepayLoan{Loan: id, Denom: apptest.Denom, Amount: 1}, credit.ErrNothingDue.Code)

	// The second installment (31 March) is missed: within the grace days
	// the loan stays current.
	for _, d := range []int{1, 2, 3} {
		c.block(at(2025, 4, d))
		if l = c.loan(id); l.Status != creditv1.LoanStatus_LOAN_STATUS_CURRENT || l.Class != creditv1.Class_CLASS_NORMAL {
			t.Fatalf("1 April + %d: %s, %s", d-1, l.Status, l.Class)
		}
	}
	// The day after: overdue since 31 March, the notice, special mention.
	c.block(at(2025, 4, 4))
	l = c.loan(id)
	if l.Status != creditv1.LoanStatus_LOAN_STATUS_OVERDUE || l.Class != creditv1.Class_CLASS_SPECIAL_MENTION ||
		calendar.Day(l.OverdueSince) != day(2025, 3, 31) || credit.DaysPastDue(l) != 4 {
		t.Fatalf("4 April: %s, %s, overdue since %s, %d days", l.Status, l.Class, calendar.Day(l.OverdueSince), credit.DaysPastDue(l))
	}
	if ev := c.eventsOf(credit.EventOverdueNotice); len(ev) != 1 || attr(ev[0], "due") != "2025-03-31" {
		t.Fatalf("overdue notices %v", ev)
	}
	kinds := map[creditv1.LoanEntryKind]bool{}
	dueEntry := false
	for _, e := range c.entries(id) {
		kinds[e.Kind] = true
		if e.Kind == creditv1.LoanEntryKind_LOAN_ENTRY_KIND_DUE && e.Installment == 2 {
			// Written when the loan was next brought up to date, dated
			// its own day, ahead of the notice.
			dueEntry = calendar.Day(e.Day) == day(2025, 3, 31) && !kinds[creditv1.LoanEntryKind_LOAN_ENTRY_KIND_NOTICE]
		}
	}
	if !dueEntry {
		t.Errorf("no DUE entry for installment 2 dated 31 March ahead of the notice: %v", c.entries(id))
	}
	for _, k := range []creditv1.LoanEntryKind{creditv1.LoanEntryKind_LOAN_ENTRY_KIND_NOTICE, creditv1.LoanEntryKind_LOAN_ENTRY_KIND_CLASS,
		creditv1.LoanEntryKind_LOAN_ENTRY_KIND_STATUS} {
		if !kinds[k] {
			t.Errorf("no %s entry on 4 April", k)
		}
	}
	if p := c.portfolio(); p.Overdue[0] != 106_619 || p.ByClass[1] != l.Outstanding || p.ByClass[0] != 0 {
		t.Fatalf("portfolio on 4 April: %v", p)
	}
	c.checkInvariants()

	// On 10 April: 106,619 of installment 2 and the penalty on its
	// principal (955.65) at 6% for the 7 days after the grace days:
	// 95,565 × 600 × 7 / 3,600,000 = 111.49 → 111.
	s := c.schedule(id, day(2025, 4, 10))
	if s.DaysPastDue != 10 || s.DueNow != 106_619+111 {
		t.Fatalf("10 April: %d days past due, %d due", s.DaysPastDue, s.DueNow)
	}
	c.refused(at(2025, 4, 10), c.borrower, &creditv1.MsgRepayLoan{Loan: id, Denom: apptest.Denom, Amount: 106_731}, credit.ErrOverpayment.Code)
	c.ok(at(2025, 4, 10), c.borrower, &creditv1.MsgRepayLoan{Loan: id, Denom: apptest.Denom, Amount: 106_730})
	l = c.loan(id)
	if l.Status != creditv1.LoanStatus_LOAN_STATUS_CURRENT || l.Class != creditv1.Class_CLASS_NORMAL || l.OverdueSince != 0 ||
		l.Installments[1].Penalty != 111 || l.Installments[1].PaidPenalty != 111 || l.OnTime != 0 {
		t.Fatalf("arrears repaid: %s, %s, %v (on time %d)", l.Status, l.Class, l.Installments[1], l.OnTime)
	}
	if p := c.portfolio(); p.Overdue[0] != 0 || p.ByClass[0] != l.Outstanding {
		t.Fatalf("portfolio after the arrears: %v", p)
	}
	c.checkInvariants()
}

// TestAutoDebitTouchOrSweep: a pull on its due date has the same result
// whether the borrower's first balance change of the day comes before the
// sweep reaches the loan or after it, for a wallet with enough, one short
// (then topped up: the pull is retried the next day), and a frozen one.
func TestAutoDebitTouchOrSweep(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(c *chain)
	}{
		{"enough", func(c *chain) {}},
		{"short", func(c *chain) {
			// Leave the borrower 1,000.00, less than the 1,066.19 due.
			have := c.balance(addr(c.borrower))
			c.ok(at(2025, 2, 27), c.borrower, apptest.Transfer(addr(c.guarantor), have-100_000))
		}},
		{"frozen", func(c *chain) {
			c.ok(at(2025, 2, 27), c.h.IssuerKey(), &walletv1.MsgFreeze{Wallet: addr(c.borrower).Bytes(),
				Kind: walletv1.FreezeKind_FREEZE_KIND_FULL, LegalBasis: "court order 2025-17", Expires: at(2025, 3, 2).Unix()})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// One loan a block for the sweep, and two loans of another
			// borrower ahead of ours in its index: the sweep reaches ours in
			// the third block of the day unless a balance change of our
			// borrower comes first.
			run := func(sweepFirst bool) (*creditv1.Loan, uint64, uint64) {
				c := newChain(t, 1)
				p := c.product()
				jan31 := at(2025, 1, 31)
				c.ok(jan31, c.maker, p)
				for range 2 {
					c.drawBy(jan31, c.guarantor, c.openLineFor(jan31, c.guarantor, p, 2_000_000, false), 100_000)
				}
				id := c.draw(jan31, c.openLineFor(jan31, c.borrower, p, 2_000_000, true), 1_200_000)
				tc.setup(c)
				inflow := func() {
					if tc.name == "frozen" {
						return // nothing can reach a frozen wallet: only the sweep pulls
					}
					c.ok(at(2025, 2, 28).Add(time.Minute), c.h.IssuerKey(), apptest.Deposit(addr(c.borrower), 50_000, "CASH-"+tc.name))
				}
				if !sweepFirst && tc.name != "frozen" {
					inflow()
					// The pull ran inside the deposit, before the sweep came.
					pulled := false
					for _, e := range c.txEvents {
						pulled = pulled || e.Type == credit.EventAutoDebit && attr(e, "loan") == "3"
					}
					if !pulled {
						t.Fatal("the deposit did not set off the pull: the test does not test the touch")
					}
				}
				for range 4 {
					c.block(at(2025, 2, 28).Add(2 * time.Minute))
				}
				if sweepFirst {
					inflow()
				}
				c.block(at(2025, 3, 1))
				c.checkInvariants()
				return c.loan(id), c.balance(addr(c.borrower)), c.balance(c.treasury)
			}
			l1, b1, t1 := run(true)
			l2, b2, t2 := run(false)
			if string(l1.HistoryHead) != string(l2.HistoryHead) || b1 != b2 || t1 != t2 || l1.Outstanding != l2.Outstanding {
				t.Fatalf("sweep first: outstanding %d, balances %d/%d; touch first: %d, %d/%d; heads %x / %x",
					l1.Outstanding, b1, t1, l2.Outstanding, b2, t2, l1.HistoryHead, l2.HistoryHead)
			}
			switch paidOn := calendar.Day(l1.Installments[0].PaidDay); tc.name {
			case "enough":
				if paidOn != day(2025, 2, 28) {
					t.Fatalf("pulled on %s, want its due date", paidOn)
				}
			case "short": // failed on the due date, retried with the inflow's money the next day
				if paidOn != day(2025, 3, 1) {
					t.Fatalf("pulled on %s, want the retry on 1 March", paidOn)
				}
			case "frozen": // failed on the due date and on the retry
				if paidOn != 0 || calendar.Day(l1.AutodebitFailedDay) != day(2025, 3, 1) || l1.AutodebitRetries != 1 {
					t.Fatalf("paid %s, failed %s, retries %d", paidOn, calendar.Day(l1.AutodebitFailedDay), l1.AutodebitRetries)
				}
			}
		})
	}
}

// TestPortfolioAgeing: a loan crossing a bucket's threshold on a day with
// nothing else due is not rewritten; its portfolio's overdue amount moves
// to the next bucket that day all the same, and over days skipped by the
// chain it moves through every bucket crossed.
func TestPortfolioAgeing(t *testing.T) {
	c := newChain(t, 0)
	line := c.openLine(at(2025, 1, 10), c.product(), 2_000_000, false)
	id := c.draw(at(2025, 1, 10), line, 1_200_000)
	c.block(at(2025, 2, 14)) // due 10 February, 3 grace days: overdue since 10 February
	l := c.loan(id)
	if l.OverdueSince != int64(day(2025, 2, 10)) {
		t.Fatalf("overdue since %s", calendar.Day(l.OverdueSince))
	}
	p := c.portfolio()
	overdue := p.Overdue[0]
	if overdue == 0 {
		t.Fatalf("portfolio on 14 February: %v", p)
	}
	c.block(at(2025, 3, 12)) // 30 days past due
	if p := c.portfolio(); p.Overdue[0] != overdue || p.Overdue[1] != 0 {
		t.Fatalf("portfolio at 30 days past due: %v", p)
	}
	c.checkInvariants()
	before := string(c.reader(credit.StoreName).Get(credit.LoanKey(id)))
	c.block(at(2025, 3, 13)) // 31 days past due: M2
	if p := c.portfolio(); p.Overdue[0] != 0 || p.Overdue[1] != overdue {
		t.Fatalf("portfolio at 31 days past due: %v", p)
	}
	if after := string(c.reader(credit.StoreName).Get(credit.LoanKey(id))); after != before {
		t.Fatalf("the loan was rewritten on the day it crossed a bucket only")
	}
	c.checkInvariants()
	c.block(at(2025, 6, 20)) // 130 days past due, in one step: M5
	p = c.portfolio()
	var sum uint64
	for _, v := range p.Overdue {
		sum += v
	}
	if sum == 0 || p.Overdue[4] != sum {
		t.Fatalf("portfolio at 130 days past due: %v", p)
	}
	if b := credit.BucketOn(day(2025, 2, 10), day(2025, 6, 20)); b != 5 {
		t.Fatalf("BucketOn: %d", b)
	}
	c.checkInvariants()
}
