package schedule

import (
	"math/big"

	"github.com/ledgerd/ledgerd/x/arith"
)

// annuity returns the equal installment (EMI) that repays principal over n
// monthly periods at rateBps a year, with interest on the balance at the
// monthly rate r = rateBps / 120,000:
//
//	EMI = P·r / (1 − (1+r)^−n) = P·b·(120,000+b)^n / (120,000·((120,000+b)^n − 120,000^n))
//
// for b = rateBps, computed exactly in big integers and rounded half up
// once. At rate 0 it is P/n, rounded half up. It fails with
// arith.ErrOverflow if the EMI exceeds 2^64-1. n must be 1 to MaxMonths.
//
// The integers are at most n·log2(120,000+b) bits, about 11,500 for 360
// months at the largest rate: bounded, and deterministic (math/big is exact
// integer arithmetic).
func annuity(principal uint64, rateBps uint32, n uint32) (uint64, error) {
	if rateBps == 0 {
		return arith.MulDiv(principal, 1, uint64(n), arith.HalfUp)
	}
	b := new(big.Int).SetUint64(uint64(rateBps))
	c := big.NewInt(monthlyScale)
	exp := big.NewInt(int64(n))
	cn := new(big.Int).Exp(c, exp, nil)                           // 120,000^n
	an := new(big.Int).Exp(new(big.Int).Add(c, b), exp, nil)      // (120,000+b)^n
	num := new(big.Int).Mul(new(big.Int).SetUint64(principal), b) // P·b·(120,000+b)^n
	num.Mul(num, an)
	den := an.Sub(an, cn) // 120,000·((120,000+b)^n − 120,000^n), > 0 for b > 0
	den.Mul(den, c)
	emi, rem := num.QuoRem(num, den, new(big.Int))
	if rem.Lsh(rem, 1).Cmp(den) >= 0 { // half up: rem/den ≥ 1/2
		emi.Add(emi, big.NewInt(1))
	}
	if !emi.IsUint64() {
		return 0, arith.ErrOverflow
	}
	return emi.Uint64(), nil
}
