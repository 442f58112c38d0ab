package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/testnet"
	"github.com/ledgerd/ledgerd/testnet/load"
)

// loadResult is `testnet load`'s output: one report per step, and the step
// with the highest committed rate.
type loadResult struct {
	Seed       uint64         `json:"seed"`
	Steps      []*load.Report `json:"steps"`
	Saturation *load.Report   `json:"saturation"`
}

func newTestnetLoadCmd() *cobra.Command {
	var (
		nodes    []string
		cfg      load.Config
		rates    string
		duration time.Duration
		drain    time.Duration
		wait     time.Duration
		presign  int
	)
	cmd := &cobra.Command{
		Use:   "load DIR",
		Short: "Fund wallets through the banks of a running network, then send signed payments and measure what commits",
		Long: `Opens and funds --wallets wallets through the network's member banks, then
sends fresh signed payments between them, spread over the nodes, for
--duration at each rate of --rate (payments per second; 0 = as fast as the
network admits them), each wallet with up to --in-flight payments under way. --presign N signs
each wallet's next N payments before each step's clock starts.
Each step reports submitted, accepted, committed and rejected (by code)
payments, the committed rate, the commit latency from submission to the
block (p50/p95/p99), and the generator's own CPU use. With several rates, the step with the
highest committed rate is the saturation point.

--bad-every N also sends a bad transaction (malformed, oversized, replayed,
badly signed, for another chain) after every N payments; every one must be
refused.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			net, err := testnet.LoadNetwork(dir)
			if err != nil {
				return err
			}
			if cfg.Banks, err = net.Banks(dir); err != nil {
				return err
			}
			cfg.Nodes = nodes
			if len(cfg.Nodes) == 0 {
				cfg.Nodes = net.RPCs()
			}
			steps, err := parseRates(rates)
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("seed") {
				cfg.Seed = uint64(time.Now().UnixNano())
			}
			// Progress goes to stderr as it happens; the figures to stdout at
			// the end (text or JSON).
			logw := cmd.ErrOrStderr()
			cfg.Logf = func(format string, a ...any) { fmt.Fprintf(logw, format+"\n", a...) }
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if err := waitForChain(ctx, cfg.Nodes, wait); err != nil {
				return err
			}
			res, err := runLoad(ctx, cfg, steps, duration, drain, presign)
			if err != nil {
				return err
			}
			return printResult(cmd, res, func(w io.Writer) {
				fmt.Fprintf(w, "seed %d, %d wallets, %d nodes\n", res.Seed, cfg.Wallets, len(cfg.Nodes))
				if len(res.Steps) > 1 && res.Saturation != nil {
					fmt.Fprintf(w, "saturation: %.0f committed tx/s, latency p50 %.0f ms p95 %.0f ms p99 %.0f ms\n",
						res.Saturation.TxPerSec, res.Saturation.Latency.P50, res.Saturation.Latency.P95, res.Saturation.Latency.P99)
				}
			})
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&nodes, "nodes", nil, "RPC addresses to send to (default: every node of the network)")
	f.IntVar(&cfg.Wallets, "wallets", 1000, "paying wallets, opened and funded first")
	f.StringVar(&rates, "rate", "0", "payments per second, or a comma-separated list of rates to step through; 0 = as fast as admitted")
	f.DurationVar(&duration, "duration", 30*time.Second, "how long each rate is sent")
	f.DurationVar(&drain, "drain", time.Minute, "how long to wait for payments in flight after each step")
	f.IntVar(&cfg.BadEvery, "bad-every", 0, "send a bad transaction after every N payments (0: none)")
	f.Uint64Var(&cfg.Seed, "seed", 0, "derives the wallets and payments (default: from the clock); the same seed reuses the same wallets")
	f.Uint64Var(&cfg.ValidFor, "valid-for", 20, "payments' validity window, in blocks")
	f.IntVar(&cfg.InFlight, "in-flight", 4, "payments each wallet may have submitted and not yet committed, with consecutive nonces (1 to 64)")
	f.IntVar(&cfg.Batch, "batch", 10, "most payments sent to a node in one request (a JSON-RPC batch of those queued meanwhile; at most the nodes' rpc.max_request_batch_size)")
	f.IntVar(&presign, "presign", 0, "payments each wallet signs before each step's clock starts (at a set rate, at most what the step sends), so that the step's CPU is the network's (0: sign each at submission)")
	f.DurationVar(&wait, "wait", 0, "wait up to this long for a node to answer with a block (a network just started)")
	return cmd
}

// waitForChain waits up to d for any node to report height 2 or more.
func waitForChain(ctx context.Context, nodes []string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		for _, n := range nodes {
			c, err := client.New(n)
			if err != nil {
				return err
			}
			h, err := c.LatestHeight(ctx)
			c.Close()
			if err == nil && h >= 2 {
				return nil
			}
		}
		if time.Now().After(deadline) {
			if d > 0 {
				return fmt.Errorf("no node of %v made a block within %s", nodes, d)
			}
			return nil // no waiting asked: load.New reports what is wrong
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func parseRates(s string) ([]float64, error) {
	var out []float64
	for _, part := range strings.Split(s, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil || r < 0 {
			return nil, fmt.Errorf("--rate %q: want non-negative numbers separated by commas", s)
		}
		out = append(out, r)
	}
	return out, nil
}

func runLoad(ctx context.Context, cfg load.Config, rates []float64, duration, drain time.Duration, presign int) (*loadResult, error) {
	g, err := load.New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer g.Close()
	if err := g.Prepare(ctx); err != nil {
		return nil, err
	}
	res := &loadResult{Seed: cfg.Seed}
	for _, rate := range rates {
		n := presign
		if rate > 0 && n > 0 { // no more than the step will send, and a few spare
			n = min(n, int(math.Ceil(rate*duration.Seconds()/float64(cfg.Wallets)))+max(cfg.InFlight, 1))
		}
		r, err := g.Run(ctx, load.Step{Rate: rate, Duration: duration, Drain: drain, Presign: n})
		if err != nil {
			return nil, err
		}
		cfg.Logf("%s", r)
		res.Steps = append(res.Steps, r)
		if res.Saturation == nil || r.TxPerSec > res.Saturation.TxPerSec {
			res.Saturation = r
		}
		if ctx.Err() != nil {
			break
		}
	}
	return res, nil
}
