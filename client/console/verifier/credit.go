package verifier

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"

	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/credit/scorecard"
)

// maxCreditRecords bounds the loans and enquiries of one report.
const maxCreditRecords = 1000

// CreditView is what the credit page shows: a borrower's credit report
// (docs/credit.md, "The report") built in the browser from proven records
// (the borrower's subject, its complete loan index and enquiries, each
// loan and line) and its score recomputed with x/credit/scorecard. Every
// read of the private credit store is signed with the loaded key.
type CreditView struct {
	Address string `json:"address"`
	// Reader is the address that signed the reads ("" if unsigned).
	Reader string `json:"reader,omitempty"`
	// Report is the verification of every record below.
	Report  Section `json:"report"`
	Found   bool    `json:"found"`
	Subject string  `json:"subject,omitempty"`
	// Day is the report's day (the state's block day, consortium time).
	Day string `json:"day,omitempty"`
	// Months are the grid's months, oldest first ("2026-01").
	Months    []string        `json:"months,omitempty"`
	Loans     []CreditLoan    `json:"loans,omitempty"`
	Totals    []CreditTotal   `json:"totals,omitempty"`
	Enquiries []CreditEnquiry `json:"enquiries,omitempty"`
	// Dropped counts the loans past the retention of negative records.
	Dropped uint64 `json:"dropped,omitempty"`
	// Score is recomputed from the report in the browser.
	Score *CreditScore `json:"score,omitempty"`
	// Stale lists the open loans recorded as of a day before Day: the
	// node's report brings them up to Day, which the browser cannot (the
	// loan state machine does not compile to WebAssembly), so their codes
	// and the score are as recorded.
	Stale []uint64 `json:"stale,omitempty"`
}

// CreditLoan is one loan's line in the report.
type CreditLoan struct {
	ID           uint64 `json:"id"`
	Lender       string `json:"lender"`
	Product      string `json:"product,omitempty"`
	Limit        Amount `json:"limit"`
	Balance      Amount `json:"balance"`
	Opened       string `json:"opened"`
	Ended        string `json:"ended,omitempty"`
	AsOf         string `json:"as_of"`
	Class        string `json:"class"`
	Status       string `json:"status"`
	DaysPastDue  uint32 `json:"days_past_due"`
	Restructured bool   `json:"restructured,omitempty"`
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
}

// CreditEnquiry is a recorded enquiry into the subject.
type CreditEnquiry struct {
	Seq     uint64 `json:"seq"`
	Lender  string `json:"lender"`
	Purpose string `json:"purpose"`
	Day     string `json:"day"`
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
	if err := v.credit(ctx, owner[:], out); err != nil {
		*out = CreditView{Address: out.Address, Reader: out.Reader, Report: failed(err)}
	}
	return out, nil
}

