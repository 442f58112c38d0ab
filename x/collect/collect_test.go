package collect_test

import (
	"strconv"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/app/apptest"
	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/collect"
	"github.com/ledgerd/ledgerd/x/collect/collectclient"
	"github.com/ledgerd/ledgerd/x/history"
)

var (
	call   = collectv1.Channel_CHANNEL_CALL
	sms    = collectv1.Channel_CHANNEL_SMS
	letter = collectv1.Channel_CHANNEL_LETTER
)

// TestCaseOpensMovesCloses: no case while the loan is within its grace
// days; the sweep opens one on the first day past due (no transaction
// touches the loan); it moves to mid at 31 days past due, over a day
// rollover; repaying the arrears closes it; its history chain verifies.
func TestCaseOpensMovesCloses(t *testing.T) {
	c := newChain(t)
	loan := c.openLoan()
	c.block(noon(2025, 2, 13))
	if id := c.view().OpenCaseOf(loan); id != 0 {
		t.Fatalf("case %d open within the grace days", id)
	}
	c.block(local(2025, 2, 14, 0, 0, 5))
	k := c.caseOf(loan)
	if k.Stage != collectv1.Stage_STAGE_EARLY || k.Lender != apptest.Issuer {
		t.Fatalf("opened case: %v", k)
	}
	c.block(local(2025, 3, 12, 23, 59, 59))
	if k = c.caseOf(loan); k.Stage != collectv1.Stage_STAGE_EARLY {
		t.Fatalf("30 days past due: %s", k.Stage)
	}
	c.block(local(2025, 3, 13, 0, 0, 1)) // 31 days past due
	if k = c.caseOf(loan); k.Stage != collectv1.Stage_STAGE_MID {
		t.Fatalf("31 days past due: %s", k.Stage)
	}
	if s := c.stats(apptest.Issuer); s.CasesByStage[1] != 1 || s.CasesOpened != 1 {
		t.Fatalf("stats: %v", s)
	}
	c.block(noon(2025, 3, 14))
	c.ok(noon(2025, 3, 14).Add(time.Minute), c.borrower, &creditv1.MsgRepayLoan{Loan: loan, Denom: apptest.Denom, Amount: c.dueNow(loan)})
	if id := c.view().OpenCaseOf(loan); id != 0 {
		t.Fatalf("case %d open after the arrears were repaid", id)
	}
	k = c.kase(k.Id)
	if k.Status != collectv1.CaseStatus_CASE_STATUS_CLOSED {
		t.Fatalf("case: %v", k)
	}
	es := c.verifyHistory(k.Id)
	kinds := []collectv1.CaseEntryKind{}
	for _, e := range es {
		kinds = append(kinds, e.Kind)
	}
	want := []collectv1.CaseEntryKind{collectv1.CaseEntryKind_CASE_ENTRY_KIND_OPENED, collectv1.CaseEntryKind_CASE_ENTRY_KIND_STAGE,
		collectv1.CaseEntryKind_CASE_ENTRY_KIND_REPAYMENT, collectv1.CaseEntryKind_CASE_ENTRY_KIND_CLOSED}
	if len(kinds) != len(want) {
		t.Fatalf("history %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("history %v, want %v", kinds, want)
		}
	}
	if s := c.stats(apptest.Issuer); s.CasesByStage[1] != 0 || s.CasesClosed != 1 {
		t.Fatalf("stats after closing: %v", s)
	}
}

