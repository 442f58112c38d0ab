package verifier

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/credit"
	"github.com/ledgerd/ledgerd/x/credit/scorecard"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// creditModule is the credit module whose query code the credit page
// runs: the code of the CLI's `ledgerd query credit report --prove`. A
// report reads the store only, so it needs neither the consortium's view
// nor the wallets (creditclient builds it the same way).
var creditModule = credit.New(nil, nil).Module()

// CreditView is what the credit page shows: a borrower's credit report
// (docs/credit.md, "The report") computed in the browser by the credit
// module's own report query over proven reads (the borrower's subject, its
// proven-complete loan index, each loan brought up to the report day as
// the node's report and the CLI bring it, enquiries, disputes), and its
// score by x/credit/scorecard: the figures of `ledgerd query credit report
// --prove` and `score --prove`. Every read of the private credit store is
// signed with the loaded key.
type CreditView struct {
	Address string `json:"address"`
	// Reader is the address that signed the reads ("" if unsigned).
	Reader string `json:"reader,omitempty"`
	// Report is the verification of every record below.
	Report  Section `json:"report"`
	Found   bool    `json:"found"`
	Subject string  `json:"subject,omitempty"`
	// Day is the report's day (the day, in consortium time, of the
	// verified header that carries the state's app hash, as with the CLI).
	Day string `json:"day,omitempty"`
	// Months are the grid's months, oldest first ("2026-01").
	Months    []string        `json:"months,omitempty"`
	Loans     []CreditLoan    `json:"loans,omitempty"`
	Totals    []CreditTotal   `json:"totals,omitempty"`
	Enquiries []CreditEnquiry `json:"enquiries,omitempty"`
	Disputes  []CreditDispute `json:"disputes,omitempty"`
	// Dropped counts the loans past the retention of negative records.
	Dropped uint64 `json:"dropped,omitempty"`
	// Score is scorecard.Of's score of the report.
	Score *CreditScore `json:"score,omitempty"`
}

// CreditLoan is one loan's line in the report.
type CreditLoan struct {
	ID           uint64 `json:"id"`
	Lender       string `json:"lender"`
	Product      string `json:"product,omitempty"`
	Limit        Amount `json:"limit"`
	Balance      Amount `json:"balance"`
	Overdue      Amount `json:"overdue"`
	Opened       string `json:"opened"`
	Ended        string `json:"ended,omitempty"`
	Class        string `json:"class"`
	Status       string `json:"status"`
	DaysPastDue  uint32 `json:"days_past_due"`
	Restructured bool   `json:"restructured,omitempty"`
	Disputed     bool   `json:"disputed,omitempty"`
	// Cells are the month codes aligned to CreditView.Months ("" none).
	Cells []string `json:"cells"`
}

// CreditTotal sums a denom's loans.
type CreditTotal struct {
	Denom   string `json:"denom"`
	Loans   uint64 `json:"loans"`
	Open    uint64 `json:"open"`
	Limit   Amount `json:"limit"`
	Balance Amount `json:"balance"`
	Overdue Amount `json:"overdue"`
}

// CreditEnquiry is a recorded enquiry into the subject.
type CreditEnquiry struct {
	Seq     uint64 `json:"seq"`
	Lender  string `json:"lender"`
	Purpose string `json:"purpose"`
	Day     string `json:"day"`
}

// CreditDispute is a dispute of one of the subject's records.
type CreditDispute struct {
	ID           uint64 `json:"id"`
	Loan         uint64 `json:"loan"`
	Lender       string `json:"lender"`
	Month        string `json:"month"`
	Reason       string `json:"reason"`
	Opened       string `json:"opened"`
	Deadline     string `json:"deadline"`
	Status       string `json:"status"`
	PastDeadline bool   `json:"past_deadline,omitempty"`
	Answer       string `json:"answer,omitempty"`
}

// CreditScore is scorecard.Of's score.
type CreditScore struct {
	Points int32       `json:"points"`
	Max    int32       `json:"max"`
	Parts  []ScorePart `json:"parts"`
}

// ScorePart is one characteristic of the score.
type ScorePart struct {
	Name   string `json:"name"`
	Points int32  `json:"points"`
	Max    int32  `json:"max"`
	Why    string `json:"why"`
}

// Credit proves the credit report of the borrower wallet addr at the
// latest height. A refusal of the node (no key, or a key the credit
// module does not allow: query/8) is the Report section's error.
func (v *Verifier) Credit(ctx context.Context, addr string) (*CreditView, error) {
	owner, err := addressOf(addr)
	if err != nil {
		return nil, err
	}
	out := &CreditView{Address: owner.Hex(), Reader: v.Reader()}
	if err := v.credit(ctx, owner, out); err != nil {
		*out = CreditView{Address: out.Address, Reader: out.Reader, Report: failed(err)}
	}
	return out, nil
}

