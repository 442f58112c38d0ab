package wallet

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
)

func TestDay(t *testing.T) {
	const cst = 8 * 3600
	for _, tc := range []struct {
		t      int64
		offset int32
		want   int64
	}{
		{0, 0, 0},
		{86399, 0, 0},
		{86400, 0, 1},
		{-1, 0, -1},
		{-86400, 0, -1},
		{-86401, 0, -2},
		// UTC+8: the day starts at 16:00 UTC the day before.
		{-cst, cst, 0},
		{-cst - 1, cst, -1},
		{86400 - cst - 1, cst, 0},
		{86400 - cst, cst, 1},
		// UTC-5: the day starts at 05:00 UTC.
		{5*3600 - 1, -5 * 3600, -1},
		{5 * 3600, -5 * 3600, 0},
		{-86400 + 5*3600 - 1, -5 * 3600, -2},
		// 2025-01-01 15:59:58, 15:59:59 and 16:00:00 UTC in UTC+8.
		{time.Date(2025, 1, 1, 15, 59, 58, 0, time.UTC).Unix(), cst, 20089},
		{time.Date(2025, 1, 1, 15, 59, 59, 0, time.UTC).Unix(), cst, 20089},
		{time.Date(2025, 1, 1, 16, 0, 0, 0, time.UTC).Unix(), cst, 20090},
		// Far from the epoch, without overflow.
		{math.MinInt64 / 2, 0, (math.MinInt64/2)/86400 - 1},
	} {
		if got := Day(tc.t, tc.offset); got != tc.want {
			t.Errorf("Day(%d, %d) = %d, want %d", tc.t, tc.offset, got, tc.want)
		}
	}
}

// TestDayMatchesTimePackage: Day agrees with the calendar date of the
// time package in a fixed zone, around the day boundary, for offsets from
// -14:00 to +14:00.
func TestDayMatchesTimePackage(t *testing.T) {
	epoch := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, offset := range []int32{-14 * 3600, -5 * 3600, -1800, 0, 1, 5*3600 + 1800, 8 * 3600, 14 * 3600} {
		zone := time.FixedZone("", int(offset))
		for _, base := range []int64{-3e9, -86400, 0, 1.7e9, 4.1e9} {
			for _, delta := range []int64{-86401, -86400, -1, 0, 1, 86399, 86400} {
				// The start of base's local day, and delta around it.
				lt := time.Unix(base, 0).In(zone)
				start := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, zone).Unix()
				ts := start + delta
				local := time.Unix(ts, 0).In(zone)
				want := int64(time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC).Sub(epoch) / (24 * time.Hour))
				if got := Day(ts, offset); got != want {
					t.Fatalf("Day(%d, %d) = %d, want %d (%s)", ts, offset, got, want, local)
				}
			}
		}
	}
}

func TestCivilDate(t *testing.T) {
	days := func(y int, m time.Month, d int) int64 {
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	}
	for _, tc := range []struct {
		day     int64
		y, m, d int
	}{
		{0, 1970, 1, 1},
		{-1, 1969, 12, 31},
		{-365, 1969, 1, 1},
		{-366, 1968, 12, 31},
		{days(2024, 2, 28), 2024, 2, 28},
		{days(2024, 2, 28) + 1, 2024, 2, 29}, // leap
		{days(2024, 2, 28) + 2, 2024, 3, 1},
		{days(2100, 2, 28) + 1, 2100, 3, 1},  // 2100 is not leap
		{days(2000, 2, 28) + 1, 2000, 2, 29}, // 2000 is
		{days(1900, 2, 28) + 1, 1900, 3, 1},
		{days(2025, 12, 31), 2025, 12, 31},
		{days(2025, 12, 31) + 1, 2026, 1, 1},
		{days(1, 1, 1), 1, 1, 1},
		{days(0, 12, 31), 0, 12, 31},
		{days(-400, 3, 1), -400, 3, 1},
		{days(9999, 12, 31), 9999, 12, 31},
	} {
		y, m, d := CivilDate(tc.day)
		if int(y) != tc.y || m != tc.m || d != tc.d {
			t.Errorf("CivilDate(%d) = %d-%02d-%02d, want %d-%02d-%02d", tc.day, y, m, d, tc.y, tc.m, tc.d)
		}
	}
}

