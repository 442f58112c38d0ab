// Package benchrpc measures a single ledgerd node's committed transactions
// per second over RPC against CometBFT's stock kvstore, under the same
// client and the same CometBFT settings (make bench-rpc).
//
// Each run starts a fresh one-validator ledgerd network (as `ledgerd
// testnet init --validators 1` writes it, its genesis opening the paying
// wallets funded), drives it, and stops it; then does the same with the
// kvstore (`cometbft node --proxy_app=kvstore`, built from the module
// version in go.mod). Both config.toml files are written from the same
// Settings and compared key by key before the first run.
//
// The client is the same for both: Workers goroutines, each sending
// broadcast_tx_sync requests over HTTP JSON-RPC (Batch transactions per
// request, a JSON-RPC batch when more than one) and waiting for each
// answer. ledgerd gets EIP-712-signed transfers, all signed before the
// timed phase, each signer's in nonce order by the one worker that owns
// it; the kvstore gets random key=value transactions of the transfers'
// median size. A transaction refused for a full mempool is sent again
// after a 20 ms pause.
//
// The committed rate is read from the chain, not from the broadcasts: the
// transactions that succeeded in the blocks committed during the timed
// window (after a warm-up), over the header times of its first and last
// block. The report also gives CheckTx refusals by code, and the CPU used
// by the client and by the node during the window, so that a reader can
// tell whether the figure is the node's or the client's.
package benchrpc

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/client"
	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"

	"github.com/ledgerd/ledgerd/testnet"
	"github.com/ledgerd/ledgerd/testnet/load"
)

// Options say what to run. Zero values take the defaults given.
type Options struct {
	// Ledgerd and CometBFT are the binaries to run.
	Ledgerd, CometBFT string
	// Dir holds the nodes' homes (rewritten every run) and the profiles.
	Dir      string
	Settings Settings
	// Warmup is sent before the timed window opens (default 5 s);
	// Duration is the window (default 20 s).
	Warmup, Duration time.Duration
	// Workers send concurrently (default 128: enough to saturate either
	// node on 2 cores; with 32, ledgerd's slower CheckTx bounded its rate
	// by the workers' round trips), Batch transactions per request
	// (default 1).
	Workers, Batch int
	// Wallets pay TxsPerWallet transfers each (defaults 3000 and 50): at
	// least what ledgerd commits in Warmup + Duration, plus the mempool
	// (150,000: the kvstore's rate for 25 s).
	// TxsPerWallet above the node's max_pending_per_signer (64) brings
	// auth/16 refusals, which are sent again.
	Wallets, TxsPerWallet int
	// Runs is how many times both nodes are measured, in turn (default 1).
	Runs int
	// Only measures one node, "ledgerd" or "kvstore"; "" measures both.
	Only string
	// Profile takes a CPU profile of each node during the window from its
	// pprof listener, into Dir/profiles.
	Profile bool
	// LedgerdArgs are added to `ledgerd start`.
	LedgerdArgs []string
	// Seed derives the wallets and payments.
	Seed uint64
	// Logf receives progress lines (default: none).
	Logf func(format string, args ...any)
}

