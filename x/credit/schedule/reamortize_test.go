package schedule

import (
	"errors"
	"math/big"
	"math/rand"
	"strings"
	"testing"

	"github.com/ledgerd/ledgerd/x/calendar"
)

func TestReamortizeRefuses(t *testing.T) {
	terms := example(EqualInstallments)
	s, err := Generate(terms)
	if err != nil {
		t.Fatal(err)
	}
	outstanding4, _ := principalFrom(s, 4) // 9,132.95
	renumbered := append([]Installment(nil), s...)
	renumbered[5].Seq = 7
	redated := append([]Installment(nil), s...)
	redated[5].Due++
	for _, tc := range []struct {
		name         string
		terms        Terms
		installments []Installment
		k            uint32
		p            string
		balance      uint64
		mode         PrepayMode
		want         error
		says         string
	}{
		{"invalid terms", Terms{}, s, 4, "2026-05-01", 1, ShortenTerm, ErrInvalidTerms, "principal is zero"},
		{"no mode", terms, s, 4, "2026-05-01", 1, 0, ErrInvalidPrepayment, "unknown mode PrepayMode(0)"},
		{"mode 3", terms, s, 4, "2026-05-01", 1, 3, ErrInvalidPrepayment, "unknown mode PrepayMode(3)"},
		{"no installments", terms, nil, 1, "2026-01-20", 1, ShortenTerm, ErrInvalidSchedule, "0 installments"},
		{"too many installments", terms, append(s, Installment{Seq: 13, Due: terms.due(13)}), 4, "2026-05-01", 1, ShortenTerm, ErrInvalidSchedule, "13 installments"},
		{"renumbered", terms, renumbered, 4, "2026-05-01", 1, ShortenTerm, ErrInvalidSchedule, "installment 6 is numbered 7"},
		{"redated", terms, redated, 4, "2026-05-01", 1, ShortenTerm, ErrInvalidSchedule, "due on 2026-07-16"},
		{"installment 0", terms, s, 0, "2026-05-01", 1, ShortenTerm, ErrInvalidPrepayment, "installment 0 is not one of 1 to 12"},
		{"installment 13", terms, s, 13, "2026-05-01", 1, ShortenTerm, ErrInvalidPrepayment, "installment 13"},
		{"before the previous due date", terms, s, 4, "2026-04-14", 1, ShortenTerm, ErrInvalidPrepayment, "from 2026-04-15 to the day before 2026-05-15"},
		{"on the due date", terms, s, 4, "2026-05-15", 1, ShortenTerm, ErrInvalidPrepayment, "on 2026-05-15 does not precede installment 4"},
		{"before the drawdown", terms, s, 1, "2026-01-14", 1, ShortenTerm, ErrInvalidPrepayment, "from 2026-01-15"},
		{"a larger balance", terms, s, 4, "2026-05-01", outstanding4 + 1, LowerInstallment, ErrInvalidPrepayment, "balance 913296 above the 913295 outstanding from installment 4"},
	} {
		got, err := Reamortize(tc.terms, tc.installments, tc.k, day(tc.p), tc.balance, tc.mode)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v, %d installments; want %v saying %q", tc.name, err, len(got), tc.want, tc.says)
		}
	}
}

