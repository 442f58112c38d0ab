package credit

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/module"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// PageSize bounds a list answer; page on with /after/<id>.
const PageSize = 100

// ErrInvalidQuery is a malformed credit query path.
var ErrInvalidQuery = errcode.Register(Codespace, 38, "invalid credit query")

func badQuery(format string, args ...any) error {
	return errcode.Wrap(ErrInvalidQuery, format, args...)
}

// queries are the module's query paths. Every answer is computed from the
// store at the queried height by code the client can run over proven
// reads instead (client.ProvenReader), so each can be proven.
func (mod *Module) queries() []module.Query {
	return []module.Query{
		{Path: "params", Doc: "the parameters (creditv1.Params)", Handle: func(s module.Stores, _ string, _ []byte) (proto.Message, error) {
			return NewView(s.Reader(StoreName)).Params(), nil
		}, CLI: &module.QueryCLI{Use: "params", Short: "The credit parameters: the all-in rate cap, reminder days, the sweep's batch", Answer: (*creditv1.Params)(nil)}},
		{Path: "product/", Doc: "<lender>/<id>: a product (creditv1.Product)", Handle: func(s module.Stores, rest string, _ []byte) (proto.Message, error) {
			lender, id, ok := strings.Cut(rest, "/")
			if !ok {
				return nil, badQuery("product/%s: want product/<lender>/<id>", rest)
			}
			return NewView(s.Reader(StoreName)).Product(lender, id)
		}, CLI: &module.QueryCLI{Use: "product LENDER ID", Short: "A lender's credit product", Args: 2, Answer: (*creditv1.Product)(nil)}},
		{Path: "products/", Doc: "<lender>: the lender's products (creditv1.Products)", Handle: func(s module.Stores, rest string, _ []byte) (proto.Message, error) {
			out := new(creditv1.Products)
			var err error
			store.EachPrefix(s.Reader(StoreName), ProductPrefix(rest), false, func(_, v []byte) bool {
				p := new(creditv1.Product)
				if err = proto.Unmarshal(v, p); err != nil {
					return false
				}
				out.Products = append(out.Products, p)
				return len(out.Products) < PageSize
			})
			return out, err
		}, CLI: &module.QueryCLI{Use: "products LENDER", Short: "A lender's credit products", Args: 1, Answer: (*creditv1.Products)(nil)}},
		{Path: "line/", Doc: "<id>: a credit line (creditv1.Line)", Handle: func(s module.Stores, rest string, _ []byte) (proto.Message, error) {
			id, err := parseID(rest)
			if err != nil {
				return nil, err
			}
			return NewView(s.Reader(StoreName)).Line(id)
		}, CLI: &module.QueryCLI{Use: "line ID", Short: "A credit line: its terms, limit, drawn principal and status", Args: 1, Answer: (*creditv1.Line)(nil)}},
		{Path: "lines/", Doc: "<0x borrower>[/after/<id>]: the borrower's lines (creditv1.Lines)", Handle: func(s module.Stores, rest string, _ []byte) (proto.Message, error) {
			who, after, err := listArgs(rest)
			if err != nil {
				return nil, err
			}
			addr, err := parseAddr(who)
			if err != nil {
				return nil, err
			}
			v := NewView(s.Reader(StoreName))
			out := new(creditv1.Lines)
			for _, id := range v.ids(BorrowerLinesPrefix(addr.Bytes()), after, PageSize) {
				l, err := v.Line(id)
				if err != nil {
					return nil, err
				}
				out.Lines = append(out.Lines, l)
			}
			return out, nil
		}, CLI: &module.QueryCLI{Use: "lines BORROWER [--after ID]", Short: "A borrower's credit lines, 100 at a time", Args: 1,
			Flags: []module.Flag{{Name: "after", Usage: "list lines after this id"}}, Path: module.PageAfter, Answer: (*creditv1.Lines)(nil)}},
		{Path: "loan/", Doc: "<id>: a loan as last brought up to date (creditv1.Loan)", Handle: func(s module.Stores, rest string, _ []byte) (proto.Message, error) {
			id, err := parseID(rest)
			if err != nil {
				return nil, err
			}
			return NewView(s.Reader(StoreName)).Loan(id)
		}, CLI: &module.QueryCLI{Use: "loan ID", Short: "A loan: terms, schedule and what is paid of it, status, class, days past due, history head",
			Args: 1, Answer: (*creditv1.Loan)(nil)}},
		{Path: "loans/", Doc: "borrower/<0x>, lender/<member> or line/<id>, then [/after/<id>]: loans (creditv1.Loans)", Handle: queryLoans,
			CLI: &module.QueryCLI{Use: "loans borrower|lender|line WHO [--after ID]", Short: "The loans of a borrower (address), a lender (member id) or a line, 100 at a time",
				Args: 2, Flags: []module.Flag{{Name: "after", Usage: "list loans after this id"}}, Path: module.PageAfter, Answer: (*creditv1.Loans)(nil)}},
		{Path: "schedule/", Doc: "<id>[/<YYYY-MM-DD>]: a loan's schedule brought up to the day (default: the block's), with what is due and what settles it (creditv1.Schedule)",
			Handle: mod.querySchedule, CLI: &module.QueryCLI{Use: "schedule ID [--on DATE]",
				Short: "A loan's schedule brought up to a day (default: the state's), with what is due and what pays it off that day",
				Args:  1, Flags: []module.Flag{{Name: "on", Usage: "the day, YYYY-MM-DD (at or after the loan's last update)"}},
				Path: func(in module.Input) (string, error) {
					if d := in.Flag("on"); d != "" {
						return in.Arg(0) + "/" + d, nil
					}
					return in.Arg(0), nil
				}, Answer: (*creditv1.Schedule)(nil)}},
		{Path: "portfolio/", Doc: "<lender>/<denom>: the lender's book in denom (creditv1.Portfolio)", Handle: func(s module.Stores, rest string, _ []byte) (proto.Message, error) {
			lender, denom, ok := strings.Cut(rest, "/")
			if !ok {
				return nil, badQuery("portfolio/%s: want portfolio/<lender>/<denom>", rest)
			}
			return NewView(s.Reader(StoreName)).Portfolio(lender, denom), nil
		}, CLI: &module.QueryCLI{Use: "portfolio LENDER DENOM", Short: "A lender's book: outstanding principal, overdue by days-past-due bucket, principal by class, written off",
			Args: 2, Answer: (*creditv1.Portfolio)(nil)}},
	}
}