func (o *Options) defaults() error {
	if o.Ledgerd == "" || o.CometBFT == "" {
		return fmt.Errorf("benchrpc: the ledgerd and cometbft binaries are required")
	}
	if o.Dir == "" {
		o.Dir = filepath.Join("build", "bench-rpc")
	}
	if o.Settings == (Settings{}) {
		o.Settings = DefaultSettings()
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.Workers, 128)
	def(&o.Batch, 1)
	def(&o.Wallets, 3000)
	def(&o.TxsPerWallet, 50)
	def(&o.Runs, 1)
	if o.Warmup == 0 {
		o.Warmup = 5 * time.Second
	}
	if o.Duration == 0 {
		o.Duration = 20 * time.Second
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	switch {
	case o.Only != "" && o.Only != "ledgerd" && o.Only != "kvstore":
		return fmt.Errorf("benchrpc: only %q: ledgerd or kvstore", o.Only)
	case o.Workers < 1 || o.Batch < 1 || o.TxsPerWallet < 1 || o.Runs < 1:
		return fmt.Errorf("benchrpc: workers, batch, txs per wallet and runs must be positive")
	case o.Settings.MaxRequestBatch > 0 && o.Batch > o.Settings.MaxRequestBatch:
		return fmt.Errorf("benchrpc: batch %d above the nodes' max_request_batch_size %d", o.Batch, o.Settings.MaxRequestBatch)
	case o.Wallets < o.Workers*o.Batch:
		// Each worker's batches hold one transaction per signer.
		return fmt.Errorf("benchrpc: %d wallets: at least workers x batch = %d", o.Wallets, o.Workers*o.Batch)
	}
	return nil
}

// Result is what Run measured.
type Result struct {
	Workers  int     `json:"workers"`
	Batch    int     `json:"batch"`
	Method   string  `json:"method"`
	Warmup   float64 `json:"warmup_s"`
	Duration float64 `json:"duration_s"`
	Wallets  int     `json:"wallets"`
	// Signed is how many transfers were signed for ledgerd; TxBytes their
	// median size, and the kvstore transactions' size.
	Signed  int `json:"signed"`
	TxBytes int `json:"tx_bytes"`
	// Settings are both nodes' throughput settings, key = value.
	Settings []string    `json:"settings"`
	Runs     []RunResult `json:"runs"`
	// Ledgerd, KVStore and Ratio summarise the runs' committed rates.
	Ledgerd Spread `json:"ledgerd_tx_per_s"`
	KVStore Spread `json:"kvstore_tx_per_s"`
	Ratio   Spread `json:"ratio"`
}

// RunResult is one run of both nodes.
type RunResult struct {
	Ledgerd *Measure `json:"ledgerd,omitempty"`
	KVStore *Measure `json:"kvstore,omitempty"`
	// Ratio is ledgerd's committed rate over the kvstore's.
	Ratio float64 `json:"ratio,omitempty"`
}

// Spread is the median, least and greatest of the runs.
type Spread struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

func spread(xs []float64) Spread {
	if len(xs) == 0 {
		return Spread{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Spread{Median: m, Min: s[0], Max: s[len(s)-1]}
}

// Measure is one node's run.
type Measure struct {
	Node string `json:"node"`
	// Broadcasts over the whole sending time (warm-up and window).
	Broadcasts tally  `json:"broadcasts"`
	Window     Window `json:"window"`
	// ClientCPU and NodeCPU are the CPU time the client and the node used
	// during the window over its wall time, in cores (of 2, on these
	// machines).
	ClientCPU float64 `json:"client_cpu_cores"`
	NodeCPU   float64 `json:"node_cpu_cores"`
	// OtherCPU is what the rest of the machine used meanwhile (other
	// processes on a shared machine), in cores.
	OtherCPU float64 `json:"other_cpu_cores"`
	// NodeMicrosPerTx is the node's CPU time per committed transaction
	// during the window, in microseconds: what the node spends on each,
	// which other processes' load changes far less than the rate.
	NodeMicrosPerTx float64 `json:"node_cpu_us_per_tx"`
	// RanOutEarly is how many seconds before the window's end a worker ran
	// out of transactions (0: none did): the window was not fully loaded.
	RanOutEarly float64 `json:"ran_out_early_s,omitempty"`
	// Dropped passed CheckTx but were not in a block once the mempool had
	// drained (or a minute after the sending stopped): CometBFT answers
	// with the app's CheckTx result but drops the transaction if its
	// mempool filled meanwhile, and a recheck evicts what no longer
	// passes (a ledgerd payment whose predecessor was dropped).
	Dropped int `json:"dropped"`
	// Profile is the CPU profile taken during the window, if asked.
	Profile string `json:"profile,omitempty"`
}

func (m *Measure) String() string {
	rt := m.Broadcasts.RoundTrip
	s := fmt.Sprintf("%s: %s; sent %d in %d requests (round trip p50 %.1f ms, p90 %.1f, p99 %.1f), accepted %d", m.Node, m.Window,
		m.Broadcasts.Sent, m.Broadcasts.Requests, rt.P50, rt.P90, rt.P99, m.Broadcasts.Accepted)
	if n := sum(m.Broadcasts.Refused); n > 0 {
		s += fmt.Sprintf(", refused %d %v", n, m.Broadcasts.Refused)
	}
	if m.Broadcasts.Held > 0 {
		s += fmt.Sprintf(", held already %d", m.Broadcasts.Held)
	}
	if m.Broadcasts.Rewinds > 0 || m.Broadcasts.Skipped > 0 {
		s += fmt.Sprintf(", signers rewound %d, txs skipped %d", m.Broadcasts.Rewinds, m.Broadcasts.Skipped)
	}
	s += fmt.Sprintf("; CPU in cores: client %.2f, node %.2f (%.0f us per committed tx), other processes %.2f",
		m.ClientCPU, m.NodeCPU, m.NodeMicrosPerTx, m.OtherCPU)
	if m.Dropped != 0 {
		s += fmt.Sprintf(", dropped after CheckTx %d", m.Dropped)
	}
	if m.RanOutEarly > 0 {
		s += fmt.Sprintf("; RAN OUT of transactions %.1f s before the window's end: raise WALLETS or TXS", m.RanOutEarly)
	}
	return s
}

// target is one node to measure.
type target struct {
	name string
	// setup writes a fresh home under dir and returns the CometBFT home
	// in it and the command that runs the node.
	setup func(dir string, p ports) (home, bin string, args []string, err error)
	// check runs once the node makes blocks.
	check func(ctx context.Context, rpc string) error
	// streams makes the workers' streams.
	streams func(workers int) []stream
}

// Run signs the payments, then measures ledgerd and the kvstore in turn,
// o.Runs times.
func Run(ctx context.Context, o Options) (*Result, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	base, err := testnet.FreeBase(10)
	if err != nil {
		return nil, err
	}
	ledgerdPorts, kvPorts := ports{base, base + 1, base + 2}, ports{base + 5, base + 6, base + 7}

	start := time.Now()
	pay, err := signPayments(o.Wallets, o.TxsPerWallet, o.Seed)
	if err != nil {
		return nil, err
	}
	o.Logf("bench-rpc: signed %d transfers of %d wallets in %s (median %d bytes)", o.Wallets*o.TxsPerWallet, o.Wallets,
		time.Since(start).Round(time.Millisecond), pay.size)

	// nonces answers paymentStream's rewinds.
	nonces, err := client.New(fmt.Sprintf("tcp://127.0.0.1:%d", ledgerdPorts.rpc))
	if err != nil {
		return nil, err
	}
	defer nonces.Close()
	ledgerd := &target{
		name: "ledgerd",
		setup: func(dir string, p ports) (string, string, []string, error) {
			home, err := setupLedgerd(dir, pay.wallets, o.Settings, p)
			args := append([]string{"start", "--home", home, "--metrics.enabled=false"}, o.LedgerdArgs...)
			return home, o.Ledgerd, args, err
		},
		check: func(ctx context.Context, rpc string) error { return checkLedgerd(ctx, rpc, pay.wallets[0]) },
		streams: func(workers int) []stream {
			nonce := func(i int) (uint64, error) { return nonces.Nonce(ctx, pay.wallets[i]) }
			return paymentStreams(pay.perSigner, workers, nonce)
		},
	}
	kvstore := &target{
		name: "kvstore",
		setup: func(dir string, p ports) (string, string, []string, error) {
			err := setupKVStore(o.CometBFT, dir, o.Settings, p)
			return dir, o.CometBFT, []string{"node", "--home", dir, "--proxy_app=kvstore"}, err
		},
		streams: func(workers int) []stream {
			out := make([]stream, workers)
			for i := range out {
				out[i] = newKVStream(o.Seed+uint64(i), pay.size)
			}
			return out
		},
	}

	settings, err := o.compareSettings([]*target{ledgerd, kvstore}, []ports{ledgerdPorts, kvPorts})
	if err != nil {
		return nil, err
	}
	res := &Result{Settings: settings, Workers: o.Workers, Batch: o.Batch, Method: "broadcast_tx_sync over HTTP JSON-RPC",
		Warmup: o.Warmup.Seconds(), Duration: o.Duration.Seconds(), Wallets: o.Wallets,
		Signed: o.Wallets * o.TxsPerWallet, TxBytes: pay.size}
	var rates [3][]float64
	for run := 1; run <= o.Runs; run++ {
		var r RunResult
		for _, t := range []*target{ledgerd, kvstore} {
			if o.Only != "" && o.Only != t.name {
				continue
			}
			p := ledgerdPorts
			if t == kvstore {
				p = kvPorts
			}
			m, err := o.measure(ctx, t, p, run)
			if err != nil {
				return nil, fmt.Errorf("run %d, %s: %w", run, t.name, err)
			}
			o.Logf("run %d %s", run, m)
			if t == ledgerd {
				r.Ledgerd = m
			} else {
				r.KVStore = m
			}
		}
		if r.Ledgerd != nil {
			rates[0] = append(rates[0], r.Ledgerd.Window.TxPerSec)
		}
		if r.KVStore != nil {
			rates[1] = append(rates[1], r.KVStore.Window.TxPerSec)
		}
		if r.Ledgerd != nil && r.KVStore != nil {
			r.Ratio = r.Ledgerd.Window.TxPerSec / r.KVStore.Window.TxPerSec
			o.Logf("run %d ratio ledgerd/kvstore: %.2f", run, r.Ratio)
			rates[2] = append(rates[2], r.Ratio)
		}
		res.Runs = append(res.Runs, r)
	}
	res.Ledgerd, res.KVStore, res.Ratio = spread(rates[0]), spread(rates[1]), spread(rates[2])
	return res, nil
}

// compareSettings writes both targets' homes and compares their
// config.toml files (see compareConfigs).
func (o *Options) compareSettings(targets []*target, p []ports) ([]string, error) {
	var homes []string
	for i, t := range targets {
		dir := filepath.Join(o.Dir, t.name)
		if err := os.RemoveAll(dir); err != nil {
			return nil, err
		}
		home, _, _, err := t.setup(dir, p[i])
		if err != nil {
			return nil, err
		}
		homes = append(homes, home)
	}
	return compareConfigs(homes[0], homes[1])
}

// measure runs t once: a fresh home, the node started, Warmup then
// Duration of load, the mempool drained, the blocks read, the node
// stopped.
func (o *Options) measure(ctx context.Context, t *target, p ports, run int) (m *Measure, err error) {
	dir := filepath.Join(o.Dir, t.name)
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	_, bin, args, err := t.setup(dir, p)
	if err != nil {
		return nil, err
	}
	node, err := startProc(filepath.Join(o.Dir, t.name+".log"), bin, args...)
	if err != nil {
		return nil, err
	}
	defer func() {
		if serr := node.stop(); serr != nil && err == nil {
			err = serr
		}
	}()
	rpcAddr := fmt.Sprintf("tcp://127.0.0.1:%d", p.rpc)
	rpc, err := rpchttp.New(rpcAddr, "/websocket")
	if err != nil {
		return nil, err
	}
	height := func() (int64, error) {
		var err error
		for range 3 { // a connection the node closed is not an answer
			var st *coretypes.ResultStatus
			if st, err = rpc.Status(ctx); err == nil {
				return st.SyncInfo.LatestBlockHeight, nil
			}
			if serr := sleep(ctx, 200*time.Millisecond); serr != nil {
				return 0, serr
			}
		}
		return 0, fmt.Errorf("status: %w", err)
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := waitFor(wctx, node, func() bool { h, err := height(); return err == nil && h >= 2 }); err != nil {
		return nil, fmt.Errorf("waiting for the node's second block: %w", err)
	}
	if t.check != nil {
		if err := t.check(ctx, rpcAddr); err != nil {
			return nil, fmt.Errorf("check: %w", err)
		}
	}
	startHeight, err := height()
	if err != nil {
		return nil, err
	}

	streams := t.streams(o.Workers)
	d := &driver{b: load.NewBroadcaster(rpcAddr, o.Workers), batch: o.Batch, stop: make(chan struct{})}
	var stopOnce sync.Once
	stopSending := func() { stopOnce.Do(func() { close(d.stop) }) }
	defer stopSending()
	tallied := make(chan tally, 1)
	go func() { tallied <- d.run(ctx, streams) }()

	m = &Measure{Node: t.name}
	if err := sleep(ctx, o.Warmup); err != nil {
		return nil, err
	}
	h0, err := height()
	if err != nil {
		return nil, fmt.Errorf("window start: %w", err)
	}
	wall0, client0, node0, busy0 := time.Now(), load.CPUTime(), node.cpuTime(), machineBusy()
	profiled := make(chan error, 1)
	if o.Profile {
		m.Profile = filepath.Join(o.Dir, "profiles", fmt.Sprintf("%s-run%d.cpu.pprof", t.name, run))
		go func() { profiled <- fetchProfile(ctx, p.pprof, o.Duration, m.Profile) }()
	} else {
		profiled <- nil
	}
	if err := sleep(ctx, o.Duration); err != nil {
		return nil, err
	}
	h1, err := height()
	if err != nil {
		return nil, fmt.Errorf("window end: %w", err)
	}
	wall := time.Since(wall0).Seconds()
	m.ClientCPU = (load.CPUTime() - client0).Seconds() / wall
	m.NodeCPU = (node.cpuTime() - node0).Seconds() / wall
	m.OtherCPU = max(0, (machineBusy()-busy0).Seconds()/wall-m.ClientCPU-m.NodeCPU)
	if at := d.exhausted.Load(); at != 0 {
		m.RanOutEarly = time.Since(time.Unix(0, at)).Seconds()
	}
	stopSending()
	m.Broadcasts = <-tallied
	if err := <-profiled; err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}

	// Drain: every accepted transaction should be committed.
	dctx, cancelDrain := context.WithTimeout(ctx, time.Minute)
	defer cancelDrain()
	_ = waitFor(dctx, node, func() bool {
		n, err := pendingTxs(ctx, rpc)
		return err == nil && n == 0
	})
	endHeight, err := height()
	if err != nil {
		return nil, err
	}
	blocks, err := readBlocks(ctx, rpc, startHeight, endHeight)
	if err != nil {
		return nil, err
	}
	if m.Window, err = newWindow(blocks, h0, h1); err != nil {
		return nil, err
	}
	m.NodeMicrosPerTx = m.NodeCPU * wall / float64(m.Window.Committed) * 1e6
	committed := 0
	for h := startHeight + 1; h <= endHeight; h++ {
		committed += blocks[h].txs
	}
	m.Dropped = m.Broadcasts.Accepted - committed
	return m, nil
}

// waitFor polls cond every 100 ms until it holds, the node exits or ctx
// ends.
func waitFor(ctx context.Context, node *proc, cond func() bool) error {
	for !cond() {
		if err := node.exited(); err != nil {
			return err
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// fetchProfile saves a CPU profile of d from the pprof listener at port.
func fetchProfile(ctx context.Context, port int, d time.Duration, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	url := fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/profile?seconds=%d", port, int(d.Seconds()))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// pendingTxs is the number of transactions the node holds for coming
// blocks: ledgerd's /mempool answer when its app keeps the mempool
// (CometBFT's num_unconfirmed_txs then counts none), CometBFT's count
// otherwise.
func pendingTxs(ctx context.Context, rpc *rpchttp.HTTP) (int, error) {
	res, err := rpc.ABCIQuery(ctx, app.QueryMempool, nil)
	if err == nil && res.Response.IsOK() {
		var m authv1.Mempool
		if proto.Unmarshal(res.Response.Value, &m) == nil && m.KeptBy == "app" {
			return int(m.Txs), nil
		}
	}
	n, err := rpc.NumUnconfirmedTxs(ctx)
	if err != nil {
		return 0, err
	}
	return n.Total, nil
}
