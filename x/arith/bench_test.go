package arith

import "testing"

// sink keeps the compiler from dropping the benchmarked calls.
var sink uint64

func BenchmarkAdd(b *testing.B) {
	for i := range b.N {
		v, _ := Add(uint64(i), 12345)
		sink += v
	}
}

func BenchmarkSum(b *testing.B) {
	xs := []uint64{100, 25000, 1, 999_999, 42, 7, 1 << 40, 3}
	for range b.N {
		v, _ := Sum(xs...)
		sink += v
	}
}

func BenchmarkMulDiv(b *testing.B) {
	for _, r := range []Rounding{Down, HalfUp, Up} {
		b.Run(r.String(), func(b *testing.B) {
			for i := range b.N {
				v, _ := MulDiv(1<<40+uint64(i), 435, BpsScale*360, r)
				sink += v
			}
		})
	}
}

func BenchmarkMulDivRem(b *testing.B) {
	for i := range b.N {
		q, rem, _ := MulDivRem(1<<40+uint64(i), 435, BpsScale*360)
		sink += q + rem
	}
}

func BenchmarkApplyBps(b *testing.B) {
	for i := range b.N {
		v, _ := ApplyBps(uint64(i), 150, HalfUp)
		sink += v
	}
}

func BenchmarkFormat(b *testing.B) {
	for i := range b.N {
		sink += uint64(len(Format(123_456_789+uint64(i), 2)))
	}
}

func BenchmarkParse(b *testing.B) {
	for range b.N {
		v, _ := Parse("1234567.89", 2)
		sink += v
	}
}
