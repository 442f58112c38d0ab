package schedule

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ledgerd/ledgerd/x/arith"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata")

// goldenCase is a schedule checked in under testdata/NAME.golden.
type goldenCase struct {
	name  string
	about string // what the case shows, the file's first comment
	terms Terms
}

// twelveThousand returns 12,000.00 at 12% a year over 12 months by method
// and accrual on basis, drawn on start.
func twelveThousand(m Method, a Accrual, basis uint32, start string) Terms {
	return Terms{Principal: 1_200_000, RateBps: 1200, Months: 12, Method: m, Accrual: a, Basis: basis, Start: day(start)}
}

func goldenCases() []goldenCase {
	withGrace := twelveThousand(EqualInstallments, Monthly, 360, "2026-01-15")
	withGrace.Grace = 3
	epGrace := twelveThousand(EqualPrincipal, Daily, 365, "2026-01-31")
	epGrace.Grace = 3
	rate0 := func(m Method, a Accrual) Terms {
		return Terms{Principal: 1_000_000, Months: 12, Method: m, Accrual: a, Basis: 365, Start: day("2026-01-31")}
	}
	oneMonth := func(m Method, a Accrual) Terms {
		t := twelveThousand(m, a, 365, "2026-01-31")
		t.Months = 1
		return t
	}
	tiny := func(m Method) Terms {
		t := twelveThousand(m, Monthly, 360, "2026-01-15")
		t.Principal = 1
		return t
	}
	mortgage := func(m Method) Terms {
		return Terms{Principal: 100_000_000, RateBps: 490, Months: 360, Method: m, Accrual: Monthly, Basis: 360, Start: day("2026-01-31")}
	}
	return []goldenCase{
		{"equal-installments-12000", "Apache Fineract's worked example: EMI 1,066.19, the last 1,066.14, total interest 794.23.",
			twelveThousand(EqualInstallments, Monthly, 360, "2026-01-15")},
		{"equal-principal-12000", "Apache Fineract's worked example: principal 1,000.00 each, total interest 780.00.",
			twelveThousand(EqualPrincipal, Monthly, 360, "2026-01-15")},
		{"interest-only-12000", "Interest 120.00 a month, the principal with the last.",
			twelveThousand(InterestOnly, Monthly, 360, "2026-01-15")},
		{"bullet-12000", "One installment at maturity: 12 months of interest, 1,440.00, rounded once.",
			twelveThousand(Bullet, Monthly, 360, "2026-01-15")},
		{"equal-installments-grace3-12000", "Apache Fineract's grace example: interest only for 3 months, then EMI 1,400.88 over 9, the last 1,400.91, total interest 967.95.",
			withGrace},
		{"equal-installments-20280131", "Drawn on 31 January of a leap year: due 29 February, 31 March, 30 April; monthly interest whatever the days.",
			twelveThousand(EqualInstallments, Monthly, 360, "2028-01-31")},
		{"equal-principal-daily360-20260131", "Actual days over 360, drawn 31 January 2026: due 28 February (28 days), 31 March (31), 30 April (30).",
			twelveThousand(EqualPrincipal, Daily, 360, "2026-01-31")},
		{"equal-principal-daily365-20260131", "Actual days over 365, drawn 31 January 2026.",
			twelveThousand(EqualPrincipal, Daily, 365, "2026-01-31")},
		{"equal-principal-daily365-20280131", "Actual days over 365, drawn 31 January 2028, a leap year: due 29 February (29 days).",
			twelveThousand(EqualPrincipal, Daily, 365, "2028-01-31")},
		{"equal-principal-grace3-daily365-20260131", "Interest only for 3 months, then equal principal over 9, actual days over 365.",
			epGrace},
		{"interest-only-daily360-20260131", "Actual days over 360, drawn 31 January 2026.",
			twelveThousand(InterestOnly, Daily, 360, "2026-01-31")},
		{"interest-only-daily365-20260131", "Actual days over 365, drawn 31 January 2026.",
			twelveThousand(InterestOnly, Daily, 365, "2026-01-31")},
		{"interest-only-daily360-20280131", "Actual days over 360, drawn 31 January 2028, a leap year.",
			twelveThousand(InterestOnly, Daily, 360, "2028-01-31")},
		{"bullet-daily360-20260131", "365 days to maturity over 360, rounded once.",
			twelveThousand(Bullet, Daily, 360, "2026-01-31")},
		{"bullet-daily365-20260131", "365 days to maturity over 365: 12% exactly.",
			twelveThousand(Bullet, Daily, 365, "2026-01-31")},
		{"bullet-daily365-20280131", "A year with 29 February: 366 days over 365.",
			twelveThousand(Bullet, Daily, 365, "2028-01-31")},
		{"equal-installments-rate0", "Interest-free: 10,000.00 / 12 = 833.33 rounded, the last 833.37.",
			rate0(EqualInstallments, Monthly)},
		{"equal-principal-rate0-daily365", "Interest-free, daily accrual: no interest.",
			rate0(EqualPrincipal, Daily)},
		{"equal-installments-1month", "One month: 12,000.00 and a month's interest.",
			oneMonth(EqualInstallments, Monthly)},
		{"equal-principal-1month-daily365", "One month of actual days, 28 over 365.",
			oneMonth(EqualPrincipal, Daily)},
		{"bullet-1month-daily365", "One month of actual days, 28 over 365.",
			oneMonth(Bullet, Daily)},
		{"equal-installments-360months", "1,000,000.00 at 4.9% over 30 years, drawn 31 January 2026: the EMI's rounding compounds into the last.",
			mortgage(EqualInstallments)},
		{"equal-principal-360months", "1,000,000.00 at 4.9% over 30 years: 2,777.78 a month, the last 2,776.98.",
			mortgage(EqualPrincipal)},
		{"equal-installments-1minor", "One minor unit: the EMI rounds to nothing, the last repays it.", tiny(EqualInstallments)},
		{"equal-principal-1minor", "One minor unit: the principal per month rounds to nothing, the last repays it.", tiny(EqualPrincipal)},
		{"interest-only-1minor", "One minor unit: no interest.", tiny(InterestOnly)},
		{"bullet-1minor", "One minor unit: 0.12 of a unit of interest rounds to nothing.", tiny(Bullet)},
	}
}

