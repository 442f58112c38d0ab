package schedule

import (
	"errors"
	"testing"

	"github.com/ledgerd/ledgerd/x/arith"
)

func TestMonthlyInterest(t *testing.T) {
	for _, tc := range []struct {
		balance uint64
		rate    uint32
		want    uint64
	}{
		{1_200_000, 1200, 12_000},         // 12,000.00 at 1% a month
		{1_105_381, 1200, 11_054},         // 11,053.81 × 1% = 110.5381: up
		{1_105_349, 1200, 11_053},         // 110.5349: down
		{50, 1200, 1},                     // 0.50: a half rounds up
		{49, 1200, 0},                     // 0.49
		{1_000_000, 0, 0},                 // interest-free
		{^uint64(0), 120_000, ^uint64(0)}, // 1,200% a year is 100% a month
	} {
		got, err := monthlyInterest(tc.balance, tc.rate)
		if err != nil || got != tc.want {
			t.Errorf("monthlyInterest(%d, %d) = %d, %v; want %d", tc.balance, tc.rate, got, err, tc.want)
		}
	}
	if _, err := monthlyInterest(^uint64(0), 120_001); !errors.Is(err, arith.ErrOverflow) {
		t.Errorf("monthlyInterest above 100%% a month of 2^64-1: %v; want ErrOverflow", err)
	}
}

func TestInterestToDay(t *testing.T) {
	for _, tc := range []struct {
		balance  uint64
		rate     uint32
		basis    uint32
		from, to string
		want     uint64
	}{
		// 10,000.00 at 4.35% for 28 days: 1,000,000 × 435 × 28 / 3,600,000 = 3,383.33
		{1_000_000, 435, 360, "2026-01-31", "2026-02-28", 3383},
		// on 365 days: 3,336.99
		{1_000_000, 435, 365, "2026-01-31", "2026-02-28", 3337},
		// February of a leap year: 29 days
		{1_000_000, 435, 365, "2028-01-31", "2028-02-29", 3456},
		// a whole leap year on 365 days is 366 days of interest
		{1_000_000, 1000, 365, "2028-01-01", "2029-01-01", 100_274},
		// a half rounds up: 1 × 1800 × 1 / 3,600,000 = 0.0005; 1,000 × 1800 × 1 / 3.6M = 0.5
		{1_000, 1800, 360, "2026-03-01", "2026-03-02", 1},
		{999, 1800, 360, "2026-03-01", "2026-03-02", 0},
		{1_000_000, 1200, 360, "2026-03-01", "2026-03-01", 0}, // no days
		{1_000_000, 0, 360, "2026-03-01", "2027-03-01", 0},    // no rate
	} {
		got, err := InterestToDay(tc.balance, tc.rate, tc.basis, day(tc.from), day(tc.to))
		if err != nil || got != tc.want {
			t.Errorf("InterestToDay(%d, %d, %d, %s, %s) = %d, %v; want %d", tc.balance, tc.rate, tc.basis, tc.from, tc.to, got, err, tc.want)
		}
	}
	if _, err := InterestToDay(1, 1, 360, day("2026-03-02"), day("2026-03-01")); !errors.Is(err, ErrInvalidPeriod) {
		t.Errorf("backwards period: %v; want ErrInvalidPeriod", err)
	}
	if _, err := InterestToDay(1, 1, 366, day("2026-03-01"), day("2026-03-02")); !errors.Is(err, ErrInvalidBasis) {
		t.Errorf("basis 366: %v; want ErrInvalidBasis", err)
	}
	// 2^64-1 at 100% for a year fits; for two it does not.
	if got, err := InterestToDay(^uint64(0), 10_000, 360, day("2026-01-01"), day("2026-12-27")); err != nil || got != ^uint64(0) {
		t.Errorf("2^64-1 at 100%% for 360 days: %d, %v", got, err)
	}
	if _, err := InterestToDay(^uint64(0), 10_000, 360, day("2026-01-01"), day("2027-12-31")); !errors.Is(err, arith.ErrOverflow) {
		t.Errorf("2^64-1 at 100%% for two years: %v; want ErrOverflow", err)
	}
}

