package aml

import (
	"testing"
	"time"
)

func TestDays(t *testing.T) {
	for _, tc := range []struct {
		date string
		day  int64
	}{
		{"1970-01-01", 0}, {"1969-12-31", -1}, {"2000-02-29", 11016}, {"2026-11-23", 20780},
		{"0000-03-01", -719468}, {"9999-12-31", 2932896},
	} {
		if got, err := ParseDay(tc.date); err != nil || got != tc.day {
			t.Errorf("ParseDay(%s) = %d, %v, want %d", tc.date, got, err, tc.day)
		}
		if got := FormatDay(tc.day); got != tc.date {
			t.Errorf("FormatDay(%d) = %s, want %s", tc.day, got, tc.date)
		}
	}
	// Every day from 1900 to 2200 agrees with package time.
	for d := int64(-25567); d < 84000; d++ {
		want := time.Unix(d*86400, 0).UTC().Format("2006-01-02")
		if got := FormatDay(d); got != want {
			t.Fatalf("FormatDay(%d) = %s, want %s", d, got, want)
		}
		if got, err := ParseDay(want); err != nil || got != d {
			t.Fatalf("ParseDay(%s) = %d, %v, want %d", want, got, err, d)
		}
	}
	for _, bad := range []string{"", "2026-11-2", "2026/11/23", "20261123", "2026-13-01", "2026-00-10", "2026-02-29",
		"2026-04-31", "2026-11-00", "+026-11-23", "2026-1a-01", "2026-11-23T00:00"} {
		if _, err := ParseDay(bad); err == nil {
			t.Errorf("ParseDay(%q) succeeded", bad)
		}
	}
}
