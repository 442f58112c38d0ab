package app_test

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/ledgerd/ledgerd/x/exec"

	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/app/apptest"
	"github.com/ledgerd/ledgerd/node/appstate"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// TestCloseWallet: a wallet closes only empty and unfrozen, by its owner
// or its bank of record, and once closed takes nothing in or out and is
// never reopened.
func TestCloseWallet(t *testing.T) {
	t.Parallel()
	e := newFreezeEnv(t)
	w3, w4 := e.WalletKey(3), e.WalletKey(4)
	a3, a4 := apptest.Address(w3), apptest.Address(w4)

	e.reject(e.tx(e.w, apptest.CloseWallet(e.a)), wallet.ErrNonZeroBalance)
	e.reject(e.tx(e.issuer, apptest.CloseWallet(e.a)), wallet.ErrNonZeroBalance)
	e.ok(e.tx(e.w, apptest.Transfer(e.peerAddr, 1_000_000)), e.tx(w3, apptest.Transfer(e.peerAddr, 1_000_000)))
	e.wantBalance(e.a, 0)

	// Under a freeze, of any kind, even empty: its own code (not "frozen:
	// nothing in or out", which a debit freeze is not), saying which order.
	for _, kind := range []walletv1.FreezeKind{debit, full} {
		e.ok(e.freeze(e.regulator, e.a, kind, 0))
		e.reject(e.tx(e.w, apptest.CloseWallet(e.a)), wallet.ErrCloseUnderFreeze)
		rs := e.block(e.tx(e.issuer, apptest.CloseWallet(e.a)))
		wantExec(t, rs[0], wallet.ErrCloseUnderFreeze)
		if want := wallet.KindName(kind) + " freeze"; !strings.Contains(rs[0].Log, want) || !strings.Contains(rs[0].Log, "ledgerd tx wallet release") {
			t.Fatalf("close under a %s freeze: log %q, want the order's kind and how to release it", wallet.KindName(kind), rs[0].Log)
		}
		e.ok(e.tx(e.regulator, apptest.Release(e.a, e.wallet(e.a).Freezes[0].Id, "")))
	}
	// Only the owner or the bank of record.
	e.reject(e.tx(e.other, apptest.CloseWallet(e.a)), wallet.ErrNotBankOfRecord)
	e.reject(e.tx(e.regulator, apptest.CloseWallet(e.a)), consortium.ErrMissingRole)
	e.reject(e.tx(e.auditor, apptest.CloseWallet(e.a)), consortium.ErrMissingRole)
	e.reject(e.tx(e.peer, apptest.CloseWallet(e.a)), consortium.ErrNotOperator)

	rs := e.ok(e.tx(e.w, apptest.CloseWallet(e.a)))
	w := e.wallet(e.a)
	if !w.Closed || w.Status != closedStatus {
		t.Fatalf("closed wallet %v", w)
	}
	if by, _ := eventAttr(rs[0].Events, "wallet_closed", "by"); by != exec.Hex(e.a) {
		t.Fatalf("wallet_closed by %q", by)
	}
	if last := e.lastEntry(e.a); last.Kind != walletv1.HistoryKind_HISTORY_KIND_CLOSED || common.BytesToAddress(last.Counterparty) != e.a {
		t.Fatalf("history %v", last)
	}
	// The bank of record closes an empty wallet.
	e.ok(e.tx(e.issuer, apptest.CloseWallet(a3)))
	e.wantStatus(a3, closedStatus)
	if last := e.lastEntry(a3); common.BytesToAddress(last.Counterparty) != apptest.Address(e.issuer) {
		t.Fatalf("history %v", last)
	}

	for _, tc := range []struct {
		name string
		tx   func() []byte
		want *errcode.Error
	}{
		{"deposit", func() []byte { return e.deposit(e.a, 1) }, wallet.ErrWalletClosed},
		{"transfer in", func() []byte { return e.tx(e.peer, apptest.Transfer(e.a, 1)) }, wallet.ErrWalletClosed},
		{"batch leg in", func() []byte { return e.tx(e.peer, apptest.BatchTransfer(apptest.Leg(a4, 1), apptest.Leg(e.a, 1))) }, wallet.ErrWalletClosed},
		{"transfer out", func() []byte { return e.tx(e.w, apptest.Transfer(e.peerAddr, 1)) }, wallet.ErrWalletClosed},
		{"batch out", func() []byte { return e.tx(e.w, apptest.BatchTransfer(apptest.Leg(e.peerAddr, 1))) }, wallet.ErrWalletClosed},
		{"redeem", func() []byte { return e.tx(e.w, apptest.Redeem(1, "p")) }, wallet.ErrWalletClosed},
		{"close again by the owner", func() []byte { return e.tx(e.w, apptest.CloseWallet(e.a)) }, wallet.ErrWalletClosed},
		{"close again by the bank", func() []byte { return e.tx(e.issuer, apptest.CloseWallet(a3)) }, wallet.ErrWalletClosed},
		{"reopen", func() []byte { return e.tx(e.issuer, apptest.OpenWallet(e.a)) }, wallet.ErrWalletExists},
		{"reopen at another bank", func() []byte { return e.tx(e.other, apptest.OpenWallet(a3)) }, wallet.ErrWalletExists},
		{"freeze", func() []byte { return e.freeze(e.issuer, e.a, full, 0) }, wallet.ErrWalletClosed},
		{"freeze by a regulator", func() []byte { return e.freeze(e.regulator, e.a, debit, 0) }, wallet.ErrWalletClosed},
		{"set tier", func() []byte { return e.tx(e.issuer, apptest.SetTier(e.a, 2)) }, wallet.ErrWalletClosed},
		{"set limits", func() []byte { return e.tx(e.issuer, apptest.SetLimits(e.a, &walletv1.Limits{PaymentLimit: 1})) }, wallet.ErrWalletClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			e.reject(tc.tx(), tc.want)
		})
	}
	e.t = t
	// The owner's key still signs; its nonce counts only what succeeded.
	if n := e.Nonce(e.a); n != 2 {
		t.Fatalf("closed wallet nonce %d", n)
	}
	e.checkState()
}

