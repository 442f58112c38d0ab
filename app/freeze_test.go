package app_test

import (
	"bytes"
	"crypto/ecdsa"
	"fmt"
	"testing"
	"time"

	"github.com/ledgerd/ledgerd/x/exec"

	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/app/apptest"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/wallet"
)

const (
	full  = walletv1.FreezeKind_FREEZE_KIND_FULL
	debit = walletv1.FreezeKind_FREEZE_KIND_DEBIT

	active       = walletv1.WalletStatus_WALLET_STATUS_ACTIVE
	frozen       = walletv1.WalletStatus_WALLET_STATUS_FROZEN
	debitFrozen  = walletv1.WalletStatus_WALLET_STATUS_DEBIT_FROZEN
	closedStatus = walletv1.WalletStatus_WALLET_STATUS_CLOSED
)

// freezeEnv is a chain with five tier-1 genesis wallets at demo-bank
// holding 1,000,000 each; w is the one the tests freeze.
type freezeEnv struct {
	*chain
	issuer, other, regulator, auditor *ecdsa.PrivateKey
	w, peer, peer2                    *ecdsa.PrivateKey
	a, peerAddr, peer2Addr            common.Address
	refs                              int
}

func newFreezeEnv(t *testing.T) *freezeEnv {
	t.Helper()
	c := newChain(t, apptest.Options{Wallets: 5, Balance: 1_000_000})
	e := &freezeEnv{chain: c, issuer: c.IssuerKey(), other: c.OtherIssuerKey(), regulator: c.RegulatorKey(),
		auditor: c.AuditorKey(), w: c.WalletKey(0), peer: c.WalletKey(1), peer2: c.WalletKey(2)}
	e.a, e.peerAddr, e.peer2Addr = apptest.Address(e.w), apptest.Address(e.peer), apptest.Address(e.peer2)
	return e
}

func (e *freezeEnv) freeze(by *ecdsa.PrivateKey, w common.Address, kind walletv1.FreezeKind, expires int64) []byte {
	return e.tx(by, apptest.Freeze(w, kind, "court order 2025-17", expires))
}

func (e *freezeEnv) deposit(to common.Address, amount uint64) []byte {
	e.refs++
	return e.tx(e.issuer, apptest.Deposit(to, amount, fmt.Sprintf("fiat-%d", e.refs)))
}

