package collect

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/module"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// PageSize bounds a list answer; page on with /after/<id>.
const PageSize = 100

func badQuery(format string, args ...any) error { return wrapf(ErrInvalidQuery, format, args...) }

// queries are the module's query paths, each answered by code the client
// can run over proven reads.
func (mod *Module) queries() []module.Query {
	return []module.Query{
		{Path: "params", Doc: "the parameters (collectv1.Params)", Handle: func(s module.Stores, _ string, _ []byte) (proto.Message, error) {
			return NewView(s.Reader(StoreName)).Params(), nil
		}, CLI: &module.QueryCLI{Use: "params", Short: "The collection rules: stages, contact hours, permit window, caps per channel", Answer: (*collectv1.Params)(nil)}},
		{Path: "case/", Doc: "<id>[/<YYYY-MM-DD>]: a case, its stage brought up to the day (default: the block's) (collectv1.Case)", Handle: queryCase,
			CLI: &module.QueryCLI{Use: "case ID [--on DATE]", Short: "A collection case: its loan, lender, stage on a day (default: the state's), delegate, promise, history head",
				Args: 1, Flags: []module.Flag{{Name: "on", Usage: "the day of the stage, YYYY-MM-DD (at or after the case's last update)"}}, Path: onPath,
				Answer: (*collectv1.Case)(nil)}},
		{Path: "cases/", Doc: "lender/<member>, collector/<member> or borrower/<0x>, then [/after/<id>]: cases, each with its stage on the block's day (collectv1.Cases)", Handle: queryCases,
			CLI: &module.QueryCLI{Use: "cases lender|collector|borrower WHO [--after ID]", Short: "The cases of a lender, of a collector (delegated to it now) or of a borrower, 100 at a time",
				Args: 2, Flags: []module.Flag{{Name: "after", Usage: "list cases after this id"}}, Path: module.PageAfter, Answer: (*collectv1.Cases)(nil)}},
		{Path: "permit/", Doc: "<id>: a permit and its outcome (collectv1.Permit)", Handle: func(s module.Stores, rest string, _ []byte) (proto.Message, error) {
			id, err := parseID(rest)
			if err != nil {
				return nil, err
			}
			return NewView(s.Reader(StoreName)).Permit(id)
		}, CLI: &module.QueryCLI{Use: "permit ID", Short: "A permit to contact: who, how, when, its deadline and outcome (or missed)", Args: 1, Answer: (*collectv1.Permit)(nil)}},
		{Path: "permits/", Doc: "<0x borrower>/<channel>/<from unix>/<to unix>: the permits to contact the borrower by the channel granted in [from, to] (collectv1.Permits)",
			Handle: queryPermits, CLI: &module.QueryCLI{Use: "permits BORROWER CHANNEL FROM TO", Short: "The permits to contact a borrower by a channel granted between two Unix times, 100 at most",
				Args: 4, Answer: (*collectv1.Permits)(nil)}},
		{Path: "coverage/", Doc: "<lender>/<0x borrower>/<channel>/<unix>: whether a permit of the lender covered a contact then (collectv1.Coverage)",
			Handle: queryCoverage, CLI: &module.QueryCLI{Use: "coverage LENDER BORROWER CHANNEL UNIX_TIME",
				Short: "Whether a permit of a lender covered a contact at a time; with --prove the absence of one is proven too", Args: 4, Answer: (*collectv1.Coverage)(nil)}},
		{Path: "complaint/", Doc: "<id>: a complaint and its ruling (collectv1.Complaint)", Handle: func(s module.Stores, rest string, _ []byte) (proto.Message, error) {
			id, err := parseID(rest)
			if err != nil {
				return nil, err
			}
			return NewView(s.Reader(StoreName)).Complaint(id)
		}, CLI: &module.QueryCLI{Use: "complaint ID", Short: "A complaint: the contact, the permit that covered it (0: none), the ruling", Args: 1, Answer: (*collectv1.Complaint)(nil)}},
		{Path: "complaints/", Doc: "<0x borrower>[/after/<id>]: the borrower's complaints (collectv1.Complaints)", Handle: queryComplaints,
			CLI: &module.QueryCLI{Use: "complaints BORROWER [--after ID]", Short: "A borrower's complaints, 100 at a time", Args: 1,
				Flags: []module.Flag{{Name: "after", Usage: "list complaints after this id"}}, Path: module.PageAfter, Answer: (*collectv1.Complaints)(nil)}},
		{Path: "stats/", Doc: "<member>[/<YYYY-MM-DD>]: a lender's or collector's counts, its open cases by their stage on the day (default: the block's) (collectv1.Stats)",
			Handle: queryStats, CLI: &module.QueryCLI{Use: "stats MEMBER [--on DATE]",
				Short: "A lender's or collector's provable counts: open cases by stage on a day (default: the state's), permits and outcomes by channel, missed permits, complaints, promises",
				Args:  1, Flags: []module.Flag{{Name: "on", Usage: "the day of the stages, YYYY-MM-DD"}}, Path: onPath, Answer: (*collectv1.Stats)(nil)}},
	}
}

