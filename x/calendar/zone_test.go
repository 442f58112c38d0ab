package calendar

import (
	"math"
	"testing"
	"time"
)

const cst = 8 * 3600 // UTC+8, the consortium's zone in the examples

// unix returns the Unix time of a UTC date and time.
func unix(y int, m time.Month, d, hh, mm, ss int) int64 {
	return time.Date(y, m, d, hh, mm, ss, 0, time.UTC).Unix()
}

func TestZoneDay(t *testing.T) {
	for _, tc := range []struct {
		unix   int64
		offset int32
		want   Day
	}{
		{0, 0, 0},
		{86399, 0, 0},
		{86400, 0, 1},
		{-1, 0, -1},
		{-86400, 0, -1},
		{-86401, 0, -2},
		// UTC+8: the local day starts at 16:00 UTC the day before.
		{-cst, cst, 0},
		{-cst - 1, cst, -1},
		{86400 - cst - 1, cst, 0},
		{86400 - cst, cst, 1},
		{unix(2025, 12, 31, 15, 59, 59), cst, 20453}, // 2025-12-31 23:59:59 local
		{unix(2025, 12, 31, 16, 0, 0), cst, 20454},   // 2026-01-01 00:00:00 local
		{unix(2025, 12, 31, 23, 59, 59), cst, 20454},
		{unix(2025, 12, 31, 15, 59, 59), 0, 20453},
		{unix(2025, 12, 31, 16, 0, 0), 0, 20453},
		// UTC-5: the local day starts at 05:00 UTC.
		{5*3600 - 1, -5 * 3600, -1},
		{5 * 3600, -5 * 3600, 0},
		{-86400 + 5*3600 - 1, -5 * 3600, -2},
		{unix(2026, 1, 1, 4, 59, 59), -5 * 3600, 20453}, // 2025-12-31 23:59:59 local
		{unix(2026, 1, 1, 5, 0, 0), -5 * 3600, 20454},
		// Half-hour and odd offsets.
		{unix(2026, 1, 1, 18, 29, 59), 5*3600 + 1800, 20454}, // 23:59:59 in UTC+5:30
		{unix(2026, 1, 1, 18, 30, 0), 5*3600 + 1800, 20455},
		{-1, 1, 0},
		{-2, 1, -1},
		// Before 1970.
		{unix(1969, 12, 31, 15, 59, 59), cst, -1},
		{unix(1969, 12, 31, 16, 0, 0), cst, 0},
		{unix(1900, 3, 1, 0, 0, 0), 0, -25508},
		// Far from the epoch, without overflow at either end: floor((unix +
		// offset) / 86400) in exact arithmetic.
		{math.MinInt64 / 2, 0, (math.MinInt64/2)/86400 - 1},
		{math.MaxInt64, 0, 106751991167300},
		{math.MaxInt64, 14 * 3600, 106751991167301},
		{math.MinInt64, 0, -106751991167301},
		{math.MinInt64, -14 * 3600, -106751991167302},
		{math.MinInt64, math.MinInt32, -106751991192156},
		{math.MaxInt64, math.MaxInt32, 106751991192155},
	} {
		if got := (Zone{UTCOffset: tc.offset}).Day(tc.unix); got != tc.want {
			t.Errorf("Zone{%d}.Day(%d) = %d, want %d", tc.offset, tc.unix, got, tc.want)
		}
	}
}

// TestZoneDayMatchesTimePackage: Day agrees with the date of the time
// package in a fixed zone, around the local midnights of days far apart,
// for offsets from -14:00 to +14:00.
func TestZoneDayMatchesTimePackage(t *testing.T) {
	for _, offset := range []int32{-14 * 3600, -5 * 3600, -1800, 0, 1, 5*3600 + 1800, cst, 14 * 3600} {
		z, loc := Zone{UTCOffset: offset}, time.FixedZone("", int(offset))
		for _, base := range []int64{-62e9, -3e9, -86400, 0, 1.7e9, 4.1e9, 253e9} {
			lt := time.Unix(base, 0).In(loc)
			midnight := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, loc).Unix()
			for _, delta := range []int64{-86401, -86400, -1, 0, 1, 86399, 86400} {
				ts := midnight + delta
				local := time.Unix(ts, 0).In(loc)
				want := Day(time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400)
				if got := z.Day(ts); got != want {
					t.Fatalf("Zone{%d}.Day(%d) = %d, want %d (%s)", offset, ts, got, want, local)
				}
				sec := int64(local.Hour()*3600 + local.Minute()*60 + local.Second())
				if got := z.SecondOfDay(ts); got != sec {
					t.Fatalf("Zone{%d}.SecondOfDay(%d) = %d, want %d (%s)", offset, ts, got, sec, local)
				}
			}
		}
	}
}

