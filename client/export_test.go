package client

import (
	"context"
	"time"

	"github.com/ledgerd/ledgerd/client/busy"
)

// Exported for the tests in package client_test.

// MaxTxWatches is maxTxWatches.
const MaxTxWatches = maxTxWatches

// WaitForTxUntil is WaitForTx for a transaction valid until height
// validUntil, without a subscription.
func (c *Client) WaitForTxUntil(ctx context.Context, hash []byte, timeout time.Duration, validUntil uint64) (*TxResult, error) {
	return c.waitForTx(ctx, hash, timeout, validUntil, nil)
}

// ShortBusyBackoff makes the retries of busy refusals wait 1 ms each, until
// the returned function restores them.
func ShortBusyBackoff() func() {
	old := busy.Backoff
	busy.Backoff = []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond, time.Millisecond, time.Millisecond}
	return func() { busy.Backoff = old }
}
