package load

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/auth"
)

// Step is one load step.
type Step struct {
	// Rate is the target of payments submitted per second; 0 submits as
	// fast as the network admits them (each wallet at most
	// Config.InFlight at a time).
	Rate float64
	// Duration is how long payments are submitted.
	Duration time.Duration
	// Drain is how long, after Duration, payments in flight are waited for
	// (default 60 s); those still unresolved then are counted so.
	Drain time.Duration
	// Until, if not nil, ends the submissions early when it is closed.
	Until <-chan struct{}
	// Presign is how many payments each wallet signs before the step's
	// clock starts (0: each is signed as it is submitted). A wallet sends
	// them first, in nonce order, and signs at submission only once they
	// run out or after trouble. Their validity window is stretched by the
	// step's length (one block per 250 ms), since they wait to be sent.
	// Signing is most of the generator's own CPU: done before, it leaves
	// the step's cores to the network.
	Presign int
}

// Report is what a step measured.
type Report struct {
	Rate     float64 `json:"target_rate"` // 0: as fast as admitted
	Duration float64 `json:"duration_s"`
	Wallets  int     `json:"wallets"`
	Nodes    int     `json:"nodes"`
	// Submitted payments were broadcast; Accepted were admitted to a
	// mempool (CheckTx passed); Committed are in a block and succeeded.
	Submitted int `json:"submitted"`
	Accepted  int `json:"accepted"`
	Committed int `json:"committed"`
	// CommittedFailed are in a block and failed, by "codespace/code".
	CommittedFailed map[string]int `json:"committed_failed,omitempty"`
	// Rejected were refused at submission, by "codespace/code", or
	// "rpc: mempool full" / "rpc: unreachable".
	Rejected map[string]int `json:"rejected,omitempty"`
	// Expired were admitted but not committed before their
	// valid_until_height (lost with a node's mempool, for instance).
	Expired int `json:"expired"`
	// Unresolved were still in flight when the drain ended.
	Unresolved int `json:"unresolved"`
	// TxPerSec is committed payments per second, from the first submission
	// to the last commit.
	TxPerSec float64 `json:"committed_tx_per_s"`
	// Latency of committed payments, from submission to the moment the
	// generator saw the block that includes it (polled every 20 ms).
	Latency Latency `json:"latency_ms"`
	// FirstHeight and LastHeight bound the blocks that committed payments.
	FirstHeight int64 `json:"first_height"`
	LastHeight  int64 `json:"last_height"`
	// Bad is what became of the bad transactions sent.
	Bad *BadReport `json:"bad,omitempty"`
	// CPU is the CPU time this generator used while it submitted, over
	// that time, in cores: near the machine's cores, the figures measure
	// the generator rather than the network.
	CPU float64 `json:"generator_cpu_cores"`
	// MachineCPU is the CPU time every process on the machine used over
	// the same time, in cores, of MachineCores (0: not measured, on a
	// system without /proc/stat). Near MachineCores, the network's
	// figure is bounded by the CPU the nodes share; (MachineCPU - CPU) /
	// TxPerSec is then what a committed payment costs the nodes together.
	MachineCPU   float64 `json:"machine_cpu_cores,omitempty"`
	MachineCores int     `json:"machine_cores,omitempty"`
	// Presigned payments were signed before the step's clock started, in
	// PresignSeconds (Step.Presign); the CPU above does not count them.
	Presigned      int     `json:"presigned,omitempty"`
	PresignSeconds float64 `json:"presign_s,omitempty"`
}

