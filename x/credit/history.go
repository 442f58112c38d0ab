package credit

import (
	"bytes"
	"fmt"

	"google.golang.org/protobuf/proto"

	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/history"
)

// HistorySubject is the subject of loans' history chains: the id is the
// loan id, 8 bytes big-endian.
const HistorySubject = "loan"

// LoanHistoryID is the history id of loan id.
func LoanHistoryID(id uint64) []byte { return history.SerialID(id) }

// ParseLoanID reads a loan id as people write it: a decimal number.
var ParseLoanID = history.ParseSerialID("loan")

// EncodeLoanEntry is the canonical encoding of e, which the loan's
// accumulator hashes.
func EncodeLoanEntry(e *creditv1.LoanEntry) []byte { return history.Encode(e) }

// DecodeLoanEntry decodes an indexed entry's data, refusing bytes that are
// not the canonical encoding of a loan entry.
func DecodeLoanEntry(data []byte) (*creditv1.LoanEntry, error) {
	e := new(creditv1.LoanEntry)
	if err := (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, e); err != nil {
		return nil, fmt.Errorf("loan history entry: %w", err)
	}
	if !bytes.Equal(EncodeLoanEntry(e), data) {
		return nil, fmt.Errorf("loan history entry is not canonically encoded")
	}
	return e, nil
}

// entry appends e to l's history chain: numbered, dated (the block's day
// unless e says which day it belongs to), with the outstanding principal,
// status and class after it.
func (mod *Module) entry(ctx exec.Context, l *creditv1.Loan, e *creditv1.LoanEntry) error {
	e.Loan = l.Id
	e.Seq = l.HistoryCount + 1
	if e.Day == 0 {
		e.Day = int64(mod.today(ctx))
	}
	e.Outstanding = l.Outstanding
	if e.Status == 0 {
		e.Status = l.Status
	}
	if e.Class == 0 {
		e.Class = l.Class
	}
	e.DaysPastDue = DaysPastDue(l)
	c := history.AppendMessage(ctx, HistorySubject, LoanHistoryID(l.Id), history.Chain{Count: l.HistoryCount, Head: l.HistoryHead}, e)
	l.HistoryCount, l.HistoryHead = c.Count, c.Head
	return nil
}
