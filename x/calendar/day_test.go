package calendar

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// date returns the day of a date the test knows to be valid.
func date(t testing.TB, y, m, d int) Day {
	t.Helper()
	day, err := Date(y, m, d)
	if err != nil {
		t.Fatal(err)
	}
	return day
}

// TestCivil: days and their dates, checked outside this package (Python's
// datetime for years 1 to 9999, the time package for the others), across
// leap days, century years, the epoch and the ends of the range.
func TestCivil(t *testing.T) {
	for _, tc := range []struct {
		day     Day
		y, m, d int
	}{
		{0, 1970, 1, 1},
		{-1, 1969, 12, 31},
		{-365, 1969, 1, 1},
		{-366, 1968, 12, 31},
		{31, 1970, 2, 1},
		{58, 1970, 2, 28},
		{59, 1970, 3, 1},
		{19781, 2024, 2, 28},
		{19782, 2024, 2, 29}, // 2024 is leap
		{19783, 2024, 3, 1},
		{20453, 2025, 12, 31},
		{20454, 2026, 1, 1},
		{20484, 2026, 1, 31},
		{20512, 2026, 2, 28},
		{20513, 2026, 3, 1},  // 2026 is not
		{11016, 2000, 2, 29}, // 2000 is: divisible by 400
		{11017, 2000, 3, 1},
		{47540, 2100, 2, 28},
		{47541, 2100, 3, 1}, // 2100 is not: divisible by 100
		{-25509, 1900, 2, 28},
		{-25508, 1900, 3, 1},
		{-719162, 1, 1, 1},
		{-719163, 0, 12, 31},
		{-719468, 0, 3, 1},
		{-719469, 0, 2, 29}, // year 0 is leap, like 400
		{-865565, -400, 3, 1},
		{2932896, 9999, 12, 31},
		{2932897, 10000, 1, 1},
		{MinDay, MinYear, 1, 1},
		{MinDay - 1, MinYear - 1, 12, 31},
		{MaxDay, MaxYear, 12, 31},
		{MaxDay + 1, MaxYear + 1, 1, 1},
	} {
		y, m, d := tc.day.Civil()
		if y != tc.y || m != tc.m || d != tc.d {
			t.Errorf("Day(%d).Civil() = %d-%02d-%02d, want %d-%02d-%02d", tc.day, y, m, d, tc.y, tc.m, tc.d)
		}
		if tc.day < MinDay || tc.day > MaxDay {
			continue
		}
		if got, err := Date(tc.y, tc.m, tc.d); err != nil || got != tc.day {
			t.Errorf("Date(%d, %d, %d) = %d, %v; want %d", tc.y, tc.m, tc.d, got, err, tc.day)
		}
		if got := tc.day.Year(); got != tc.y {
			t.Errorf("Day(%d).Year() = %d, want %d", tc.day, got, tc.y)
		}
	}
}

// TestCivilMatchesTimePackage walks every day from 1600 to 2500.
func TestCivilMatchesTimePackage(t *testing.T) {
	from := time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)
	first := Day(from.Unix() / 86400)
	last := Day(time.Date(2500, 12, 31, 0, 0, 0, 0, time.UTC).Unix() / 86400)
	date := from
	for day := first; day <= last; day++ {
		y, m, d := day.Civil()
		if y != date.Year() || m != int(date.Month()) || d != date.Day() {
			t.Fatalf("Day(%d).Civil() = %d-%02d-%02d, want %s", day, y, m, d, date.Format(time.DateOnly))
		}
		if back, err := Date(y, m, d); err != nil || back != day {
			t.Fatalf("Date(%d, %d, %d) = %d, %v; want %d", y, m, d, back, err, day)
		}
		date = date.AddDate(0, 0, 1)
	}
}

