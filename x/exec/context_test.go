package exec

import (
	"encoding/hex"
	"strconv"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/store"
)

// TestEventTexts checks that the transaction hash and block time events
// carry, made once, follow the context's fields even when those change
// after: a stale text would put another transaction's hash in an event.
func TestEventTexts(t *testing.T) {
	block := time.Unix(1_700_000_000, 0)
	ctx := New(store.NewBranch(nil, nil), 7, block)
	if got := ctx.UnixText(); got != "1700000000" {
		t.Fatalf("UnixText = %q", got)
	}
	ctx.Time = block.Add(time.Hour)
	if got, want := ctx.UnixText(), strconv.FormatInt(block.Add(time.Hour).Unix(), 10); got != want {
		t.Fatalf("UnixText after Time changed = %q, want %q", got, want)
	}
	if ctx.TxHashHex() != "" {
		t.Fatal("TxHashHex without a transaction is not empty")
	}

	a, b := make([]byte, 32), make([]byte, 32)
	a[0], b[0] = 0xab, 0xcd
	tx := ctx.WithTx(a)
	if got := tx.TxHashHex(); got != hex.EncodeToString(a) {
		t.Fatalf("TxHashHex = %q", got)
	}
	tx.TxHash = b
	if got := tx.TxHashHex(); got != hex.EncodeToString(b) {
		t.Fatalf("TxHashHex after TxHash changed = %q, want %q", got, hex.EncodeToString(b))
	}
	if got := ctx.Quiet().WithTx(a).TxHashHex(); got != hex.EncodeToString(a) {
		t.Fatalf("TxHashHex of a quiet context = %q", got)
	}
}

// TestHexRemembers checks the addresses' text against Hex as a
// transaction names more of them than it remembers, in every order.
func TestHexRemembers(t *testing.T) {
	ctx := New(store.NewBranch(nil, nil), 1, time.Unix(0, 0)).WithStores(store.NewBranch(nil, nil))
	addrs := []common.Address{{1}, {2}, {3}, {1}, {1}, {3}, {2}, {2}, {1}}
	for i, a := range addrs {
		if got := ctx.Hex(a); got != Hex(a) {
			t.Fatalf("call %d: Hex(%x) = %s, want %s", i, a, got, Hex(a))
		}
	}
	if got := ctx.Quiet().Hex(addrs[0]); got != Hex(addrs[0]) {
		t.Fatalf("a quiet context's Hex = %s", got)
	}
	ctx.Emit("e", "k", "v")
	if len(ctx.Events()) != 1 || len(ctx.WithStores(store.NewBranch(nil, nil)).Events()) != 0 {
		t.Fatal("events not recorded, or shared with a context over other stores")
	}
}

// TestEmitAttributes: events emitted past the room for their attributes
// keep them all, and an append to one event's attributes leaves the next
// event's alone.
func TestEmitAttributes(t *testing.T) {
	ctx := New(store.NewBranch(nil, nil), 1, time.Unix(0, 0)).WithStores(store.NewBranch(nil, nil))
	for i := range 10 {
		ctx.Emit("e", "a", strconv.Itoa(i), "b", strconv.Itoa(i), "c", strconv.Itoa(i))
	}
	events := ctx.Events()
	if grown := append(events[0].Attributes, abci.EventAttribute{Key: "x", Value: "y"}); len(grown) != 4 {
		t.Fatal("append lost an attribute")
	}
	for i, e := range events {
		if len(e.Attributes) != 3 {
			t.Fatalf("event %d has %d attributes", i, len(e.Attributes))
		}
		for j, a := range e.Attributes {
			if a.Key != string(rune('a'+j)) || a.Value != strconv.Itoa(i) {
				t.Fatalf("event %d, attribute %d: %s=%s", i, j, a.Key, a.Value)
			}
		}
	}
}