// Latency percentiles, in milliseconds.
type Latency struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// String is a one-line summary.
func (r *Report) String() string {
	var b strings.Builder
	rate := "max"
	if r.Rate > 0 {
		rate = fmt.Sprintf("%.0f/s", r.Rate)
	}
	fmt.Fprintf(&b, "rate %s for %.0fs: submitted %d, accepted %d, committed %d (%.0f tx/s), latency p50 %.0f ms p95 %.0f ms p99 %.0f ms, generator CPU %.2f cores",
		rate, r.Duration, r.Submitted, r.Accepted, r.Committed, r.TxPerSec, r.Latency.P50, r.Latency.P95, r.Latency.P99, r.CPU)
	if r.MachineCores > 0 {
		fmt.Fprintf(&b, ", machine CPU %.2f of %d cores", r.MachineCPU, r.MachineCores)
		if r.TxPerSec > 0 {
			fmt.Fprintf(&b, " (%.1f ms per committed payment besides the generator)", 1000*max(0, r.MachineCPU-r.CPU)/r.TxPerSec)
		}
	}
	if n := sum(r.Rejected); n > 0 {
		fmt.Fprintf(&b, "; rejected %d %v", n, r.Rejected)
	}
	if n := sum(r.CommittedFailed); n > 0 {
		fmt.Fprintf(&b, "; failed in block %d %v", n, r.CommittedFailed)
	}
	if r.Expired > 0 || r.Unresolved > 0 {
		fmt.Fprintf(&b, "; expired %d, unresolved %d", r.Expired, r.Unresolved)
	}
	if r.Bad != nil {
		fmt.Fprintf(&b, "; bad txs sent %d, refused %d, admitted %d", r.Bad.Sent, sum(r.Bad.Refused), r.Bad.Admitted)
	}
	if r.Presigned > 0 {
		fmt.Fprintf(&b, "; %d payments signed before the step in %.1f s", r.Presigned, r.PresignSeconds)
	}
	return b.String()
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// stats accumulates a step's figures from the workers.
type stats struct {
	mu        sync.Mutex
	r         Report
	latencies []time.Duration
	first     time.Time
	last      time.Time
}

func (s *stats) add(f func(r *Report)) {
	s.mu.Lock()
	f(&s.r)
	s.mu.Unlock()
}

// Run submits payments for step.Duration, then waits for those in flight,
// and reports. Wallets pay random other wallets 1 to 100 minor units.
func (g *Generator) Run(ctx context.Context, step Step) (*Report, error) {
	if step.Duration <= 0 {
		return nil, errors.New("load: step duration must be positive")
	}
	if step.Drain <= 0 {
		step.Drain = time.Minute
	}
	st := &stats{r: Report{Rate: step.Rate, Duration: step.Duration.Seconds(), Wallets: len(g.wallets), Nodes: len(g.clients),
		CommittedFailed: map[string]int{}, Rejected: map[string]int{}}}
	rngs := make([]*rand.Rand, len(g.wallets))
	for i := range rngs {
		rngs[i] = rand.New(rand.NewPCG(g.cfg.Seed, uint64(i)<<32|uint64(g.runs)))
	}
	if step.Presign > 0 {
		t0 := time.Now()
		n, err := g.presign(ctx, step, rngs)
		if err != nil {
			return nil, err
		}
		st.r.Presigned, st.r.PresignSeconds = n, time.Since(t0).Seconds()
	}
	st.first = time.Now()
	cpu0 := CPUTime()
	machine0, machineOK := MachineCPUTime()
	// hard ends the waiting: Drain after the submissions end.
	hard, cancelHard := context.WithCancel(ctx)
	defer cancelHard()
	send, cancelSend := context.WithTimeout(hard, step.Duration)
	defer cancelSend()
	sendEnded := make(chan time.Time, 1)
	var cpuSending, machineSending atomic.Int64
	go func() {
		select {
		case <-step.Until: // a nil channel never fires
			cancelSend()
		case <-send.Done():
		}
		cpuSending.Store(int64(CPUTime() - cpu0))
		if m, ok := MachineCPUTime(); ok && machineOK {
			machineSending.Store(int64(m - machine0))
		}
		sendEnded <- time.Now()
		select {
		case <-time.After(step.Drain):
			cancelHard()
		case <-hard.Done():
		}
	}()

	var lim *limiter
	if step.Rate > 0 {
		lim = newLimiter(send, step.Rate)
	}
	var bad *badSender
	if g.cfg.BadEvery > 0 {
		bad = g.newBadSender(send)
	}
	var submitted atomic.Int64
	var wg sync.WaitGroup
	for i, w := range g.wallets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.payAll(send, hard, st, w, i, rngs[i], lim, func() {
				if n := submitted.Add(1); bad != nil && n%int64(g.cfg.BadEvery) == 0 {
					bad.trigger()
				}
			})
		}()
	}
	wg.Wait()
	g.runs++
	st.mu.Lock()
	r := st.r
	st.mu.Unlock()
	r.Duration = (<-sendEnded).Sub(st.first).Seconds()
	r.CPU = time.Duration(cpuSending.Load()).Seconds() / r.Duration
	if machineOK {
		r.MachineCPU, r.MachineCores = time.Duration(machineSending.Load()).Seconds()/r.Duration, runtime.NumCPU()
	}
	if bad != nil {
		r.Bad = bad.finish()
	}
	if n := len(st.latencies); n > 0 {
		slices.Sort(st.latencies)
		pct := func(p int) float64 { return ms(st.latencies[min(n-1, n*p/100)]) }
		r.Latency = Latency{P50: pct(50), P95: pct(95), P99: pct(99), Max: ms(st.latencies[n-1])}
		if d := st.last.Sub(st.first).Seconds(); d > 0 {
			r.TxPerSec = float64(r.Committed) / d
		}
	}
	return &r, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// payAll sends w's payments until send ends, with up to InFlight of them
