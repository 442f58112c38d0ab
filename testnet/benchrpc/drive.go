package benchrpc

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ledgerd/ledgerd/testnet/load"
)

// backoff is how long a worker pauses after the node refused a transaction
// for a full mempool (or another passing reason) before it sends again.
const backoff = 20 * time.Millisecond

// tally is what the workers saw of their broadcasts.
type tally struct {
	// Requests is HTTP requests made; Sent is transactions in them, those
	// sent again included.
	Requests int `json:"requests"`
	Sent     int `json:"sent"`
	// Accepted passed CheckTx. Held were sent again and found in the
	// node's mempool cache. Refused were not admitted, by reason
	// ("codespace/code", "code N", or "rpc: ..."); a transaction refused
	// for a full mempool is sent again, and counted each time.
	Accepted int            `json:"accepted"`
	Held     int            `json:"held,omitempty"`
	Refused  map[string]int `json:"refused,omitempty"`
	// Skipped were given up after refusals; Rewinds counts signers sent
	// again from their committed nonce (see paymentStream.refused).
	Skipped int `json:"skipped,omitempty"`
	Rewinds int `json:"rewinds,omitempty"`
	// RoundTrip is the requests' round trip in milliseconds, from sending
	// to the node's answer (CheckTx's, for broadcast_tx_sync).
	RoundTrip Percentiles `json:"round_trip_ms"`

	rtts []time.Duration
}

// Percentiles of a distribution.
type Percentiles struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
}

func percentiles(ds []time.Duration) Percentiles {
	if len(ds) == 0 {
		return Percentiles{}
	}
	slices.Sort(ds)
	at := func(p int) float64 { return float64(ds[min(len(ds)-1, len(ds)*p/100)].Microseconds()) / 1000 }
	return Percentiles{P50: at(50), P90: at(90), P99: at(99)}
}

func (t *tally) add(o tally) {
	t.Requests += o.Requests
	t.Sent += o.Sent
	t.Accepted += o.Accepted
	t.Held += o.Held
	t.Skipped += o.Skipped
	t.Rewinds += o.Rewinds
	t.rtts = append(t.rtts, o.rtts...)
	for k, v := range o.Refused {
		if t.Refused == nil {
			t.Refused = map[string]int{}
		}
		t.Refused[k] += v
	}
}

// driver runs one worker per stream, each sending batch transactions per
// request and waiting for the answer before the next request, until stop
// is closed (a request under way completes and is counted) or every
// stream is exhausted.
type driver struct {
	b     *load.Broadcaster
	batch int
	stop  chan struct{}
	// exhausted is when the first stream ran out (unix nanoseconds; 0:
	// none did).
	exhausted atomic.Int64
}

func (d *driver) run(ctx context.Context, streams []stream) tally {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total tally
	)
	for _, s := range streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := d.work(ctx, s)
			mu.Lock()
			total.add(t)
			mu.Unlock()
		}()
	}
	wg.Wait()
	total.RoundTrip = percentiles(total.rtts)
	total.rtts = nil
	return total
}

func (d *driver) stopped() bool {
	select {
	case <-d.stop:
		return true
	default:
		return false
	}
}

func (d *driver) work(ctx context.Context, s stream) tally {
	t := tally{Refused: map[string]int{}}
	txs := make([][]byte, 0, d.batch)
	for !d.stopped() && ctx.Err() == nil {
		items := s.take(d.batch)
		if len(items) == 0 {
			d.exhausted.CompareAndSwap(0, time.Now().UnixNano())
			break
		}
		txs = txs[:0]
		for _, it := range items {
			txs = append(txs, it.tx)
		}
		sent := time.Now()
		outs, err := d.b.Send(ctx, txs)
		t.rtts = append(t.rtts, time.Since(sent))
		t.Requests++
		t.Sent += len(txs)
		pause := false
		if err != nil {
			// Whether the node admitted them is unknown: send them again; a
			// transaction it holds comes back as held.
			t.Refused[load.Outcome{RPCError: err.Error()}.Reason()] += len(txs)
			pause = true
		}
		for i, o := range outs {
			switch {
			case o.Accepted():
				t.Accepted++
				s.accepted(items[i].key)
			case o.Held():
				t.Held++
				s.accepted(items[i].key)
			case o.MempoolFull():
				t.Refused[o.Reason()]++
				pause = true
			default:
				t.Refused[o.Reason()]++
				pause = s.refused(items[i].key, o) || pause
			}
		}
		if pause {
			select {
			case <-d.stop:
			case <-ctx.Done():
			case <-time.After(backoff):
			}
		}
	}
	t.Skipped, t.Rewinds = s.skipped(), s.rewinds()
	return t
}
