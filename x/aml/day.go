package aml

import (
	"fmt"

	"github.com/ledgerd/ledgerd/x/wallet"
)

// FormatDay returns day (days since 1970-01-01) as an ISO 8601 date,
// YYYY-MM-DD, by integer arithmetic (wallet.CivilDate): deterministic, no
// time zone data.
func FormatDay(day int64) string {
	y, m, d := wallet.CivilDate(day)
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
}

// ParseDay returns the day number of an ISO 8601 date YYYY-MM-DD (years
// 0000 to 9999), the inverse of FormatDay. It rejects dates that do not
// exist, such as 2026-02-29.
func ParseDay(date string) (int64, error) {
	bad := fmt.Errorf("date %q: want YYYY-MM-DD, a calendar date", date)
	if len(date) != 10 || date[4] != '-' || date[7] != '-' {
		return 0, bad
	}
	num := func(s string) (int64, bool) {
		var n int64
		for _, c := range []byte(s) {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int64(c-'0')
		}
		return n, true
	}
	y, ok1 := num(date[:4])
	m, ok2 := num(date[5:7])
	d, ok3 := num(date[8:])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, bad
	}
	day := daysFromCivil(y, m, d)
	if cy, cm, cd := wallet.CivilDate(day); int64(cy) != y || int64(cm) != m || int64(cd) != d {
		return 0, bad
	}
	return day, nil
}

// daysFromCivil is Howard Hinnant's days_from_civil: the day number of a
// proleptic Gregorian date, for month 1-12 and day 1-31.
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}
