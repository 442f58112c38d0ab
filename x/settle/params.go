package settle

import (
	"slices"
	"strings"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	settlev1 "github.com/ledgerd/ledgerd/proto/ledgerd/settle/v1"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// Defaults and bounds of the parameters.
const (
	// DefaultDeadlineDays: legs are confirmed by the end of the business
	// day after the close.
	DefaultDeadlineDays = 1
	MaxDeadlineDays     = 30
	// DefaultSweepPerBlock bounds the cycles one block checks past their
	// deadline; each has at most a leg per bank.
	DefaultSweepPerBlock = 16
	MaxSweepPerBlock     = 1000
	// MaxCalendarDays bounds the holidays and the working days listed.
	MaxCalendarDays = 2000
	// MaxCaps bounds the caps listed.
	MaxCaps = 1000
)

// DefaultParams returns the defaults: no agent (bilateral cycles only),
// no caps, deadline the next business day.
func DefaultParams() *settlev1.Params {
	return &settlev1.Params{DeadlineDays: DefaultDeadlineDays, SweepPerBlock: DefaultSweepPerBlock}
}

// MemberLookup is what the parameters are checked against.
type MemberLookup interface {
	Member(id string) (*consortiumv1.Member, error)
}

// ValidateParams checks p against the members (nil: the format only) and
// returns it normalised (lists sorted), or ErrInvalidParams.
func ValidateParams(p *settlev1.Params, members MemberLookup) (*settlev1.Params, error) {
	bad := func(format string, args ...any) (*settlev1.Params, error) {
		return nil, errcode.Wrap(ErrInvalidParams, format, args...)
	}
	if p.DeadlineDays > MaxDeadlineDays {
		return bad("deadline_days %d: at most %d", p.DeadlineDays, MaxDeadlineDays)
	}
	if p.SweepPerBlock == 0 || p.SweepPerBlock > MaxSweepPerBlock {
		return bad("sweep_per_block %d: want 1 to %d", p.SweepPerBlock, MaxSweepPerBlock)
	}
	if len(p.Holidays)+len(p.WorkingDays) > MaxCalendarDays || len(p.Caps) > MaxCaps {
		return bad("%d holidays and working days, %d caps: at most %d and %d", len(p.Holidays)+len(p.WorkingDays), len(p.Caps), MaxCalendarDays, MaxCaps)
	}
	slices.Sort(p.Holidays)
	slices.Sort(p.WorkingDays)
	for _, list := range [][]int64{p.Holidays, p.WorkingDays} {
		for i, d := range list {
			if d <= 0 || (i > 0 && list[i-1] == d) {
				return bad("calendar day %d: listed twice or not after 1970-01-01", d)
			}
		}
	}
	for _, d := range p.Holidays {
		if isWeekend(calendar.Day(d)) {
			return bad("holiday %s is a weekend day already", calendar.Day(d))
		}
	}
	for _, d := range p.WorkingDays {
		if !isWeekend(calendar.Day(d)) {
			return bad("working day %s is a weekday already", calendar.Day(d))
		}
	}
	slices.SortFunc(p.Caps, func(a, b *settlev1.NetDebitCap) int {
		if c := strings.Compare(a.Bank, b.Bank); c != 0 {
			return c
		}
		return strings.Compare(a.Denom, b.Denom)
	})
	for i, c := range p.Caps {
		if i > 0 && p.Caps[i-1].Bank == c.Bank && p.Caps[i-1].Denom == c.Denom {
			return bad("cap of %q in %s listed twice", c.Bank, c.Denom)
		}
		if c.Denom == "" {
			return bad("cap of %q: no denom", c.Bank)
		}
		if members != nil && !hasRole(members, c.Bank, consortiumv1.Role_ROLE_ISSUER) {
			return bad("cap of %q, which is not an issuer member", c.Bank)
		}
	}
	if p.Agent != "" && members != nil {
		if !hasRole(members, p.Agent, consortiumv1.Role_ROLE_SETTLEMENT_AGENT) {
			return bad("agent %q is not a member with the settlement_agent role", p.Agent)
		}
		if hasRole(members, p.Agent, consortiumv1.Role_ROLE_ISSUER) {
			return bad("agent %q is an issuer: the agent holds no wallets, so that its own position is only what it is settling", p.Agent)
		}
	}
	return p, nil
}

func hasRole(members MemberLookup, id string, role consortiumv1.Role) bool {
	m, err := members.Member(id)
	return err == nil && slices.Contains(m.Roles, role)
}

// CapOf returns bank's net debit cap in denom, if it has one.
func CapOf(p *settlev1.Params, bank, denom string) (uint64, bool) {
	for _, c := range p.Caps {
		if c.Bank == bank && c.Denom == denom {
			return c.Cap, true
		}
	}
	return 0, false
}

// isWeekend reports whether d is a Saturday or a Sunday (1970-01-01 was a
// Thursday).
func isWeekend(d calendar.Day) bool {
	wd := (int64(d)%7 + 7 + 4) % 7 // 0 Sunday .. 6 Saturday
	return wd == 0 || wd == 6
}

// BusinessDay reports whether d is a business day: a weekday that is not a
// holiday, or a weekend day listed as a working day.
func BusinessDay(p *settlev1.Params, d calendar.Day) bool {
	if isWeekend(d) {
		_, ok := slices.BinarySearch(p.WorkingDays, int64(d))
		return ok
	}
	_, holiday := slices.BinarySearch(p.Holidays, int64(d))
	return !holiday
}

// Deadline is the last day on which the legs of a cycle closed on day are
// on time: deadline_days business days after it (day itself for 0).
// Bounded: at most deadline_days business days plus the weekends and
// holidays between.
func Deadline(p *settlev1.Params, day calendar.Day) calendar.Day {
	d := day
	for n := p.DeadlineDays; n > 0; n-- {
		d++
		for !BusinessDay(p, d) {
			d++
		}
	}
	return d
}