func TestSecondOfDay(t *testing.T) {
	const eight, nine = 8 * 3600, 21 * 3600
	for _, tc := range []struct {
		unix   int64
		offset int32
		want   int64
	}{
		{0, 0, 0},
		{1, 0, 1},
		{86399, 0, 86399},
		{86400, 0, 0},
		{-1, 0, 86399},
		{-86400, 0, 0},
		{-86401, 0, 86399},
		{0, cst, cst},
		{-cst, cst, 0},
		{-cst - 1, cst, 86399},
		{unix(2026, 3, 2, 0, 0, 0), cst, eight}, // 08:00 local
		{unix(2026, 3, 1, 23, 59, 59), cst, eight - 1},  // 07:59:59
		{unix(2026, 3, 2, 13, 0, 0), cst, nine},         // 21:00
		{unix(2026, 3, 2, 12, 59, 59), cst, nine - 1},   // 20:59:59
		{unix(2026, 3, 2, 15, 59, 59), cst, 86399},      // 23:59:59
		{unix(2026, 3, 2, 16, 0, 0), cst, 0},            // midnight
		{unix(2026, 3, 2, 13, 0, 0), -5 * 3600, eight},  // 08:00 in UTC-5
		{unix(2026, 3, 2, 4, 59, 59), -5 * 3600, 86399}, // 23:59:59 the day before
		{unix(2026, 3, 2, 5, 0, 0), -5 * 3600, 0},
		// (unix + offset) mod 86400 in exact arithmetic.
		{math.MaxInt64, 0, 55807},
		{math.MaxInt64, 14 * 3600, 19807},
		{math.MinInt64, 0, 30592},
		{math.MinInt64, math.MinInt32, 18944},
		{math.MaxInt64, math.MaxInt32, 67454},
	} {
		if got := (Zone{UTCOffset: tc.offset}).SecondOfDay(tc.unix); got != tc.want {
			t.Errorf("Zone{%d}.SecondOfDay(%d) = %d, want %d", tc.offset, tc.unix, got, tc.want)
		}
	}
}

func TestStart(t *testing.T) {
	for _, tc := range []struct {
		d      Day
		offset int32
		want   int64
	}{
		{0, 0, 0},
		{1, 0, 86400},
		{-1, 0, -86400},
		{0, cst, -cst},
		{20454, cst, unix(2025, 12, 31, 16, 0, 0)}, // 2026-01-01 in UTC+8
		{20454, 0, unix(2026, 1, 1, 0, 0, 0)},
		{20454, -5 * 3600, unix(2026, 1, 1, 5, 0, 0)},
		{MaxDay, 0, int64(MaxDay) * 86400},
		{MinDay, cst, int64(MinDay)*86400 - cst},
	} {
		if got := (Zone{UTCOffset: tc.offset}).Start(tc.d); got != tc.want {
			t.Errorf("Zone{%d}.Start(%d) = %d, want %d", tc.offset, tc.d, got, tc.want)
		}
	}
	// Start is the first second of its day: Day(Start(d)) is d, a second
	// earlier is d-1.
	for _, offset := range []int32{-14 * 3600, -1, 0, 1, cst, 14 * 3600} {
		z := Zone{UTCOffset: offset}
		for _, d := range []Day{MinDay, -719162, -1, 0, 1, 20454, 2932896, MaxDay} {
			if s := z.Start(d); z.Day(s) != d || z.Day(s-1) != d-1 || z.SecondOfDay(s) != 0 {
				t.Errorf("Zone{%d}: Start(%d) = %d is in day %d, a second before in %d", offset, d, s, z.Day(s), z.Day(s-1))
			}
		}
	}
}
