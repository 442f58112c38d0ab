package arith

import (
	"errors"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		amount   uint64
		decimals uint32
		want     string
	}{
		{25000, 2, "250.00"},
		{25050, 2, "250.50"},
		{100, 2, "1.00"},
		{5, 2, "0.05"},
		{50, 2, "0.50"},
		{0, 2, "0.00"},
		{0, 0, "0"},
		{25000, 0, "25000"},
		{10, 1, "1.0"},
		{123456789, 3, "123456.789"},
		{maxU, 0, "18446744073709551615"},
		{maxU, 2, "184467440737095516.15"},
		{maxU, 18, "18.446744073709551615"},
		{1, 18, "0.000000000000000001"},
		{0, 18, "0.000000000000000000"},
		{1e18, 18, "1.000000000000000000"},
	} {
		if got := Format(tc.amount, tc.decimals); got != tc.want {
			t.Errorf("Format(%d, %d) = %q, want %q", tc.amount, tc.decimals, got, tc.want)
		}
	}
}

func TestFormatPanicsAboveMaxDecimals(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Format(1, 19) did not panic")
		}
	}()
	Format(1, MaxDecimals+1)
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		s        string
		decimals uint32
		want     uint64
	}{
		{"250", 2, 25000},
		{"250.5", 2, 25050},
		{"250.50", 2, 25050},
		{"0.01", 2, 1},
		{"0.1", 2, 10},
		{"1", 2, 100},
		{"0", 2, 0},
		{"0.00", 2, 0},
		{"007", 2, 700},
		{"00.10", 2, 10},
		{"184467440737095516.15", 2, maxU},
		{"0184467440737095516.15", 2, maxU},
		{"25000", 0, 25000},
		{"0", 0, 0},
		{"18446744073709551615", 0, maxU},
		{"1.5", 3, 1500},
		{"1", 18, 1e18},
		{"18", 18, 18e18},
		{"0.000000000000000001", 18, 1},
		{"18.446744073709551615", 18, maxU},
		{strings.Repeat("0", 100) + "1", 2, 100},
	} {
		got, err := Parse(tc.s, tc.decimals)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q, %d) = %d, %v; want %d", tc.s, tc.decimals, got, err, tc.want)
		}
	}
}

// TestParseErrors: every refusal wraps its sentinel and says why.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		s        string
		decimals uint32
		err      error
		msg      string
	}{
		{"", 2, ErrSyntax, `arith: invalid amount: empty`},
		{"-1", 2, ErrSyntax, `arith: invalid amount: "-1": sign '-' not allowed: amounts are unsigned`},
		{"+1", 2, ErrSyntax, `"+1": sign '+' not allowed`},
		{"1e5", 2, ErrSyntax, `"1e5": exponent not allowed`},
		{"1E5", 2, ErrSyntax, `"1E5": exponent not allowed`},
		{"1.5e2", 2, ErrSyntax, `"1.5e2": exponent not allowed`},
		{"1.e2", 2, ErrSyntax, `exponent not allowed`},
		{"e5", 2, ErrSyntax, `"e5": unexpected character 'e'`},
		{" 1", 2, ErrSyntax, `" 1": space ' ' not allowed`},
		{"1 ", 2, ErrSyntax, `"1 ": space ' ' not allowed`},
		{"1\n", 2, ErrSyntax, `"1\n": space '\n' not allowed`},
		{"1 000", 2, ErrSyntax, `space ' ' not allowed`},
		{"1\u00a0000", 2, ErrSyntax, `"1\u00a0000": space '\u00a0' not allowed`},
		{"1,000", 2, ErrSyntax, `"1,000": ',' not allowed: no thousands separators, and '.' is the decimal point`},
		{"1,5", 2, ErrSyntax, `',' not allowed`},
		{"1_000", 2, ErrSyntax, `'_' not allowed`},
		{"1'000", 2, ErrSyntax, `'\'' not allowed`},
		{"1.2.3", 2, ErrSyntax, `"1.2.3": more than one decimal point`},
		{"..", 2, ErrSyntax, `more than one decimal point`},
		{".5", 2, ErrSyntax, `".5": no digit before the decimal point (write a 0 there)`},
		{".", 2, ErrSyntax, `".": no digit before the decimal point`},
		{"5.", 2, ErrSyntax, `"5.": no digit after the decimal point`},
		{"250.505", 2, ErrSyntax, `"250.505": 3 digits after the decimal point, at most 2 allowed`},
		{"250.500", 2, ErrSyntax, `"250.500": 3 digits after the decimal point, at most 2 allowed`},
		{"1.0", 0, ErrSyntax, `"1.0": 1 digit after the decimal point, none allowed`},
		{"1.00", 0, ErrSyntax, `"1.00": 2 digits after the decimal point, none allowed`},
		{"0.0000000000000000001", 18, ErrSyntax, `19 digits after the decimal point, at most 18 allowed`},
		{"0x10", 2, ErrSyntax, `"0x10": unexpected character 'x'`},
		{"abc", 2, ErrSyntax, `unexpected character 'a'`},
		{"NaN", 2, ErrSyntax, `unexpected character 'N'`},
		{"Inf", 2, ErrSyntax, `unexpected character 'I'`},
		{"١٢٣", 2, ErrSyntax, `unexpected character '١'`},
		{"1\xff", 2, ErrSyntax, `"1\xff": unexpected character '�'`},
		{"12¥", 2, ErrSyntax, `unexpected character '¥'`},
		{"184467440737095516.16", 2, ErrOverflow, `arith: overflow: the result exceeds 2^64-1: "184467440737095516.16" is above the largest amount, 184467440737095516.15`},
		{"184467440737095517", 2, ErrOverflow, `above the largest amount, 184467440737095516.15`}, // the scaling overflows
		{"18446744073709551616", 0, ErrOverflow, `above the largest amount, 18446744073709551615`},
		{"18446744073709551620", 0, ErrOverflow, `above the largest amount`},
		{"18.446744073709551616", 18, ErrOverflow, `above the largest amount, 18.446744073709551615`},
		{"19", 18, ErrOverflow, `above the largest amount`},
		{strings.Repeat("9", 100), 2, ErrOverflow, `: "9999999999999999999999999999999999999999"... is above`},
		{strings.Repeat("9", 100) + "x", 2, ErrSyntax, `"9999999999999999999999999999999999999999"...: unexpected character 'x'`},
	} {
		got, err := Parse(tc.s, tc.decimals)
		if !errors.Is(err, tc.err) || got != 0 {
			t.Errorf("Parse(%q, %d) = %d, %v; want %v", tc.s, tc.decimals, got, err, tc.err)
			continue
		}
		if !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("Parse(%q, %d): %q does not say %q", tc.s, tc.decimals, err, tc.msg)
		}
	}
	_, err := Parse("1", MaxDecimals+1)
	if err == nil || errors.Is(err, ErrSyntax) || errors.Is(err, ErrOverflow) || err.Error() != "arith: Parse with 19 decimals, more than 18" {
		t.Errorf("Parse with 19 decimals: %v", err)
	}
}

