package calendar

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata")

func TestMonth(t *testing.T) {
	for _, tc := range []struct {
		day         string
		month       Month
		str         string
		first, last string
		days        int
	}{
		{"1970-01-01", 0, "1970-01", "1970-01-01", "1970-01-31", 31},
		{"1969-12-31", -1, "1969-12", "1969-12-01", "1969-12-31", 31},
		{"2026-01-31", 672, "2026-01", "2026-01-01", "2026-01-31", 31},
		{"2026-02-14", 673, "2026-02", "2026-02-01", "2026-02-28", 28},
		{"2024-02-01", 649, "2024-02", "2024-02-01", "2024-02-29", 29},
		{"2000-02-29", 361, "2000-02", "2000-02-01", "2000-02-29", 29},
		{"2100-02-10", 1561, "2100-02", "2100-02-01", "2100-02-28", 28},
		{"2026-04-30", 675, "2026-04", "2026-04-01", "2026-04-30", 30},
		{"2026-12-25", 683, "2026-12", "2026-12-01", "2026-12-31", 31},
		{"0000-01-01", -23640, "0000-01", "0000-01-01", "0000-01-31", 31},
	} {
		d := mustParse(t, tc.day)
		mo := d.Month()
		if mo != tc.month || mo.String() != tc.str || mo.First().String() != tc.first || mo.Last().String() != tc.last || mo.Days() != tc.days {
			t.Errorf("%s: month %d %s, %s to %s, %d days; want %d %s, %s to %s, %d days",
				tc.day, mo, mo, mo.First(), mo.Last(), mo.Days(), tc.month, tc.str, tc.first, tc.last, tc.days)
		}
		if y, m := mo.Civil(); fmt.Sprintf("%04d-%02d", y, m) != tc.str {
			t.Errorf("Month(%d).Civil() = %d, %d; want %s", mo, y, m, tc.str)
		}
		if !mo.Last().IsMonthEnd() || (mo.First()-1).Month() != mo.Add(-1) || (mo.Last()+1).Month() != mo.Add(1) {
			t.Errorf("%s: the days around %s do not border it", tc.day, mo)
		}
	}
	for _, tc := range []struct {
		mo   Month
		n    int
		want string
	}{
		{672, 0, "2026-01"},
		{672, 1, "2026-02"},
		{672, 11, "2026-12"},
		{672, 12, "2027-01"},
		{672, -1, "2025-12"},
		{672, -12, "2025-01"},
		{672, -13, "2024-12"},
		{672, 360, "2056-01"},
		{0, -1, "1969-12"},
		{0, -23641, "-0001-12"},
		{0, 96360, "+10000-01"},
	} {
		if got := tc.mo.Add(tc.n).String(); got != tc.want {
			t.Errorf("Month(%d).Add(%d) = %s, want %s", tc.mo, tc.n, got, tc.want)
		}
	}
	// The ends of the range.
	if mo := MinDay.Month(); mo.First() != MinDay || mo.String() != "-2147483648-01" {
		t.Errorf("MinDay's month %s starts on %s", mo, mo.First())
	}
	if mo := MaxDay.Month(); mo.Last() != MaxDay || mo.String() != "+2147483647-12" {
		t.Errorf("MaxDay's month %s ends on %s", mo, mo.Last())
	}
}

