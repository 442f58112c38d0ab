package app_test

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/app/apptest"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/wallet"
)

const delay = 48 * time.Hour

func recoverMsg(w, newKey common.Address) *walletv1.MsgRecoverWallet {
	return &walletv1.MsgRecoverWallet{Wallet: w.Bytes(), NewKey: newKey.Bytes(), KycHash: apptest.KYCHash(newKey)}
}

// TestKeyRecovery: the bank of record starts a recovery; for the delay the
// wallet only receives, the new key may not sign yet and the old key still
// may (to cancel); at the due time the new key signs for the same wallet
// (balance, nonce, history kept) and the old key is refused from then on.
func TestKeyRecovery(t *testing.T) {
	c := newChain(t, apptest.Options{Wallets: 2, Balance: genesisBalance})
	bank, w0, w1 := c.IssuerKey(), c.WalletKey(0), c.WalletKey(1)
	a0, a1 := apptest.Address(w0), apptest.Address(w1)
	newKey := key("recovered-phone")
	c.ok(c.tx(w0, apptest.Transfer(a1, 5)))
	c.reject(c.tx(c.OtherIssuerKey(), recoverMsg(a0, apptest.Address(newKey))), wallet.ErrNotBankOfRecord)
	c.reject(c.unused(bank, recoverMsg(a0, a1)), wallet.ErrKeyInUse)
	started := c.LastTime().Add(time.Second)
	c.okAt(started, c.tx(bank, recoverMsg(a0, apptest.Address(newKey))))
	c.wantStatus(a0, walletv1.WalletStatus_WALLET_STATUS_RECOVERING)
	if v, ok := eventAttr(c.last.TxResults[0].Events, "wallet_recovery_started", "due"); !ok || v != strconv.FormatInt(started.Add(delay).Unix(), 10) {
		t.Fatalf("wallet_recovery_started due = %q", v)
	}
	c.reject(c.unused(bank, recoverMsg(a0, apptest.Address(key("other")))), wallet.ErrRecoveryPending)
	// Receive only; the new key not yet in force.
	c.reject(c.unused(w0, apptest.Transfer(a1, 1)), wallet.ErrRecoveryPending)
	c.ok(c.tx(w1, apptest.Transfer(a0, 7)), c.tx(bank, apptest.Deposit(a0, 9, "while-recovering")))
	c.reject(c.Sign(newKey, 0, apptest.Transfer(a1, 1)), wallet.ErrKeyNotInForce)
	if a := c.Account(apptest.Address(newKey)); a.Kind != "" || a.Refused == "" {
		t.Fatalf("pending key's account: %v", a)
	}
	// Not before the delay has passed.
	c.rejectAt(started.Add(delay-time.Second), c.Sign(newKey, 2, apptest.Transfer(a1, 1)), wallet.ErrKeyNotInForce)
	c.rejectAt(started.Add(delay-time.Second/2), c.unused(w0, apptest.Transfer(a1, 1)), wallet.ErrRecoveryPending)
	balance, nonce := c.Balance(a0), c.wallet(a0).Nonce
	// At the due time: the sweep completes it, the new key signs.
	c.okAt(started.Add(delay), c.Sign(newKey, nonce, apptest.Transfer(a1, 3)))
	if _, ok := eventAttr(c.last.Events, "wallet_recovery_completed", "key"); !ok {
		t.Fatal("no wallet_recovery_completed event at the start of the block")
	}
	w := c.wallet(a0)
	if !bytes.Equal(w.Key, apptest.Address(newKey).Bytes()) || w.Recovery != nil || w.Status != walletv1.WalletStatus_WALLET_STATUS_ACTIVE ||
		!bytes.Equal(w.KycHash, apptest.KYCHash(apptest.Address(newKey))) || w.Nonce != nonce+1 {
		t.Fatalf("recovered wallet: %v", w)
	}
	c.wantBalance(a0, balance-3)
	// The old key is refused from now on; the account of the new key is the wallet.
	c.reject(c.unused(w0, apptest.Transfer(a1, 1)), wallet.ErrKeyReplaced)
	if a := c.Account(apptest.Address(newKey)); a.Kind != wallet.AccountKind || !bytes.Equal(a.Account, a0.Bytes()) || a.Nonce != nonce+1 {
		t.Fatalf("new key's account: %v", a)
	}
	if a := c.Account(a0); a.Kind != "" || a.Refused == "" {
		t.Fatalf("old key's account: %v", a)
	}
	// Others pay the wallet at its address, as before; the new key closes
	// nothing else and can be used by no other wallet.
	c.ok(c.tx(w1, apptest.Transfer(a0, 1)))
	c.reject(c.unused(bank, apptest.OpenWallet(apptest.Address(newKey))), wallet.ErrKeyInUse)
	kinds := []walletv1.HistoryKind{}
	for _, e := range c.history[a0] {
		kinds = append(kinds, e.Kind)
	}
	if !containsKinds(kinds, walletv1.HistoryKind_HISTORY_KIND_RECOVERY_STARTED, walletv1.HistoryKind_HISTORY_KIND_KEY_CHANGED) {
		t.Fatalf("history kinds %v", kinds)
	}
	c.checkState()
}