func parseID(s string) (uint64, error) {
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id == 0 {
		return 0, badQuery("id %q: want a positive decimal number", s)
	}
	return id, nil
}

func parseAddr(s string) (common.Address, error) {
	if !strings.HasPrefix(s, "0x") || !common.IsHexAddress(s) {
		return common.Address{}, badQuery("%q is not a 0x-prefixed 20-byte hex address", s)
	}
	return common.HexToAddress(s), nil
}

// listArgs splits "<who>[/after/<id>]".
func listArgs(rest string) (string, uint64, error) {
	who, tail, _ := strings.Cut(rest, "/")
	if tail == "" {
		return who, 0, nil
	}
	n, ok := strings.CutPrefix(tail, "after/")
	if !ok {
		return "", 0, badQuery("%q: want <who>[/after/<id>]", rest)
	}
	after, err := strconv.ParseUint(n, 10, 64)
	if err != nil {
		return "", 0, badQuery("after %q: want a number", n)
	}
	return who, after, nil
}

func queryLoans(s module.Stores, rest string, _ []byte) (proto.Message, error) {
	kind, rest, _ := strings.Cut(rest, "/")
	who, after, err := listArgs(rest)
	if err != nil {
		return nil, err
	}
	var prefix []byte
	switch kind {
	case "borrower":
		addr, err := parseAddr(who)
		if err != nil {
			return nil, err
		}
		prefix = BorrowerLoansPrefix(addr.Bytes())
	case "lender":
		prefix = LenderLoansPrefix(who)
	case "line":
		id, err := parseID(who)
		if err != nil {
			return nil, err
		}
		prefix = LineLoansPrefix(id)
	default:
		return nil, badQuery("loans/%s: want borrower/<0x>, lender/<member> or line/<id>", kind)
	}
	v := NewView(s.Reader(StoreName))
	out := new(creditv1.Loans)
	for _, id := range v.ids(prefix, after, PageSize) {
		l, err := v.Loan(id)
		if err != nil {
			return nil, err
		}
		out.Loans = append(out.Loans, l)
	}
	return out, nil
}

// blockTimer is implemented by query stores that know their block's time.
type blockTimer interface{ Time() time.Time }

// querySchedule brings a copy of the loan up to the day asked for (or the
// queried block's day; or its own as-of day if neither is known) and says
// what is due and what settles it then.
func (mod *Module) querySchedule(s module.Stores, rest string, _ []byte) (proto.Message, error) {
	idText, dayText, _ := strings.Cut(rest, "/")
	id, err := parseID(idText)
	if err != nil {
		return nil, err
	}
	l, err := NewView(s.Reader(StoreName)).Loan(id)
	if err != nil {
		return nil, err
	}
	zone := calendar.Zone{UTCOffset: wallet.NewView(s.Reader(wallet.StoreName)).Params().UtcOffsetSeconds}
	day := calendar.Day(l.AsOf)
	switch {
	case dayText != "":
		if day, err = calendar.ParseDay(dayText); err != nil {
			return nil, badQuery("%v", err)
		}
	case blockTime(s) != 0:
		day = zone.Day(blockTime(s))
	}
	if day < calendar.Day(l.AsOf) {
		return nil, badQuery("loan %d is up to date to %s; ask for that day or later", l.Id, calendar.Day(l.AsOf))
	}
	ctx := exec.ReadOnly(s.Height(), s.Reader)
	ctx.Time = time.Unix(zone.Start(day), 0)
	return mod.Schedule(ctx, l, day)
}

