package collect

import (
	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// Defaults of the parameters: the 2018 self-regulation convention's hours
// (08:00 to 21:00) and Regulation F's 7 calls in 7 days.
const (
	DefaultOpenDaysPastDue   = 1
	DefaultMidFrom           = 31
	DefaultLateFrom          = 91
	DefaultContactStart      = 8 * 3600
	DefaultContactEnd        = 21 * 3600
	DefaultPermitSeconds     = 15 * 60
	DefaultSweepPerBlock     = 500
	DefaultMaxDelegationDays = 366
	DefaultComplaintDays     = 90
)

// channels are the channels, in order.
var channels = []collectv1.Channel{collectv1.Channel_CHANNEL_CALL, collectv1.Channel_CHANNEL_SMS,
	collectv1.Channel_CHANNEL_VISIT, collectv1.Channel_CHANNEL_LETTER}

// DefaultParams returns the defaults.
func DefaultParams() *collectv1.Params {
	return &collectv1.Params{
		OpenDaysPastDue: DefaultOpenDaysPastDue, MidFrom: DefaultMidFrom, LateFrom: DefaultLateFrom,
		ContactStart: DefaultContactStart, ContactEnd: DefaultContactEnd, PermitSeconds: DefaultPermitSeconds,
		Channels: []*collectv1.ChannelRule{
			{Channel: collectv1.Channel_CHANNEL_CALL, PerDay: 3, PerWeek: 7, CasePerDay: 3, CasePerWeek: 7},
			{Channel: collectv1.Channel_CHANNEL_SMS, PerDay: 3, PerWeek: 7, CasePerDay: 3, CasePerWeek: 7},
			{Channel: collectv1.Channel_CHANNEL_VISIT, PerDay: 1, PerWeek: 2, CasePerDay: 1, CasePerWeek: 2},
			{Channel: collectv1.Channel_CHANNEL_LETTER},
		},
		SweepPerBlock: DefaultSweepPerBlock, MaxDelegationDays: DefaultMaxDelegationDays, ComplaintDays: DefaultComplaintDays,
	}
}

// ValidateParams checks p (ErrInvalidParams) and returns it.
func ValidateParams(p *collectv1.Params) (*collectv1.Params, error) {
	bad := func(format string, args ...any) (*collectv1.Params, error) {
		return nil, errcode.Wrap(ErrInvalidParams, format, args...)
	}
	switch {
	case p.OpenDaysPastDue == 0 || p.OpenDaysPastDue > 3650:
		return bad("open_days_past_due %d: want 1 to 3650", p.OpenDaysPastDue)
	case p.MidFrom <= 1 || p.LateFrom <= p.MidFrom || p.LateFrom > 3650:
		return bad("mid_from %d, late_from %d: want 1 < mid_from < late_from <= 3650", p.MidFrom, p.LateFrom)
	case p.ContactEnd <= p.ContactStart || p.ContactEnd > 86400:
		return bad("contact_start %d, contact_end %d: want seconds of the day, start before end", p.ContactStart, p.ContactEnd)
	case p.PermitSeconds < 60 || p.PermitSeconds > 24*3600:
		return bad("permit_seconds %d: want a minute to a day", p.PermitSeconds)
	case p.SweepPerBlock == 0 || p.SweepPerBlock > 100_000:
		return bad("sweep_per_block %d: want 1 to 100000", p.SweepPerBlock)
	case p.MaxDelegationDays == 0 || p.MaxDelegationDays > 3660:
		return bad("max_delegation_days %d: want 1 to 3660", p.MaxDelegationDays)
	case p.ComplaintDays == 0 || p.ComplaintDays > 3660:
		return bad("complaint_days %d: want 1 to 3660", p.ComplaintDays)
	case len(p.Channels) != len(channels):
		return bad("channels: want one rule for each of call, sms, visit and letter, in that order")
	}
	for i, r := range p.Channels {
		if r.Channel != channels[i] {
			return bad("channels[%d] is %s: want %s", i, r.Channel, channels[i])
		}
		if r.PerWeek != 0 && r.PerDay > r.PerWeek || r.CasePerWeek != 0 && r.CasePerDay > r.CasePerWeek {
			return bad("channels[%d]: a daily cap above the weekly one", i)
		}
	}
	return p, nil
}

// rule is the caps of channel ch (valid parameters hold one per channel).
func rule(p *collectv1.Params, ch collectv1.Channel) *collectv1.ChannelRule {
	for _, r := range p.Channels {
		if r.Channel == ch {
			return r
		}
	}
	return &collectv1.ChannelRule{Channel: ch}
}
