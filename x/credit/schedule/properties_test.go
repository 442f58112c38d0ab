package schedule

import (
	"errors"
	"math/big"
	"math/rand"
	"testing"

	"github.com/ledgerd/ledgerd/x/calendar"
)

// randomTerms returns valid terms drawn from rng: every method and accrual
// that may go together, 1 to 360 months (the usual terms more often),
// rates from 0 to 36% a year and now and then far above, principals from
// one minor unit to 10^13 (spread over the magnitudes), graces, and
// drawdown days from 1990 to 2060, month ends more often. The amounts stay
// below 2^64 whatever the terms: 10^13 × (1 + 1,000% × 30 years) < 2^64.
func randomTerms(rng *rand.Rand) Terms {
	t := Terms{
		Method: Method(1 + rng.Intn(4)),
		Basis:  []uint32{360, 365}[rng.Intn(2)],
	}
	t.Accrual = Accrual(1 + rng.Intn(2))
	if t.Method == EqualInstallments {
		t.Accrual = Monthly
	}
	switch rng.Intn(3) {
	case 0:
		t.Months = []uint32{1, 2, 3, 6, 12, 24, 36, 60, 120, 240, 360}[rng.Intn(11)]
	default:
		t.Months = 1 + uint32(rng.Intn(MaxMonths))
	}
	switch rng.Intn(10) {
	case 0:
		t.RateBps = 0
	case 1:
		t.RateBps = uint32(rng.Intn(100_000)) // up to 1,000% a year
	default:
		t.RateBps = uint32(rng.Intn(3601))
	}
	t.Principal = uint64(rng.Int63n(10)) + 1
	for digits := rng.Intn(13); digits > 0; digits-- {
		t.Principal = t.Principal*10 + uint64(rng.Intn(10))
	}
	if (t.Method == EqualInstallments || t.Method == EqualPrincipal) && rng.Intn(4) == 0 {
		t.Grace = uint32(rng.Intn(int(t.Months)))
	}
	y, m := 1990+rng.Intn(71), 1+rng.Intn(12)
	first := calendar.Month((y-1970)*12 + m - 1).First()
	if rng.Intn(2) == 0 {
		t.Start = calendar.Month((y-1970)*12+m-1).Last() - calendar.Day(rng.Intn(3))
	} else {
		t.Start = first + calendar.Day(rng.Intn(28))
	}
	return t
}

// bigs returns the annuity's integers for rateBps = b over m periods:
// A^m and C^m with A = 120,000 + b and C = 120,000.
func bigs(b uint32, m uint32) (am, cm *big.Int) {
	c := big.NewInt(monthlyScale)
	a := new(big.Int).Add(c, big.NewInt(int64(b)))
	exp := big.NewInt(int64(m))
	return new(big.Int).Exp(a, exp, nil), new(big.Int).Exp(c, exp, nil)
}

// exactEMI returns the annuity P·r/(1 − (1+r)^−m), r = b/120,000, as a
// rational, by the textbook formula with (1+r)^m = A^m/C^m; at rate 0, P/m.
func exactEMI(p uint64, b uint32, m uint32) *big.Rat {
	pr := new(big.Rat).SetInt(new(big.Int).SetUint64(p))
	if b == 0 {
		return pr.Quo(pr, new(big.Rat).SetInt64(int64(m)))
	}
	r := big.NewRat(int64(b), monthlyScale)
	am, cm := bigs(b, m)
	discount := new(big.Rat).Sub(big.NewRat(1, 1), new(big.Rat).SetFrac(cm, am)) // 1 − (1+r)^−m
	return pr.Mul(pr, r).Quo(pr, discount)
}

// halfUp returns x ≥ 0 rounded half up: floor(x + 1/2).
func halfUp(x *big.Rat) *big.Int {
	return halfUpDiv(x.Num(), x.Denom())
}

// halfUpDiv returns num/den ≥ 0 rounded half up: (2·num + den) / (2·den).
func halfUpDiv(num, den *big.Int) *big.Int {
	n := new(big.Int).Lsh(num, 1)
	n.Add(n, den)
	return n.Quo(n, new(big.Int).Lsh(den, 1))
}

