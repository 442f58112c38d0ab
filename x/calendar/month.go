package calendar

// Month is a calendar month: months since 1970-01, negative before it.
// Month(0) is 1970-01 and Month(673) is 2026-02.
type Month int64

// Month returns the month of d.
func (d Day) Month() Month {
	y, m, _ := d.Civil()
	return monthOf(y, m)
}

// monthOf returns the month m (1 to 12) of year y.
func monthOf(y, m int) Month {
	return Month((int64(y)-1970)*12 + int64(m) - 1)
}

// Civil returns mo's year and month of the year (1 to 12).
func (mo Month) Civil() (year, month int) {
	y, m := floorDivMod(int64(mo), 12)
	return int(y + 1970), int(m + 1)
}

// First returns the first day of mo.
func (mo Month) First() Day {
	y, m := mo.Civil()
	return daysFromCivil(int64(y), int64(m), 1)
}

// Last returns the last day of mo, its month end.
func (mo Month) Last() Day {
	return (mo + 1).First() - 1
}

// Days returns the number of days of mo, 28 to 31.
func (mo Month) Days() int {
	return daysInMonth(mo.Civil())
}

// Add returns the month n months after mo (before it for a negative n).
func (mo Month) Add(n int) Month {
	return mo + Month(n)
}

// String returns mo as YYYY-MM, "2026-02", the year written as Day.String
// writes it.
func (mo Month) String() string {
	y, m := mo.Civil()
	var buf [16]byte // a sign, 10 digits of year and -MM
	return string(append(appendYear(buf[:0], y), '-', byte('0'+m/10), byte('0'+m%10)))
}

// AddMonths returns the day n months after anchor (before it for a
// negative n): the anchor's day of the month in the month n months later,
// or that month's last day if it is shorter. A loan drawn on 31 January
// 2026 falls due on 28 February (n=1), 31 March (n=2) and 30 April (n=3).
// It is exact while the result lies in [MinDay, MaxDay].
//
// Always compute the k-th date from the anchor, as AddMonths(anchor, k):
// the clamping forgets the anchor's day, so applying AddMonths(d, 1) twice
// to 31 January gives 28 March, where AddMonths(anchor, 2) gives 31 March.
// For the same reason a month forward and a month back need not return to
// the anchor.
func AddMonths(anchor Day, n int) Day {
	y, m, dom := anchor.Civil()
	y, m = monthOf(y, m).Add(n).Civil()
	return daysFromCivil(int64(y), int64(m), int64(min(dom, daysInMonth(y, m))))
}
