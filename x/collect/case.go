package collect

import (
	"encoding/binary"
	"fmt"

	"google.golang.org/protobuf/proto"

	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/credit"
	"github.com/ledgerd/ledgerd/x/exec"
)

// A case's state is a function of its own fields, the parameters and the
// day, as a loan's is: the sweep and a touch bring it up to the same day
// with the same result.
//
// The stage is the exception that makes the stage day cheap: the day a
// case's days past due reach mid_from or late_from nothing of the case is
// written. Its stored stage is its stage as of its as_of day (its last
// write); its stage on a later day is StageOn that day, which the queries
// give (StageAt). The STAGE entry of its history is appended at its next
// write (catchUp), dated the day the stage changed, as the credit module
// appends a loan's DUE entries. The statistics count an open case whose
// stage follows its days past due by the day it is overdue since
// (Keeper.apply, View.StatsOn), and the stage events of that day come from
// a read-only scan of the open cases by that day (scanStages).

// dpdOn is the case's days past due on day d.
func dpdOn(c *collectv1.Case, d calendar.Day) uint32 {
	os := calendar.Day(c.OverdueSince)
	if os == 0 || d <= os {
		return 0
	}
	return uint32(d - os)
}

// StageOn is the stage days past due give a case on day d, at least the
// stage it was escalated to; a written-off case stays in write-off
// recovery.
func StageOn(p *collectv1.Params, c *collectv1.Case, d calendar.Day) collectv1.Stage {
	if c.Stage == collectv1.Stage_STAGE_WRITE_OFF {
		return c.Stage
	}
	s := collectv1.Stage_STAGE_EARLY
	switch dpd := dpdOn(c, d); {
	case dpd >= p.LateFrom:
		s = collectv1.Stage_STAGE_LATE
	case dpd >= p.MidFrom:
		s = collectv1.Stage_STAGE_MID
	}
	return max(s, c.Escalated)
}

// delinquent reports whether a loan should have an open case: overdue or
// written off, and not ended.
func (mod *Module) delinquent(l *creditv1.Loan) bool {
	return !credit.Closed(l) && (l.OverdueSince != 0 || l.Status == creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF)
}

// openDay is the day a delinquent loan's case opens.
func openDay(p *collectv1.Params, l *creditv1.Loan) calendar.Day {
	if l.Status == creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF || l.OverdueSince == 0 {
		return 0
	}
	return calendar.Day(l.OverdueSince) + calendar.Day(p.OpenDaysPastDue)
}

