package history

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/app"
	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/history"
	"github.com/ledgerd/ledgerd/x/wallet"
)

var (
	alice = common.HexToAddress("0x00000000000000000000000000000000000000a1")
	bob   = common.HexToAddress("0x00000000000000000000000000000000000000b0")
	base  = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
)

// chain builds blocks of history entries as the wallet module writes them:
// per wallet, seq from 1; block h has time base + 10h seconds.
type chain struct {
	seq    map[common.Address]uint64
	height int64
}

func newChain() *chain { return &chain{seq: map[common.Address]uint64{}} }

func txHash(h int64, i int) []byte {
	b := binary.BigEndian.AppendUint64(nil, uint64(h))
	b = binary.BigEndian.AppendUint64(b, uint64(i))
	return append(b, bytes.Repeat([]byte{0xee}, 16)...)
}

// block returns the next height's entries: a transfer alice -> bob per tx.
func (c *chain) block(txs int) (int64, []*historyv1.Entry) {
	c.height++
	h := c.height
	var out []*historyv1.Entry
	for i := range txs {
		for _, w := range []struct {
			owner common.Address
			kind  walletv1.HistoryKind
		}{{alice, walletv1.HistoryKind_HISTORY_KIND_TRANSFER_OUT}, {bob, walletv1.HistoryKind_HISTORY_KIND_TRANSFER_IN}} {
			c.seq[w.owner]++
			e := &walletv1.HistoryEntry{Wallet: w.owner.Bytes(), Seq: c.seq[w.owner], Height: h,
				TxHash: txHash(h, i), Kind: w.kind, Denom: "CNY", Amount: uint64(100 + i), Time: base + 10*h,
				Detail: fmt.Sprintf("tx %d of block %d", i, h)}
			out = append(out, indexed(e))
		}
	}
	return h, out
}

// indexed is a wallet entry as the index keeps it.
func indexed(e *walletv1.HistoryEntry) *historyv1.Entry {
	return &historyv1.Entry{Subject: wallet.HistorySubject, Id: e.Wallet, Seq: e.Seq, Height: e.Height, Time: e.Time,
		TxHash: e.TxHash, Data: wallet.EncodeHistoryEntry(e)}
}

func openTest(t *testing.T, dir string) *Index {
	t.Helper()
	x, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

func seqs(es []*historyv1.Entry) []uint64 {
	out := []uint64{}
	for _, e := range es {
		out = append(out, e.Seq)
	}
	return out
}

func query(t *testing.T, x *Index, req *historyv1.Request) []*historyv1.Entry {
	t.Helper()
	r, err := x.Query(req)
	if err != nil {
		t.Fatal(err)
	}
	return r.Entries
}

// filled is an index of 30 blocks, each with two transfers alice -> bob:
// alice's seq s is at height (s+1)/2, time base + 10*height.
func filled(t *testing.T) (*Index, map[string]*historyv1.Entry) {
	t.Helper()
	x := openTest(t, t.TempDir())
	c := newChain()
	all := map[string]*historyv1.Entry{}
	for range 30 {
		h, es := c.block(2)
		if err := x.Apply(h, es); err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			all[fmt.Sprintf("%x/%d", e.Id, e.Seq)] = e
		}
	}
	return x, all
}