// TestCancelRecovery: the wallet's current key stops a recovery (a thief
// at the counter); the new key never signs, the old one goes on.
func TestCancelRecovery(t *testing.T) {
	c := newChain(t, apptest.Options{Wallets: 2, Balance: genesisBalance})
	bank, w0, w1 := c.IssuerKey(), c.WalletKey(0), c.WalletKey(1)
	a0, a1 := apptest.Address(w0), apptest.Address(w1)
	thief := key("thief")
	c.ok(c.tx(bank, recoverMsg(a0, apptest.Address(thief))))
	c.reject(c.unused(w1, &walletv1.MsgCancelRecovery{Wallet: a0.Bytes()}), wallet.ErrWalletNotFound)
	c.ok(c.tx(w0, &walletv1.MsgCancelRecovery{Wallet: a0.Bytes()}))
	if _, ok := eventAttr(c.last.TxResults[0].Events, "wallet_recovery_cancelled", "by"); !ok {
		t.Fatal("no wallet_recovery_cancelled event")
	}
	c.wantStatus(a0, walletv1.WalletStatus_WALLET_STATUS_ACTIVE)
	c.reject(c.unused(w0, &walletv1.MsgCancelRecovery{Wallet: a0.Bytes()}), wallet.ErrNoRecovery)
	c.okAt(c.LastTime().Add(delay+time.Hour), c.tx(w0, apptest.Transfer(a1, 1)))
	c.reject(c.Sign(thief, 0, apptest.Transfer(a1, 1)), auth.ErrUnknownSigner)
	// The bank may cancel its own recovery too.
	c.ok(c.tx(bank, recoverMsg(a1, apptest.Address(key("b")))))
	c.ok(c.tx(bank, &walletv1.MsgCancelRecovery{Wallet: a1.Bytes()}))
	c.wantStatus(a1, walletv1.WalletStatus_WALLET_STATUS_ACTIVE)
	c.checkState()
}

// TestRotateKey: both keys sign; from the next transaction the new key
// signs for the same wallet and the old one is refused.
func TestRotateKey(t *testing.T) {
	c := newChain(t, apptest.Options{Wallets: 2, Balance: genesisBalance})
	w0, w1 := c.WalletKey(0), c.WalletKey(1)
	a1 := apptest.Address(w1)
	k2, k3 := key("k2"), key("k3")
	rotate := func(k common.Address) *walletv1.MsgRotateKey { return &walletv1.MsgRotateKey{NewKey: k.Bytes()} }
	c.reject(c.unused(w0, rotate(apptest.Address(k2))), wallet.ErrWrongSecondSigner)
	c.reject(c.unusedBoth(w0, k3, rotate(apptest.Address(k2))), wallet.ErrWrongSecondSigner)
	c.reject(c.unusedBoth(w0, w1, rotate(a1)), wallet.ErrKeyInUse)
	c.reject(c.unusedBoth(w0, k2, apptest.Transfer(a1, 1)), wallet.ErrWrongSecondSigner)
	c.ok(c.txBoth(w0, k2, rotate(apptest.Address(k2))))
	c.reject(c.unused(w0, apptest.Transfer(a1, 1)), wallet.ErrKeyReplaced)
	c.ok(c.tx(k2, apptest.Transfer(a1, 4)))
	// Again: k2 is retired for good, k3 signs.
	c.ok(c.txBoth(k2, k3, rotate(apptest.Address(k3))))
	c.reject(c.unused(k2, apptest.Transfer(a1, 1)), wallet.ErrKeyReplaced)
	c.reject(c.unusedBoth(w1, k2, rotate(apptest.Address(k2))), wallet.ErrKeyInUse)
	c.ok(c.tx(k3, apptest.Transfer(a1, 4)))
	c.wantBalance(a1, genesisBalance+8)
	c.checkState()
}

