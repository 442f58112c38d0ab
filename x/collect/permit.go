package collect

import (
	"encoding/binary"
	"fmt"
	"strconv"

	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/exec"
)

// MaxPermitSeconds bounds any permit's validity (the permit_seconds
// parameter's range), so that the permits that could cover a moment are
// those granted in the MaxPermitSeconds before it.
const MaxPermitSeconds = 24 * 3600

func validChannel(ch collectv1.Channel) bool {
	return ch >= collectv1.Channel_CHANNEL_CALL && ch <= collectv1.Channel_CHANNEL_LETTER
}

// ValidateRequestPermit applies the stateless checks.
func ValidateRequestPermit(m *collectv1.MsgRequestPermit) error {
	switch {
	case !validChannel(m.Channel):
		return wrapf(ErrInvalidMsg, "channel %s", m.Channel)
	case len(m.Contact) != 0 && len(m.Contact) != 32:
		return wrapf(ErrInvalidMsg, "contact: the 32-byte hash of an authorised contact, or empty for the borrower")
	}
	return nil
}

// RequestPermit grants the acting collector a permit to contact the
// borrower (or a contact the borrower authorised) by a channel now, if the
// contact keeps every rule: within the contact hours of the consortium's
// time zone at the block's time; under the channel's caps per borrower
// (across all lenders) and per case, in the day and in the last 7 days;
// the party authorised; no cease request by the borrower for the channel
// (letters excepted); no open dispute on the loan. A refusal is an error:
// it leaves nothing in state. The permit is valid until the earlier of
// permit_seconds and the end of the contact hours.
func (mod *Module) RequestPermit(ctx exec.Context, m *collectv1.MsgRequestPermit) error {
	k := NewKeeper(ctx.KV(StoreName))
	c, today, err := mod.touchCase(ctx, k, m.Case)
	if err != nil {
		return err
	}
	collector, err := mod.actor(ctx, k, c)
	if err != nil {
		return err
	}
	cl := mod.clockOf(ctx, k)
	p, zone := cl.p, cl.zone
	now := ctx.Time.Unix()
	if err := mod.checkContact(ctx, k, p, zone, c, m.Channel, m.Contact, now); err != nil {
		return err
	}
	before := shareOf(c)
	end := zone.Start(today) + int64(p.ContactEnd)
	permit := &collectv1.Permit{Id: k.takeID(keyNextPermit), Case: c.Id, Lender: c.Lender, Collector: collector, Operator: ctx.Signer.Bytes(),
		Borrower: c.Borrower, Channel: m.Channel, Contact: m.Contact, Granted: now, Deadline: min(now+int64(p.PermitSeconds), end)}
	k.setProto(PermitKey(permit.Id), permit)
	PermitRange(c.Borrower, m.Channel).Add(k.kv, BorrowerPermitKey(c.Borrower, m.Channel, now, permit.Id))
	k.mark(deadlineKey(permit.Deadline, permit.Id))
	k.bump(borrowerCountKey(c.Borrower, m.Channel, today))
	k.bump(caseCountKey(c.Id, m.Channel, today))
	c.Permits++
	entry(ctx, c, today, &collectv1.CaseEntry{Kind: collectv1.CaseEntryKind_CASE_ENTRY_KIND_PERMIT, Member: collector, By: ctx.Signer.Bytes(),
		Permit: permit.Id, Channel: m.Channel, Hash: m.Contact})
	for _, member := range members(c.Lender, collector) {
		k.stat(member, func(s *collectv1.Stats) { s.Permits[channelIndex(m.Channel)]++ })
	}
	emitPermit(ctx, permit, "granted")
	return mod.saveCase(ctx, k, before, c)
}