// onPath is a QueryCLI.Path: the argument, then the --on day if given.
func onPath(in module.Input) (string, error) {
	if d := in.Flag("on"); d != "" {
		return in.Arg(0) + "/" + d, nil
	}
	return in.Arg(0), nil
}

// blockTimer is implemented by query stores that know their block's time:
// the node's for its last committed height, proven reads (the time of the
// header that proves them).
type blockTimer interface{ Time() time.Time }

// queryDay is the day a query asks for: the one given (YYYY-MM-DD), or
// the day of the queried block's time in the consortium's time zone; ok
// is false if neither is known. Proven reads know their header's time
// once they have proven a read: read something first.
func queryDay(s module.Stores, text string) (calendar.Day, bool, error) {
	if text != "" {
		d, err := calendar.ParseDay(text)
		if err != nil {
			return 0, false, badQuery("%v", err)
		}
		return d, true, nil
	}
	t, ok := s.(blockTimer)
	if !ok || t.Time().IsZero() {
		return 0, false, nil
	}
	zone := calendar.Zone{UTCOffset: wallet.NewView(s.Reader(wallet.StoreName)).Params().UtcOffsetSeconds}
	return zone.Day(t.Time().Unix()), true, nil
}

// queryCase answers case/<id>[/<day>]: the case with its stage on the day
// (StageAt; the case as stored if no day is known or the day is its own).
func queryCase(s module.Stores, rest string, _ []byte) (proto.Message, error) {
	idText, dayText, _ := strings.Cut(rest, "/")
	id, err := parseID(idText)
	if err != nil {
		return nil, err
	}
	v := NewView(s.Reader(StoreName))
	c, err := v.Case(id)
	if err != nil {
		return nil, err
	}
	day, ok, err := queryDay(s, dayText)
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return c, nil
	case dayText != "" && day < calendar.Day(c.AsOf):
		return nil, badQuery("case %d is up to date to %s; ask for that day or later", c.Id, calendar.Day(c.AsOf))
	}
	return StageAt(v.Params(), c, day), nil
}

// queryStats answers stats/<member>[/<day>]: View.StatsOn the day.
func queryStats(s module.Stores, rest string, _ []byte) (proto.Message, error) {
	member, dayText, _ := strings.Cut(rest, "/")
	if member == "" {
		return nil, badQuery("stats/: want stats/<member>[/<YYYY-MM-DD>]")
	}
	v := NewView(s.Reader(StoreName))
	p := v.Params() // read first: proven reads know their header's time after one
	day, ok, err := queryDay(s, dayText)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, badQuery("stats/%s: the open cases by stage need a day: this height's block time is not known here, give stats/%s/<YYYY-MM-DD>", member, member)
	}
	return v.StatsOn(member, p, day), nil
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

// ParseChannel reads a channel by its short name ("call").
func ParseChannel(s string) (collectv1.Channel, error) {
	v, ok := collectv1.Channel_value["CHANNEL_"+strings.ToUpper(s)]
	if !ok || v == 0 {
		return 0, badQuery("channel %q: want call, sms, visit or letter", s)
	}
	return collectv1.Channel(v), nil
}

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

