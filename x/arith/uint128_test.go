package arith

import (
	"errors"
	"math/big"
	"testing"
)

func TestMul128(t *testing.T) {
	for _, tc := range []struct {
		a, b uint64
		want Uint128
	}{
		{0, maxU, Uint128{}},
		{maxU, 1, Uint128{Lo: maxU}},
		{1 << 32, 1 << 32, Uint128{Hi: 1}},
		{maxU, 2, Uint128{Hi: 1, Lo: maxU - 1}},
		{maxU, maxU, Uint128{Hi: maxU - 1, Lo: 1}}, // 2^128 - 2^65 + 1
	} {
		if got := Mul128(tc.a, tc.b); got != tc.want {
			t.Errorf("Mul128(%d, %d) = %+v, want %+v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestUint128Add(t *testing.T) {
	for _, tc := range []struct {
		x, y, want Uint128
		err        error
	}{
		{Uint128{}, Uint128{}, Uint128{}, nil},
		{Uint128{Lo: 2}, Uint128{Lo: 3}, Uint128{Lo: 5}, nil},
		{Uint128{Lo: maxU}, Uint128{Lo: 1}, Uint128{Hi: 1}, nil}, // the carry
		{Uint128{Hi: 1, Lo: maxU}, Uint128{Hi: 2, Lo: maxU}, Uint128{Hi: 4, Lo: maxU - 1}, nil},
		{Uint128{Hi: maxU - 1, Lo: maxU}, Uint128{Lo: maxU}, Uint128{Hi: maxU, Lo: maxU - 1}, nil},
		{Uint128{Hi: maxU, Lo: maxU}, Uint128{}, Uint128{Hi: maxU, Lo: maxU}, nil},
		{Uint128{Hi: maxU, Lo: maxU}, Uint128{Lo: 1}, Uint128{}, ErrOverflow}, // through the carry
		{Uint128{Hi: maxU}, Uint128{Hi: 1}, Uint128{}, ErrOverflow},           // in the high word
		{Uint128{Hi: 1 << 63}, Uint128{Hi: 1 << 63}, Uint128{}, ErrOverflow},
	} {
		got, err := tc.x.Add(tc.y)
		if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("%+v.Add(%+v) = %+v, %v; want %+v, %v", tc.x, tc.y, got, err, tc.want, tc.err)
		}
	}
}

func TestUint128Mul64(t *testing.T) {
	for _, tc := range []struct {
		x    Uint128
		y    uint64
		want Uint128
		err  error
	}{
		{Uint128{Hi: maxU, Lo: maxU}, 0, Uint128{}, nil},
		{Uint128{Hi: maxU, Lo: maxU}, 1, Uint128{Hi: maxU, Lo: maxU}, nil},
		{Uint128{Lo: maxU}, maxU, Uint128{Hi: maxU - 1, Lo: 1}, nil},
		{Uint128{Hi: 1}, maxU, Uint128{Hi: maxU}, nil},
		{Uint128{Hi: 1, Lo: 1}, maxU, Uint128{Hi: maxU, Lo: maxU}, nil},
		{Uint128{Hi: 1, Lo: 1 << 63}, 2, Uint128{Hi: 3}, nil},                       // the low word carries
		{Uint128{Hi: 1<<63 - 1, Lo: maxU}, 2, Uint128{Hi: maxU, Lo: maxU - 1}, nil}, // 2^128 - 2
		{Uint128{Hi: 1 << 63}, 2, Uint128{}, ErrOverflow},                           // the high product
		{Uint128{Hi: 0x5555555555555555, Lo: maxU}, 3, Uint128{}, ErrOverflow},      // only the carry overflows
		{Uint128{Hi: 1}, 1 << 63, Uint128{Hi: 1 << 63}, nil},
	} {
		got, err := tc.x.Mul64(tc.y)
		if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("%+v.Mul64(%d) = %+v, %v; want %+v, %v", tc.x, tc.y, got, err, tc.want, tc.err)
		}
	}
}

func TestUint128DivRem64(t *testing.T) {
	for _, tc := range []struct {
		x    Uint128
		d    uint64
		q, r uint64
		err  error
	}{
		{Uint128{}, 1, 0, 0, nil},
		{Uint128{Lo: 7}, 2, 3, 1, nil},
		{Uint128{Hi: 1}, 2, 1 << 63, 0, nil},
		{Uint128{Hi: 1, Lo: 5}, 3, 6148914691236517207, 0, nil}, // 2^64+5 = 3 * ...207
		{Uint128{Hi: maxU - 1, Lo: 1}, maxU, maxU, 0, nil},
		{Uint128{Hi: maxU - 1, Lo: maxU}, maxU, maxU, maxU - 1, nil},
		{Uint128{Hi: 1}, 1, 0, 0, ErrOverflow},
		{Uint128{Hi: maxU, Lo: 0}, maxU, 0, 0, ErrOverflow},
		{Uint128{}, 0, 0, 0, ErrDivByZero},
	} {
		q, r, err := tc.x.DivRem64(tc.d)
		if q != tc.q || r != tc.r || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("%+v.DivRem64(%d) = %d, %d, %v; want %d, %d, %v", tc.x, tc.d, q, r, err, tc.q, tc.r, tc.err)
		}
	}
}