func TestDateInvalid(t *testing.T) {
	for _, tc := range []struct {
		y, m, d int
		msg     string
	}{
		{2026, 2, 29, "calendar: invalid date: 2026-02-29: 2026-02 has 28 days"},
		{2100, 2, 29, "2100-02-29: 2100-02 has 28 days"},
		{2024, 2, 30, "2024-02-30: 2024-02 has 29 days"},
		{2026, 4, 31, "2026-04-31: 2026-04 has 30 days"},
		{2026, 1, 32, "2026-01-32: 2026-01 has 31 days"},
		{2026, 1, 0, "2026-01-00: 2026-01 has 31 days"},
		{2026, 1, -1, "2026-01--1: 2026-01 has 31 days"},
		{2026, 0, 1, "2026-00-01: month 0 not in 1..12"},
		{2026, 13, 1, "2026-13-01: month 13 not in 1..12"},
		{-1, 2, 30, "-0001-02-30: -0001-02 has 28 days"},
		{MaxYear + 1, 1, 1, "year 2147483648 outside -2147483648..2147483647"},
		{MinYear - 1, 1, 1, "year -2147483649 outside -2147483648..2147483647"},
	} {
		got, err := Date(tc.y, tc.m, tc.d)
		if !errors.Is(err, ErrInvalidDate) || got != 0 || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("Date(%d, %d, %d) = %d, %v; want ErrInvalidDate saying %q", tc.y, tc.m, tc.d, got, err, tc.msg)
		}
	}
}

func TestIsLeapYear(t *testing.T) {
	for _, tc := range []struct {
		y    int
		leap bool
	}{
		{2024, true}, {2025, false}, {2026, false}, {2028, true},
		{2000, true}, {1600, true}, {2400, true}, {0, true}, {-400, true}, {-4, true},
		{2100, false}, {1900, false}, {1800, false}, {-100, false},
		{-1, false}, {1, false}, {MaxYear, false}, {MinYear, true},
	} {
		if got := IsLeapYear(tc.y); got != tc.leap {
			t.Errorf("IsLeapYear(%d) = %v", tc.y, got)
		}
	}
}

func TestDayString(t *testing.T) {
	for _, tc := range []struct {
		day  Day
		want string
	}{
		{0, "1970-01-01"},
		{-1, "1969-12-31"},
		{20484, "2026-01-31"},
		{19782, "2024-02-29"},
		{-719162, "0001-01-01"},
		{-719163, "0000-12-31"},
		{-719529, "-0001-12-31"},
		{-1084041, "-0999-12-31"},
		{-4371223, "-9999-12-31"},
		{-4371588, "-10000-12-31"},
		{2932896, "9999-12-31"},
		{2932897, "+10000-01-01"},
		{MaxDay, "+2147483647-12-31"},
		{MinDay, "-2147483648-01-01"},
	} {
		if got := tc.day.String(); got != tc.want {
			t.Errorf("Day(%d).String() = %q, want %q", tc.day, got, tc.want)
		}
	}
}

func TestParseDay(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want Day
	}{
		{"1970-01-01", 0},
		{"2026-01-31", 20484},
		{"2024-02-29", 19782},
		{"0000-01-01", -719528},
		{"9999-12-31", 2932896},
	} {
		if got, err := ParseDay(tc.s); err != nil || got != tc.want {
			t.Errorf("ParseDay(%q) = %d, %v; want %d", tc.s, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ s, msg string }{
		{"", `calendar: invalid date: "": want YYYY-MM-DD`},
		{"2026-1-31", `"2026-1-31": want YYYY-MM-DD`},
		{"2026-01-1", "want YYYY-MM-DD"},
		{"26-01-31", "want YYYY-MM-DD"},
		{"2026/01/31", "want YYYY-MM-DD"},
		{"20260131", "want YYYY-MM-DD"},
		{"2026-01-31T00:00:00Z", "want YYYY-MM-DD"},
		{"2026-01-31 ", "want YYYY-MM-DD"},
		{" 2026-01-31", "want YYYY-MM-DD"},
		{"+2026-01-31", "want YYYY-MM-DD"},
		{"-001-01-31", "want YYYY-MM-DD"},
		{"+002-01-31", "want YYYY-MM-DD"},
		{"2026-+1-31", "want YYYY-MM-DD"},
		{"2026-01-3a", "want YYYY-MM-DD"},
		{"２０２６-01-31", "want YYYY-MM-DD"},
		{"2026-02-29", "2026-02-29: 2026-02 has 28 days"},
		{"2026-13-01", "month 13 not in 1..12"},
		{"2026-00-10", "month 0 not in 1..12"},
		{"2026-04-00", "2026-04 has 30 days"},
		{strings.Repeat("2", 50), `"2222222222222222222222222222222222222222"...: want YYYY-MM-DD`},
	} {
		got, err := ParseDay(tc.s)
		if !errors.Is(err, ErrInvalidDate) || got != 0 || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParseDay(%q) = %d, %v; want ErrInvalidDate saying %q", tc.s, got, err, tc.msg)
		}
	}
}