// TestStageMovesWithoutAWrite: on the day a case reaches 31 days past
// due nothing of it is written, yet the case query gives mid, the stats
// count it mid and the day's first block emits its stage event; its next
// write appends the STAGE entry dated that day, before its own, and the
// history chain verifies. At 91 days past due the same with late.
func TestStageMovesWithoutAWrite(t *testing.T) {
	c := newChain(t)
	loan := c.openLoan()
	c.block(local(2025, 2, 14, 0, 0, 5))
	id := c.caseOf(loan).Id
	c.block(local(2025, 3, 12, 23, 59, 59))
	stored := c.kase(id)
	if s := c.stats(apptest.Issuer); s.CasesByStage[0] != 1 || s.CasesByStage[1] != 0 {
		t.Fatalf("30 days past due, stats: %v", s.CasesByStage)
	}
	c.block(local(2025, 3, 13, 0, 0, 1)) // 31 days past due
	if k := c.kase(id); !proto.Equal(k, stored) {
		t.Fatalf("the stage day wrote the case:\n%v\nwas\n%v", k, stored)
	}
	if k := c.caseOf(loan); k.Stage != collectv1.Stage_STAGE_MID || calendar.Day(k.AsOf) != c.today() {
		t.Fatalf("31 days past due, the case query: %s as of %s", k.Stage, calendar.Day(k.AsOf))
	}
	if s := c.stats(apptest.Issuer); s.CasesByStage[0] != 0 || s.CasesByStage[1] != 1 {
		t.Fatalf("31 days past due, stats: %v", s.CasesByStage)
	}
	// stageEvent checks the last block emitted case id's stage event once.
	stageEvent := func(stage string) {
		t.Helper()
		n := 0
		for _, e := range c.events {
			attrs := map[string]string{}
			for _, a := range e.Attributes {
				attrs[a.Key] = a.Value
			}
			if e.Type == collect.EventCase && attrs["case"] == strconv.FormatUint(id, 10) && attrs["stage"] == stage && attrs["reason"] == "days past due" {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d %s stage events for case %d in %v", n, stage, id, c.events)
		}
		// collect watch --bank passes it on.
		for _, e := range collectclient.BankEvents(c.h.Height(), c.events, apptest.Issuer) {
			if e.Type == collect.EventCase && e.Attrs["stage"] == stage && e.Attrs["reason"] == "days past due" {
				return
			}
		}
		t.Fatalf("collect watch --bank %s would not show case %d's %s stage event", apptest.Issuer, id, stage)
	}
	for _, e := range c.events {
		if e.Type == history.Event {
			t.Fatalf("the stage day appended to a history: %v", e)
		}
	}
	stageEvent("mid")
	mid := c.today()

	// Its next write, a week later, appends the STAGE entry dated that day.
	at := local(2025, 3, 20, 10, 0, 0)
	c.ok(at, c.lender, &collectv1.MsgRequestPermit{Case: id, Channel: call})
	es := c.verifyHistory(id)
	if len(es) != 3 || es[1].Kind != collectv1.CaseEntryKind_CASE_ENTRY_KIND_STAGE || calendar.Day(es[1].Day) != mid ||
		es[1].Stage != collectv1.Stage_STAGE_MID || es[1].DaysPastDue != 31 || es[2].Kind != collectv1.CaseEntryKind_CASE_ENTRY_KIND_PERMIT {
		t.Fatalf("history after the next write: %v", es)
	}
	if k := c.kase(id); k.Stage != collectv1.Stage_STAGE_MID || calendar.Day(k.AsOf) != c.today() {
		t.Fatalf("stored after the next write: %s as of %s", k.Stage, calendar.Day(k.AsOf))
	}

	// 91 days past due: late. The credit module saves the loan that day
	// (its class becomes substandard), and the case with it: the STAGE
	// entry is appended then, its event still the scan's alone.
	c.block(local(2025, 5, 11, 23, 59, 59))
	if k := c.caseOf(loan); k.Stage != collectv1.Stage_STAGE_MID {
		t.Fatalf("90 days past due: %s", k.Stage)
	}
	c.block(local(2025, 5, 12, 0, 0, 1))
	stageEvent("late")
	late := c.today()
	if s := c.stats(apptest.Issuer); s.CasesByStage[1] != 0 || s.CasesByStage[2] != 1 {
		t.Fatalf("91 days past due, stats: %v", s.CasesByStage)
	}
	es = c.verifyHistory(id)
	if n := len(es); es[n-1].Kind != collectv1.CaseEntryKind_CASE_ENTRY_KIND_STAGE || calendar.Day(es[n-1].Day) != late ||
		es[n-1].Stage != collectv1.Stage_STAGE_LATE || es[n-1].DaysPastDue != 91 {
		t.Fatalf("history after the late stage: %v", es)
	}
}

// TestPermitRules: each contact rule at its edge, each refusal with its
// code and no state change.
func TestPermitRules(t *testing.T) {
	c := newChain(t)
	loan := c.openLoan()
	c.block(noon(2025, 2, 14))
	k := c.caseOf(loan)
	permit := func(ch collectv1.Channel) *collectv1.MsgRequestPermit {
		return &collectv1.MsgRequestPermit{Case: k.Id, Channel: ch}
	}
	// Hours: 20:59:59 granted, until 21:00:00 at the latest; 21:00:00 and
	// 07:59:59 refused, 08:00:00 granted.
	c.ok(local(2025, 2, 14, 20, 59, 59), c.lender, permit(call))
	p, err := c.view().Permit(c.lastPermit())
	if err != nil {
		t.Fatal(err)
	}
	if want := local(2025, 2, 14, 21, 0, 0).Unix(); p.Deadline != want {
		t.Fatalf("permit deadline %d, want the end of the hours %d", p.Deadline, want)
	}
	c.refused(local(2025, 2, 14, 21, 0, 0), c.lender, permit(sms), collect.ErrOutsideHours.Code)
	c.refused(local(2025, 2, 15, 7, 59, 59), c.lender, permit(sms), collect.ErrOutsideHours.Code)
	c.ok(local(2025, 2, 15, 8, 0, 0), c.lender, permit(call))
	p, _ = c.view().Permit(c.lastPermit())
	if p.Deadline != p.Granted+collect.DefaultPermitSeconds {
		t.Fatalf("permit valid %d s, want %d", p.Deadline-p.Granted, collect.DefaultPermitSeconds)
	}
	// Daily cap: 3 calls a day.
	c.ok(local(2025, 2, 15, 9, 0, 0), c.lender, permit(call))
	c.ok(local(2025, 2, 15, 10, 0, 0), c.lender, permit(call))
	c.refused(local(2025, 2, 15, 11, 0, 0), c.lender, permit(call), collect.ErrDailyCap.Code)
	// Weekly cap: the 8th call in 7 days (1 + 3 + 3 by Feb 16).
	for h := 9; h < 12; h++ {
		c.ok(local(2025, 2, 16, h, 0, 0), c.lender, permit(call))
	}
	c.refused(local(2025, 2, 17, 9, 0, 0), c.lender, permit(call), collect.ErrWeeklyCap.Code)
	c.refused(local(2025, 2, 20, 9, 0, 0), c.lender, permit(call), collect.ErrWeeklyCap.Code) // Feb 14 still in the 7 days
	c.ok(local(2025, 2, 21, 9, 0, 0), c.lender, permit(call))                                 // Feb 14 left the 7 days

	// Third parties: refused until the borrower authorises them.
	sister := hash("sister +86 138 0000 0000")
	third := &collectv1.MsgRequestPermit{Case: k.Id, Channel: sms, Contact: sister}
	c.refused(local(2025, 2, 21, 10, 0, 0), c.lender, third, collect.ErrUnauthorisedParty.Code)
	c.ok(local(2025, 2, 21, 10, 1, 0), c.borrower, &collectv1.MsgAuthorizeContact{Contact: sister, Relation: "sister"})
	c.ok(local(2025, 2, 21, 10, 2, 0), c.lender, third)
	c.refused(local(2025, 2, 21, 10, 3, 0), c.lender, &collectv1.MsgRequestPermit{Case: k.Id, Channel: sms, Contact: hash("employer")},
		collect.ErrUnauthorisedParty.Code)

	// Cease: sms refused after the borrower's request, letters allowed.
	c.ok(local(2025, 2, 21, 11, 0, 0), c.borrower, &collectv1.MsgCeaseContact{Lender: apptest.Issuer, Channel: sms})
	c.refused(local(2025, 2, 21, 11, 1, 0), c.lender, permit(sms), collect.ErrContactCeased.Code)
	c.ok(local(2025, 2, 21, 11, 2, 0), c.lender, permit(letter))

	// A delegate acts while its delegation lasts, not after; nor a member
	// that is not the delegate.
	until := local(2025, 2, 22, 12, 0, 0)
	c.refused(local(2025, 2, 22, 9, 0, 0), c.agency, permit(letter), collect.ErrNotActing.Code)
	c.ok(local(2025, 2, 22, 9, 1, 0), c.lender, &collectv1.MsgDelegateCase{Case: k.Id, Collector: agencyID, Until: until.Unix()})
	c.ok(local(2025, 2, 22, 11, 59, 59), c.agency, permit(letter))
	c.refused(until, c.agency, permit(letter), collect.ErrNotActing.Code)
	if s := c.stats(agencyID); s.Permits[3] != 1 {
		t.Fatalf("agency stats: %v", s)
	}

	// Outcome: by the permit's deadline, not after.
	c.ok(local(2025, 2, 24, 9, 0, 0), c.lender, permit(letter))
	pid := c.lastPermit()
	p, _ = c.view().Permit(pid)
	c.refused(time.Unix(p.Deadline+2, 0), c.lender, &collectv1.MsgRecordOutcome{Permit: pid, Result: "sent", EvidenceHash: hash("letter")},
		collect.ErrPermitExpired.Code)
	if p, _ = c.view().Permit(pid); !p.Missed {
		t.Fatalf("permit %d past its deadline without an outcome is not missed: %v", pid, p)
	}
	c.ok(local(2025, 2, 25, 9, 0, 0), c.lender, permit(letter))
	pid = c.lastPermit()
	c.ok(local(2025, 2, 25, 9, 5, 0), c.lender, &collectv1.MsgRecordOutcome{Permit: pid, Result: "sent", EvidenceHash: hash("letter 2")})
	c.refused(local(2025, 2, 25, 9, 6, 0), c.lender, &collectv1.MsgRecordOutcome{Permit: pid, Result: "sent", EvidenceHash: hash("letter 2")},
		collect.ErrOutcomeRecorded.Code)
	s := c.stats(apptest.Issuer)
	if s.PermitsMissed < 1 || s.Outcomes[3] != 1 {
		t.Fatalf("lender stats: %v", s)
	}
	c.verifyHistory(k.Id)
}

// TestComplaintProof: a complaint of a contact a permit covered names the
// permit; one of a contact no permit covered names none; the coverage
// query answers both from the permits index, and the regulator's ruling
// stays on the record.
func TestComplaintProof(t *testing.T) {
	c := newChain(t)
	loan := c.openLoan()
	c.block(noon(2025, 2, 14))
	k := c.caseOf(loan)
	c.ok(local(2025, 2, 14, 15, 0, 0), c.lender, &collectv1.MsgRequestPermit{Case: k.Id, Channel: call})
	pid := c.lastPermit()
	covered, uncovered := local(2025, 2, 14, 15, 10, 0).Unix(), local(2025, 2, 14, 22, 30, 0).Unix()
	c.ok(noon(2025, 2, 15), c.borrower, &collectv1.MsgFileComplaint{Lender: apptest.Issuer, Time: covered, Channel: call, EvidenceHash: hash("a")})
	c.ok(noon(2025, 2, 15).Add(time.Minute), c.borrower, &collectv1.MsgFileComplaint{Lender: apptest.Issuer, Time: uncovered, Channel: call, EvidenceHash: hash("b")})
	c1, _ := c.view().Complaint(1)
	c2, _ := c.view().Complaint(2)
	if c1.Permit != pid || c2.Permit != 0 {
		t.Fatalf("complaints name permits %d and %d, want %d and 0", c1.Permit, c2.Permit, pid)
	}
	for _, tc := range []struct {
		at   int64
		want uint64
	}{{covered, pid}, {uncovered, 0}} {
		res := c.h.SignedQuery(c.borrower, "/collect/coverage/"+apptest.Issuer+"/"+addr(c.borrower).Hex()+"/call/"+itoa(tc.at), nil, 0, false)
		cov := new(collectv1.Coverage)
		if res.Code != 0 || proto.Unmarshal(res.Value, cov) != nil || cov.Permit != tc.want || len(cov.Considered) != 1 {
			t.Fatalf("coverage at %d: %s %v, want permit %d", tc.at, res.Log, cov, tc.want)
		}
	}
	c.refused(noon(2025, 2, 16), c.lender, &collectv1.MsgRuleComplaint{Complaint: 2, Upheld: true, Reason: "x"}, collect.ErrNotRegulator.Code)
	c.ok(noon(2025, 2, 16).Add(time.Minute), c.regulator, &collectv1.MsgRuleComplaint{Complaint: 2, Upheld: true, Reason: "called at 22:30 without a permit"})
	c.refused(noon(2025, 2, 17), c.regulator, &collectv1.MsgRuleComplaint{Complaint: 2, Reason: "again"}, collect.ErrComplaintRuled.Code)
	if s := c.stats(apptest.Issuer); s.Complaints != 2 || s.ComplaintsUpheld != 1 {
		t.Fatalf("stats: %v", s)
	}
	// A suspended collector is not delegated to, nor acts.
	c.ok(noon(2025, 2, 18), c.regulator, &collectv1.MsgSuspendCollector{Collector: agencyID, Reason: "complaints"})
	c.refused(noon(2025, 2, 18).Add(time.Minute), c.lender, &collectv1.MsgDelegateCase{Case: k.Id, Collector: agencyID,
		Until: noon(2025, 3, 18).Unix()}, collect.ErrCollectorSuspended.Code)
}

// TestPromises: a confirmed promise is kept by repayments reaching it by
// its day; another, not reached, is broken the day after its day, by the
// sweep.
func TestPromises(t *testing.T) {
	c := newChain(t)
	loan := c.openLoan()
	c.block(noon(2025, 2, 14))
	k := c.caseOf(loan)
	due := int64(collectDay(2025, 2, 20))
	c.ok(noon(2025, 2, 14).Add(time.Minute), c.lender, &collectv1.MsgPromiseToPay{Case: k.Id, Denom: apptest.Denom, Amount: 5_000, Due: due})
	c.refused(noon(2025, 2, 14).Add(2*time.Minute), c.borrower, &collectv1.MsgConfirmPromise{Case: k.Id, Seq: 1, Denom: apptest.Denom,
		Amount: 4_000, Due: due}, collect.ErrPromiseMismatch.Code)
	c.ok(noon(2025, 2, 14).Add(3*time.Minute), c.borrower, &collectv1.MsgConfirmPromise{Case: k.Id, Seq: 1, Denom: apptest.Denom, Amount: 5_000, Due: due})
	c.ok(noon(2025, 2, 16), c.borrower, &creditv1.MsgRepayLoan{Loan: loan, Denom: apptest.Denom, Amount: 3_000})
	if pr := c.caseOf(loan).Promise; pr.State != collectv1.PromiseState_PROMISE_STATE_CONFIRMED || pr.Paid != 3_000 {
		t.Fatalf("promise after 3,000: %v", pr)
	}
	c.ok(noon(2025, 2, 20), c.borrower, &creditv1.MsgRepayLoan{Loan: loan, Denom: apptest.Denom, Amount: 2_000})
	if pr := c.caseOf(loan).Promise; pr.State != collectv1.PromiseState_PROMISE_STATE_KEPT {
		t.Fatalf("promise after 5,000 by its day: %v", pr)
	}
	due = int64(collectDay(2025, 2, 25))
	c.ok(noon(2025, 2, 21), c.lender, &collectv1.MsgPromiseToPay{Case: k.Id, Denom: apptest.Denom, Amount: 5_000, Due: due})
	c.ok(noon(2025, 2, 21).Add(time.Minute), c.borrower, &collectv1.MsgConfirmPromise{Case: k.Id, Seq: 2, Denom: apptest.Denom, Amount: 5_000, Due: due})
	c.ok(noon(2025, 2, 25), c.borrower, &creditv1.MsgRepayLoan{Loan: loan, Denom: apptest.Denom, Amount: 1_000})
	c.block(local(2025, 2, 25, 23, 59, 59))
	if pr := c.caseOf(loan).Promise; pr.State != collectv1.PromiseState_PROMISE_STATE_CONFIRMED {
		t.Fatalf("promise on its last second: %v", pr)
	}
	c.block(local(2025, 2, 26, 0, 0, 1))
	if pr := c.caseOf(loan).Promise; pr.State != collectv1.PromiseState_PROMISE_STATE_BROKEN || pr.Paid != 1_000 {
		t.Fatalf("promise the day after its day: %v", pr)
	}
	if s := c.stats(apptest.Issuer); s.PromisesKept != 1 || s.PromisesBroken != 1 {
		t.Fatalf("stats: %v", s)
	}
	c.verifyHistory(k.Id)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func collectDay(y, m, d int) calendar.Day {
	day, err := calendar.Date(y, m, d)
	if err != nil {
		panic(err)
	}
	return day
}

// TestWriteOffAndAssignment: a written-off loan's case moves to write-off
// recovery and stays open (collection goes on); a sold loan's case
// follows it to the buyer, whose operators act on it, while the seller's
// agency's delegation ends.
func TestWriteOffAndAssignment(t *testing.T) {
	c := newChain(t)
	loan := c.openLoan()
	c.block(noon(2025, 2, 14))
	k := c.caseOf(loan)
	c.ok(noon(2025, 2, 15), c.lender, &collectv1.MsgDelegateCase{Case: k.Id, Collector: agencyID, Until: noon(2025, 6, 1).Unix()})
	c.ok(noon(2025, 2, 16), c.lender, &creditv1.MsgAssignLoan{Loan: loan, To: apptest.OtherIssuer, Denom: apptest.Denom, Price: 500_000, ContractHash: hash("sale")})
	other := c.h.OtherIssuerKey()
	c.ok(noon(2025, 2, 17), other, &creditv1.MsgAcceptAssignment{Loan: loan, Denom: apptest.Denom, Price: 500_000, Treasury: addr(c.h.WalletKey(2)).Bytes()})
	c.ok(noon(2025, 2, 18), other, &creditv1.MsgNotifyAssignment{Loan: loan, NoticeHash: hash("notice")})
	next := c.loan(loan).AssignedTo
	if id := c.view().OpenCaseOf(loan); id != 0 {
		t.Fatalf("the sold loan keeps case %d", id)
	}
	k = c.caseOf(next)
	if k.Lender != apptest.OtherIssuer || k.Loan != next || k.Delegate != "" {
		t.Fatalf("case after the sale: %v", k)
	}
	c.refused(noon(2025, 2, 19), c.agency, &collectv1.MsgRequestPermit{Case: k.Id, Channel: letter}, collect.ErrNotActing.Code)
	c.refused(noon(2025, 2, 19).Add(time.Minute), c.lender, &collectv1.MsgRequestPermit{Case: k.Id, Channel: letter}, collect.ErrNotActing.Code)
	c.ok(noon(2025, 2, 19).Add(2*time.Minute), other, &collectv1.MsgRequestPermit{Case: k.Id, Channel: letter})
	if s := c.stats(apptest.Issuer); s.CasesByStage[0] != 0 {
		t.Fatalf("the seller still counts the case: %v", s)
	}

	// On another chain demo-bank writes a loan off: its maker proposes,
	// its checker approves.
	c2 := newChain(t)
	loan = c2.openLoan()
	c2.block(noon(2025, 2, 14))
	k = c2.caseOf(loan)
	c2.ok(noon(2025, 4, 17), c2.lender, &creditv1.MsgWriteOffLoan{Loan: loan, Reason: "no contact", Expires: noon(2025, 4, 20).Unix()})
	c2.ok(noon(2025, 4, 17).Add(time.Minute), testKey("checker"), &creditv1.MsgApproveLoanAction{Loan: loan, Pending: 1})
	if l := c2.loan(loan); l.Status != creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF {
		t.Fatalf("loan %s", l.Status)
	}
	if k = c2.caseOf(loan); k.Stage != collectv1.Stage_STAGE_WRITE_OFF {
		t.Fatalf("written-off loan's case: %v", k)
	}
	c2.block(noon(2025, 9, 1)) // days past due go on; the stage stays
	if k = c2.caseOf(loan); k.Stage != collectv1.Stage_STAGE_WRITE_OFF || k.Status != collectv1.CaseStatus_CASE_STATUS_OPEN {
		t.Fatalf("written-off case later: %v", k)
	}
	c2.ok(noon(2025, 9, 1).Add(time.Minute), c2.lender, &collectv1.MsgRequestPermit{Case: k.Id, Channel: call})
	c2.verifyHistory(k.Id)
}

// TestDisputePausesCollection: a dispute of the loan's record by the
// borrower (the credit report's) pauses contact until the lender answers
// it.
func TestDisputePausesCollection(t *testing.T) {
	c := newChain(t)
	loan := c.openLoan()
	c.block(noon(2025, 2, 14))
	k := c.caseOf(loan)
	c.ok(noon(2025, 2, 15), c.borrower, &creditv1.MsgDispute{Loan: loan, Reason: "I paid on time", EvidenceHash: hash("receipt")})
	c.refused(noon(2025, 2, 16), c.lender, &collectv1.MsgRequestPermit{Case: k.Id, Channel: call}, collect.ErrDisputeOpen.Code)
	c.ok(noon(2025, 2, 16).Add(time.Minute), c.lender, &creditv1.MsgAnswerDispute{Dispute: 1, Answer: "the payment came on 20 February"})
	c.ok(noon(2025, 2, 16).Add(2*time.Minute), c.lender, &collectv1.MsgRequestPermit{Case: k.Id, Channel: call})
}

// TestChecksCatchCorruption checks that the invariant checks the harness
// runs after every block are not vacuous: a member's statistics one case
// off, or an open case without its loan's index entry, fails them.
func TestChecksCatchCorruption(t *testing.T) {
	c := newChain(t)
	loan := c.openLoan()
	c.block(local(2025, 2, 14, 0, 0, 5))
	id := c.caseOf(loan).Id

	stats := c.stats(apptest.Issuer)
	stats.CasesByStage[0]++
	raw, err := proto.Marshal(stats)
	if err != nil {
		t.Fatal(err)
	}
	wrongStats := store.NewOverlay(c.reader(collect.StoreName))
	wrongStats.Set(collect.StatsKey(apptest.Issuer), raw)
	if err := collect.CheckCases(wrongStats); err == nil {
		t.Error("CheckCases passed a member's statistics one case off")
	}
	if err := collect.CheckStatsOn(wrongStats, c.today()); err == nil {
		t.Error("CheckStatsOn passed a member's statistics one case off")
	}

	noIndex := store.NewOverlay(c.reader(collect.StoreName))
	noIndex.Delete(collect.LoanCaseKey(loan))
	if err := collect.CheckCases(noIndex); err == nil {
		t.Errorf("CheckCases passed open case %d without its loan's index entry", id)
	}
}
