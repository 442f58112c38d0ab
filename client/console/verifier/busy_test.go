package verifier_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ledgerd/ledgerd/client/busy"
	"github.com/ledgerd/ledgerd/client/console/verifier"
	"github.com/ledgerd/ledgerd/x/module"
)

// TestBusyRetried: a node's refusal over its query budget (query/10) is
// retried as the Go client retries it, and answered once the node
// answers; a node that stays busy gets its refusal through, with the code.
func TestBusyRetried(t *testing.T) {
	old := busy.Backoff
	busy.Backoff = []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}
	defer func() { busy.Backoff = old }()
	var refusals, asked atomic.Int32
	node := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		response := `{"code":0,"log":"answered","height":"5"}`
		if refusals.Add(-1) >= 0 {
			response = fmt.Sprintf(`{"codespace":%q,"code":%d,"log":"busy"}`, module.ErrBusy.Codespace, module.ErrBusy.Code)
		}
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":1,"result":{"response":%s}}`, response)
	}))
	defer node.Close()
	ctx := context.Background()

	refusals.Store(2)
	if log, err := verifier.QueryLog(ctx, node.URL, "/wallet/params"); err != nil || log != "answered" || asked.Load() != 3 {
		t.Fatalf("after 2 busy answers: %q, %v (%d asked)", log, err, asked.Load())
	}
	refusals.Store(100)
	asked.Store(0)
	_, err := verifier.QueryLog(ctx, node.URL, "/wallet/params")
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("code %d", module.ErrBusy.Code)) || asked.Load() != 4 {
		t.Fatalf("always busy: %v (%d asked)", err, asked.Load())
	}
}