// LoanSaved implements credit.LoanListener: it opens the loan's case once
// its days past due reach open_days_past_due (now, or on that day through
// the open index), moves the case to write-off recovery when the loan is
// written off, lets it follow the loan to its buyer on assignment, keeps
// its days past due, and closes it once the loan is current again or
// ended.
func (mod *Module) LoanSaved(ctx exec.Context, l *creditv1.Loan) error {
	k := NewKeeper(ctx.KV(StoreName))
	cl := mod.clockOf(ctx, k)
	today, p := cl.today, cl.p
	id := k.OpenCaseOf(l.Id)
	if id == 0 {
		if !mod.delinquent(l) {
			return nil
		}
		if d := openDay(p, l); d > today {
			k.mark(openKey(d, l.Id))
			return nil
		}
		return mod.openCase(ctx, k, l, today)
	}
	c, err := k.Case(id)
	if err != nil {
		return fmt.Errorf("collect: loan %d names case %d: %w", l.Id, id, err)
	}
	// The stages the case reached by its old overdue since come first.
	caught := mod.catchUp(ctx, k, c)
	before := shareOf(c)
	switch {
	case l.Status == creditv1.LoanStatus_LOAN_STATUS_TRANSFERRED && l.AssignedTo != 0:
		// The case follows the debt to the buyer's loan, whose save comes
		// next and names its lender.
		k.unmark(LoanCaseKey(l.Id))
		k.kv.Set(LoanCaseKey(l.AssignedTo), binary.BigEndian.AppendUint64(nil, c.Id))
		entry(ctx, c, today, &collectv1.CaseEntry{Kind: collectv1.CaseEntryKind_CASE_ENTRY_KIND_ASSIGNED,
			Detail: fmt.Sprintf("loan %d assigned as loan %d", l.Id, l.AssignedTo)})
		c.Loan = l.AssignedTo
	case !mod.delinquent(l):
		reason := "the loan is current again"
		if credit.Closed(l) {
			reason = "the loan ended: " + statusName(l.Status)
		}
		mod.closeCase(ctx, k, c, today, reason)
	default:
		entries, overdueSince := c.HistoryCount, c.OverdueSince
		if l.Lender != c.Lender {
			mod.changeLender(ctx, k, c, l.Lender, today)
		}
		c.OverdueSince = l.OverdueSince
		if l.Status == creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF && c.Stage != collectv1.Stage_STAGE_WRITE_OFF {
			c.Stage = collectv1.Stage_STAGE_WRITE_OFF
			entry(ctx, c, today, &collectv1.CaseEntry{Kind: collectv1.CaseEntryKind_CASE_ENTRY_KIND_WRITTEN_OFF})
			mod.emitCase(ctx, c, "the loan was written off")
		}
		mod.advanceCase(ctx, k, c, today)
		if !caught && c.HistoryCount == entries && c.OverdueSince == overdueSince &&
			int64(nextWake(cl.zone, c, today)) == c.Wake {
			// Most saves of a delinquent loan (a partial repayment, a day's
			// accrual) change nothing of its case: nothing to write.
			return nil
		}
	}
	return mod.saveCase(ctx, k, before, c)
}

// LoanRepaid implements credit.LoanListener: a repayment on a loan with an
// open case is recorded in the case's history and counts toward its
// confirmed promise, which is kept once it reaches the amount by the
// promised day.
func (mod *Module) LoanRepaid(ctx exec.Context, l *creditv1.Loan, amount uint64, day calendar.Day) error {
	k := NewKeeper(ctx.KV(StoreName))
	id := k.OpenCaseOf(l.Id)
	if id == 0 {
		return nil
	}
	c, err := mod.loadCase(ctx, k, id)
	if err != nil {
		return fmt.Errorf("collect: loan %d names case %d: %w", l.Id, id, err)
	}
	before := shareOf(c)
	today := mod.clockOf(ctx, k).today
	entry(ctx, c, today, &collectv1.CaseEntry{Kind: collectv1.CaseEntryKind_CASE_ENTRY_KIND_REPAYMENT, Day: int64(day), Amount: amount})
	if pr := c.Promise; pr != nil && pr.State == collectv1.PromiseState_PROMISE_STATE_CONFIRMED && day <= calendar.Day(pr.Due) {
		if pr.Paid, err = arith.Add(pr.Paid, amount); err != nil {
			pr.Paid = pr.Amount // more than any promise: kept
		}
		if pr.Paid >= pr.Amount {
			mod.settlePromise(ctx, k, c, today, collectv1.PromiseState_PROMISE_STATE_KEPT)
		}
	}
	return mod.saveCase(ctx, k, before, c)
}

// openCase opens the case of delinquent loan l on today.
func (mod *Module) openCase(ctx exec.Context, k Keeper, l *creditv1.Loan, today calendar.Day) error {
	p := mod.clockOf(ctx, k).p
	c := &collectv1.Case{Id: k.takeID(keyNextCase), Loan: l.Id, Lender: l.Lender, Borrower: l.Borrower, Denom: l.Terms.GetDenom(),
		Status: collectv1.CaseStatus_CASE_STATUS_OPEN, OverdueSince: l.OverdueSince, Opened: int64(today), AsOf: int64(today)}
	if l.Status == creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF {
		c.Stage = collectv1.Stage_STAGE_WRITE_OFF
	} else {
		c.Stage = StageOn(p, c, today)
	}
	k.kv.Set(LoanCaseKey(l.Id), binary.BigEndian.AppendUint64(nil, c.Id))
	k.addIndex(LenderCasesPrefix(c.Lender), c.Id)
	k.addIndex(BorrowerCasesPrefix(c.Borrower), c.Id)
	entry(ctx, c, today, &collectv1.CaseEntry{Kind: collectv1.CaseEntryKind_CASE_ENTRY_KIND_OPENED, Member: c.Lender})
	k.stat(c.Lender, func(s *collectv1.Stats) { s.CasesOpened++ })
	mod.emitCase(ctx, c, "opened")
	mod.portfolioDelegate(ctx, k, c, l.Class, today)
	return mod.saveCase(ctx, k, share{}, c)
}