// TestUint128Accrual: the use the type is for. Interest at 365 bps a year
// on a 360-day basis accrues daily on 1,000.00 and carries its fraction of
// a fen from day to day: 30 days give exactly what one 30-day period gives,
// where rounding each day down would lose a fen a day.
func TestUint128Accrual(t *testing.T) {
	const principal, bps, basis = 100_000, 365, 360
	const divisor = BpsScale * basis
	var accrued, carry, truncated uint64
	for range 30 {
		p := Mul128(principal, bps)
		p, err := p.Add(Uint128{Lo: carry})
		if err != nil {
			t.Fatal(err)
		}
		var q uint64
		if q, carry, err = p.DivRem64(divisor); err != nil {
			t.Fatal(err)
		}
		accrued += q
		d, _ := MulDiv(principal, bps, divisor, Down)
		truncated += d
	}
	p, err := Mul128(principal, bps).Mul64(30)
	if err != nil {
		t.Fatal(err)
	}
	once, rem, err := p.DivRem64(divisor)
	if err != nil {
		t.Fatal(err)
	}
	// 100,000 * 365 * 30 / 3,600,000 = 304.1666...
	if accrued != 304 || carry != rem || once != 304 || truncated != 300 {
		t.Errorf("accrued %d carry %d; once %d rem %d; truncated daily %d", accrued, carry, once, rem, truncated)
	}
}

// FuzzUint128: Add, Mul64 and DivRem64 agree with math/big.
func FuzzUint128(f *testing.F) {
	f.Add(uint64(0), uint64(0), uint64(0), uint64(0))
	f.Add(uint64(maxU), uint64(maxU), uint64(1), uint64(maxU))
	f.Add(uint64(0x5555555555555555), uint64(maxU), uint64(3), uint64(3))
	f.Add(uint64(1), uint64(5), uint64(3), uint64(2))
	f.Fuzz(func(t *testing.T, hi, lo, y, d uint64) {
		x := Uint128{Hi: hi, Lo: lo}
		bx := new(big.Int).Lsh(new(big.Int).SetUint64(hi), 64)
		bx.Or(bx, new(big.Int).SetUint64(lo))
		limit := new(big.Int).Lsh(big.NewInt(1), 128)
		toBig := func(u Uint128) *big.Int {
			b := new(big.Int).Lsh(new(big.Int).SetUint64(u.Hi), 64)
			return b.Or(b, new(big.Int).SetUint64(u.Lo))
		}

		sum := new(big.Int).Add(bx, new(big.Int).SetUint64(y))
		got, err := x.Add(Uint128{Lo: y})
		if fits := sum.Cmp(limit) < 0; fits != (err == nil) || fits && toBig(got).Cmp(sum) != 0 {
			t.Fatalf("%+v.Add(%d) = %+v, %v; want %v", x, y, got, err, sum)
		}
		prod := new(big.Int).Mul(bx, new(big.Int).SetUint64(y))
		got, err = x.Mul64(y)
		if fits := prod.Cmp(limit) < 0; fits != (err == nil) || fits && toBig(got).Cmp(prod) != 0 {
			t.Fatalf("%+v.Mul64(%d) = %+v, %v; want %v", x, y, got, err, prod)
		}
		q, r, err := x.DivRem64(d)
		switch {
		case d == 0:
			if !errors.Is(err, ErrDivByZero) {
				t.Fatalf("%+v.DivRem64(0): %v", x, err)
			}
		default:
			bq, br := new(big.Int).QuoRem(bx, new(big.Int).SetUint64(d), new(big.Int))
			if fits := bq.IsUint64(); fits != (err == nil) || fits && (bq.Uint64() != q || br.Uint64() != r) || !fits && !errors.Is(err, ErrOverflow) {
				t.Fatalf("%+v.DivRem64(%d) = %d, %d, %v; want %v, %v", x, d, q, r, err, bq, br)
			}
		}
	})
}