func TestReamortizeEdges(t *testing.T) {
	for _, m := range []Method{EqualInstallments, EqualPrincipal, InterestOnly, Bullet} {
		terms := example(m)
		s, err := Generate(terms)
		if err != nil {
			t.Fatal(err)
		}
		n := uint32(len(s))
		for _, mode := range []PrepayMode{ShortenTerm, LowerInstallment} {
			// Repaid in full: nothing left to schedule.
			got, err := Reamortize(terms, s, 1, terms.Start, 0, mode)
			if err != nil || got != nil {
				t.Errorf("%s %s, balance 0: %v, %v; want no installments", m, mode, got, err)
			}
			// Before the last installment: one installment, interest to the day.
			last := s[n-1]
			p, balance := last.Due-10, last.Principal/2
			got, err = Reamortize(terms, s, n, p, balance, mode)
			want, _ := InterestToDay(balance, terms.RateBps, terms.Basis, p, last.Due)
			if err != nil || len(got) != 1 || got[0] != (Installment{Seq: n, Due: last.Due, Principal: balance, Interest: want}) {
				t.Errorf("%s %s before the last: %+v, %v; want %d and %d", m, mode, got, err, balance, want)
			}
		}
		// Nothing prepaid, on the previous due date, keeping the term: only
		// the first interest changes, to the day (31 days over 360 from 15
		// March). (LowerInstallment may lower the EMI by the rounding the
		// schedule has drifted by: 1,066.18 over the last 10 here.)
		k := min(3, n)
		prev := terms.Start
		if k > 1 {
			prev = s[k-2].Due
		}
		for _, mode := range []PrepayMode{ShortenTerm} {
			got, err := Reamortize(terms, s, k, prev, mustPrincipalFrom(t, s, k), mode)
			if err != nil {
				t.Fatalf("%s %s, nothing prepaid: %v", m, mode, err)
			}
			if len(got) != len(s[k-1:]) {
				t.Fatalf("%s %s, nothing prepaid: %d installments; want %d", m, mode, len(got), len(s[k-1:]))
			}
			for i, in := range got {
				old := s[int(k)-1+i]
				if i == 0 {
					days := calendar.DaysBetween(prev, old.Due)
					want, _ := InterestToDay(mustPrincipalFrom(t, s, k), terms.RateBps, terms.Basis, prev, old.Due)
					if in.Interest != want || in.Principal != old.Principal {
						t.Errorf("%s %s, nothing prepaid: first %+v; want %d days of interest, %d, and principal %d", m, mode, in, days, want, old.Principal)
					}
					continue
				}
				if in != old {
					t.Errorf("%s %s, nothing prepaid: %+v; want %+v unchanged", m, mode, in, old)
				}
			}
		}
	}
}