// closeCase closes c on today.
func (mod *Module) closeCase(ctx exec.Context, k Keeper, c *collectv1.Case, today calendar.Day, reason string) {
	if c.Delegate != "" {
		mod.endDelegation(ctx, k, c, today, "the case closed")
	}
	c.Status, c.Closed, c.ClosedReason = collectv1.CaseStatus_CASE_STATUS_CLOSED, int64(today), reason
	k.unmark(LoanCaseKey(c.Loan))
	entry(ctx, c, today, &collectv1.CaseEntry{Kind: collectv1.CaseEntryKind_CASE_ENTRY_KIND_CLOSED, Detail: reason})
	k.stat(c.Lender, func(s *collectv1.Stats) { s.CasesClosed++ })
	mod.emitCase(ctx, c, reason)
}

// changeLender moves c to its loan's new lender: the old lender's agency
// no longer acts on it.
func (mod *Module) changeLender(ctx exec.Context, k Keeper, c *collectv1.Case, lender string, today calendar.Day) {
	if c.Delegate != "" {
		mod.endDelegation(ctx, k, c, today, "the loan was assigned")
	}
	k.unmark(caseIndexKey(LenderCasesPrefix(c.Lender), c.Id))
	k.addIndex(LenderCasesPrefix(lender), c.Id)
	entry(ctx, c, today, &collectv1.CaseEntry{Kind: collectv1.CaseEntryKind_CASE_ENTRY_KIND_ASSIGNED, Member: lender,
		Detail: "from " + c.Lender})
	c.Lender = lender
	c.Escalated = 0
	mod.emitCase(ctx, c, "followed its loan to "+lender)
}

// crossings are the days on which c's days past due reach mid_from and
// late_from (none for a case in write-off recovery or not overdue).
func crossings(p *collectv1.Params, c *collectv1.Case) [2]calendar.Day {
	os := calendar.Day(c.OverdueSince)
	if os == 0 || c.Stage == collectv1.Stage_STAGE_WRITE_OFF {
		return [2]calendar.Day{}
	}
	return [2]calendar.Day{os + calendar.Day(p.MidFrom), os + calendar.Day(p.LateFrom)}
}

// catchUp brings open case c's stored stage from its as_of day up to today
// by its days past due, appending a STAGE entry for each change dated the
// day it happened, and reports whether it appended any: then c must be
// saved. Every write of a case starts with it (loadCase), so that the
// history stays in the order of its days.
func (mod *Module) catchUp(ctx exec.Context, k Keeper, c *collectv1.Case) bool {
	if c.Status != collectv1.CaseStatus_CASE_STATUS_OPEN {
		return false
	}
	cl := mod.clockOf(ctx, k)
	n := c.HistoryCount
	for _, d := range crossings(cl.p, c) {
		if d <= calendar.Day(c.AsOf) || d > cl.today {
			continue
		}
		if s := StageOn(cl.p, c, d); s != c.Stage {
			c.Stage = s
			entry(ctx, c, cl.today, &collectv1.CaseEntry{Kind: collectv1.CaseEntryKind_CASE_ENTRY_KIND_STAGE, Day: int64(d)})
		}
	}
	c.AsOf = max(c.AsOf, int64(cl.today))
	return c.HistoryCount != n
}

// loadCase reads case id for a change, its stage caught up to today.
func (mod *Module) loadCase(ctx exec.Context, k Keeper, id uint64) (*collectv1.Case, error) {
	c, err := k.Case(id)
	if err != nil {
		return nil, err
	}
	mod.catchUp(ctx, k, c)
	return c, nil
}

