package credit_test

import (
	"crypto/ecdsa"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/app/apptest"
	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/credit"
	"github.com/ledgerd/ledgerd/x/module"
)

var subjectHex = hex.EncodeToString(subject[:])

// query runs a signed read by key (nil: unsigned) of path.
func (c *chain) query(key *ecdsa.PrivateKey, path string, data []byte, prove bool) *abci.ResponseQuery {
	c.t.Helper()
	if key == nil {
		return c.h.Query(path, data, 0, prove)
	}
	return c.h.SignedQuery(key, path, data, 0, prove)
}

// report reads the report of who on d as key, failing the test on a
// refusal.
func (c *chain) report(key *ecdsa.PrivateKey, who string, d calendar.Day) *creditv1.Report {
	c.t.Helper()
	res := c.query(key, fmt.Sprintf("/credit/report/%s/%s", who, d), nil, false)
	if res.Code != 0 {
		c.t.Fatalf("report of %s on %s: %s/%d %s", who, d, res.Codespace, res.Code, res.Log)
	}
	r := new(creditv1.Report)
	if err := proto.Unmarshal(res.Value, r); err != nil {
		c.t.Fatal(err)
	}
	return r
}

func (c *chain) repay(t time.Time, id, amount uint64) {
	c.t.Helper()
	c.ok(t, c.borrower, &creditv1.MsgRepayLoan{Loan: id, Denom: apptest.Denom, Amount: amount})
}

func loanOf(r *creditv1.Report, id uint64) *creditv1.LoanReport {
	for _, l := range r.Loans {
		if l.Loan == id {
			return l
		}
	}
	return nil
}

// TestMonthCodes runs a loan drawn on 10 January 2025 (installments of
// 1,066.19 due on the 10th, 3 grace days) through every code rule:
// January nothing due (*); February paid on its due date (N); March paid
// within the grace days (N: on time); April paid after the grace days but
// before month end (M); May unpaid at month end, 21 days past due after
// the notice (1); June the arrears paid late (M); July restructured (the
// earlier codes stay, the report marks the loan restructured); settled in
// August (C). The codes derived on read before the loan is touched equal
// the ones fixed in the loan's record when it is.
func TestMonthCodes(t *testing.T) {
	c := newChain(t, 0)
	jan10 := at(2025, 1, 10)
	line := c.openLine(jan10, c.product(), 2_000_000, false)
	id := c.draw(jan10, line, 1_200_000)
	const emi = 106_619
	c.repay(at(2025, 2, 10), id, emi)
	c.repay(at(2025, 3, 12), id, emi)
	c.repay(at(2025, 4, 20), id, c.schedule(id, day(2025, 4, 20)).DueNow) // with its penalty
	c.block(at(2025, 5, 20))                                              // the notice on 14 May
	if l := c.loan(id); calendar.Day(l.NoticeDay) != day(2025, 4, 14) {   // the first notice (April's, paid late)
		t.Fatalf("notice day %s", calendar.Day(l.NoticeDay))
	}
	// Derived on read, 1 June, before the loan is touched again: its
	// record holds up to April.
	r := c.report(c.borrower, subjectHex, day(2025, 6, 1))
	lr := loanOf(r, id)
	if lr == nil || lr.Grid != "*NNM1" || calendar.Day(lr.GridFrom) != day(2025, 1, 1) || calendar.Day(lr.NoticeDay) != day(2025, 4, 14) {
		t.Fatalf("report on 1 June: %v", lr)
	}
	if stored := c.loan(id).Grid; stored != "*NNM" {
		t.Fatalf("stored grid before the touch %q", stored)
	}
	s := c.schedule(id, day(2025, 6, 5))
	c.repay(at(2025, 6, 5), id, s.DueNow)
	if stored := c.loan(id).Grid; stored != "*NNM1" {
		t.Fatalf("stored grid after the touch %q, want the derived *NNM1", stored)
	}
	c.repay(at(2025, 6, 10), id, emi)

	// Restructured on 1 July: the codes fixed stay.
	exp := at(2025, 7, 5).Unix()
	rs := &creditv1.MsgRestructureLoan{Loan: id, TermMonths: 12, RateBps: 1000, Method: creditv1.Method_METHOD_EQUAL_PRINCIPAL,
		Reason: "hardship", ContractHash: contract[:], Expires: exp}
	c.ok(at(2025, 7, 1), c.maker, rs)
	c.ok(at(2025, 7, 1), c.checker, &creditv1.MsgApproveLoanAction{Loan: id, Pending: 1})
	c.ok(at(2025, 7, 1), c.borrower, &creditv1.MsgAcceptRestructure{Loan: id, Pending: 1, TermMonths: 12, RateBps: 1000,
		Method: creditv1.Method_METHOD_EQUAL_PRINCIPAL, ContractHash: contract[:]})
	if g := c.loan(id).Grid; g != "*NNM1M" {
		t.Fatalf("grid after the restructuring %q", g)
	}
	// Settled on 20 August.
	s = c.schedule(id, day(2025, 8, 20))
	c.ok(at(2025, 8, 20), c.borrower, &creditv1.MsgSettleLoan{Loan: id, Denom: apptest.Denom, MaxAmount: s.SettleNow})
	r = c.report(c.borrower, subjectHex, day(2025, 9, 2))
	lr = loanOf(r, id)
	if lr.Grid != "*NNM1M*C" || !lr.Restructured || lr.Status != creditv1.LoanStatus_LOAN_STATUS_SETTLED ||
		calendar.Day(lr.Ended) != day(2025, 8, 20) || lr.Balance != 0 {
		t.Fatalf("report on 2 September: %v", lr)
	}
	if r.Recorded != 1 || len(r.Loans) != 1 || len(r.Totals) != 1 || r.Totals[0].Loans != 1 || r.Totals[0].Open != 0 {
		t.Fatalf("report totals %v", r)
	}
}

