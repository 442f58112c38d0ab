package console_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ledgerd/ledgerd/client/console"
)

// TestRelayPassesReadsOnly checks that the relay passes the read-only
// JSON-RPC methods to the node unchanged and refuses the others, and that
// the page carries the configured root of trust.
func TestRelayPassesReadsOnly(t *testing.T) {
	var got []string
	node := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, string(b))
		_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":{"ok":true}}`)
	}))
	defer node.Close()
	h, err := console.Handler(console.Options{Node: node.URL, TrustHeight: 7, TrustHash: strings.Repeat("AB", 32)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	post := func(method string) (int, string) {
		resp, err := http.Post(srv.URL+"/rpc", "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"`+method+`","params":{}}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := post("abci_query"); code != http.StatusOK || body != `{"jsonrpc":"2.0","id":1,"result":{"ok":true}}` {
		t.Fatalf("abci_query: %d %s", code, body)
	}
	for _, m := range []string{"broadcast_tx_sync", "broadcast_tx_commit", "unsafe_flush_mempool", "dial_peers"} {
		if code, body := post(m); code != http.StatusForbidden || !strings.Contains(body, "only the read-only") {
			t.Fatalf("%s: %d %s", m, code, body)
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], `"abci_query"`) {
		t.Fatalf("the node got %q", got)
	}

	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), `"trust_height":7`) || !strings.Contains(string(page), `"trust_hash":"`+strings.Repeat("AB", 32)+`"`) {
		t.Fatalf("the page does not carry the root of trust:\n%s", page)
	}
	for _, f := range []string{"app.js", "style.css"} {
		resp, err := http.Get(srv.URL + "/static/" + f)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %v %v", f, err, resp.Status)
		}
		resp.Body.Close()
	}
	if _, err := console.Handler(console.Options{}); err == nil {
		t.Fatal("a console without a node")
	}
}