func mustPrincipalFrom(t *testing.T, s []Installment, k uint32) uint64 {
	t.Helper()
	p, err := principalFrom(s, k)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// level returns the level installment of a schedule from installment a
// on: the EMI, or the principal per installment; ok is false if only the
// last installment is left.
func level(t Terms, s []Installment, a uint32) (uint64, bool) {
	if a >= uint32(len(s)) || (t.Method != EqualInstallments && t.Method != EqualPrincipal) {
		return 0, false
	}
	in := s[a-1]
	if t.Method == EqualPrincipal {
		return in.Principal, true
	}
	before, _ := principalFrom(s, a)
	interest, _ := monthlyInterest(before, t.RateBps)
	return in.Principal + interest, true
}

// Over many random loans and prepayments, one after another on the same
// loan: the new installments repay the balance exactly, keep their
// numbers and due dates, bear the interest of the rules, and ShortenTerm
// never lengthens a schedule, LowerInstallment never raises its level.
func TestReamortizeProperties(t *testing.T) {
	n := 3_000
	if testing.Short() {
		n = 300
	}
	rng := rand.New(rand.NewSource(20280131))
	var reamortized, refused, shorter int
	for range n {
		terms := randomTerms(rng)
		s, err := Generate(terms)
		if errors.Is(err, ErrAmortization) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		// Up to three prepayments in turn, each after the one before.
		k, after := uint32(1), terms.Start
		shortened := false // by an earlier ShortenTerm
		for range 1 + rng.Intn(3) {
			count := uint32(len(s))
			k += uint32(rng.Intn(int(count - k + 1)))
			prev := terms.Start
			if k > 1 {
				prev = s[k-2].Due
			}
			prev = max(prev, after)
			p := prev + calendar.Day(rng.Int63n(int64(s[k-1].Due-prev)))
			after = p
			outstanding := mustPrincipalFrom(t, s, k)
			var balance uint64
			switch rng.Intn(4) {
			case 0:
				balance = outstanding // nothing prepaid
			case 1:
				balance = outstanding - min(outstanding, 1+uint64(rng.Intn(100))) // a few units
			default:
				balance = uint64(rng.Int63n(int64(outstanding) + 1))
			}
			mode := PrepayMode(1 + rng.Intn(2))
			got, err := Reamortize(terms, s, k, p, balance, mode)
			if errors.Is(err, ErrAmortization) && mode == LowerInstallment {
				refused++
				break
			}
			if err != nil {
				t.Fatalf("%+v\nprepaid on %s before %d to %d, %s: %v", terms, p, k, balance, mode, err)
			}
			reamortized++
			if problem := checkReamortized(terms, s, k, p, balance, mode, shortened, got); problem != "" {
				t.Fatalf("%+v\nprepaid on %s before %d to %d, %s: %s\nbefore %+v\nafter %+v", terms, p, k, balance, mode, problem, s[k-1:], got)
			}
			if len(got) < len(s[k-1:]) {
				shortened = true
				shorter++
			}
			if balance == 0 {
				break
			}
			s = append(s[:k-1:k-1], got...)
		}
	}
	t.Logf("%d reamortisations (%d shorter), %d refused with ErrAmortization", reamortized, shorter, refused)
}

// checkReamortized returns the first way in which got, the reamortisation
// of s from k, breaks the rules, or "". shortened says s was shortened by
// an earlier ShortenTerm.
func checkReamortized(t Terms, s []Installment, k uint32, p calendar.Day, balance uint64, mode PrepayMode, shortened bool, got []Installment) string {
	if balance == 0 {
		if got != nil {
			return "installments for a repaid loan"
		}
		return ""
	}
	rest := s[k-1:]
	if len(got) == 0 || len(got) > len(rest) {
		return "more installments than remained, or none"
	}
	if mode == LowerInstallment && len(got) != len(rest) {
		return "LowerInstallment changed the number of installments"
	}
	a := max(k, t.Grace+1)
	oldLevel, hasLevel := level(t, s, a)
	newLevel, _ := level(t, append(append([]Installment(nil), s[:k-1]...), got...), a)
	left := balance
	from := p
	for i, in := range got {
		seq := k + uint32(i)
		if in.Seq != seq || in.Due != t.due(seq) {
			return "numbering or due dates changed"
		}
		if in.Principal > left {
			return "principal beyond the balance"
		}
		// Interest: to the day for the first period, by the accrual after.
		want := rule(t, left, 1, from, in.Due)
		if i == 0 || t.Accrual == Daily {
			want = rule(Terms{RateBps: t.RateBps, Accrual: Daily, Basis: t.Basis}, left, 1, from, in.Due)
		}
		if in.Interest != want {
			return "interest is not the rule's"
		}
		isLast := i == len(got)-1
		switch {
		case isLast:
			if in.Principal != left {
				return "the last does not repay the balance"
			}
		case seq < a || t.Method == InterestOnly || t.Method == Bullet:
			if in.Principal != 0 {
				return "principal in a grace or interest-only period"
			}
		case hasLevel && t.Method == EqualPrincipal:
			if in.Principal != newLevel {
				return "an equal-principal installment off its level"
			}
		case hasLevel && t.Method == EqualInstallments:
			monthly, _ := monthlyInterest(left, t.RateBps)
			if in.Principal+monthly != newLevel {
				return "an annuity installment off its EMI"
			}
		}
		left -= in.Principal
		from = in.Due
	}
	if left != 0 {
		return "principal does not sum to the balance"
	}
	if hasLevel && len(got) > 1 && int(a-k) < len(got)-1 {
		switch mode {
		case ShortenTerm:
			if newLevel != oldLevel {
				return "ShortenTerm changed the level"
			}
		case LowerInstallment:
			if newLevel > oldLevel {
				return "LowerInstallment raised the level"
			}
			// Every installment after the first and before the last is at
			// most the one it replaces: for EqualInstallments exactly (they
			// are the EMI). For EqualPrincipal, whose installments carry the
			// interest on their balance, up to the interest on the former
			// schedule's rounding (fewer units than months), by which a later
			// balance can exceed the former one after a prepayment smaller
			// than that rounding; and not at all after an earlier ShortenTerm
			// (see TestLowerAfterShorten).
			slack := uint64(0)
			if t.Method == EqualPrincipal {
				if shortened {
					break
				}
				slack = rule(Terms{RateBps: t.RateBps, Accrual: Daily, Basis: t.Basis}, uint64(t.Months), 1, 0, 31) + 1
			}
			for i := 1; i < len(got)-1; i++ {
				if got[i].Principal+got[i].Interest > rest[i].Principal+rest[i].Interest+slack {
					return "LowerInstallment raised an installment"
				}
			}
		}
	}
	if t.Method == EqualInstallments && hasLevel && mode == LowerInstallment && int(a-k) < len(got)-1 {
		last, oldLast := got[len(got)-1], rest[len(rest)-1]
		if newLevel == oldLevel {
			// The EMI kept on a balance no larger: no balance rises, nor
			// the last installment.
			if last.Principal+last.Interest > oldLast.Principal+oldLast.Interest {
				return "the EMI kept, the last installment rose"
			}
		} else {
			// The EMI recomputed: the last strays from it by less than the
			// compounded rounding.
			m := uint32(len(got)) - (a - k)
			diff := new(big.Int).Sub(new(big.Int).SetUint64(last.Principal+last.Interest), new(big.Int).SetUint64(newLevel))
			if new(big.Rat).SetInt(diff.Abs(diff)).Cmp(accumulation(t.RateBps, m)) >= 0 {
				return "the last strays from the EMI by more than the compounded rounding"
			}
		}
	}
	return ""
}

// After a ShortenTerm, an equal-principal schedule ends with a smaller
// installment; a LowerInstallment then spreads the balance evenly over the
// installments left, small last included. The principal per installment
// falls, but the balance runs down more slowly than before, and where more
// than 1/r months remain its interest can outgrow the fall: later
// installments rise (here 301 of 355, by up to 0.37, after a prepayment of
// 0.01). It is the rule (Fineract's too), stated here so that no one
// mistakes it for a bug.
func TestLowerAfterShorten(t *testing.T) {
	terms := Terms{Principal: 10_000_000, RateBps: 2400, Months: 360, Method: EqualPrincipal, Accrual: Monthly, Basis: 360, Start: day("2026-01-31")}
	s, err := Generate(terms)
	if err != nil {
		t.Fatal(err)
	}
	// 300.00 prepaid before the 2nd installment, keeping 277.78 a month:
	// the schedule ends with the 359th, of 254.76.
	b2 := mustPrincipalFrom(t, s, 2) - 30_000
	shorter, err := Reamortize(terms, s, 2, s[0].Due, b2, ShortenTerm)
	if err != nil {
		t.Fatal(err)
	}
	s = append(s[:1:1], shorter...)
	if last := s[len(s)-1]; len(s) != 359 || last.Principal != 25_476 || s[1].Principal != 27_778 {
		t.Fatalf("after ShortenTerm: %d installments, the last %+v", len(s), last)
	}
	// 0.01 prepaid before the 3rd: 277.72 a month over the 357 left.
	b3 := mustPrincipalFrom(t, s, 3) - 1
	lower, err := Reamortize(terms, s, 3, s[1].Due, b3, LowerInstallment)
	if err != nil {
		t.Fatal(err)
	}
	if lower[1].Principal != 27_772 {
		t.Errorf("principal per installment %d; want 277.72", lower[1].Principal)
	}
	var risen int
	var most uint64
	for i, in := range lower[1 : len(lower)-1] {
		now, before := in.Principal+in.Interest, s[3+i].Principal+s[3+i].Interest
		if now > before {
			risen++
			most = max(most, now-before)
		}
	}
	if risen != 301 || most != 37 {
		t.Errorf("%d of %d installments rose, by up to %d; want 301, by up to 0.37", risen, len(lower)-2, most)
	}
}