// TestFreezeCombinations: what a wallet may do under each combination of
// standing orders; it is as frozen as its strictest order.
func TestFreezeCombinations(t *testing.T) {
	type order struct {
		by   string // "bank" or "regulator"
		kind walletv1.FreezeKind
	}
	var none *errcode.Error // success
	for _, tc := range []struct {
		name   string
		orders []order
		status walletv1.WalletStatus
		send   *errcode.Error // transfer, batch, redeem
		recv   *errcode.Error // transfer in, batch leg in, deposit
	}{
		{"no order", nil, active, none, none},
		{"full", []order{{"bank", full}}, frozen, wallet.ErrWalletFrozen, wallet.ErrWalletFrozen},
		{"debit", []order{{"bank", debit}}, debitFrozen, wallet.ErrReceiveOnly, none},
		{"full and debit", []order{{"bank", full}, {"regulator", debit}}, frozen, wallet.ErrWalletFrozen, wallet.ErrWalletFrozen},
		{"debit and full", []order{{"regulator", debit}, {"bank", full}}, frozen, wallet.ErrWalletFrozen, wallet.ErrWalletFrozen},
		{"two debit", []order{{"bank", debit}, {"regulator", debit}}, debitFrozen, wallet.ErrReceiveOnly, none},
		{"two full", []order{{"regulator", full}, {"regulator", full}}, frozen, wallet.ErrWalletFrozen, wallet.ErrWalletFrozen},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newFreezeEnv(t)
			var txs [][]byte
			for _, o := range tc.orders {
				by := e.issuer
				if o.by == "regulator" {
					by = e.regulator
				}
				txs = append(txs, e.freeze(by, e.a, o.kind, 0))
			}
			rs := e.ok(txs...)
			e.wantStatus(e.a, tc.status)
			if len(rs) > 0 {
				if got, _ := eventAttr(rs[len(rs)-1].Events, "wallet_frozen", "status"); got != wallet.StatusName(tc.status) {
					t.Fatalf("wallet_frozen status %q, want %q", got, wallet.StatusName(tc.status))
				}
			}
			for _, op := range []struct {
				name string
				tx   func() []byte
				want *errcode.Error
			}{
				{"transfer out", func() []byte { return e.tx(e.w, apptest.Transfer(e.peerAddr, 10)) }, tc.send},
				{"batch out", func() []byte {
					return e.tx(e.w, apptest.BatchTransfer(apptest.Leg(e.peerAddr, 1), apptest.Leg(e.peer2Addr, 2)))
				}, tc.send},
				{"redeem", func() []byte { return e.tx(e.w, apptest.Redeem(10, "payout-1")) }, tc.send},
				{"transfer in", func() []byte { return e.tx(e.peer, apptest.Transfer(e.a, 10)) }, tc.recv},
				{"batch leg in", func() []byte {
					return e.tx(e.peer, apptest.BatchTransfer(apptest.Leg(e.peer2Addr, 1), apptest.Leg(e.a, 2)))
				}, tc.recv},
				{"deposit", func() []byte { return e.deposit(e.a, 10) }, tc.recv},
			} {
				if op.want == nil {
					e.ok(op.tx())
				} else {
					e.reject(op.tx(), op.want)
				}
			}
			e.checkState()
		})
	}
}