func TestQueryWallet(t *testing.T) {
	x, all := filled(t)
	if x.Watermark() != 30 {
		t.Fatalf("watermark %d", x.Watermark())
	}
	fmtSeqs := func(es []*historyv1.Entry) string { return fmt.Sprint(seqs(es)) }
	for _, tc := range []struct {
		name string
		req  *historyv1.Request
		want string
	}{
		{"newest first", &historyv1.Request{Limit: 5}, "[60 59 58 57 56]"},
		{"default limit", &historyv1.Request{}, "60..1"},
		{"next page", &historyv1.Request{BeforeSeq: 56, Limit: 3}, "[55 54 53]"},
		{"last page", &historyv1.Request{BeforeSeq: 3, Limit: 10}, "[2 1]"},
		{"before the first", &historyv1.Request{BeforeSeq: 1}, "[]"},
		{"before beyond the newest", &historyv1.Request{BeforeSeq: 1000, Limit: 2}, "[60 59]"},
		// height h holds seqs 2h-1, 2h at time base+10h.
		{"to time", &historyv1.Request{ToTime: base + 100, Limit: 3}, "[20 19 18]"},
		{"to time between blocks", &historyv1.Request{ToTime: base + 105, Limit: 3}, "[20 19 18]"},
		{"from time", &historyv1.Request{FromTime: base + 280}, "[60 59 58 57 56 55]"},
		{"between", &historyv1.Request{FromTime: base + 100, ToTime: base + 120}, "[24 23 22 21 20 19]"},
		{"between, paged", &historyv1.Request{FromTime: base + 100, ToTime: base + 120, BeforeSeq: 22}, "[21 20 19]"},
		{"one instant", &historyv1.Request{FromTime: base + 50, ToTime: base + 50}, "[10 9]"},
		{"before any", &historyv1.Request{ToTime: base + 5}, "[]"},
		{"after all", &historyv1.Request{FromTime: base + 1000}, "[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.Subject, tc.req.Id = wallet.HistorySubject, alice.Bytes()
			got := query(t, x, tc.req)
			want := tc.want
			if tc.want == "60..1" {
				want = fmt.Sprint(func() []uint64 {
					var s []uint64
					for i := uint64(60); i >= 1; i-- {
						s = append(s, i)
					}
					return s
				}())
			}
			if fmtSeqs(got) != want {
				t.Fatalf("seqs %s, want %s", fmtSeqs(got), want)
			}
			for _, e := range got {
				if !bytes.Equal(e.Id, alice.Bytes()) || !proto.Equal(e, all[fmt.Sprintf("%x/%d", e.Id, e.Seq)]) {
					t.Fatalf("entry %d is not what was applied: %v", e.Seq, e)
				}
			}
		})
	}
	// A wallet without history has an empty page.
	if got := query(t, x, &historyv1.Request{Subject: wallet.HistorySubject, Id: common.HexToAddress("0x01").Bytes()}); len(got) != 0 {
		t.Fatalf("stranger: %v", got)
	}
}

func TestQueryLimits(t *testing.T) {
	x := openTest(t, t.TempDir())
	c := newChain()
	h, es := c.block(1500)
	if err := x.Apply(h, es); err != nil {
		t.Fatal(err)
	}
	got := query(t, x, &historyv1.Request{Subject: wallet.HistorySubject, Id: bob.Bytes(), Limit: MaxLimit})
	if len(got) != MaxLimit || got[0].Seq != 1500 || got[MaxLimit-1].Seq != 501 {
		t.Fatalf("%d entries, %d..%d", len(got), got[0].Seq, got[len(got)-1].Seq)
	}
	if got := query(t, x, &historyv1.Request{Subject: wallet.HistorySubject, Id: bob.Bytes()}); len(got) != DefaultLimit {
		t.Fatalf("default page: %d entries", len(got))
	}
	// All 1,500 transfers are one block, one time: a from-time page walks
	// back through them all, page by page.
	got = query(t, x, &historyv1.Request{Subject: wallet.HistorySubject, Id: bob.Bytes(), FromTime: base, BeforeSeq: 2, Limit: 10})
	if fmt.Sprint(seqs(got)) != "[1]" {
		t.Fatalf("%v", seqs(got))
	}
}

func TestQueryInvalid(t *testing.T) {
	x, _ := filled(t)
	for name, req := range map[string]*historyv1.Request{
		"neither":          {},
		"both":             {Subject: wallet.HistorySubject, Id: alice.Bytes(), TxHash: txHash(1, 0)},
		"no subject":       {Id: alice.Bytes()},
		"subject too long": {Subject: strings.Repeat("s", 256), Id: alice.Bytes()},
		"short tx hash":    {TxHash: []byte{1, 2}},
		"limit too large":  {Subject: wallet.HistorySubject, Id: alice.Bytes(), Limit: MaxLimit + 1},
		"negative time":    {Subject: wallet.HistorySubject, Id: alice.Bytes(), FromTime: -1},
		"from after to":    {Subject: wallet.HistorySubject, Id: alice.Bytes(), FromTime: base + 20, ToTime: base + 10},
		"tx with subject":  {TxHash: txHash(1, 0), Subject: wallet.HistorySubject},
		"tx with paging":   {TxHash: txHash(1, 0), BeforeSeq: 3},
		"tx with times":    {TxHash: txHash(1, 0), FromTime: base},
		"tx with a limit":  {TxHash: txHash(1, 0), Limit: 5},
		"tx with to time":  {TxHash: txHash(1, 0), ToTime: base},
		"id too long":      {Subject: wallet.HistorySubject, Id: make([]byte, 256)},
		"tx hash too long": {TxHash: make([]byte, 33)},
	} {
		_, err := x.Query(req)
		if !errors.Is(err, app.ErrInvalidRequest) {
			t.Errorf("%s: %v, want ErrInvalidRequest", name, err)
		}
	}
}

