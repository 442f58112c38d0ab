package credit_test

import (
	"crypto/ecdsa"
	"strings"
	"testing"
	"time"

	"github.com/ledgerd/ledgerd/app/apptest"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/credit"
)

func roles(names ...string) []consortiumv1.Role {
	var out []consortiumv1.Role
	for _, n := range names {
		out = append(out, consortiumv1.Role(consortiumv1.Role_value["ROLE_"+strings.ToUpper(n)]))
	}
	return out
}

// voters are the operators whose yes votes pass a proposal (three of the
// four members).
func voters(c *chain) []*ecdsa.PrivateKey {
	return []*ecdsa.PrivateKey{c.h.IssuerKey(), c.h.OtherIssuerKey(), c.h.AuditorKey()}
}

// TestOffersAndLines: the rate cap, the product's ranges, acceptance of
// other terms or after the offer lapsed, the sweep marking a lapsed offer,
// a line's reduction below what is drawn, closing with a loan open, and
// the one draw of an installment line — each refused with its code and no
// state change.
func TestOffersAndLines(t *testing.T) {
	c := newChain(t, 0)
	jan := at(2025, 1, 10)
	usury := c.product()
	usury.Id, usury.Terms.RateBps, usury.MaxRateBps, usury.Terms.PenaltyRateBps = "usury", 2000, 2000, 400 // 2400 on 360 days: 2434 over 365
	c.refused(jan, c.maker, usury, credit.ErrRateCap.Code)
	p := c.product()
	c.ok(jan, c.maker, p)
	offer := func(limit uint64, rate uint32) *creditv1.MsgOfferLine {
		return &creditv1.MsgOfferLine{Product: p.Id, Borrower: addr(c.borrower).Bytes(), Denom: apptest.Denom, Limit: limit, RateBps: rate,
			Expires: jan.Add(48 * time.Hour).Unix(), ContractHash: contract[:], Subject: subject[:]}
	}
	c.refused(jan, c.maker, offer(10_000_000, 0), credit.ErrOutOfRange.Code)
	c.refused(jan, c.maker, offer(1_000_000, 1600), credit.ErrOutOfRange.Code)
	c.refused(jan, c.borrower, offer(1_000_000, 0), credit.ErrNotLender.Code)
	c.ok(jan, c.maker, offer(1_000_000, 1400))
	line := lastLine(c)
	accept := &creditv1.MsgAcceptLine{Line: line, Denom: apptest.Denom, Limit: 1_000_000, RateBps: 1200, PenaltyRateBps: 600,
		TermMonths: 12, ContractHash: contract[:]}
	c.refused(jan, c.borrower, accept, credit.ErrTermsMismatch.Code) // the offer says 1400
	accept.RateBps = 1400
	c.refused(jan, c.guarantor, accept, credit.ErrNotBorrower.Code)
	c.refused(jan.Add(49*time.Hour), c.borrower, accept, credit.ErrOfferExpired.Code)
	c.block(at(2025, 1, 13)) // the day after the offer lapsed: the sweep marks it
	if l := c.line(line); l.Status != creditv1.LineStatus_LINE_STATUS_EXPIRED {
		t.Fatalf("lapsed offer is %s", l.Status)
	}

	line = c.openLineFor(at(2025, 1, 14), c.borrower, p, 1_000_000, false)
	id := c.draw(at(2025, 1, 14), line, 600_000)
	reduce := &creditv1.MsgSetLine{Line: line, Action: creditv1.LineAction_LINE_ACTION_REDUCE, Denom: apptest.Denom, Limit: 500_000, Reason: "income"}
	c.refused(at(2025, 1, 15), c.maker, reduce, credit.ErrOutOfRange.Code)
	c.refused(at(2025, 1, 15), c.maker, &creditv1.MsgSetLine{Line: line, Action: creditv1.LineAction_LINE_ACTION_CLOSE, Reason: "x"}, credit.ErrOutstanding.Code)
	c.refused(at(2025, 1, 15), c.borrower, &creditv1.MsgDrawLoan{Line: line, Denom: apptest.Denom, Amount: 100}, credit.ErrOneDraw.Code)
	c.refused(at(2025, 1, 15), c.borrower, &creditv1.MsgRepayLoan{Loan: id, Denom: "USD", Amount: 100}, credit.ErrDenomMismatch.Code)
	c.checkInvariants()
}

