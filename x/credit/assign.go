package credit

import (
	"fmt"
	"strconv"

	"google.golang.org/protobuf/proto"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
)

// Assignment: the loan's lender proposes to sell it (MsgAssignLoan), an
// operator of the buyer accepts (MsgAcceptAssignment, naming the wallet
// the borrower will repay), and the notice to the borrower is recorded
// (MsgNotifyAssignment, by either lender): from then the old loan is
// transferred (report code G) and a new loan of the buyer carries the
// debt on with its schedule, arrears, class and penalty. Until the notice
// the borrower repays the old lender.

// ValidateAssignLoan applies the stateless checks.
func ValidateAssignLoan(m *creditv1.MsgAssignLoan) error {
	switch {
	case m.To == "":
		return errcode.Wrap(ErrInvalidMsg, "to: the buying lender")
	case len(m.ContractHash) != hashLen:
		return errcode.Wrap(ErrInvalidMsg, "contract_hash: 32 bytes")
	}
	return nil
}

// AssignLoan proposes the sale of a loan of the signer's bank.
func (mod *Module) AssignLoan(ctx exec.Context, m *creditv1.MsgAssignLoan) error {
	k := NewKeeper(ctx.KV(StoreName))
	l, before, _, err := mod.openLoan(ctx, k, m.Loan)
	if err != nil {
		return err
	}
	if err := mod.actsFor(ctx, l.Lender); err != nil {
		return err
	}
	switch {
	case m.Denom != l.Terms.Denom:
		return errcode.Wrap(ErrDenomMismatch, "loan %d is in %s", l.Id, l.Terms.Denom)
	case m.To == l.Lender:
		return errcode.Wrap(ErrAssignment, "loan %d is %s's already", l.Id, l.Lender)
	case l.Assignment != nil && l.Assignment.Accepted:
		return errcode.Wrap(ErrAssignment, "loan %d: an accepted assignment to %s awaits its notice", l.Id, l.Assignment.To)
	}
	buyer, err := mod.members(ctx).Member(m.To)
	if err != nil || buyer.Status != consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE || !hasRole(buyer, consortiumv1.Role_ROLE_LENDER) {
		return errcode.Wrap(ErrAssignment, "%q is not an active lender", m.To)
	}
	l.Assignment = &creditv1.Assignment{To: m.To, Price: m.Price, ContractHash: m.ContractHash, ProposedHeight: ctx.Height}
	if err := mod.assignmentStep(ctx, l, "proposed", fmt.Sprintf("to %s for %d %s, contract %x", m.To, m.Price, m.Denom, m.ContractHash), 0); err != nil {
		return err
	}
	return mod.saveLoan(ctx, k, before, l)
}

func hasRole(m *consortiumv1.Member, r consortiumv1.Role) bool {
	for _, x := range m.Roles {
		if x == r {
			return true
		}
	}
	return false
}

func (mod *Module) assignmentStep(ctx exec.Context, l *creditv1.Loan, state, detail string, newLoan uint64) error {
	newAttr := ""
	if newLoan != 0 {
		newAttr = idString(newLoan)
	}
	ctx.Emit(EventAssignment, "loan", idString(l.Id), "from", l.Lender, "to", l.Assignment.GetTo(), "state", state, "new_loan", newAttr)
	return mod.entry(ctx, l, &creditv1.LoanEntry{Kind: creditv1.LoanEntryKind_LOAN_ENTRY_KIND_ASSIGNMENT, By: ctx.Signer.Bytes(),
		Detail: state + " " + detail})
}

// ValidateAcceptAssignment applies the stateless checks.
func ValidateAcceptAssignment(m *creditv1.MsgAcceptAssignment) error {
	if len(m.Treasury) != addressLen {
		return errcode.Wrap(ErrInvalidMsg, "treasury: a 20-byte address")
	}
	return nil
}

// AcceptAssignment is the buyer's acceptance.
func (mod *Module) AcceptAssignment(ctx exec.Context, m *creditv1.MsgAcceptAssignment) error {
	k := NewKeeper(ctx.KV(StoreName))
	l, before, _, err := mod.openLoan(ctx, k, m.Loan)
	if err != nil {
		return err
	}
	a := l.Assignment
	if a == nil || a.Accepted {
		return errcode.Wrap(ErrAssignment, "loan %d has no assignment awaiting acceptance", l.Id)
	}
	if err := mod.actsFor(ctx, a.To); err != nil {
		return err
	}
	if m.Denom != l.Terms.Denom || m.Price != a.Price {
		return errcode.Wrap(ErrTermsMismatch, "loan %d is offered for %d %s", l.Id, a.Price, l.Terms.Denom)
	}
	if _, err := mod.wallets.Wallet(ctx, addrOf(m.Treasury)); err != nil {
		return errcode.Wrap(ErrInvalidMsg, "treasury %s: %v", addrOf(m.Treasury).Hex(), err)
	}
	a.Accepted, a.Treasury = true, m.Treasury
	if err := mod.assignmentStep(ctx, l, "accepted", "by "+a.To, 0); err != nil {
		return err
	}
	return mod.saveLoan(ctx, k, before, l)
}

// ValidateNotifyAssignment applies the stateless checks.
func ValidateNotifyAssignment(m *creditv1.MsgNotifyAssignment) error {
	if len(m.NoticeHash) != hashLen {
		return errcode.Wrap(ErrInvalidMsg, "notice_hash: 32 bytes")
	}
	return nil
}

