package load

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/ledgerd/ledgerd/client"
)

// inclusion is where and how a transaction was committed.
type inclusion struct {
	Height    int64
	Index     int
	Code      uint32
	Codespace string
	// At is when the watcher saw the block: the end of the commit latency.
	At time.Time
}

// watcher follows the chain block by block, from any node that answers,
// and records every transaction's inclusion. It is how the generator learns
// commits: one /block and one /block_results request per height, however
// many transactions are in flight.
type watcher struct {
	nodes []*rpchttp.HTTP
	poll  time.Duration

	// tip is the highest height whose transactions are recorded.
	tip atomic.Int64

	mu       sync.Mutex
	included map[[32]byte]inclusion
	waiting  map[[32]byte]chan inclusion
}

func newWatcher(nodes []*client.Client, from int64) *watcher {
	w := &watcher{poll: 20 * time.Millisecond, included: map[[32]byte]inclusion{}, waiting: map[[32]byte]chan inclusion{}}
	for _, c := range nodes {
		w.nodes = append(w.nodes, c.RPC())
	}
	w.tip.Store(from)
	return w
}

// expect registers hash before it is broadcast; the channel receives its
// inclusion once.
func (w *watcher) expect(hash [32]byte) <-chan inclusion {
	ch := make(chan inclusion, 1)
	w.mu.Lock()
	defer w.mu.Unlock()
	if inc, ok := w.included[hash]; ok {
		ch <- inc
		return ch
	}
	w.waiting[hash] = ch
	return ch
}

// forget drops a registration whose transaction was refused.
func (w *watcher) forget(hash [32]byte) {
	w.mu.Lock()
	delete(w.waiting, hash)
	w.mu.Unlock()
}

// lookup returns hash's inclusion, if seen.
func (w *watcher) lookup(hash [32]byte) (inclusion, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	inc, ok := w.included[hash]
	return inc, ok
}

// run follows the chain until ctx ends, rotating to the next node whenever
// one does not answer.
func (w *watcher) run(ctx context.Context) {
	node := 0
	for ctx.Err() == nil {
		if err := w.catchUp(ctx, w.nodes[node]); err != nil {
			node = (node + 1) % len(w.nodes)
		}
		select {
		case <-ctx.Done():
		case <-time.After(w.poll):
		}
	}
}

func (w *watcher) catchUp(ctx context.Context, rpc *rpchttp.HTTP) error {
	rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	st, err := rpc.Status(rctx)
	if err != nil {
		return err
	}
	for h := w.tip.Load() + 1; h <= st.SyncInfo.LatestBlockHeight && ctx.Err() == nil; h++ {
		if err := w.record(ctx, rpc, h); err != nil {
			return err
		}
	}
	return nil
}

func (w *watcher) record(ctx context.Context, rpc *rpchttp.HTTP, h int64) error {
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	b, err := rpc.Block(rctx, &h)
	if err != nil {
		return err
	}
	res, err := rpc.BlockResults(rctx, &h)
	if err != nil {
		return err
	}
	at := time.Now()
	w.mu.Lock()
	for i, tx := range b.Block.Txs {
		var hash [32]byte
		copy(hash[:], client.TxHash(tx))
		inc := inclusion{Height: h, Index: i, At: at}
		if i < len(res.TxsResults) {
			inc.Code, inc.Codespace = res.TxsResults[i].Code, res.TxsResults[i].Codespace
		}
		w.included[hash] = inc
		if ch, ok := w.waiting[hash]; ok {
			ch <- inc
			delete(w.waiting, hash)
		}
	}
	w.mu.Unlock()
	w.tip.Store(h)
	return nil
}
