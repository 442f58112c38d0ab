package credit

import (
	"bytes"
	"fmt"
	"strconv"

	"google.golang.org/protobuf/proto"

	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/exec"
)

// BeginBlock is the daily sweep: the portfolios' overdue buckets age to
// today (ageing.go), then at most sweep_per_block loans whose wake
// day has come are brought up to date (a pull due is made through the
// borrower's wallet, as a balance change would), and offers that lapsed
// are marked so. What is left goes on in the next block. A loan is
// indexed under one wake day at a time, the next on which anything
// happens to it, so a day's work is proportional to the loans that change
// that day.
func (mod *Module) BeginBlock(ctx exec.Context) error {
	k := NewKeeper(ctx.KV(StoreName))
	today := mod.today(ctx)
	if err := k.ageOverdue(today); err != nil {
		return err
	}
	budget := int(mod.paramsOf(ctx).SweepPerBlock)
	budget -= mod.expireOffers(ctx, k, today, budget)
	budget -= mod.sendReminders(ctx, k, today, budget)
	if budget <= 0 {
		return nil
	}
	// The loans due, read in one walk of the index, then brought up to
	// date: each moves its own index entry past today.
	for _, key := range store.Keys(k.kv, []byte{prefixWake}, wakeKey(today+1, 0), false, budget) {
		l, err := k.Loan(idOfKey(key))
		if err != nil {
			return fmt.Errorf("credit: wake index names loan %d: %w", idOfKey(key), err)
		}
		if calendar.Day(l.Wake) != dayOfKey(key, 1) {
			continue // brought up to date already, as another loan's borrower's pull
		}
		if err := mod.wakeLoan(ctx, k, l, today); err != nil {
			return err
		}
	}
	return nil
}

// wakeLoan brings l up to today: through its borrower's wallet if a pull
// is due (so that every due pull of that wallet runs, in order), else
// directly.
func (mod *Module) wakeLoan(ctx exec.Context, k Keeper, l *creditv1.Loan, today calendar.Day) error {
	if l.PullDay != 0 && calendar.Day(l.PullDay) <= today {
		borrower := addrOf(l.Borrower)
		if err := mod.wallets.Touch(ctx, borrower); err != nil {
			return err
		}
		// The wallet ran its hooks if its touch day had come; if it had
		// not (or the wallet is gone), make the pulls here.
		if err := mod.SettleWallet(ctx, borrower, today); err != nil {
			return err
		}
		var err error
		if l, err = k.Loan(l.Id); err != nil {
			return err
		}
		if l.Wake == 0 || calendar.Day(l.Wake) > today {
			return nil
		}
	}
	before := contributionOf(l)
	if err := mod.advance(ctx, l, today); err != nil {
		return err
	}
	if err := mod.saveLoan(ctx, k, before, l); err != nil {
		return err
	}
	if l.Wake != 0 && calendar.Day(l.Wake) <= today {
		return fmt.Errorf("credit: loan %d wakes on %s again after it was brought up to %s", l.Id, calendar.Day(l.Wake), today)
	}
	return nil
}

// sendReminders sends at most budget of the pre-due reminders due by
// today, from the reminder index alone (no loan is read), and returns how
// many it sent. It deletes none: it moves the cursor past them, one write
// a block, and a loan's next save deletes its sent reminder with its other
// writes (saveReminder).
func (mod *Module) sendReminders(ctx exec.Context, k Keeper, today calendar.Day, budget int) int {
	if budget <= 0 {
		return 0
	}
	n := 0
	var last []byte
	store.Each(k.kv, afterCursor(k.kv), reminderKey(today+1, 0), false, func(key, value []byte) bool {
		r := new(creditv1.Reminder)
		if err := proto.Unmarshal(value, r); err == nil {
			ctx.Emit(EventReminder, "loan", idString(r.Loan), "borrower", hexAddr(r.Borrower), "lender", r.Lender,
				"installment", strconv.FormatUint(uint64(r.Installment), 10), "due", calendar.Day(r.Due).String(),
				"amount", strconv.FormatUint(r.Amount, 10), "denom", r.Denom)
		}
		last = append(last[:0], key...)
		n++
		return n < budget
	})
	if last != nil {
		k.kv.Set([]byte{keyReminderCursor}, last)
	}
	return n
}

// afterCursor is the first reminder key the sweep has not sent: the one
// just after its cursor.
func afterCursor(r store.Reader) []byte {
	c := r.Get([]byte{keyReminderCursor})
	if c == nil {
		return []byte{prefixReminder}
	}
	return append(append(make([]byte, 0, len(c)+1), c...), 0)
}

// reminderSent reports whether the sweep has sent the reminder at key.
func reminderSent(r store.Reader, key []byte) bool {
	c := r.Get([]byte{keyReminderCursor})
	return c != nil && bytes.Compare(key, c) <= 0
}

// expireOffers marks at most budget offers lapsed before today as
// expired, and returns how many it looked at.
func (mod *Module) expireOffers(ctx exec.Context, k Keeper, today calendar.Day, budget int) int {
	keys := store.Keys(k.kv, []byte{prefixOffer}, offerKey(today+1, 0), false, budget)
	for _, key := range keys {
		k.unmark(key)
		line, err := k.Line(idOfKey(key))
		if err != nil || line.Status != creditv1.LineStatus_LINE_STATUS_OFFERED {
			continue
		}
		line.Status, line.Reason = creditv1.LineStatus_LINE_STATUS_EXPIRED, "the offer lapsed unaccepted"
		k.setProto(LineKey(line.Id), line)
		mod.emitLine(ctx, line)
	}
	return len(keys)
}

// SweepPending reports whether the sweep has date-driven work left that was
// due by day: loans to bring up to date, reminders to send, offers to mark
// lapsed. Once it reports false for today, every loan's record is current.
func SweepPending(r store.Reader, day calendar.Day) bool {
	for _, prefix := range []byte{prefixWake, prefixOffer} {
		if _, _, ok := store.First(r, []byte{prefix}, dayIDKey(prefix, day+1, 0)); ok {
			return true
		}
	}
	_, _, ok := store.First(r, afterCursor(r), reminderKey(day+1, 0))
	return ok
}