// StageAt returns a copy of case c with its stage brought up to day (not
// before its as_of day) by its days past due, as_of set to day: what the
// case queries answer. Its history is as stored: the entry of a stage
// reached since its as_of day is appended at its next write.
func StageAt(p *collectv1.Params, c *collectv1.Case, day calendar.Day) *collectv1.Case {
	if c.Status != collectv1.CaseStatus_CASE_STATUS_OPEN || day <= calendar.Day(c.AsOf) {
		return c
	}
	out := proto.Clone(c).(*collectv1.Case)
	out.Stage, out.AsOf = StageOn(p, c, day), int64(day)
	return out
}

// advanceCase brings an open case up to today: a delegation past its end
// ends, a confirmed promise whose day ended short is broken, the stage
// follows days past due (one the days past due reached on a day of its
// own is caught up, its event came from the scan; one that changed with
// the overdue since, today, is emitted here).
func (mod *Module) advanceCase(ctx exec.Context, k Keeper, c *collectv1.Case, today calendar.Day) {
	if c.Status != collectv1.CaseStatus_CASE_STATUS_OPEN {
		return
	}
	mod.catchUp(ctx, k, c)
	if c.Delegate != "" && ctx.Time.Unix() >= c.DelegateUntil {
		mod.endDelegation(ctx, k, c, today, "the delegation's period ended")
	}
	if pr := c.Promise; pr != nil && pr.State == collectv1.PromiseState_PROMISE_STATE_CONFIRMED && today > calendar.Day(pr.Due) {
		mod.settlePromise(ctx, k, c, today, collectv1.PromiseState_PROMISE_STATE_BROKEN)
	}
	if s := StageOn(mod.clockOf(ctx, k).p, c, today); s != c.Stage {
		c.Stage = s
		entry(ctx, c, today, &collectv1.CaseEntry{Kind: collectv1.CaseEntryKind_CASE_ENTRY_KIND_STAGE})
		mod.emitCase(ctx, c, "days past due")
	}
	c.AsOf = max(c.AsOf, int64(today))
}

// nextWake is the first day after today on which c changes by the
// calendar in a way that needs a write: the day after a confirmed
// promise's day, the day after its delegation's last second; 0 if none.
// Its stage thresholds need none (catchUp, scanStages).
func nextWake(z calendar.Zone, c *collectv1.Case, today calendar.Day) calendar.Day {
	if c.Status != collectv1.CaseStatus_CASE_STATUS_OPEN {
		return 0
	}
	var next calendar.Day
	consider := func(d calendar.Day) {
		if d > today && (next == 0 || d < next) {
			next = d
		}
	}
	if pr := c.Promise; pr != nil && pr.State == collectv1.PromiseState_PROMISE_STATE_CONFIRMED {
		consider(calendar.Day(pr.Due) + 1)
	}
	if c.Delegate != "" {
		consider(z.Day(c.DelegateUntil-1) + 1)
	}
	return next
}

// share is what an open case counts in its lender's and delegate's
// statistics: a stage that no longer changes by the calendar (fixed: in
// write-off recovery, escalated late, not overdue), or the day it is
// overdue since and the stage it is at least (floor: early, or mid if
// escalated), from which its days past due give its stage on a day.
type share struct {
	lender, delegate string
	fixed            collectv1.Stage
	since            calendar.Day
	floor            collectv1.Stage
}

func shareOf(c *collectv1.Case) share {
	if c.Status != collectv1.CaseStatus_CASE_STATUS_OPEN {
		return share{}
	}
	sh := share{lender: c.Lender, delegate: c.Delegate}
	switch {
	case c.Stage == collectv1.Stage_STAGE_WRITE_OFF:
		sh.fixed = collectv1.Stage_STAGE_WRITE_OFF
	case c.OverdueSince == 0 || c.Escalated >= collectv1.Stage_STAGE_LATE:
		sh.fixed = max(collectv1.Stage_STAGE_EARLY, c.Escalated)
	default:
		sh.since, sh.floor = calendar.Day(c.OverdueSince), max(collectv1.Stage_STAGE_EARLY, c.Escalated)
	}
	return sh
}

