// Package calendar is the consortium's calendar: days, months and month
// ends in its time zone, a fixed offset from UTC (no daylight saving time),
// computed from Unix times with integer arithmetic only.
//
// A [Day] counts days since 1970-01-01 in the zone, and a [Month] months
// since 1970-01; both are plain int64 counts, so they order, subtract and
// store as integers. A [Zone] maps a Unix time (a block time) to its local
// day and second of the day, and a day back to the Unix time of its local
// midnight. Dates are proleptic Gregorian (every year before 1582 is
// counted as if the Gregorian rules had always held), with a year 0 before
// year 1, as in ISO 8601 and the time package; the conversions are Howard
// Hinnant's civil-from-days and days-from-civil.
//
// Due dates: [AddMonths] steps months from an anchor day, clamping to the
// month's last day when the anchor's day of the month does not exist (a
// loan drawn on 31 January falls due on 28 or 29 February, then 31 March).
// Always add to the anchor: stepping from the previous due date instead
// loses the anchor's day for good after a short month.
//
// Range: [Zone.Day] and [Zone.SecondOfDay] are exact for every int64 Unix
// time. Dates are exact for the years [MinYear, MaxYear] (the int32 range,
// as the ledger stores years), that is the days [MinDay, MaxDay], some two
// billion years either side of today, and [Zone.Start] is exact for those
// days. Beyond them results are wrong, but deterministic, and nothing
// panics.
//
// Nothing here reads the clock: time comes in as a Unix time, from the
// block. Every function is pure and deterministic, and safe for concurrent
// use.
package calendar
