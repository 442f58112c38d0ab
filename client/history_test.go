package client_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/clienttest"
	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/history"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// historyNode is a fake node whose /history answers come from entries,
// paged as a node's index pages them.
type historyNode struct {
	*clienttest.FakeNode

	mu      sync.Mutex
	entries []*historyv1.Entry // ascending seq, of ownerA
	// answer, if set, rewrites each page before it is sent.
	answer func(page []*historyv1.Entry) []*historyv1.Entry
	pages  int
}

var historyBase = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// historyEntries builds n entries of owner as the wallet module writes
// them and the index keeps them, and the accumulator they give.
func historyEntries(owner common.Address, n int) ([]*historyv1.Entry, []byte) {
	var head []byte
	var out []*historyv1.Entry
	balance := uint64(0)
	for i := 1; i <= n; i++ {
		e := &walletv1.HistoryEntry{Wallet: owner.Bytes(), Seq: uint64(i), Height: int64(10 + i),
			TxHash: bytes.Repeat([]byte{byte(i)}, 32), Time: historyBase.Add(time.Duration(i) * time.Minute).Unix()}
		switch {
		case i == 1:
			e.Kind, e.Counterparty, e.Detail = walletv1.HistoryKind_HISTORY_KIND_OPENED, []byte("bank-a"), "tier 2"
		case i%2 == 0:
			balance += 1000
			e.Kind, e.Counterparty, e.Denom, e.Amount, e.BalanceAfter, e.Detail =
				walletv1.HistoryKind_HISTORY_KIND_DEPOSIT, []byte("bank-a"), "CNY", 1000, balance, "CASH-"+string(rune('A'+i%26))
		default:
			balance -= 300
			e.Kind, e.Counterparty, e.Denom, e.Amount, e.BalanceAfter =
				walletv1.HistoryKind_HISTORY_KIND_TRANSFER_OUT, ownerB.Bytes(), "CNY", 300, balance
		}
		head = wallet.NextHistoryHead(head, wallet.EncodeHistoryEntry(e))
		out = append(out, indexedEntry(e))
	}
	return out, head
}

func indexedEntry(e *walletv1.HistoryEntry) *historyv1.Entry {
	return &historyv1.Entry{Subject: wallet.HistorySubject, Id: e.Wallet, Seq: e.Seq, Height: e.Height, Time: e.Time,
		TxHash: e.TxHash, Data: wallet.EncodeHistoryEntry(e)}
}

// walletSource is where ownerA's accumulator is proven.
func walletSource(addr common.Address) client.HistorySource {
	return client.HistorySource{Subject: wallet.HistorySubject, Store: wallet.StoreName, Key: wallet.WalletKey(addr[:]),
		Chain: func(v []byte) (history.Chain, error) {
			w := new(walletv1.Wallet)
			err := proto.Unmarshal(v, w)
			return history.Chain{Count: w.HistoryCount, Head: w.HistoryHead}, err
		}}
}

// newHistoryNode serves a wallet of ownerA whose proven accumulator counts
// the first count of entries; the index holds all of entries.
func newHistoryNode(t *testing.T, entries []*historyv1.Entry, count int) *historyNode {
	t.Helper()
	f := newFakeNode(t)
	var head []byte
	for _, e := range entries[:count] {
		head = wallet.NextHistoryHead(head, e.Data)
	}
	f.SetProto(wallet.StoreName, wallet.WalletKey(ownerA[:]), &walletv1.Wallet{Owner: ownerA[:], Bank: "bank-a", Tier: 2,
		HistoryCount: uint64(count), HistoryHead: head})
	f.Produce(2)
	f.StartBlocks(10 * time.Millisecond)
	h := &historyNode{FakeNode: f, entries: entries}
	f.HandleQuery(client.PathHistory, func(_ *store.Version, _ string, data []byte) *abci.ResponseQuery { return h.query(data) })
	return h
}

