package testnet

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/testnet/load"
	"github.com/ledgerd/ledgerd/x/wallet"
	"github.com/ledgerd/ledgerd/x/wallet/walletclient"
)

// CheckLedger checks, on every node, the ledger the load generator g
// produced, as of height at (which every node must have, with the next
// header). Call it once g's payments are resolved (Run returned), with a
// height past the last of them, such as the one CheckSameChain returns:
//   - every transaction g saw committed is in its block on every node, at
//     the same position, with the same result;
//   - the balances of sample wallets, chosen with seed, verify with proofs
//     against each node's light-client-verified headers and equal what g's
//     committed payments imply;
//   - on every node, supply is proven equal to the issuers' outstanding
//     issuance, and the node finds it equal to the sum of balances.
func (c *Cluster) CheckLedger(ctx context.Context, g *load.Generator, at int64, denom string, sample int, seed uint64) error {
	if err := g.WaitFollowed(ctx, at); err != nil {
		return err
	}
	committed := g.Committed()
	if err := c.checkResults(ctx, committed); err != nil {
		return err
	}
	ok := 0
	for _, tx := range committed {
		if tx.Code == 0 && tx.Amount > 0 {
			ok++
		}
	}
	c.Logf("check: %d transactions (%d successful payments) at the same place with the same result on %d nodes", len(committed), ok, len(c.Nodes))

	expected := g.ExpectedBalances()
	addrs := g.Addresses()
	rng := rand.New(rand.NewPCG(seed, 2))
	rng.Shuffle(len(addrs), func(i, j int) { addrs[i], addrs[j] = addrs[j], addrs[i] })
	addrs = addrs[:min(sample, len(addrs))]
	for i, n := range c.Nodes {
		trust, err := os.MkdirTemp("", "ledgerd-check-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(trust)
		nc, err := client.New(n.RPC(), client.WithTrustDir(trust))
		if err != nil {
			return err
		}
		defer nc.Close()
		cl := walletclient.New(nc)
		for _, a := range addrs {
			w, proven, err := cl.VerifiedWallet(ctx, a, at)
			if err != nil {
				return fmt.Errorf("%s: wallet %s: %w", n.Name(), a.Hex(), err)
			}
			if got := wallet.Balance(w, denom); got != expected[a] {
				return fmt.Errorf("%s proves wallet %s holds %d at height %d; the committed payments imply %d",
					n.Name(), a.Hex(), got, proven.Height, expected[a])
			}
		}
		check, err := cl.VerifiedSupplyInvariant(ctx, at)
		if err != nil {
			return fmt.Errorf("%s: supply invariant: %w", n.Name(), err)
		}
		if !check.BalancesChecked {
			return fmt.Errorf("%s: the node did not check the sum of balances", n.Name())
		}
		c.Logf("check: %s proves %d sample balances and the supply invariant at height %d", c.Nodes[i].Name(), len(addrs), check.Height)
	}
	return nil
}

// checkResults checks each committed transaction's place and result on
// every node: one /block and /block_results request per node and height.
func (c *Cluster) checkResults(ctx context.Context, txs []load.Tx) error {
	byHeight := map[int64][]load.Tx{}
	var heights []int64
	for _, tx := range txs {
		if _, ok := byHeight[tx.Height]; !ok {
			heights = append(heights, tx.Height)
		}
		byHeight[tx.Height] = append(byHeight[tx.Height], tx)
	}
	slices.Sort(heights)
	for _, h := range heights {
		for i, rpc := range c.rpcs {
			b, err := withRetries(ctx, func() (*coretypes.ResultBlock, error) { return rpc.Block(ctx, &h) })
			if err != nil {
				return fmt.Errorf("%s: block %d: %w", c.Nodes[i].Name(), h, err)
			}
			res, err := withRetries(ctx, func() (*coretypes.ResultBlockResults, error) { return rpc.BlockResults(ctx, &h) })
			if err != nil {
				return fmt.Errorf("%s: block results %d: %w", c.Nodes[i].Name(), h, err)
			}
			hashes := map[common.Hash]int{}
			for k, raw := range b.Block.Txs {
				hashes[common.BytesToHash(client.TxHash(raw))] = k
			}
			for _, tx := range byHeight[h] {
				k, ok := hashes[common.BytesToHash(tx.Hash)]
				switch {
				case !ok:
					return fmt.Errorf("%s: tx %X is not in block %d", c.Nodes[i].Name(), tx.Hash, h)
				case k >= len(res.TxsResults):
					return fmt.Errorf("%s: block %d has %d results for %d txs", c.Nodes[i].Name(), h, len(res.TxsResults), len(b.Block.Txs))
				case res.TxsResults[k].Code != tx.Code || res.TxsResults[k].Codespace != tx.Codespace:
					return fmt.Errorf("%s: tx %X in block %d has result %s/%d; the load generator saw %s/%d",
						c.Nodes[i].Name(), tx.Hash, h, res.TxsResults[k].Codespace, res.TxsResults[k].Code, tx.Codespace, tx.Code)
				}
			}
		}
	}
	return nil
}

// withRetries calls read up to four times, a second apart, while it fails
// and ctx lasts: a check reads thousands of blocks over HTTP POST, which Go
// does not retry when a node closes an idle kept-alive connection (EOF),
// and a node just back from a fault can refuse a request or two. A
// persistent failure is still returned.
func withRetries[T any](ctx context.Context, read func() (T, error)) (T, error) {
	var v T
	var err error
	for range 4 {
		if v, err = read(); err == nil || ctx.Err() != nil {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, err
		case <-time.After(time.Second):
		}
	}
	return v, err
}