func (v *Verifier) credit(ctx context.Context, owner []byte, out *CreditView) error {
	subject, mark, err := v.Read(ctx, creditStore, append([]byte{creditWalletSubj}, owner...), 0)
	if err != nil {
		return err
	}
	h := mark.Height
	if subject == nil {
		out.Report = verified(mark)
		return nil
	}
	if len(subject) != 32 {
		return fmt.Errorf("the wallet's subject is %d bytes, not 32: %w", len(subject), ErrNotVerified)
	}
	out.Found, out.Subject = true, hex.EncodeToString(subject)
	rec := new(creditv1.Subject)
	if found, _, err := v.ReadProto(ctx, creditStore, append([]byte{creditSubjectPfx}, subject...), h, rec); err != nil {
		return err
	} else if !found {
		return fmt.Errorf("the wallet is attested to subject %x, which has no record: %w", subject, ErrNotVerified)
	}
	params := new(creditv1.Params)
	if _, _, err := v.ReadProto(ctx, creditStore, []byte{creditParamsKey}, h, params); err != nil {
		return fmt.Errorf("credit parameters: %w", err)
	}
	wparams := new(walletv1.Params)
	if _, _, err := v.ReadProto(ctx, walletStore, walletParamsKey(), h, wparams); err != nil {
		return fmt.Errorf("wallet parameters (decimals, time zone): %w", err)
	}
	dec := decimalsOf(wparams)
	// The report's day is the queried block's day, as the node's report
	// query has it.
	block, _, err := v.light.Header(ctx, h)
	if err != nil {
		return err
	}
	zone := calendar.Zone{UTCOffset: wparams.UtcOffsetSeconds}
	day := zone.Day(block.Time.Unix())
	out.Day = day.String()
	months := int(orDefault(params.ReportMonths, creditReportMonths))
	first := day.Month().Add(-months)
	for i := range months {
		out.Months = append(out.Months, first.Add(i).String())
	}

	ids, err := v.subjectIDs(ctx, creditSubjLoanPfx, subject, rec.Loans, h)
	if err != nil {
		return fmt.Errorf("the subject's loan index: %w", err)
	}
	if uint64(len(ids)) != rec.Loans {
		return fmt.Errorf("the subject's loan index holds %d loans, its record counts %d: %w", len(ids), rec.Loans, ErrNotVerified)
	}
	report := &creditv1.Report{Subject: subject, Day: int64(day), Recorded: rec.Loans}
	totals := map[string]*creditv1.ReportTotals{}
	for _, id := range ids {
		l := new(creditv1.Loan)
		if found, _, err := v.ReadProto(ctx, creditStore, creditIDKey(creditLoanPrefix, id), h, l); err != nil {
			return err
		} else if !found || !bytes.Equal(l.Subject, subject) {
			return fmt.Errorf("loan %d is indexed under the subject but is not proven to be its: %w", id, ErrNotVerified)
		}
		lr := &creditv1.LoanReport{Loan: l.Id, Lender: l.Lender, Opened: l.Start, Denom: l.Terms.GetDenom(), Class: l.Class, Status: l.Status,
			DaysPastDue: daysPastDue(l), Restructured: l.Restructured > 0, NoticeDay: l.NoticeDay, Ended: l.ClosedDay}
		line := new(creditv1.Line)
		if found, _, err := v.ReadProto(ctx, creditStore, creditIDKey(creditLinePrefix, l.Line), h, line); err != nil {
			return err
		} else if found {
			lr.Product, lr.Limit = line.Product, line.Limit
		}
		if !loanClosed(l) {
			lr.Balance = l.Outstanding
			if calendar.Day(l.AsOf) < day {
				out.Stale = append(out.Stale, l.Id)
			}
		}
		start := calendar.Day(l.Start).Month()
		from := max(first, start)
		lr.GridFrom = int64(from.First())
		if i := int(from - start); i < len(l.Grid) {
			lr.Grid = l.Grid[i:]
		}
		if lr.Ended != 0 && strings.ContainsAny(l.Grid, "1234567B") &&
			calendar.AddMonths(calendar.Day(lr.Ended), int(orDefault(params.RetentionMonths, creditRetention))) < day {
			report.Dropped++
			continue
		}
		report.Loans = append(report.Loans, lr)
		t := totals[lr.Denom]
		if t == nil {
			t = &creditv1.ReportTotals{Denom: lr.Denom}
			totals[lr.Denom] = t
		}
		t.Loans++
		if lr.Ended == 0 {
			t.Open++
			t.Limit += lr.Limit
		}
		t.Balance += lr.Balance
		out.Loans = append(out.Loans, creditLoan(lr, l, dec, first, months))
	}
	for _, denom := range slices.Sorted(maps.Keys(totals)) {
		t := totals[denom]
		report.Totals = append(report.Totals, t)
		out.Totals = append(out.Totals, CreditTotal{Denom: denom, Loans: t.Loans, Open: t.Open, Limit: dec.Amount(t.Limit, denom), Balance: dec.Amount(t.Balance, denom)})
	}
	seqs, err := v.subjectIDs(ctx, creditEnquiryPfx, subject, rec.Enquiries, h)
	if err != nil {
		return fmt.Errorf("the subject's enquiries: %w", err)
	}
	since := calendar.AddMonths(day, -int(orDefault(params.EnquiryMonths, creditEnquiryMonths)))
	for _, seq := range seqs {
		e := new(creditv1.Enquiry)
		if _, _, err := v.ReadProto(ctx, creditStore, binary.BigEndian.AppendUint64(append([]byte{creditEnquiryPfx}, subject...), seq), h, e); err != nil {
			return err
		}
		if calendar.Day(e.Day) >= since {
			report.Enquiries = append(report.Enquiries, e)
			out.Enquiries = append(out.Enquiries, CreditEnquiry{Seq: e.Seq, Lender: e.Lender, Purpose: enumName(e.Purpose.String(), "PURPOSE_"), Day: calendar.Day(e.Day).String()})
		}
	}
	out.Dropped = report.Dropped
	s := scorecard.Of(report)
	out.Score = &CreditScore{Points: s.Points}
	for _, p := range s.Parts {
		out.Score.Max += p.Max
		out.Score.Parts = append(out.Score.Parts, ScorePart{Name: p.Name, Points: p.Points, Max: p.Max, Why: p.Why})
	}
	out.Report = verified(mark)
	return nil
}