// TestFreezeOrders: who may place and lift orders, and how the status
// follows the standing ones.
func TestFreezeOrders(t *testing.T) {
	t.Parallel()
	e := newFreezeEnv(t)
	atOther := apptest.Address(e.WalletKey(20))
	e.ok(e.tx(e.other, apptest.OpenWallet(atOther)))

	// Only the bank of record or a regulator freezes.
	e.reject(e.freeze(e.other, e.a, full, 0), wallet.ErrNotAuthority)
	e.reject(e.freeze(e.auditor, e.a, full, 0), wallet.ErrNotAuthority)
	e.reject(e.freeze(e.w, e.a, full, 0), wallet.ErrNotAuthority)
	e.reject(e.freeze(e.issuer, atOther, full, 0), wallet.ErrNotAuthority)
	e.reject(e.freeze(e.issuer, apptest.Address(e.WalletKey(21)), full, 0), wallet.ErrWalletNotFound)
	e.reject(e.tx(e.issuer, &walletv1.MsgFreeze{Wallet: e.a.Bytes(), Kind: 3, LegalBasis: "x"}), wallet.ErrInvalidMsg)
	e.reject(e.tx(e.issuer, &walletv1.MsgFreeze{Wallet: e.a.Bytes(), Kind: full}), wallet.ErrInvalidMsg)

	// Order 1 by the bank (full), order 2 by the regulator (debit).
	rs := e.ok(e.freeze(e.issuer, e.a, full, 0), e.freeze(e.regulator, e.a, debit, 0))
	e.wantStatus(e.a, frozen)
	w := e.wallet(e.a)
	if len(w.Freezes) != 2 || w.Freezes[0].Id != 1 || w.Freezes[0].Authority != apptest.Issuer ||
		w.Freezes[1].Id != 2 || w.Freezes[1].Authority != apptest.Regulator || w.Freezes[1].Kind != debit ||
		w.Freezes[0].LegalBasis != "court order 2025-17" || w.Freezes[0].Height != e.Height() {
		t.Fatalf("orders %v", w.Freezes)
	}
	if id, _ := eventAttr(rs[1].Events, "wallet_frozen", "order"); id != "2" {
		t.Fatalf("order id %q", id)
	}
	if last := e.lastEntry(e.a); last.Kind != walletv1.HistoryKind_HISTORY_KIND_FREEZE || string(last.Counterparty) != apptest.Regulator {
		t.Fatalf("history %v", last)
	}

	// Only an order's authority or a regulator lifts it.
	e.reject(e.tx(e.other, apptest.Release(e.a, 1, "")), wallet.ErrNotAuthority)
	e.reject(e.tx(e.auditor, apptest.Release(e.a, 1, "")), wallet.ErrNotAuthority)
	e.reject(e.tx(e.issuer, apptest.Release(e.a, 2, "")), wallet.ErrNotAuthority) // the regulator's
	e.reject(e.tx(e.w, apptest.Release(e.a, 1, "")), consortium.ErrNotOperator)
	e.reject(e.tx(e.issuer, apptest.Release(e.a, 3, "")), wallet.ErrFreezeNotFound)
	e.reject(e.tx(e.issuer, apptest.Release(e.a, 0, "")), wallet.ErrInvalidMsg)

	// Lifting the full order leaves the wallet debit-frozen.
	rs = e.ok(e.tx(e.issuer, apptest.Release(e.a, 1, "court lifted")))
	e.wantStatus(e.a, debitFrozen)
	if s, _ := eventAttr(rs[0].Events, "wallet_released", "status"); s != "debit-frozen" {
		t.Fatalf("wallet_released status %q", s)
	}
	if last := e.lastEntry(e.a); last.Kind != walletv1.HistoryKind_HISTORY_KIND_RELEASE ||
		string(last.Counterparty) != apptest.Issuer || last.Detail != "order 1 of "+apptest.Issuer+": court lifted" {
		t.Fatalf("history %v", last)
	}
	e.reject(e.tx(e.w, apptest.Transfer(e.peerAddr, 1)), wallet.ErrReceiveOnly)
	e.ok(e.tx(e.peer, apptest.Transfer(e.a, 1)))
	e.reject(e.tx(e.issuer, apptest.Release(e.a, 1, "")), wallet.ErrFreezeNotFound) // lifted already

	// A regulator lifts its own order, and a bank's.
	e.ok(e.tx(e.regulator, apptest.Release(e.a, 2, "")))
	e.wantStatus(e.a, active)
	e.ok(e.freeze(e.issuer, e.a, debit, 0))
	if w := e.wallet(e.a); len(w.Freezes) != 1 || w.Freezes[0].Id != 3 {
		t.Fatalf("orders %v: ids are not reused", w.Freezes)
	}
	rs = e.ok(e.tx(e.regulator, apptest.Release(e.a, 3, "")))
	e.wantStatus(e.a, active)
	// The history and the event name who released the bank's order.
	if last := e.lastEntry(e.a); string(last.Counterparty) != apptest.Regulator || last.Detail != "order 3 of "+apptest.Issuer+": " {
		t.Fatalf("a regulator's release of a bank's order is recorded as %q %q", last.Counterparty, last.Detail)
	}
	if by, _ := eventAttr(rs[0].Events, "wallet_released", "by"); by != apptest.Regulator {
		t.Fatalf("wallet_released by %q", by)
	}
	e.ok(e.tx(e.w, apptest.Transfer(e.peerAddr, 1)))

	// A regulator freezes any bank's wallet; that bank cannot lift it.
	e.ok(e.freeze(e.regulator, atOther, full, 0))
	e.wantStatus(atOther, frozen)
	e.reject(e.tx(e.other, apptest.Release(atOther, 1, "")), wallet.ErrNotAuthority)
	e.ok(e.freeze(e.other, atOther, debit, 0)) // its bank may add its own
	e.ok(e.tx(e.regulator, apptest.Release(atOther, 1, "")))
	e.wantStatus(atOther, debitFrozen)
	e.ok(e.tx(e.other, apptest.Release(atOther, 2, "")))
	e.wantStatus(atOther, active)
	e.checkState()
}