func TestIsMonthEnd(t *testing.T) {
	for _, tc := range []struct {
		s   string
		end bool
	}{
		{"2026-01-31", true}, {"2026-01-30", false}, {"2026-02-28", true}, {"2024-02-28", false},
		{"2024-02-29", true}, {"2100-02-28", true}, {"2000-02-28", false}, {"2026-04-30", true},
		{"2026-12-31", true}, {"2026-01-01", false}, {"1969-12-31", true}, {"0000-02-29", true},
	} {
		if got := mustParse(t, tc.s).IsMonthEnd(); got != tc.end {
			t.Errorf("%s.IsMonthEnd() = %v", tc.s, got)
		}
	}
}

func TestDaysBetween(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int64
	}{
		{"2026-01-31", "2026-01-31", 0},
		{"2026-01-31", "2026-02-28", 28},
		{"2026-02-28", "2026-01-31", -28},
		{"2024-01-31", "2024-02-29", 29},
		{"2026-01-01", "2027-01-01", 365},
		{"2024-01-01", "2025-01-01", 366},
		{"1969-12-31", "1970-01-01", 1},
		{"2000-01-01", "2100-01-01", 36525},
		{"2100-01-01", "2200-01-01", 36524},
		{"1600-01-01", "2000-01-01", 146097},
	} {
		if got := DaysBetween(mustParse(t, tc.a), mustParse(t, tc.b)); got != tc.want {
			t.Errorf("DaysBetween(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func mustParse(t testing.TB, s string) Day {
	t.Helper()
	d, err := ParseDay(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// FuzzCivil: over the whole range, Date inverts Civil, the next day's date
// is the next date (months of 31, 30, 28 or 29 days by the leap rule), and
// String and ParseDay round trip for years 0 to 9999.
func FuzzCivil(f *testing.F) {
	for _, d := range []int64{0, -1, 59, 11016, 47540, -719469, 2932896, 2932897, int64(MinDay), int64(MaxDay)} {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, n int64) {
		span := int64(MaxDay-MinDay) + 1
		d := MinDay + Day((n%span+span)%span)
		y, m, dom := d.Civil()
		if back, err := Date(y, m, dom); err != nil || back != d {
			t.Fatalf("Date(Day(%d).Civil() = %d-%d-%d) = %d, %v", d, y, m, dom, back, err)
		}
		if d == MaxDay {
			return
		}
		days := [12]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
		if m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			days = 29
		}
		ny, nm, nd := (d + 1).Civil()
		switch {
		case dom < days:
			if ny != y || nm != m || nd != dom+1 || d.IsMonthEnd() {
				t.Fatalf("after %d-%d-%d comes %d-%d-%d", y, m, dom, ny, nm, nd)
			}
		case dom > days || !d.IsMonthEnd():
			t.Fatalf("%d-%d-%d: %d days in the month", y, m, dom, days)
		case m == 12:
			if ny != y+1 || nm != 1 || nd != 1 {
				t.Fatalf("after %d-%d-%d comes %d-%d-%d", y, m, dom, ny, nm, nd)
			}
		default:
			if ny != y || nm != m+1 || nd != 1 {
				t.Fatalf("after %d-%d-%d comes %d-%d-%d", y, m, dom, ny, nm, nd)
			}
		}
		if 0 <= y && y <= 9999 {
			s := d.String()
			if want := fmt.Sprintf("%04d-%02d-%02d", y, m, dom); s != want {
				t.Fatalf("Day(%d).String() = %q, want %q", d, s, want)
			}
			if back, err := ParseDay(s); err != nil || back != d {
				t.Fatalf("ParseDay(%q) = %d, %v; want %d", s, back, err, d)
			}
		}
	})
}

// FuzzParseDay: ParseDay accepts only what String writes, and never
// panics.
func FuzzParseDay(f *testing.F) {
	for _, s := range []string{"2026-01-31", "2024-02-29", "2026-02-29", "0000-01-01", "9999-12-31", "2026-1-31", "+2026-01-31", "", "２０２６-01-31"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDay(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidDate) || d != 0 {
				t.Fatalf("ParseDay(%q) = %d, %v", s, d, err)
			}
			return
		}
		if back := d.String(); back != s {
			t.Fatalf("ParseDay(%q) = %d, which String writes %q", s, d, back)
		}
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			t.Fatalf("ParseDay(%q) accepted what the time package refuses: %v", s, err)
		}
	})
}