func TestQueryTx(t *testing.T) {
	x, _ := filled(t)
	got := query(t, x, &historyv1.Request{TxHash: txHash(7, 1)})
	// Height 7's second tx: alice's seq 14, bob's seq 14; ordered by wallet.
	if len(got) != 2 || !bytes.Equal(got[0].Id, alice.Bytes()) || got[0].Seq != 14 ||
		!bytes.Equal(got[1].Id, bob.Bytes()) || got[1].Seq != 14 || decode(t, got[0]).Kind != walletv1.HistoryKind_HISTORY_KIND_TRANSFER_OUT {
		t.Fatalf("%v", got)
	}
	if got := query(t, x, &historyv1.Request{TxHash: make([]byte, 32)}); len(got) != 0 {
		t.Fatalf("unknown tx: %v", got)
	}
}

func TestApplyOrderAndReopen(t *testing.T) {
	dir := t.TempDir()
	x, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := newChain()
	h1, b1 := c.block(1)
	h2, b2 := c.block(1)
	if err := x.Apply(h1, b1); err != nil {
		t.Fatal(err)
	}
	// A gap is refused and changes nothing.
	h3, b3 := c.block(1)
	if err := x.Apply(h3, b3); err == nil || !strings.Contains(err.Error(), "heights 2 to 2 are missing") {
		t.Fatalf("gap: %v", err)
	}
	if x.Watermark() != 1 {
		t.Fatalf("watermark %d after a refused gap", x.Watermark())
	}
	if err := x.Apply(h2, b2); err != nil {
		t.Fatal(err)
	}
	// Re-applying an indexed height is a no-op, even with other entries.
	altered := proto.Clone(b2[0]).(*historyv1.Entry)
	altered.Data = []byte("other")
	if err := x.Apply(h2, []*historyv1.Entry{altered}); err != nil {
		t.Fatal(err)
	}
	if err := x.Apply(h1, nil); err != nil {
		t.Fatal(err)
	}
	// An entry of another height, or malformed, is refused.
	for name, edit := range map[string]func(e *historyv1.Entry){
		"of another height": func(e *historyv1.Entry) { e.Height = 9 },
		"without subject":   func(e *historyv1.Entry) { e.Subject = "" },
		"without id":        func(e *historyv1.Entry) { e.Id = nil },
		"with seq 0":        func(e *historyv1.Entry) { e.Seq = 0 },
		"with a short hash": func(e *historyv1.Entry) { e.TxHash = e.TxHash[:5] },
	} {
		bad := proto.Clone(b3[0]).(*historyv1.Entry)
		edit(bad)
		if err := x.Apply(h3, []*historyv1.Entry{bad}); err == nil {
			t.Fatalf("an entry %s accepted", name)
		}
	}
	if err := x.BindChain("chain-a"); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if err := x.Apply(h3, b3); !errors.Is(err, errClosed) {
		t.Fatalf("apply after close: %v", err)
	}

	// The watermark, the entries and the chain survive a reopen.
	x = openTest(t, dir)
	if x.Watermark() != 2 {
		t.Fatalf("watermark %d after reopen, want 2", x.Watermark())
	}
	got := query(t, x, &historyv1.Request{Subject: wallet.HistorySubject, Id: alice.Bytes()})
	if len(got) != 2 || !proto.Equal(got[0], b2[0]) || !proto.Equal(got[1], b1[0]) {
		t.Fatalf("after reopen: %v", got)
	}
	if err := x.BindChain("chain-a"); err != nil {
		t.Fatal(err)
	}
	if err := x.BindChain("chain-b"); err == nil || !strings.Contains(err.Error(), `belongs to chain "chain-a"`) {
		t.Fatalf("other chain: %v", err)
	}
	if err := x.Apply(h3, b3); err != nil || x.Watermark() != 3 {
		t.Fatalf("apply after reopen: %v, watermark %d", err, x.Watermark())
	}
}

