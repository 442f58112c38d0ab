package credit

import (
	"encoding/binary"

	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/exec"
)

// LoanListener is work another module does when a loan changes: the
// collection module opens, moves and closes its cases on it. Saved runs
// after every save of a loan, with the loan as stored (its days past due
// as of its as-of day, its status: overdue, current again, written off,
// assigned to AssignedTo, settled); Repaid runs for every repayment
// recorded on it (amount in the loan's denom, on day), before the save.
// The loan is the credit module's: a listener reads it and never changes
// it. A listener fails only on corrupted state; its error fails the
// transaction (or stops the node in a block's own work).
type LoanListener interface {
	LoanSaved(ctx exec.Context, l *creditv1.Loan) error
	LoanRepaid(ctx exec.Context, l *creditv1.Loan, amount uint64, day calendar.Day) error
}

// AddLoanListener adds l to the listeners of loan changes. Wire listeners
// when assembling the modules, before the first block.
func (mod *Module) AddLoanListener(l LoanListener) { mod.listeners = append(mod.listeners, l) }

// loanSaved tells the listeners that l was saved.
func (mod *Module) loanSaved(ctx exec.Context, l *creditv1.Loan) error {
	for _, h := range mod.listeners {
		if err := h.LoanSaved(ctx, l); err != nil {
			return err
		}
	}
	return nil
}

// loanRepaid tells the listeners of a repayment of amount on l on day.
func (mod *Module) loanRepaid(ctx exec.Context, l *creditv1.Loan, amount uint64, day calendar.Day) error {
	for _, h := range mod.listeners {
		if err := h.LoanRepaid(ctx, l, amount, day); err != nil {
			return err
		}
	}
	return nil
}

// Today is ctx's day in the consortium's time zone.
func (mod *Module) Today(ctx exec.Context) calendar.Day { return mod.today(ctx) }

// Zone is the consortium's time zone in ctx.
func (mod *Module) Zone(ctx exec.Context) calendar.Zone { return mod.wallets.Zone(ctx) }

// TouchLoan brings loan id up to today, as a transaction touching it would
// (its listeners hear of what changed), and returns it. A loan that is
// closed is returned as it is.
func (mod *Module) TouchLoan(ctx exec.Context, id uint64) (*creditv1.Loan, error) {
	k := NewKeeper(ctx.KV(StoreName))
	l, err := k.Loan(id)
	if err != nil {
		return nil, err
	}
	today := mod.today(ctx)
	if closed(l) || calendar.Day(l.AsOf) >= today {
		return l, nil
	}
	if err := mod.wakeLoan(ctx, k, l, today); err != nil {
		return nil, err
	}
	return k.Loan(id)
}

// Closed reports whether nothing more happens to the loan: ended, or
// written off and fully recovered.
func Closed(l *creditv1.Loan) bool { return closed(l) }

// Loan returns loan id as last saved.
func (mod *Module) Loan(ctx exec.Context, id uint64) (*creditv1.Loan, error) {
	return NewView(ctx.KV(StoreName)).Loan(id)
}

// DisputeOpen reports whether a dispute of loan id's record is open (its
// lender has not answered it): collection pauses meanwhile. It reads the
// loan's record disputes, one a month at most.
func (mod *Module) DisputeOpen(ctx exec.Context, id uint64) bool {
	k := NewKeeper(ctx.KV(StoreName))
	open := false
	store.EachPrefix(k.kv, idKey(prefixRecDispute, id), false, func(_, v []byte) bool {
		if len(v) == 8 {
			d, err := k.Dispute(binary.BigEndian.Uint64(v))
			open = err == nil && d.Status == creditv1.DisputeStatus_DISPUTE_STATUS_OPEN
		}
		return !open
	})
	return open
}
