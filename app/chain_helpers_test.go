package app_test

import (
	"bytes"
	"crypto/ecdsa"
	"maps"
	"slices"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/app/apptest"
	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/history"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// Amounts of the default (e-CNY) limits, in fen.
const yuan = 100

// tierLimits are wallet.DefaultGenesis's CNY limits of tiers 2 to 4.
var tierLimits = map[uint32]*walletv1.Limits{
	2: {BalanceCap: 500_000 * yuan, PaymentLimit: 50_000 * yuan, DailyOutflowLimit: 100_000 * yuan},
	3: {BalanceCap: 20_000 * yuan, PaymentLimit: 5_000 * yuan, DailyOutflowLimit: 10_000 * yuan},
	4: {BalanceCap: 10_000 * yuan, PaymentLimit: 2_000 * yuan, DailyOutflowLimit: 5_000 * yuan},
}

// chain drives a harness for the wallet rule tests: it signs at the next
// nonce, checks rejections leave the state alone, and collects every
// wallet_history event of every block (transactions' and the block's own,
// from expiring freezes) to check the wallets' accumulators against.
type chain struct {
	*apptest.Harness
	t       *testing.T
	pending map[common.Address]uint64
	// history is every history entry emitted, by wallet, in order.
	history map[common.Address][]*walletv1.HistoryEntry
	// last is the last block's FinalizeBlock response.
	last *abci.ResponseFinalizeBlock
	// times and txs are the time and transactions of every block run.
	times map[int64]time.Time
	txs   map[int64][][]byte
}

func newChain(t *testing.T, opts apptest.Options) *chain {
	t.Helper()
	h := apptest.New(t, opts)
	t.Cleanup(h.Close)
	return &chain{Harness: h, t: t, pending: map[common.Address]uint64{}, history: map[common.Address][]*walletv1.HistoryEntry{},
		times: map[int64]time.Time{}, txs: map[int64][][]byte{}}
}

// tx signs msg with key at its next nonce: the committed one plus the
// transactions signed since the last block.
func (c *chain) tx(key *ecdsa.PrivateKey, msg apptest.Msg) []byte {
	c.t.Helper()
	a := apptest.Address(key)
	n := c.Nonce(a) + c.pending[a]
	c.pending[a]++
	return c.Sign(key, n, msg)
}

// blockAt runs a block at t (NextTime if zero), records its history
// events and returns its results.
func (c *chain) blockAt(t time.Time, txs ...[]byte) []*abci.ExecTxResult {
	c.t.Helper()
	if t.IsZero() {
		t = c.NextTime()
	}
	resp := c.FinalizeBlockAt(t, txs...)
	c.Commit()
	c.times[c.Height()], c.txs[c.Height()] = t, txs
	c.pending = map[common.Address]uint64{}
	c.last = resp
	c.record(resp.Events)
	for i, r := range resp.TxResults {
		if r.Code != 0 && len(r.Events) != 0 {
			c.t.Fatalf("failed tx %d emitted events: %v", i, r.Events)
		}
		c.record(r.Events)
	}
	return resp.TxResults
}

func (c *chain) block(txs ...[]byte) []*abci.ExecTxResult {
	c.t.Helper()
	return c.blockAt(time.Time{}, txs...)
}

func (c *chain) record(events []abci.Event) {
	c.t.Helper()
	for _, ev := range events {
		if ev.Type != history.Event {
			continue
		}
		ie, err := history.FromEvent(ev, c.Height())
		if err != nil {
			c.t.Fatal(err)
		}
		if ie.Subject != wallet.HistorySubject {
			continue
		}
		e, err := wallet.DecodeHistoryEntry(ie.Data)
		if err != nil {
			c.t.Fatal(err)
		}
		owner := common.BytesToAddress(ie.Id)
		if !bytes.Equal(e.Wallet, owner[:]) || ie.Seq != e.Seq {
			c.t.Fatalf("history event of %s seq %d carries an entry of %x seq %d", owner.Hex(), ie.Seq, e.Wallet, e.Seq)
		}
		c.history[owner] = append(c.history[owner], e)
	}
}

// ok runs txs in the next block and fails unless all succeed.
func (c *chain) ok(txs ...[]byte) []*abci.ExecTxResult {
	c.t.Helper()
	rs := c.block(txs...)
	mustOK(c.t, rs)
	return rs
}

// okAt is ok at time t.
func (c *chain) okAt(t time.Time, txs ...[]byte) []*abci.ExecTxResult {
	c.t.Helper()
	rs := c.blockAt(t, txs...)
	mustOK(c.t, rs)
	return rs
}

// reject submits tx to CheckTx (once a block is committed) and then alone
// in the next block, wants (codespace, code) of want from both, and checks
// the block changed nothing.
func (c *chain) reject(tx []byte, want *errcode.Error) {
	c.t.Helper()
	if c.Height() > 0 {
		wantCheck(c.t, c.CheckTx(tx), want)
	}
	c.rejectAt(time.Time{}, tx, want)
}

// rejectAt runs tx alone in a block at t (NextTime if zero), wants want,
// and checks the block changed nothing. It skips CheckTx, which judges at
// the last block's time: for rules that depend on the time.
func (c *chain) rejectAt(t time.Time, tx []byte, want *errcode.Error) {
	c.t.Helper()
	before := c.AppHash()
	if c.Height() == 0 {
		before = c.Store.WorkingHash() // the genesis state's, InitChain's answer
	}
	rs := c.blockAt(t, tx)
	wantExec(c.t, rs[0], want)
	if after := c.AppHash(); !bytes.Equal(before, after) {
		c.t.Fatalf("rejected tx changed the app hash: %x -> %x", before, after)
	}
}

// wallet returns owner's committed wallet; it must exist.
func (c *chain) wallet(owner common.Address) *walletv1.Wallet {
	c.t.Helper()
	w := c.Wallet(owner)
	if w == nil {
		c.t.Fatalf("no wallet %s", owner.Hex())
	}
	return w
}

func (c *chain) wantBalance(owner common.Address, want uint64) {
	c.t.Helper()
	if got := c.Balance(owner); got != want {
		c.t.Fatalf("balance of %s = %d, want %d", owner.Hex(), got, want)
	}
}

func (c *chain) wantStatus(owner common.Address, want walletv1.WalletStatus) {
	c.t.Helper()
	if got := c.wallet(owner).Status; got != want {
		c.t.Fatalf("status of %s = %s, want %s", owner.Hex(), got, want)
	}
}

// checkState checks the supply invariant and every wallet's history
// accumulator against the entries the blocks emitted.
func (c *chain) checkState() {
	c.t.Helper()
	wantQuery(c.t, c.Query(wallet.QueryInvariant, nil, 0, false), ok)
	for _, owner := range slices.SortedFunc(maps.Keys(c.history), func(a, b common.Address) int { return bytes.Compare(a[:], b[:]) }) {
		w := c.wallet(owner)
		entries := c.history[owner]
		if err := verifyWalletHistory(owner, w.HistoryCount, w.HistoryHead, entries); err != nil {
			c.t.Fatalf("history of %s: %v", owner.Hex(), err)
		}
		// The accumulator, recomputed step by step.
		var head []byte
		for _, e := range entries {
			head = wallet.NextHistoryHead(head, wallet.EncodeHistoryEntry(e))
		}
		if uint64(len(entries)) != w.HistoryCount || !bytes.Equal(head, w.HistoryHead) {
			c.t.Fatalf("wallet %s: accumulator (%d, %x), events give (%d, %x)", owner.Hex(), w.HistoryCount, w.HistoryHead, len(entries), head)
		}
	}
}

// lastEntry is owner's last history entry emitted.
func (c *chain) lastEntry(owner common.Address) *walletv1.HistoryEntry {
	c.t.Helper()
	es := c.history[owner]
	if len(es) == 0 {
		c.t.Fatalf("no history for %s", owner.Hex())
	}
	return es[len(es)-1]
}

// eventAttr returns the attribute key of the first event of type kind in
// events, and whether there is one.
func eventAttr(events []abci.Event, kind, key string) (string, bool) {
	for _, ev := range events {
		if ev.Type != kind {
			continue
		}
		for _, a := range ev.Attributes {
			if a.Key == key {
				return a.Value, true
			}
		}
	}
	return "", false
}

// utc is a time of day on a date, in UTC.
func utc(year int, month time.Month, day, hour, minute, sec int) time.Time {
	return time.Date(year, month, day, hour, minute, sec, 0, time.UTC)
}

// sameEvents reports whether a and b are the same events, attributes and
// all.
func sameEvents(a, b []abci.Event) bool {
	return slices.EqualFunc(a, b, func(x, y abci.Event) bool {
		return x.Type == y.Type && slices.Equal(x.Attributes, y.Attributes)
	})
}

// verifyWalletHistory checks wallet entries against an accumulator, as
// indexed entries are checked.
func verifyWalletHistory(owner common.Address, count uint64, head []byte, entries []*walletv1.HistoryEntry) error {
	indexed := make([]*historyv1.Entry, len(entries))
	for i, e := range entries {
		indexed[i] = &historyv1.Entry{Subject: wallet.HistorySubject, Id: owner.Bytes(), Seq: e.Seq, Height: e.Height, Time: e.Time,
			TxHash: e.TxHash, Data: wallet.EncodeHistoryEntry(e)}
	}
	_, err := wallet.VerifyHistory(owner, count, head, indexed)
	return err
}

// txBoth signs msg with key at its next nonce, with second's signature
// over the same digest.
func (c *chain) txBoth(key, second *ecdsa.PrivateKey, msg apptest.Msg) []byte {
	c.t.Helper()
	a := apptest.Address(key)
	n := c.Nonce(a) + c.pending[a]
	c.pending[a]++
	return c.SignBoth(key, second, n, msg)
}

// unsigned is a transaction of key at its next nonce meant to fail: it
// does not use the nonce up.
func (c *chain) unused(key *ecdsa.PrivateKey, msg apptest.Msg) []byte {
	c.t.Helper()
	a := apptest.Address(key)
	return c.Sign(key, c.Nonce(a)+c.pending[a], msg)
}

// unusedBoth is unused with a second signature.
func (c *chain) unusedBoth(key, second *ecdsa.PrivateKey, msg apptest.Msg) []byte {
	c.t.Helper()
	a := apptest.Address(key)
	return c.SignBoth(key, second, c.Nonce(a)+c.pending[a], msg)
}
