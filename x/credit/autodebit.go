package credit

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/ethereum/go-ethereum/common"

	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// Auto-debit. A borrower who grants it has what falls due pulled from
// their wallet on the due date, and after a failed pull (a frozen wallet,
// a short balance) on each of the retry days the terms allow. A pull is
// all of what is due, or nothing; it is never an error.
//
// A pull happens at the first balance change of the borrower's wallet on
// or after its day (the wallet module's balance hook, SettleWallet), or
// when the daily sweep reaches the loan, whichever comes first. Either way
// it sees the balance the wallet had when the day began, since nothing
// changed it before, so the result does not depend on how far the sweep
// has got. A wallet's pulls run in (day, loan) order.

// SettleWallet is the wallet module's balance hook: it makes the pulls due
// from owner by today, then asks the wallet module to call again on the
// next pull day.
func (mod *Module) SettleWallet(ctx exec.Context, owner common.Address, today calendar.Day) error {
	k := NewKeeper(ctx.KV(StoreName))
	prefix := pullPrefix(owner.Bytes())
	for {
		key, _, ok := store.First(k.kv, prefix, pullKey(owner.Bytes(), today+1, 0))
		if !ok {
			break
		}
		l, err := k.Loan(idOfKey(key))
		if err != nil {
			return fmt.Errorf("credit: pull index names loan %d: %w", idOfKey(key), err)
		}
		if err := mod.pullLoan(ctx, k, l, today); err != nil {
			return err
		}
		if l.PullDay != 0 && calendar.Day(l.PullDay) <= today {
			return fmt.Errorf("credit: loan %d's pull stays due on %s after it was made", l.Id, today)
		}
	}
	if key, _, ok := store.First(k.kv, prefix, store.PrefixEnd(prefix)); ok {
		mod.wallets.RequestTouch(ctx, owner, dayOfKey(key, 1+len(owner)))
	}
	return nil
}

// pullLoan makes l's pulls due by today, each as of its own day, then
// brings l up to today. Nothing changed the borrower's balance since the
// first of those days (a balance change runs the pulls first), so a pull
// made late by the sweep sees, and records, what it would have on its day:
// the same payment or the same failures and retries.
func (mod *Module) pullLoan(ctx exec.Context, k Keeper, l *creditv1.Loan, today calendar.Day) error {
	before := contributionOf(l)
	for d := pullDay(l); d != 0 && d <= today; {
		d = max(d, calendar.Day(l.AsOf))
		if err := mod.advance(ctx, l, d); err != nil {
			return err
		}
		o, err := owed(l, d)
		if err != nil {
			return err
		}
		if o.Due == 0 {
			break
		}
		if err := mod.pullOnce(ctx, k, l, d, o.Due); err != nil {
			return err
		}
		next := pullDay(l)
		if next <= d {
			break
		}
		d = next
	}
	if err := mod.advance(ctx, l, today); err != nil {
		return err
	}
	return mod.saveLoan(ctx, k, before, l)
}

// pullOnce tries to pull due from l's borrower as of day d, and records the
// payment, or the failure and its retry count.
func (mod *Module) pullOnce(ctx exec.Context, k Keeper, l *creditv1.Loan, d calendar.Day, due uint64) error {
	result := "ok"
	err := mod.wallets.Send(ctx, addrOf(l.Borrower), addrOf(l.Terms.Treasury), l.Terms.Denom, due,
		wallet.Reason{Kind: reasonAutoDebit, Reference: loanRef(l.Id)})
	var reg *errcode.Error
	switch {
	case err == nil:
		s, err := allocate(l, due, d)
		if err != nil {
			return err
		}
		ctx.Emit(EventAutoDebit, "loan", idString(l.Id), "lender", l.Lender, "borrower", hexAddr(l.Borrower),
			"denom", l.Terms.Denom, "amount", strconv.FormatUint(due, 10), "result", result)
		l.AutodebitFailedDay, l.AutodebitRetries = 0, 0
		return mod.recordAfterPayment(ctx, k, l, d, kindAutoDebit, l.Borrower, s, Split{}, "")
	case errors.As(err, &reg):
		result = fmt.Sprintf("%s/%d: %v", reg.Codespace, reg.Code, err)
	default:
		return err // not a wallet rule: corrupted state
	}
	if first := firstUnpaidDue(l); l.AutodebitFailedDay != 0 && calendar.Day(l.AutodebitFailedDay) >= first {
		l.AutodebitRetries++
	} else {
		l.AutodebitRetries = 0
	}
	l.AutodebitFailedDay = int64(d)
	ctx.Emit(EventAutoDebit, "loan", idString(l.Id), "lender", l.Lender, "borrower", hexAddr(l.Borrower),
		"denom", l.Terms.Denom, "amount", strconv.FormatUint(due, 10), "result", result)
	return mod.entry(ctx, l, &creditv1.LoanEntry{Kind: creditv1.LoanEntryKind_LOAN_ENTRY_KIND_AUTODEBIT_FAILED,
		Day: int64(d), Amount: due, Detail: result})
}

// firstUnpaidDue is the due date of l's oldest unpaid installment.
func firstUnpaidDue(l *creditv1.Loan) calendar.Day {
	for _, in := range l.Installments {
		if in.PaidDay == 0 {
			return calendar.Day(in.Due)
		}
	}
	return 0
}

// AuthorizeAutoDebit grants the pull of what falls due, by the borrower.
func (mod *Module) AuthorizeAutoDebit(ctx exec.Context, m *creditv1.MsgAuthorizeAutoDebit) error {
	return mod.setAutoDebit(ctx, m.Loan, true)
}

// RevokeAutoDebit withdraws it.
func (mod *Module) RevokeAutoDebit(ctx exec.Context, m *creditv1.MsgRevokeAutoDebit) error {
	return mod.setAutoDebit(ctx, m.Loan, false)
}

func (mod *Module) setAutoDebit(ctx exec.Context, id uint64, on bool) error {
	k := NewKeeper(ctx.KV(StoreName))
	pre, err := k.Loan(id)
	if err != nil {
		return err
	}
	if err := mod.touch(ctx, addrOf(pre.Borrower)); err != nil {
		return err
	}
	l, before, _, err := mod.openLoan(ctx, k, id)
	if err != nil {
		return err
	}
	if addrOf(l.Borrower) != ctx.AccountID {
		return errcode.Wrap(ErrNotBorrower, "loan %d is %s's", l.Id, addrOf(l.Borrower).Hex())
	}
	if l.Autodebit == on {
		return errcode.Wrap(ErrAutoDebit, "loan %d: auto-debit is %s already", l.Id, onOff(on))
	}
	l.Autodebit, l.AutodebitFailedDay, l.AutodebitRetries = on, 0, 0
	if err := mod.entry(ctx, l, &creditv1.LoanEntry{Kind: creditv1.LoanEntryKind_LOAN_ENTRY_KIND_AUTODEBIT_SET, By: ctx.Signer.Bytes(),
		Detail: "auto-debit " + onOff(on)}); err != nil {
		return err
	}
	return mod.saveLoan(ctx, k, before, l)
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}
