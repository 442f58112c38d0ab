package arith

import (
	"errors"
	"math"
	"testing"
)

func TestSigned(t *testing.T) {
	for _, c := range []struct {
		a, b Signed
		sum  string
		cmp  int
	}{
		{Plus(5), Plus(7), "12", -1},
		{Plus(5), Minus(7), "-2", 1},
		{Minus(5), Plus(7), "2", -1},
		{Minus(5), Minus(7), "-12", 1},
		{Minus(7), Plus(7), "0", -1},
		{Plus(0), Minus(0), "0", 0},
		{Minus(math.MaxUint64), Plus(math.MaxUint64), "0", -1},
	} {
		got, err := c.a.Add(c.b)
		if err != nil || got.String() != c.sum || got.Neg && got.Abs == 0 {
			t.Errorf("%v + %v = %v, %v; want %s", c.a, c.b, got, err, c.sum)
		}
		if c.a.Cmp(c.b) != c.cmp || c.b.Cmp(c.a) != -c.cmp {
			t.Errorf("cmp(%v, %v) = %d, want %d", c.a, c.b, c.a.Cmp(c.b), c.cmp)
		}
		back, err := got.Sub(c.b)
		if err != nil || back.Cmp(c.a) != 0 {
			t.Errorf("(%v + %v) - %v = %v, %v", c.a, c.b, c.b, back, err)
		}
	}
	if _, err := Minus(math.MaxUint64).Add(Minus(1)); !errors.Is(err, ErrOverflow) {
		t.Errorf("-max - 1: %v, want ErrOverflow", err)
	}
	if p, n := Minus(3).Split(); p != 0 || n != 3 {
		t.Errorf("split -3 = %d, %d", p, n)
	}
}