// TestApplyLargeBlock writes a block larger than one Badger transaction.
func TestApplyLargeBlock(t *testing.T) {
	x := openTest(t, t.TempDir())
	c := newChain()
	h, es := c.block(20_000) // 40,000 entries, 80,000 keys
	if x.maxKeys >= 80_000 {
		t.Fatalf("the block fits one transaction (%d keys): make it larger", x.maxKeys)
	}
	if err := x.Apply(h, es); err != nil {
		t.Fatal(err)
	}
	if x.Watermark() != 1 {
		t.Fatalf("watermark %d", x.Watermark())
	}
	got := query(t, x, &historyv1.Request{Subject: wallet.HistorySubject, Id: alice.Bytes(), BeforeSeq: 2})
	if len(got) != 1 || !proto.Equal(got[0], es[0]) {
		t.Fatalf("oldest: %v", got)
	}
	got = query(t, x, &historyv1.Request{TxHash: txHash(1, 19_999)})
	if len(got) != 2 || got[0].Seq != 20_000 || got[1].Seq != 20_000 {
		t.Fatalf("last tx: %d entries", len(got))
	}
}

// historyEvent is the event history.Append emits for e.
func historyEvent(e *historyv1.Entry) abci.Event {
	return abci.Event{Type: history.Event, Attributes: []abci.EventAttribute{
		{Key: "subject", Value: e.Subject, Index: true},
		{Key: "id", Value: "0x" + hex.EncodeToString(e.Id), Index: true},
		{Key: "seq", Value: strconv.FormatUint(e.Seq, 10)},
		{Key: "time", Value: strconv.FormatInt(e.Time, 10)},
		{Key: "tx", Value: hex.EncodeToString(e.TxHash)},
		{Key: "entry", Value: base64.StdEncoding.EncodeToString(e.Data)},
	}}
}

// decode reads an indexed wallet entry.
func decode(t *testing.T, e *historyv1.Entry) *walletv1.HistoryEntry {
	t.Helper()
	we, err := wallet.DecodeHistoryEntry(e.Data)
	if err != nil {
		t.Fatal(err)
	}
	return we
}

// response makes height's FinalizeBlock response: the first entry as a
// block event, the rest one tx each, plus a failed tx whose events are
// not history.
func response(entries []*historyv1.Entry) *abci.ResponseFinalizeBlock {
	resp := &abci.ResponseFinalizeBlock{AppHash: []byte{1}}
	for i, e := range entries {
		if i == 0 {
			resp.Events = append(resp.Events, historyEvent(e), abci.Event{Type: "wallet_released"})
			continue
		}
		resp.TxResults = append(resp.TxResults, &abci.ExecTxResult{Events: []abci.Event{{Type: "tx"}, historyEvent(e)}})
	}
	ghost := proto.Clone(entries[0]).(*historyv1.Entry)
	ghost.Seq = 1000
	resp.TxResults = append(resp.TxResults, &abci.ExecTxResult{Code: 7, Codespace: "wallet", Events: []abci.Event{historyEvent(ghost)}})
	return resp
}

func TestBlockEntries(t *testing.T) {
	_, es := newChain().block(3)
	got, err := BlockEntries(1, response(es))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(es) {
		t.Fatalf("%d entries, want %d (the failed tx's must be left out)", len(got), len(es))
	}
	for i := range es {
		if !proto.Equal(got[i], es[i]) {
			t.Fatalf("entry %d: %v, want %v", i, got[i], es[i])
		}
	}
	bad := response(es)
	bad.TxResults[0].Events[1].Attributes[2].Value = "x"
	if _, err := BlockEntries(1, bad); err == nil || !strings.Contains(err.Error(), "tx 0") {
		t.Fatalf("malformed seq: %v", err)
	}
	bad = response(es)
	bad.Events[0].Attributes[5].Value = "!!"
	if _, err := BlockEntries(1, bad); err == nil || !strings.Contains(err.Error(), "block events") {
		t.Fatalf("malformed entry: %v", err)
	}
}