// TestFourEyes: the maker of a proposal cannot approve it; a second
// operator of the same lender can; a lapsed proposal cannot be approved; a
// manual class better than the rule's is refused; a write-off moves the
// loan out of the portfolio's book into written_off and it stays
// collectable: a repayment after it is a recovery.
func TestFourEyes(t *testing.T) {
	c := newChain(t, 0)
	line := c.openLine(at(2025, 1, 31), c.product(), 2_000_000, false)
	id := c.draw(at(2025, 1, 31), line, 1_200_000)
	c.block(at(2025, 4, 10)) // two installments missed: overdue, special mention
	if l := c.loan(id); l.Class != creditv1.Class_CLASS_SPECIAL_MENTION {
		t.Fatalf("class %s", l.Class)
	}
	expires := at(2025, 4, 15).Unix()
	c.refused(at(2025, 4, 10), c.maker, &creditv1.MsgClassifyLoan{Loan: id, Class: creditv1.Class_CLASS_NORMAL, Reason: "looks fine", Expires: expires},
		credit.ErrClassBetter.Code)
	c.ok(at(2025, 4, 10), c.maker, &creditv1.MsgClassifyLoan{Loan: id, Class: creditv1.Class_CLASS_DOUBTFUL, Reason: "income lost", Expires: expires})
	c.refused(at(2025, 4, 10), c.maker, &creditv1.MsgApproveLoanAction{Loan: id, Pending: 1}, credit.ErrSameOperator.Code)
	c.refused(at(2025, 4, 16), c.checker, &creditv1.MsgApproveLoanAction{Loan: id, Pending: 1}, credit.ErrPendingExpired.Code)
	c.ok(at(2025, 4, 16), c.maker, &creditv1.MsgClassifyLoan{Loan: id, Class: creditv1.Class_CLASS_DOUBTFUL, Reason: "income lost", Expires: at(2025, 4, 20).Unix()})
	c.ok(at(2025, 4, 16), c.checker, &creditv1.MsgApproveLoanAction{Loan: id, Pending: 2})
	l := c.loan(id)
	if l.Class != creditv1.Class_CLASS_DOUBTFUL || l.ManualClass != creditv1.Class_CLASS_DOUBTFUL || len(l.Pending) != 0 {
		t.Fatalf("after approval: class %s, manual %s, pending %d", l.Class, l.ManualClass, len(l.Pending))
	}
	var maker, checker bool
	for _, e := range c.entries(id) {
		maker = maker || e.Kind == creditv1.LoanEntryKind_LOAN_ENTRY_KIND_APPROVED && string(e.By) == string(addr(c.checker).Bytes())
		checker = checker || e.Kind == creditv1.LoanEntryKind_LOAN_ENTRY_KIND_CLASS
	}
	if !maker || !checker {
		t.Fatalf("the approval and the class change are not both in the record: %v", c.entries(id))
	}

	outstanding := l.Outstanding
	c.ok(at(2025, 4, 17), c.maker, &creditv1.MsgWriteOffLoan{Loan: id, Reason: "no contact for 60 days", Expires: at(2025, 4, 20).Unix()})
	c.ok(at(2025, 4, 17), c.checker, &creditv1.MsgApproveLoanAction{Loan: id, Pending: 3})
	if l = c.loan(id); l.Status != creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF || credit.ReportCode(l.Status) != "B" {
		t.Fatalf("written off: %s", l.Status)
	}
	if p := c.portfolio(); p.Outstanding != 0 || p.Loans != 0 || p.WrittenOff != outstanding {
		t.Fatalf("portfolio after the write-off: %v", p)
	}
	// Still owed: everything unpaid is due at once.
	s := c.schedule(id, day(2025, 4, 18))
	if s.DueNow == 0 || s.DueNow != s.SettleNow {
		t.Fatalf("written-off loan owes %d due, %d to settle", s.DueNow, s.SettleNow)
	}
	c.ok(at(2025, 4, 18), c.guarantor, &creditv1.MsgRepayLoan{Loan: id, Denom: apptest.Denom, Amount: 50_000})
	if l = c.loan(id); l.Recovered != 50_000 || l.Status != creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF {
		t.Fatalf("recovery: %d, %s", l.Recovered, l.Status)
	}
	c.checkInvariants()
}

