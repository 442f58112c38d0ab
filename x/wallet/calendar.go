package wallet

// secondsPerDay is the length of a calendar day; the ledger has no leap
// seconds (block times are Unix times).
const secondsPerDay = 86400

// Day returns the calendar day of Unix time t in a time zone utcOffset
// seconds east of UTC, as days since 1970-01-01. Integer arithmetic only:
// every node computes the same day.
func Day(t int64, utcOffset int32) int64 {
	return floorDiv(t+int64(utcOffset), secondsPerDay)
}

// CivilDate returns the proleptic Gregorian year, month and day of day
// (days since 1970-01-01), after Howard Hinnant's civil_from_days.
func CivilDate(day int64) (year int32, month, dom int) {
	z := day + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return int32(y), int(m), int(d)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
