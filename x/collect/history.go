package collect

import (
	"bytes"
	"fmt"

	"google.golang.org/protobuf/proto"

	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/history"
)

// HistorySubject is the subject of cases' history chains: the id is the
// case id, 8 bytes big-endian.
const HistorySubject = "case"

// CaseHistoryID is the history id of case id.
func CaseHistoryID(id uint64) []byte { return history.SerialID(id) }

// ParseCaseID reads a case id as people write it: a decimal number.
var ParseCaseID = history.ParseSerialID("case")

// DecodeCaseEntry decodes an indexed entry's data, refusing bytes that are
// not the canonical encoding of a case entry.
func DecodeCaseEntry(data []byte) (*collectv1.CaseEntry, error) {
	e := new(collectv1.CaseEntry)
	if err := (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, e); err != nil {
		return nil, fmt.Errorf("case history entry: %w", err)
	}
	if !bytes.Equal(history.Encode(e), data) {
		return nil, fmt.Errorf("case history entry is not canonically encoded")
	}
	return e, nil
}

// entry appends e to c's history chain: numbered, dated (today unless e
// says), with the case's stage and days past due on that day.
func entry(ctx exec.Context, c *collectv1.Case, today calendar.Day, e *collectv1.CaseEntry) {
	e.Case, e.Loan, e.Seq = c.Id, c.Loan, c.HistoryCount+1
	if e.Day == 0 {
		e.Day = int64(today)
	}
	if e.Stage == 0 {
		e.Stage = c.Stage
	}
	e.DaysPastDue = dpdOn(c, calendar.Day(e.Day))
	ch := history.AppendMessage(ctx, HistorySubject, CaseHistoryID(c.Id), history.Chain{Count: c.HistoryCount, Head: c.HistoryHead}, e)
	c.HistoryCount, c.HistoryHead = ch.Count, ch.Head
}