// TestMonthCodesByTheSweep: a loan nobody touches gets the same codes
// from the sweep's work on its event days as a read derives, and a month
// end itself wakes nothing.
func TestMonthCodesByTheSweep(t *testing.T) {
	c := newChain(t, 0)
	jan10 := at(2025, 1, 10)
	line := c.openLine(jan10, c.product(), 2_000_000, false)
	id := c.draw(jan10, line, 1_200_000)
	c.block(at(2025, 2, 1))
	if w := c.loan(id).Wake; calendar.Day(w) == day(2025, 1, 31) || c.loan(id).Grid != "" {
		t.Fatalf("a month end woke the loan: wake %s, grid %q", calendar.Day(w), c.loan(id).Grid)
	}
	derived := loanOf(c.report(c.h.AuditorKey(), subjectHex, day(2025, 4, 20)), id).Grid
	for _, d := range []int{10, 14, 15} { // due, then past the grace days
		c.block(at(2025, 2, d))
	}
	for _, d := range []int{10, 14} {
		c.block(at(2025, 3, d))
		c.block(at(2025, 4, d))
	}
	c.block(at(2025, 4, 20))
	if g := c.loan(id).Grid; g != derived || g != "*12" {
		t.Fatalf("fixed %q, derived %q, want *12", g, derived)
	}
}

