package collectclient_test

import (
	"context"
	"errors"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/clienttest"
	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/collect"
	"github.com/ledgerd/ledgerd/x/collect/collectclient"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/wallet"
)

var borrower = common.HexToAddress("0x00000000000000000000000000000000000000aa")

// TestVerifiedCoverage: a node serving one case and one permit (granted
// at 15:00:00 for 15 minutes); the proven coverage names the permit for a
// contact within it and proves none for one after it; the case and the
// stats are proven; a node that alters a proven answer is caught.
func TestVerifiedCoverage(t *testing.T) {
	f := clienttest.NewFakeNode(t, []string{consortium.StoreName, wallet.StoreName, collect.StoreName})
	f.ServeModule(consortium.New(nil))
	f.SetProto(consortium.StoreName, consortium.ParamsKey(), &consortiumv1.Params{ChainNumericId: clienttest.NumericID})
	f.SetProto(collect.StoreName, collect.ParamsKey(), collect.DefaultParams())
	f.SetProto(wallet.StoreName, wallet.ParamsKey(), &walletv1.Params{Denoms: []string{"CNY"}, UtcOffsetSeconds: 8 * 3600})
	granted := time.Date(2025, 2, 14, 7, 0, 0, 0, time.UTC).Unix()
	since, _ := calendar.Date(2025, 2, 13)
	f.SetProto(collect.StoreName, collect.CaseKey(1), &collectv1.Case{Id: 1, Loan: 1, Lender: "bank-a", Borrower: borrower.Bytes(),
		Status: collectv1.CaseStatus_CASE_STATUS_OPEN, Stage: collectv1.Stage_STAGE_EARLY, Permits: 1, OverdueSince: int64(since), AsOf: int64(since + 1)})
	f.SetProto(collect.StoreName, collect.PermitKey(1), &collectv1.Permit{Id: 1, Case: 1, Lender: "bank-a", Collector: "bank-a",
		Borrower: borrower.Bytes(), Channel: collectv1.Channel_CHANNEL_CALL, Granted: granted, Deadline: granted + 900})
	f.Set(collect.StoreName, collect.BorrowerPermitKey(borrower.Bytes(), collectv1.Channel_CHANNEL_CALL, granted, 1), []byte{1})
	// The case, stored early, is counted by the day it is overdue since.
	f.SetProto(collect.StoreName, collect.StatsKey("bank-a"), &collectv1.Stats{Member: "bank-a", Permits: []uint64{1, 0, 0, 0}, CasesByStage: []uint64{0, 0, 1, 0}})
	f.Set(collect.StoreName, collect.DayCountKey("bank-a", since), append(make([]byte, 7), 1, 0, 0, 0, 0, 0, 0, 0, 0))
	f.Produce(2)
	f.StartBlocks(10 * time.Millisecond)
	c := collectclient.New(clienttest.NewClient(t, f))
	ctx := context.Background()

	cov, reads, err := c.VerifiedCoverage(ctx, "bank-a", borrower, collectv1.Channel_CHANNEL_CALL, granted+600, 0)
	if err != nil || cov.Permit != 1 || len(reads.Proofs()) == 0 {
		t.Fatalf("covered contact: %v, %v", cov, err)
	}
	cov, _, err = c.VerifiedCoverage(ctx, "bank-a", borrower, collectv1.Channel_CHANNEL_CALL, granted+901, 0)
	if err != nil || cov.Permit != 0 || len(cov.Considered) != 1 {
		t.Fatalf("contact after the deadline: %v, %v", cov, err)
	}
	cov, _, err = c.VerifiedCoverage(ctx, "bank-b", borrower, collectv1.Channel_CHANNEL_CALL, granted+600, 0)
	if err != nil || cov.Permit != 0 {
		t.Fatalf("another lender's contact: %v, %v", cov, err)
	}
	if k, _, err := c.VerifiedCase(ctx, 1, since+30, 0); err != nil || k.Lender != "bank-a" || k.Stage != collectv1.Stage_STAGE_EARLY {
		t.Fatalf("case at 30 days past due: %v, %v", k, err)
	}
	if k, _, err := c.VerifiedCase(ctx, 1, since+31, 0); err != nil || k.Stage != collectv1.Stage_STAGE_MID {
		t.Fatalf("case at 31 days past due: %v, %v", k, err)
	}
	for _, tc := range []struct {
		day  calendar.Day
		want [4]uint64
	}{{since + 30, [4]uint64{1, 0, 0, 0}}, {since + 31, [4]uint64{0, 1, 0, 0}}, {since + 91, [4]uint64{0, 0, 1, 0}}} {
		s, reads, err := c.VerifiedStats(ctx, "bank-a", tc.day, 0)
		if err != nil || s.Permits[0] != 1 || [4]uint64(s.CasesByStage) != tc.want || len(reads.Proofs()) < 2 {
			t.Fatalf("stats on %s: %v, %v", tc.day, s, err)
		}
	}
	// Without a day: that of the header proving the state (its blocks are
	// of today, long past the case's 91 days).
	if s, _, err := c.VerifiedStats(ctx, "bank-a", 0, 0); err != nil || [4]uint64(s.CasesByStage) != [4]uint64{0, 0, 1, 0} {
		t.Fatalf("stats on the header's day: %v, %v", s, err)
	}
	if s, _, err := c.VerifiedStats(ctx, "bank-z", since, 0); err != nil || s.Member != "bank-z" {
		t.Fatalf("stats of a member with none: %v, %v", s, err)
	}
	f.SetTamper(func(q *abci.ResponseQuery) {
		if len(q.Value) > 0 {
			q.Value = append([]byte{}, q.Value...)
			q.Value[len(q.Value)-1] ^= 1
		}
	})
	if _, _, err := c.VerifiedCase(ctx, 1, 0, 0); !errors.Is(err, client.ErrVerification) {
		t.Fatalf("tampered case: %v", err)
	}
	if _, _, err := c.VerifiedCoverage(ctx, "bank-a", borrower, collectv1.Channel_CHANNEL_CALL, granted+600, 0); !errors.Is(err, client.ErrVerification) {
		t.Fatalf("tampered coverage: %v", err)
	}
}

// TestBankEvents: the watcher keeps a lender's reminders, overdue notices,
// case and promise events, in order, and nothing of another lender or of
// another kind.
func TestBankEvents(t *testing.T) {
	ev := func(typ, lender string) abci.Event {
		return abci.Event{Type: typ, Attributes: []abci.EventAttribute{{Key: "lender", Value: lender}, {Key: "case", Value: "1"}}}
	}
	got := collectclient.BankEvents(7, []abci.Event{
		ev("credit_reminder", "bank-a"), ev("collect_case", "bank-b"), ev("transfer", "bank-a"),
		ev("credit_overdue_notice", "bank-a"), ev("collect_case", "bank-a"), ev("collect_promise", "bank-a"), ev("collect_permit", "bank-a"),
	}, "bank-a")
	want := []string{"credit_reminder", "credit_overdue_notice", "collect_case", "collect_promise"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i, w := range want {
		if got[i].Type != w || got[i].Height != 7 || got[i].Attrs["case"] != "1" {
			t.Fatalf("event %d: %v, want %s", i, got[i], w)
		}
	}
}