// TestFreezeMaxOrders: at most wallet.MaxFreezes orders stand at once.
func TestFreezeMaxOrders(t *testing.T) {
	t.Parallel()
	e := newFreezeEnv(t)
	var txs [][]byte
	for i := range wallet.MaxFreezes {
		by := e.issuer
		if i%2 == 1 {
			by = e.regulator
		}
		txs = append(txs, e.freeze(by, e.a, debit, 0))
	}
	e.ok(txs...)
	e.reject(e.freeze(e.regulator, e.a, full, 0), wallet.ErrTooManyFreezes)
	e.wantStatus(e.a, debitFrozen)
	e.ok(e.tx(e.issuer, apptest.Release(e.a, 5, "")))
	e.ok(e.freeze(e.regulator, e.a, full, 0))
	e.wantStatus(e.a, frozen)
	if w := e.wallet(e.a); len(w.Freezes) != wallet.MaxFreezes || w.Freezes[wallet.MaxFreezes-1].Id != wallet.MaxFreezes+1 {
		t.Fatalf("orders %v", w.Freezes)
	}
	e.checkState()
}

// TestFreezeExpiry: an order with an expiry lifts by itself at the first
// block whose time is past it, before the block's transactions, with a
// release in the wallet's history; an expiry not after the block time is
// refused.
func TestFreezeExpiry(t *testing.T) {
	t.Parallel()
	e := newFreezeEnv(t)
	e.ok()
	now := e.NextTime()
	// An expiry at or before the block's time is refused.
	e.rejectAt(now, e.freeze(e.issuer, e.a, full, now.Unix()), wallet.ErrInvalidMsg)
	now = e.NextTime()
	e.rejectAt(now, e.freeze(e.issuer, e.a, full, now.Unix()-1), wallet.ErrInvalidMsg)

	// Order 1 (full) expires at T+3, order 2 (debit) at T+5; order 3 at
	// T+4 is released before it expires.
	T := e.NextTime()
	exp1, exp2, exp3 := T.Unix()+3, T.Unix()+5, T.Unix()+4
	e.okAt(T, e.freeze(e.issuer, e.a, full, exp1), e.freeze(e.regulator, e.a, debit, exp2),
		e.freeze(e.issuer, e.peerAddr, full, exp3))
	for _, k := range [][]byte{wallet.ExpiryKey(exp1, e.a[:], 1), wallet.ExpiryKey(exp2, e.a[:], 2), wallet.ExpiryKey(exp3, e.peerAddr[:], 1)} {
		if e.Query("/store/wallet/key", k, 0, false).Value == nil {
			t.Fatalf("expiry key %x missing", k)
		}
	}
	e.ok(e.tx(e.issuer, apptest.Release(e.peerAddr, 1, "early"))) // T+1
	if e.Query("/store/wallet/key", wallet.ExpiryKey(exp3, e.peerAddr[:], 1), 0, false).Value != nil {
		t.Fatal("a released order stays in the expiry queue")
	}
	e.wantStatus(e.peerAddr, active)
	e.block() // T+2
	// At T+3, the expiry itself, the order still stands.
	e.rejectAt(time.Unix(exp1, 0), e.tx(e.w, apptest.Redeem(1, "p")), wallet.ErrWalletFrozen)
	if len(e.last.Events) != 0 {
		t.Fatalf("block at the expiry time lifted: %v", e.last.Events)
	}
	// At T+4 it has lifted, before the block's transactions: the wallet
	// receives, and is still debit-frozen.
	height := e.Height() + 1
	e.okAt(time.Unix(exp1+1, 0), e.tx(e.peer, apptest.Transfer(e.a, 5)))
	e.wantStatus(e.a, debitFrozen)
	if got, _ := eventAttr(e.last.Events, "wallet_released", "reason"); got != "expired" {
		t.Fatalf("block events %v", e.last.Events)
	}
	var release *walletv1.HistoryEntry
	for _, h := range e.history[e.a] {
		if h.Kind == walletv1.HistoryKind_HISTORY_KIND_RELEASE {
			release = h
		}
	}
	if release == nil || release.Height != height || len(release.TxHash) != 0 || release.Time != exp1+1 ||
		release.Detail != "order 1 of "+apptest.Issuer+": expired" || string(release.Counterparty) != apptest.Issuer {
		t.Fatalf("release entry %v", release)
	}
	if in := e.lastEntry(e.a); in.Kind != walletv1.HistoryKind_HISTORY_KIND_TRANSFER_IN || in.Seq != release.Seq+1 {
		t.Fatalf("the lift is not before the block's transactions: %v", in)
	}
	if e.Query("/store/wallet/key", wallet.ExpiryKey(exp1, e.a[:], 1), 0, false).Value != nil {
		t.Fatal("expiry key left after the lift")
	}
	// The peer's released order does not lift again; its expiry passes
	// quietly.
	before := e.AppHash()
	e.blockAt(time.Unix(exp3+1, 0)) // T+5
	if len(e.last.Events) != 0 || !bytes.Equal(before, e.AppHash()) {
		t.Fatalf("block past a released order's expiry: events %v", e.last.Events)
	}
	e.wantStatus(e.a, debitFrozen) // order 2 expires at T+5: still standing
	// A block much later lifts order 2 and the wallet pays in that block.
	e.okAt(time.Unix(exp2+3600, 0), e.tx(e.w, apptest.Transfer(e.peerAddr, 5)))
	e.wantStatus(e.a, active)
	if w := e.wallet(e.a); len(w.Freezes) != 0 {
		t.Fatalf("orders left %v", w.Freezes)
	}
	e.checkState()
}