// subjectIDs proves one of subject's bracketed ranges complete (when its
// record counts any) and returns the ids between the marks.
func (v *Verifier) subjectIDs(ctx context.Context, prefix byte, subject []byte, counted uint64, height int64) ([]uint64, error) {
	if counted == 0 {
		return nil, nil
	}
	start, end := creditBracket(prefix, subject)
	pairs, _, err := v.Bracketed(ctx, creditStore, start, end, height, maxCreditRecords+2)
	if err != nil {
		return nil, err
	}
	var ids []uint64
	for _, p := range pairs[1 : len(pairs)-1] {
		if len(p.key) != len(start) {
			return nil, fmt.Errorf("key %X in the range is not an id: %w", p.key, ErrNotVerified)
		}
		ids = append(ids, binary.BigEndian.Uint64(p.key[len(p.key)-8:]))
	}
	return ids, nil
}

// creditLoan is a loan's report line for the page, its codes aligned to
// the report's months.
func creditLoan(lr *creditv1.LoanReport, l *creditv1.Loan, dec Decimals, first calendar.Month, months int) CreditLoan {
	c := CreditLoan{ID: lr.Loan, Lender: lr.Lender, Product: lr.Product, Limit: dec.Amount(lr.Limit, lr.Denom), Balance: dec.Amount(lr.Balance, lr.Denom),
		Opened: calendar.Day(lr.Opened).String(), AsOf: calendar.Day(l.AsOf).String(), Class: enumName(lr.Class.String(), "CLASS_"),
		Status: enumName(lr.Status.String(), "LOAN_STATUS_"), DaysPastDue: lr.DaysPastDue, Restructured: lr.Restructured, Cells: make([]string, months)}
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

// daysPastDue is x/credit's DaysPastDue: from the oldest installment
// unpaid past its grace days to the loan's as-of day.
func daysPastDue(l *creditv1.Loan) uint32 {
	if l.OverdueSince == 0 || l.AsOf <= l.OverdueSince {
		return 0
	}
	return uint32(l.AsOf - l.OverdueSince)
}

// loanClosed is x/credit's closed: a terminal status or an end day.
func loanClosed(l *creditv1.Loan) bool {
	switch l.Status {
	case creditv1.LoanStatus_LOAN_STATUS_SETTLED, creditv1.LoanStatus_LOAN_STATUS_SETTLED_DISCOUNT,
		creditv1.LoanStatus_LOAN_STATUS_PAID_BY_GUARANTOR, creditv1.LoanStatus_LOAN_STATUS_PAID_WITH_ASSETS,
		creditv1.LoanStatus_LOAN_STATUS_TRANSFERRED:
		return true
	}
	return l.ClosedDay != 0
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
