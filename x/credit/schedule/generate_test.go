package schedule

import (
	"errors"
	"testing"

	"github.com/ledgerd/ledgerd/x/arith"
)

// totals returns the sums of a schedule's principal and interest, and its
// largest and last installment.
func totals(t testing.TB, s []Installment) (principal, interest uint64) {
	t.Helper()
	var err error
	for _, in := range s {
		if principal, err = arith.Add(principal, in.Principal); err != nil {
			t.Fatal(err)
		}
		if interest, err = arith.Add(interest, in.Interest); err != nil {
			t.Fatal(err)
		}
	}
	return principal, interest
}

// Apache Fineract's worked examples (research/fineract-loans.md, sections
// 1.3, 2.1 and 2.3), which it rounds half even; half up gives the same.
func TestFineractExamples(t *testing.T) {
	gen := func(terms Terms) []Installment {
		t.Helper()
		s, err := Generate(terms)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	total := func(in Installment) uint64 { return in.Principal + in.Interest }

	s := gen(example(EqualInstallments))
	_, interest := totals(t, s)
	if total(s[0]) != 106_619 || total(s[10]) != 106_619 || total(s[11]) != 106_614 || interest != 79_423 {
		t.Errorf("equal installments: EMI %d, 11th %d, last %d, interest %d; want 1066.19, 1066.19, 1066.14, 794.23", total(s[0]), total(s[10]), total(s[11]), interest)
	}
	if s[1].Interest != 11_054 || s[1].Principal != 95_565 { // 11,053.81 × 1% = 110.5381
		t.Errorf("equal installments, row 2: %d + %d; want 955.65 + 110.54", s[1].Principal, s[1].Interest)
	}

	s = gen(example(EqualPrincipal))
	_, interest = totals(t, s)
	for _, in := range s {
		if in.Principal != 100_000 {
			t.Errorf("equal principal: installment %d repays %d; want 1000.00", in.Seq, in.Principal)
		}
	}
	if total(s[0]) != 112_000 || total(s[1]) != 111_000 || total(s[11]) != 101_000 || interest != 78_000 {
		t.Errorf("equal principal: %d, %d … %d, interest %d; want 1120.00, 1110.00 … 1010.00, 780.00", total(s[0]), total(s[1]), total(s[11]), interest)
	}

	grace := example(EqualInstallments)
	grace.Grace = 3
	s = gen(grace)
	_, interest = totals(t, s)
	if total(s[0]) != 12_000 || total(s[2]) != 12_000 || total(s[3]) != 140_088 || s[3].Principal != 128_088 ||
		total(s[11]) != 140_091 || s[11].Principal != 138_704 || s[11].Interest != 1_387 || interest != 96_795 {
		t.Errorf("interest only for 3, then equal installments: %+v, interest %d", s, interest)
	}

	s = gen(example(InterestOnly))
	if total(s[0]) != 12_000 || total(s[10]) != 12_000 || total(s[11]) != 1_212_000 {
		t.Errorf("interest only: %d … %d, %d; want 120.00 … 120.00, 12120.00", total(s[0]), total(s[10]), total(s[11]))
	}
}

// Due dates step from the drawdown day, clamped to month ends, and never
// from the previous due date.
func TestDueDates(t *testing.T) {
	for _, tc := range []struct {
		start string
		due   []string // the first four, then the 12th
	}{
		{"2026-01-31", []string{"2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2027-01-31"}},
		{"2028-01-31", []string{"2028-02-29", "2028-03-31", "2028-04-30", "2028-05-31", "2029-01-31"}},
		{"2026-01-30", []string{"2026-02-28", "2026-03-30", "2026-04-30", "2026-05-30", "2027-01-30"}},
		{"2028-01-30", []string{"2028-02-29", "2028-03-30", "2028-04-30", "2028-05-30", "2029-01-30"}},
		{"2026-01-29", []string{"2026-02-28", "2026-03-29", "2026-04-29", "2026-05-29", "2027-01-29"}},
		{"2028-01-29", []string{"2028-02-29", "2028-03-29", "2028-04-29", "2028-05-29", "2029-01-29"}},
		{"2028-02-29", []string{"2028-03-29", "2028-04-29", "2028-05-29", "2028-06-29", "2029-02-28"}},
		{"2026-03-31", []string{"2026-04-30", "2026-05-31", "2026-06-30", "2026-07-31", "2027-03-31"}},
		{"2100-01-31", []string{"2100-02-28", "2100-03-31", "2100-04-30", "2100-05-31", "2101-01-31"}}, // 2100 is not a leap year
	} {
		for _, m := range []Method{EqualInstallments, EqualPrincipal, InterestOnly} {
			s, err := Generate(twelveThousand(m, Monthly, 360, tc.start))
			if err != nil {
				t.Fatal(err)
			}
			got := []string{s[0].Due.String(), s[1].Due.String(), s[2].Due.String(), s[3].Due.String(), s[11].Due.String()}
			for i := range got {
				if got[i] != tc.due[i] {
					t.Errorf("%s drawn %s: due %v; want %v", m, tc.start, got, tc.due)
					break
				}
			}
			for i, in := range s {
				if in.Seq != uint32(i+1) {
					t.Errorf("%s drawn %s: installment %d has Seq %d", m, tc.start, i+1, in.Seq)
				}
			}
		}
		s, err := Generate(twelveThousand(Bullet, Daily, 365, tc.start))
		if err != nil {
			t.Fatal(err)
		}
		if len(s) != 1 || s[0].Seq != 1 || s[0].Due.String() != tc.due[4] {
			t.Errorf("bullet drawn %s: %+v; want one installment due %s", tc.start, s, tc.due[4])
		}
	}
}

// Amounts that do not fit fail cleanly with arith.ErrOverflow.
func TestGenerateOverflow(t *testing.T) {
	const max = ^uint64(0)
	for _, tc := range []struct {
		name  string
		terms Terms
	}{
		{"bullet of 2^64-1 at 12%: the total", Terms{Principal: max, RateBps: 1200, Months: 12, Method: Bullet, Accrual: Monthly, Basis: 360}},
		{"bullet of 2^64-1 at 2400% for 30 years: the interest", Terms{Principal: max, RateBps: 240_000, Months: 360, Method: Bullet, Accrual: Daily, Basis: 360}},
		{"one month of 2^64-1: the EMI", Terms{Principal: max, RateBps: 1200, Months: 1, Method: EqualInstallments, Accrual: Monthly, Basis: 360}},
		{"annuity of 2^64-1: the total", Terms{Principal: max, RateBps: 1200, Months: 12, Method: EqualInstallments, Accrual: Monthly, Basis: 360}},
		{"equal principal of 2^64-1 at 1,300%: the interest", Terms{Principal: max, RateBps: 130_000, Months: 12, Method: EqualPrincipal, Accrual: Monthly, Basis: 360}},
		{"equal principal of 2^64-1: the total", Terms{Principal: max, RateBps: 1, Months: 360, Method: EqualPrincipal, Accrual: Daily, Basis: 365}},
		{"interest only of 2^64-1: the total", Terms{Principal: max, RateBps: 1, Months: 2, Method: InterestOnly, Accrual: Monthly, Basis: 365}},
		{"the largest rate on a daily line", Terms{Principal: 1 << 50, RateBps: ^uint32(0), Months: 360, Method: InterestOnly, Accrual: Daily, Basis: 360}},
	} {
		if s, err := Generate(tc.terms); !errors.Is(err, arith.ErrOverflow) {
			t.Errorf("%s: %v, %d installments; want ErrOverflow", tc.name, err, len(s))
		}
	}
	// Just below: the total is 2^64-1 exactly.
	fits := Terms{Principal: max, Months: 360, Method: EqualInstallments, Accrual: Monthly, Basis: 360}
	s, err := Generate(fits)
	if err != nil {
		t.Fatalf("2^64-1 interest-free over 360 months: %v", err)
	}
	if p, i := totals(t, s); p != max || i != 0 {
		t.Errorf("2^64-1 interest-free: principal %d, interest %d", p, i)
	}
}

// The rounded installment can repay the principal before the last one
// when it is tiny compared with the compounding of its rounding: refused.
func TestGenerateAmortization(t *testing.T) {
	for _, terms := range []Terms{
		// 0.49 at 12% over 30 years: the EMI is 0.504 and rounds to 0.01,
		// the interest to nothing, so 0.49 is repaid by the 49th.
		{Principal: 49, RateBps: 1200, Months: 360, Method: EqualInstallments, Accrual: Monthly, Basis: 360},
		// 0.06 over 12 months: 0.005 a month rounds to 0.01, repaid by the 6th.
		{Principal: 6, Months: 12, Method: EqualPrincipal, Accrual: Daily, Basis: 360},
		{Principal: 6, Months: 12, Method: EqualInstallments, Accrual: Monthly, Basis: 360},
	} {
		if s, err := Generate(terms); !errors.Is(err, ErrAmortization) {
			t.Errorf("%+v: %v, %d installments; want ErrAmortization", terms, err, len(s))
		}
	}
}
