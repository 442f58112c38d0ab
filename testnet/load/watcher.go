package load

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ledgerd/ledgerd/client"
)

// inclusion is where and how a transaction was committed, or that it
// expired uncommitted.
type inclusion struct {
	Height    int64
	Index     int
	Code      uint32
	Codespace string
	// At is when the watcher saw the block: the end of the commit latency.
	At time.Time
	// Expired: the chain passed the transaction's valid_until_height
	// without it (Height is the first block past it); the rest is unset.
	Expired bool
}

// watcher follows the chain block by block, from any node that answers,
// and records every transaction's inclusion. It is how the generator learns
// commits: one /block and one /block_results request per height, however
// many transactions are in flight, decoding only the transactions and
// their result codes (CometBFT's own client decodes every event of every
// result, which cost a load generator more than its signatures).
type watcher struct {
	nodes []string // RPC base URLs
	hc    *http.Client
	poll  time.Duration

	// tip is the highest height whose transactions are recorded.
	tip atomic.Int64

	mu       sync.Mutex
	included map[[32]byte]inclusion
	waiting  map[[32]byte]chan inclusion
	// expiring lists the waiting hashes by valid_until_height.
	expiring map[int64][][32]byte
}

func newWatcher(nodes []*client.Client, from int64) *watcher {
	w := &watcher{poll: 20 * time.Millisecond, hc: newHTTPClient(len(nodes), 0),
		included: map[[32]byte]inclusion{}, waiting: map[[32]byte]chan inclusion{}, expiring: map[int64][][32]byte{}}
	for _, c := range nodes {
		w.nodes = append(w.nodes, httpURL(c.URL()))
	}
	w.tip.Store(from)
	return w
}

// expect registers hash, valid until height validUntil, before it is
// broadcast. The channel receives its inclusion once, or an inclusion
// marked Expired once the watcher has recorded the block after validUntil
// without it.
func (w *watcher) expect(hash [32]byte, validUntil uint64) <-chan inclusion {
	ch := make(chan inclusion, 1)
	w.mu.Lock()
	defer w.mu.Unlock()
	if inc, ok := w.included[hash]; ok {
		ch <- inc
		return ch
	}
	if tip := w.tip.Load(); int64(validUntil) < tip {
		ch <- inclusion{Height: tip, Expired: true, At: time.Now()}
		return ch
	}
	w.waiting[hash] = ch
	w.expiring[int64(validUntil)] = append(w.expiring[int64(validUntil)], hash)
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

func (w *watcher) catchUp(ctx context.Context, node string) error {
	var st struct {
		SyncInfo struct {
			LatestBlockHeight int64 `json:"latest_block_height,string"`
		} `json:"sync_info"`
	}
	if err := w.get(ctx, node, "/status", 2*time.Second, &st); err != nil {
		return err
	}
	for h := w.tip.Load() + 1; h <= st.SyncInfo.LatestBlockHeight && ctx.Err() == nil; h++ {
		if err := w.record(ctx, node, h); err != nil {
			return err
		}
	}
	return nil
}

func (w *watcher) record(ctx context.Context, node string, h int64) error {
	var b struct {
		Block struct {
			Data struct {
				Txs [][]byte `json:"txs"`
			} `json:"data"`
		} `json:"block"`
	}
	if err := w.get(ctx, node, fmt.Sprintf("/block?height=%d", h), 5*time.Second, &b); err != nil {
		return err
	}
	var res struct {
		TxsResults []struct {
			Code      uint32 `json:"code"`
			Codespace string `json:"codespace"`
		} `json:"txs_results"`
	}
	if err := w.get(ctx, node, fmt.Sprintf("/block_results?height=%d", h), 5*time.Second, &res); err != nil {
		return err
	}
	at := time.Now()
	w.mu.Lock()
	for i, tx := range b.Block.Data.Txs {
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
	for _, hash := range w.expiring[h-1] { // valid until h-1: not in h or later
		if ch, ok := w.waiting[hash]; ok {
			ch <- inclusion{Height: h, Expired: true, At: at}
			delete(w.waiting, hash)
		}
	}
	delete(w.expiring, h-1)
	w.mu.Unlock()
	w.tip.Store(h)
	return nil
}

// get fetches node's JSON-RPC endpoint path and decodes its result into
// out, within timeout.
func (w *watcher) get(ctx context.Context, node, path string, timeout time.Duration, out any) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, node+path, nil)
	if err != nil {
		return err
	}
	resp, err := w.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	env := struct {
		Result any `json:"result"`
		Error  *struct {
			Message string `json:"message"`
			Data    string `json:"data"`
		} `json:"error"`
	}{Result: out}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return fmt.Errorf("%s%s: %w", node, path, err)
	}
	if env.Error != nil {
		return fmt.Errorf("%s%s: %s %s", node, path, env.Error.Message, env.Error.Data)
	}
	return nil
}
