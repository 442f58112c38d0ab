package exec

import (
	"encoding/hex"
	"strconv"
	"testing"
	"time"

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
