package client

import (
	"context"
	"fmt"

	"google.golang.org/protobuf/proto"

	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
)

// PathMempool is the query path of the node's mempool (see package app:
// QueryMempool).
const PathMempool = "/mempool"

// Mempool asks the node what its mempool holds for coming blocks: when the
// app keeps it (mempool.type = "app"), the /mempool answer (pending count
// and bytes, bounds, the height they were checked on, and how many were
// dropped at a recheck); when CometBFT does, its num_unconfirmed_txs count
// and bytes, with KeptBy "cometbft". It is the node's word, not state.
func (c *Client) Mempool(ctx context.Context) (*authv1.Mempool, error) {
	r, err := c.Query(ctx, PathMempool, nil, 0)
	if err != nil {
		return nil, err
	}
	m := new(authv1.Mempool)
	if err := proto.Unmarshal(r.Value, m); err != nil {
		return nil, fmt.Errorf("client: mempool: answer does not decode: %w", err)
	}
	if m.KeptBy == "app" {
		return m, nil
	}
	n, err := c.rpc.NumUnconfirmedTxs(ctx)
	if err != nil {
		return nil, fmt.Errorf("client: mempool: num_unconfirmed_txs on %s: %w", c.url, err)
	}
	m.Txs, m.Bytes = uint64(n.Total), uint64(n.TotalBytes)
	return m, nil
}
