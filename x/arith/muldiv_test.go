package arith

import (
	"errors"
	"fmt"
	"math/big"
	"testing"
)

// TestMulDiv: each case in the three roundings, hand-checked.
func TestMulDiv(t *testing.T) {
	// 2^65-1 = 31 * 1190112520884487201: divided by 2 it is 2^64-1 and a
	// half, so only Down fits.
	const f65 = 1190112520884487201
	for _, tc := range []struct {
		a, b, c          uint64
		down, halfUp, up uint64
		err              [3]error // Down, HalfUp, Up
	}{
		{0, 5, 7, 0, 0, 0, [3]error{}},
		{6, 1, 3, 2, 2, 2, [3]error{}},
		{10, 1, 3, 3, 3, 4, [3]error{}},   // 3.33
		{20, 1, 3, 6, 7, 7, [3]error{}},   // 6.67
		{5, 1, 2, 2, 3, 3, [3]error{}},    // 2.5: a tie goes up
		{15, 1, 10, 1, 2, 2, [3]error{}},  // 1.5
		{25, 1, 10, 2, 3, 3, [3]error{}},  // 2.5
		{14, 1, 10, 1, 1, 2, [3]error{}},  // 1.4
		{16, 1, 10, 1, 2, 2, [3]error{}},  // 1.6
		{1, 1, maxU, 0, 0, 1, [3]error{}}, // the smallest fraction
		{maxU, 1, maxU, 1, 1, 1, [3]error{}},
		// The 128-bit product: 2^64-1 squared over itself.
		{maxU, maxU, maxU, maxU, maxU, maxU, [3]error{}},
		{maxU, 2, 2, maxU, maxU, maxU, [3]error{}},
		{1 << 63, 2, 2, 1 << 63, 1 << 63, 1 << 63, [3]error{}},
		{1 << 32, 1 << 32, 3, 6148914691236517205, 6148914691236517205, 6148914691236517206, [3]error{}}, // 2^64/3 = ...205.33
		// Remainders near half of an odd divisor: 2^63 / (2^64-1) is just
		// above a half, (2^63-1) / (2^64-1) just below.
		{1 << 63, 1, maxU, 0, 1, 1, [3]error{}},
		{1<<63 - 1, 1, maxU, 0, 0, 1, [3]error{}},
		// A tie with an even divisor of 2^63.
		{1 << 62, 1, 1 << 63, 0, 1, 1, [3]error{}},
		{1<<62 - 1, 1, 1 << 63, 0, 0, 1, [3]error{}},
		// The quotient 2^64-1 with a remainder of half: rounding up overflows.
		{31, f65, 2, maxU, 0, 0, [3]error{nil, ErrOverflow, ErrOverflow}},
		// Quotients of 2^64 and above.
		{1 << 63, 2, 1, 0, 0, 0, [3]error{ErrOverflow, ErrOverflow, ErrOverflow}},
		{maxU, 2, 1, 0, 0, 0, [3]error{ErrOverflow, ErrOverflow, ErrOverflow}},
		{maxU, maxU, maxU - 1, 0, 0, 0, [3]error{ErrOverflow, ErrOverflow, ErrOverflow}},
		{maxU, maxU, 1 << 63, 0, 0, 0, [3]error{ErrOverflow, ErrOverflow, ErrOverflow}},
		// Division by zero, whatever the product.
		{0, 0, 0, 0, 0, 0, [3]error{ErrDivByZero, ErrDivByZero, ErrDivByZero}},
		{1, 1, 0, 0, 0, 0, [3]error{ErrDivByZero, ErrDivByZero, ErrDivByZero}},
		{maxU, maxU, 0, 0, 0, 0, [3]error{ErrDivByZero, ErrDivByZero, ErrDivByZero}},
	} {
		for i, r := range []Rounding{Down, HalfUp, Up} {
			want := []uint64{tc.down, tc.halfUp, tc.up}[i]
			got, err := MulDiv(tc.a, tc.b, tc.c, r)
			checkResult(t, fmt.Sprintf("MulDiv(%d, %d, %d, %v)", tc.a, tc.b, tc.c, r), got, err, want, tc.err[i])
		}
	}
}

func TestMulDivRem(t *testing.T) {
	for _, tc := range []struct {
		a, b, c, q, rem uint64
		err             error
	}{
		{0, 0, 1, 0, 0, nil},
		{10, 1, 3, 3, 1, nil},
		{7, 9, 4, 15, 3, nil},
		{maxU, maxU, maxU, maxU, 0, nil},
		{1 << 32, 1 << 32, 3, 6148914691236517205, 1, nil},
		{maxU, maxU, 1 << 63, 0, 0, ErrOverflow}, // 2^65-4 and 1/2^63
		{1 << 32, 1 << 32, 1, 0, 0, ErrOverflow},
		{1, 1, 0, 0, 0, ErrDivByZero},
	} {
		q, rem, err := MulDivRem(tc.a, tc.b, tc.c)
		if !errors.Is(err, tc.err) || q != tc.q || rem != tc.rem {
			t.Errorf("MulDivRem(%d, %d, %d) = %d, %d, %v; want %d, %d, %v", tc.a, tc.b, tc.c, q, rem, err, tc.q, tc.rem, tc.err)
		}
	}
}

