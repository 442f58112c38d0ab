package app_test

import (
	"bytes"
	"crypto/sha256"
	"slices"
	"testing"

	"github.com/ledgerd/ledgerd/x/exec"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/app/apptest"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store/commitinfo"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// provenWallet reads owner's wallet at height with a proof and verifies
// the proof against that height's app hash.
func provenWallet(t *testing.T, c *chain, owner common.Address, height int64) *walletv1.Wallet {
	t.Helper()
	key := wallet.WalletKey(owner[:])
	r := c.Query("/store/wallet/key", key, height, true)
	wantQuery(t, r, ok)
	v, err := c.Store.Version(height)
	if err != nil {
		t.Fatal(err)
	}
	if err := commitinfo.VerifyValue(v.AppHash(), wallet.StoreName, key, r.Value, r.ProofOps.Ops); err != nil {
		t.Fatalf("proof of %s at %d: %v", owner.Hex(), height, err)
	}
	w := new(walletv1.Wallet)
	if err := proto.Unmarshal(r.Value, w); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestHistoryAccumulator runs every kind of operation, failures among
// them, and checks that each wallet's proven (history_count, history_head)
// is the accumulator of exactly the wallet_history events of the blocks
// (transactions' and the block's own, for expiring freezes), at the last
// height and at an earlier one; and that an omitted, altered or reordered
// entry is detected.
func TestHistoryAccumulator(t *testing.T) {
	t.Parallel()
	c := newChain(t, apptest.Options{Wallets: 2, Balance: 1000})
	issuer, other, regulator := c.IssuerKey(), c.OtherIssuerKey(), c.RegulatorKey()
	alice, bob, carol := c.WalletKey(10), c.WalletKey(11), c.WalletKey(12)
	a, b, cr := apptest.Address(alice), apptest.Address(bob), apptest.Address(carol)
	g0 := apptest.Address(c.WalletKey(0))

	c.ok(c.tx(issuer, apptest.OpenWalletTier(a, 2)), c.tx(issuer, apptest.OpenWallet(b)), c.tx(other, apptest.OpenWallet(cr)))
	rs := c.block(
		c.tx(issuer, apptest.Deposit(a, 5000, "f-1")),
		c.tx(alice, apptest.Transfer(b, 1000)),
		c.tx(bob, apptest.BatchTransfer(apptest.Leg(a, 10), apptest.Leg(cr, 20), apptest.Leg(a, 30))),
		c.tx(other, apptest.Deposit(cr, 500, "o-2")),
		c.tx(other, apptest.Deposit(a, 1, "o-1")), // not its bank: fails
	)
	mustOK(t, rs[:4])
	wantExec(t, rs[4], wallet.ErrNotBankOfRecord)
	T := c.NextTime().Unix()
	c.ok(c.tx(regulator, apptest.Freeze(a, debit, "inquiry 9", T+2)), c.tx(issuer, apptest.SetTier(a, 3)),
		c.tx(issuer, apptest.SetLimits(a, &walletv1.Limits{PaymentLimit: 900})))
	mid := c.Height()
	c.ok(c.tx(bob, apptest.Transfer(a, 1))) // T+1: alice receives under the debit freeze
	c.block()                               // T+2: the expiry itself
	c.block()                               // T+3: lifts
	if got, _ := eventAttr(c.last.Events, "wallet_released", "wallet"); got != exec.Hex(a) {
		t.Fatalf("no expiry at T+3: %v", c.last.Events)
	}
	rs = c.block(c.tx(alice, apptest.Redeem(100, "payout-1")), c.tx(alice, apptest.Transfer(g0, 901)))
	mustOK(t, rs[:1])
	wantExec(t, rs[1], wallet.ErrPaymentLimit)
	c.ok(c.tx(alice, apptest.Transfer(g0, 900)), c.tx(issuer, apptest.Freeze(b, full, "order", 0)))
	c.ok(c.tx(regulator, apptest.Release(b, 1, "cleared")), c.tx(carol, apptest.Transfer(b, 520)))
	c.ok(c.tx(other, apptest.CloseWallet(cr)))
	c.checkState()

	kinds := func(es []*walletv1.HistoryEntry) []walletv1.HistoryKind {
		var out []walletv1.HistoryKind
		for _, e := range es {
			out = append(out, e.Kind)
		}
		return out
	}
	want := []walletv1.HistoryKind{
		walletv1.HistoryKind_HISTORY_KIND_OPENED,
		walletv1.HistoryKind_HISTORY_KIND_DEPOSIT,
		walletv1.HistoryKind_HISTORY_KIND_TRANSFER_OUT,
		walletv1.HistoryKind_HISTORY_KIND_TRANSFER_IN,
		walletv1.HistoryKind_HISTORY_KIND_TRANSFER_IN,
		walletv1.HistoryKind_HISTORY_KIND_FREEZE,
		walletv1.HistoryKind_HISTORY_KIND_TIER_CHANGE,
		walletv1.HistoryKind_HISTORY_KIND_LIMITS_CHANGE,
		walletv1.HistoryKind_HISTORY_KIND_TRANSFER_IN,
		walletv1.HistoryKind_HISTORY_KIND_RELEASE,
		walletv1.HistoryKind_HISTORY_KIND_REDEEM,
		walletv1.HistoryKind_HISTORY_KIND_TRANSFER_OUT,
	}
	if got := kinds(c.history[a]); !slices.Equal(got, want) {
		t.Fatalf("alice's history %v, want %v", got, want)
	}
	if got := kinds(c.history[cr]); got[len(got)-1] != walletv1.HistoryKind_HISTORY_KIND_CLOSED {
		t.Fatalf("carol's history %v", got)
	}
	// Genesis wallets start with an empty history.
	if es := c.history[apptest.Address(c.WalletKey(1))]; len(es) != 0 {
		t.Fatalf("untouched genesis wallet has history %v", es)
	}

	// Every entry is stamped with its block and transaction.
	for owner, es := range c.history {
		var balance uint64
		if owner == g0 {
			balance = 1000
		}
		for _, e := range es {
			if e.Time != c.times[e.Height].Unix() {
				t.Fatalf("%s seq %d: time %d, block %d is at %s", owner.Hex(), e.Seq, e.Time, e.Height, c.times[e.Height])
			}
			inBlock := slices.ContainsFunc(c.txs[e.Height], func(tx []byte) bool {
				h := sha256.Sum256(tx)
				return bytes.Equal(h[:], e.TxHash)
			})
			expired := e.Kind == walletv1.HistoryKind_HISTORY_KIND_RELEASE && len(e.TxHash) == 0
			if !inBlock && !expired {
				t.Fatalf("%s seq %d: tx hash %x is not of a tx of block %d", owner.Hex(), e.Seq, e.TxHash, e.Height)
			}
			switch e.Kind {
			case walletv1.HistoryKind_HISTORY_KIND_DEPOSIT, walletv1.HistoryKind_HISTORY_KIND_TRANSFER_IN:
				balance += e.Amount
			case walletv1.HistoryKind_HISTORY_KIND_REDEEM, walletv1.HistoryKind_HISTORY_KIND_TRANSFER_OUT:
				balance -= e.Amount
			}
			if e.Amount != 0 && e.BalanceAfter != balance {
				t.Fatalf("%s seq %d: balance after %d, the entries add up to %d", owner.Hex(), e.Seq, e.BalanceAfter, balance)
			}
		}
		if balance != c.Balance(owner) {
			t.Fatalf("%s: entries add up to %d, balance %d", owner.Hex(), balance, c.Balance(owner))
		}
	}

	// The proven accumulator, now and at an earlier height, commits to the
	// entries up to that height.
	for _, height := range []int64{mid, c.Height()} {
		for _, owner := range []common.Address{a, b, cr, g0} {
			w := provenWallet(t, c, owner, height)
			var upTo []*walletv1.HistoryEntry
			for _, e := range c.history[owner] {
				if e.Height <= height {
					upTo = append(upTo, e)
				}
			}
			if err := verifyWalletHistory(owner, w.HistoryCount, w.HistoryHead, upTo); err != nil {
				t.Fatalf("height %d: %v", height, err)
			}
		}
	}

	// Tampering is detected.
	w := provenWallet(t, c, a, c.Height())
	entries := c.history[a]
	clone := func() []*walletv1.HistoryEntry {
		out := make([]*walletv1.HistoryEntry, len(entries))
		for i, e := range entries {
			out[i] = proto.Clone(e).(*walletv1.HistoryEntry)
		}
		return out
	}
	renumber := func(es []*walletv1.HistoryEntry) []*walletv1.HistoryEntry {
		for i, e := range es {
			e.Seq = uint64(i + 1)
		}
		return es
	}
	if err := verifyWalletHistory(a, w.HistoryCount, w.HistoryHead, clone()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		mutate func([]*walletv1.HistoryEntry) []*walletv1.HistoryEntry
	}{
		{"first omitted", func(es []*walletv1.HistoryEntry) []*walletv1.HistoryEntry { return es[1:] }},
		{"middle omitted", func(es []*walletv1.HistoryEntry) []*walletv1.HistoryEntry { return slices.Delete(es, 4, 5) }},
		{"last omitted", func(es []*walletv1.HistoryEntry) []*walletv1.HistoryEntry { return es[:len(es)-1] }},
		{"omitted, renumbered", func(es []*walletv1.HistoryEntry) []*walletv1.HistoryEntry {
			return renumber(slices.Delete(es, 4, 5))
		}},
		{"omitted, duplicate in its place", func(es []*walletv1.HistoryEntry) []*walletv1.HistoryEntry {
			es[4] = proto.Clone(es[3]).(*walletv1.HistoryEntry)
			return renumber(es)
		}},
		{"amount altered", func(es []*walletv1.HistoryEntry) []*walletv1.HistoryEntry { es[2].Amount++; return es }},
		{"balance altered", func(es []*walletv1.HistoryEntry) []*walletv1.HistoryEntry { es[10].BalanceAfter--; return es }},
		{"counterparty altered", func(es []*walletv1.HistoryEntry) []*walletv1.HistoryEntry {
			es[11].Counterparty = b.Bytes()
			return es
		}},
		{"detail altered", func(es []*walletv1.HistoryEntry) []*walletv1.HistoryEntry { es[5].Detail += "."; return es }},
		{"time altered", func(es []*walletv1.HistoryEntry) []*walletv1.HistoryEntry { es[0].Time--; return es }},
		{"kind altered", func(es []*walletv1.HistoryEntry) []*walletv1.HistoryEntry {
			es[9].Kind = walletv1.HistoryKind_HISTORY_KIND_FREEZE
			return es
		}},
		{"two swapped", func(es []*walletv1.HistoryEntry) []*walletv1.HistoryEntry { es[2], es[3] = es[3], es[2]; return es }},
		{"two swapped, renumbered", func(es []*walletv1.HistoryEntry) []*walletv1.HistoryEntry {
			es[2], es[3] = es[3], es[2]
			return renumber(es)
		}},
		{"reversed", func(es []*walletv1.HistoryEntry) []*walletv1.HistoryEntry { slices.Reverse(es); return es }},
		{"one appended", func(es []*walletv1.HistoryEntry) []*walletv1.HistoryEntry {
			e := proto.Clone(es[len(es)-1]).(*walletv1.HistoryEntry)
			e.Seq++
			return append(es, e)
		}},
		{"another wallet's entry", func(es []*walletv1.HistoryEntry) []*walletv1.HistoryEntry {
			e := proto.Clone(c.history[b][1]).(*walletv1.HistoryEntry)
			e.Seq = es[1].Seq
			es[1] = e
			return es
		}},
		{"another wallet's entry, relabelled", func(es []*walletv1.HistoryEntry) []*walletv1.HistoryEntry {
			e := proto.Clone(c.history[b][1]).(*walletv1.HistoryEntry)
			e.Seq, e.Wallet = es[1].Seq, a.Bytes()
			es[1] = e
			return es
		}},
	} {
		if err := verifyWalletHistory(a, w.HistoryCount, w.HistoryHead, tc.mutate(clone())); err == nil {
			t.Errorf("%s: not detected", tc.name)
		}
	}
	// Nor does a head from another wallet, or another height, verify.
	if err := verifyWalletHistory(a, w.HistoryCount, provenWallet(t, c, b, c.Height()).HistoryHead, entries); err == nil {
		t.Error("another wallet's head verifies")
	}
	old := provenWallet(t, c, a, mid)
	if err := verifyWalletHistory(a, old.HistoryCount, old.HistoryHead, entries[:old.HistoryCount-1]); err == nil {
		t.Error("a truncated earlier history verifies")
	}
}
