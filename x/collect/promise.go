package collect

import (
	"strconv"

	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/exec"
)

// MaxPromiseDays bounds how far ahead a promise's day may be.
const MaxPromiseDays = 366

// ValidatePromiseToPay applies the stateless checks.
func ValidatePromiseToPay(m *collectv1.MsgPromiseToPay) error {
	if m.Amount == 0 || m.Denom == "" || m.Due <= 0 {
		return wrapf(ErrInvalidMsg, "a promise needs an amount, its denom and a day")
	}
	return nil
}

// PromiseToPay records a promise to pay an amount by a day (replacing an
// unconfirmed one); the borrower confirms it with ConfirmPromise.
func (mod *Module) PromiseToPay(ctx exec.Context, m *collectv1.MsgPromiseToPay) error {
	k := NewKeeper(ctx.KV(StoreName))
	c, today, err := mod.touchCase(ctx, k, m.Case)
	if err != nil {
		return err
	}
	collector, err := mod.actor(ctx, k, c)
	if err != nil {
		return err
	}
	due := calendar.Day(m.Due)
	switch {
	case m.Denom != c.Denom:
		return wrapf(ErrInvalidMsg, "case %d's loan is in %s", c.Id, c.Denom)
	case due < today || due > today+MaxPromiseDays:
		return wrapf(ErrPromise, "day %s: from today to %d days ahead", due, MaxPromiseDays)
	case c.Promise != nil && c.Promise.State == collectv1.PromiseState_PROMISE_STATE_CONFIRMED:
		return wrapf(ErrPromise, "case %d has a confirmed promise due %s", c.Id, calendar.Day(c.Promise.Due))
	}
	var seq uint64 = 1
	if c.Promise != nil {
		seq = c.Promise.Seq + 1
	}
	before := shareOf(c)
	c.Promise = &collectv1.Promise{Seq: seq, Denom: m.Denom, Amount: m.Amount, Due: m.Due,
		State: collectv1.PromiseState_PROMISE_STATE_PROPOSED, By: collector}
	entry(ctx, c, today, &collectv1.CaseEntry{Kind: collectv1.CaseEntryKind_CASE_ENTRY_KIND_PROMISE, Member: collector, By: ctx.Signer.Bytes(),
		Amount: m.Amount, Detail: "by " + due.String()})
	emitPromise(ctx, c)
	return mod.saveCase(ctx, k, before, c)
}

// ConfirmPromise is the borrower's signature on the case's proposed
// promise, repeating its figures: from then on repayments count toward it.
func (mod *Module) ConfirmPromise(ctx exec.Context, m *collectv1.MsgConfirmPromise) error {
	k := NewKeeper(ctx.KV(StoreName))
	c, today, err := mod.touchCase(ctx, k, m.Case)
	if err != nil {
		return err
	}
	if err := borrowerOf(ctx, c); err != nil {
		return err
	}
	pr := c.Promise
	switch {
	case pr == nil || pr.State != collectv1.PromiseState_PROMISE_STATE_PROPOSED:
		return wrapf(ErrPromise, "case %d has no promise awaiting confirmation", c.Id)
	case pr.Seq != m.Seq || pr.Amount != m.Amount || pr.Denom != m.Denom || pr.Due != m.Due:
		return wrapf(ErrPromiseMismatch, "promise %d is %d %s by %s", pr.Seq, pr.Amount, pr.Denom, calendar.Day(pr.Due))
	case calendar.Day(pr.Due) < today:
		return wrapf(ErrPromise, "promise %d's day %s has passed", pr.Seq, calendar.Day(pr.Due))
	}
	before := shareOf(c)
	pr.State, pr.Paid = collectv1.PromiseState_PROMISE_STATE_CONFIRMED, 0
	entry(ctx, c, today, &collectv1.CaseEntry{Kind: collectv1.CaseEntryKind_CASE_ENTRY_KIND_PROMISE_CONFIRMED, By: ctx.Signer.Bytes(),
		Amount: pr.Amount, Detail: "by " + calendar.Day(pr.Due).String()})
	emitPromise(ctx, c)
	return mod.saveCase(ctx, k, before, c)
}

// settlePromise decides c's confirmed promise: kept or broken.
func (mod *Module) settlePromise(ctx exec.Context, k Keeper, c *collectv1.Case, today calendar.Day, state collectv1.PromiseState) {
	pr := c.Promise
	pr.State = state
	kind := collectv1.CaseEntryKind_CASE_ENTRY_KIND_PROMISE_KEPT
	if state == collectv1.PromiseState_PROMISE_STATE_BROKEN {
		kind = collectv1.CaseEntryKind_CASE_ENTRY_KIND_PROMISE_BROKEN
	}
	entry(ctx, c, today, &collectv1.CaseEntry{Kind: kind, Amount: pr.Paid, Member: pr.By})
	for _, member := range members(c.Lender, pr.By) {
		k.stat(member, func(s *collectv1.Stats) {
			if state == collectv1.PromiseState_PROMISE_STATE_KEPT {
				s.PromisesKept++
			} else {
				s.PromisesBroken++
			}
		})
	}
	emitPromise(ctx, c)
}

func emitPromise(ctx exec.Context, c *collectv1.Case) {
	pr := c.Promise
	ctx.Emit(EventPromise, "case", idString(c.Id), "lender", c.Lender, "borrower", hexAddr(c.Borrower), "seq", idString(pr.Seq),
		"state", promiseStateName(pr.State), "amount", strconv.FormatUint(pr.Amount, 10), "denom", pr.Denom, "due", calendar.Day(pr.Due).String())
}