func queryCases(s module.Stores, rest string, _ []byte) (proto.Message, error) {
	kind, rest, _ := strings.Cut(rest, "/")
	who, after, err := listArgs(rest)
	if err != nil {
		return nil, err
	}
	var prefix []byte
	switch kind {
	case "lender":
		prefix = LenderCasesPrefix(who)
	case "collector":
		prefix = DelegateCasesPrefix(who)
	case "borrower":
		a, err := parseAddr(who)
		if err != nil {
			return nil, err
		}
		prefix = BorrowerCasesPrefix(a.Bytes())
	default:
		return nil, badQuery("cases/%s: want lender, collector or borrower", kind)
	}
	v := NewView(s.Reader(StoreName))
	p := v.Params() // read first: proven reads know their header's time after one
	day, known, err := queryDay(s, "")
	if err != nil {
		return nil, err
	}
	out := new(collectv1.Cases)
	for _, id := range v.ids(prefix, after, PageSize) {
		c, err := v.Case(id)
		if err != nil {
			return nil, err
		}
		if known {
			c = StageAt(p, c, day)
		}
		out.Cases = append(out.Cases, c)
	}
	return out, nil
}

func queryComplaints(s module.Stores, rest string, _ []byte) (proto.Message, error) {
	who, after, err := listArgs(rest)
	if err != nil {
		return nil, err
	}
	a, err := parseAddr(who)
	if err != nil {
		return nil, err
	}
	v := NewView(s.Reader(StoreName))
	out := new(collectv1.Complaints)
	for _, id := range v.ids(BorrowerComplaintsPrefix(a.Bytes()), after, PageSize) {
		c, err := v.Complaint(id)
		if err != nil {
			return nil, err
		}
		out.Complaints = append(out.Complaints, c)
	}
	return out, nil
}

func queryPermits(s module.Stores, rest string, _ []byte) (proto.Message, error) {
	parts := strings.Split(rest, "/")
	if len(parts) != 4 {
		return nil, badQuery("permits/%s: want permits/<0x borrower>/<channel>/<from>/<to>", rest)
	}
	a, err := parseAddr(parts[0])
	if err != nil {
		return nil, err
	}
	ch, err := ParseChannel(parts[1])
	if err != nil {
		return nil, err
	}
	from, err1 := strconv.ParseInt(parts[2], 10, 64)
	to, err2 := strconv.ParseInt(parts[3], 10, 64)
	if err1 != nil || err2 != nil || from < 0 || to < from {
		return nil, badQuery("from %q, to %q: want Unix times, from <= to", parts[2], parts[3])
	}
	r := s.Reader(StoreName)
	prefix := BorrowerPermitsPrefix(a.Bytes(), ch)
	rng := PermitRange(a.Bytes(), ch)
	out := new(collectv1.Permits)
	store.Each(r, binary.BigEndian.AppendUint64(append([]byte{}, prefix...), uint64(from)),
		binary.BigEndian.AppendUint64(append([]byte{}, prefix...), uint64(to)+1), false, func(k, _ []byte) bool {
			if rng.IsMark(k) {
				return true
			}
			p := new(collectv1.Permit)
			if store.GetProto(r, PermitKey(idOfKey(k)), p) {
				out.Permits = append(out.Permits, p)
			}
			return len(out.Permits) < PageSize
		})
	return out, nil
}

func queryCoverage(s module.Stores, rest string, _ []byte) (proto.Message, error) {
	parts := strings.Split(rest, "/")
	if len(parts) != 4 {
		return nil, badQuery("coverage/%s: want coverage/<lender>/<0x borrower>/<channel>/<unix>", rest)
	}
	a, err := parseAddr(parts[1])
	if err != nil {
		return nil, err
	}
	ch, err := ParseChannel(parts[2])
	if err != nil {
		return nil, err
	}
	t, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil || t <= 0 {
		return nil, badQuery("time %q: want Unix seconds", parts[3])
	}
	return CoverageOf(s.Reader(StoreName), a.Bytes(), parts[0], ch, t)
}

