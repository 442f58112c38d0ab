package verifier

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/collect"
	"github.com/ledgerd/ledgerd/x/history"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// collectModule is the collection module whose case query the case page
// runs over proven reads, as the CLI's --prove does. The query reads the
// store only: it needs neither the consortium's view nor the loans.
var collectModule = collect.New(nil, nil).Module()

// maxComplaints bounds the complaints of one borrower the case page walks.
const maxComplaints = 1000

// CaseView is what the collection case page shows: the case record, its
// timeline (the case's history chain: opening, stages, delegation,
// permits and outcomes, promises, repayments, write-off, closing) checked
// against the record's accumulator, and the borrower's complaints against
// the case's lender. The collection store is private: every read is
// signed with the loaded key.
type CaseView struct {
	ID     uint64  `json:"id"`
	Reader string  `json:"reader,omitempty"`
	Record Section `json:"record"`
	Found  bool    `json:"found"`

	Loan          uint64  `json:"loan,omitempty"`
	Lender        string  `json:"lender,omitempty"`
	Borrower      string  `json:"borrower,omitempty"`
	Status        string  `json:"status,omitempty"`
	Stage         string  `json:"stage,omitempty"`
	Escalated     string  `json:"escalated,omitempty"`
	Delegate      string  `json:"delegate,omitempty"`
	DelegateUntil int64   `json:"delegate_until,omitempty"`
	Opened        string  `json:"opened,omitempty"`
	Closed        string  `json:"closed,omitempty"`
	ClosedReason  string  `json:"closed_reason,omitempty"`
	Permits       uint64  `json:"permits"`
	Promise       *Amount `json:"promise,omitempty"`
	PromiseDue    string  `json:"promise_due,omitempty"`
	PromiseState  string  `json:"promise_state,omitempty"`
	UTCOffset     int32   `json:"utc_offset"`

	Timeline   Section         `json:"timeline"`
	Count      uint64          `json:"history_count"`
	Events     []CaseEvent     `json:"events,omitempty"`
	Complaints Section         `json:"complaints"`
	Filed      []CaseComplaint `json:"filed,omitempty"`
}

// CaseEvent is one entry of a case's verified history.
type CaseEvent struct {
	Seq         uint64  `json:"seq"`
	Day         string  `json:"day"`
	Kind        string  `json:"kind"`
	Stage       string  `json:"stage"`
	DaysPastDue uint32  `json:"days_past_due"`
	Member      string  `json:"member,omitempty"`
	By          string  `json:"by,omitempty"`
	Permit      uint64  `json:"permit,omitempty"`
	Channel     string  `json:"channel,omitempty"`
	Amount      *Amount `json:"amount,omitempty"`
	Detail      string  `json:"detail,omitempty"`
	Hash        string  `json:"hash,omitempty"`
}

// CaseComplaint is a complaint of the borrower's against the case's
// lender.
type CaseComplaint struct {
	ID        uint64 `json:"id"`
	Time      int64  `json:"time"`
	Channel   string `json:"channel"`
	Permit    uint64 `json:"permit,omitempty"`
	Collector string `json:"collector,omitempty"`
	Status    string `json:"status"`
	Ruling    string `json:"ruling,omitempty"`
}