// accumulation returns s_m = ((1+r)^m − 1)/r, the bound on how far the
// last installment of an annuity strays from the EMI (each period's
// rounding, less than a unit, compounds); m at rate 0.
func accumulation(b uint32, m uint32) *big.Rat {
	if b == 0 {
		return new(big.Rat).SetInt64(int64(m))
	}
	am, cm := bigs(b, m)
	// ((A/C)^m − 1) / (b/C) = (A^m − C^m) / (b·C^(m−1))
	den := new(big.Int).Quo(cm, big.NewInt(monthlyScale))
	den.Mul(den, big.NewInt(int64(b)))
	return new(big.Rat).SetFrac(new(big.Int).Sub(am, cm), den)
}

// rule returns the interest of a period by the stated rule, in big
// integers: balance × b × periods / 120,000 under Monthly accrual (periods
// is 1, or the months of a bullet), balance × b × days / (10,000 × basis)
// under Daily, rounded half up.
func rule(t Terms, balance uint64, periods uint32, from, to calendar.Day) uint64 {
	num := new(big.Int).Mul(new(big.Int).SetUint64(balance), big.NewInt(int64(t.RateBps)))
	den := big.NewInt(monthlyScale)
	if t.Accrual == Daily {
		num.Mul(num, big.NewInt(calendar.DaysBetween(from, to)))
		den = big.NewInt(10_000 * int64(t.Basis))
	} else {
		num.Mul(num, big.NewInt(int64(periods)))
	}
	return halfUpDiv(num, den).Uint64()
}

// checkSchedule checks s against t's rules and the invariants Generate
// guarantees, and returns a description of the first violation, or "".
func checkSchedule(t Terms, s []Installment) string {
	if len(s) != int(t.count()) {
		return "wrong number of installments"
	}
	balance := t.Principal
	var principal, total big.Int
	prev := t.Start
	m := t.Months - t.Grace
	var level uint64
	for i, in := range s {
		seq := uint32(i + 1)
		if in.Seq != seq || in.Due != t.due(seq) {
			return "wrong sequence or due date"
		}
		if in.Principal > balance {
			return "principal beyond the balance"
		}
		// The interest is the rule's, on the balance before.
		periods := uint32(1)
		if t.Method == Bullet {
			periods = t.Months
		}
		want := rule(t, balance, periods, prev, in.Due)
		if in.Interest != want {
			return "interest is not the rule's"
		}
		last := seq == t.count()
		switch {
		case last:
			if in.Principal != balance {
				return "the last does not repay the balance"
			}
		case seq <= t.Grace || t.Method == InterestOnly:
			if in.Principal != 0 {
				return "principal in a grace or interest-only period"
			}
		case t.Method == EqualInstallments:
			if seq == t.Grace+1 {
				level = in.Principal + in.Interest
				if new(big.Int).SetUint64(level).Cmp(halfUp(exactEMI(t.Principal, t.RateBps, m))) != 0 {
					return "EMI is not the exact annuity rounded half up"
				}
			} else if in.Principal+in.Interest != level {
				return "an installment before the last is not the EMI"
			}
		case t.Method == EqualPrincipal:
			if in.Principal != halfUpDiv(new(big.Int).SetUint64(t.Principal), big.NewInt(int64(m))).Uint64() {
				return "principal is not P/m rounded half up"
			}
		}
		if last && t.Method == EqualInstallments && m > 1 {
			// |last − EMI| < ((1+r)^m − 1)/r
			diff := new(big.Int).Sub(new(big.Int).SetUint64(in.Principal+in.Interest), new(big.Int).SetUint64(level))
			if new(big.Rat).SetInt(diff.Abs(diff)).Cmp(accumulation(t.RateBps, m)) >= 0 {
				return "the last strays from the EMI by more than the compounded rounding"
			}
		}
		balance -= in.Principal
		principal.Add(&principal, new(big.Int).SetUint64(in.Principal))
		total.Add(&total, new(big.Int).SetUint64(in.Principal))
		total.Add(&total, new(big.Int).SetUint64(in.Interest))
		prev = in.Due
	}
	if !principal.IsUint64() || principal.Uint64() != t.Principal || balance != 0 {
		return "principal does not sum to the loan's"
	}
	if !total.IsUint64() {
		return "the total does not fit in uint64"
	}
	return ""
}

