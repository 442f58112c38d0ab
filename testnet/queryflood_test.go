package testnet

import (
	"context"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
)

// TestQueryFlood floods one validator of a four-validator network with
// ABCI queries (scripts/query-flood.sh; QUERY_FLOOD=1, not in make test)
// and measures, on that node, with and without the flood: blocks per
// second, and how long a restarted validator takes to be admitted as its
// peer again (the peer filter runs on the flooded node's query
// connection). FLOOD_WORKERS (default 32) and FLOOD_SECONDS (default 20)
// scale it; FLOOD_BIN runs another ledgerd binary (an A/B comparison).
// Answers refused over the node's query budget (query/10) are counted
// apart.
func TestQueryFlood(t *testing.T) {
	if os.Getenv("QUERY_FLOOD") == "" {
		t.Skip("set QUERY_FLOOD=1 (scripts/query-flood.sh)")
	}
	workers := envInt(t, "FLOOD_WORKERS", 32)
	window := time.Duration(envInt(t, "FLOOD_SECONDS", 20)) * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 4*window+4*time.Minute)
	defer cancel()
	bin := os.Getenv("FLOOD_BIN") // another build, for an A/B comparison
	if bin == "" {
		bin = testBinary(ctx, t)
	}
	t.Logf("binary %s", bin)
	pn := startProcessNetOn(ctx, t, bin, 4, 200*time.Millisecond, 0)
	target, peer := pn.Procs[0], pn.Procs[3]
	rc, err := rpchttp.New(target.RPC(), "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	peerID := pn.Net.Nodes[3].ID

	measure := func(label string) {
		t.Helper()
		h0 := latest(ctx, t, rc)
		start := time.Now()
		time.Sleep(window / 2)
		h1 := latest(ctx, t, rc)
		rate := float64(h1-h0) / time.Since(start).Seconds()

		if err := peer.Stop(); err != nil {
			t.Fatal(err)
		}
		waitPeer(ctx, t, rc, peerID, false)
		restarted := time.Now()
		if err := peer.Start(); err != nil {
			t.Fatal(err)
		}
		waitPeer(ctx, t, rc, peerID, true)
		admit := time.Since(restarted)
		t.Logf("%s: %.2f blocks/s on the flooded node over %s; restarted validator admitted as its peer in %s",
			label, rate, time.Since(start).Round(time.Second), admit.Round(10*time.Millisecond))
	}

	measure("no flood")

	var queries, refused, failed atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	stop := make(chan struct{})
	var wg sync.WaitGroup
	paths := []struct {
		path string
		data []byte
	}{
		{"/wallet/invariant", nil},
		{"/settle/invariant", nil},
		{"/gov/proposals", nil},
		{"/consortium/members", nil},
		{"/wallet/denoms", nil},
	}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := rpchttp.New(target.RPC(), "/websocket")
			if err != nil {
				failed.Add(1)
				return
			}
			for i := w; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				q := paths[i%len(paths)]
				t0 := time.Now()
				r, err := c.ABCIQuery(ctx, q.path, q.data)
				if err != nil {
					failed.Add(1)
					continue
				}
				if r.Response.Code != 0 {
					refused.Add(1) // query/10: over the node's query budget
				}
				d := time.Since(t0)
				queries.Add(1)
				if i%16 == 0 {
					mu.Lock()
					lat = append(lat, d)
					mu.Unlock()
				}
			}
		}()
	}
	floodStart := time.Now()
	measure("flood of " + strconv.Itoa(workers) + " query workers")
	close(stop)
	wg.Wait()
	elapsed := time.Since(floodStart)
	slices.Sort(lat)
	p := func(q float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[int(q*float64(len(lat)-1))]
	}
	t.Logf("flood: %d queries in %s (%.0f/s), %d of them refused over the node's budget, %d failed; latency p50 %s, p99 %s",
		queries.Load(), elapsed.Round(time.Second), float64(queries.Load())/elapsed.Seconds(), refused.Load(), failed.Load(),
		p(0.5).Round(time.Microsecond), p(0.99).Round(time.Microsecond))
	measure("after the flood")
}

// latest returns rc's latest height, retrying a failed request (the
// flooded RPC server drops a connection now and then) for up to 10 s.
func latest(ctx context.Context, t *testing.T, rc *rpchttp.HTTP) int64 {
	t.Helper()
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		st, e := rc.Status(ctx)
		if e == nil {
			return st.SyncInfo.LatestBlockHeight
		}
		err = e
	}
	t.Fatal(err)
	return 0
}

// waitPeer waits until node id is (want) or is not among rc's peers.
func waitPeer(ctx context.Context, t *testing.T, rc *rpchttp.HTTP, id string, want bool) {
	t.Helper()
	for {
		info, err := rc.NetInfo(ctx)
		if err != nil {
			select {
			case <-ctx.Done():
				t.Fatalf("net_info: %v", err)
			case <-time.After(20 * time.Millisecond):
			}
			continue // the flooded RPC server drops a connection now and then
		}
		found := false
		for _, p := range info.Peers {
			found = found || string(p.NodeInfo.ID()) == id
		}
		if found == want {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for peer %s present=%v: %v", id, want, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