// credit runs the credit module's report query, report/<subject>, over
// proven reads of the latest state, as the CLI's --prove does.
func (v *Verifier) credit(ctx context.Context, owner common.Address, out *CreditView) error {
	s := v.provenStores(ctx, 0)
	var (
		report *creditv1.Report
		months uint32
		dec    Decimals
		herr   error
	)
	if err := s.Run(func() {
		cv := credit.NewView(s.Reader(credit.StoreName))
		subject := cv.SubjectOf(owner)
		if subject == nil {
			return
		}
		answer, err := creditModule.Answer(s, "report/"+hex.EncodeToString(subject), nil)
		if err != nil {
			herr = err
			return
		}
		report = answer.(*creditv1.Report)
		months = orDefault(cv.Params().ReportMonths, credit.DefaultReportMonths)
		dec = decimalsOf(wallet.NewView(s.Reader(wallet.StoreName)).Params())
	}); err != nil {
		return err
	}
	if herr != nil {
		return fmt.Errorf("the credit module's report over proven records: %w", herr)
	}
	out.Report = verified(s.Mark())
	if report == nil {
		return nil
	}
	out.Found, out.Subject = true, hex.EncodeToString(report.Subject)
	day := calendar.Day(report.Day)
	out.Day = day.String()
	first := day.Month().Add(-int(months))
	for i := range int(months) {
		out.Months = append(out.Months, first.Add(i).String())
	}
	for _, lr := range report.Loans {
		out.Loans = append(out.Loans, creditLoan(lr, dec, first, int(months)))
	}
	for _, t := range report.Totals {
		out.Totals = append(out.Totals, CreditTotal{Denom: t.Denom, Loans: t.Loans, Open: t.Open, Limit: dec.Amount(t.Limit, t.Denom),
			Balance: dec.Amount(t.Balance, t.Denom), Overdue: dec.Amount(t.Overdue, t.Denom)})
	}
	for _, e := range report.Enquiries {
		out.Enquiries = append(out.Enquiries, CreditEnquiry{Seq: e.Seq, Lender: e.Lender, Purpose: enumName(e.Purpose.String(), "PURPOSE_"), Day: calendar.Day(e.Day).String()})
	}
	for _, d := range report.Disputes {
		out.Disputes = append(out.Disputes, CreditDispute{ID: d.Id, Loan: d.Loan, Lender: d.Lender, Month: calendar.Day(d.Month).Month().String(),
			Reason: d.Reason, Opened: calendar.Day(d.Opened).String(), Deadline: calendar.Day(d.Deadline).String(),
			Status: enumName(d.Status.String(), "DISPUTE_STATUS_"), PastDeadline: d.PastDeadline, Answer: d.Answer})
	}
	out.Dropped = report.Dropped
	sc := scorecard.Of(report)
	out.Score = &CreditScore{Points: sc.Points}
	for _, p := range sc.Parts {
		out.Score.Max += p.Max
		out.Score.Parts = append(out.Score.Parts, ScorePart{Name: p.Name, Points: p.Points, Max: p.Max, Why: p.Why})
	}
	return nil
}

// creditLoan is a loan's report line for the page, its codes aligned to
// the report's months.
func creditLoan(lr *creditv1.LoanReport, dec Decimals, first calendar.Month, months int) CreditLoan {
	c := CreditLoan{ID: lr.Loan, Lender: lr.Lender, Product: lr.Product, Limit: dec.Amount(lr.Limit, lr.Denom), Balance: dec.Amount(lr.Balance, lr.Denom),
		Overdue: dec.Amount(lr.Overdue, lr.Denom), Opened: calendar.Day(lr.Opened).String(), Class: enumName(lr.Class.String(), "CLASS_"),
		Status: enumName(lr.Status.String(), "LOAN_STATUS_"), DaysPastDue: lr.DaysPastDue, Restructured: lr.Restructured, Disputed: lr.Disputed,
		Cells: make([]string, months)}
	if lr.Ended != 0 {
		c.Ended = calendar.Day(lr.Ended).String()
	}
	from := calendar.Day(lr.GridFrom).Month()
	for i := range len(lr.Grid) {
		if k := int(from-first) + i; k >= 0 && k < months {
			c.Cells[k] = lr.Grid[i : i+1]
		}
	}
	return c
}

func orDefault(v, d uint32) uint32 {
	if v == 0 {
		return d
	}
	return v
}

// enumName is an enum value's name without its prefix, lower case.
func enumName(name, prefix string) string {
	return strings.ToLower(strings.TrimPrefix(name, prefix))
}
