package calendar

import "testing"

// sink keeps the compiler from dropping the benchmarked calls.
var sink int64

func BenchmarkZoneDay(b *testing.B) {
	z := Zone{UTCOffset: 8 * 3600}
	for i := range b.N {
		sink += int64(z.Day(1_767_196_800 + int64(i)))
	}
}

func BenchmarkCivil(b *testing.B) {
	for i := range b.N {
		y, m, d := Day(20484 + i%100000).Civil()
		sink += int64(y + m + d)
	}
}

func BenchmarkYear(b *testing.B) {
	for i := range b.N {
		sink += int64(Day(20484 + i%100000).Year())
	}
}

func BenchmarkDate(b *testing.B) {
	for i := range b.N {
		d, _ := Date(2026, 1+i%12, 1+i%28)
		sink += int64(d)
	}
}

func BenchmarkAddMonths(b *testing.B) {
	for i := range b.N {
		sink += int64(AddMonths(20484, i%360))
	}
}

func BenchmarkDayString(b *testing.B) {
	for i := range b.N {
		sink += int64(len(Day(20484 + i%100000).String()))
	}
}

func BenchmarkParseDay(b *testing.B) {
	for range b.N {
		d, _ := ParseDay("2026-01-31")
		sink += int64(d)
	}
}
