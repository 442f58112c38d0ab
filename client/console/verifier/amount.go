package verifier

import (
	"context"
	"strconv"
	"strings"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
)

// Amount is an amount in minor units shown in major units: "250.00".
type Amount struct {
	Minor uint64 `json:"minor,string"`
	Text  string `json:"text"`
	Denom string `json:"denom"`
}

// defaultDecimals is the decimals of a denom the parameters do not list
// (x/wallet's DefaultDecimals).
const defaultDecimals = 2

// Decimals is the number of decimals of each denom, from the wallet
// parameters.
type Decimals map[string]uint32

// Of is the decimals of denom, as x/wallet's Decimals.
func (d Decimals) Of(denom string) uint32 {
	if n, ok := d[denom]; ok {
		return n
	}
	return defaultDecimals
}

func decimalsOf(p *walletv1.Params) Decimals {
	d := Decimals{}
	for _, x := range p.GetDecimals() {
		d[x.Denom] = x.Decimals
	}
	return d
}

// Amount formats minor units of denom in major units.
func (d Decimals) Amount(minor uint64, denom string) Amount {
	return Amount{Minor: minor, Text: formatMinor(minor, d.Of(denom)), Denom: denom}
}

// formatMinor writes minor units with decimals digits after the point.
func formatMinor(minor uint64, decimals uint32) string {
	s := strconv.FormatUint(minor, 10)
	if decimals == 0 {
		return s
	}
	n := int(decimals)
	if len(s) <= n {
		s = strings.Repeat("0", n-len(s)+1) + s
	}
	return s[:len(s)-n] + "." + s[len(s)-n:]
}

// units proves the wallet parameters at the latest height: the
// consortium's UTC offset and the denominations' decimals a page formats
// with, and the mark of the height they were proven at, which the page
// reads the rest at.
func (v *Verifier) units(ctx context.Context) (utcOffset int32, dec Decimals, mark Mark, err error) {
	params := new(walletv1.Params)
	if _, mark, err = v.ReadProto(ctx, walletStore, walletParamsKey(), 0, params); err != nil {
		return 0, nil, mark, err
	}
	return params.UtcOffsetSeconds, decimalsOf(params), mark, nil
}