// TestReportAccess: only the subject's wallets, auditors and the like,
// and a lender holding an enquiry read a subject's credit records; an
// unsigned or a stranger's request is refused on the query paths and on
// the raw store path (a record, and the neighbours a proof of absence
// would reveal), and public records stay public. An approval enquiry
// needs the subject's consent; a post-loan one a loan of the lender's.
func TestReportAccess(t *testing.T) {
	c := newChain(t, 0)
	t0 := at(2025, 1, 10)
	line := c.openLine(t0, c.product(), 2_000_000, false)
	id := c.draw(t0, line, 1_200_000)
	stranger := testKey("stranger")
	refused := func(key *ecdsa.PrivateKey, path string, data []byte, prove bool) {
		t.Helper()
		res := c.query(key, path, data, prove)
		if res.Code != module.ErrReadRefused.Code || res.Codespace != module.QueryCodespace || len(res.Value) != 0 {
			t.Fatalf("%s: %s/%d %s, want query/%d", path, res.Codespace, res.Code, res.Log, module.ErrReadRefused.Code)
		}
	}
	allowed := func(key *ecdsa.PrivateKey, path string, data []byte, prove bool) {
		t.Helper()
		if res := c.query(key, path, data, prove); res.Code != 0 {
			t.Fatalf("%s: %s/%d %s", path, res.Codespace, res.Code, res.Log)
		}
	}
	report := "/credit/report/" + subjectHex
	for _, p := range []string{report, "/credit/score/" + subjectHex, "/credit/enquiries/" + subjectHex, "/credit/disputes/" + subjectHex,
		fmt.Sprintf("/credit/loan/%d", id), fmt.Sprintf("/credit/schedule/%d", id), fmt.Sprintf("/credit/line/%d", line),
		"/credit/loans/borrower/" + addr(c.borrower).Hex(), "/credit/lines/" + addr(c.borrower).Hex()} {
		refused(nil, p, nil, false)
		refused(stranger, p, nil, false)
		allowed(c.borrower, p, nil, false)
		allowed(c.h.AuditorKey(), p, nil, false)
		allowed(c.h.RegulatorKey(), p, nil, false) // the credit bureau in this chain
	}
	store := "/store/" + credit.StoreName + "/key"
	for _, key := range [][]byte{credit.LoanKey(id), credit.SubjectKey(subject[:]), credit.WalletSubjectKey(addr(c.borrower).Bytes())} {
		refused(nil, store, key, false)
		refused(stranger, store, key, true)
		allowed(c.borrower, store, key, true)
	}
	// A proof that a loan does not exist names the records beside it.
	refused(c.guarantor, store, credit.LoanKey(id+1), true)
	// The walks that prove the borrower's and the subject's lists complete
	// (a probe after the last entry) name only the range's own keys.
	for _, prefix := range [][]byte{credit.BorrowerLoansPrefix(addr(c.borrower).Bytes()), credit.BorrowerLinesPrefix(addr(c.borrower).Bytes()),
		credit.SubjectLoansPrefix(subject[:])} {
		probe := append(binary.BigEndian.AppendUint64(append([]byte{}, prefix...), 1), 0)
		allowed(c.borrower, store, credit.RangeStart(prefix), true)
		allowed(c.borrower, store, probe, true)
		refused(stranger, store, probe, true)
	}
	// Public: parameters, products, portfolios.
	allowed(nil, store, credit.ParamsKey(), true)
	allowed(nil, "/credit/products/"+apptest.Issuer, nil, false)
	allowed(nil, "/credit/portfolio/"+apptest.Issuer+"/"+apptest.Denom, nil, false)
	// The lender reads its own loan, not the person's report.
	allowed(c.maker, fmt.Sprintf("/credit/loan/%d", id), nil, false)
	refused(c.maker, report, nil, false)

	// Another wallet of the person, once a lender attests it.
	refused(c.guarantor, report, nil, false)
	c.ok(t0, c.maker, &creditv1.MsgAttestSubject{Wallet: addr(c.guarantor).Bytes(), Subject: subject[:]})
	allowed(c.guarantor, report, nil, false)
	other := []byte("another subject's id, 32 bytes!!")
	c.refused(t0, c.maker, &creditv1.MsgAttestSubject{Wallet: addr(c.guarantor).Bytes(), Subject: other}, credit.ErrSubjectMismatch.Code)

	// An approval enquiry without consent is refused; with it, recorded
	// and the lender reads the report until the consent expires.
	enq := &creditv1.MsgEnquire{Subject: subject[:], Purpose: creditv1.Purpose_PURPOSE_LOAN_APPROVAL}
	c.refused(at(2025, 1, 11), c.maker, enq, credit.ErrNoConsent.Code)
	expires := at(2025, 1, 20)
	c.ok(at(2025, 1, 11), c.guarantor, &creditv1.MsgGrantConsent{Lender: apptest.Issuer, Purpose: creditv1.Purpose_PURPOSE_CARD_APPROVAL,
		Expires: expires.Unix()})
	c.refused(at(2025, 1, 11), c.maker, enq, credit.ErrNoConsent.Code) // consent for another purpose
	c.ok(at(2025, 1, 11), c.borrower, &creditv1.MsgGrantConsent{Lender: apptest.Issuer, Purpose: creditv1.Purpose_PURPOSE_LOAN_APPROVAL,
		Expires: expires.Unix()})
	c.ok(at(2025, 1, 12), c.maker, enq)
	allowed(c.checker, report, nil, false)
	r := c.report(c.checker, subjectHex, day(2025, 1, 12))
	if len(r.Enquiries) != 1 || r.Enquiries[0].Lender != apptest.Issuer || r.Enquiries[0].Purpose != creditv1.Purpose_PURPOSE_LOAN_APPROVAL {
		t.Fatalf("enquiries %v", r.Enquiries)
	}
	c.block(at(2025, 1, 21)) // the consent lapsed
	refused(c.checker, report, nil, false)
	c.refused(at(2025, 1, 21), c.maker, enq, credit.ErrNoConsent.Code)
	// Post-loan management: the lender of a loan of the person's, no
	// consent, recorded too.
	c.ok(at(2025, 1, 22), c.maker, &creditv1.MsgEnquire{Subject: subject[:], Purpose: creditv1.Purpose_PURPOSE_POST_LOAN})
	allowed(c.checker, report, nil, false)
	if r = c.report(c.checker, subjectHex, day(2025, 1, 22)); len(r.Enquiries) != 2 {
		t.Fatalf("enquiries %v", r.Enquiries)
	}
	c.refused(at(2025, 1, 22), c.maker, &creditv1.MsgEnquire{Subject: other, Purpose: creditv1.Purpose_PURPOSE_POST_LOAN},
		credit.ErrNoLoanOfLender.Code)
	// A signed request past its validity is refused; one signed for
	// another path reads nothing.
	rd := auth.Read{Path: report, ValidUntil: c.at.Add(-time.Minute).Unix()}
	sig, err := rd.Sign(c.h.App.Domain(), c.borrower)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := proto.Marshal(&authv1.ReadRequest{ValidUntil: rd.ValidUntil, Signature: sig})
	if res := c.h.Query("/read"+report, b, 0, false); res.Code != module.ErrReadExpired.Code {
		t.Fatalf("expired read: %s/%d %s", res.Codespace, res.Code, res.Log)
	}
	rd = auth.Read{Path: "/credit/params", ValidUntil: c.at.Add(time.Minute).Unix()}
	sig, _ = rd.Sign(c.h.App.Domain(), c.borrower)
	b, _ = proto.Marshal(&authv1.ReadRequest{ValidUntil: rd.ValidUntil, Signature: sig})
	if res := c.h.Query("/read"+report, b, 0, false); res.Code != module.ErrReadRefused.Code {
		t.Fatalf("a signature over another path: %s/%d %s", res.Codespace, res.Code, res.Log)
	}
}