// submitted and not yet resolved (committed, expired or given up), each
// with the next nonce, and waits for those in flight. After any trouble (a
// payment refused by auth, failed in its block or expired) it lets the
// payments in flight resolve, then starts again from the committed nonce:
// those after a lost nonce cannot commit. send ends the submissions; hard
// ends the waiting. submitted is called after each submission.
func (g *Generator) payAll(send, hard context.Context, st *stats, w *payer, i int, rng *rand.Rand, lim *limiter, submitted func()) {
	resolved := make(chan bool, g.cfg.InFlight) // true: trouble
	inFlight, trouble := 0, false
	wait := func() bool { // one payment resolves; false once hard ends
		select {
		case t := <-resolved:
			inFlight--
			trouble = trouble || t
			return true
		case <-hard.Done():
			return false
		}
	}
	defer func() {
		for inFlight > 0 && wait() {
		}
	}()
	for send.Err() == nil {
		for drained := false; !drained; { // learn of trouble early
			select {
			case t := <-resolved:
				inFlight--
				trouble = trouble || t
			default:
				drained = true
			}
		}
		for inFlight >= g.cfg.InFlight || trouble && inFlight > 0 {
			if !wait() {
				return
			}
		}
		if trouble {
			g.resyncNonce(hard, w)
			trouble = false
		}
		if lim != nil && !lim.take(send) {
			return
		}
		p, refused := g.submit(hard, st, w, i, rng)
		submitted()
		if p == nil {
			// An auth refusal (nonce, expiry): start again from the chain.
			trouble = trouble || strings.HasPrefix(refused, auth.Codespace+"/")
			select { // an overloaded or unreachable network: back off a little
			case <-send.Done():
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		w.nonce++
		if len(w.presigned) > 0 && w.presigned[0].nonce < w.nonce {
			w.presigned = w.presigned[1:]
		}
		inFlight++
		go func() { resolved <- g.follow(hard, st, p) }()
	}
}

// payment is a submitted payment being followed to its block.
type payment struct {
	raw        []byte
	hash       [32]byte
	validUntil uint64
	included   <-chan inclusion
	start      time.Time
}

// submit signs and broadcasts w's next payment, to a random other wallet.
// It returns the payment if a node admitted it, else why it was refused.
func (g *Generator) submit(hard context.Context, st *stats, w *payer, i int, rng *rand.Rand) (*payment, string) {
	p := &payment{validUntil: uint64(g.watch.tip.Load()) + g.cfg.ValidFor}
	var to common.Address
	var amount uint64
	if len(w.presigned) > 0 && w.presigned[0].nonce == w.nonce {
		// payAll drops it once admitted; refused, it is sent again.
		ps := w.presigned[0]
		p.raw, p.validUntil, to, amount = ps.raw, ps.validUntil, ps.to, ps.amount
	} else {
		w.presigned = nil // after a resync their nonces no longer follow
		to, amount = g.pick(i, rng)
		var err error
		p.raw, err = g.sign(w.key, w.nonce, p.validUntil, &walletv1.MsgTransfer{To: to.Bytes(), Denom: g.cfg.Denom, Amount: amount})
		if err != nil {
			refused := "sign: " + err.Error()
			st.add(func(r *Report) { r.Rejected[refused]++ })
			return nil, refused
		}
	}
	p.hash = g.track(p.raw, Tx{From: w.addr, To: to, Amount: amount})
	p.included = g.watch.expect(p.hash, p.validUntil)
	p.start = time.Now()
	// A broadcast under way completes even if the step ends meanwhile.
	refused := g.broadcast(hard, p.raw, i)
	st.add(func(r *Report) {
		r.Submitted++
		if refused == "" {
			r.Accepted++
		} else {
			r.Rejected[refused]++
		}
	})
	if refused != "" {
		g.watch.forget(p.hash)
		return nil, refused
	}
	return p, ""
}

// follow waits for p's block or its expiry, and records which. It returns
// true if p did not commit successfully, so that its wallet's later nonces
// cannot either. hard ends the waiting.
func (g *Generator) follow(hard context.Context, st *stats, p *payment) bool {
	select {
	case inc := <-p.included:
		st.add(func(r *Report) {
			switch {
			case inc.Expired:
				r.Expired++
			case inc.Code != 0:
				r.CommittedFailed[fmt.Sprintf("%s/%d", inc.Codespace, inc.Code)]++
			default:
				r.Committed++
				st.latencies = append(st.latencies, inc.At.Sub(p.start))
				st.last = inc.At
				if r.FirstHeight == 0 || inc.Height < r.FirstHeight {
					r.FirstHeight = inc.Height
				}
				r.LastHeight = max(r.LastHeight, inc.Height)
			}
		})
		if inc.Expired || inc.Code != 0 {
			return true
		}
		g.lastCommitted.Store(&committedBytes{raw: p.raw, height: inc.Height})
		return false
	case <-hard.Done():
		g.watch.forget(p.hash)
		st.add(func(r *Report) { r.Unresolved++ })
		return true
	}
}

// broadcast sends b to the nodes in turn, starting with the i-th, until one
// answers. It returns "" if a node admitted b (or already held it), else
// why it was refused: "codespace/code", "rpc: mempool full", "rpc: mempool
// rechecking", "rpc: load ended" or "rpc: unreachable".
func (g *Generator) broadcast(ctx context.Context, b []byte, i int) string {
	for k := range len(g.senders) {
		o, err := g.senders[(i+k)%len(g.senders)].send(ctx, b)
		switch {
		case err != nil && ctx.Err() != nil:
			return "rpc: load ended"
		case err != nil:
			continue // unreachable (killed, paused, cut off): the next node
		case o.Accepted() || o.Held():
			return ""
		case o.MempoolFull() || o.RPCError == "":
			return o.Reason()
		}
		// Another RPC error (catching up after a restart, ...): the next node.
	}
	return "rpc: unreachable"
}

// resyncNonce sets w's nonce to the committed one, from any node.
func (g *Generator) resyncNonce(ctx context.Context, w *payer) {
	for k := range len(g.clients) {
		qctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		n, err := g.clients[k].Nonce(qctx, w.addr)
		cancel()
		if err == nil {
			w.nonce = n
			return
		}
	}
}

// limiter hands out tokens at a rate, with bursts of at most 100 ms worth.
type limiter struct{ tokens chan struct{} }

func newLimiter(ctx context.Context, rate float64) *limiter {
	l := &limiter{tokens: make(chan struct{}, max(1, int(rate/10)))}
	go func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		last, credit := time.Now(), 0.0
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tick.C:
				credit += rate * now.Sub(last).Seconds()
				last = now
			fill:
				for ; credit >= 1; credit-- {
					select {
					case l.tokens <- struct{}{}:
					default:
						credit = 0 // bucket full: the workers are behind
						break fill
					}
				}
			}
		}
	}()
	return l
}

