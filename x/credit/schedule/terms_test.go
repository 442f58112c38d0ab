package schedule

import (
	"errors"
	"strings"
	"testing"

	"github.com/ledgerd/ledgerd/x/calendar"
)

// day returns the day of an ISO date written in a test; it panics if the
// date is invalid.
func day(s string) calendar.Day {
	d, err := calendar.ParseDay(s)
	if err != nil {
		panic(err)
	}
	return d
}

// example returns the worked example's terms: 12,000.00 at 12% a year over
// 12 months, monthly accrual, drawn 15 January 2026.
func example(m Method) Terms {
	return Terms{Principal: 1_200_000, RateBps: 1200, Months: 12, Method: m, Accrual: Monthly, Basis: 360, Start: day("2026-01-15")}
}

func TestValidate(t *testing.T) {
	ok := example(EqualInstallments)
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid terms refused: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*Terms)
		want string // in the error
	}{
		{"zero principal", func(t *Terms) { t.Principal = 0 }, "principal is zero"},
		{"no months", func(t *Terms) { t.Months = 0 }, "0 months"},
		{"361 months", func(t *Terms) { t.Months = 361 }, "361 months"},
		{"no method", func(t *Terms) { t.Method = 0 }, "unknown method Method(0)"},
		{"method 5", func(t *Terms) { t.Method = 5 }, "unknown method Method(5)"},
		{"no accrual", func(t *Terms) { t.Accrual = 0 }, "unknown accrual Accrual(0)"},
		{"accrual 3", func(t *Terms) { t.Accrual = 3 }, "unknown accrual Accrual(3)"},
		{"basis 0", func(t *Terms) { t.Basis = 0 }, "basis 0 days"},
		{"basis 366", func(t *Terms) { t.Basis = 366 }, "basis 366 days"},
		{"annuity accruing daily", func(t *Terms) { t.Accrual = Daily }, "equal installments accrue monthly"},
		{"grace on a bullet", func(t *Terms) { t.Method = Bullet; t.Grace = 1 }, "only equal installments and equal principal take a grace"},
		{"grace on interest only", func(t *Terms) { t.Method = InterestOnly; t.Grace = 1 }, "only equal installments and equal principal"},
		{"grace of the whole term", func(t *Terms) { t.Grace = 12 }, "leaves none of the 12"},
		{"start in year 0", func(t *Terms) { t.Start = calendar.AddMonths(t.Start, -2026*12) }, "start 0000-01-15"},
		{"start in 9970", func(t *Terms) { t.Start = calendar.AddMonths(t.Start, (9970-2026)*12) }, "start 9970-01-15"},
	} {
		terms := ok
		tc.edit(&terms)
		err := terms.Validate()
		if !errors.Is(err, ErrInvalidTerms) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate() = %v; want ErrInvalidTerms saying %q", tc.name, err, tc.want)
		}
	}
	// The limits themselves are valid.
	for _, edit := range []func(*Terms){
		func(t *Terms) { t.Months = 1 },
		func(t *Terms) { t.Months = MaxMonths },
		func(t *Terms) { t.Basis = 365 },
		func(t *Terms) { t.RateBps = 0 },
		func(t *Terms) { t.Grace = 11 },
		func(t *Terms) { t.Method = EqualPrincipal; t.Accrual = Daily; t.Grace = 3 },
		func(t *Terms) { t.Method = Bullet; t.Accrual = Daily },
		func(t *Terms) { t.Start = day("0001-01-01") },
		func(t *Terms) { t.Start = day("9969-12-31"); t.Months = MaxMonths },
	} {
		terms := ok
		edit(&terms)
		if err := terms.Validate(); err != nil {
			t.Errorf("%+v refused: %v", terms, err)
		}
	}
}

func TestStrings(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{EqualInstallments.String(), "equal-installments"},
		{EqualPrincipal.String(), "equal-principal"},
		{InterestOnly.String(), "interest-only"},
		{Bullet.String(), "bullet"},
		{Monthly.String(), "monthly"},
		{Daily.String(), "daily"},
		{Method(9).String(), "Method(9)"},
		{Accrual(9).String(), "Accrual(9)"},
	} {
		if tc.got != tc.want {
			t.Errorf("%q, want %q", tc.got, tc.want)
		}
	}
}
