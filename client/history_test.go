package client_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/clienttest"
	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/history"
)

// historyNode is a fake node whose /history answers come from entries,
// paged as a node's index pages them.
type historyNode struct {
	*clienttest.FakeNode

	mu      sync.Mutex
	entries []*historyv1.Entry // ascending seq, of thing A
	// answer, if set, rewrites each page before it is sent.
	answer func(page []*historyv1.Entry) []*historyv1.Entry
	pages  int
}

var historyBase = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

// The tests' history subject: "thing", whose record (in the test store,
// under "thing/" + id) holds the accumulator as 8 bytes of count and the
// head, and whose entries are texts (wrapperspb.StringValue).
const subject = "thing"

var (
	thingA = []byte{0xaa}
	thingB = []byte{0xbb}
)

func thingKey(id []byte) []byte { return append([]byte("thing/"), id...) }

// thingSource is where a thing's accumulator is proven.
func thingSource(id []byte) client.HistorySource {
	return client.HistorySource{Subject: subject, Store: testStore, Key: thingKey(id),
		Chain: func(v []byte) (history.Chain, error) {
			if len(v) < 8 {
				return history.Chain{}, fmt.Errorf("thing record of %d bytes", len(v))
			}
			return history.Chain{Count: binary.BigEndian.Uint64(v), Head: v[8:]}, nil
		}}
}

// historyEntries builds n entries of thing id as the index keeps them.
func historyEntries(id []byte, n int) []*historyv1.Entry {
	var out []*historyv1.Entry
	for i := 1; i <= n; i++ {
		out = append(out, thingEntry(id, uint64(i), fmt.Sprintf("entry %d: %d units", i, 1000*i)))
	}
	return out
}

func thingEntry(id []byte, seq uint64, text string) *historyv1.Entry {
	return &historyv1.Entry{Subject: subject, Id: id, Seq: seq, Height: int64(10 + seq),
		Time: historyBase.Add(time.Duration(seq) * time.Minute).Unix(), TxHash: bytes.Repeat([]byte{byte(seq)}, 32),
		Data: history.Encode(wrapperspb.String(text))}
}

// newHistoryNode serves thing A, whose proven accumulator counts the
// first count of entries; the index holds all of entries.
func newHistoryNode(t *testing.T, entries []*historyv1.Entry, count int) *historyNode {
	t.Helper()
	f := newNode(t)
	var head []byte
	for _, e := range entries[:count] {
		head = history.Next(head, e.Data)
	}
	f.Set(testStore, thingKey(thingA), append(binary.BigEndian.AppendUint64(nil, uint64(count)), head...))
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
	return clienttest.NewClient(t, h.FakeNode, client.WithHeaderTimeout(time.Second))
}

func TestVerifiedHistory(t *testing.T) {
	// 2,500 proven entries take three pages; the index is two entries
	// ahead of the proven height, and those two are not the proof's.
	entries := historyEntries(thingA, 2502)
	h := newHistoryNode(t, entries, 2500)
	c := newHistoryClient(t, h)

	ph, err := c.VerifiedHistory(context.Background(), thingSource(thingA), thingA, 0)
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
	ph, err := c.VerifiedHistory(context.Background(), thingSource(thingA), thingA, 0)
	if err != nil || ph.Chain.Count != 0 || len(ph.Entries) != 0 {
		t.Fatalf("%v, %v", ph, err)
	}
	_, err = c.VerifiedHistory(context.Background(), thingSource(thingB), thingB, 0)
	var nf *client.NotFoundError
	if !errors.As(err, &nf) || !nf.Proven {
		t.Fatalf("absent thing: %v", err)
	}
}

// TestVerifiedHistoryRejectsLies shows that an omitted, altered, reordered
// or foreign entry is detected against the proven accumulator.
func TestVerifiedHistoryRejectsLies(t *testing.T) {
	entries := historyEntries(thingA, 6)
	at := func(page []*historyv1.Entry, seq uint64) int {
		return slices.IndexFunc(page, func(e *historyv1.Entry) bool { return e.Seq == seq })
	}
	// edit changes the text of entry seq.
	edit := func(page []*historyv1.Entry, seq uint64, text string) []*historyv1.Entry {
		page = slices.Clone(page)
		if i := at(page, seq); i >= 0 {
			page[i] = thingEntry(thingA, seq, text)
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
			return edit(page, 2, "entry 2: 2001 units")
		}, "an entry was altered"},
		{"newest altered", func(page []*historyv1.Entry) []*historyv1.Entry {
			return edit(page, 6, "entry 6: nothing")
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
		{"another thing's", func(page []*historyv1.Entry) []*historyv1.Entry {
			page = slices.Clone(page)
			if i := at(page, 4); i >= 0 {
				e := proto.Clone(page[i]).(*historyv1.Entry)
				e.Id = thingB
				page[i] = e
			}
			return page
		}, "entries missing: seq 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHistoryNode(t, entries, 6)
			h.answer = tc.answer
			c := newHistoryClient(t, h)
			ph, err := c.VerifiedHistory(context.Background(), thingSource(thingA), thingA, 0)
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
	entries := historyEntries(thingA, 6)
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
	ph, err := c.VerifiedHistory(context.Background(), thingSource(thingA), thingA, 0)
	if err != nil || len(ph.Entries) != 6 {
		t.Fatalf("%v, %v", ph, err)
	}
}

func TestHistoryPlain(t *testing.T) {
	entries := historyEntries(thingA, 5)
	h := newHistoryNode(t, entries, 5)
	c := newHistoryClient(t, h)
	ctx := context.Background()

	page, err := c.History(ctx, &historyv1.Request{Subject: subject, Id: thingA, BeforeSeq: 5, Limit: 2})
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