// TestCivilDateMatchesTimePackage walks every day from 1600 to 2500.
func TestCivilDateMatchesTimePackage(t *testing.T) {
	from := time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)
	first := from.Unix() / 86400
	last := time.Date(2500, 12, 31, 0, 0, 0, 0, time.UTC).Unix() / 86400
	date := from
	for day := first; day <= last; day++ {
		y, m, d := CivilDate(day)
		if int(y) != date.Year() || m != int(date.Month()) || d != date.Day() {
			t.Fatalf("CivilDate(%d) = %d-%02d-%02d, want %s", day, y, m, d, date.Format(time.DateOnly))
		}
		date = date.AddDate(0, 0, 1)
	}
}

// TestFlowRollover: a wallet's flow record resets its day counters on a
// new day and its year counter on a new year, and not otherwise.
func TestFlowRollover(t *testing.T) {
	const cst = 8 * 3600
	day := func(y int, m time.Month, d int) int64 {
		return Day(time.Date(y, m, d, 12, 0, 0, 0, time.FixedZone("", cst)).Unix(), cst)
	}
	w := &walletv1.Wallet{}
	f := flowOf(w, "CNY", day(2025, 12, 30))
	f.DayInflow, f.DayOutflow, f.YearOutflow = 1, 2, 3
	if f = flowOf(w, "CNY", day(2025, 12, 30)); f.DayInflow != 1 || f.DayOutflow != 2 || f.YearOutflow != 3 || f.Year != 2025 {
		t.Fatalf("same day: %v", f)
	}
	f = flowOf(w, "CNY", day(2025, 12, 31))
	if f.DayInflow != 0 || f.DayOutflow != 0 || f.YearOutflow != 3 || f.Year != 2025 {
		t.Fatalf("next day: %v", f)
	}
	f.DayOutflow, f.YearOutflow = 4, 7
	f = flowOf(w, "CNY", day(2026, 1, 1))
	if f.DayOutflow != 0 || f.YearOutflow != 0 || f.Year != 2026 || f.Day != day(2026, 1, 1) {
		t.Fatalf("next year: %v", f)
	}
	// Another denom has its own record, kept sorted.
	flowOf(w, "AUD", day(2026, 1, 1)).DayOutflow = 9
	flowOf(w, "USD", day(2026, 1, 1))
	if len(w.Flows) != 3 || w.Flows[0].Denom != "AUD" || w.Flows[1].Denom != "CNY" || w.Flows[2].Denom != "USD" ||
		flowOf(w, "AUD", day(2026, 1, 1)).DayOutflow != 9 {
		t.Fatalf("flows %v", w.Flows)
	}
}