// TestRedeem: redeeming burns the balance, the bank of record's
// outstanding issuance and the supply, up to the balance whoever issued
// the money; limits do not apply but freezes do.
func TestRedeem(t *testing.T) {
	t.Parallel()
	c := newChain(t, apptest.Options{})
	issuer, other := c.IssuerKey(), c.OtherIssuerKey()
	alice, bob, carol, dave := c.WalletKey(0), c.WalletKey(1), c.WalletKey(2), c.WalletKey(3)
	a, b, cr, d := apptest.Address(alice), apptest.Address(bob), apptest.Address(carol), apptest.Address(dave)
	c.ok(c.tx(issuer, apptest.OpenWallet(a)), c.tx(other, apptest.OpenWallet(b)), c.tx(issuer, apptest.OpenWallet(cr)),
		c.tx(issuer, apptest.OpenWalletTier(d, 4)))
	c.ok(c.tx(issuer, apptest.Deposit(a, 1000, "fiat-1")))

	redeem := c.tx(alice, apptest.Redeem(300, "PAYOUT-7"))
	rs := c.ok(redeem)
	c.wantBalance(a, 700)
	if c.Issued(apptest.Issuer) != 700 || c.Supply() != 700 {
		t.Fatalf("issued %d supply %d", c.Issued(apptest.Issuer), c.Supply())
	}
	hash := sha256.Sum256(redeem)
	for k, want := range map[string]string{"wallet": exec.Hex(a), "bank": apptest.Issuer, "denom": "CNY", "amount": "300",
		"payout_reference": "PAYOUT-7", "tx_hash": fmt.Sprintf("%X", hash), "height": strconv.FormatInt(c.Height(), 10)} {
		if got, _ := eventAttr(rs[0].Events, "redeem", k); got != want {
			t.Errorf("redeem event %s = %q, want %q", k, got, want)
		}
	}
	if last := c.lastEntry(a); last.Kind != walletv1.HistoryKind_HISTORY_KIND_REDEEM || last.Amount != 300 ||
		last.BalanceAfter != 700 || string(last.Counterparty) != apptest.Issuer || last.Detail != "PAYOUT-7" {
		t.Fatalf("history %v", last)
	}

	c.reject(c.tx(alice, apptest.Redeem(701, "p")), wallet.ErrInsufficientFunds)
	c.reject(c.tx(alice, apptest.Redeem(0, "p")), wallet.ErrZeroAmount)
	c.reject(c.tx(alice, apptest.Redeem(1, "")), wallet.ErrInvalidMsg)
	c.reject(c.tx(alice, &walletv1.MsgRedeem{Denom: "USD", Amount: 1, PayoutReference: "p"}), wallet.ErrUnknownDenom)
	c.reject(c.tx(issuer, apptest.Redeem(1, "p")), wallet.ErrWalletNotFound) // an operator holds no wallet

	// E-money issued by other-bank, held at demo-bank: demo-bank pays it
	// out all the same (issue 17). Its issuance goes below zero; the
	// positions do not move (demo-bank is owed 5,000, other-bank owes it).
	c.ok(c.tx(other, apptest.Deposit(b, 5000, "o-1")))
	c.ok(c.tx(bob, apptest.Transfer(a, 5000)))
	c.wantBalance(a, 5700)
	c.reject(c.tx(alice, apptest.Redeem(5701, "p")), wallet.ErrInsufficientFunds)
	c.ok(c.tx(alice, apptest.Redeem(5000, "p")))
	if got := c.Outstanding(apptest.Issuer); got != arith.Minus(4300) || c.Issued(apptest.OtherIssuer) != 5000 || c.Supply() != 700 {
		t.Fatalf("issued %s + %d, supply %d", got, c.Issued(apptest.OtherIssuer), c.Supply())
	}
	if p := c.Position(apptest.Issuer); p != arith.Minus(5000) {
		t.Fatalf("demo-bank's position %s, want -5000", p)
	}
	if p := c.Position(apptest.OtherIssuer); p != arith.Plus(5000) {
		t.Fatalf("other-bank's position %s, want 5000", p)
	}
	c.ok(c.tx(issuer, apptest.Deposit(cr, 10, "fiat-2")))
	c.ok(c.tx(alice, apptest.Redeem(700, "p")))
	c.ok(c.tx(carol, apptest.Redeem(10, "p")))
	if got := c.Outstanding(apptest.Issuer); got != arith.Minus(5000) || c.Supply() != 0 {
		t.Fatalf("issued %s, supply %d", got, c.Supply())
	}
	c.ok(c.tx(issuer, apptest.Deposit(a, 700, "fiat-4")))

	// Freezes apply.
	c.ok(c.tx(issuer, apptest.Freeze(a, debit, "order", 0)))
	c.reject(c.tx(alice, apptest.Redeem(1, "p")), wallet.ErrReceiveOnly)
	c.ok(c.tx(issuer, apptest.Freeze(a, full, "order", 0)))
	c.reject(c.tx(alice, apptest.Redeem(1, "p")), wallet.ErrWalletFrozen)

	// Limits do not apply, but a redemption counts in the day's outflow.
	lim := tierLimits[4]
	c.ok(c.tx(issuer, apptest.Deposit(d, lim.BalanceCap, "fiat-3")))
	c.ok(c.tx(dave, apptest.Redeem(lim.BalanceCap-1, "all")))
	c.wantBalance(d, 1)
	if f := c.wallet(d).Flows[0]; f.DayOutflow != lim.BalanceCap-1 || f.YearOutflow != lim.BalanceCap-1 {
		t.Fatalf("flow %v", f)
	}
	c.reject(c.tx(dave, apptest.Transfer(cr, 1)), wallet.ErrDailyLimit)
	c.checkState()
}

