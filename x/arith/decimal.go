package arith

import (
	"fmt"
	"math/bits"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// MaxDecimals is the most decimals a denomination may have: 10^18 minor
// units to the unit still leaves 18 whole units below 2^64.
const MaxDecimals = 18

// Format returns amount minor units as decimal text with decimals digits
// after the point: Format(25000, 2) is "250.00", Format(5, 2) is "0.05",
// Format(25000, 0) is "25000". There is always a digit before the point, no
// sign and no separator, and exactly decimals digits after it: Parse reads
// the result back to amount. Format panics if decimals exceeds MaxDecimals,
// a programming error like an invalid base for strconv.FormatUint (a
// denomination's decimals are validated where they are configured).
func Format(amount uint64, decimals uint32) string {
	if decimals > MaxDecimals {
		panic(fmt.Sprintf("arith: Format with %d decimals, more than %d", decimals, MaxDecimals))
	}
	// 20 digits for 2^64-1 and a point; 18 decimals leave 2 whole digits.
	var buf [21]byte
	i := len(buf)
	for range decimals {
		i--
		buf[i] = byte('0' + amount%10)
		amount /= 10
	}
	if decimals > 0 {
		i--
		buf[i] = '.'
	}
	for {
		i--
		buf[i] = byte('0' + amount%10)
		amount /= 10
		if amount == 0 {
			break
		}
	}
	return string(buf[i:])
}

// Parse returns the minor units of s, decimal text with at most decimals
// digits after the point: with 2 decimals "250", "250.5" and "250.50" are
// 25000, 25050 and 25050, and "0.01" is 1. It accepts ASCII digits with at
// most one point that has a digit on each side; leading zeros are allowed.
//
// It fails with an error wrapping ErrSyntax, which quotes s and says what is
// wrong, for the empty string, a sign, an exponent, a space, a thousands
// separator (comma, underscore, apostrophe) or any other character, a point
// without a digit on either side, and more digits after the point than
// decimals (trailing zeros included: a 2-decimal amount has no third
// digit). It fails with an error wrapping ErrOverflow, which names the
// largest amount, if the value exceeds 2^64-1 minor units, and with a plain
// error if decimals exceeds MaxDecimals. It is deterministic and does not
// depend on locale.
func Parse(s string, decimals uint32) (uint64, error) {
	if decimals > MaxDecimals {
		return 0, fmt.Errorf("arith: Parse with %d decimals, more than %d", decimals, MaxDecimals)
	}
	if s == "" {
		return 0, fmt.Errorf("%w: empty", ErrSyntax)
	}
	point := -1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
		case c == '.' && point < 0:
			point = i
		case c == '.':
			return 0, fmt.Errorf("%w: %s: more than one decimal point", ErrSyntax, quote(s))
		default:
			return 0, fmt.Errorf("%w: %s: %s", ErrSyntax, quote(s), badChar(s, i))
		}
	}
	whole, frac := s, ""
	if point >= 0 {
		whole, frac = s[:point], s[point+1:]
		switch {
		case whole == "":
			return 0, fmt.Errorf("%w: %s: no digit before the decimal point (write a 0 there)", ErrSyntax, quote(s))
		case frac == "":
			return 0, fmt.Errorf("%w: %s: no digit after the decimal point", ErrSyntax, quote(s))
		}
	}
	if len(frac) > int(decimals) {
		digits, allowed := fmt.Sprintf("%d digits", len(frac)), "none allowed"
		if len(frac) == 1 {
			digits = "1 digit"
		}
		if decimals > 0 {
			allowed = fmt.Sprintf("at most %d allowed", decimals)
		}
		return 0, fmt.Errorf("%w: %s: %s after the decimal point, %s", ErrSyntax, quote(s), digits, allowed)
	}
	v, ok := appendDigits(0, whole)
	if ok {
		v, ok = appendDigits(v, frac)
	}
	if ok {
		hi, lo := bits.Mul64(v, pow10[int(decimals)-len(frac)])
		v, ok = lo, hi == 0
	}
	if !ok {
		return 0, fmt.Errorf("%w: %s is above the largest amount, %s", ErrOverflow, quote(s), Format(^uint64(0), decimals))
	}
	return v, nil
}

// pow10[i] is 10^i.
var pow10 = [MaxDecimals + 1]uint64{
	1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
}

// appendDigits returns v followed by the ASCII digits of s, that is
// v*10^len(s) + s, and false if that exceeds 2^64-1.
func appendDigits(v uint64, s string) (uint64, bool) {
	const cutoff = ^uint64(0) / 10 // v*10 fits below it; at it, only up to digit 5
	for i := 0; i < len(s); i++ {
		d := uint64(s[i] - '0')
		if v > cutoff || v == cutoff && d > ^uint64(0)%10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

// badChar says why the character at s[i], neither a digit nor a point, is
// refused.
func badChar(s string, i int) string {
	r, _ := utf8.DecodeRuneInString(s[i:])
	prevDigit := i > 0 && (s[i-1] == '.' || '0' <= s[i-1] && s[i-1] <= '9')
	switch {
	case r == '+' || r == '-':
		return fmt.Sprintf("sign %q not allowed: amounts are unsigned", r)
	case (r == 'e' || r == 'E') && prevDigit:
		return "exponent not allowed"
	case r == ',' || r == '_' || r == '\'':
		return fmt.Sprintf("%q not allowed: no thousands separators, and '.' is the decimal point", r)
	case unicode.IsSpace(r):
		return fmt.Sprintf("space %q not allowed", r)
	}
	return fmt.Sprintf("unexpected character %q", r)
}

// quote returns s quoted for an error message, cut after 40 bytes.
func quote(s string) string {
	const max = 40
	if len(s) > max {
		return strconv.Quote(s[:max]) + "..."
	}
	return strconv.Quote(s)
}