// byDay reports whether the share's stage follows its days past due.
func (sh share) byDay() bool { return sh.floor != 0 }

// eventual is the stage the share counts in the stored statistics: its
// fixed stage, or late, where days past due lead every case
// (View.StatsOn takes those not there yet back out by their day).
func (sh share) eventual() collectv1.Stage {
	if sh.byDay() {
		return collectv1.Stage_STAGE_LATE
	}
	return sh.fixed
}

// apply moves case id's counts from its share before a change to after:
// the stored counts by eventual stage, the counts by day overdue since,
// and the index of the open cases by that day.
func (k Keeper) apply(id uint64, before, after share) {
	if before == after {
		return
	}
	if before.byDay() && (!after.byDay() || before.since != after.since) {
		k.unmark(sinceKey(before.since, id))
	}
	if after.byDay() && (!before.byDay() || before.since != after.since) {
		k.mark(sinceKey(after.since, id))
	}
	move := func(sh share, add bool) {
		st := sh.eventual()
		if st < collectv1.Stage_STAGE_EARLY || st > collectv1.Stage_STAGE_WRITE_OFF {
			return
		}
		for _, m := range members(sh.lender, sh.delegate) {
			k.stat(m, func(s *collectv1.Stats) {
				i := int(st) - 1
				if add {
					s.CasesByStage[i]++
				} else if s.CasesByStage[i] > 0 {
					s.CasesByStage[i]--
				}
			})
			if sh.byDay() {
				k.addDayCount(m, sh.since, sh.floor, add)
			}
		}
	}
	move(before, false)
	move(after, true)
}

// addDayCount adds one to (or takes one from) member's open cases overdue
// since day at floor (early or mid); a count that reaches zero leaves the
// store.
func (k Keeper) addDayCount(member string, day calendar.Day, floor collectv1.Stage, add bool) {
	key := DayCountKey(member, day)
	n := k.DayCount(member, day)
	i := 0
	if floor == collectv1.Stage_STAGE_MID {
		i = 1
	}
	switch {
	case add:
		n[i]++
	case n[i] > 0:
		n[i]--
	}
	if n == [2]uint64{} {
		k.kv.Delete(key)
		return
	}
	if k.kv.Get(dayCountsMark) == nil {
		k.mark(dayCountsMark)
	}
	k.kv.Set(key, binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, n[0]), n[1]))
}

// saveCase stores c after a change, with its wake index entry and its
// share of the statistics (before is its share before the change).
func (mod *Module) saveCase(ctx exec.Context, k Keeper, before share, c *collectv1.Case) error {
	if c.Wake != 0 {
		k.unmark(wakeKey(calendar.Day(c.Wake), c.Id))
	}
	cl := mod.clockOf(ctx, k)
	c.Wake = int64(nextWake(cl.zone, c, cl.today))
	if c.Wake != 0 {
		k.mark(wakeKey(calendar.Day(c.Wake), c.Id))
	}
	k.apply(c.Id, before, shareOf(c))
	k.setProto(CaseKey(c.Id), c)
	return nil
}

// touchCase returns open case id brought up to now: its loan first (which
// may close the case), then the case itself.
func (mod *Module) touchCase(ctx exec.Context, k Keeper, id uint64) (*collectv1.Case, calendar.Day, error) {
	c, err := k.Case(id)
	if err != nil {
		return nil, 0, err
	}
	if c.Status == collectv1.CaseStatus_CASE_STATUS_OPEN {
		if _, err := mod.loans.TouchLoan(ctx, c.Loan); err != nil {
			return nil, 0, err
		}
		if c, err = mod.loadCase(ctx, k, id); err != nil {
			return nil, 0, err
		}
	}
	if c.Status != collectv1.CaseStatus_CASE_STATUS_OPEN {
		return nil, 0, wrapf(ErrCaseClosed, "case %d closed on %s: %s", c.Id, calendar.Day(c.Closed), c.ClosedReason)
	}
	today := mod.clockOf(ctx, k).today
	before := shareOf(c)
	mod.advanceCase(ctx, k, c, today)
	if err := mod.saveCase(ctx, k, before, c); err != nil {
		return nil, 0, err
	}
	return c, today, nil
}