// query pages h.entries as the node's index does (node/history).
func (h *historyNode) query(data []byte) *abci.ResponseQuery {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pages++
	req := new(historyv1.Request)
	if err := proto.Unmarshal(data, req); err != nil {
		return &abci.ResponseQuery{Code: 4, Codespace: "query", Log: err.Error()}
	}
	var page []*historyv1.Entry
	if len(req.TxHash) > 0 {
		for _, e := range h.entries {
			if bytes.Equal(e.TxHash, req.TxHash) {
				page = append(page, e)
			}
		}
	} else {
		limit := int(req.Limit)
		if limit == 0 {
			limit = 100
		}
		for i := len(h.entries) - 1; i >= 0 && len(page) < limit; i-- {
			e := h.entries[i]
			if e.Subject == req.Subject && bytes.Equal(e.Id, req.Id) && (req.BeforeSeq == 0 || e.Seq < req.BeforeSeq) {
				page = append(page, e)
			}
		}
	}
	if h.answer != nil {
		page = h.answer(page)
	}
	b, _ := proto.Marshal(&historyv1.Entries{Entries: page})
	return &abci.ResponseQuery{Value: b}
}

func newHistoryClient(t *testing.T, h *historyNode) *client.Client {
	t.Helper()
	c, err := client.New(h.URL(), client.WithPollInterval(5*time.Millisecond), client.WithHeaderTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestVerifiedHistory(t *testing.T) {
	// 2,500 proven entries take three pages; the index is two entries
	// ahead of the proven height, and those two are not the proof's.
	entries, _ := historyEntries(ownerA, 2502)
	h := newHistoryNode(t, entries, 2500)
	c := newHistoryClient(t, h)

	ph, err := c.VerifiedHistory(context.Background(), walletSource(ownerA), ownerA.Bytes(), 0)
	if err != nil {
		t.Fatal(err)
	}
	h.FakeNode.CheckProven(t, ph.Proof)
	got := ph.Entries
	if ph.Chain.Count != 2500 || len(got) != 2500 {
		t.Fatalf("count %d, %d entries", ph.Chain.Count, len(got))
	}
	for i, e := range got {
		if !proto.Equal(e, entries[i]) {
			t.Fatalf("entry %d: %v, want %v", i+1, e, entries[i])
		}
	}
	if h.pages != 3 {
		t.Fatalf("%d pages, want 3", h.pages)
	}
}

func TestVerifiedHistoryEmpty(t *testing.T) {
	h := newHistoryNode(t, nil, 0)
	c := newHistoryClient(t, h)
	ph, err := c.VerifiedHistory(context.Background(), walletSource(ownerA), ownerA.Bytes(), 0)
	if err != nil || ph.Chain.Count != 0 || len(ph.Entries) != 0 {
		t.Fatalf("%v, %v", ph, err)
	}
	_, err = c.VerifiedHistory(context.Background(), walletSource(ownerB), ownerB.Bytes(), 0)
	var nf *client.NotFoundError
	if !errors.As(err, &nf) || !nf.Proven {
		t.Fatalf("absent wallet: %v", err)
	}
}

// TestVerifiedHistoryRejectsLies shows that an omitted, altered, reordered
// or foreign entry is detected against the proven accumulator.
func TestVerifiedHistoryRejectsLies(t *testing.T) {
	entries, _ := historyEntries(ownerA, 6)
	at := func(page []*historyv1.Entry, seq uint64) int {
		return slices.IndexFunc(page, func(e *historyv1.Entry) bool { return e.Seq == seq })
	}
	// edit changes the wallet entry inside an indexed one.
	edit := func(page []*historyv1.Entry, seq uint64, fn func(e *walletv1.HistoryEntry)) []*historyv1.Entry {
		page = slices.Clone(page)
		if i := at(page, seq); i >= 0 {
			e, err := wallet.DecodeHistoryEntry(page[i].Data)
			if err != nil {
				panic(err)
			}
			fn(e)
			page[i] = indexedEntry(e)
		}
		return page
	}
	for _, tc := range []struct {
		name   string
		answer func([]*historyv1.Entry) []*historyv1.Entry
		want   string
	}{
		{"omitted", func(page []*historyv1.Entry) []*historyv1.Entry {
			if i := at(page, 3); i >= 0 {
				return slices.Delete(slices.Clone(page), i, i+1)
			}
			return page
		}, "entries missing: seq 3"},
		{"omitted newest", func(page []*historyv1.Entry) []*historyv1.Entry {
			return slices.DeleteFunc(slices.Clone(page), func(e *historyv1.Entry) bool { return e.Seq == 6 })
		}, "entries missing: seq 6"},
		{"nothing", func([]*historyv1.Entry) []*historyv1.Entry { return nil },
			"entries missing: seq 1, 2, 3, 4, 5, 6"},
		{"amount altered", func(page []*historyv1.Entry) []*historyv1.Entry {
			return edit(page, 2, func(e *walletv1.HistoryEntry) { e.Amount++ })
		}, "an entry was altered"},
		{"counterparty altered", func(page []*historyv1.Entry) []*historyv1.Entry {
			return edit(page, 5, func(e *walletv1.HistoryEntry) { e.Counterparty = common.HexToAddress("0xcc").Bytes() })
		}, "an entry was altered"},
		{"reordered", func(page []*historyv1.Entry) []*historyv1.Entry {
			page = slices.Clone(page)
			i, j := at(page, 2), at(page, 3)
			page[i], page[j] = page[j], page[i]
			return page
		}, "entry 2 has seq 3: missing or out of order"},
		{"renumbered swap", func(page []*historyv1.Entry) []*historyv1.Entry {
			// Entries 2 and 3 swap places and take each other's seq: in
			// order by seq, but not the history that was proven.
			page = slices.Clone(page)
			i, j := at(page, 2), at(page, 3)
			a, b := proto.Clone(page[i]).(*historyv1.Entry), proto.Clone(page[j]).(*historyv1.Entry)
			a.Seq, b.Seq = 3, 2
			page[i], page[j] = b, a
			return page
		}, "an entry was altered"},
		{"duplicated", func(page []*historyv1.Entry) []*historyv1.Entry {
			return append(slices.Clone(page), page[len(page)-1])
		}, "7 entries, the proven accumulator counts 6"},
		{"another wallet's", func(page []*historyv1.Entry) []*historyv1.Entry {
			page = slices.Clone(page)
			if i := at(page, 4); i >= 0 {
				e := proto.Clone(page[i]).(*historyv1.Entry)
				e.Id = ownerB.Bytes()
				page[i] = e
			}
			return page
		}, "entries missing: seq 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHistoryNode(t, entries, 6)
			h.answer = tc.answer
			c := newHistoryClient(t, h)
			ph, err := c.VerifiedHistory(context.Background(), walletSource(ownerA), ownerA.Bytes(), 0)
			if !errors.Is(err, client.ErrVerification) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, %v; want client.ErrVerification saying %q", ph, err, tc.want)
			}
			if ph != nil {
				t.Fatal("entries returned with a verification error")
			}
			if testing.Verbose() {
				t.Log(err)
			}
		})
	}
}