// TestDisputes: a dispute answered with a correction; a repeat on the
// same evidence refused, on new evidence taken; an unanswered one shown
// past its deadline; disputing another person's loan refused.
func TestDisputes(t *testing.T) {
	c := newChain(t, 0)
	t0 := at(2025, 1, 10)
	line := c.openLine(t0, c.product(), 2_000_000, false)
	id := c.draw(t0, line, 1_200_000)
	ev1, ev2 := []byte("evidence: bank statement 1......"), []byte("evidence: bank statement 2......")
	feb := int64(day(2025, 2, 15))
	d := &creditv1.MsgDispute{Loan: id, Month: feb, Reason: "paid on time", EvidenceHash: ev1}
	c.block(at(2025, 3, 1)) // the day's sweep first
	c.refused(at(2025, 3, 1), c.guarantor, d, credit.ErrNotBorrower.Code)
	c.ok(at(2025, 3, 1), c.borrower, d)
	c.refused(at(2025, 3, 2), c.borrower, &creditv1.MsgDispute{Loan: id, Month: feb, Reason: "again", EvidenceHash: ev2},
		credit.ErrDisputeRepeated.Code) // while open
	c.refused(at(2025, 3, 2), c.guarantor, &creditv1.MsgAnswerDispute{Dispute: 1, Answer: "no"}, credit.ErrNotLender.Code)
	c.ok(at(2025, 3, 5), c.checker, &creditv1.MsgAnswerDispute{Dispute: 1, Correct: true, Correction: "N", Answer: "our error"})
	c.refused(at(2025, 3, 6), c.checker, &creditv1.MsgAnswerDispute{Dispute: 1, Answer: "again"}, credit.ErrDisputeAnswered.Code)
	c.refused(at(2025, 3, 6), c.borrower, &creditv1.MsgDispute{Loan: id, Month: feb, Reason: "again", EvidenceHash: ev1},
		credit.ErrDisputeRepeated.Code) // the same evidence
	c.ok(at(2025, 3, 6), c.borrower, &creditv1.MsgDispute{Loan: id, Month: feb, Reason: "new statement", EvidenceHash: ev2})
	r := c.report(c.borrower, subjectHex, day(2025, 3, 26))
	if len(r.Disputes) != 2 || r.Disputes[0].Status != creditv1.DisputeStatus_DISPUTE_STATUS_CORRECTED || r.Disputes[0].Correction != "N" ||
		r.Disputes[1].Status != creditv1.DisputeStatus_DISPUTE_STATUS_OPEN || r.Disputes[1].PastDeadline || !loanOf(r, id).Disputed {
		t.Fatalf("disputes on 26 March %v", r.Disputes)
	}
	if calendar.Day(r.Disputes[1].Deadline) != day(2025, 3, 26) {
		t.Fatalf("deadline %s", calendar.Day(r.Disputes[1].Deadline))
	}
	r = c.report(c.borrower, subjectHex, day(2025, 3, 27))
	if !r.Disputes[1].PastDeadline {
		t.Fatalf("unanswered dispute not shown past its deadline: %v", r.Disputes[1])
	}
	c.ok(at(2025, 3, 28), c.maker, &creditv1.MsgAnswerDispute{Dispute: 2, Answer: "the statement shows the payment on 15 February"})
	if r = c.report(c.borrower, subjectHex, day(2025, 3, 28)); r.Disputes[1].Status != creditv1.DisputeStatus_DISPUTE_STATUS_REJECTED ||
		r.Disputes[1].PastDeadline {
		t.Fatalf("rejected dispute %v", r.Disputes[1])
	}
}

