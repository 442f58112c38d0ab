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
	// prepay, if set, makes the case the reamortisation of the terms'
	// schedule after a prepayment.
	prepay *prepayment
}

// prepayment is a partial prepayment of amount before installment seq, on
// day.
type prepayment struct {
	seq    uint32
	day    string
	amount uint64
	mode   PrepayMode
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
			twelveThousand(EqualInstallments, Monthly, 360, "2026-01-15"), nil},
		{"equal-principal-12000", "Apache Fineract's worked example: principal 1,000.00 each, total interest 780.00.",
			twelveThousand(EqualPrincipal, Monthly, 360, "2026-01-15"), nil},
		{"interest-only-12000", "Interest 120.00 a month, the principal with the last.",
			twelveThousand(InterestOnly, Monthly, 360, "2026-01-15"), nil},
		{"bullet-12000", "One installment at maturity: 12 months of interest, 1,440.00, rounded once.",
			twelveThousand(Bullet, Monthly, 360, "2026-01-15"), nil},
		{"equal-installments-grace3-12000", "Apache Fineract's grace example: interest only for 3 months, then EMI 1,400.88 over 9, the last 1,400.91, total interest 967.95.",
			withGrace, nil},
		{"equal-installments-20280131", "Drawn on 31 January of a leap year: due 29 February, 31 March, 30 April; monthly interest whatever the days.",
			twelveThousand(EqualInstallments, Monthly, 360, "2028-01-31"), nil},
		{"equal-principal-daily360-20260131", "Actual days over 360, drawn 31 January 2026: due 28 February (28 days), 31 March (31), 30 April (30).",
			twelveThousand(EqualPrincipal, Daily, 360, "2026-01-31"), nil},
		{"equal-principal-daily365-20260131", "Actual days over 365, drawn 31 January 2026.",
			twelveThousand(EqualPrincipal, Daily, 365, "2026-01-31"), nil},
		{"equal-principal-daily365-20280131", "Actual days over 365, drawn 31 January 2028, a leap year: due 29 February (29 days).",
			twelveThousand(EqualPrincipal, Daily, 365, "2028-01-31"), nil},
		{"equal-principal-grace3-daily365-20260131", "Interest only for 3 months, then equal principal over 9, actual days over 365.",
			epGrace, nil},
		{"interest-only-daily360-20260131", "Actual days over 360, drawn 31 January 2026.",
			twelveThousand(InterestOnly, Daily, 360, "2026-01-31"), nil},
		{"interest-only-daily365-20260131", "Actual days over 365, drawn 31 January 2026.",
			twelveThousand(InterestOnly, Daily, 365, "2026-01-31"), nil},
		{"interest-only-daily360-20280131", "Actual days over 360, drawn 31 January 2028, a leap year.",
			twelveThousand(InterestOnly, Daily, 360, "2028-01-31"), nil},
		{"bullet-daily360-20260131", "365 days to maturity over 360, rounded once.",
			twelveThousand(Bullet, Daily, 360, "2026-01-31"), nil},
		{"bullet-daily365-20260131", "365 days to maturity over 365: 12% exactly.",
			twelveThousand(Bullet, Daily, 365, "2026-01-31"), nil},
		{"bullet-daily365-20280131", "A year with 29 February: 366 days over 365.",
			twelveThousand(Bullet, Daily, 365, "2028-01-31"), nil},
		{"equal-installments-rate0", "Interest-free: 10,000.00 / 12 = 833.33 rounded, the last 833.37.",
			rate0(EqualInstallments, Monthly), nil},
		{"equal-principal-rate0-daily365", "Interest-free, daily accrual: no interest.",
			rate0(EqualPrincipal, Daily), nil},
		{"equal-installments-1month", "One month: 12,000.00 and a month's interest.",
			oneMonth(EqualInstallments, Monthly), nil},
		{"equal-principal-1month-daily365", "One month of actual days, 28 over 365.",
			oneMonth(EqualPrincipal, Daily), nil},
		{"bullet-1month-daily365", "One month of actual days, 28 over 365.",
			oneMonth(Bullet, Daily), nil},
		{"equal-installments-360months", "1,000,000.00 at 4.9% over 30 years, drawn 31 January 2026: the EMI's rounding compounds into the last.",
			mortgage(EqualInstallments), nil},
		{"equal-principal-360months", "1,000,000.00 at 4.9% over 30 years: 2,777.78 a month, the last 2,776.98.",
			mortgage(EqualPrincipal), nil},
		{"equal-installments-1minor", "One minor unit: the EMI rounds to nothing, the last repays it.", tiny(EqualInstallments), nil},
		{"equal-principal-1minor", "One minor unit: the principal per month rounds to nothing, the last repays it.", tiny(EqualPrincipal), nil},
		{"interest-only-1minor", "One minor unit: no interest.", tiny(InterestOnly), nil},
		{"bullet-1minor", "One minor unit: 0.12 of a unit of interest rounds to nothing.", tiny(Bullet), nil},
		{"equal-installments-12000-prepay-lower", "3,000.00 prepaid on 1 May, after the 3rd installment: the EMI recomputed over the 9 left; 14 days of interest to 15 May.",
			twelveThousand(EqualInstallments, Monthly, 360, "2026-01-15"), &prepayment{4, "2026-05-01", 300_000, LowerInstallment}},
		{"equal-installments-12000-prepay-shorten", "3,000.00 prepaid on 1 May, after the 3rd installment: the EMI of 1,066.19 kept, 3 installments fewer.",
			twelveThousand(EqualInstallments, Monthly, 360, "2026-01-15"), &prepayment{4, "2026-05-01", 300_000, ShortenTerm}},
		{"equal-installments-grace3-12000-prepay-lower", "2,000.00 prepaid on 1 March, in the grace: interest only until April, then the EMI over 9 on 10,000.00.",
			withGrace, &prepayment{2, "2026-03-01", 200_000, LowerInstallment}},
		{"equal-installments-grace3-12000-prepay-shorten", "2,000.00 prepaid on 1 March, in the grace: interest only until April, then the EMI of 1,400.88 kept.",
			withGrace, &prepayment{2, "2026-03-01", 200_000, ShortenTerm}},
		{"equal-installments-360months-prepay-shorten", "380,000.00 prepaid ten years in, on 10 February 2036: the EMI kept, the loan ends with the 219th installment instead of the 360th.",
			mortgage(EqualInstallments), &prepayment{121, "2036-02-10", 38_000_000, ShortenTerm}},
		{"equal-principal-daily365-20260131-prepay-lower", "5,000.00 prepaid on 10 April 2026, after the 2nd installment: 500.00 a month over the 10 left; 20 days to 30 April.",
			twelveThousand(EqualPrincipal, Daily, 365, "2026-01-31"), &prepayment{3, "2026-04-10", 500_000, LowerInstallment}},
		{"equal-principal-daily365-20260131-prepay-shorten", "5,000.00 prepaid on 10 April 2026: 1,000.00 a month kept, 5 installments fewer.",
			twelveThousand(EqualPrincipal, Daily, 365, "2026-01-31"), &prepayment{3, "2026-04-10", 500_000, ShortenTerm}},
		{"interest-only-daily360-20260131-prepay", "4,000.00 prepaid on 15 June 2026: 15 days to 30 June, then interest on 8,000.00.",
			twelveThousand(InterestOnly, Daily, 360, "2026-01-31"), &prepayment{5, "2026-06-15", 400_000, LowerInstallment}},
		{"bullet-12000-prepay", "2,000.00 prepaid on 1 July 2026: interest to the day on 10,000.00 until maturity, 198 days over 360.",
			twelveThousand(Bullet, Monthly, 360, "2026-01-15"), &prepayment{1, "2026-07-01", 200_000, ShortenTerm}},
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
	balance := t.Principal
	if p := c.prepay; p != nil {
		balance = balanceAfter(c)
		fmt.Fprintf(&b, "prepay seq=%d day=%s amount=%d balance=%d mode=%s\n", p.seq, p.day, p.amount, balance, p.mode)
	}
	writeTable(&b, balance, s)
	return b.Bytes()
}

// balanceAfter returns the principal outstanding after c's prepayment.
func balanceAfter(c goldenCase) uint64 {
	s, err := Generate(c.terms)
	if err != nil {
		panic(err)
	}
	outstanding, err := principalFrom(s, c.prepay.seq)
	if err != nil {
		panic(err)
	}
	return outstanding - c.prepay.amount
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
		if err == nil && c.prepay != nil {
			p := c.prepay
			s, err = Reamortize(c.terms, s, p.seq, day(p.day), balanceAfter(c), p.mode)
		}
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
