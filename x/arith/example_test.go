package arith_test

import (
	"fmt"

	"github.com/ledgerd/ledgerd/x/arith"
)

// Daily interest at 4.35% a year (435 bps) on a 360-day basis, on
// 10,000.00 (1,000,000 fen), keeping the fraction of a fen from one day to
// the next: 120.83 fen a day, so 1.20, 2.41 and 3.62 after three days, where
// rounding each day down would give 3.60.
func ExampleMulDivRem() {
	const divisor = arith.BpsScale * 360
	var interest, carry uint64
	for day := 1; day <= 3; day++ {
		num := arith.Mul128(1_000_000, 435)
		num, err := num.Add(arith.Uint128{Lo: carry})
		if err != nil {
			panic(err)
		}
		var q uint64
		if q, carry, err = num.DivRem64(divisor); err != nil {
			panic(err)
		}
		interest += q
		fmt.Printf("day %d: %s accrued, %d/%d fen carried\n", day, arith.Format(interest, 2), carry, divisor)
	}
	// Output:
	// day 1: 1.20 accrued, 3000000/3600000 fen carried
	// day 2: 2.41 accrued, 2400000/3600000 fen carried
	// day 3: 3.62 accrued, 1800000/3600000 fen carried
}

func ExampleMulDiv() {
	// A fee of 1/3 of 100.00, in each rounding.
	for _, r := range []arith.Rounding{arith.Down, arith.HalfUp, arith.Up} {
		fee, err := arith.MulDiv(10_000, 1, 3, r)
		fmt.Println(r, arith.Format(fee, 2), err)
	}
	// Output:
	// down 33.33 <nil>
	// half-up 33.33 <nil>
	// up 33.34 <nil>
}

func ExampleParse() {
	for _, s := range []string{"250", "250.5", "0.01", "250.505", "1,000", "-5"} {
		fen, err := arith.Parse(s, 2)
		fmt.Println(fen, err)
	}
	// Output:
	// 25000 <nil>
	// 25050 <nil>
	// 1 <nil>
	// 0 arith: invalid amount: "250.505": 3 digits after the decimal point, at most 2 allowed
	// 0 arith: invalid amount: "1,000": ',' not allowed: no thousands separators, and '.' is the decimal point
	// 0 arith: invalid amount: "-5": sign '-' not allowed: amounts are unsigned
}
