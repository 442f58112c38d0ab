package scorecard_test

import (
	"testing"

	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/credit/scorecard"
)

func day(y, m, d int) int64 {
	dd, err := calendar.Date(y, m, d)
	if err != nil {
		panic(err)
	}
	return int64(dd)
}

// TestScorecard checks each characteristic on worked reports.
func TestScorecard(t *testing.T) {
	on := day(2026, 1, 15)
	clean := &creditv1.LoanReport{Loan: 1, Opened: day(2021, 1, 10), Grid: "NNNNNNNNNNNN", Status: creditv1.LoanStatus_LOAN_STATUS_CURRENT}
	for _, tc := range []struct {
		name  string
		r     *creditv1.Report
		parts [5]int32
	}{
		{"no credit", &creditv1.Report{Day: on}, [5]int32{350, 200, 150, 0, 100}},
		// 60 months old: 75 of 150; 20% used: all 200.
		{"clean, 20% used", &creditv1.Report{Day: on, Loans: []*creditv1.LoanReport{clean},
			Totals: []*creditv1.ReportTotals{{Denom: "CNY", Loans: 1, Open: 1, Limit: 100_000, Balance: 20_000}}}, [5]int32{350, 200, 200, 75, 100}},
		// M 10, 1 25, 2 50: 85 lost; 65% used: 200 - 35×200/70 = 100; 31
		// days past due now: 50 lost; two approval enquiries and a
		// post-loan one in 6 months: 50 lost.
		{"late", &creditv1.Report{Day: on, Loans: []*creditv1.LoanReport{{Loan: 2, Opened: day(2025, 1, 1), Grid: "NM12",
			Status: creditv1.LoanStatus_LOAN_STATUS_OVERDUE, DaysPastDue: 31}},
			Totals: []*creditv1.ReportTotals{{Denom: "CNY", Loans: 1, Open: 1, Limit: 100_000, Balance: 65_000}},
			Enquiries: []*creditv1.Enquiry{{Day: day(2025, 12, 1), Purpose: creditv1.Purpose_PURPOSE_LOAN_APPROVAL},
				{Day: day(2025, 11, 1), Purpose: creditv1.Purpose_PURPOSE_CARD_APPROVAL},
				{Day: day(2025, 11, 2), Purpose: creditv1.Purpose_PURPOSE_POST_LOAN},
				{Day: day(2025, 1, 2), Purpose: creditv1.Purpose_PURPOSE_LOAN_APPROVAL}}}, [5]int32{265, 150, 100, 15, 50}},
		// A write-off: B costs all of the history, and 200 now.
		{"written off", &creditv1.Report{Day: on, Loans: []*creditv1.LoanReport{{Loan: 3, Opened: day(2024, 1, 1), Grid: "7B",
			Status: creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF, DaysPastDue: 200}}}, [5]int32{0, 0, 150, 30, 100}},
	} {
		s := scorecard.Of(tc.r)
		var sum int32
		for i, p := range s.Parts {
			if p.Points != tc.parts[i] {
				t.Errorf("%s: %s %d, want %d (%s)", tc.name, p.Name, p.Points, tc.parts[i], p.Why)
			}
			sum += p.Points
		}
		if s.Points != sum || s.Points < 0 || s.Points > scorecard.Max {
			t.Errorf("%s: points %d, parts sum to %d", tc.name, s.Points, sum)
		}
	}
}
