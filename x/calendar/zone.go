package calendar

// SecondsPerDay is the length of every day: Unix time has no leap seconds.
const SecondsPerDay = 86400

// Zone is a time zone at a fixed offset from UTC, with no daylight saving
// time. The zero value is UTC.
type Zone struct {
	// UTCOffset is the offset east of UTC in seconds: 28800 for UTC+8,
	// -18000 for UTC-5. Real zones lie within ±14 hours; the offset is
	// validated where it is configured, and any value gives a consistent
	// calendar.
	UTCOffset int32
}

// Day returns the local day of Unix time unix: the day that starts at local
// midnight at or before it. It is exact for every int64 and int32 offset
// (no intermediate overflows).
func (z Zone) Day(unix int64) Day {
	days, sec := floorDivMod(unix, SecondsPerDay)
	shift, _ := floorDivMod(sec+int64(z.UTCOffset), SecondsPerDay)
	return Day(days + shift)
}

// SecondOfDay returns the seconds since the local midnight of unix's local
// day, in [0, 86399]: 8*3600 at 08:00 local time. Compare it with bounds
// such as 8*3600 <= s && s < 21*3600 ("from 08:00 until 21:00").
func (z Zone) SecondOfDay(unix int64) int64 {
	_, sec := floorDivMod(unix, SecondsPerDay)
	_, sec = floorDivMod(sec+int64(z.UTCOffset), SecondsPerDay)
	return sec
}

// Start returns the Unix time of d's local midnight, the first second of d:
// z.Day(t) == d exactly when z.Start(d) <= t < z.Start(d+1).
func (z Zone) Start(d Day) int64 {
	return int64(d)*SecondsPerDay - int64(z.UTCOffset)
}

// floorDivMod returns the quotient a/b rounded toward minus infinity, and
// the remainder a - q*b, which has the sign of b. b must be positive.
func floorDivMod(a, b int64) (q, r int64) {
	q, r = a/b, a%b
	if r < 0 {
		q, r = q-1, r+b
	}
	return q, r
}