// TestAddMonths: due dates from anchors on month ends and leap days,
// hand-checked, forward and back.
func TestAddMonths(t *testing.T) {
	for _, tc := range []struct {
		anchor string
		n      int
		want   string
	}{
		// Drawn on 31 January: the due day clamps to each month's end.
		{"2026-01-31", 0, "2026-01-31"},
		{"2026-01-31", 1, "2026-02-28"},
		{"2026-01-31", 2, "2026-03-31"},
		{"2026-01-31", 3, "2026-04-30"},
		{"2026-01-31", 4, "2026-05-31"},
		{"2026-01-31", 5, "2026-06-30"},
		{"2026-01-31", 11, "2026-12-31"},
		{"2026-01-31", 12, "2027-01-31"},
		{"2026-01-31", 13, "2027-02-28"},
		{"2026-01-31", 25, "2028-02-29"}, // leap
		{"2024-01-31", 1, "2024-02-29"},
		{"2024-01-30", 1, "2024-02-29"},
		{"2024-01-29", 1, "2024-02-29"},
		{"2024-01-28", 1, "2024-02-28"},
		{"2025-01-29", 1, "2025-02-28"},
		{"2099-12-31", 2, "2100-02-28"}, // 2100 is not leap
		{"1999-12-31", 2, "2000-02-29"}, // 2000 is
		// Drawn on a leap day: the 29th wherever it exists.
		{"2024-02-29", 1, "2024-03-29"},
		{"2024-02-29", 12, "2025-02-28"},
		{"2024-02-29", 13, "2025-03-29"},
		{"2024-02-29", 48, "2028-02-29"},
		// Drawn on the 30th: February clamps, 31-day months keep the 30th.
		{"2026-04-30", 1, "2026-05-30"},
		{"2026-04-30", 10, "2027-02-28"},
		{"2026-04-30", 11, "2027-03-30"},
		// Mid-month anchors never clamp.
		{"2026-01-15", 1, "2026-02-15"},
		{"2026-01-15", 360, "2056-01-15"},
		// Backwards.
		{"2026-03-31", -1, "2026-02-28"},
		{"2026-03-31", -2, "2026-01-31"},
		{"2026-03-31", -13, "2025-02-28"},
		{"2026-03-31", -25, "2024-02-29"},
		{"2026-01-15", -1, "2025-12-15"},
		// Before 1970.
		{"1969-12-31", 2, "1970-02-28"},
		{"1968-01-31", 1, "1968-02-29"},
	} {
		if got := AddMonths(mustParse(t, tc.anchor), tc.n).String(); got != tc.want {
			t.Errorf("AddMonths(%s, %d) = %s, want %s", tc.anchor, tc.n, got, tc.want)
		}
	}
}

// TestAddMonthsRepeatedDiffers: stepping from the last due date is not
// stepping from the anchor, which is why the anchor must be kept.
func TestAddMonthsRepeatedDiffers(t *testing.T) {
	a := mustParse(t, "2026-01-31")
	stepped := a
	for range 2 {
		stepped = AddMonths(stepped, 1)
	}
	if stepped.String() != "2026-03-28" || AddMonths(a, 2).String() != "2026-03-31" {
		t.Errorf("stepped twice %s, from the anchor %s", stepped, AddMonths(a, 2))
	}
	if back := AddMonths(AddMonths(a, 1), -1); back.String() != "2026-01-28" {
		t.Errorf("a month on and back: %s", back)
	}
}

// addMonthsByTime is AddMonths from the time package: the anchor's day of
// the month, or the target month's last day (day 0 of the month after).
func addMonthsByTime(y, m, d, n int) (int, int, int) {
	first := time.Date(y, time.Month(m)+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(first.Year(), first.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return first.Year(), int(first.Month()), min(d, last)
}

// TestAddMonthsMatchesTimePackage: every anchor day of 1999 to 2001 and
// 2099 to 2101, n from -30 to 30.
func TestAddMonthsMatchesTimePackage(t *testing.T) {
	for _, from := range []string{"1999-01-01", "2099-01-01"} {
		start := mustParse(t, from)
		for anchor := start; anchor < start+3*366; anchor++ {
			y, m, d := anchor.Civil()
			for n := -30; n <= 30; n++ {
				wy, wm, wd := addMonthsByTime(y, m, d, n)
				if gy, gm, gd := AddMonths(anchor, n).Civil(); gy != wy || gm != wm || gd != wd {
					t.Fatalf("AddMonths(%s, %d) = %d-%02d-%02d, want %d-%02d-%02d", anchor, n, gy, gm, gd, wy, wm, wd)
				}
			}
		}
	}
}

// TestAddMonthsGolden: the first 13 monthly due dates of loans drawn on the
// days that clamp, in testdata/addmonths.golden for review as a table.
func TestAddMonthsGolden(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("# AddMonths(anchor, n) for n = 1..13: the monthly due dates of a loan drawn on anchor.\n")
	b.WriteString("# Regenerate with go test ./x/calendar -run TestAddMonthsGolden -update, and review the diff.\n")
	for _, anchor := range []string{
		"2024-01-28", "2024-01-29", "2024-01-30", "2024-01-31", "2024-02-29", "2024-03-31", "2024-08-31",
		"2025-01-29", "2025-01-31", "2025-02-28", "2025-05-31", "2025-10-31", "2025-12-31",
		"2026-01-31", "2099-11-30", "2099-12-31", "1999-12-31", "1969-12-31",
	} {
		a := mustParse(t, anchor)
		b.WriteString(anchor)
		for n := 1; n <= 13; n++ {
			fmt.Fprintf(&b, " %s", AddMonths(a, n))
		}
		b.WriteByte('\n')
	}
	path := filepath.Join("testdata", "addmonths.golden")
	if *updateGolden {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("AddMonths differs from %s (rerun with -update and review the diff):\n%s", path, b.String())
	}
}
