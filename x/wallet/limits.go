package wallet

import (
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// EffectiveLimits returns the limits that bind w in denom: for each limit,
// the stricter of its tier's and its own (0 means none).
func EffectiveLimits(p *walletv1.Params, w *walletv1.Wallet, denom string) *walletv1.Limits {
	// Small enough to inline, so that a caller that only reads the limits
	// keeps them on its stack: a payment reads them for each side.
	out := new(walletv1.Limits)
	effectiveLimits(p, w, denom, out)
	return out
}

// effectiveLimits is EffectiveLimits into out, which holds no limits.
func effectiveLimits(p *walletv1.Params, w *walletv1.Wallet, denom string, out *walletv1.Limits) {
	for _, dl := range p.Limits {
		if dl.Denom != denom {
			continue
		}
		for _, tl := range dl.Tiers {
			if tl.Tier == w.Tier {
				tighten(out, tl.Limits)
			}
		}
	}
	if i, ok := findWalletLimits(w.Limits, denom); ok {
		tighten(out, w.Limits[i].Limits)
	}
}

// tighten lowers each limit of l to the non-zero limit of by where that is
// stricter.
func tighten(l, by *walletv1.Limits) {
	if by == nil {
		return
	}
	l.BalanceCap = stricter(l.BalanceCap, by.BalanceCap)
	l.PaymentLimit = stricter(l.PaymentLimit, by.PaymentLimit)
	l.DailyOutflowLimit = stricter(l.DailyOutflowLimit, by.DailyOutflowLimit)
	l.AnnualOutflowLimit = stricter(l.AnnualOutflowLimit, by.AnnualOutflowLimit)
}

func stricter(a, b uint64) uint64 {
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	default:
		return min(a, b)
	}
}

func findWalletLimits(ls []*walletv1.WalletLimits, denom string) (int, bool) {
	return slices.BinarySearchFunc(ls, denom, func(l *walletv1.WalletLimits, d string) int { return strings.Compare(l.Denom, d) })
}

// flowOf returns w's flow record of denom for day, created if missing, with
// its day and year counters reset when day or year has moved on.
func flowOf(w *walletv1.Wallet, denom string, day int64) *walletv1.Flow {
	year, _, _ := CivilDate(day)
	i, ok := slices.BinarySearchFunc(w.Flows, denom, func(f *walletv1.Flow, d string) int { return strings.Compare(f.Denom, d) })
	if !ok {
		w.Flows = slices.Insert(w.Flows, i, &walletv1.Flow{Denom: denom, Day: day, Year: year})
	}
	f := w.Flows[i]
	if f.Day != day {
		f.Day, f.DayInflow, f.DayOutflow = day, 0, 0
	}
	if f.Year != year {
		f.Year, f.YearOutflow = year, 0
	}
	return f
}

// checkPayment applies the sender's limits to one payment of amount out of
// f (today's and this year's outflow so far). Reaching a limit exactly is
// allowed.
func checkPayment(owner common.Address, lim *walletv1.Limits, f *walletv1.Flow, show amountText, amount uint64) error {
	if lim.PaymentLimit > 0 && amount > lim.PaymentLimit {
		return errcode.Wrap(ErrPaymentLimit, "wallet %s: payment of %s, limit %s", owner.Hex(), show(amount), show(lim.PaymentLimit))
	}
	day, err := addOf(f.DayOutflow, amount, "day outflow of %s", owner)
	if err != nil {
		return err
	}
	if lim.DailyOutflowLimit > 0 && day > lim.DailyOutflowLimit {
		return errcode.Wrap(ErrDailyLimit, "wallet %s: %s paid out today, %s more exceeds the daily limit %s",
			owner.Hex(), show(f.DayOutflow), show(amount), show(lim.DailyOutflowLimit))
	}
	year, err := addOf(f.YearOutflow, amount, "year outflow of %s", owner)
	if err != nil {
		return err
	}
	if lim.AnnualOutflowLimit > 0 && year > lim.AnnualOutflowLimit {
		return errcode.Wrap(ErrAnnualLimit, "wallet %s: %s paid out this year, %s more exceeds the annual limit %s",
			owner.Hex(), show(f.YearOutflow), show(amount), show(lim.AnnualOutflowLimit))
	}
	return nil
}

// checkBalanceCap fails if balance exceeds the wallet's balance cap.
func checkBalanceCap(owner common.Address, lim *walletv1.Limits, show amountText, balance uint64) error {
	if lim.BalanceCap > 0 && balance > lim.BalanceCap {
		return errcode.Wrap(ErrBalanceCap, "wallet %s would hold %s, its balance cap is %s", owner.Hex(), show(balance), show(lim.BalanceCap))
	}
	return nil
}

// amountText writes an amount of one denom as people read it, in major
// units: "750.00 CNY". Error messages use it (they are not part of the
// results' hash); state and codes keep minor units.
type amountText func(minor uint64) string

// amountsOf is the amountText of denom under p's decimals.
func amountsOf(p *walletv1.Params, denom string) amountText {
	d := Decimals(p, denom)
	return func(v uint64) string { return arith.Format(v, d) + " " + denom }
}