// TestUpgradeRules: days past due only make the class worse; a
// non-performing loan goes back to normal only after its arrears are
// repaid and it then pays two installments on time (not at once when the
// arrears are repaid); a restructured loan stays at least substandard
// through its observation (a year from its first new due date, two
// installments on time).
func TestUpgradeRules(t *testing.T) {
	c := newChain(t, 0)
	line := c.openLine(at(2025, 1, 31), c.product(), 2_000_000, false)
	id := c.draw(at(2025, 1, 31), line, 1_200_000)
	for _, d := range []calendar.Day{day(2025, 3, 1), day(2025, 5, 1), day(2025, 6, 1)} {
		y, m, dd := d.Civil()
		c.block(at(y, m, dd))
	}
	l := c.loan(id)
	if credit.DaysPastDue(l) != 93 || l.Class != creditv1.Class_CLASS_SUBSTANDARD {
		t.Fatalf("1 June: %d days past due, %s", credit.DaysPastDue(l), l.Class)
	}
	// Repay all the arrears: current again, still substandard.
	s := c.schedule(id, day(2025, 6, 2))
	c.ok(at(2025, 6, 2), c.borrower, &creditv1.MsgRepayLoan{Loan: id, Denom: apptest.Denom, Amount: s.DueNow})
	if l = c.loan(id); l.Status != creditv1.LoanStatus_LOAN_STATUS_CURRENT || l.Class != creditv1.Class_CLASS_SUBSTANDARD {
		t.Fatalf("arrears repaid: %s, %s", l.Status, l.Class)
	}
	// One installment on time: not yet.
	c.ok(at(2025, 6, 30), c.borrower, &creditv1.MsgRepayLoan{Loan: id, Denom: apptest.Denom, Amount: c.schedule(id, day(2025, 6, 30)).DueNow})
	if l = c.loan(id); l.Class != creditv1.Class_CLASS_SUBSTANDARD {
		t.Fatalf("after one on time: %s (rule %s, on time %d, arrears cleared %s, installments %v)", l.Class, l.RuleClass, l.OnTime, calendar.Day(l.ArrearsCleared), l.Installments[:6])
	}
	// The second: normal.
	c.ok(at(2025, 7, 31), c.borrower, &creditv1.MsgRepayLoan{Loan: id, Denom: apptest.Denom, Amount: c.schedule(id, day(2025, 7, 31)).DueNow})
	if l = c.loan(id); l.Class != creditv1.Class_CLASS_NORMAL {
		t.Fatalf("after two on time: %s", l.Class)
	}

	// Restructure it: substandard, restructured, observed.
	exp := at(2025, 8, 5).Unix()
	r := &creditv1.MsgRestructureLoan{Loan: id, TermMonths: 24, RateBps: 1000, Method: creditv1.Method_METHOD_EQUAL_PRINCIPAL,
		Reason: "hardship", ContractHash: contract[:], Expires: exp}
	c.ok(at(2025, 8, 1), c.maker, r)
	c.ok(at(2025, 8, 1), c.checker, &creditv1.MsgApproveLoanAction{Loan: id, Pending: 1})
	if l = c.loan(id); l.Status == creditv1.LoanStatus_LOAN_STATUS_RESTRUCTURED {
		t.Fatal("restructured before the borrower accepted")
	}
	c.refused(at(2025, 8, 1), c.borrower, &creditv1.MsgAcceptRestructure{Loan: id, Pending: 1, TermMonths: 36, RateBps: 1000,
		Method: creditv1.Method_METHOD_EQUAL_PRINCIPAL, ContractHash: contract[:]}, credit.ErrTermsMismatch.Code)
	c.ok(at(2025, 8, 1), c.borrower, &creditv1.MsgAcceptRestructure{Loan: id, Pending: 1, TermMonths: 24, RateBps: 1000,
		Method: creditv1.Method_METHOD_EQUAL_PRINCIPAL, ContractHash: contract[:]})
	l = c.loan(id)
	if l.Status != creditv1.LoanStatus_LOAN_STATUS_RESTRUCTURED || l.Class != creditv1.Class_CLASS_SUBSTANDARD ||
		calendar.Day(l.ObservationUntil) != day(2026, 9, 1) || l.Terms.RateBps != 1000 {
		t.Fatalf("restructured: %s, %s, observed until %s, rate %d", l.Status, l.Class, calendar.Day(l.ObservationUntil), l.Terms.RateBps)
	}
	// Two installments on time are not enough before the year ends.
	for _, m := range []int{9, 10} {
		d := day(2025, m, 1)
		c.ok(at(2025, m, 1), c.borrower, &creditv1.MsgRepayLoan{Loan: id, Denom: apptest.Denom, Amount: c.schedule(id, d).DueNow})
	}
	if l = c.loan(id); l.Class != creditv1.Class_CLASS_SUBSTANDARD || l.ObservationInstallments != 2 {
		t.Fatalf("observation: %s after %d installments", l.Class, l.ObservationInstallments)
	}
	for m := 11; m <= 20; m++ { // to August 2026: still observed
		y, mm := 2025+(m-1)/12, (m-1)%12+1
		d := day(y, mm, 1)
		c.ok(at(y, mm, 1), c.borrower, &creditv1.MsgRepayLoan{Loan: id, Denom: apptest.Denom, Amount: c.schedule(id, d).DueNow})
	}
	if l = c.loan(id); l.Class != creditv1.Class_CLASS_SUBSTANDARD {
		t.Fatalf("upgraded within the observation year: %s", l.Class)
	}
	for m := 21; m <= 21; m++ { // September 2026: a year from the first new due date
		y, mm := 2025+(m-1)/12, (m-1)%12+1
		d := day(y, mm, 1)
		c.ok(at(y, mm, 1), c.borrower, &creditv1.MsgRepayLoan{Loan: id, Denom: apptest.Denom, Amount: c.schedule(id, d).DueNow})
	}
	if l = c.loan(id); l.Class != creditv1.Class_CLASS_NORMAL || l.Status != creditv1.LoanStatus_LOAN_STATUS_CURRENT {
		t.Fatalf("after the observation: %s, %s (until %s)", l.Class, l.Status, calendar.Day(l.ObservationUntil))
	}
	c.checkInvariants()
}