// Accrual over periods of different balances and rates is summed exactly
// and rounded once: rounding each period would lose the fractions.
func TestAccrued(t *testing.T) {
	var a Accrued
	var each uint64
	periods := []struct {
		balance uint64
		rate    uint32
		days    int64
	}{
		{333_333, 1300, 1}, // 120.37
		{333_333, 1300, 1},
		{333_333, 1300, 0}, // nothing
		{333_333, 1300, 1},
		{200_000, 900, 2}, // 100
	}
	for _, p := range periods {
		var err error
		if a, err = a.Accrue(p.balance, p.rate, p.days); err != nil {
			t.Fatal(err)
		}
		one, err := Accrued{}.Accrue(p.balance, p.rate, p.days)
		if err != nil {
			t.Fatal(err)
		}
		c, err := one.Charge(360)
		if err != nil {
			t.Fatal(err)
		}
		each += c
	}
	// 333,333×1300×3 + 200,000×900×2 = 1,299,998,700 + 360,000,000
	if want := (arith.Uint128{Lo: 1_659_998_700}); a.Num != want {
		t.Fatalf("Num = %v; want %v", a.Num, want)
	}
	got, err := a.Charge(360)
	if err != nil || got != 461 { // 461.11
		t.Errorf("Charge(360) = %d, %v; want 461", got, err)
	}
	if each != 460 { // 120 × 3 + 100: rounding each period loses a minor unit
		t.Errorf("rounding each period: %d; want 460", each)
	}
	if got, err := a.Charge(365); err != nil || got != 455 { // 454.79
		t.Errorf("Charge(365) = %d, %v; want 455", got, err)
	}
	if _, err := a.Charge(0); !errors.Is(err, ErrInvalidBasis) {
		t.Errorf("Charge(0): %v; want ErrInvalidBasis", err)
	}
	if _, err := a.Accrue(1, 1, -1); !errors.Is(err, ErrInvalidPeriod) {
		t.Errorf("negative days: %v; want ErrInvalidPeriod", err)
	}
	big := Accrued{Num: arith.Uint128{Hi: ^uint64(0), Lo: ^uint64(0)}}
	if _, err := big.Accrue(1, 1, 1); !errors.Is(err, arith.ErrOverflow) {
		t.Errorf("accrued past 2^128: %v; want ErrOverflow", err)
	}
	if _, err := (Accrued{}).Accrue(^uint64(0), ^uint32(0), 1<<62); !errors.Is(err, arith.ErrOverflow) {
		t.Errorf("a term past 2^128: %v; want ErrOverflow", err)
	}
	if _, err := big.Charge(365); !errors.Is(err, arith.ErrOverflow) {
		t.Errorf("charging 2^128-1: %v; want ErrOverflow", err)
	}
}

func TestAllInBps(t *testing.T) {
	for _, tc := range []struct {
		rate, penalty, basis, want uint32
	}{
		{2400, 0, 360, 2434}, // 2,433.33: refused by a 2,400 cap
		{2400, 0, 365, 2400},
		{1200, 600, 360, 1825}, // 1,825 exactly
		{1200, 600, 365, 1800},
		{1, 0, 360, 2}, // 1.01: rounded up
		{0, 0, 360, 0},
		{2_000_000_000, 2_000_000_000, 365, 4_000_000_000},
	} {
		got, err := AllInBps(tc.rate, tc.penalty, tc.basis)
		if err != nil || got != tc.want {
			t.Errorf("AllInBps(%d, %d, %d) = %d, %v; want %d", tc.rate, tc.penalty, tc.basis, got, err, tc.want)
		}
	}
	if _, err := AllInBps(2_200_000_000, 2_200_000_000, 365); !errors.Is(err, arith.ErrOverflow) {
		t.Errorf("all-in above 2^32-1: %v; want ErrOverflow", err)
	}
	if _, err := AllInBps(^uint32(0), ^uint32(0), 360); !errors.Is(err, arith.ErrOverflow) {
		t.Errorf("all-in of the largest rates: %v; want ErrOverflow", err)
	}
	if _, err := AllInBps(1200, 0, 364); !errors.Is(err, ErrInvalidBasis) {
		t.Errorf("basis 364: %v; want ErrInvalidBasis", err)
	}
}
