package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtbytes "github.com/cometbft/cometbft/libs/bytes"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	rpctypes "github.com/cometbft/cometbft/rpc/jsonrpc/types"
	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// historyNode is a fake node whose /history answers come from entries,
// paged as a node's index pages them; everything else goes to the fake
// node behind it.
type historyNode struct {
	*fakeNode
	srv *httptest.Server

	mu      sync.Mutex
	entries []*walletv1.HistoryEntry // ascending seq, of ownerA
	// answer, if set, rewrites each page before it is sent.
	answer func(page []*walletv1.HistoryEntry) []*walletv1.HistoryEntry
	pages  int
}

var historyBase = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// historyEntries builds n entries of owner as the wallet module writes
// them, and the accumulator they give.
func historyEntries(owner common.Address, n int) ([]*walletv1.HistoryEntry, []byte) {
	var head []byte
	var out []*walletv1.HistoryEntry
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
		out = append(out, e)
	}
	return out, head
}

// newHistoryNode serves a wallet of ownerA whose proven accumulator counts
// the first count of entries; the index holds all of entries.
func newHistoryNode(t *testing.T, entries []*walletv1.HistoryEntry, count int) *historyNode {
	t.Helper()
	f := newFakeNode(t, nil)
	var head []byte
	for _, e := range entries[:count] {
		head = wallet.NextHistoryHead(head, wallet.EncodeHistoryEntry(e))
	}
	f.setProto(wallet.StoreName, wallet.WalletKey(ownerA[:]), &walletv1.Wallet{Owner: ownerA[:], Bank: "bank-a", Tier: 2,
		HistoryCount: uint64(count), HistoryHead: head})
	f.produce(2)
	f.startBlocks(10 * time.Millisecond)
	h := &historyNode{fakeNode: f, entries: entries}
	h.srv = httptest.NewServer(h)
	t.Cleanup(h.srv.Close)
	return h
}

func (h *historyNode) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var req rpctypes.RPCRequest
	if err := json.Unmarshal(body, &req); err == nil && req.Method == "abci_query" {
		var params struct {
			Path string            `json:"path"`
			Data cmtbytes.HexBytes `json:"data"`
		}
		if err := cmtjson.Unmarshal(req.Params, &params); err == nil && params.Path == PathHistory {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(rpctypes.NewRPCSuccessResponse(req.ID, h.query(params.Data)))
			return
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	h.fakeNode.ServeHTTP(w, r)
}

// query pages h.entries as the node's index does (node/history).
func (h *historyNode) query(data []byte) *ctypes.ResultABCIQuery {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pages++
	req := new(walletv1.HistoryRequest)
	if err := proto.Unmarshal(data, req); err != nil {
		return &ctypes.ResultABCIQuery{Response: abci.ResponseQuery{Code: 4, Codespace: "query", Log: err.Error()}}
	}
	var page []*walletv1.HistoryEntry
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
			if bytes.Equal(e.Wallet, req.Wallet) && (req.BeforeSeq == 0 || e.Seq < req.BeforeSeq) {
				page = append(page, e)
			}
		}
	}
	if h.answer != nil {
		page = h.answer(page)
	}
	b, _ := proto.Marshal(&walletv1.HistoryEntries{Entries: page})
	return &ctypes.ResultABCIQuery{Response: abci.ResponseQuery{Value: b, Height: h.height()}}
}