// TestIssuanceCap: an issuer's outstanding issuance stays within its cap,
// exactly at it included; redemptions free room.
func TestIssuanceCap(t *testing.T) {
	t.Parallel()
	c := newChain(t, apptest.Options{EditGenesis: func(g *appstate.State) {
		g.Wallet.IssuanceCaps = []wallet.GenesisIssuanceCap{{Issuer: apptest.Issuer, Denom: apptest.Denom, Cap: 10_000}}
	}})
	issuer, other := c.IssuerKey(), c.OtherIssuerKey()
	alice, bob := c.WalletKey(0), c.WalletKey(1)
	a, b := apptest.Address(alice), apptest.Address(bob)
	c.ok(c.tx(issuer, apptest.OpenWallet(a)), c.tx(other, apptest.OpenWallet(b)))
	c.reject(c.tx(issuer, apptest.Deposit(a, 10_001, "f-1")), wallet.ErrIssuanceCap)
	c.ok(c.tx(issuer, apptest.Deposit(a, 6000, "f-1")))
	c.reject(c.tx(issuer, apptest.Deposit(a, 4001, "f-2")), wallet.ErrIssuanceCap)
	c.ok(c.tx(issuer, apptest.Deposit(a, 4000, "f-2")))
	if c.Issued(apptest.Issuer) != 10_000 {
		t.Fatalf("issued %d", c.Issued(apptest.Issuer))
	}
	c.reject(c.tx(issuer, apptest.Deposit(a, 1, "f-3")), wallet.ErrIssuanceCap)
	c.ok(c.tx(alice, apptest.Redeem(100, "p")))
	c.ok(c.tx(issuer, apptest.Deposit(a, 100, "f-3")))
	c.reject(c.tx(issuer, apptest.Deposit(a, 1, "f-4")), wallet.ErrIssuanceCap)
	// Moving e-money to another bank's wallet does not move issuance.
	c.ok(c.tx(alice, apptest.Transfer(b, 5000)))
	c.reject(c.tx(issuer, apptest.Deposit(a, 1, "f-4")), wallet.ErrIssuanceCap)
	// other-bank has no cap.
	c.ok(c.tx(other, apptest.Deposit(b, 1_000_000_000_000, "o-1")))
	c.checkState()
}

