package app_test

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/app/apptest"
	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/collect"
	"github.com/ledgerd/ledgerd/x/credit"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// collectMsg is a random collection message and its signer, from the
// committed state of ref: permits on open cases by demo-bank (or
// other-bank, not acting: refused) by any channel, to the borrower or a
// contact (authorised or not), outcomes of recent permits (some past
// their deadline), promises and their confirmations, escalations, plans
// and settlements offered and taken,
// authorisations and cease requests by borrowers, complaints and
// rulings. Revocations and lifted ceases are left out, so that the
// property check can judge a block's permits by the state after it.
func (g *txGen) collectMsg() (apptest.Msg, *ecdsa.PrivateKey) {
	v, err := g.ref.Store.Version(0)
	if err != nil {
		return nil, nil
	}
	r, err := v.Reader(collect.StoreName)
	if err != nil {
		return nil, nil
	}
	cv := collect.NewView(r)
	var open []*collectv1.Case
	for id := uint64(1); ; id++ {
		c, err := cv.Case(id)
		if err != nil {
			break
		}
		if c.Status == collectv1.CaseStatus_CASE_STATUS_OPEN {
			open = append(open, c)
		}
	}
	keyOf := func(addr []byte) *ecdsa.PrivateKey {
		for _, k := range g.owners {
			if apptest.Address(k) == common.BytesToAddress(addr) {
				return k
			}
		}
		return g.owners[0]
	}
	contact := func() []byte {
		h := sha256.Sum256([]byte(fmt.Sprint("contact ", g.col.IntN(3))))
		return h[:]
	}
	bank := g.issuers[0]
	channel := collectv1.Channel(1 + g.col.IntN(4))
	switch k := g.col.IntN(12); {
	case k == 0:
		return &collectv1.MsgAuthorizeContact{Contact: contact(), Relation: "family"}, g.owners[g.col.IntN(g.genesis)]
	case k == 1:
		return &collectv1.MsgCeaseContact{Lender: apptest.Issuer, Channel: collectv1.Channel(1 + g.col.IntN(3))}, g.owners[g.col.IntN(g.genesis)]
	case k == 2:
		who := g.owners[g.col.IntN(g.genesis)]
		return &collectv1.MsgFileComplaint{Lender: apptest.Issuer, Time: g.now.Unix() - g.col.Int64N(5*86400), Channel: channel,
			EvidenceHash: contact()}, who
	case k == 3:
		return &collectv1.MsgRuleComplaint{Complaint: 1 + g.col.Uint64N(4), Upheld: g.col.IntN(2) == 0, Reason: "ruled"}, g.members[3]
	case k == 4:
		return &collectv1.MsgRecordOutcome{Permit: 1 + g.col.Uint64N(30), Result: "reached", EvidenceHash: contact()}, bank
	case k == 5:
		// A draw, and (below) a withdrawn auto-debit: loans nobody may
		// repay, something for collection to do.
		cr, err := v.Reader(credit.StoreName)
		if err != nil {
			return nil, nil
		}
		for id := uint64(1); ; id++ {
			l, err := credit.NewView(cr).Line(id)
			if err != nil {
				break
			}
			if l.Status == creditv1.LineStatus_LINE_STATUS_ACTIVE && l.Drawn < l.Limit {
				return &creditv1.MsgDrawLoan{Line: l.Id, Denom: apptest.Denom, Amount: 1 + g.col.Uint64N(l.Limit-l.Drawn)}, keyOf(l.Borrower)
			}
		}
		return nil, nil
	case k == 6:
		// A borrower withdraws the auto-debit of a loan.
		cr, err := v.Reader(credit.StoreName)
		if err != nil {
			return nil, nil
		}
		for id := uint64(1); ; id++ {
			l, err := credit.NewView(cr).Loan(id)
			if err != nil {
				break
			}
			if l.Autodebit && !credit.Closed(l) {
				return &creditv1.MsgRevokeAutoDebit{Loan: l.Id}, keyOf(l.Borrower)
			}
		}
		return nil, nil
	case len(open) == 0:
		return nil, nil
	}
	c := open[g.col.IntN(len(open))]
	switch g.col.IntN(8) {
	case 0:
		return &collectv1.MsgPromiseToPay{Case: c.Id, Denom: apptest.Denom, Amount: 1 + g.col.Uint64N(50_000),
			Due: int64(calendar.Zone{UTCOffset: 8 * 3600}.Day(g.now.Unix())) + g.col.Int64N(5)}, bank
	case 1:
		if pr := c.Promise; pr != nil {
			return &collectv1.MsgConfirmPromise{Case: c.Id, Seq: pr.Seq, Denom: pr.Denom, Amount: pr.Amount, Due: pr.Due}, keyOf(c.Borrower)
		}
	case 2:
		return &collectv1.MsgEscalateCase{Case: c.Id, Stage: collectv1.Stage(2 + g.col.IntN(2)), Reason: "escalated"}, bank
	case 3:
		// A plan or a settlement (refused when it costs the loan's full
		// amount or more, or for a written-off loan's plan).
		m := &collectv1.MsgOfferPlan{Case: c.Id, Expires: g.now.Unix() + 3*86400, Reason: "offer"}
		if g.col.IntN(2) == 0 {
			m.Denom, m.SettleAmount = apptest.Denom, 1+g.col.Uint64N(100_000)
		} else {
			h := sha256.Sum256([]byte("plan"))
			m.TermMonths, m.RateBps, m.Method, m.ContractHash = 6, 1000, creditv1.Method_METHOD_EQUAL_PRINCIPAL, h[:]
		}
		return m, bank
	case 4:
		// The borrower takes the case's offer, repeating it.
		if p := c.Plan; p != nil && p.SettleAmount != 0 {
			return &collectv1.MsgSettleCase{Case: c.Id, Seq: p.Seq, Denom: p.Denom, Amount: p.SettleAmount}, keyOf(c.Borrower)
		} else if p != nil {
			return &collectv1.MsgAcceptPlan{Case: c.Id, Seq: p.Seq, TermMonths: p.TermMonths, RateBps: p.RateBps, Method: p.Method,
				ContractHash: p.ContractHash}, keyOf(c.Borrower)
		}
	}
	m := &collectv1.MsgRequestPermit{Case: c.Id, Channel: channel}
	if g.col.IntN(4) == 0 {
		m.Contact = contact()
	}
	signer := bank
	if g.col.IntN(8) == 0 {
		signer = g.issuers[1]
	}
	return m, signer
}