func TestApplyBps(t *testing.T) {
	for _, tc := range []struct {
		amount uint64
		bps    uint32
		r      Rounding
		want   uint64
		err    error
	}{
		{0, 10000, HalfUp, 0, nil},
		{12345, 0, Up, 0, nil},
		{10000, 150, Down, 150, nil},
		{12345, 150, Down, 185, nil}, // 185.175
		{12345, 150, HalfUp, 185, nil},
		{12345, 150, Up, 186, nil},
		{1, 5000, Down, 0, nil}, // 0.5
		{1, 5000, HalfUp, 1, nil},
		{1, 4999, HalfUp, 0, nil},
		{99, 1, Up, 1, nil},                          // 0.0099
		{100_000_000, 2400, HalfUp, 24_000_000, nil}, // 24% of 1,000,000.00
		{maxU, 10000, Down, maxU, nil},
		{maxU, 5000, HalfUp, 1 << 63, nil}, // 2^63 - 0.5
		{maxU, 5000, Down, 1<<63 - 1, nil},
		{maxU, 10001, Down, 0, ErrOverflow},
		{1 << 62, 40000, Down, 0, ErrOverflow},          // exactly 2^64
		{1 << 62, 39999, Up, 18446282905107708878, nil}, // 2^62 * 3.9999 = ...877.2096
	} {
		got, err := ApplyBps(tc.amount, tc.bps, tc.r)
		checkResult(t, fmt.Sprintf("ApplyBps(%d, %d, %v)", tc.amount, tc.bps, tc.r), got, err, tc.want, tc.err)
	}
}

func TestRoundingString(t *testing.T) {
	for r, want := range []string{"down", "half-up", "up", "Rounding(3)"} {
		if got := Rounding(r).String(); got != want {
			t.Errorf("Rounding(%d).String() = %q, want %q", r, got, want)
		}
	}
}

// TestInvalidRoundingPanics: a Rounding that is none of the constants is a
// programming error, even where the quotient is exact.
func TestInvalidRoundingPanics(t *testing.T) {
	for _, a := range []uint64{3, 4} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("MulDiv(%d, 1, 2, Rounding(3)) did not panic", a)
				}
			}()
			_, _ = MulDiv(a, 1, 2, Rounding(3))
		}()
	}
}

// bigMulDiv is MulDiv and MulDivRem computed with math/big: the rounded
// quotient, the exact quotient and remainder, and the error they must give.
func bigMulDiv(a, b, c uint64, r Rounding) (rounded, q, rem uint64, errRounded, errExact error) {
	if c == 0 {
		return 0, 0, 0, ErrDivByZero, ErrDivByZero
	}
	p := new(big.Int).Mul(new(big.Int).SetUint64(a), new(big.Int).SetUint64(b))
	bq, brem := new(big.Int).QuoRem(p, new(big.Int).SetUint64(c), new(big.Int))
	up := false
	switch r {
	case HalfUp:
		up = new(big.Int).Lsh(brem, 1).Cmp(new(big.Int).SetUint64(c)) >= 0
	case Up:
		up = brem.Sign() != 0
	}
	if bq.IsUint64() {
		q, rem = bq.Uint64(), brem.Uint64()
	} else {
		errExact = ErrOverflow
	}
	if up {
		bq.Add(bq, big.NewInt(1))
	}
	if bq.IsUint64() {
		rounded = bq.Uint64()
	} else {
		errRounded = ErrOverflow
	}
	return rounded, q, rem, errRounded, errExact
}

// FuzzMulDiv: MulDiv and MulDivRem agree with math/big on every input.
func FuzzMulDiv(f *testing.F) {
	for _, s := range [][3]uint64{
		{10, 1, 3}, {5, 1, 2}, {maxU, maxU, maxU}, {31, 1190112520884487201, 2},
		{1 << 63, 1, maxU}, {1 << 62, 1, 1 << 63}, {maxU, maxU, maxU - 1}, {1, 1, 0},
	} {
		for r := range uint8(3) {
			f.Add(s[0], s[1], s[2], r)
		}
	}
	f.Fuzz(func(t *testing.T, a, b, c uint64, rb uint8) {
		r := Rounding(rb % 3)
		want, wantQ, wantRem, wantErr, wantErrExact := bigMulDiv(a, b, c, r)
		got, err := MulDiv(a, b, c, r)
		if got != want || !errors.Is(err, wantErr) || (wantErr == nil) != (err == nil) {
			t.Fatalf("MulDiv(%d, %d, %d, %v) = %d, %v; want %d, %v", a, b, c, r, got, err, want, wantErr)
		}
		q, rem, err := MulDivRem(a, b, c)
		if q != wantQ || rem != wantRem || !errors.Is(err, wantErrExact) || (wantErrExact == nil) != (err == nil) {
			t.Fatalf("MulDivRem(%d, %d, %d) = %d, %d, %v; want %d, %d, %v", a, b, c, q, rem, err, wantQ, wantRem, wantErrExact)
		}
	})
}