// TestBatchTransfer: all legs or none, each leg under the rules of a
// single transfer.
func TestBatchTransfer(t *testing.T) {
	t.Parallel()
	c := newChain(t, apptest.Options{Wallets: 6, Balance: 1_000_000, EditGenesis: func(g *appstate.State) {
		g.Wallet.MaxBatchLegs = 5
	}})
	issuer, regulator := c.IssuerKey(), c.RegulatorKey()
	s := c.WalletKey(0)
	sa := apptest.Address(s)
	r := make([]common.Address, 6)
	for i := range r {
		r[i] = apptest.Address(c.WalletKey(i))
	}
	t4, q := c.WalletKey(10), c.WalletKey(11) // a tier-4 sender and receiver
	t4a, qa := apptest.Address(t4), apptest.Address(q)
	closed, frozenW := r[4], r[5]
	lim := tierLimits[4]
	c.ok(c.tx(issuer, apptest.OpenWalletTier(t4a, 4)), c.tx(issuer, apptest.OpenWalletTier(qa, 4)),
		c.tx(c.WalletKey(4), apptest.Transfer(sa, 1_000_000)),
		c.tx(regulator, apptest.Freeze(frozenW, full, "order", 0)))
	c.ok(c.tx(issuer, apptest.Deposit(t4a, lim.BalanceCap, "f-1")), c.tx(issuer, apptest.Deposit(qa, lim.BalanceCap-100, "f-2")),
		c.tx(c.WalletKey(4), apptest.CloseWallet(closed)))

	// All legs succeed, two to the same wallet.
	before := c.wallet(sa)
	rs := c.ok(c.tx(s, apptest.BatchTransfer(apptest.Leg(r[1], 100), apptest.Leg(r[2], 200), apptest.Leg(r[3], 300), apptest.Leg(r[1], 50))))
	c.wantBalance(sa, 2_000_000-650)
	c.wantBalance(r[1], 1_000_150)
	c.wantBalance(r[2], 1_000_200)
	c.wantBalance(r[3], 1_000_300)
	after := c.wallet(sa)
	if after.HistoryCount != before.HistoryCount+4 || after.DayPayments != before.DayPayments+4 || after.Flows[0].DayOutflow != before.Flows[0].DayOutflow+650 {
		t.Fatalf("sender before %v after %v", before, after)
	}
	var transfers int
	for _, ev := range rs[0].Events {
		if ev.Type == "transfer" {
			transfers++
		}
	}
	if transfers != 4 {
		t.Fatalf("%d transfer events", transfers)
	}
	if es := c.history[r[1]]; len(es) != 2 || es[0].BalanceAfter != 1_000_100 || es[1].BalanceAfter != 1_000_150 {
		t.Fatalf("history of r1 %v", es)
	}

	// One failing leg fails the whole batch and changes nothing.
	bal := c.Balance(sa)
	batch := func(from *ecdsa.PrivateKey, legs ...*walletv1.BatchLeg) []byte {
		return c.tx(from, apptest.BatchTransfer(legs...))
	}
	for _, tc := range []struct {
		name string
		tx   func() []byte
		want *errcode.Error
	}{
		{"insufficient funds at leg 3", func() []byte {
			return batch(s, apptest.Leg(r[1], 100), apptest.Leg(r[2], 100), apptest.Leg(r[3], bal-199), apptest.Leg(r[1], 1))
		}, wallet.ErrInsufficientFunds},
		{"receiver cap", func() []byte { return batch(s, apptest.Leg(r[1], 1), apptest.Leg(qa, 60), apptest.Leg(qa, 41)) }, wallet.ErrBalanceCap},
		{"closed recipient", func() []byte { return batch(s, apptest.Leg(r[1], 1), apptest.Leg(closed, 1)) }, wallet.ErrWalletClosed},
		{"frozen recipient", func() []byte { return batch(s, apptest.Leg(r[1], 1), apptest.Leg(frozenW, 1)) }, wallet.ErrWalletFrozen},
		{"unopened recipient", func() []byte { return batch(s, apptest.Leg(r[1], 1), apptest.Leg(apptest.Address(c.WalletKey(99)), 1)) }, wallet.ErrWalletNotFound},
		{"leg to self", func() []byte { return batch(s, apptest.Leg(r[1], 1), apptest.Leg(sa, 1)) }, wallet.ErrSelfTransfer},
		{"payment limit of a leg", func() []byte {
			return batch(t4, apptest.Leg(r[1], lim.PaymentLimit), apptest.Leg(r[2], lim.PaymentLimit+1))
		}, wallet.ErrPaymentLimit},
		{"daily limit across legs", func() []byte {
			return batch(t4, apptest.Leg(r[1], lim.PaymentLimit), apptest.Leg(r[2], lim.PaymentLimit), apptest.Leg(r[3], lim.PaymentLimit))
		}, wallet.ErrDailyLimit},
		{"more legs than max_batch_legs", func() []byte {
			return batch(s, apptest.Leg(r[1], 1), apptest.Leg(r[1], 1), apptest.Leg(r[1], 1), apptest.Leg(r[1], 1), apptest.Leg(r[1], 1), apptest.Leg(r[1], 1))
		}, wallet.ErrTooManyLegs},
		{"zero leg", func() []byte { return batch(s, apptest.Leg(r[1], 1), apptest.Leg(r[2], 0)) }, wallet.ErrZeroAmount},
		{"no legs", func() []byte { return batch(s) }, wallet.ErrInvalidMsg},
		{"unknown denom", func() []byte {
			return c.tx(s, &walletv1.MsgBatchTransfer{Denom: "USD", Legs: []*walletv1.BatchLeg{apptest.Leg(r[1], 1)}})
		}, wallet.ErrUnknownDenom},
		{"frozen sender", func() []byte { return c.tx(c.WalletKey(5), apptest.BatchTransfer(apptest.Leg(r[1], 1))) }, wallet.ErrWalletFrozen},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			c.reject(tc.tx(), tc.want)
		})
	}
	c.t = t
	c.wantBalance(sa, bal)
	// Exactly at the limits passes: the receiver's cap, the daily limit.
	c.ok(c.tx(s, apptest.BatchTransfer(apptest.Leg(qa, 60), apptest.Leg(qa, 40))))
	c.ok(c.tx(t4, apptest.BatchTransfer(apptest.Leg(r[1], lim.PaymentLimit), apptest.Leg(r[2], lim.PaymentLimit),
		apptest.Leg(r[3], lim.DailyOutflowLimit-2*lim.PaymentLimit))))
	c.wantBalance(qa, lim.BalanceCap)
	c.ok(c.tx(s, apptest.BatchTransfer(apptest.Leg(r[1], 1), apptest.Leg(r[1], 1), apptest.Leg(r[1], 1), apptest.Leg(r[1], 1), apptest.Leg(r[1], 1))))
	c.checkState()
}