// CheckCases checks the cases' indexes and counts: every open case is the
// open case of its loan and every loan's open case is open; every
// member's stored counts of open cases by stage (the stage days past due
// lead to), its counts by day overdue since and the index of open cases by
// that day are those the open cases give.
func CheckCases(r store.Reader) error {
	v := NewView(r)
	eventual := map[string][4]uint64{}
	days := map[string][2]uint64{}
	since := map[string]bool{}
	err := eachOpenCase(r, func(c *collectv1.Case) error {
		if got := v.OpenCaseOf(c.Loan); got != c.Id {
			return fmt.Errorf("case %d is open on loan %d, whose open case is %d", c.Id, c.Loan, got)
		}
		sh := shareOf(c)
		if st := sh.eventual(); st >= collectv1.Stage_STAGE_EARLY && st <= collectv1.Stage_STAGE_WRITE_OFF {
			for _, m := range members(sh.lender, sh.delegate) {
				s := eventual[m]
				s[st-1]++
				eventual[m] = s
				if sh.byDay() {
					k := string(DayCountKey(m, sh.since))
					n := days[k]
					n[min(int(sh.floor)-1, 1)]++
					days[k] = n
				}
			}
		}
		if sh.byDay() {
			since[string(sinceKey(sh.since, c.Id))] = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	store.EachPrefix(r, []byte{prefixLoanCase}, false, func(k, val []byte) bool {
		c, e := v.Case(binary.BigEndian.Uint64(val))
		if e != nil || c.Status != collectv1.CaseStatus_CASE_STATUS_OPEN || c.Loan != idOfKey(k) {
			err = fmt.Errorf("loan %d's open case %x is not an open case of it", idOfKey(k), val)
			return false
		}
		return true
	})
	if err != nil {
		return err
	}
	err = eachStats(r, func(s *collectv1.Stats) error {
		want := eventual[s.Member]
		for i := range 4 {
			if i < len(s.CasesByStage) && s.CasesByStage[i] != want[i] {
				return fmt.Errorf("member %q counts %v open cases by the stage days past due lead to, the cases say %v", s.Member, s.CasesByStage, want)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	have := 0
	store.EachPrefix(r, []byte{prefixDayCount}, false, func(k, val []byte) bool {
		if bytes.Equal(k, dayCountsMark) {
			return true
		}
		have++
		if got, want := dayCountOf(val), days[string(k)]; got != want || len(val) != 16 {
			err = fmt.Errorf("open cases by day overdue since %x: %v kept, the cases say %v", k, got, want)
			return false
		}
		return true
	})
	if err == nil && have != len(days) {
		err = fmt.Errorf("%d counts of open cases by day overdue since kept, the cases give %d", have, len(days))
	}
	if err != nil {
		return err
	}
	have = 0
	store.EachPrefix(r, []byte{prefixSince}, false, func(k, _ []byte) bool {
		have++
		if !since[string(k)] {
			err = fmt.Errorf("the index of open cases by day overdue since holds %x, not an open case's", k)
			return false
		}
		return true
	})
	if err == nil && have != len(since) {
		err = fmt.Errorf("the index of open cases by day overdue since holds %d, the open cases give %d", have, len(since))
	}
	return err
}

// CheckStatsOn checks that every member's statistics on day (StatsOn)
// count its open cases by their stage on day (StageOn), recounted.
func CheckStatsOn(r store.Reader, day calendar.Day) error {
	v := NewView(r)
	p := v.Params()
	byStage := map[string][4]uint64{}
	err := eachOpenCase(r, func(c *collectv1.Case) error {
		st := StageOn(p, c, day)
		for _, m := range members(c.Lender, c.Delegate) {
			s := byStage[m]
			s[st-1]++
			byStage[m] = s
		}
		return nil
	})
	if err != nil {
		return err
	}
	return eachStats(r, func(s *collectv1.Stats) error {
		if got, want := v.StatsOn(s.Member, p, day).CasesByStage, byStage[s.Member]; [4]uint64(got[:4]) != want {
			return fmt.Errorf("member %q has %v open cases by stage on %s, the cases say %v", s.Member, got, day, want)
		}
		return nil
	})
}

// eachOpenCase calls check with each open case, in key order, until it
// returns an error, which eachOpenCase returns (as it does a case that does
// not decode).
func eachOpenCase(r store.Reader, check func(*collectv1.Case) error) error {
	var err error
	store.EachPrefix(r, []byte{prefixCase}, false, func(_, val []byte) bool {
		c := new(collectv1.Case)
		if err = proto.Unmarshal(val, c); err == nil && c.Status == collectv1.CaseStatus_CASE_STATUS_OPEN {
			err = check(c)
		}
		return err == nil
	})
	return err
}

// eachStats calls check with each member's stored statistics record, in
// key order, until it returns an error, which eachStats returns (as it does
// a record that does not decode).
func eachStats(r store.Reader, check func(*collectv1.Stats) error) error {
	var err error
	store.EachPrefix(r, []byte{prefixStats}, false, func(_, val []byte) bool {
		s := new(collectv1.Stats)
		if err = proto.Unmarshal(val, s); err == nil {
			err = check(s)
		}
		return err == nil
	})
	return err
}
