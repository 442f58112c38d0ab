package load

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ledgerd/ledgerd/client"
)

// TestWatcher: the watcher reads the blocks' transactions and result codes
// from a node's JSON-RPC, delivers each awaited transaction's inclusion,
// and announces as expired one its chain passed without it.
func TestWatcher(t *testing.T) {
	txs := map[int64][]string{2: {"in-2", "failed-2"}, 3: {}}
	codes := map[string]string{"in-2": `{"code":0,"codespace":"","events":[{"type":"x","attributes":[]}]}`,
		"failed-2": `{"code":7,"codespace":"wallet","log":"no"}`}
	mux := http.NewServeMux()
	mux.HandleFunc("/status", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `{"jsonrpc":"2.0","id":-1,"result":{"node_info":{},"sync_info":{"latest_block_height":"3"}}}`)
	})
	mux.HandleFunc("/block", func(w http.ResponseWriter, r *http.Request) {
		var h int64
		fmt.Sscan(r.URL.Query().Get("height"), &h)
		list := each(txs[h], func(tx string) string { return `"` + base64.StdEncoding.EncodeToString([]byte(tx)) + `"` })
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":-1,"result":{"block_id":{},"block":{"header":{"height":"%d"},"data":{"txs":[%s]}}}}`, h, list)
	})
	mux.HandleFunc("/block_results", func(w http.ResponseWriter, r *http.Request) {
		var h int64
		fmt.Sscan(r.URL.Query().Get("height"), &h)
		list := each(txs[h], func(tx string) string { return codes[tx] })
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":-1,"result":{"height":"%d","txs_results":[%s]}}`, h, list)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := client.New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	w := newWatcher([]*client.Client{c}, 1)
	hash := func(s string) (h [32]byte) { copy(h[:], client.TxHash([]byte(s))); return }
	in, failed, lost := w.expect(hash("in-2"), 5), w.expect(hash("failed-2"), 5), w.expect(hash("lost"), 2)
	late := w.expect(hash("late"), 3)
	if err := w.catchUp(context.Background(), srv.URL); err != nil {
		t.Fatal(err)
	}
	if w.tip.Load() != 3 {
		t.Fatalf("tip %d, want 3", w.tip.Load())
	}
	if inc := <-in; inc.Height != 2 || inc.Index != 0 || inc.Code != 0 || inc.Expired {
		t.Errorf("in-2: %+v", inc)
	}
	if inc := <-failed; inc.Height != 2 || inc.Index != 1 || inc.Code != 7 || inc.Codespace != "wallet" {
		t.Errorf("failed-2: %+v", inc)
	}
	if inc := <-lost; !inc.Expired || inc.Height != 3 {
		t.Errorf("lost (valid until 2): %+v, want expired at 3", inc)
	}
	select {
	case inc := <-late:
		t.Errorf("late (valid until 3) resolved at tip 3: %+v", inc)
	default:
	}
	if inc := <-w.expect(hash("past"), 1); !inc.Expired {
		t.Errorf("a transaction registered past its validity: %+v", inc)
	}
}

// each joins f of every item with commas.
func each(items []string, f func(string) string) string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = f(it)
	}
	return strings.Join(out, ",")
}