// BeginBlock is the daily sweep: at most sweep_per_block records a block
// among the loans whose case opens today, the cases that change today
// (promise, delegation), the cases whose stage changes today (read for
// their events only: scanStages) and the permits whose deadline passed
// without an outcome; the rest goes on in the next block. Each index
// holds a record under the one day it next changes, so a day's work is
// proportional to what changes that day.
func (mod *Module) BeginBlock(ctx exec.Context) error {
	k := NewKeeper(ctx.KV(StoreName))
	cl := mod.clockOf(ctx, k)
	p, today := cl.p, cl.today
	budget := int(p.SweepPerBlock)
	for _, key := range store.Keys(k.kv, []byte{prefixOpen}, openKey(today+1, 0), false, budget) {
		budget--
		k.unmark(key)
		loan := idOfKey(key)
		if k.OpenCaseOf(loan) != 0 {
			continue
		}
		l, err := mod.loans.Loan(ctx, loan)
		if err != nil {
			return fmt.Errorf("collect: open index names loan %d: %w", loan, err)
		}
		if mod.delinquent(l) && openDay(p, l) <= today {
			if err := mod.openCase(ctx, k, l, today); err != nil {
				return err
			}
		}
	}
	if budget <= 0 {
		return nil
	}
	for _, key := range store.Keys(k.kv, []byte{prefixWake}, wakeKey(today+1, 0), false, budget) {
		budget--
		c, err := k.Case(idOfKey(key))
		if err != nil {
			return fmt.Errorf("collect: wake index names case %d: %w", idOfKey(key), err)
		}
		if calendar.Day(c.Wake) != calendar.Day(binary.BigEndian.Uint64(key[1:9])) {
			k.unmark(key)
			continue
		}
		before := shareOf(c)
		mod.advanceCase(ctx, k, c, today)
		if err := mod.saveCase(ctx, k, before, c); err != nil {
			return err
		}
	}
	if budget <= 0 {
		return nil
	}
	budget, err := mod.scanStages(ctx, k, budget)
	if err != nil || budget <= 0 {
		return err
	}
	budget, err = mod.missPermits(ctx, k, budget)
	if err != nil || budget <= 0 {
		return err
	}
	_, err = mod.sweepPortfolios(ctx, k, today, budget)
	return err
}

func (mod *Module) emitCase(ctx exec.Context, c *collectv1.Case, reason string) {
	ctx.Emit(EventCase, "case", idString(c.Id), "loan", idString(c.Loan), "lender", c.Lender, "borrower", hexAddr(c.Borrower),
		"status", caseStatusName(c.Status), "stage", StageName(c.Stage), "reason", reason)
}

func caseIndexKey(prefix []byte, id uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte{}, prefix...), id)
}

func statusName(s creditv1.LoanStatus) string {
	return lowerTrim(s.String(), "LOAN_STATUS_")
}

func caseStatusName(s collectv1.CaseStatus) string { return lowerTrim(s.String(), "CASE_STATUS_") }

func promiseStateName(s collectv1.PromiseState) string {
	return lowerTrim(s.String(), "PROMISE_STATE_")
}

// SweepPending reports whether the sweep has work left for day or before:
// cases to open, cases to bring up to date, stage events to emit (permits
// past their deadline are not counted: they are due by the second, not by
// the day).
func SweepPending(r store.Reader, day calendar.Day) bool {
	for _, prefix := range []byte{prefixOpen, prefixWake} {
		if _, _, ok := store.First(r, []byte{prefix}, dayIDKey(prefix, uint64(day+1), 0)); ok {
			return true
		}
	}
	return stagesPending(r, day)
}