// plainDecimal is what Parse accepts, before the count of decimals and the
// range.
var plainDecimal = regexp.MustCompile(`^([0-9]+)(?:\.([0-9]+))?$`)

// FuzzParse: Parse accepts exactly the plain decimals with at most decimals
// digits after the point whose value fits, gives their value (computed with
// math/big), and Format gives the canonical text of the same value back.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"250", "250.5", "250.50", "0.01", "007", "184467440737095516.15", "184467440737095516.16",
		"18446744073709551615", "18446744073709551616", "", "-1", "1e5", " 1", "1,000", "1.2.3", ".5", "5.",
		"250.505", "١٢٣", "1\xff",
	} {
		f.Add(s, uint8(2))
		f.Add(s, uint8(0))
		f.Add(s, uint8(18))
	}
	f.Fuzz(func(t *testing.T, s string, d uint8) {
		decimals := uint32(d % (MaxDecimals + 1))
		got, err := Parse(s, decimals)

		m := plainDecimal.FindStringSubmatch(s)
		if m == nil || len(m[2]) > int(decimals) {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("Parse(%q, %d) = %d, %v; want ErrSyntax", s, decimals, got, err)
			}
			return
		}
		want, _ := new(big.Int).SetString(m[1]+m[2], 10)
		want.Mul(want, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(int(decimals)-len(m[2]))), nil))
		if !want.IsUint64() {
			if !errors.Is(err, ErrOverflow) {
				t.Fatalf("Parse(%q, %d) = %d, %v; want ErrOverflow", s, decimals, got, err)
			}
			return
		}
		if err != nil || got != want.Uint64() {
			t.Fatalf("Parse(%q, %d) = %d, %v; want %v", s, decimals, got, err, want)
		}
		// The canonical text: no leading zeros but one before the point,
		// the fraction padded to decimals digits.
		whole := strings.TrimLeft(m[1], "0")
		if whole == "" {
			whole = "0"
		}
		canonical := whole
		if decimals > 0 {
			canonical += "." + m[2] + strings.Repeat("0", int(decimals)-len(m[2]))
		}
		if text := Format(got, decimals); text != canonical {
			t.Fatalf("Format(Parse(%q, %d)) = %q, want %q", s, decimals, text, canonical)
		}
	})
}

// FuzzFormat: Format gives the digits of amount with the point decimals
// digits from the right and no other leading zero than the one before the
// point, and Parse reads it back.
func FuzzFormat(f *testing.F) {
	for _, a := range []uint64{0, 1, 5, 99, 100, 25000, 1e18, maxU} {
		f.Add(a, uint8(0))
		f.Add(a, uint8(2))
		f.Add(a, uint8(18))
	}
	f.Fuzz(func(t *testing.T, amount uint64, d uint8) {
		decimals := uint32(d % (MaxDecimals + 1))
		s := Format(amount, decimals)
		m := plainDecimal.FindStringSubmatch(s)
		if m == nil || len(m[2]) != int(decimals) || len(m[1]) > 1 && m[1][0] == '0' {
			t.Fatalf("Format(%d, %d) = %q: not canonical", amount, decimals, s)
		}
		if digits := strings.TrimLeft(m[1]+m[2], "0"); digits != strings.TrimLeft(strconv.FormatUint(amount, 10), "0") {
			t.Fatalf("Format(%d, %d) = %q: other digits", amount, decimals, s)
		}
		if back, err := Parse(s, decimals); err != nil || back != amount {
			t.Fatalf("Parse(Format(%d, %d) = %q) = %d, %v", amount, decimals, s, back, err)
		}
	})
}