func (l *limiter) take(ctx context.Context) bool {
	select {
	case <-l.tokens:
		return true
	case <-ctx.Done():
		return false
	}
}

// presigned is a payment signed before its step.
type presigned struct {
	nonce, validUntil uint64
	raw               []byte
	to                common.Address
	amount            uint64
}

// presign signs step.Presign payments of every wallet, with its next
// nonces, recipients and amounts from its rng (pick), on as many goroutines as there are cores. It returns how
// many it signed.
func (g *Generator) presign(ctx context.Context, step Step, rngs []*rand.Rand) (int, error) {
	validUntil := uint64(g.watch.tip.Load()) + g.cfg.ValidFor + uint64(step.Duration/(250*time.Millisecond))
	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && failed.Load() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(g.wallets) {
					return
				}
				w, rng := g.wallets[i], rngs[i]
				w.presigned = make([]presigned, 0, step.Presign)
				for k := range step.Presign {
					p := presigned{nonce: w.nonce + uint64(k), validUntil: validUntil}
					p.to, p.amount = g.pick(i, rng)
					var err error
					p.raw, err = g.sign(w.key, p.nonce, validUntil, &walletv1.MsgTransfer{To: p.to.Bytes(), Denom: g.cfg.Denom, Amount: p.amount})
					if err != nil {
						err = fmt.Errorf("load: presign wallet %s: %w", w.addr.Hex(), err)
						failed.Store(&err)
						return
					}
					w.presigned = append(w.presigned, p)
				}
			}
		}()
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		return 0, *err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return len(g.wallets) * step.Presign, nil
}

// pick draws wallet i's next payment: a random other wallet, 1 to 100
// minor units.
func (g *Generator) pick(i int, rng *rand.Rand) (common.Address, uint64) {
	j := rng.IntN(len(g.wallets) - 1)
	if j >= i {
		j++
	}
	return g.wallets[j].addr, 1 + rng.Uint64N(100)
}