// TestSecondFactor: above the threshold a payment needs both signatures;
// removing the second factor by the wallet's key alone waits the delay.
func TestSecondFactor(t *testing.T) {
	c := newChain(t, apptest.Options{Wallets: 2, Balance: genesisBalance})
	w0, w1 := c.WalletKey(0), c.WalletKey(1)
	a0, a1 := apptest.Address(w0), apptest.Address(w1)
	token, other := key("token"), key("other-token")
	set := &walletv1.MsgSetSecondFactor{Key: apptest.Address(token).Bytes(), Denom: apptest.Denom, Threshold: 1000}
	c.reject(c.unused(w0, set), wallet.ErrWrongSecondSigner)
	c.ok(c.txBoth(w0, token, set))
	c.ok(c.tx(w0, apptest.Transfer(a1, 1000))) // at the threshold: one signature
	c.reject(c.unused(w0, apptest.Transfer(a1, 1001)), wallet.ErrSecondFactorRequired)
	c.reject(c.unused(w0, apptest.BatchTransfer(apptest.Leg(a1, 600), apptest.Leg(apptest.Address(c.WalletKey(1)), 600))), wallet.ErrSecondFactorRequired)
	c.reject(c.unused(w0, apptest.Redeem(1001, "payout")), wallet.ErrSecondFactorRequired)
	c.reject(c.unusedBoth(w0, other, apptest.Transfer(a1, 1001)), wallet.ErrWrongSecondSigner)
	c.ok(c.txBoth(w0, token, apptest.Transfer(a1, 5000)))
	if v, ok := eventAttr(c.last.TxResults[0].Events, "wallet_large_payment", "amount"); !ok || v != "5000" {
		t.Fatalf("wallet_large_payment amount %q", v)
	}
	// Replacing it needs the one in force.
	c.reject(c.unusedBoth(w0, other, &walletv1.MsgSetSecondFactor{Key: apptest.Address(other).Bytes(), Denom: apptest.Denom, Threshold: 10}), wallet.ErrWrongSecondSigner)
	// Removal with the wallet's key alone: pending for the delay.
	started := c.LastTime().Add(time.Second)
	c.okAt(started, c.tx(w0, &walletv1.MsgRemoveSecondFactor{}))
	c.reject(c.unused(w0, &walletv1.MsgRemoveSecondFactor{}), wallet.ErrRemovalPending)
	c.rejectAt(started.Add(delay-time.Second), c.unused(w0, apptest.Transfer(a1, 2000)), wallet.ErrSecondFactorRequired)
	c.okAt(started.Add(delay), c.tx(w0, apptest.Transfer(a1, 2000)))
	if c.wallet(a0).SecondFactor != nil {
		t.Fatal("second factor still there after the delay")
	}
	// With its own signature, at once; and set again, it cancels a removal.
	c.ok(c.txBoth(w0, token, set))
	c.ok(c.tx(w0, &walletv1.MsgRemoveSecondFactor{}))
	c.ok(c.txBoth(w0, token, set))
	if sf := c.wallet(a0).SecondFactor; sf == nil || sf.RemovalDue != 0 {
		t.Fatalf("second factor %v", sf)
	}
	c.ok(c.txBoth(w0, token, &walletv1.MsgRemoveSecondFactor{}))
	c.ok(c.tx(w0, apptest.Transfer(a1, 3000)))
	c.checkState()
}