func TestCatchUp(t *testing.T) {
	c := newChain()
	stored := map[int64]*abci.ResponseFinalizeBlock{}
	var blocks [][]*historyv1.Entry
	for range 600 {
		h, es := c.block(1)
		stored[h] = response(es)
		blocks = append(blocks, es)
	}
	load := func(h int64) (*abci.ResponseFinalizeBlock, error) {
		if r, ok := stored[h]; ok {
			return r, nil
		}
		return nil, fmt.Errorf("no results for height %d", h)
	}
	x := openTest(t, t.TempDir())
	for h := int64(1); h <= 10; h++ {
		if err := x.Apply(h, blocks[h-1]); err != nil {
			t.Fatal(err)
		}
	}
	n, err := x.CatchUp(600, load)
	if err != nil || n != 590 || x.Watermark() != 600 {
		t.Fatalf("caught up %d heights to %d: %v", n, x.Watermark(), err)
	}
	got := query(t, x, &historyv1.Request{Subject: wallet.HistorySubject, Id: bob.Bytes(), BeforeSeq: 302, Limit: 1})
	if len(got) != 1 || !proto.Equal(got[0], blocks[300][1]) {
		t.Fatalf("%v", got)
	}
	if n, err := x.CatchUp(600, load); err != nil || n != 0 {
		t.Fatalf("second catch-up: %d, %v", n, err)
	}

	// Results missing in the middle: the index keeps what it could apply,
	// in whole steps, and says which height is missing.
	delete(stored, 400)
	y := openTest(t, t.TempDir())
	n, err = y.CatchUp(600, load)
	if err == nil || !strings.Contains(err.Error(), "height 400") {
		t.Fatalf("missing results: %v", err)
	}
	if y.Watermark() != catchUpHeights || n != catchUpHeights {
		t.Fatalf("watermark %d (%d applied) after a failed catch-up, want %d", y.Watermark(), n, catchUpHeights)
	}
}

// fakeApp answers FinalizeBlock with the stored response of the height.
type fakeApp struct {
	abci.BaseApplication
	responses map[int64]*abci.ResponseFinalizeBlock
	commitErr error
}

func (f *fakeApp) FinalizeBlock(_ context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	return f.responses[req.Height], nil
}

func (f *fakeApp) Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error) {
	return &abci.ResponseCommit{}, f.commitErr
}

func TestRecord(t *testing.T) {
	ctx := context.Background()
	c := newChain()
	fa := &fakeApp{responses: map[int64]*abci.ResponseFinalizeBlock{}}
	var blocks [][]*historyv1.Entry
	for range 4 {
		h, es := c.block(2)
		fa.responses[h] = response(es)
		blocks = append(blocks, es)
	}
	x := openTest(t, t.TempDir())
	r := Record(fa, x, cmtlog.NewNopLogger())
	defer r.Close()
	run := func(h int64) error {
		if _, err := r.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: h}); err != nil {
			return err
		}
		_, err := r.Commit(ctx, &abci.RequestCommit{})
		r.Sync()
		return err
	}
	if err := run(1); err != nil || x.Watermark() != 1 {
		t.Fatalf("%v, watermark %d", err, x.Watermark())
	}
	// A failed commit applies nothing.
	fa.commitErr = errors.New("disk full")
	if err := run(2); err == nil || x.Watermark() != 1 {
		t.Fatalf("failed commit: %v, watermark %d", err, x.Watermark())
	}
	fa.commitErr = nil
	if err := run(2); err != nil || x.Watermark() != 2 {
		t.Fatalf("%v, watermark %d", err, x.Watermark())
	}
	if got := query(t, x, &historyv1.Request{Subject: wallet.HistorySubject, Id: alice.Bytes()}); len(got) != 4 {
		t.Fatalf("%d entries of alice, want 4", len(got))
	}
	// A block the index cannot take stops the index, not the chain.
	fa.responses[3].TxResults[0].Events[1].Attributes[1].Value = "99"
	if err := run(3); err != nil {
		t.Fatalf("commit failed for the index's sake: %v", err)
	}
	if x.Watermark() != 2 || x.Stopped() == nil {
		t.Fatalf("watermark %d, stopped %v", x.Watermark(), x.Stopped())
	}
	if _, err := x.Query(&historyv1.Request{Subject: wallet.HistorySubject, Id: alice.Bytes()}); err == nil || !strings.Contains(err.Error(), "stopped at height 2") {
		t.Fatalf("query of a stopped index: %v", err)
	}
	if err := run(4); err != nil || x.Watermark() != 2 {
		t.Fatalf("after stop: %v, watermark %d", err, x.Watermark())
	}
}