// TestVerifiedHistoryWaitsForIndex: a node's index that has not yet
// written the newest proven entry is waited for.
func TestVerifiedHistoryWaitsForIndex(t *testing.T) {
	entries, _ := historyEntries(ownerA, 6)
	h := newHistoryNode(t, entries, 6)
	h.answer = func(page []*historyv1.Entry) []*historyv1.Entry {
		return slices.DeleteFunc(slices.Clone(page), func(e *historyv1.Entry) bool { return e.Seq == 6 })
	}
	go func() {
		time.Sleep(200 * time.Millisecond)
		h.mu.Lock()
		h.answer = nil
		h.mu.Unlock()
	}()
	c := newHistoryClient(t, h)
	ph, err := c.VerifiedHistory(context.Background(), walletSource(ownerA), ownerA.Bytes(), 0)
	if err != nil || len(ph.Entries) != 6 {
		t.Fatalf("%v, %v", ph, err)
	}
}

func TestHistoryPlain(t *testing.T) {
	entries, _ := historyEntries(ownerA, 5)
	h := newHistoryNode(t, entries, 5)
	c := newHistoryClient(t, h)
	ctx := context.Background()

	page, err := c.History(ctx, &historyv1.Request{Subject: wallet.HistorySubject, Id: ownerA.Bytes(), BeforeSeq: 5, Limit: 2})
	if err != nil || len(page) != 2 || page[0].Seq != 4 || page[1].Seq != 3 {
		t.Fatalf("page %v, %v", page, err)
	}
	got, err := c.TxHistory(ctx, entries[2].TxHash)
	if err != nil || len(got) != 1 || !proto.Equal(got[0], entries[2]) {
		t.Fatalf("tx history %v, %v", got, err)
	}
	if _, err := c.TxHistory(ctx, []byte{1}); err == nil {
		t.Fatal("short tx hash accepted")
	}
	if _, err := c.History(ctx, &historyv1.Request{}); err == nil {
		t.Fatal("request without subject or tx accepted")
	}
}
