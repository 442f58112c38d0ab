package app_test

import (
	"testing"
	"time"

	"github.com/ledgerd/ledgerd/app/apptest"
	"github.com/ledgerd/ledgerd/node/appstate"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// TestDayRollover: the daily limit counts calendar days of the block time
// in the consortium's time zone. In UTC+8 (the default) a block at 15:59:59
// UTC is on the same day as one at 15:59:58 and on the day before one at
// 16:00:00.
func TestDayRollover(t *testing.T) {
	for _, tc := range []struct {
		offset   string
		seconds  int32
		boundary time.Time // the first second of the next day, in UTC
	}{
		{"+08:00", 8 * 3600, utc(2025, 1, 1, 16, 0, 0)},
		{"+00:00", 0, utc(2025, 1, 2, 0, 0, 0)},
		{"-05:00", -5 * 3600, utc(2025, 1, 1, 5, 0, 0)},
		{"+05:30", 5*3600 + 1800, utc(2025, 1, 1, 18, 30, 0)},
	} {
		t.Run(tc.offset, func(t *testing.T) {
			t.Parallel()
			opts := apptest.Options{Wallets: 2, Balance: sourceBalance}
			if tc.offset != "+08:00" {
				opts.EditGenesis = func(g *appstate.State) { g.Wallet.UTCOffset = tc.offset }
			}
			e := newTierEnvOpts(t, 4, opts)
			if got := paramsOf(e.chain).UtcOffsetSeconds; got != tc.seconds {
				t.Fatalf("utc offset %d, want %d", got, tc.seconds)
			}
			before, after := tc.boundary.Add(-time.Second), tc.boundary
			day := wallet.Day(after.Unix(), tc.seconds)
			if wallet.Day(before.Unix(), tc.seconds) != day-1 || wallet.Day(before.Add(-time.Second).Unix(), tc.seconds) != day-1 {
				t.Fatalf("Day puts %s and %s on the same day", before, after)
			}

			e.okAt(before.Add(-time.Second), e.payments(e.lim.DailyOutflowLimit)...)
			e.rejectAt(before, e.pay(1), wallet.ErrDailyLimit) // same day
			// The next day: the limit is fresh.
			e.okAt(after, append([][]byte{e.deposit(e.sAddr, 1)}, e.payments(e.lim.DailyOutflowLimit)...)...)
			if f := e.wallet(e.sAddr).Flows[0]; f.Day != day || f.DayOutflow != e.lim.DailyOutflowLimit || f.DayInflow != 1 {
				t.Fatalf("flow %v, want day %d", f, day)
			}
			e.reject(e.pay(1), wallet.ErrDailyLimit)
			e.wantBalance(e.sAddr, 1)
			e.checkState()
		})
	}
}

// TestYearRollover: the annual outflow resets on the first day of the
// year in the consortium's time zone (2026-01-01 00:00 UTC+8 is 2025-12-31
// 16:00 UTC).
func TestYearRollover(t *testing.T) {
	t.Parallel()
	e := newTierEnv(t, 4)
	const annual = 300_000
	e.setLimits(e.sAddr, &walletv1.Limits{AnnualOutflowLimit: annual})
	e.okAt(utc(2025, 6, 30, 3, 0, 0), e.pay(100_000))
	e.okAt(utc(2025, 12, 31, 15, 59, 56), e.pay(150_000))
	e.reject(e.pay(50_001), wallet.ErrAnnualLimit) // at 15:59:57
	e.ok(e.pay(50_000))                            // at 15:59:58
	if f := e.wallet(e.sAddr).Flows[0]; f.Year != 2025 || f.YearOutflow != annual {
		t.Fatalf("flow %v", f)
	}
	e.rejectAt(utc(2025, 12, 31, 15, 59, 59), e.pay(1), wallet.ErrAnnualLimit)
	e.okAt(utc(2025, 12, 31, 16, 0, 0), e.pay(200_000), e.pay(100_000))
	if f := e.wallet(e.sAddr).Flows[0]; f.Year != 2026 || f.YearOutflow != annual || f.DayOutflow != annual {
		t.Fatalf("flow %v", f)
	}
	e.reject(e.pay(1), wallet.ErrAnnualLimit)
	e.checkState()
}