func TestParseUTCOffset(t *testing.T) {
	for in, want := range map[string]int32{"+08:00": 28800, "-05:30": -19800, "+00:00": 0, "-00:00": 0, "+14:00": 50400} {
		if got, err := ParseUTCOffset(in); err != nil || got != want {
			t.Errorf("ParseUTCOffset(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "08:00", "+8:00", "+08:0", "+0800", "+15:00", "+08:60", "UTC", "+a8:00"} {
		if _, err := ParseUTCOffset(in); err == nil {
			t.Errorf("ParseUTCOffset(%q) accepted", in)
		}
	}
}

func TestEffectiveLimits(t *testing.T) {
	g := DefaultGenesis()
	st, err := g.Validate(MemberList(members()))
	if err != nil {
		t.Fatal(err)
	}
	p := st.Params
	lim := func(w *walletv1.Wallet, denom string) string {
		l := EffectiveLimits(p, w, denom)
		return fmt.Sprintf("%d/%d/%d/%d", l.BalanceCap, l.PaymentLimit, l.DailyOutflowLimit, l.AnnualOutflowLimit)
	}
	own := func(l *walletv1.Limits) []*walletv1.WalletLimits {
		return []*walletv1.WalletLimits{{Denom: "CNY", Limits: l}}
	}
	for _, tc := range []struct {
		name string
		w    *walletv1.Wallet
		want string
	}{
		{"tier 1", &walletv1.Wallet{Tier: 1}, "0/0/0/0"},
		{"tier 2", &walletv1.Wallet{Tier: 2}, "50000000/5000000/10000000/0"},
		{"tier 3", &walletv1.Wallet{Tier: 3}, "2000000/500000/1000000/0"},
		{"tier 4", &walletv1.Wallet{Tier: 4}, "1000000/200000/500000/0"},
		{"tier 1 with own", &walletv1.Wallet{Tier: 1, Limits: own(&walletv1.Limits{PaymentLimit: 7, AnnualOutflowLimit: 9})}, "0/7/0/9"},
		{"tier 4 stricter", &walletv1.Wallet{Tier: 4, Limits: own(&walletv1.Limits{BalanceCap: 10, DailyOutflowLimit: 20})}, "10/200000/20/0"},
		{"tier 4 looser", &walletv1.Wallet{Tier: 4, Limits: own(&walletv1.Limits{BalanceCap: 1e9, PaymentLimit: 1e9, DailyOutflowLimit: 1e9})}, "1000000/200000/500000/0"},
		{"tier 4 mixed", &walletv1.Wallet{Tier: 4, Limits: own(&walletv1.Limits{BalanceCap: 1e9, PaymentLimit: 5})}, "1000000/5/500000/0"},
		{"other denom", &walletv1.Wallet{Tier: 4, Limits: own(&walletv1.Limits{PaymentLimit: 5})}, "0/0/0/0"},
	} {
		denom := "CNY"
		if tc.name == "other denom" {
			denom = "USD"
		}
		if got := lim(tc.w, denom); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// TestCheckPayment: every limit passes exactly at it and fails one above,
// with its own error, the payment limit first.
func TestCheckPayment(t *testing.T) {
	l := &walletv1.Limits{PaymentLimit: 100, DailyOutflowLimit: 250, AnnualOutflowLimit: 1000}
	for _, tc := range []struct {
		day, year, amount uint64
		want              error
	}{
		{0, 0, 100, nil},
		{0, 0, 101, ErrPaymentLimit},
		{150, 150, 100, nil},
		{151, 151, 100, ErrDailyLimit},
		{250, 250, 1, ErrDailyLimit},
		{0, 900, 100, nil},
		{0, 901, 100, ErrAnnualLimit},
		{251, 1001, 101, ErrPaymentLimit},
		{math.MaxUint64, 0, 1, ErrAmountOverflow},
	} {
		err := checkPayment(owner1, l, &walletv1.Flow{DayOutflow: tc.day, YearOutflow: tc.year}, amountsOf(&walletv1.Params{}, "CNY"), tc.amount)
		if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("day %d year %d amount %d: %v, want %v", tc.day, tc.year, tc.amount, err, tc.want)
		}
	}
	if err := checkPayment(owner1, &walletv1.Limits{}, &walletv1.Flow{DayOutflow: 1 << 62}, amountsOf(&walletv1.Params{}, "CNY"), 1<<62); err != nil {
		t.Errorf("no limits: %v", err)
	}
	if err := checkBalanceCap(owner1, &walletv1.Limits{BalanceCap: 10}, amountsOf(&walletv1.Params{}, "CNY"), 10); err != nil {
		t.Errorf("at the cap: %v", err)
	}
	if err := checkBalanceCap(owner1, &walletv1.Limits{BalanceCap: 10}, amountsOf(&walletv1.Params{}, "CNY"), 11); !errors.Is(err, ErrBalanceCap) {
		t.Errorf("above the cap: %v", err)
	}
}

// TestExpiryKeyOrder: the expiry queue is ordered by time first, so the
// orders due before a time are the keys below the time's prefix.
func TestExpiryKeyOrder(t *testing.T) {
	hi := bytes.Repeat([]byte{0xff}, 20)
	lo := make([]byte, 20)
	keys := [][]byte{
		ExpiryKey(1, hi, math.MaxUint64),
		ExpiryKey(2, lo, 0),
		ExpiryKey(255, hi, 1),
		ExpiryKey(256, lo, 1),
		ExpiryKey(1<<40, lo, 1),
	}
	for i := 1; i < len(keys); i++ {
		if bytes.Compare(keys[i-1], keys[i]) >= 0 {
			t.Fatalf("key %d %x not below key %d %x", i-1, keys[i-1], i, keys[i])
		}
	}
	end := append([]byte{prefixExpiry}, 0, 0, 0, 0, 0, 0, 1, 0) // time 256
	if bytes.Compare(keys[2], end) >= 0 || bytes.Compare(keys[3], end) < 0 {
		t.Fatal("an order expiring at 256 is below the bound of 256, or one at 255 is not")
	}
}