// NotifyAssignment records the notice to the borrower and carries the
// assignment out.
func (mod *Module) NotifyAssignment(ctx exec.Context, m *creditv1.MsgNotifyAssignment) error {
	k := NewKeeper(ctx.KV(StoreName))
	l, before, today, err := mod.openLoan(ctx, k, m.Loan)
	if err != nil {
		return err
	}
	a := l.Assignment
	if a == nil || !a.Accepted {
		return errcode.Wrap(ErrAssignment, "loan %d has no accepted assignment", l.Id)
	}
	if err := mod.actsFor(ctx, l.Lender); err != nil {
		if err2 := mod.actsFor(ctx, a.To); err2 != nil {
			return err
		}
	}
	next := proto.Clone(l).(*creditv1.Loan)
	next.Id = k.takeID(keyNextLoan)
	next.Line, next.Lender, next.AssignedFrom = 0, a.To, l.Id
	next.Terms.Treasury = a.Treasury
	next.Assignment, next.Pending, next.NextPending = nil, nil, 0
	next.HistoryCount, next.HistoryHead, next.Wake, next.PullDay = 0, nil, 0, 0
	// The borrower authorised pulls by the old lender, not the buyer.
	next.Autodebit, next.AutodebitFailedDay, next.AutodebitRetries = false, 0, 0
	l.AssignedTo = next.Id
	if err := mod.lineRepaid(k, l, l.Outstanding); err != nil {
		return err
	}
	if err := mod.assignmentStep(ctx, l, "notified", fmt.Sprintf("notice %x: the debt is %s's as loan %d", m.NoticeHash, a.To, next.Id), next.Id); err != nil {
		return err
	}
	if err := mod.close(ctx, k, l, today, creditv1.LoanStatus_LOAN_STATUS_TRANSFERRED); err != nil {
		return err
	}
	if err := mod.saveLoan(ctx, k, before, l); err != nil {
		return err
	}
	k.index(BorrowerLoansPrefix(next.Borrower), next.Id)
	k.index(LenderLoansPrefix(next.Lender), next.Id)
	if err := mod.entry(ctx, next, &creditv1.LoanEntry{Kind: creditv1.LoanEntryKind_LOAN_ENTRY_KIND_ASSIGNMENT, By: ctx.Signer.Bytes(),
		Amount: next.Outstanding, Detail: fmt.Sprintf("assigned from %s's loan %d (notice %x, price %s)", l.Lender, l.Id, m.NoticeHash,
			strconv.FormatUint(a.Price, 10))}); err != nil {
		return err
	}
	return mod.saveLoan(ctx, k, contribution{}, next)
}

// ValidatePayWithAssets applies the stateless checks.
func ValidatePayWithAssets(m *creditv1.MsgPayWithAssets) error {
	switch {
	case m.Value == 0:
		return errcode.Wrap(ErrInvalidMsg, "value is zero")
	case m.Reference == "" || len(m.Reference) > maxReason:
		return errcode.Wrap(ErrInvalidMsg, "reference: 1 to %d bytes", maxReason)
	}
	return nil
}

// PayWithAssets records assets the lender took against a loan: value up to
// what is due pays it as a repayment would; value of at least what
// settles the loan today settles it (report code Z), the excess returned
// to the borrower off the ledger. No money moves on the ledger.
func (mod *Module) PayWithAssets(ctx exec.Context, m *creditv1.MsgPayWithAssets) error {
	k := NewKeeper(ctx.KV(StoreName))
	l, before, today, err := mod.openLoan(ctx, k, m.Loan)
	if err != nil {
		return err
	}
	if err := mod.actsFor(ctx, l.Lender); err != nil {
		return err
	}
	if m.Denom != l.Terms.Denom {
		return errcode.Wrap(ErrDenomMismatch, "loan %d is in %s", l.Id, l.Terms.Denom)
	}
	o, err := owed(l, today)
	if err != nil {
		return err
	}
	full, err := o.Total()
	if err != nil {
		return ErrArithmetic
	}
	detail := "assets " + m.Reference + " valued " + strconv.FormatUint(m.Value, 10)
	switch {
	case m.Value >= full:
		outstanding := l.Outstanding
		s, err := payOff(l, o, today)
		if err != nil {
			return err
		}
		l.Outstanding = 0
		rearm(l, today)
		if err := mod.recordPayment(ctx, l, today, kindAssets, nil, s, Split{}, detail); err != nil {
			return err
		}
		if err := mod.lineRepaid(k, l, outstanding); err != nil {
			return err
		}
		status := creditv1.LoanStatus_LOAN_STATUS_PAID_WITH_ASSETS
		if l.Status == creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF {
			status = l.Status
		}
		if err := mod.close(ctx, k, l, today, status); err != nil {
			return err
		}
		return mod.saveLoan(ctx, k, before, l)
	case m.Value <= o.Due:
		s, err := allocate(l, m.Value, today)
		if err != nil {
			return err
		}
		return mod.afterPayment(ctx, k, before, l, today, kindAssets, nil, s, Split{}, detail)
	}
	return errcode.Wrap(ErrOverpayment, "loan %d: assets pay what is due (%d) or settle it (%d); %d is neither", l.Id, o.Due, full, m.Value)
}