// TestFreezeExpiryManyWallets: orders of several wallets due in the same
// block all lift, in expiry order.
func TestFreezeExpiryManyWallets(t *testing.T) {
	t.Parallel()
	e := newFreezeEnv(t)
	T := e.NextTime().Unix()
	var txs [][]byte
	for i := range 5 {
		txs = append(txs, e.freeze(e.regulator, apptest.Address(e.WalletKey(i)), walletv1.FreezeKind(1+i%2), T+10-int64(i)))
	}
	e.okAt(time.Unix(T, 0), txs...)
	e.blockAt(time.Unix(T+20, 0))
	var order []string
	for _, ev := range e.last.Events {
		if ev.Type == "wallet_released" {
			order = append(order, ev.Attributes[0].Value)
		}
	}
	if len(order) != 5 {
		t.Fatalf("released %v", order)
	}
	for i := range 5 {
		a := apptest.Address(e.WalletKey(4 - i)) // the earliest expiry first
		if order[i] != exec.Hex(a) {
			t.Fatalf("release %d is of %s, want %s", i, order[i], a.Hex())
		}
		e.wantStatus(a, active)
	}
	e.checkState()
}

// TestFreezeExpirySubSecond: block times carry nanoseconds (CometBFT's
// do); an order expiring at E lifts in a block at E + 0.5 s, which is past
// it, and not in one at E exactly.
func TestFreezeExpirySubSecond(t *testing.T) {
	t.Parallel()
	e := newFreezeEnv(t)
	T := e.NextTime()
	exp := T.Unix() + 2
	e.okAt(T.Add(300*time.Millisecond), e.freeze(e.issuer, e.a, full, exp))
	e.blockAt(time.Unix(exp, 0))
	e.wantStatus(e.a, frozen)
	e.okAt(time.Unix(exp, 500_000_000), e.tx(e.w, apptest.Transfer(e.peerAddr, 1)))
	e.wantStatus(e.a, active)
	// An expiry of the block's own second is already past at E + 0.5 s.
	at := e.NextTime().Add(500 * time.Millisecond)
	e.rejectAt(at, e.freeze(e.issuer, e.a, full, at.Unix()), wallet.ErrInvalidMsg)
	e.checkState()
}