// formatGolden writes a golden file: comments, the terms, and the table.
func formatGolden(c goldenCase, s []Installment) []byte {
	t := c.terms
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n", c.about)
	b.WriteString("# Amounts in major units of 100 minor units; rows: due date, principal, interest, installment, principal outstanding after.\n")
	b.WriteString("# Written by `go test ./x/credit/schedule -run TestGolden -update`; checked independently by\n")
	b.WriteString("# `python3 x/credit/schedule/testdata/check_golden.py`, which recomputes it from the rules in exact fractions.\n")
	fmt.Fprintf(&b, "terms method=%s accrual=%s principal=%d rate-bps=%d months=%d grace=%d basis=%d start=%s\n",
		t.Method, t.Accrual, t.Principal, t.RateBps, t.Months, t.Grace, t.Basis, t.Start)
	writeTable(&b, t.Principal, s)
	return b.Bytes()
}

// writeTable writes the installments, the balance running down from
// balance, and their totals.
func writeTable(b *bytes.Buffer, balance uint64, s []Installment) {
	fmt.Fprintf(b, "%4s  %-10s  %14s  %14s  %14s  %14s\n", "seq", "due", "principal", "interest", "installment", "balance")
	var principal, interest uint64
	for _, in := range s {
		balance -= in.Principal
		principal += in.Principal
		interest += in.Interest
		fmt.Fprintf(b, "%4d  %-10s  %14s  %14s  %14s  %14s\n", in.Seq, in.Due, money(in.Principal), money(in.Interest), money(in.Principal+in.Interest), money(balance))
	}
	fmt.Fprintf(b, "%4s  %-10s  %14s  %14s  %14s\n", "", "total", money(principal), money(interest), money(principal+interest))
}

func money(x uint64) string { return arith.Format(x, 2) }

// TestGolden generates every golden case and compares it with its file,
// byte for byte.
func TestGolden(t *testing.T) {
	for _, c := range goldenCases() {
		s, err := Generate(c.terms)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		compareGolden(t, c.name, formatGolden(c, s))
	}
}

// compareGolden compares got with testdata/NAME.golden, or writes it there
// with -update.
func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (rerun with -update and review the diff):\n%s", name, path, got)
	}
}

// TestGoldenPython runs testdata/check_golden.py, which recomputes every
// golden schedule from the rules in exact fractions, independently of this
// package.
func TestGoldenPython(t *testing.T) {
	if testing.Short() {
		t.Skip("python check skipped in short mode")
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found: golden schedules not recomputed")
	}
	out, err := exec.Command(python, filepath.Join("testdata", "check_golden.py")).CombinedOutput()
	if err != nil {
		t.Fatalf("check_golden.py: %v\n%s", err, out)
	}
}
