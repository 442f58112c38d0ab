// Package busy is how a client answers a node's refusal of a query over
// the node's query budget (query/10, module.ErrBusy): it retries a few
// times, waiting longer each time (about 3 s in all), and then gives the
// refusal to its caller. The node itself holds a refusal a while before it
// answers, so a client that retries at once does not spin.
//
// It builds for js/wasm: the console's verifier retries as the Go client
// does.
package busy

import (
	"context"
	"time"

	"github.com/ledgerd/ledgerd/x/module"
)

// Backoff are the waits before each retry; after the last one the refusal
// stands. Tests may shorten it.
var Backoff = []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 1600 * time.Millisecond}

// Is reports whether a query answer's codespace and code are the node's
// query-budget refusal.
func Is(codespace string, code uint32) bool {
	return codespace == module.ErrBusy.Codespace && code == module.ErrBusy.Code
}

// Wait waits before retry number try (0 for the first) and reports
// whether to retry: false once the retries are spent or ctx is done.
func Wait(ctx context.Context, try int) bool {
	if try >= len(Backoff) {
		return false
	}
	t := time.NewTimer(Backoff[try])
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