// checkContact applies the contact rules to a contact of c's borrower (or
// of contact, an authorised one) by ch at now.
func (mod *Module) checkContact(ctx exec.Context, k Keeper, p *collectv1.Params, zone calendar.Zone, c *collectv1.Case,
	ch collectv1.Channel, contact []byte, now int64) error {
	if s := zone.SecondOfDay(now); s < int64(p.ContactStart) || s >= int64(p.ContactEnd) {
		return wrapf(ErrOutsideHours, "%02d:%02d:%02d local time; contact is allowed from %s until %s",
			s/3600, s%3600/60, s%60, hhmm(p.ContactStart), hhmm(p.ContactEnd))
	}
	if len(contact) != 0 {
		if _, ok := k.Contact(c.Borrower, contact); !ok {
			return wrapf(ErrUnauthorisedParty, "contact %x is not authorised by %s", contact, hexAddr(c.Borrower))
		}
	}
	if ch != collectv1.Channel_CHANNEL_LETTER && k.Ceased(c.Borrower, c.Lender, ch) {
		return wrapf(ErrContactCeased, "%s asked %s to cease contact by %s", hexAddr(c.Borrower), c.Lender, ChannelName(ch))
	}
	if mod.disputes != nil && mod.disputes(ctx, c.Loan) {
		return wrapf(ErrDisputeOpen, "loan %d", c.Loan)
	}
	today := zone.Day(now)
	r := rule(p, ch)
	if n := k.count(borrowerCountKey(c.Borrower, ch, today)); r.PerDay != 0 && n >= uint64(r.PerDay) {
		return wrapf(ErrDailyCap, "%d %s permits for %s today; at most %d", n, ChannelName(ch), hexAddr(c.Borrower), r.PerDay)
	}
	if n := k.week(func(d calendar.Day) []byte { return borrowerCountKey(c.Borrower, ch, d) }, today); r.PerWeek != 0 && n >= uint64(r.PerWeek) {
		return wrapf(ErrWeeklyCap, "%d %s permits for %s in the 7 days to today; at most %d", n, ChannelName(ch), hexAddr(c.Borrower), r.PerWeek)
	}
	if n := k.count(caseCountKey(c.Id, ch, today)); r.CasePerDay != 0 && n >= uint64(r.CasePerDay) {
		return wrapf(ErrCaseCap, "%d %s permits on case %d today; at most %d", n, ChannelName(ch), c.Id, r.CasePerDay)
	}
	if n := k.week(func(d calendar.Day) []byte { return caseCountKey(c.Id, ch, d) }, today); r.CasePerWeek != 0 && n >= uint64(r.CasePerWeek) {
		return wrapf(ErrCaseCap, "%d %s permits on case %d in the 7 days to today; at most %d", n, ChannelName(ch), c.Id, r.CasePerWeek)
	}
	return nil
}

// week sums the day counters of today and the six days before it.
func (v View) week(key func(calendar.Day) []byte, today calendar.Day) uint64 {
	var n uint64
	for d := today - 6; d <= today; d++ {
		n += v.count(key(d)) // each at most a daily cap
	}
	return n
}

func hhmm(sec uint32) string { return fmt.Sprintf("%02d:%02d", sec/3600, sec%3600/60) }

// members lists the lender and, if another member, the collector.
func members(lender, collector string) []string {
	if collector == "" || collector == lender {
		return []string{lender}
	}
	return []string{lender, collector}
}

func channelIndex(ch collectv1.Channel) int { return int(ch) - 1 }

// ValidateRecordOutcome applies the stateless checks.
func ValidateRecordOutcome(m *collectv1.MsgRecordOutcome) error {
	switch {
	case m.Result == "" || len(m.Result) > 64:
		return wrapf(ErrInvalidMsg, "result: 1 to 64 bytes")
	case len(m.EvidenceHash) != 32:
		return wrapf(ErrInvalidMsg, "evidence_hash: 32 bytes")
	}
	return nil
}

// RecordOutcome records the outcome of a permitted contact, by its
// deadline, signed by an operator of the member that asked for the
// permit.
func (mod *Module) RecordOutcome(ctx exec.Context, m *collectv1.MsgRecordOutcome) error {
	k := NewKeeper(ctx.KV(StoreName))
	p, err := k.Permit(m.Permit)
	if err != nil {
		return err
	}
	switch {
	case p.OutcomeTime != 0:
		return wrapf(ErrOutcomeRecorded, "permit %d at %s", p.Id, unixString(p.OutcomeTime))
	case ctx.Time.Unix() > p.Deadline:
		return wrapf(ErrPermitExpired, "permit %d's deadline was %s", p.Id, unixString(p.Deadline))
	}
	acting, err := mod.members(ctx).Acting(ctx.Signer)
	if err != nil || acting.Id != p.Collector {
		return wrapf(ErrNotActing, "permit %d was granted to %q", p.Id, p.Collector)
	}
	c, err := mod.loadCase(ctx, k, p.Case)
	if err != nil {
		return err
	}
	p.Result, p.EvidenceHash, p.OutcomeTime = m.Result, m.EvidenceHash, ctx.Time.Unix()
	k.setProto(PermitKey(p.Id), p)
	k.unmark(deadlineKey(p.Deadline, p.Id))
	before := shareOf(c)
	entry(ctx, c, mod.clockOf(ctx, k).today, &collectv1.CaseEntry{Kind: collectv1.CaseEntryKind_CASE_ENTRY_KIND_OUTCOME, Member: p.Collector, By: ctx.Signer.Bytes(),
		Permit: p.Id, Channel: p.Channel, Detail: m.Result, Hash: m.EvidenceHash})
	for _, member := range members(p.Lender, p.Collector) {
		k.stat(member, func(s *collectv1.Stats) { s.Outcomes[channelIndex(p.Channel)]++ })
	}
	ctx.Emit(EventOutcome, "permit", idString(p.Id), "case", idString(p.Case), "lender", p.Lender, "collector", p.Collector, "result", p.Result)
	return mod.saveCase(ctx, k, before, c)
}

