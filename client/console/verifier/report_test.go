package verifier_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/clienttest"
	"github.com/ledgerd/ledgerd/client/console/verifier"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/credit"
	"github.com/ledgerd/ledgerd/x/credit/creditclient"
	"github.com/ledgerd/ledgerd/x/credit/schedule"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// TestCreditReportIsTheCLIs: a loan recorded as of its drawing day (31
// January 2025), on a chain whose blocks are of 2 April 2025 and which no
// sweep has touched since: the credit page's report brings it up to the
// report day as the node's report and the CLI's `query credit report
// --prove` (creditclient.VerifiedReport) do, so its month codes, days past
// due, classification, status, overdue amount and score are theirs, not
// the record's. A node that changes the loan's record fails the page.
func TestCreditReportIsTheCLIs(t *testing.T) {
	zone := calendar.Zone{UTCOffset: 8 * 3600}
	reportDay, _ := calendar.Date(2025, 4, 2)
	base := time.Unix(zone.Start(reportDay), 0).Add(10 * time.Hour)
	f := clienttest.NewFakeNode(t, []string{consortium.StoreName, wallet.StoreName, credit.StoreName},
		clienttest.WithBlockTime(func(h int64) time.Time { return base.Add(time.Duration(h) * time.Second) }))
	f.ServeModule(credit.New(nil, nil).Module())
	borrower := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	subject := []byte("the subject id: 32 bytes of hash")
	recorded := staleLoan(t, f, borrower, subject)
	f.Produce(2)
	f.StartBlocks(20 * time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	v, err := verifier.New(ctx, f.URL(), 0, nil, func() time.Time { return base.Add(time.Hour) })
	if err != nil {
		t.Fatal(err)
	}
	page, err := v.Credit(ctx, borrower.Hex())
	if err != nil {
		t.Fatal(err)
	}
	if !page.Report.Verified || !page.Found || len(page.Loans) != 1 || page.Score == nil {
		t.Fatalf("the page: %+v", page)
	}
	// The chain's headers are of 2025: the CLI's light client must accept
	// a root of trust that old.
	c := creditclient.New(clienttest.NewClient(t, f, client.WithTrustPeriod(10*365*24*time.Hour)))
	cli, _, _, err := c.VerifiedScore(ctx, subject, 0, page.Report.Mark.Height)
	if err != nil {
		t.Fatal(err)
	}
	report, _, err := c.VerifiedReport(ctx, subject, 0, page.Report.Mark.Height)
	if err != nil {
		t.Fatal(err)
	}
	if page.Day != reportDay.String() || calendar.Day(report.Day) != reportDay {
		t.Fatalf("report day: the page's %s, the CLI's %s, want %s", page.Day, calendar.Day(report.Day), reportDay)
	}
	// The CLI's figures are the record's brought up to the day: codes of
	// February and March the record does not have yet, 33 days past due
	// (since 28 February), overdue, not the record's current and normal.
	lr := report.Loans[0]
	if lr.Grid != "*N2" || lr.DaysPastDue != 33 || lr.Status != creditv1.LoanStatus_LOAN_STATUS_OVERDUE || lr.Overdue == 0 ||
		recorded.Grid != "" || recorded.Status != creditv1.LoanStatus_LOAN_STATUS_CURRENT || credit.DaysPastDue(recorded) != 0 {
		t.Fatalf("the CLI's loan %v; the record %v", lr, recorded)
	}
	got := page.Loans[0]
	if strings.Join(got.Cells, "") != lr.Grid || got.Cells[len(got.Cells)-1] != "2" || got.DaysPastDue != lr.DaysPastDue ||
		got.Class != strings.ToLower(strings.TrimPrefix(lr.Class.String(), "CLASS_")) ||
		got.Status != strings.ToLower(strings.TrimPrefix(lr.Status.String(), "LOAN_STATUS_")) ||
		got.Overdue.Minor != lr.Overdue || got.Balance.Minor != lr.Balance {
		t.Fatalf("the page's loan %+v, the CLI's %v", got, lr)
	}
	if page.Score.Points != cli.Points || len(page.Score.Parts) != len(cli.Parts) {
		t.Fatalf("score %d on the page, %d by the CLI", page.Score.Points, cli.Points)
	}
	for i, p := range cli.Parts {
		if q := page.Score.Parts[i]; q.Name != p.Name || q.Points != p.Points || q.Why != p.Why {
			t.Fatalf("score part %d: the page's %+v, the CLI's %v", i, q, p)
		}
	}
	// The node's own report on the day (its word) agrees too.
	plain := new(creditv1.Report)
	if err := c.QueryProto(ctx, "/credit/report/"+hex.EncodeToString(subject)+"/"+reportDay.String(), plain); err != nil {
		t.Fatal(err)
	}
	if len(plain.Loans) != 1 || plain.Loans[0].Grid != lr.Grid || plain.Loans[0].DaysPastDue != lr.DaysPastDue {
		t.Fatalf("the node's report %v", plain)
	}

	// A node that changes the loan's record: not verified, no figures.
	f.SetTamper(func(q *abci.ResponseQuery) {
		if bytes.Equal(q.Key, credit.LoanKey(1)) && len(q.Value) > 0 {
			q.Value = append(bytes.Clone(q.Value), 0x08, 0x02)
		}
	})
	page, err = v.Credit(ctx, borrower.Hex())
	if err != nil || page.Report.Verified || !strings.Contains(page.Report.Error, "does not match the app hash") || page.Score != nil || len(page.Loans) != 0 {
		t.Fatalf("a changed loan record: %+v, %v", page, err)
	}
}

// staleLoan writes borrower's loan 1 of subject: 12,000.00 CNY at 12% over
// 12 months drawn on 31 January 2025, nothing paid, recorded as of that
// day; the subject's record, the wallet's attestation and the subject's
// bracketed indexes; wallet parameters in UTC+8. It returns the record.
func staleLoan(t *testing.T, f *clienttest.FakeNode, borrower common.Address, subject []byte) *creditv1.Loan {
	t.Helper()
	f.SetProto(consortium.StoreName, consortium.ParamsKey(), &consortiumv1.Params{ChainNumericId: clienttest.NumericID})
	f.SetProto(wallet.StoreName, wallet.ParamsKey(), &walletv1.Params{Denoms: []string{"CNY"}, UtcOffsetSeconds: 8 * 3600,
		Decimals: []*walletv1.DenomDecimals{{Denom: "CNY", Decimals: 2}}})
	f.SetProto(credit.StoreName, credit.ParamsKey(), credit.DefaultParams())
	start, _ := calendar.Date(2025, 1, 31)
	terms := &creditv1.Terms{Kind: creditv1.LineKind_LINE_KIND_INSTALLMENT, Denom: "CNY", RateBps: 1200, PenaltyRateBps: 600,
		Method: creditv1.Method_METHOD_EQUAL_INSTALLMENTS, Accrual: creditv1.Accrual_ACCRUAL_MONTHLY, Basis: 360, TermMonths: 12, GraceDays: 3}
	sched, err := schedule.Generate(schedule.Terms{Principal: 1_200_000, RateBps: 1200, Months: 12, Method: schedule.EqualInstallments,
		Accrual: schedule.Monthly, Basis: 360, Start: start})
	if err != nil {
		t.Fatal(err)
	}
	l := &creditv1.Loan{Id: 1, Line: 1, Lender: "bank-a", Borrower: borrower.Bytes(), Subject: subject, Terms: terms, Principal: 1_200_000,
		Outstanding: 1_200_000, Start: int64(start), AsOf: int64(start), Status: creditv1.LoanStatus_LOAN_STATUS_CURRENT,
		Class: creditv1.Class_CLASS_NORMAL, RuleClass: creditv1.Class_CLASS_NORMAL}
	prev := start
	for _, in := range sched {
		l.Installments = append(l.Installments, &creditv1.Installment{Seq: in.Seq, Due: int64(in.Due), Principal: in.Principal,
			Interest: in.Interest, Start: int64(prev)})
		prev = in.Due
	}
	f.SetProto(credit.StoreName, credit.LoanKey(1), l)
	f.SetProto(credit.StoreName, credit.SubjectKey(subject), &creditv1.Subject{Id: subject, Loans: 1, Wallets: 1})
	f.Set(credit.StoreName, credit.WalletSubjectKey(borrower.Bytes()), subject)
	mark := []byte{1}
	for _, p := range [][]byte{credit.SubjectLoansPrefix(subject), credit.SubjectEnquiriesPrefix(subject), credit.SubjectDisputesPrefix(subject)} {
		f.Set(credit.StoreName, credit.RangeStart(p), mark)
		f.Set(credit.StoreName, credit.RangeEnd(p), mark)
	}
	f.Set(credit.StoreName, binary.BigEndian.AppendUint64(credit.SubjectLoansPrefix(subject), 1), mark)
	return l
}