// TestPayOff: a prepayment shortens the schedule (the product's mode),
// interest to the day is charged for the running period, a settlement by
// a guarantor ends the loan paid by guarantor (report code D), and an
// approved discount settles for less (G) with the waiver recorded.
func TestPayOff(t *testing.T) {
	c := newChain(t, 0)
	p := c.product()
	line := c.openLine(at(2025, 1, 31), p, 5_000_000, false)
	id := c.draw(at(2025, 1, 31), line, 1_200_000)
	c.ok(at(2025, 2, 28), c.borrower, &creditv1.MsgRepayLoan{Loan: id, Denom: apptest.Denom, Amount: 106_619})
	// On 15 March: interest to the day on 11,053.81 for 15 days at 12% over
	// 360 = 55.27; 5,000.00 more prepays 4,944.73 of principal.
	before := c.loan(id)
	c.ok(at(2025, 3, 15), c.borrower, &creditv1.MsgPrepayLoan{Loan: id, Denom: apptest.Denom, Amount: 500_000})
	l := c.loan(id)
	if l.Outstanding != before.Outstanding-(500_000-5_527) {
		t.Fatalf("prepaid: outstanding %d, want %d", l.Outstanding, before.Outstanding-(500_000-5_527))
	}
	if len(l.Installments) >= len(before.Installments) {
		t.Fatalf("shorten_term kept %d installments of %d", len(l.Installments), len(before.Installments))
	}
	var sum uint64
	for _, in := range l.Installments {
		sum += in.Principal
	}
	if sum != 1_200_000 {
		t.Fatalf("principal over the schedule sums to %d", sum)
	}
	c.refused(at(2025, 3, 16), c.borrower, &creditv1.MsgPrepayLoan{Loan: id, Denom: apptest.Denom, Amount: 10_000_000}, credit.ErrOverpayment.Code)
	settle := c.schedule(id, day(2025, 3, 20)).SettleNow
	c.refused(at(2025, 3, 20), c.guarantor, &creditv1.MsgSettleLoan{Loan: id, Denom: apptest.Denom, MaxAmount: settle - 1}, credit.ErrSettleAmount.Code)
	c.ok(at(2025, 3, 20), c.guarantor, &creditv1.MsgSettleLoan{Loan: id, Denom: apptest.Denom, MaxAmount: settle})
	if l = c.loan(id); l.Status != creditv1.LoanStatus_LOAN_STATUS_PAID_BY_GUARANTOR || credit.ReportCode(l.Status) != "D" ||
		l.Outstanding != 0 || c.line(line).Drawn != 0 {
		t.Fatalf("settled by a guarantor: %s, outstanding %d, drawn %d", l.Status, l.Outstanding, c.line(line).Drawn)
	}
	c.refused(at(2025, 3, 21), c.borrower, &creditv1.MsgRepayLoan{Loan: id, Denom: apptest.Denom, Amount: 1}, credit.ErrLoanClosed.Code)

	// A revolving line: a second loan, settled at a discount.
	rev := c.product()
	rev.Id, rev.Terms.Kind, rev.Terms.Method, rev.Terms.Accrual = "revolving", creditv1.LineKind_LINE_KIND_REVOLVING,
		creditv1.Method_METHOD_EQUAL_PRINCIPAL, creditv1.Accrual_ACCRUAL_DAILY
	c.ok(at(2025, 4, 1), c.maker, rev)
	rline := c.openLineFor(at(2025, 4, 1), c.borrower, rev, 1_000_000, false)
	a := c.draw(at(2025, 4, 1), rline, 400_000)
	b := c.draw(at(2025, 4, 1), rline, 600_000)
	c.refused(at(2025, 4, 1), c.borrower, &creditv1.MsgDrawLoan{Line: rline, Denom: apptest.Denom, Amount: 1}, credit.ErrOverLimit.Code)
	c.ok(at(2025, 4, 2), c.maker, &creditv1.MsgOfferDiscount{Loan: b, Denom: apptest.Denom, Amount: 500_000, Reason: "hardship", Expires: at(2025, 4, 5).Unix()})
	c.ok(at(2025, 4, 2), c.checker, &creditv1.MsgApproveLoanAction{Loan: b, Pending: 1})
	c.ok(at(2025, 4, 3), c.borrower, &creditv1.MsgSettleLoan{Loan: b, Denom: apptest.Denom, MaxAmount: 500_000})
	if l = c.loan(b); l.Status != creditv1.LoanStatus_LOAN_STATUS_SETTLED_DISCOUNT || credit.ReportCode(l.Status) != "G" || l.Waived == 0 {
		t.Fatalf("discount: %s, waived %d", l.Status, l.Waived)
	}
	if got := c.line(rline).Drawn; got != 400_000 {
		t.Fatalf("revolving line drawn %d, want loan %d's 400,000 only", got, a)
	}
	c.checkInvariants()
}

