package app_test

import (
	"bytes"
	"crypto/ecdsa"
	"fmt"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/app/apptest"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// sourceBalance funds the tier-1 genesis wallets that pay the tiered ones.
const sourceBalance = 1_000_000_000 * yuan

// tierEnv is a chain with, at demo-bank, two tier-1 genesis wallets (src,
// sink) holding sourceBalance, and two wallets opened at tier: s (the
// sender, funded to its balance cap by a deposit) and r (a receiver,
// empty).
type tierEnv struct {
	*chain
	tier                        uint32
	lim                         *walletv1.Limits
	issuer, other, regulator    *ecdsa.PrivateKey
	src, s, r                   *ecdsa.PrivateKey
	srcAddr, sink, sAddr, rAddr common.Address
	refs                        int
}

func newTierEnv(t *testing.T, tier uint32) *tierEnv {
	t.Helper()
	return newTierEnvOpts(t, tier, apptest.Options{Wallets: 2, Balance: sourceBalance})
}

// newTierEnvOpts is newTierEnv on a harness with opts, which must have
// at least two genesis wallets.
func newTierEnvOpts(t *testing.T, tier uint32, opts apptest.Options) *tierEnv {
	t.Helper()
	c := newChain(t, opts)
	e := &tierEnv{chain: c, tier: tier, lim: tierLimits[tier],
		issuer: c.IssuerKey(), other: c.OtherIssuerKey(), regulator: c.RegulatorKey(),
		src: c.WalletKey(0), s: c.WalletKey(10), r: c.WalletKey(11)}
	e.srcAddr, e.sink = apptest.Address(e.src), apptest.Address(c.WalletKey(1))
	e.sAddr, e.rAddr = apptest.Address(e.s), apptest.Address(e.r)
	c.ok(c.tx(e.issuer, apptest.OpenWalletTier(e.sAddr, tier)), c.tx(e.issuer, apptest.OpenWalletTier(e.rAddr, tier)))
	// A deposit exactly at the balance cap passes.
	c.ok(e.deposit(e.sAddr, e.lim.BalanceCap))
	c.wantBalance(e.sAddr, e.lim.BalanceCap)
	return e
}

func (e *tierEnv) deposit(to common.Address, amount uint64) []byte {
	e.refs++
	return e.tx(e.issuer, apptest.Deposit(to, amount, fmt.Sprintf("fiat-%d", e.refs)))
}

// pay is a transfer of amount from s to the sink.
func (e *tierEnv) pay(amount uint64) []byte { return e.tx(e.s, apptest.Transfer(e.sink, amount)) }

// payments splits total into payments within the payment limit, the first
// one fen short of it so that the amounts differ.
func (e *tierEnv) payments(total uint64) [][]byte {
	var txs [][]byte
	for first := true; total > 0; first = false {
		n := min(total, e.lim.PaymentLimit)
		if first && n > 1 {
			n--
		}
		txs = append(txs, e.pay(n))
		total -= n
	}
	return txs
}

func (e *tierEnv) setLimits(w common.Address, l *walletv1.Limits) {
	e.t.Helper()
	e.ok(e.tx(e.issuer, apptest.SetLimits(w, l)))
}

func (e *tierEnv) dayOutflow() uint64 {
	e.t.Helper()
	w := e.wallet(e.sAddr)
	if len(w.Flows) != 1 || w.Flows[0].Denom != apptest.Denom {
		e.t.Fatalf("flows %v", w.Flows)
	}
	return w.Flows[0].DayOutflow
}

// TestTierLimits checks each limit of tiers 2, 3 and 4 (the default CNY
// limits) at its edge: exactly at it passes, one fen more fails with the
// limit's code and changes nothing.
func TestTierLimits(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(e *tierEnv)
	}{
		{"payment limit", func(e *tierEnv) {
			e.reject(e.pay(e.lim.PaymentLimit+1), wallet.ErrPaymentLimit)
			e.ok(e.pay(e.lim.PaymentLimit))
			e.wantBalance(e.sink, sourceBalance+e.lim.PaymentLimit)
		}},
		{"daily limit in several payments", func(e *tierEnv) {
			e.ok(e.payments(e.lim.DailyOutflowLimit - 5)...)
			e.reject(e.pay(6), wallet.ErrDailyLimit)
			e.ok(e.pay(5))
			if got := e.dayOutflow(); got != e.lim.DailyOutflowLimit {
				t.Fatalf("day outflow %d, want %d", got, e.lim.DailyOutflowLimit)
			}
			e.reject(e.pay(1), wallet.ErrDailyLimit)
			e.wantBalance(e.sAddr, e.lim.BalanceCap-e.lim.DailyOutflowLimit)
		}},
		{"daily limit in one block", func(e *tierEnv) {
			// Within a block, each payment sees the ones before it.
			txs := e.payments(e.lim.DailyOutflowLimit)
			txs = append(txs, e.pay(1))
			rs := e.block(txs...)
			mustOK(t, rs[:len(rs)-1])
			wantExec(t, rs[len(rs)-1], wallet.ErrDailyLimit)
		}},
		{"receiver balance cap by transfer", func(e *tierEnv) {
			e.ok(e.deposit(e.rAddr, e.lim.BalanceCap-1000))
			e.reject(e.tx(e.src, apptest.Transfer(e.rAddr, 1001)), wallet.ErrBalanceCap)
			e.ok(e.tx(e.src, apptest.Transfer(e.rAddr, 1000)))
			e.wantBalance(e.rAddr, e.lim.BalanceCap)
			e.reject(e.tx(e.src, apptest.Transfer(e.rAddr, 1)), wallet.ErrBalanceCap)
			// A full wallet still pays out, and then receives again.
			e.ok(e.tx(e.r, apptest.Transfer(e.sink, 7)))
			e.ok(e.tx(e.s, apptest.Transfer(e.rAddr, 7)))
			e.wantBalance(e.rAddr, e.lim.BalanceCap)
		}},
		{"receiver balance cap by deposit", func(e *tierEnv) {
			e.reject(e.deposit(e.rAddr, e.lim.BalanceCap+1), wallet.ErrBalanceCap)
			e.ok(e.deposit(e.rAddr, e.lim.BalanceCap))
			e.reject(e.deposit(e.rAddr, 1), wallet.ErrBalanceCap)
			e.wantBalance(e.rAddr, e.lim.BalanceCap)
		}},
		{"annual limit set per wallet", func(e *tierEnv) {
			annual := e.lim.DailyOutflowLimit + e.lim.PaymentLimit
			e.setLimits(e.sAddr, &walletv1.Limits{AnnualOutflowLimit: annual})
			e.ok(e.payments(e.lim.DailyOutflowLimit)...)
			// The next day (UTC+8) the daily limit is fresh, the annual is not.
			next := utc(2025, 1, 1, 16, 0, 0)
			e.rejectAt(next, e.pay(e.lim.PaymentLimit+1), wallet.ErrPaymentLimit)
			half := e.lim.PaymentLimit / 2
			e.ok(e.pay(half))
			e.reject(e.pay(e.lim.PaymentLimit-half+1), wallet.ErrAnnualLimit)
			e.ok(e.pay(e.lim.PaymentLimit - half))
			e.reject(e.pay(1), wallet.ErrAnnualLimit)
			if f := e.wallet(e.sAddr).Flows[0]; f.YearOutflow != annual || f.Year != 2025 || f.DayOutflow != e.lim.PaymentLimit {
				t.Fatalf("flow %v", f)
			}
		}},
		{"stricter per-wallet limits bind", func(e *tierEnv) {
			p, d := e.lim.PaymentLimit/2, e.lim.PaymentLimit
			e.setLimits(e.sAddr, &walletv1.Limits{PaymentLimit: p, DailyOutflowLimit: d})
			e.setLimits(e.rAddr, &walletv1.Limits{BalanceCap: 1000})
			e.reject(e.pay(p+1), wallet.ErrPaymentLimit)
			e.ok(e.pay(p))
			e.ok(e.pay(d - p))
			e.reject(e.pay(1), wallet.ErrDailyLimit)
			e.reject(e.deposit(e.rAddr, 1001), wallet.ErrBalanceCap)
			e.ok(e.deposit(e.rAddr, 1000))
			w := e.wallet(e.sAddr)
			if got := wallet.EffectiveLimits(paramsOf(e.chain), w, apptest.Denom); got.PaymentLimit != p ||
				got.DailyOutflowLimit != d || got.BalanceCap != e.lim.BalanceCap {
				t.Fatalf("effective limits %v", got)
			}
		}},
		{"looser per-wallet limits do not", func(e *tierEnv) {
			loose := &walletv1.Limits{BalanceCap: 2 * e.lim.BalanceCap, PaymentLimit: 2 * e.lim.PaymentLimit,
				DailyOutflowLimit: 2 * e.lim.DailyOutflowLimit}
			e.setLimits(e.sAddr, loose)
			e.setLimits(e.rAddr, loose)
			e.reject(e.pay(e.lim.PaymentLimit+1), wallet.ErrPaymentLimit)
			e.ok(e.payments(e.lim.DailyOutflowLimit)...)
			e.reject(e.pay(1), wallet.ErrDailyLimit)
			e.reject(e.deposit(e.rAddr, e.lim.BalanceCap+1), wallet.ErrBalanceCap)
		}},
		{"per-wallet limits cleared", func(e *tierEnv) {
			e.setLimits(e.sAddr, &walletv1.Limits{PaymentLimit: 1})
			e.reject(e.pay(2), wallet.ErrPaymentLimit)
			e.setLimits(e.sAddr, nil)
			if w := e.wallet(e.sAddr); len(w.Limits) != 0 {
				t.Fatalf("limits %v after clearing", w.Limits)
			}
			e.ok(e.pay(e.lim.PaymentLimit))
		}},
		{"set tier changes the limits", func(e *tierEnv) {
			e.reject(e.pay(e.lim.PaymentLimit+1), wallet.ErrPaymentLimit)
			// Only the bank of record changes a tier or limits.
			e.reject(e.tx(e.other, apptest.SetTier(e.sAddr, 1)), wallet.ErrNotBankOfRecord)
			e.reject(e.tx(e.other, apptest.SetLimits(e.sAddr, &walletv1.Limits{PaymentLimit: 1})), wallet.ErrNotBankOfRecord)
			e.reject(e.tx(e.regulator, apptest.SetTier(e.sAddr, 1)), consortium.ErrMissingRole)
			e.reject(e.tx(e.s, apptest.SetTier(e.sAddr, 1)), consortium.ErrNotOperator)

			e.ok(e.tx(e.issuer, apptest.SetTier(e.sAddr, 1)))
			w := e.wallet(e.sAddr)
			if w.Tier != 1 || !bytes.Equal(w.KycHash, apptest.TierKYCHash(e.sAddr, 1)) {
				t.Fatalf("wallet tier %d kyc %x", w.Tier, w.KycHash)
			}
			if last := e.lastEntry(e.sAddr); last.Kind != walletv1.HistoryKind_HISTORY_KIND_TIER_CHANGE ||
				last.Detail != fmt.Sprintf("tier %d -> 1", e.tier) {
				t.Fatalf("history entry %v", last)
			}
			e.ok(e.pay(e.lim.PaymentLimit + 1))            // tier 1: no limits
			e.ok(e.deposit(e.sAddr, e.lim.PaymentLimit+2)) // nor a cap
			e.wantBalance(e.sAddr, e.lim.BalanceCap+1)

			e.ok(e.tx(e.issuer, apptest.SetTier(e.sAddr, e.tier)))
			e.reject(e.pay(e.lim.PaymentLimit+1), wallet.ErrPaymentLimit)
			e.reject(e.deposit(e.sAddr, 1), wallet.ErrBalanceCap)
			e.ok(e.pay(1)) // a wallet above its cap pays out
			e.reject(e.deposit(e.sAddr, 1), wallet.ErrBalanceCap)
			e.ok(e.pay(1))
			e.ok(e.deposit(e.sAddr, 1)) // exactly at the cap again
			if e.tier == 4 {
				return
			}
			// Down to tier 4 far above its cap: the wallet receives nothing
			// and pays out within tier 4's limits, which count today's
			// outflow at tier 1.
			low := tierLimits[4]
			e.ok(e.tx(e.issuer, apptest.SetTier(e.sAddr, 4)))
			e.reject(e.tx(e.src, apptest.Transfer(e.sAddr, 1)), wallet.ErrBalanceCap)
			e.reject(e.pay(low.PaymentLimit+1), wallet.ErrPaymentLimit)
			e.reject(e.pay(low.PaymentLimit), wallet.ErrDailyLimit)
			e.okAt(utc(2025, 1, 1, 16, 0, 0), e.pay(low.PaymentLimit))
		}},
	} {
		for _, tier := range []uint32{2, 3, 4} {
			t.Run(fmt.Sprintf("%s/tier %d", tc.name, tier), func(t *testing.T) {
				t.Parallel()
				e := newTierEnv(t, tier)
				tc.run(e)
				e.checkState()
			})
		}
	}
}