// TestRecordClose: Close applies what is queued; later commits are not
// recorded (the next start catches them up).
func TestRecordClose(t *testing.T) {
	ctx := context.Background()
	c := newChain()
	fa := &fakeApp{responses: map[int64]*abci.ResponseFinalizeBlock{}}
	for range 3 * recordQueue {
		h, es := c.block(50)
		fa.responses[h] = response(es)
	}
	x := openTest(t, t.TempDir())
	r := Record(fa, x, cmtlog.NewNopLogger())
	for h := int64(1); h <= 2*recordQueue; h++ {
		r.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: h})
		if _, err := r.Commit(ctx, &abci.RequestCommit{}); err != nil {
			t.Fatal(err)
		}
	}
	r.Close()
	if x.Watermark() != 2*recordQueue {
		t.Fatalf("watermark %d after Close, want %d", x.Watermark(), 2*recordQueue)
	}
	r.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: 2*recordQueue + 1})
	if _, err := r.Commit(ctx, &abci.RequestCommit{}); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if x.Watermark() != 2*recordQueue {
		t.Fatalf("commit after Close recorded: watermark %d", x.Watermark())
	}
}

// BenchmarkRecordBlock is the index's cost per block of 2,000 transfers
// (4,000 entries): extracting them from the FinalizeBlock response and
// writing them.
func BenchmarkRecordBlock(b *testing.B) {
	x, err := Open(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	c := newChain()
	for b.Loop() {
		b.StopTimer()
		h, es := c.block(2000)
		resp := response(es)
		b.StartTimer()
		got, err := BlockEntries(h, resp)
		if err != nil {
			b.Fatal(err)
		}
		if err := x.Apply(h, got); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSubjectsApart: entries of two subjects whose ids share bytes (a
// subject name that prefixes another, an id that prefixes another) never
// mix, and a transaction's entries of both subjects come back together.
func TestSubjectsApart(t *testing.T) {
	x := openTest(t, t.TempDir())
	tx := txHash(1, 0)
	mk := func(subject string, id []byte, seq uint64) *historyv1.Entry {
		return &historyv1.Entry{Subject: subject, Id: id, Seq: seq, Height: 1, Time: base, TxHash: tx, Data: []byte(fmt.Sprint(subject, id, seq))}
	}
	entries := []*historyv1.Entry{
		mk("loan", []byte{0, 0, 0, 7}, 1), mk("loan", []byte{0, 0, 0, 7}, 2),
		mk("loans", []byte{0, 0, 0, 7}, 1),
		mk("loan", []byte{0, 0, 0, 7, 1}, 1),
		mk(wallet.HistorySubject, alice.Bytes(), 1),
	}
	if err := x.Apply(1, entries); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		subject string
		id      []byte
		want    int
	}{{"loan", []byte{0, 0, 0, 7}, 2}, {"loans", []byte{0, 0, 0, 7}, 1}, {"loan", []byte{0, 0, 0, 7, 1}, 1}, {"loan", []byte{0, 0, 0}, 0}} {
		got := query(t, x, &historyv1.Request{Subject: tc.subject, Id: tc.id})
		if len(got) != tc.want {
			t.Fatalf("%s %x: %d entries, want %d: %v", tc.subject, tc.id, len(got), tc.want, got)
		}
		for _, e := range got {
			if e.Subject != tc.subject || !bytes.Equal(e.Id, tc.id) {
				t.Fatalf("%s %x: got an entry of %s %x", tc.subject, tc.id, e.Subject, e.Id)
			}
		}
	}
	if got := query(t, x, &historyv1.Request{TxHash: tx}); len(got) != len(entries) {
		t.Fatalf("the tx's entries: %d, want %d", len(got), len(entries))
	}
}