// missPermits marks at most budget permits whose deadline passed without
// an outcome as missed, and returns the budget left.
func (mod *Module) missPermits(ctx exec.Context, k Keeper, budget int) (int, error) {
	today := mod.clockOf(ctx, k).today
	for _, key := range store.Keys(k.kv, []byte{prefixDeadline}, deadlineKey(ctx.Time.Unix(), 0), false, budget) {
		budget--
		k.unmark(key)
		p, err := k.Permit(idOfKey(key))
		if err != nil {
			return 0, fmt.Errorf("collect: deadline index names permit %d: %w", idOfKey(key), err)
		}
		if p.OutcomeTime != 0 {
			continue
		}
		p.Missed = true
		k.setProto(PermitKey(p.Id), p)
		for _, member := range members(p.Lender, p.Collector) {
			k.stat(member, func(s *collectv1.Stats) { s.PermitsMissed++ })
		}
		c, err := mod.loadCase(ctx, k, p.Case)
		if err != nil {
			return 0, err
		}
		before := shareOf(c)
		entry(ctx, c, today, &collectv1.CaseEntry{Kind: collectv1.CaseEntryKind_CASE_ENTRY_KIND_PERMIT_MISSED, Member: p.Collector,
			Permit: p.Id, Channel: p.Channel})
		emitPermit(ctx, p, "missed")
		if err := mod.saveCase(ctx, k, before, c); err != nil {
			return 0, err
		}
	}
	return budget, nil
}

func emitPermit(ctx exec.Context, p *collectv1.Permit, state string) {
	ctx.Emit(EventPermit, "permit", idString(p.Id), "case", idString(p.Case), "lender", p.Lender, "collector", p.Collector,
		"borrower", hexAddr(p.Borrower), "channel", ChannelName(p.Channel), "deadline", strconv.FormatInt(p.Deadline, 10), "state", state)
}

// CoverageOf answers whether a permit of lender for ch covered borrower's
// contact at t: it reads every permit to borrower by ch granted in the
// MaxPermitSeconds up to t (the index range that holds every permit that
// could cover t), so that over proven reads the answer is proven, the
// absence of a covering permit included.
func CoverageOf(r store.Reader, borrower []byte, lender string, ch collectv1.Channel, t int64) (*collectv1.Coverage, error) {
	out := &collectv1.Coverage{Borrower: borrower, Lender: lender, Time: t, Channel: ch}
	from := max(t-MaxPermitSeconds, 0)
	start := binary.BigEndian.AppendUint64(BorrowerPermitsPrefix(borrower, ch), uint64(from))
	end := binary.BigEndian.AppendUint64(BorrowerPermitsPrefix(borrower, ch), uint64(t)+1)
	var err error
	rng := PermitRange(borrower, ch)
	store.Each(r, start, end, false, func(k, _ []byte) bool {
		if rng.IsMark(k) {
			return true
		}
		p := new(collectv1.Permit)
		if !store.GetProto(r, PermitKey(idOfKey(k)), p) {
			err = fmt.Errorf("collect: permit index names permit %d, which is absent", idOfKey(k))
			return false
		}
		out.Considered = append(out.Considered, p)
		if out.Permit == 0 && p.Lender == lender && p.Granted <= t && t <= p.Deadline {
			out.Permit = p.Id
		}
		return true
	})
	return out, err
}
