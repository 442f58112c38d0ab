package calendar

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Day is a calendar day in a Zone: days since 1970-01-01, negative before
// it. Day(0) is 1970-01-01 and Day(20484) is 2026-01-31. Days are counted
// in the zone: a Day means one local date, whatever the offset.
type Day int64

// The range of years and days in which conversions are exact.
const (
	MinYear = math.MinInt32
	MaxYear = math.MaxInt32
	// MinDay is MinYear-01-01, MaxDay is MaxYear-12-31.
	MinDay Day = -784_353_015_833
	MaxDay Day = 784_351_576_776
)

// ErrInvalidDate: Date or ParseDay refused a date; the wrapping error says
// which and why.
var ErrInvalidDate = errors.New("calendar: invalid date")

// Date returns the day of year y, month m (1 to 12) and day of the month d.
// It fails with an error wrapping ErrInvalidDate, which says why, if m or d
// is out of range for the month (2026-02-29 is refused, not normalised to 1
// March) or y is outside [MinYear, MaxYear].
func Date(y, m, d int) (Day, error) {
	switch {
	case y < MinYear || y > MaxYear:
		return 0, fmt.Errorf("%w: year %d outside %d..%d", ErrInvalidDate, y, MinYear, MaxYear)
	case m < 1 || m > 12:
		return 0, fmt.Errorf("%w: %s-%02d-%02d: month %d not in 1..12", ErrInvalidDate, formatYear(y), m, d, m)
	case d < 1 || d > daysInMonth(y, m):
		return 0, fmt.Errorf("%w: %s-%02d-%02d: %s-%02d has %d days", ErrInvalidDate, formatYear(y), m, d, formatYear(y), m, daysInMonth(y, m))
	}
	return daysFromCivil(int64(y), int64(m), int64(d)), nil
}

// daysFromCivil is Howard Hinnant's days_from_civil: the day of a valid
// proleptic Gregorian date. Years are counted from March, so that the leap
// day ends the year.
func daysFromCivil(y, m, d int64) Day {
	if m <= 2 {
		y--
	}
	era, yoe := floorDivMod(y, 400)        // yoe in [0, 399]
	mp := (m + 9) % 12                     // March = 0, ..., February = 11
	doy := (153*mp+2)/5 + d - 1            // [0, 365]
	doe := yoe*365 + yoe/4 - yoe/100 + doy // [0, 146096]
	return Day(era*146097 + doe - 719468)  // 0000-03-01 is day -719468
}

// Civil returns d's proleptic Gregorian year, month (1 to 12) and day of
// the month (1 to 31), after Howard Hinnant's civil_from_days. It is exact
// for d in [MinDay, MaxDay] and agrees there with the time package.
func (d Day) Civil() (year, month, day int) {
	era, doe := floorDivMod(int64(d)+719468, 146097)       // doe in [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365]
	mp := (5*doy + 2) / 153                                // March = 0
	dom := doy - (153*mp+2)/5 + 1                          // [1, 31]
	m := (mp+2)%12 + 1                                     // [1, 12]
	y := yoe + era*400
	if m <= 2 {
		y++
	}
	return int(y), int(m), int(dom)
}

// Year returns d's year, the year of Civil. The calendar year begins on 1
// January: an annual counter resets when Year changes.
func (d Day) Year() int {
	y, _, _ := d.Civil()
	return y
}

// IsMonthEnd reports whether d is the last day of its month.
func (d Day) IsMonthEnd() bool {
	_, _, dom := (d + 1).Civil()
	return dom == 1
}

// DaysBetween returns b - a: the days from a to b, negative if b is before
// a. From a loan's drawdown to its first due date is DaysBetween(drawn,
// due) days of interest.
func DaysBetween(a, b Day) int64 {
	return int64(b - a)
}

// IsLeapYear reports whether year y of the proleptic Gregorian calendar has
// 366 days: divisible by 4 and not by 100, or by 400 (2024 and 2000 are,
// 2100 is not).
func IsLeapYear(y int) bool {
	return y%4 == 0 && (y%100 != 0 || y%400 == 0)
}

// daysInMonth returns the days of month m (1 to 12) of year y.
func daysInMonth(y, m int) int {
	if m == 2 && IsLeapYear(y) {
		return 29
	}
	return int(monthDays[m-1])
}

var monthDays = [12]uint8{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// String returns d as ISO 8601 YYYY-MM-DD, "2026-01-31". A year outside
// 0000..9999 is written with a sign and at least four digits, as ISO 8601's
// expanded years: "-0001-12-31", "+10000-01-01"; ParseDay refuses those.
func (d Day) String() string {
	y, m, dom := d.Civil()
	var buf [24]byte // a sign, 10 digits of year and -MM-DD
	b := appendYear(buf[:0], y)
	b = append(b, '-', byte('0'+m/10), byte('0'+m%10), '-', byte('0'+dom/10), byte('0'+dom%10))
	return string(b)
}

// formatYear returns year y as String writes it.
func formatYear(y int) string {
	return string(appendYear(nil, y))
}

func appendYear(b []byte, y int) []byte {
	switch {
	case y < 0:
		b = append(b, '-')
	case y > 9999:
		b = append(b, '+')
	}
	u := uint64(y)
	if y < 0 {
		u = -u
	}
	for p := uint64(1000); p > 1 && u < p; p /= 10 {
		b = append(b, '0')
	}
	return strconv.AppendUint(b, u, 10)
}

// ParseDay returns the day of s, a date written YYYY-MM-DD as String writes
// it: exactly four digits of year (0000 to 9999), two of month and two of
// day. It fails with an error wrapping ErrInvalidDate, which quotes s and
// says what is wrong, for any other form (no signs, spaces, times or zones)
// and for a date that does not exist ("2026-02-29").
func ParseDay(s string) (Day, error) {
	if len(s) != len("2006-01-02") || s[4] != '-' || s[7] != '-' {
		return 0, fmt.Errorf("%w: %s: want YYYY-MM-DD", ErrInvalidDate, quote(s))
	}
	y, ok1 := atoi(s[0:4])
	m, ok2 := atoi(s[5:7])
	d, ok3 := atoi(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return 0, fmt.Errorf("%w: %s: want YYYY-MM-DD", ErrInvalidDate, quote(s))
	}
	return Date(y, m, d)
}

// atoi returns the value of s, ASCII decimal digits only.
func atoi(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// quote returns s quoted for an error message, cut after 40 bytes.
func quote(s string) string {
	const max = 40
	if len(s) > max {
		return strconv.Quote(s[:max]) + "..."
	}
	return strconv.Quote(s)
}