// checkCollection is the collection property after a block at height:
// the module's invariant holds; every open case belongs to a loan that is
// overdue or written off and not ended; every permit granted in the block
// kept the rules: within the contact hours, to the borrower or a contact
// they authorised, not by a channel the borrower had asked the lender to
// cease before the block, and within the caps per borrower and case, per
// day and per 7 days.
func checkCollection(t *testing.T, h *apptest.Harness, height int64) {
	t.Helper()
	v, err := h.Store.Version(0)
	if err != nil {
		t.Fatal(err)
	}
	reader := func(name string) store.Reader {
		r, err := v.Reader(name)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := reader(collect.StoreName)
	if err := collect.CheckCases(r); err != nil {
		t.Fatalf("height %d: %v", height, err)
	}
	// The open cases by stage the stats query gives on the last block's
	// day (from the counts by day overdue since) are those the cases give.
	zone := calendar.Zone{UTCOffset: wallet.NewView(reader(wallet.StoreName)).Params().UtcOffsetSeconds}
	if err := collect.CheckStatsOn(r, zone.Day(h.LastTime().Unix())); err != nil {
		t.Fatalf("height %d: %v", height, err)
	}
	cv, loans := collect.NewView(r), credit.NewView(reader(credit.StoreName))
	for id := uint64(1); ; id++ {
		c, err := cv.Case(id)
		if err != nil {
			break
		}
		if c.Status != collectv1.CaseStatus_CASE_STATUS_OPEN {
			continue
		}
		l, err := loans.Loan(c.Loan)
		if err != nil {
			t.Fatalf("height %d: case %d names loan %d: %v", height, c.Id, c.Loan, err)
		}
		if credit.Closed(l) || l.OverdueSince == 0 && l.Status.String() != "LOAN_STATUS_WRITTEN_OFF" {
			t.Fatalf("height %d: case %d is open on loan %d, which is %s, overdue since %d", height, c.Id, l.Id, l.Status, l.OverdueSince)
		}
	}
	var prev collect.View
	hasPrev := height > 1
	if hasPrev {
		pv, err := h.Store.Version(height - 1)
		if err != nil {
			t.Fatal(err)
		}
		pr, err := pv.Reader(collect.StoreName)
		if err != nil {
			t.Fatal(err)
		}
		prev = collect.NewView(pr)
	}
	p := cv.Params()
	zone = calendar.Zone{UTCOffset: 8 * 3600}
	type dayKey struct {
		who string
		ch  collectv1.Channel
		day calendar.Day
	}
	perDay := map[dayKey]uint32{}
	var permits []*collectv1.Permit
	for id := uint64(1); ; id++ {
		pm, err := cv.Permit(id)
		if err != nil {
			break
		}
		permits = append(permits, pm)
		d := zone.Day(pm.Granted)
		perDay[dayKey{string(pm.Borrower), pm.Channel, d}]++
		perDay[dayKey{fmt.Sprint(pm.Case), pm.Channel, d}]++
	}
	week := func(who string, ch collectv1.Channel, d calendar.Day) uint32 {
		var n uint32
		for x := d - 6; x <= d; x++ {
			n += perDay[dayKey{who, ch, x}]
		}
		return n
	}
	for _, pm := range permits {
		if hasPrev {
			if _, err := prev.Permit(pm.Id); err == nil {
				continue // granted before this block
			}
		}
		s := zone.SecondOfDay(pm.Granted)
		rule := p.Channels[pm.Channel-1]
		d := zone.Day(pm.Granted)
		switch {
		case s < int64(p.ContactStart) || s >= int64(p.ContactEnd):
			t.Fatalf("height %d: permit %d granted at %d s of the day", height, pm.Id, s)
		case pm.Deadline > zone.Start(d)+int64(p.ContactEnd) || pm.Deadline > pm.Granted+int64(p.PermitSeconds):
			t.Fatalf("height %d: permit %d valid until %d", height, pm.Id, pm.Deadline)
		case rule.PerDay != 0 && perDay[dayKey{string(pm.Borrower), pm.Channel, d}] > rule.PerDay,
			rule.PerWeek != 0 && week(string(pm.Borrower), pm.Channel, d) > rule.PerWeek,
			rule.CasePerDay != 0 && perDay[dayKey{fmt.Sprint(pm.Case), pm.Channel, d}] > rule.CasePerDay,
			rule.CasePerWeek != 0 && week(fmt.Sprint(pm.Case), pm.Channel, d) > rule.CasePerWeek:
			t.Fatalf("height %d: permit %d exceeds the %s caps", height, pm.Id, pm.Channel)
		}
		if len(pm.Contact) != 0 {
			if _, ok := cv.Contact(pm.Borrower, pm.Contact); !ok {
				t.Fatalf("height %d: permit %d to an unauthorised contact", height, pm.Id)
			}
		}
		if pm.Channel != collectv1.Channel_CHANNEL_LETTER && hasPrev {
			if prev.Ceased(pm.Borrower, pm.Lender, pm.Channel) {
				t.Fatalf("height %d: permit %d by a channel the borrower had ceased", height, pm.Id)
			}
		}
	}
}

// collectionCounts counts the cases and permits in v.
func collectionCounts(t *testing.T, v interface {
	Reader(string) (store.Reader, error)
}) (cases, permits int) {
	r, err := v.Reader(collect.StoreName)
	if err != nil {
		t.Fatal(err)
	}
	cv := collect.NewView(r)
	for id := uint64(1); ; id++ {
		if _, err := cv.Case(id); err != nil {
			break
		}
		cases++
	}
	for id := uint64(1); ; id++ {
		if _, err := cv.Permit(id); err != nil {
			break
		}
		permits++
	}
	return cases, permits
}
