package testnet

import (
	"context"
	"fmt"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
)

// WaitForHeight waits until the node at rpc (tcp://host:port) reports a
// latest block height of at least h, polling every 100 ms; a node that
// does not answer yet is waited for too. It fails when ctx is done, with
// the last height or error seen.
func WaitForHeight(ctx context.Context, rpc string, h int64) error {
	c, err := rpchttp.New(rpc, "/websocket")
	if err != nil {
		return err
	}
	last := "no answer"
	for {
		st, err := c.Status(ctx)
		switch {
		case err != nil:
			last = err.Error()
		case st.SyncInfo.LatestBlockHeight >= h:
			return nil
		default:
			last = fmt.Sprintf("at height %d", st.SyncInfo.LatestBlockHeight)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("testnet: %s: waiting for height %d: %w (last: %s)", rpc, h, ctx.Err(), last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