// TestTierOneUnlimited: tier 1 has no limits unless the bank sets some per
// wallet.
func TestTierOneUnlimited(t *testing.T) {
	t.Parallel()
	c := newChain(t, apptest.Options{Wallets: 2, Balance: sourceBalance})
	issuer, w0 := c.IssuerKey(), c.WalletKey(0)
	a0, a1 := apptest.Address(w0), apptest.Address(c.WalletKey(1))
	big := 10 * tierLimits[2].BalanceCap
	c.ok(c.tx(w0, apptest.Transfer(a1, big)), c.tx(w0, apptest.Transfer(a1, big)),
		c.tx(issuer, apptest.Deposit(a1, big, "fiat-1")))
	c.wantBalance(a1, sourceBalance+3*big)
	c.ok(c.tx(issuer, apptest.SetLimits(a0, &walletv1.Limits{PaymentLimit: 100, BalanceCap: sourceBalance})))
	c.reject(c.tx(w0, apptest.Transfer(a1, 101)), wallet.ErrPaymentLimit)
	c.ok(c.tx(w0, apptest.Transfer(a1, 100)))
	c.ok(c.tx(issuer, apptest.Deposit(a0, 2*big+100, "fiat-2"))) // back to sourceBalance exactly
	c.reject(c.tx(issuer, apptest.Deposit(a0, 1, "fiat-3")), wallet.ErrBalanceCap)
	c.reject(c.tx(issuer, &walletv1.MsgSetLimits{Wallet: a0.Bytes(), Denom: "USD", Limits: &walletv1.Limits{PaymentLimit: 1}}), wallet.ErrUnknownDenom)
	c.reject(c.tx(issuer, apptest.SetLimits(apptest.Address(c.WalletKey(9)), nil)), wallet.ErrWalletNotFound)
	c.reject(c.tx(issuer, apptest.SetTier(apptest.Address(c.WalletKey(9)), 2)), wallet.ErrWalletNotFound)
	c.reject(c.tx(issuer, apptest.SetTier(a0, 5)), wallet.ErrInvalidMsg)
	c.checkState()
}

// paramsOf reads the wallet parameters at the last commit.
func paramsOf(c *chain) *walletv1.Params {
	c.t.Helper()
	r := c.Query("/store/wallet/key", wallet.ParamsKey(), 0, false)
	p := new(walletv1.Params)
	if err := proto.Unmarshal(r.Value, p); err != nil {
		c.t.Fatal(err)
	}
	return p
}