// TestNegativeRecordsDropOff: a loan with a negative code leaves the
// report 60 months (retention_months) after it ended; the chain keeps it.
func TestNegativeRecordsDropOff(t *testing.T) {
	c := newChain(t, 0)
	t0 := at(2025, 1, 10)
	line := c.openLine(t0, c.product(), 2_000_000, false)
	id := c.draw(t0, line, 1_200_000)
	c.block(at(2025, 2, 20)) // 10 days past due at the end of February
	s := c.schedule(id, day(2025, 3, 5))
	c.ok(at(2025, 3, 5), c.borrower, &creditv1.MsgSettleLoan{Loan: id, Denom: apptest.Denom, MaxAmount: s.SettleNow})
	lr := loanOf(c.report(c.borrower, subjectHex, day(2025, 4, 1)), id)
	if lr == nil || lr.Grid != "*1C" {
		t.Fatalf("report %v", lr)
	}
	// The window is the 24 months (report_months) before the report's.
	if lr := loanOf(c.report(c.borrower, subjectHex, day(2027, 2, 2)), id); lr.Grid != "1C" || calendar.Day(lr.GridFrom) != day(2025, 2, 1) {
		t.Fatalf("window on 2 February 2027: %q from %s", lr.Grid, calendar.Day(lr.GridFrom))
	}
	if r := c.report(c.borrower, subjectHex, day(2030, 3, 5)); len(r.Loans) != 1 || r.Dropped != 0 {
		t.Fatalf("on 5 March 2030: %v", r)
	}
	if r := c.report(c.borrower, subjectHex, day(2030, 3, 6)); len(r.Loans) != 0 || r.Dropped != 1 || r.Recorded != 1 {
		t.Fatalf("on 6 March 2030: %v", r)
	}
	if c.loan(id).Id != id {
		t.Fatal("the chain lost the loan")
	}
}