// amortizes reports whether t satisfies the sufficient condition under
// which Generate cannot fail with ErrAmortization: for EqualInstallments,
// the exact EMI is at least ((1+r)^m − 1)/r − 1 (the compounded rounding
// cannot exhaust the balance before the last); for EqualPrincipal,
// P ≥ m(m−1)/2 (m−1 rounded shares cannot exceed P).
func amortizes(t Terms) bool {
	m := t.Months - t.Grace
	switch t.Method {
	case EqualInstallments:
		bound := new(big.Rat).Sub(accumulation(t.RateBps, m), big.NewRat(1, 1))
		return exactEMI(t.Principal, t.RateBps, m).Cmp(bound) >= 0
	case EqualPrincipal:
		return t.Principal >= uint64(m)*uint64(m-1)/2
	}
	return true
}

// Over many random terms, every schedule keeps its rules and invariants,
// and ErrAmortization happens only outside the proven safe region.
func TestGenerateProperties(t *testing.T) {
	n := 20_000
	if testing.Short() {
		n = 2_000
	}
	rng := rand.New(rand.NewSource(20260131))
	var refused, unsafe int
	for range n {
		terms := randomTerms(rng)
		if err := terms.Validate(); err != nil {
			t.Fatalf("randomTerms made invalid terms: %v", err)
		}
		safe := amortizes(terms)
		if !safe {
			unsafe++
		}
		s, err := Generate(terms)
		switch {
		case errors.Is(err, ErrAmortization) && !safe:
			refused++
			continue
		case err != nil:
			t.Fatalf("%+v: %v", terms, err)
		}
		if problem := checkSchedule(terms, s); problem != "" {
			t.Fatalf("%+v: %s:\n%+v", terms, problem, s)
		}
	}
	t.Logf("%d terms: %d outside the safe region, %d of them refused with ErrAmortization", n, unsafe, refused)
}

// The safe region is reached by realistic loans: from 3,500.00 at 12% over
// 30 years, and a 5-year consumer loan at 24% of 100.00.
func TestAmortizesRealisticLoans(t *testing.T) {
	for _, terms := range []Terms{
		{Principal: 350_000, RateBps: 1200, Months: 360, Method: EqualInstallments},
		{Principal: 10_000, RateBps: 2400, Months: 60, Method: EqualInstallments},
		{Principal: 64_620, RateBps: 1200, Months: 360, Method: EqualPrincipal},
	} {
		if !amortizes(terms) {
			t.Errorf("%+v outside the safe region", terms)
		}
	}
}

// The last installment of an annuity strays from the EMI by the EMI's
// rounding (up to half a unit) compounded with each period's, which is
// less than ((1+r)^n − 1)/r units but can be far more than n: 100,000.00
// and 200,000.00 at 12% over 30 years end 8.17 above and 16.35 below an
// EMI of 1,028.61 and 2,057.23 (the bound is 3,494.96 units).
func TestLastInstallmentStray(t *testing.T) {
	for _, tc := range []struct {
		principal uint64
		emi, last uint64
	}{
		{10_000_000, 102_861, 103_678},
		{20_000_000, 205_723, 204_088},
	} {
		terms := Terms{Principal: tc.principal, RateBps: 1200, Months: 360, Method: EqualInstallments, Accrual: Monthly, Basis: 360, Start: day("2026-01-31")}
		s, err := Generate(terms)
		if err != nil {
			t.Fatal(err)
		}
		emi, last := s[0].Principal+s[0].Interest, s[359].Principal+s[359].Interest
		if emi != tc.emi || last != tc.last {
			t.Errorf("%d at 12%% over 360 months: EMI %d, last %d; want %d, %d", tc.principal, emi, last, tc.emi, tc.last)
		}
	}
	// The figures of the package documentation.
	if s := accumulation(1200, 360); s.FloatString(2) != "3494.96" {
		t.Errorf("s_360 at 1%% = %s; want 3494.96", s.FloatString(3))
	}
	if s := accumulation(1200, 12); s.FloatString(2) != "12.68" {
		t.Errorf("s_12 at 1%% = %s; want 12.68", s.FloatString(3))
	}
	for _, tc := range []struct {
		principal uint64
		months    uint32
		safe      bool
	}{
		{339_678, 360, true}, {339_677, 360, false}, // exact EMI 3,493.97 units, 3,493.96 (bound 3,493.964…)
		{132, 12, true}, {131, 12, false}, // exact EMI 11.73 units, 11.64 (bound 11.68…)
	} {
		terms := Terms{Principal: tc.principal, RateBps: 1200, Months: tc.months, Method: EqualInstallments}
		if amortizes(terms) != tc.safe {
			t.Errorf("%d over %d months at 12%%: safe %v; want %v", tc.principal, tc.months, !tc.safe, tc.safe)
		}
	}
}
