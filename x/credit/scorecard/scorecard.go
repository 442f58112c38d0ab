// Package scorecard is the credit score: a documented integer scorecard
// over a credit report (creditv1.Report), 0 to 1000, which anyone holding
// a proven report recomputes (creditclient.VerifiedScore): nobody has to
// trust a node's number. It is a pure function of the report.
//
// The characteristics, their maxima and how points are lost:
//
//	payment history    350  every code in the reports' windows costs:
//	                        M 10, 1 25, 2 50, 3-7 100, B 350, G/D/Z 20
//	delinquency now    200  each open loan past due costs 50 (100 past
//	                        90 days); each written-off loan 200
//	utilisation        200  the highest balance/limit of open loans in any
//	                        denom: full points up to 30%, then linearly to
//	                        0 at 100%; no open loan: 150
//	age of credit      150  months since the oldest loan opened, 150 at
//	                        120 months (linearly)
//	recent enquiries   100  each approval enquiry (loan, card, guarantee)
//	                        in the 6 months before the report costs 25
//
// Each characteristic floors at 0. Integer arithmetic only, truncating.
package scorecard

import (
	"fmt"

	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/calendar"
)

// The maxima of the characteristics.
const (
	MaxHistory     = 350
	MaxDelinquency = 200
	MaxUtilisation = 200
	MaxAge         = 150
	MaxEnquiries   = 100
	// Max is the best score.
	Max = MaxHistory + MaxDelinquency + MaxUtilisation + MaxAge + MaxEnquiries
)

// codeCost is what one month's code costs the payment history.
func codeCost(c byte) int32 {
	switch c {
	case 'M':
		return 10
	case '1':
		return 25
	case '2':
		return 50
	case '3', '4', '5', '6', '7':
		return 100
	case 'B':
		return 350
	case 'G', 'D', 'Z':
		return 20
	}
	return 0
}

// Of scores r.
func Of(r *creditv1.Report) *creditv1.Score {
	day := calendar.Day(r.Day)
	out := &creditv1.Score{Subject: r.Subject, Day: r.Day}
	add := func(name string, points, maxPoints int32, why string) {
		points = max(0, min(points, maxPoints))
		out.Parts = append(out.Parts, &creditv1.ScorePart{Name: name, Points: points, Max: maxPoints, Why: why})
		out.Points += points
	}

	var cost, cells int32
	for _, l := range r.Loans {
		for i := 0; i < len(l.Grid); i++ {
			cost += codeCost(l.Grid[i])
			cells++
		}
	}
	add("payment history", MaxHistory-cost, MaxHistory, fmt.Sprintf("%d monthly codes cost %d", cells, cost))

	var late, writtenOff int32
	cost = 0
	for _, l := range r.Loans {
		switch {
		case l.Status == creditv1.LoanStatus_LOAN_STATUS_WRITTEN_OFF:
			writtenOff++
			cost += 200
		case l.Ended == 0 && l.DaysPastDue > 90:
			late++
			cost += 100
		case l.Ended == 0 && l.DaysPastDue > 0:
			late++
			cost += 50
		}
	}
	add("delinquency now", MaxDelinquency-cost, MaxDelinquency, fmt.Sprintf("%d loans past due, %d written off", late, writtenOff))

	worst, open := int64(-1), false
	for _, t := range r.Totals {
		if t.Open == 0 || t.Limit == 0 {
			continue
		}
		open = true
		pct := int64(100)
		if t.Balance < t.Limit {
			q, _ := arith.MulDiv(t.Balance, 100, t.Limit, arith.Down) // below 100: cannot overflow
			pct = int64(q)
		}
		worst = max(worst, min(pct, 100))
	}
	switch {
	case !open:
		add("utilisation", 150, MaxUtilisation, "no open loan")
	case worst <= 30:
		add("utilisation", MaxUtilisation, MaxUtilisation, fmt.Sprintf("%d%% of the limit used", worst))
	default:
		add("utilisation", int32(MaxUtilisation-(worst-30)*MaxUtilisation/70), MaxUtilisation, fmt.Sprintf("%d%% of the limit used", worst))
	}

	var oldest calendar.Day
	for _, l := range r.Loans {
		if oldest == 0 || calendar.Day(l.Opened) < oldest {
			oldest = calendar.Day(l.Opened)
		}
	}
	months := int32(0)
	if oldest != 0 && oldest < day {
		months = int32(day.Month() - oldest.Month())
	}
	add("age of credit", min(months, 120)*MaxAge/120, MaxAge, fmt.Sprintf("oldest loan opened %d months ago", months))

	since := calendar.AddMonths(day, -6)
	var n int32
	for _, e := range r.Enquiries {
		if calendar.Day(e.Day) >= since && e.Purpose != creditv1.Purpose_PURPOSE_POST_LOAN && e.Purpose != creditv1.Purpose_PURPOSE_UNSPECIFIED {
			n++
		}
	}
	add("recent enquiries", MaxEnquiries-25*n, MaxEnquiries, fmt.Sprintf("%d approval enquiries in 6 months", n))
	return out
}