// Case proves collection case id at the latest height.
func (v *Verifier) Case(ctx context.Context, idText string) (*CaseView, error) {
	id, err := strconv.ParseUint(idText, 10, 64)
	if err != nil || id == 0 {
		return nil, fmt.Errorf("%q is not a case number", idText)
	}
	out := &CaseView{ID: id, Reader: v.Reader()}
	// The record as the collection module's case query answers it (the
	// CLI's `ledgerd query collect case --prove`), over proven reads.
	st := v.provenStores(ctx, 0)
	var (
		c      *collectv1.Case
		params *walletv1.Params
		herr   error
	)
	if err := st.Run(func() {
		var answer proto.Message
		if answer, herr = collectModule.Answer(st, "case/"+strconv.FormatUint(id, 10), nil); herr == nil {
			c = answer.(*collectv1.Case)
		}
		params = wallet.NewView(st.Reader(wallet.StoreName)).Params()
	}); err != nil {
		out.Record = failed(err)
		return out, nil
	}
	found := c != nil
	if herr != nil && !errors.Is(herr, collect.ErrCaseNotFound) {
		out.Record = failed(fmt.Errorf("the collection module's case query over proven records: %w", herr))
		return out, nil
	}
	mark := st.Mark()
	out.Record, out.Found = verified(mark), found
	if !found {
		return out, nil
	}
	dec := decimalsOf(params)
	out.UTCOffset = params.UtcOffsetSeconds
	out.Loan, out.Lender, out.Borrower = c.Loan, c.Lender, common.BytesToAddress(c.Borrower).Hex()
	out.Status, out.Stage, out.Delegate, out.DelegateUntil = enumName(c.Status.String(), "CASE_STATUS_"), enumName(c.Stage.String(), "STAGE_"), c.Delegate, c.DelegateUntil
	if c.Escalated != 0 {
		out.Escalated = enumName(c.Escalated.String(), "STAGE_")
	}
	out.Opened, out.ClosedReason, out.Permits, out.Count = calendar.Day(c.Opened).String(), c.ClosedReason, c.Permits, c.HistoryCount
	if c.Closed != 0 {
		out.Closed = calendar.Day(c.Closed).String()
	}
	if p := c.Promise; p != nil {
		a := dec.Amount(p.Amount, p.Denom)
		out.Promise, out.PromiseDue, out.PromiseState = &a, calendar.Day(p.Due).String(), enumName(p.State.String(), "PROMISE_STATE_")
	}
	entries, err := v.history(ctx, collect.HistorySubject, collect.CaseHistoryID(id), history.Chain{Count: c.HistoryCount, Head: c.HistoryHead}, mark.Height, func(string) {})
	if err != nil {
		out.Timeline = failed(err)
	} else {
		out.Timeline = verified(mark)
		for _, e := range entries {
			ce := new(collectv1.CaseEntry)
			if err := proto.Unmarshal(e.Data, ce); err != nil {
				out.Timeline, out.Events = failed(fmt.Errorf("case entry %d does not decode: %w: %w", e.Seq, ErrNotVerified, err)), nil
				break
			}
			ev := CaseEvent{Seq: e.Seq, Day: calendar.Day(ce.Day).String(), Kind: enumName(ce.Kind.String(), "CASE_ENTRY_KIND_"),
				Stage: enumName(ce.Stage.String(), "STAGE_"), DaysPastDue: ce.DaysPastDue, Member: ce.Member, Permit: ce.Permit, Detail: ce.Detail}
			if len(ce.By) == common.AddressLength {
				ev.By = common.BytesToAddress(ce.By).Hex()
			}
			if ce.Channel != 0 {
				ev.Channel = enumName(ce.Channel.String(), "CHANNEL_")
			}
			if ce.Amount != 0 {
				a := dec.Amount(ce.Amount, c.Denom)
				ev.Amount = &a
			}
			if len(ce.Hash) != 0 {
				ev.Hash = hex.EncodeToString(ce.Hash)
			}
			out.Events = append(out.Events, ev)
		}
	}
	pairs, cmark, complete, err := v.Range(ctx, collect.StoreName, collect.BorrowerComplaintsPrefix(c.Borrower), mark.Height, maxComplaints)
	switch {
	case err != nil:
		out.Complaints = failed(err)
	case !complete:
		out.Complaints = failed(fmt.Errorf("the borrower has more than %d complaints", maxComplaints))
	default:
		out.Complaints = verified(cmark)
		for _, p := range pairs {
			cid := binary.BigEndian.Uint64(p.key[len(p.key)-8:])
			cp := new(collectv1.Complaint)
			found, _, err := v.ReadProto(ctx, collect.StoreName, collect.ComplaintKey(cid), mark.Height, cp)
			if err != nil || !found {
				out.Complaints, out.Filed = failed(fmt.Errorf("complaint %d: %w", cid, cmpErr(err))), nil
				break
			}
			if cp.Lender != c.Lender {
				continue
			}
			out.Filed = append(out.Filed, CaseComplaint{ID: cp.Id, Time: cp.Time, Channel: enumName(cp.Channel.String(), "CHANNEL_"), Permit: cp.Permit,
				Collector: cp.Collector, Status: enumName(cp.Status.String(), "COMPLAINT_STATUS_"), Ruling: cp.Ruling})
		}
	}
	return out, nil
}

// cmpErr is err, or that an indexed record is proven absent.
func cmpErr(err error) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("indexed but proven absent: %w", ErrNotVerified)
}
