package wallet

import (
	"fmt"
	"slices"
	"time"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// ParamsGenesis returns p in the genesis file's form (no wallets).
func ParamsGenesis(p *walletv1.Params) Genesis {
	g := Genesis{Denoms: slices.Clone(p.Denoms), UTCOffset: FormatUTCOffset(p.UtcOffsetSeconds), MaxBatchLegs: p.MaxBatchLegs}
	if p.RecoveryDelaySeconds != 0 {
		g.RecoveryDelay = (time.Duration(p.RecoveryDelaySeconds) * time.Second).String()
	}
	for _, dl := range p.Limits {
		out := GenesisDenomLimits{Denom: dl.Denom}
		for _, tl := range dl.Tiers {
			l := tl.GetLimits()
			out.Tiers = append(out.Tiers, GenesisTierLimits{Tier: tl.Tier, BalanceCap: l.GetBalanceCap(),
				PaymentLimit: l.GetPaymentLimit(), DailyOutflowLimit: l.GetDailyOutflowLimit(), AnnualOutflowLimit: l.GetAnnualOutflowLimit()})
		}
		g.Limits = append(g.Limits, out)
	}
	for _, c := range p.IssuanceCaps {
		g.IssuanceCaps = append(g.IssuanceCaps, GenesisIssuanceCap{Issuer: c.Issuer, Denom: c.Denom, Cap: c.Cap})
	}
	for _, d := range p.Decimals {
		if g.Decimals == nil {
			g.Decimals = map[string]uint32{}
		}
		g.Decimals[d.Denom] = d.Decimals
	}
	for _, m := range p.ProtectedMinimums {
		if g.ProtectedMinimums == nil {
			g.ProtectedMinimums = map[string]uint64{}
		}
		g.ProtectedMinimums[m.Denom] = m.Amount
	}
	return g
}

// ProtectedMinimum is the balance of denom a judicial deduction leaves
// under p.
func ProtectedMinimum(p *walletv1.Params, denom string) uint64 {
	for _, m := range p.GetProtectedMinimums() {
		if m.Denom == denom {
			return m.Amount
		}
	}
	return 0
}

// RecoveryDelay is how long a key recovery, and the removal of a second
// factor by the owner's key alone, wait under p, in seconds of block time.
func RecoveryDelay(p *walletv1.Params) int64 {
	if p.GetRecoveryDelaySeconds() > 0 {
		return p.RecoveryDelaySeconds
	}
	return int64(DefaultRecoveryDelay / time.Second)
}

// Decimals returns the decimals of denom's major unit in p.
func Decimals(p *walletv1.Params, denom string) uint32 {
	for _, d := range p.GetDecimals() {
		if d.Denom == denom {
			return d.Decimals
		}
	}
	return DefaultDecimals
}

// FormatUTCOffset formats seconds east of UTC as ParseUTCOffset reads them.
func FormatUTCOffset(seconds int32) string {
	sign := '+'
	if seconds < 0 {
		sign, seconds = '-', -seconds
	}
	return fmt.Sprintf("%c%02d:%02d", sign, seconds/3600, seconds%3600/60)
}

// ValidateParams checks replacement parameters next against the current
// ones and the members, by the genesis rules, and returns them normalised
// (lists sorted, defaults filled). Denominations may be added, never
// removed: balances in them would be stranded.
func ValidateParams(next, current *walletv1.Params, members MemberLookup) (*walletv1.Params, error) {
	if next == nil {
		return nil, errcode.Wrap(ErrInvalidGenesis, "no parameters")
	}
	g := ParamsGenesis(next)
	st, err := g.Validate(members)
	if err != nil {
		return nil, err
	}
	for _, d := range current.GetDenoms() {
		if !slices.Contains(st.Params.Denoms, d) {
			return nil, errcode.Wrap(ErrInvalidGenesis, "denom %s would be removed: denominations may be added, never removed", d)
		}
	}
	return st.Params, nil
}
