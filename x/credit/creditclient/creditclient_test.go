package creditclient_test

import (
	"context"
	"errors"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/clienttest"
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

var borrower = common.HexToAddress("0x00000000000000000000000000000000000000aa")

// newNode serves the credit module with one loan of borrower: 12,000.00
// at 12% over 12 months, drawn on 31 January 2025, nothing paid, and its
// borrower index entry; wallet parameters in UTC+8.
func newNode(t *testing.T) *clienttest.FakeNode {
	f := clienttest.NewFakeNode(t, []string{consortium.StoreName, wallet.StoreName, credit.StoreName})
	f.ServeModule(consortium.New(nil))
	f.ServeModule(credit.New(nil, nil).Module())
	f.SetProto(consortium.StoreName, consortium.ParamsKey(), &consortiumv1.Params{ChainNumericId: clienttest.NumericID})
	f.SetProto(wallet.StoreName, wallet.ParamsKey(), &walletv1.Params{Denoms: []string{"CNY"}, UtcOffsetSeconds: 8 * 3600})
	f.SetProto(credit.StoreName, credit.ParamsKey(), credit.DefaultParams())
	start, _ := calendar.Date(2025, 1, 31)
	terms := &creditv1.Terms{Kind: creditv1.LineKind_LINE_KIND_INSTALLMENT, Denom: "CNY", RateBps: 1200, PenaltyRateBps: 600,
		Method: creditv1.Method_METHOD_EQUAL_INSTALLMENTS, Accrual: creditv1.Accrual_ACCRUAL_MONTHLY, Basis: 360, TermMonths: 12, GraceDays: 3}
	sched, err := schedule.Generate(schedule.Terms{Principal: 1_200_000, RateBps: 1200, Months: 12, Method: schedule.EqualInstallments,
		Accrual: schedule.Monthly, Basis: 360, Start: start})
	if err != nil {
		t.Fatal(err)
	}
	l := &creditv1.Loan{Id: 1, Line: 1, Lender: "bank-a", Borrower: borrower.Bytes(), Terms: terms, Principal: 1_200_000,
		Outstanding: 1_200_000, Start: int64(start), AsOf: int64(start), Status: creditv1.LoanStatus_LOAN_STATUS_CURRENT,
		Class: creditv1.Class_CLASS_NORMAL, RuleClass: creditv1.Class_CLASS_NORMAL}
	prev := start
	for _, in := range sched {
		l.Installments = append(l.Installments, &creditv1.Installment{Seq: in.Seq, Due: int64(in.Due), Principal: in.Principal,
			Interest: in.Interest, Start: int64(prev)})
		prev = in.Due
	}
	f.SetProto(credit.StoreName, credit.LoanKey(1), l)
	f.Set(credit.StoreName, append(credit.BorrowerLoansPrefix(borrower.Bytes()), 0, 0, 0, 0, 0, 0, 0, 1), []byte{1})
	f.Produce(2)
	f.StartBlocks(10 * time.Millisecond)
	return f
}

// TestVerifiedSchedule: the schedule computed here over proven records
// equals the node's; both say the first installment (1,066.19, due 28
// February) is overdue by 10 days on 10 March, with a penalty of 110.40 →
// 110 (its principal 946.19 at 6% for the 7 days after the grace days:
// 94,619 × 600 × 7 / 3,600,000); the borrower's loans are proven
// complete; a node that alters a proven answer is caught.
func TestVerifiedSchedule(t *testing.T) {
	f := newNode(t)
	c := creditclient.New(clienttest.NewClient(t, f))
	ctx := context.Background()
	day, _ := calendar.Date(2025, 3, 10)
	plain, err := c.Schedule(ctx, 1, day)
	if err != nil {
		t.Fatal(err)
	}
	proven, reads, err := c.VerifiedSchedule(ctx, 1, day, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(reads.Proofs()) == 0 {
		t.Fatal("nothing was proven")
	}
	if proven.DueNow != plain.DueNow || proven.SettleNow != plain.SettleNow || proven.DaysPastDue != 10 ||
		proven.Status != creditv1.LoanStatus_LOAN_STATUS_OVERDUE {
		t.Fatalf("proven %v, plain %v", proven, plain)
	}
	// 106,619 due and the penalty on 94,619 for 7 days at 6% over 360.
	if want := uint64(106_619 + 110); proven.DueNow != want {
		t.Fatalf("due %d, want %d", proven.DueNow, want)
	}
	loans, _, err := c.VerifiedLoansOf(ctx, borrower, 0)
	if err != nil || len(loans) != 1 || loans[0].Id != 1 {
		t.Fatalf("VerifiedLoansOf = %v, %v", loans, err)
	}
	// A node that alters what it proves is caught.
	f.SetTamper(func(q *abci.ResponseQuery) {
		if len(q.Value) > 0 {
			q.Value = append([]byte{}, q.Value...)
			q.Value[len(q.Value)-1] ^= 1
		}
	})
	if _, _, err := c.VerifiedLoan(ctx, 1, 0); !errors.Is(err, client.ErrVerification) {
		t.Fatalf("tampered loan: %v", err)
	}
	if _, _, err := c.VerifiedSchedule(ctx, 1, day, 0); !errors.Is(err, client.ErrVerification) {
		t.Fatalf("tampered schedule: %v", err)
	}
}
