package benchrpc

import (
	"context"
	"fmt"
	"strconv"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/ledgerd/ledgerd/testnet/load"
)

// block is what the benchmark reads of one committed block.
type block struct {
	time time.Time
	txs  int
	// ok succeeded; failed failed in the block, by "codespace/code".
	ok     int
	failed map[string]int
}

// readBlocks reads the blocks from..to (inclusive) from the node: header
// time and transaction count from /blockchain, results from /block_results.
func readBlocks(ctx context.Context, rpc *rpchttp.HTTP, from, to int64) (map[int64]*block, error) {
	out := map[int64]*block{}
	for lo := from; lo <= to; lo += 20 {
		hi := min(lo+19, to)
		info, err := rpc.BlockchainInfo(ctx, lo, hi)
		if err != nil {
			return nil, fmt.Errorf("blockchain %d-%d: %w", lo, hi, err)
		}
		for _, m := range info.BlockMetas {
			out[m.Header.Height] = &block{time: m.Header.Time, txs: m.NumTxs}
		}
	}
	for h := from; h <= to; h++ {
		b, ok := out[h]
		if !ok {
			return nil, fmt.Errorf("blockchain: no block %d", h)
		}
		if b.txs == 0 {
			continue
		}
		res, err := rpc.BlockResults(ctx, &h)
		if err != nil {
			return nil, fmt.Errorf("block_results %d: %w", h, err)
		}
		for _, r := range res.TxsResults {
			if r.Code == 0 {
				b.ok++
				continue
			}
			if b.failed == nil {
				b.failed = map[string]int{}
			}
			b.failed[load.Outcome{Code: r.Code, Codespace: r.Codespace}.Reason()]++
		}
	}
	return out, nil
}

// Window is the timed window's chain: the blocks after FromHeight up to
// ToHeight, the heights the node reported when the window opened and
// closed.
type Window struct {
	FromHeight int64 `json:"from_height"`
	ToHeight   int64 `json:"to_height"`
	// Seconds between the header times of FromHeight and ToHeight.
	Seconds float64 `json:"seconds"`
	// Committed transactions in the window's blocks that succeeded;
	// Failed failed in them, by code.
	Committed int            `json:"committed"`
	Failed    map[string]int `json:"failed_in_block,omitempty"`
	// TxPerSec is Committed / Seconds.
	TxPerSec float64 `json:"committed_tx_per_s"`
	// TxsPerBlock and BlockSeconds are the window's means.
	TxsPerBlock  float64 `json:"txs_per_block"`
	BlockSeconds float64 `json:"block_seconds"`
}

func newWindow(blocks map[int64]*block, from, to int64) (Window, error) {
	w := Window{FromHeight: from, ToHeight: to}
	if to <= from {
		return w, fmt.Errorf("no block committed in the window (height %d at its start and end)", from)
	}
	for h := from + 1; h <= to; h++ {
		b := blocks[h]
		w.Committed += b.ok
		for k, v := range b.failed {
			if w.Failed == nil {
				w.Failed = map[string]int{}
			}
			w.Failed[k] += v
		}
	}
	w.Seconds = blocks[to].time.Sub(blocks[from].time).Seconds()
	if w.Seconds <= 0 {
		return w, fmt.Errorf("blocks %d and %d have header times %s and %s", from, to, blocks[from].time, blocks[to].time)
	}
	n := float64(to - from)
	w.TxPerSec = float64(w.Committed) / w.Seconds
	w.TxsPerBlock = float64(w.Committed) / n
	w.BlockSeconds = w.Seconds / n
	return w, nil
}

func (w Window) String() string {
	s := fmt.Sprintf("%.0f committed tx/s (blocks %d-%d: %d txs in %.1f s, %.0f tx/block, %.2f s/block)",
		w.TxPerSec, w.FromHeight+1, w.ToHeight, w.Committed, w.Seconds, w.TxsPerBlock, w.BlockSeconds)
	if len(w.Failed) > 0 {
		s += "; failed in block " + strconv.Itoa(sum(w.Failed)) + fmt.Sprint(w.Failed)
	}
	return s
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
