package arith

import "strconv"

// Signed is a signed amount in minor units, as sign and magnitude: the
// magnitude spans all of uint64, as unsigned amounts do. Zero is never
// negative. Interbank positions and a bank's issuance after it paid out
// money issued elsewhere are Signed.
type Signed struct {
	Neg bool
	Abs uint64
}

// Of returns the Signed of magnitude abs, negative if neg (zero is never
// negative).
func Of(abs uint64, neg bool) Signed { return Signed{Neg: neg && abs != 0, Abs: abs} }

// Plus returns the non-negative Signed a.
func Plus(a uint64) Signed { return Signed{Abs: a} }

// Minus returns -a.
func Minus(a uint64) Signed { return Of(a, true) }

// Negate returns -s.
func (s Signed) Negate() Signed { return Of(s.Abs, !s.Neg) }

// Add returns s+t, or ErrOverflow if its magnitude exceeds 2^64-1.
func (s Signed) Add(t Signed) (Signed, error) {
	if s.Neg == t.Neg {
		sum, err := Add(s.Abs, t.Abs)
		if err != nil {
			return Signed{}, err
		}
		return Of(sum, s.Neg), nil
	}
	if s.Abs >= t.Abs {
		return Of(s.Abs-t.Abs, s.Neg), nil
	}
	return Of(t.Abs-s.Abs, t.Neg), nil
}

// Sub returns s-t, or ErrOverflow if its magnitude exceeds 2^64-1.
func (s Signed) Sub(t Signed) (Signed, error) { return s.Add(t.Negate()) }

// Cmp returns -1, 0 or 1 as s is less than, equal to or greater than t.
func (s Signed) Cmp(t Signed) int {
	switch {
	case s.Neg != t.Neg:
		if s.Neg {
			return -1
		}
		return 1
	case s.Abs == t.Abs:
		return 0
	case (s.Abs < t.Abs) != s.Neg:
		return -1
	}
	return 1
}

// IsZero reports whether s is zero.
func (s Signed) IsZero() bool { return s.Abs == 0 }

// Split returns s as what is above zero and what is below: (s, 0) or
// (0, -s).
func (s Signed) Split() (pos, neg uint64) {
	if s.Neg {
		return 0, s.Abs
	}
	return s.Abs, 0
}

// String is the decimal form of s: "-250", "0", "17".
func (s Signed) String() string {
	if s.Neg {
		return "-" + strconv.FormatUint(s.Abs, 10)
	}
	return strconv.FormatUint(s.Abs, 10)
}
