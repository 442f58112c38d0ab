package creditclient_test

import (
	"context"
	"encoding/binary"
	"errors"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	ics23 "github.com/cosmos/ics23/go"
	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/clienttest"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/credit"
	"github.com/ledgerd/ledgerd/x/credit/creditclient"
	"github.com/ledgerd/ledgerd/x/credit/scorecard"
)

var subject = []byte("the subject id: 32 bytes of hash")

// withSubject gives newNode's loan 1 a subject, and adds loan 2 of the same
// person from another wallet at another bank; index says whether loan 2
// is in the subject's index (the record counts it either way).
func withSubject(t *testing.T, index bool) *clienttest.FakeNode {
	f := newNode(t)
	v, err := f.Version(f.Height())
	if err != nil {
		t.Fatal(err)
	}
	r, _ := v.Reader(credit.StoreName)
	l := new(creditv1.Loan)
	if err := proto.Unmarshal(r.Get(credit.LoanKey(1)), l); err != nil {
		t.Fatal(err)
	}
	l.Subject = subject
	f.SetProto(credit.StoreName, credit.LoanKey(1), l)
	l2 := proto.Clone(l).(*creditv1.Loan)
	l2.Id, l2.Lender, l2.Borrower = 2, "bank-b", common.HexToAddress("0xbb").Bytes()
	f.SetProto(credit.StoreName, credit.LoanKey(2), l2)
	f.SetProto(credit.StoreName, credit.SubjectKey(subject), &creditv1.Subject{Id: subject, Loans: 2, Wallets: 2})
	p := credit.SubjectLoansPrefix(subject)
	mark := []byte{1}
	f.Set(credit.StoreName, credit.RangeStart(p), mark)
	f.Set(credit.StoreName, credit.RangeEnd(p), mark)
	f.Set(credit.StoreName, binary.BigEndian.AppendUint64(append([]byte{}, p...), 1), mark)
	if index {
		f.Set(credit.StoreName, binary.BigEndian.AppendUint64(append([]byte{}, p...), 2), mark)
	}
	for _, q := range [][]byte{credit.SubjectEnquiriesPrefix(subject), credit.SubjectDisputesPrefix(subject)} {
		f.Set(credit.StoreName, credit.RangeStart(q), mark)
		f.Set(credit.StoreName, credit.RangeEnd(q), mark)
	}
	f.Produce(2)
	return f
}

// TestVerifiedReport: the report computed here over proven records lists
// both of the person's loans (two wallets, two banks) with their codes,
// and equals the node's; its score is recomputed from it; a node that
// hides a loan from the index range fails a proof; a state whose index
// lacks a loan the subject's record counts is caught as incomplete.
func TestVerifiedReport(t *testing.T) {
	f := withSubject(t, true)
	c := creditclient.New(clienttest.NewClient(t, f))
	ctx := context.Background()
	day, _ := calendar.Date(2025, 4, 2)
	r, reads, err := c.VerifiedReport(ctx, subject, day, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Loans) != 2 || r.Loans[0].Loan != 1 || r.Loans[1].Lender != "bank-b" || r.Recorded != 2 || len(reads.Proofs()) == 0 {
		t.Fatalf("report %v", r)
	}
	// Drawn 31 January, unpaid: * in January, N in February (due 28th,
	// within the grace days at month end), 2 in March (31 days past due
	// since 28 February, after the notice of 4 March).
	if r.Loans[0].Grid != "*N2" || calendar.Day(r.Loans[0].NoticeDay) != mustDay(2025, 3, 4) {
		t.Fatalf("grid %q, notice %s", r.Loans[0].Grid, calendar.Day(r.Loans[0].NoticeDay))
	}
	plain := new(creditv1.Report)
	if err := c.QueryProto(ctx, "/credit/report/"+hexOf(subject)+"/"+day.String(), plain); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(plain, r) {
		t.Fatalf("node's report %v, proven %v", plain, r)
	}
	s, _, _, err := c.VerifiedScore(ctx, subject, day, 0)
	if err != nil || s.Points != scorecard.Of(r).Points || len(s.Parts) != 5 || s.Points <= 0 || s.Points > scorecard.Max {
		t.Fatalf("score %v, %v", s, err)
	}

	// The node hides loan 2: it passes off the index key after loan 1's as
	// the range's end mark.
	hidden := binary.BigEndian.AppendUint64(credit.SubjectLoansPrefix(subject), 2)
	f.SetTamper(func(q *abci.ResponseQuery) {
		clienttest.EditNextKey(q, hidden, func(next *ics23.ExistenceProof) {
			next.Key = credit.RangeEnd(credit.SubjectLoansPrefix(subject))
		})
	})
	if _, _, err := c.VerifiedReport(ctx, subject, day, 0); !errors.Is(err, client.ErrVerification) {
		t.Fatalf("a hidden loan: %v", err)
	}

	// A state whose index lacks a loan the record counts.
	g := withSubject(t, false)
	gc := creditclient.New(clienttest.NewClient(t, g))
	if _, _, err := gc.VerifiedReport(ctx, subject, day, 0); !errors.Is(err, credit.ErrIncomplete) {
		t.Fatalf("an incomplete index: %v", err)
	}
}

func mustDay(y, m, d int) calendar.Day {
	day, err := calendar.Date(y, m, d)
	if err != nil {
		panic(err)
	}
	return day
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, x := range b {
		out = append(out, digits[x>>4], digits[x&15])
	}
	return string(out)
}