// TestAssignment: a loan sold to another lender moves, on the notice,
// with its arrears and class; the old loan is transferred (G); repayments
// go to the buyer's treasury.
func TestAssignment(t *testing.T) {
	c := newChain(t, 0)
	line := c.openLine(at(2025, 1, 31), c.product(), 2_000_000, false)
	id := c.draw(at(2025, 1, 31), line, 1_200_000)
	c.block(at(2025, 3, 10))
	c.refused(at(2025, 3, 10), c.maker, &creditv1.MsgAssignLoan{Loan: id, To: apptest.Auditor, Denom: apptest.Denom, Price: 1, ContractHash: contract[:]},
		credit.ErrAssignment.Code) // not a lender
	// other-bank becomes a lender by a vote.
	c.ok(at(2025, 3, 10), c.h.IssuerKey(), &govv1.MsgSubmitProposal{Title: "lender", DocumentHash: contract[:], VotingEnd: at(2025, 3, 11).Unix(),
		Action: &govv1.Action{Kind: &govv1.Action_SetRoles{SetRoles: &govv1.SetRoles{MemberId: apptest.OtherIssuer, Roles: roles("issuer", "lender")}}}})
	for _, voter := range voters(c) {
		c.ok(at(2025, 3, 10), voter, &govv1.MsgVote{ProposalId: 1, Option: govv1.VoteOption_VOTE_OPTION_YES})
	}
	c.ok(at(2025, 3, 10), c.maker, &creditv1.MsgAssignLoan{Loan: id, To: apptest.OtherIssuer, Denom: apptest.Denom, Price: 1_000_000, ContractHash: contract[:]})
	buyerTreasury := addr(c.guarantor)
	c.refused(at(2025, 3, 11), c.h.OtherIssuerKey(), &creditv1.MsgAcceptAssignment{Loan: id, Denom: apptest.Denom, Price: 1, Treasury: buyerTreasury.Bytes()},
		credit.ErrTermsMismatch.Code)
	c.ok(at(2025, 3, 11), c.h.OtherIssuerKey(), &creditv1.MsgAcceptAssignment{Loan: id, Denom: apptest.Denom, Price: 1_000_000, Treasury: buyerTreasury.Bytes()})
	before := c.loan(id)
	c.ok(at(2025, 3, 12), c.h.OtherIssuerKey(), &creditv1.MsgNotifyAssignment{Loan: id, NoticeHash: contract[:]})
	old := c.loan(id)
	if old.Status != creditv1.LoanStatus_LOAN_STATUS_TRANSFERRED || old.AssignedTo == 0 {
		t.Fatalf("old loan: %s, assigned to %d", old.Status, old.AssignedTo)
	}
	next := c.loan(old.AssignedTo)
	if next.Lender != apptest.OtherIssuer || next.OverdueSince != before.OverdueSince || next.Outstanding != before.Outstanding ||
		next.Class != before.Class || next.AssignedFrom != id {
		t.Fatalf("new loan: %v", next)
	}
	due := c.schedule(next.Id, day(2025, 3, 13)).DueNow
	treasury := c.balance(buyerTreasury)
	c.ok(at(2025, 3, 13), c.borrower, &creditv1.MsgRepayLoan{Loan: next.Id, Denom: apptest.Denom, Amount: due})
	if got := c.balance(buyerTreasury) - treasury; got != due {
		t.Fatalf("the buyer's treasury received %d, want %d", got, due)
	}
	if p := c.portfolio(); p.Loans != 0 {
		t.Fatalf("the seller still books it: %v", p)
	}
	c.checkInvariants()
}

// TestZoneLocked: once a loan exists, the consortium's time zone cannot
// change (a governance proposal to change it fails at execution).
func TestZoneLocked(t *testing.T) {
	c := newChain(t, 0)
	line := c.openLine(at(2025, 1, 31), c.product(), 2_000_000, false)
	c.draw(at(2025, 1, 31), line, 100_000)
	params := &walletv1.Params{Denoms: []string{apptest.Denom}, UtcOffsetSeconds: 0, MaxBatchLegs: 100}
	// Refused at submission: the action is checked against the state.
	res := c.block(at(2025, 2, 1), c.tx(c.h.IssuerKey(), &govv1.MsgSubmitProposal{Title: "utc", DocumentHash: contract[:], VotingEnd: at(2025, 2, 2).Unix(),
		Action: &govv1.Action{Kind: &govv1.Action_SetWalletParams{SetWalletParams: &govv1.SetWalletParams{Params: params}}}}))[0]
	if res.Code == 0 || !strings.Contains(res.Log, "time zone cannot change once a loan exists") {
		t.Fatalf("a time zone change was accepted: %s/%d %s", res.Codespace, res.Code, res.Log)
	}
}
