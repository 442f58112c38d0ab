package verifier

import (
	"context"
	"fmt"
	"math/big"
	"slices"

	"google.golang.org/protobuf/proto"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
)

// maxIssuances bounds the issuance records the bank page proves (one per
// member and denom).
const maxIssuances = 1000

// BankView is what the bank page shows: per denom, the supply, each bank's
// outstanding issuance and what its wallets hold, and the invariant
// recomputed from them.
type BankView struct {
	Proof     Section       `json:"proof"`
	UTCOffset int32         `json:"utc_offset"`
	Denoms    []DenomSupply `json:"denoms,omitempty"`
}

// DenomSupply is one denom's proven supply and issuance.
type DenomSupply struct {
	Denom  string         `json:"denom"`
	Supply Amount         `json:"supply"`
	Banks  []BankIssuance `json:"banks"`
	// SumIssued and SumHeld are the sums over the banks (signed text in
	// major units); Holds says whether supply = sum issued = sum held.
	SumIssued string `json:"sum_issued"`
	SumHeld   string `json:"sum_held"`
	Holds     bool   `json:"holds"`
}

// BankIssuance is one bank's issuance record of a denom.
type BankIssuance struct {
	Bank        string `json:"bank"`
	Outstanding string `json:"outstanding"` // signed, major units
	Held        Amount `json:"held"`
}

// Bank proves, at one height, the wallet parameters, every supply record
// and every issuance record (each as a complete range of the wallet store,
// so no bank or denom can be left out), and checks per denom that the
// supply equals the sum of the banks' signed outstanding issuance and the
// sum of what their wallets hold. (That the holdings equal the wallets'
// balances is the state machine's invariant; proving it here would take a
// proof per wallet.)
func (v *Verifier) Bank(ctx context.Context) (*BankView, error) {
	out := &BankView{}
	offset, dec, mark, err := v.units(ctx)
	if err != nil {
		out.Proof = failed(err)
		return out, nil
	}
	out.UTCOffset = offset
	supplies, _, complete, err := v.Range(ctx, walletStore, []byte{supplyPrefix}, mark.Height, maxIssuances)
	if err == nil && !complete {
		err = fmt.Errorf("more than %d supply records", maxIssuances)
	}
	if err != nil {
		out.Proof = failed(err)
		return out, nil
	}
	issuances, _, complete, err := v.Range(ctx, walletStore, []byte{issuancePrefix}, mark.Height, maxIssuances)
	if err == nil && !complete {
		err = fmt.Errorf("more than %d issuance records", maxIssuances)
	}
	if err != nil {
		out.Proof = failed(err)
		return out, nil
	}
	byDenom := map[string]*DenomSupply{}
	sums := map[string]*[2]big.Int{} // issued, held
	for _, p := range supplies {
		c := new(walletv1.Coin)
		if err := proto.Unmarshal(p.value, c); err != nil {
			out.Proof = failed(fmt.Errorf("supply record %X does not decode: %w", p.key, err))
			return out, nil
		}
		denom := string(p.key[1:])
		byDenom[denom] = &DenomSupply{Denom: denom, Supply: dec.Amount(c.Amount, denom)}
		sums[denom] = &[2]big.Int{}
	}
	for _, p := range issuances {
		is := new(walletv1.Issuance)
		if err := proto.Unmarshal(p.value, is); err != nil {
			out.Proof = failed(fmt.Errorf("issuance record %X does not decode: %w", p.key, err))
			return out, nil
		}
		ds, ok := byDenom[is.Denom]
		if !ok {
			ds = &DenomSupply{Denom: is.Denom, Supply: dec.Amount(0, is.Denom)}
			byDenom[is.Denom], sums[is.Denom] = ds, &[2]big.Int{}
		}
		o := new(big.Int).SetUint64(is.Outstanding)
		if is.Negative {
			o.Neg(o)
		}
		sums[is.Denom][0].Add(&sums[is.Denom][0], o)
		sums[is.Denom][1].Add(&sums[is.Denom][1], new(big.Int).SetUint64(is.Held))
		ds.Banks = append(ds.Banks, BankIssuance{Bank: is.Issuer, Outstanding: signedText(o, dec.Of(is.Denom)), Held: dec.Amount(is.Held, is.Denom)})
	}
	for denom, ds := range byDenom {
		s := sums[denom]
		supply := new(big.Int).SetUint64(ds.Supply.Minor)
		ds.SumIssued, ds.SumHeld = signedText(&s[0], dec.Of(denom)), signedText(&s[1], dec.Of(denom))
		ds.Holds = supply.Cmp(&s[0]) == 0 && supply.Cmp(&s[1]) == 0
		out.Denoms = append(out.Denoms, *ds)
	}
	slices.SortFunc(out.Denoms, func(a, b DenomSupply) int {
		if a.Denom < b.Denom {
			return -1
		}
		if a.Denom > b.Denom {
			return 1
		}
		return 0
	})
	out.Proof = verified(mark)
	return out, nil
}

// signedText writes a signed amount of minor units in major units.
func signedText(x *big.Int, decimals uint32) string {
	if x.Sign() < 0 {
		return "-" + signedText(new(big.Int).Neg(x), decimals)
	}
	s := x.String()
	n := int(decimals)
	if n == 0 {
		return s
	}
	for len(s) <= n {
		s = "0" + s
	}
	return s[:len(s)-n] + "." + s[len(s)-n:]
}