func newHistoryClient(t *testing.T, h *historyNode) *Client {
	t.Helper()
	c, err := New(h.srv.URL, WithPollInterval(5*time.Millisecond), WithHeaderTimeout(time.Second))
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

	w, got, p, err := c.VerifiedHistory(context.Background(), ownerA, 0)
	if err != nil {
		t.Fatal(err)
	}
	checkProven(t, h.fakeNode, p)
	if w.HistoryCount != 2500 || len(got) != 2500 {
		t.Fatalf("count %d, %d entries", w.HistoryCount, len(got))
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
	w, got, _, err := c.VerifiedHistory(context.Background(), ownerA, 0)
	if err != nil || w.HistoryCount != 0 || len(got) != 0 {
		t.Fatalf("%v, %d entries, %v", w, len(got), err)
	}
	_, _, _, err = c.VerifiedHistory(context.Background(), ownerB, 0)
	var nf *NotFoundError
	if !errors.As(err, &nf) || !nf.Proven {
		t.Fatalf("absent wallet: %v", err)
	}
}

// TestVerifiedHistoryRejectsLies shows that an omitted, altered, reordered
// or foreign entry is detected against the proven accumulator.
func TestVerifiedHistoryRejectsLies(t *testing.T) {
	entries, _ := historyEntries(ownerA, 6)
	at := func(page []*walletv1.HistoryEntry, seq uint64) int {
		return slices.IndexFunc(page, func(e *walletv1.HistoryEntry) bool { return e.Seq == seq })
	}
	edit := func(page []*walletv1.HistoryEntry, seq uint64, fn func(e *walletv1.HistoryEntry)) []*walletv1.HistoryEntry {
		page = slices.Clone(page)
		if i := at(page, seq); i >= 0 {
			e := proto.Clone(page[i]).(*walletv1.HistoryEntry)
			fn(e)
			page[i] = e
		}
		return page
	}
	for _, tc := range []struct {
		name   string
		answer func([]*walletv1.HistoryEntry) []*walletv1.HistoryEntry
		want   string
	}{
		{"omitted", func(page []*walletv1.HistoryEntry) []*walletv1.HistoryEntry {
			if i := at(page, 3); i >= 0 {
				return slices.Delete(slices.Clone(page), i, i+1)
			}
			return page
		}, "entries missing: seq 3"},
		{"omitted newest", func(page []*walletv1.HistoryEntry) []*walletv1.HistoryEntry {
			return slices.DeleteFunc(slices.Clone(page), func(e *walletv1.HistoryEntry) bool { return e.Seq == 6 })
		}, "entries missing: seq 6"},
		{"nothing", func([]*walletv1.HistoryEntry) []*walletv1.HistoryEntry { return nil },
			"entries missing: seq 1, 2, 3, 4, 5, 6"},
		{"amount altered", func(page []*walletv1.HistoryEntry) []*walletv1.HistoryEntry {
			return edit(page, 2, func(e *walletv1.HistoryEntry) { e.Amount++ })
		}, "an entry was altered"},
		{"counterparty altered", func(page []*walletv1.HistoryEntry) []*walletv1.HistoryEntry {
			return edit(page, 5, func(e *walletv1.HistoryEntry) { e.Counterparty = common.HexToAddress("0xcc").Bytes() })
		}, "an entry was altered"},
		{"reordered", func(page []*walletv1.HistoryEntry) []*walletv1.HistoryEntry {
			page = slices.Clone(page)
			i, j := at(page, 2), at(page, 3)
			page[i], page[j] = page[j], page[i]
			return page
		}, "entry 2 has seq 3: missing or out of order"},
		{"renumbered swap", func(page []*walletv1.HistoryEntry) []*walletv1.HistoryEntry {
			// Entries 2 and 3 swap places and take each other's seq: in
			// order by seq, but not the history that was proven.
			page = slices.Clone(page)
			i, j := at(page, 2), at(page, 3)
			a, b := proto.Clone(page[i]).(*walletv1.HistoryEntry), proto.Clone(page[j]).(*walletv1.HistoryEntry)
			a.Seq, b.Seq = 3, 2
			page[i], page[j] = b, a
			return page
		}, "an entry was altered"},
		{"duplicated", func(page []*walletv1.HistoryEntry) []*walletv1.HistoryEntry {
			return append(slices.Clone(page), page[len(page)-1])
		}, "7 entries, the proven accumulator counts 6"},
		{"another wallet's", func(page []*walletv1.HistoryEntry) []*walletv1.HistoryEntry {
			return edit(page, 4, func(e *walletv1.HistoryEntry) { e.Wallet = ownerB.Bytes() })
		}, "entry 4 belongs to"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHistoryNode(t, entries, 6)
			h.answer = tc.answer
			c := newHistoryClient(t, h)
			w, got, _, err := c.VerifiedHistory(context.Background(), ownerA, 0)
			if !errors.Is(err, ErrVerification) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, %d entries, %v; want ErrVerification saying %q", w, len(got), err, tc.want)
			}
			if w != nil || got != nil {
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
	h.answer = func(page []*walletv1.HistoryEntry) []*walletv1.HistoryEntry {
		return slices.DeleteFunc(slices.Clone(page), func(e *walletv1.HistoryEntry) bool { return e.Seq == 6 })
	}
	go func() {
		time.Sleep(200 * time.Millisecond)
		h.mu.Lock()
		h.answer = nil
		h.mu.Unlock()
	}()
	c := newHistoryClient(t, h)
	_, got, _, err := c.VerifiedHistory(context.Background(), ownerA, 0)
	if err != nil || len(got) != 6 {
		t.Fatalf("%d entries, %v", len(got), err)
	}
}

func TestHistoryPlain(t *testing.T) {
	entries, _ := historyEntries(ownerA, 5)
	h := newHistoryNode(t, entries, 5)
	c := newHistoryClient(t, h)
	ctx := context.Background()

	page, err := c.History(ctx, &walletv1.HistoryRequest{Wallet: ownerA.Bytes(), BeforeSeq: 5, Limit: 2})
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
	if _, err := c.History(ctx, &walletv1.HistoryRequest{}); err == nil {
		t.Fatal("request without wallet or tx accepted")
	}
}