// TestSubWallets: a sub-wallet's limits are within its parent's, its
// payments count toward the parent's daily limit, payees bind it, the
// parent stops, sweeps and closes it.
func TestSubWallets(t *testing.T) {
	c := newChain(t, apptest.Options{Wallets: 3, Balance: genesisBalance})
	bank, w0, w1, w2 := c.IssuerKey(), c.WalletKey(0), c.WalletKey(1), c.WalletKey(2)
	a0, a1, a2 := apptest.Address(w0), apptest.Address(w1), apptest.Address(w2)
	child := key("child")
	ac := apptest.Address(child)
	open := func(daily uint64, payees ...common.Address) *walletv1.MsgOpenSubWallet {
		m := &walletv1.MsgOpenSubWallet{Owner: ac.Bytes(), Denom: apptest.Denom, Limits: &walletv1.Limits{DailyOutflowLimit: daily}}
		for _, p := range payees {
			m.Payees = append(m.Payees, p.Bytes())
		}
		return m
	}
	c.ok(c.tx(bank, apptest.SetLimits(a0, &walletv1.Limits{DailyOutflowLimit: 10_000})))
	c.reject(c.unused(w0, open(20_000)), wallet.ErrSubLimit)
	c.ok(c.tx(w0, open(8_000, a1)))
	if w := c.wallet(ac); !bytes.Equal(w.Parent, a0.Bytes()) || w.Bank != apptest.Issuer || c.wallet(a0).SubWallets != 1 {
		t.Fatalf("sub-wallet %v", w)
	}
	c.reject(c.unused(child, open(1)), wallet.ErrSubOfSub)
	c.ok(c.tx(w0, apptest.Transfer(ac, 9_000)))
	// Payees.
	c.reject(c.unused(child, apptest.Transfer(a2, 1)), wallet.ErrNotAPayee)
	c.ok(c.tx(child, apptest.Transfer(a1, 3_000)), c.tx(child, apptest.Transfer(a0, 100)))
	// Funding the child is no outflow of the parent; the child's 3,000 out
	// and the parent's 7,000 reach the parent's 10,000 a day.
	c.ok(c.tx(w0, apptest.Transfer(a1, 7_000)))
	c.reject(c.unused(w0, apptest.Transfer(a1, 1)), wallet.ErrDailyLimit)
	c.reject(c.unused(child, apptest.Transfer(a1, 1)), wallet.ErrDailyLimit)
	c.okAt(c.LastTime().Add(24*time.Hour), c.tx(w0, apptest.Transfer(a1, 6_000)))
	c.reject(c.unused(child, apptest.Transfer(a1, 4_001)), wallet.ErrDailyLimit) // the parent's 10,000
	c.ok(c.tx(child, apptest.Transfer(a1, 4_000)))
	// Stop, resume, sweep, close.
	c.reject(c.unused(w1, &walletv1.MsgFreezeSubWallet{Wallet: ac.Bytes()}), wallet.ErrNotParent)
	c.ok(c.tx(w0, &walletv1.MsgFreezeSubWallet{Wallet: ac.Bytes()}))
	c.reject(c.unused(child, apptest.Transfer(a1, 1)), wallet.ErrSubWalletFrozen)
	c.ok(c.tx(w0, &walletv1.MsgFreezeSubWallet{Wallet: ac.Bytes(), Unfreeze: true}))
	c.ok(c.tx(w0, &walletv1.MsgSetSubWallet{Wallet: ac.Bytes(), Denom: apptest.Denom, Limits: &walletv1.Limits{PaymentLimit: 10}}))
	c.reject(c.unused(child, apptest.Transfer(a2, 11)), wallet.ErrPaymentLimit)
	c.ok(c.tx(w0, &walletv1.MsgSweepSubWallet{Wallet: ac.Bytes(), Denom: apptest.Denom, Amount: 1_000}))
	c.reject(c.unused(w0, apptest.CloseWallet(a0)), wallet.ErrHasSubWallets)
	parentBefore, childBefore := c.Balance(a0), c.Balance(ac)
	c.ok(c.tx(w0, apptest.CloseWallet(ac)))
	if w := c.wallet(ac); !w.Closed || len(w.Balances) != 0 || c.wallet(a0).SubWallets != 0 {
		t.Fatalf("closed sub-wallet %v", w)
	}
	c.wantBalance(a0, parentBefore+childBefore)
	c.checkState()
}

func containsKinds(have []walletv1.HistoryKind, want ...walletv1.HistoryKind) bool {
	for _, k := range want {
		found := false
		for _, h := range have {
			found = found || h == k
		}
		if !found {
			return false
		}
	}
	return true
}