// TestBatchTransferThousandLegs: a batch of max_batch_legs (1000) legs
// goes through when max_tx_bytes lets it; one more leg is refused.
func TestBatchTransferThousandLegs(t *testing.T) {
	t.Parallel()
	const legs = wallet.DefaultMaxBatchLegs
	c := newChain(t, apptest.Options{Wallets: legs + 1, Balance: 1_000_000, EditGenesis: func(g *appstate.State) {
		g.Consortium.MaxTxBytes = 64 << 10
	}})
	s := c.WalletKey(0)
	var ls []*walletv1.BatchLeg
	var total uint64
	for i := 1; i <= legs; i++ {
		ls = append(ls, apptest.Leg(apptest.Address(c.WalletKey(i)), uint64(i)))
		total += uint64(i)
	}
	tooMany := append(append([]*walletv1.BatchLeg(nil), ls...), apptest.Leg(apptest.Address(c.WalletKey(1)), 1))
	c.reject(c.tx(s, apptest.BatchTransfer(tooMany...)), wallet.ErrTooManyLegs)
	c.ok(c.tx(s, apptest.BatchTransfer(ls...)))
	c.wantBalance(apptest.Address(s), 1_000_000-total)
	c.wantBalance(apptest.Address(c.WalletKey(legs)), 1_000_000+legs)
	if w := c.wallet(apptest.Address(s)); w.DayPayments != legs || w.HistoryCount != legs {
		t.Fatalf("sender: %d payments today, %d history entries", w.DayPayments, w.HistoryCount)
	}
	c.checkState()
}