func blockTime(s module.Stores) int64 {
	if t, ok := s.(blockTimer); ok && !t.Time().IsZero() {
		return t.Time().Unix()
	}
	return 0
}

// Schedule brings l (a copy) up to day and reports its schedule, what is
// due and what settles it that day.
func (mod *Module) Schedule(ctx exec.Context, l *creditv1.Loan, day calendar.Day) (*creditv1.Schedule, error) {
	l = proto.Clone(l).(*creditv1.Loan)
	if !closed(l) {
		if err := mod.advance(ctx, l, day); err != nil {
			return nil, err
		}
	}
	out := &creditv1.Schedule{Loan: l.Id, Denom: l.Terms.Denom, Day: int64(day), Installments: l.Installments, DaysPastDue: DaysPastDue(l),
		Status: l.Status, Class: l.Class, Outstanding: l.Outstanding}
	if closed(l) {
		return out, nil
	}
	o, err := owed(l, day)
	if err != nil {
		return nil, err
	}
	out.DueNow = o.Due
	if out.SettleNow, err = o.Total(); err != nil {
		return nil, ErrArithmetic
	}
	return out, nil
}

// CheckPortfolios checks that every open loan's outstanding principal is
// the principal its installments have not repaid, recomputes every
// lender's portfolio from its loans and compares it with the one kept as
// loans change. Its cost is linear in the loans: for tests and auditors,
// never in a block.
func CheckPortfolios(r store.Reader) error {
	want := map[string]*creditv1.Portfolio{}
	var err error
	store.EachPrefix(r, LoanPrefix(), false, func(_, v []byte) bool {
		l := new(creditv1.Loan)
		if err = proto.Unmarshal(v, l); err != nil {
			return false
		}
		if !closed(l) {
			var unpaid uint64
			for _, in := range l.Installments {
				unpaid += unpaidPrincipal(in)
			}
			if unpaid != l.Outstanding {
				err = fmt.Errorf("credit: loan %d owes %d principal by its installments, %d by its record", l.Id, unpaid, l.Outstanding)
				return false
			}
		}
		c := contributionOf(l)
		if c.lender == "" {
			return true
		}
		key := c.lender + "/" + c.denom
		p := want[key]
		if p == nil {
			p = &creditv1.Portfolio{Lender: c.lender, Denom: c.denom, Overdue: make([]uint64, 7), ByClass: make([]uint64, 5)}
			want[key] = p
		}
		p.Outstanding += c.outstanding
		p.Loans += c.loans
		p.WrittenOff += c.writtenOff
		for i := range c.byClass {
			p.ByClass[i] += c.byClass[i]
		}
		return true
	})
	if err != nil {
		return err
	}
	// The overdue amounts by the buckets their crossing days give, once
	// checked against the loans (ageing.go).
	overdue, err := checkOverdueDays(r)
	if err != nil {
		return err
	}
	for _, key := range slices.Sorted(maps.Keys(overdue)) {
		if p := want[key]; p != nil {
			p.Overdue = overdue[key]
		}
	}
	v := NewView(r)
	have := map[string]bool{}
	store.EachPrefix(r, []byte{prefixPortfolio}, false, func(_, val []byte) bool {
		p := new(creditv1.Portfolio)
		if err = proto.Unmarshal(val, p); err != nil {
			return false
		}
		have[p.Lender+"/"+p.Denom] = true
		w := want[p.Lender+"/"+p.Denom]
		if w == nil {
			w = &creditv1.Portfolio{Lender: p.Lender, Denom: p.Denom, Overdue: make([]uint64, 7), ByClass: make([]uint64, 5)}
		}
		if !slices.Equal(p.Overdue, w.Overdue) || !slices.Equal(p.ByClass, w.ByClass) || p.Outstanding != w.Outstanding ||
			p.Loans != w.Loans || p.WrittenOff != w.WrittenOff {
			err = fmt.Errorf("credit: portfolio %s/%s is %v, its loans sum to %v", p.Lender, p.Denom, p, w)
			return false
		}
		return true
	})
	if err != nil {
		return err
	}
	for _, key := range slices.Sorted(maps.Keys(want)) {
		if !have[key] {
			lender, denom, _ := strings.Cut(key, "/")
			if p := v.Portfolio(lender, denom); p.Loans != 0 || p.Outstanding != 0 {
				continue
			}
			if w := want[key]; w.Loans != 0 || w.WrittenOff != 0 {
				return fmt.Errorf("credit: no portfolio %s kept, its loans sum to %v", key, w)
			}
		}
	}
	return nil
}