// TestEveryLoanInItsReport is the property: whatever loans are drawn, by
// whichever of a person's wallets, every loan of a subject is in its
// report, and no other.
func TestEveryLoanInItsReport(t *testing.T) {
	c := newChain(t, 0)
	rng := rand.New(rand.NewPCG(7, 11))
	t0 := at(2025, 1, 10)
	p := c.product()
	p.Terms.Kind = creditv1.LineKind_LINE_KIND_REVOLVING
	c.ok(t0, c.maker, p)
	subjects := [][]byte{subject[:], []byte("the second person's subject id!!")}
	keys := []*ecdsa.PrivateKey{c.borrower, c.guarantor}
	want := map[string][]uint64{}
	lines := map[int]uint64{}
	for i := range keys {
		c.ok(t0, c.maker, &creditv1.MsgOfferLine{Product: p.Id, Borrower: addr(keys[i]).Bytes(), Denom: apptest.Denom, Limit: 5_000_000,
			Expires: t0.Add(7 * 24 * time.Hour).Unix(), ContractHash: contract[:], Subject: subjects[i]})
		lines[i] = lastLine(c)
		l := c.line(lines[i])
		c.ok(t0, keys[i], &creditv1.MsgAcceptLine{Line: lines[i], Denom: apptest.Denom, Limit: l.Limit, RateBps: l.Terms.RateBps,
			PenaltyRateBps: l.Terms.PenaltyRateBps, TermMonths: l.Terms.TermMonths, ContractHash: contract[:]})
	}
	now := t0
	for range 12 {
		now = now.Add(time.Duration(rng.IntN(20)+1) * 24 * time.Hour)
		i := rng.IntN(2)
		id := c.drawBy(now, keys[i], lines[i], uint64(rng.IntN(100_000)+10_000))
		want[string(subjects[i])] = append(want[string(subjects[i])], id)
		if rng.IntN(3) == 0 {
			s := c.schedule(id, zone.Day(now.Unix()))
			c.ok(now, keys[i], &creditv1.MsgSettleLoan{Loan: id, Denom: apptest.Denom, MaxAmount: s.SettleNow})
		}
	}
	for i, s := range subjects {
		r := c.report(c.h.AuditorKey(), hex.EncodeToString(s), zone.Day(now.Unix()))
		var got []uint64
		for _, l := range r.Loans {
			got = append(got, l.Loan)
		}
		w := want[string(s)]
		sort.Slice(w, func(a, b int) bool { return w[a] < w[b] })
		if !slices.Equal(got, w) || r.Recorded != uint64(len(w)) {
			t.Fatalf("subject %d: report lists %v, its loans are %v (recorded %d)", i, got, w, r.Recorded)
		}
	}
}
