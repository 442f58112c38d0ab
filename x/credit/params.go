package credit

import (
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// Defaults of the parameters.
const (
	// DefaultMaxAllInBps is the courts' 24% a year: contract rate and
	// penalty together, annualised over 365 days.
	DefaultMaxAllInBps = 2400
	// DefaultReminderDays: the pre-due reminder goes out 3 days ahead.
	DefaultReminderDays = 3
	// DefaultSweepPerBlock bounds the loans one block's sweep brings up to
	// date.
	DefaultSweepPerBlock = 500
	// DefaultMaxPendingSeconds: a four-eyes proposal lapses after 7 days.
	DefaultMaxPendingSeconds = 7 * 24 * 3600
	// DefaultMaxTermMonths bounds any term: 30 years.
	DefaultMaxTermMonths = 360
	// DefaultReportMonths: a report shows 24 months of codes.
	DefaultReportMonths = 24
	// DefaultDisputeDays: a lender answers a dispute within 20 days.
	DefaultDisputeDays = 20
	// DefaultAccessDays: a post-loan enquiry opens the report for 30 days.
	DefaultAccessDays = 30
	// DefaultRetentionMonths: negative records leave the report 5 years
	// after they end.
	DefaultRetentionMonths = 60
	// DefaultEnquiryMonths: a report lists 2 years of enquiries.
	DefaultEnquiryMonths = 24
	// MaxPendingPerLoan bounds a loan's open proposals.
	MaxPendingPerLoan = 8
	// MaxOpenLoansPerLine bounds a revolving line's open loans, so that a
	// borrower's touch stays bounded.
	MaxOpenLoansPerLine = 32
)

// DefaultParams returns the defaults.
func DefaultParams() *creditv1.Params {
	return &creditv1.Params{
		MaxAllInBps: DefaultMaxAllInBps, ReminderDays: DefaultReminderDays, SweepPerBlock: DefaultSweepPerBlock,
		MaxPendingSeconds: DefaultMaxPendingSeconds, MaxTermMonths: DefaultMaxTermMonths,
		ReportMonths: DefaultReportMonths, DisputeDays: DefaultDisputeDays, AccessDays: DefaultAccessDays,
		RetentionMonths: DefaultRetentionMonths, EnquiryMonths: DefaultEnquiryMonths,
	}
}

// ValidateParams checks p (ErrInvalidParams) and returns it.
func ValidateParams(p *creditv1.Params) (*creditv1.Params, error) {
	bad := func(format string, args ...any) (*creditv1.Params, error) {
		return nil, errcode.Wrap(ErrInvalidParams, format, args...)
	}
	switch {
	case p.MaxAllInBps == 0 || p.MaxAllInBps > 100_000:
		return bad("max_all_in_bps %d: want 1 to 100000 (1000%%)", p.MaxAllInBps)
	case p.ReminderDays > 27:
		return bad("reminder_days %d: at most 27, less than the shortest month", p.ReminderDays)
	case p.SweepPerBlock == 0 || p.SweepPerBlock > 100_000:
		return bad("sweep_per_block %d: want 1 to 100000", p.SweepPerBlock)
	case p.MaxPendingSeconds < 3600 || p.MaxPendingSeconds > 366*24*3600:
		return bad("max_pending_seconds %d: want an hour to a year", p.MaxPendingSeconds)
	case p.MaxTermMonths == 0 || p.MaxTermMonths > 360:
		return bad("max_term_months %d: want 1 to 360", p.MaxTermMonths)
	case p.ReportMonths > 120 || p.DisputeDays > 366 || p.AccessDays > 366 || p.RetentionMonths > 1200 || p.EnquiryMonths > 120:
		return bad("report_months (at most 120), dispute_days, access_days (at most 366), retention_months (at most 1200), enquiry_months (at most 120): %d, %d, %d, %d, %d",
			p.ReportMonths, p.DisputeDays, p.AccessDays, p.RetentionMonths, p.EnquiryMonths)
	}
	return p, nil
}

// The report's parameters, with their defaults where a chain's
// parameters predate them (0).
func orDefault(v, def uint32) uint32 {
	if v == 0 {
		return def
	}
	return v
}

func reportMonths(p *creditv1.Params) uint32 { return orDefault(p.ReportMonths, DefaultReportMonths) }
func disputeDays(p *creditv1.Params) uint32  { return orDefault(p.DisputeDays, DefaultDisputeDays) }
func accessDays(p *creditv1.Params) uint32   { return orDefault(p.AccessDays, DefaultAccessDays) }
func retentionMonths(p *creditv1.Params) uint32 {
	return orDefault(p.RetentionMonths, DefaultRetentionMonths)
}
func enquiryMonths(p *creditv1.Params) uint32 {
	return orDefault(p.EnquiryMonths, DefaultEnquiryMonths)
}
