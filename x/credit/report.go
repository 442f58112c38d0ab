package credit

import (
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/credit/scorecard"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/index"
	"github.com/ledgerd/ledgerd/x/module"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// The credit report of a subject (docs/credit.md, "The report"): every
// loan of the subject's, at every lender and from every wallet, with its
// monthly codes; totals; recent enquiries; disputes. It is computed from
// the store by this code, which a client runs over proven reads
// (creditclient.VerifiedReport): the subject's loan index is walked as a
// proven-complete range and must hold exactly the loans its record counts,
// so no loan can be left out.

// ErrIncomplete: a subject's loan index and its count disagree.
var ErrIncomplete = errors.New("credit: the subject's loan index does not hold the loans its record counts")

// Report is subject's report on day (at or after the records' as-of days:
// each loan is brought up to the day on a copy, which also derives the
// monthly codes not yet fixed in the store, exactly as fixing them would).
func (mod *Module) Report(s module.Stores, subject []byte, day calendar.Day) (*creditv1.Report, error) {
	v := NewView(s.Reader(StoreName))
	p := v.Params()
	rec := v.Subject(subject)
	ids := v.subjectLoans(subject)
	if uint64(len(ids)) != rec.Loans {
		return nil, fmt.Errorf("%w: %d indexed, %d counted", ErrIncomplete, len(ids), rec.Loans)
	}
	zone := calendar.Zone{UTCOffset: wallet.NewView(s.Reader(wallet.StoreName)).Params().UtcOffsetSeconds}
	ctx := exec.ReadOnly(s.Height(), s.Reader)
	ctx.Time = time.Unix(zone.Start(day), 0)
	out := &creditv1.Report{Subject: subject, Day: int64(day), Recorded: rec.Loans}
	disputes, err := v.subjectDisputes(subject, 0, 0)
	if err != nil {
		return nil, err
	}
	out.Disputes = disputes
	disputed := map[uint64]bool{}
	for _, d := range disputes {
		disputed[d.Loan] = true
		d.PastDeadline = d.Status == creditv1.DisputeStatus_DISPUTE_STATUS_OPEN && day > calendar.Day(d.Deadline)
	}
	totals := map[string]*creditv1.ReportTotals{}
	for _, id := range ids {
		l, err := v.Loan(id)
		if err != nil {
			return nil, err
		}
		if !slices.Equal(l.Subject, subject) {
			return nil, fmt.Errorf("%w: loan %d is indexed under the subject but is %x's", ErrIncomplete, id, l.Subject)
		}
		lr, grid, err := mod.loanReport(ctx, v, l, day, reportMonths(p))
		if err != nil {
			return nil, err
		}
		if lr.Ended != 0 && negative(grid) &&
			calendar.AddMonths(calendar.Day(lr.Ended), int(retentionMonths(p))) < day {
			out.Dropped++
			continue
		}
		lr.Disputed = disputed[id]
		out.Loans = append(out.Loans, lr)
		t := totals[lr.Denom]
		if t == nil {
			t = &creditv1.ReportTotals{Denom: lr.Denom}
			totals[lr.Denom] = t
		}
		t.Loans++
		if lr.Ended == 0 {
			t.Open++
			t.Limit += lr.Limit // bounded by each line's limit
		}
		t.Balance += lr.Balance
		t.Overdue += lr.Overdue
	}
	for _, denom := range slices.Sorted(maps.Keys(totals)) {
		out.Totals = append(out.Totals, totals[denom])
	}
	since := calendar.AddMonths(day, -int(enquiryMonths(p)))
	err = eachProto(v.r, SubjectEnquiriesPrefix(subject), 0, 0, func() *creditv1.Enquiry { return new(creditv1.Enquiry) }, func(e *creditv1.Enquiry) {
		if calendar.Day(e.Day) >= since {
			out.Enquiries = append(out.Enquiries, e)
		}
	})
	return out, err
}

// loanReport is l's line in a report on day, with the codes of the
// window's months (the months before day's month, at most months of
// them).
func (mod *Module) loanReport(ctx exec.Context, v View, l *creditv1.Loan, day calendar.Day, months uint32) (*creditv1.LoanReport, string, error) {
	l = proto.Clone(l).(*creditv1.Loan)
	if day > calendar.Day(l.AsOf) {
		if err := mod.advance(ctx, l, day); err != nil {
			return nil, "", err
		}
	}
	lr := &creditv1.LoanReport{Loan: l.Id, Lender: l.Lender, Opened: l.Start, Denom: l.Terms.GetDenom(), Class: l.Class, Status: l.Status,
		DaysPastDue: DaysPastDue(l), Restructured: l.Restructured > 0, NoticeDay: l.NoticeDay, Ended: l.ClosedDay}
	if line, err := v.Line(l.Line); err == nil {
		lr.Product, lr.Limit = line.Product, line.Limit
	}
	if !closed(l) {
		lr.Balance = l.Outstanding
		for _, in := range l.Installments {
			if delinquent(in, l.Terms, calendar.Day(l.AsOf)) {
				lr.Overdue += unpaidPrincipal(in) + unpaidInterest(in) // bounded by what was scheduled
			}
		}
	}
	first := max(day.Month().Add(-int(months)), calendar.Day(l.Start).Month())
	lr.GridFrom = int64(first.First())
	if i := monthIndex(l, first); i < len(l.Grid) {
		lr.Grid = l.Grid[i:]
	}
	return lr, l.Grid, nil
}

// negative reports whether a grid holds a negative code: days past due
// (1-7) or a write-off (B).
func negative(grid string) bool { return strings.ContainsAny(grid, "1234567B") }

// subjectDisputes lists subject's disputes after after, oldest first, at
// most limit (0: all).
func (v View) subjectDisputes(subject []byte, after uint64, limit int) ([]*creditv1.Dispute, error) {
	var out []*creditv1.Dispute
	for _, id := range v.ids(SubjectDisputesPrefix(subject), after, limit) {
		d, err := v.Dispute(id)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// eachProto decodes the values of a subject's range (without its marks)
// with ids after after, at most limit (0: all).
func eachProto[T proto.Message](r store.Reader, prefix []byte, after uint64, limit int, newT func() T, fn func(T)) error {
	var err error
	n := 0
	rng := index.Of(prefix)
	rng.Each(r, rng.After(after), func(_, val []byte) bool {
		m := newT()
		if err = proto.Unmarshal(val, m); err != nil {
			return false
		}
		fn(m)
		n++
		return limit == 0 || n < limit
	})
	return err
}

// subjectArg reads a report's who: a 64-hex subject id, or a 0x wallet
// address (its attested subject).
func subjectArg(v View, who string) ([]byte, error) {
	if strings.HasPrefix(who, "0x") {
		addr, err := parseAddr(who)
		if err != nil {
			return nil, err
		}
		s := v.SubjectOf(addr)
		if s == nil {
			return nil, badQuery("wallet %s is attested to no credit subject", addr.Hex())
		}
		return s, nil
	}
	s, err := hex.DecodeString(who)
	if err != nil || len(s) != hashLen {
		return nil, badQuery("%q: want a 0x wallet address or a 64-hex credit subject id", who)
	}
	return s, nil
}

// reportDay is the day of a report query: the path's, else the queried
// block's day.
func reportDay(s module.Stores, dayText string) (calendar.Day, error) {
	if dayText != "" {
		d, err := calendar.ParseDay(dayText)
		if err != nil {
			return 0, badQuery("%v", err)
		}
		return d, nil
	}
	zone := calendar.Zone{UTCOffset: wallet.NewView(s.Reader(wallet.StoreName)).Params().UtcOffsetSeconds}
	if t := blockTime(s); t != 0 {
		return zone.Day(t), nil
	}
	return 0, badQuery("no block time is known at height %d: give the day", s.Height())
}

// queryReport answers report/<who>[/<day>].
func (mod *Module) queryReport(s module.Stores, rest string, _ []byte) (proto.Message, error) {
	who, dayText, _ := strings.Cut(rest, "/")
	subject, err := subjectArg(NewView(s.Reader(StoreName)), who)
	if err != nil {
		return nil, err
	}
	day, err := reportDay(s, dayText)
	if err != nil {
		return nil, err
	}
	return mod.Report(s, subject, day)
}

// reportQueries are the report's query paths.
func (mod *Module) reportQueries() []module.Query {
	dayPath := func(in module.Input) (string, error) {
		if d := in.Flag("on"); d != "" {
			return in.Arg(0) + "/" + d, nil
		}
		return in.Arg(0), nil
	}
	onFlag := []module.Flag{{Name: "on", Usage: "the day, YYYY-MM-DD (default: the state's)"}}
	return []module.Query{
		{Path: "report/", Doc: "<0x wallet | subject hex>[/<YYYY-MM-DD>]: the subject's credit report (creditv1.Report); signed reads only",
			Handle: mod.queryReport, CLI: &module.QueryCLI{Use: "report WALLET|SUBJECT [--on DATE] --as KEY",
				Short: "A person's credit report: every loan at every lender with its monthly codes, totals, enquiries, disputes",
				Args:  1, Flags: onFlag, Path: dayPath, Answer: (*creditv1.Report)(nil)}},
		{Path: "score/", Doc: "<0x wallet | subject hex>[/<YYYY-MM-DD>]: the scorecard over the report (creditv1.Score); signed reads only",
			Handle: func(s module.Stores, rest string, data []byte) (proto.Message, error) {
				r, err := mod.queryReport(s, rest, data)
				if err != nil {
					return nil, err
				}
				return scorecard.Of(r.(*creditv1.Report)), nil
			}, CLI: &module.QueryCLI{Use: "score WALLET|SUBJECT [--on DATE] --as KEY",
				Short: "A person's credit score: the documented integer scorecard over their report (with --prove, computed here from the proven report)",
				Args:  1, Flags: onFlag, Path: dayPath, Answer: (*creditv1.Score)(nil)}},
		{Path: "enquiries/", Doc: "<0x wallet | subject hex>: every enquiry into the subject (creditv1.Enquiries); signed reads only",
			Handle: func(s module.Stores, rest string, _ []byte) (proto.Message, error) {
				who, after, err := listArgs(rest)
				if err != nil {
					return nil, err
				}
				v := NewView(s.Reader(StoreName))
				subject, err := subjectArg(v, who)
				if err != nil {
					return nil, err
				}
				out := new(creditv1.Enquiries)
				err = eachProto(v.r, SubjectEnquiriesPrefix(subject), after, PageSize, func() *creditv1.Enquiry { return new(creditv1.Enquiry) },
					func(e *creditv1.Enquiry) { out.Enquiries = append(out.Enquiries, e) })
				return out, err
			}, CLI: &module.QueryCLI{Use: "enquiries WALLET|SUBJECT [--after SEQ] --as KEY", Short: "Lenders' enquiries into a person's report, with their purpose, 100 at a time",
				Args: 1, Flags: []module.Flag{{Name: "after", Usage: "list enquiries after this sequence number"}}, Path: module.PageAfter,
				Answer: (*creditv1.Enquiries)(nil)}},
		{Path: "disputes/", Doc: "<0x wallet | subject hex>: the subject's disputes and their answers (creditv1.Disputes); signed reads only",
			Handle: func(s module.Stores, rest string, _ []byte) (proto.Message, error) {
				who, after, err := listArgs(rest)
				if err != nil {
					return nil, err
				}
				v := NewView(s.Reader(StoreName))
				subject, err := subjectArg(v, who)
				if err != nil {
					return nil, err
				}
				ds, err := v.subjectDisputes(subject, after, PageSize)
				return &creditv1.Disputes{Disputes: ds}, err
			}, CLI: &module.QueryCLI{Use: "disputes WALLET|SUBJECT [--after ID] --as KEY", Short: "A person's disputes of their records, open and answered, 100 at a time",
				Args: 1, Flags: []module.Flag{{Name: "after", Usage: "list disputes after this id"}}, Path: module.PageAfter,
				Answer: (*creditv1.Disputes)(nil)}},
	}
}
