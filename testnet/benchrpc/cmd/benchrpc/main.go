// Command benchrpc measures a single ledgerd node's committed transactions
// per second over RPC against CometBFT's stock kvstore, under the same
// client and CometBFT settings (package testnet/benchrpc). make bench-rpc
// builds the binaries and runs it through scripts/bench-rpc.sh.
//
//	go run ./testnet/benchrpc/cmd/benchrpc -ledgerd build/ledgerd -cometbft build/tools/cometbft -runs 3
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/ledgerd/ledgerd/testnet/benchrpc"
)

func main() {
	o := benchrpc.Options{Settings: benchrpc.DefaultSettings()}
	s := &o.Settings
	flag.StringVar(&o.Ledgerd, "ledgerd", "build/ledgerd", "ledgerd binary")
	flag.StringVar(&o.CometBFT, "cometbft", "build/tools/cometbft", "cometbft binary (the kvstore), built from the module version in go.mod")
	flag.StringVar(&o.Dir, "dir", "build/bench-rpc", "directory for the nodes' homes, logs and profiles")
	flag.DurationVar(&o.Warmup, "warmup", 5*time.Second, "load before the timed window opens")
	flag.DurationVar(&o.Duration, "duration", 20*time.Second, "the timed window")
	flag.IntVar(&o.Workers, "workers", 128, "concurrent senders, each waiting for its answer")
	flag.IntVar(&o.Batch, "batch", 1, "transactions per request (more than 1: a JSON-RPC batch)")
	flag.IntVar(&o.Wallets, "wallets", 3000, "paying ledgerd wallets, opened funded in genesis")
	flag.IntVar(&o.TxsPerWallet, "txs", 50, "transfers each wallet signs before the run")
	flag.IntVar(&o.Runs, "runs", 1, "runs of both nodes, in turn")
	flag.StringVar(&o.Only, "only", "", "measure one node only: ledgerd or kvstore")
	flag.BoolVar(&o.Profile, "profile", false, "take a CPU profile of each node during the window (into DIR/profiles)")
	flag.Uint64Var(&o.Seed, "seed", 1, "derives the wallets and transactions")
	ledgerdArgs := flag.String("ledgerd-args", "", "extra `ledgerd start` flags, space-separated (e.g. --history.enabled=false)")
	flag.DurationVar(&s.TimeoutCommit, "timeout-commit", s.TimeoutCommit, "both nodes' consensus.timeout_commit")
	flag.IntVar(&s.MempoolSize, "mempool-size", s.MempoolSize, "both nodes' mempool.size")
	flag.Int64Var(&s.MaxTxsBytes, "max-txs-bytes", s.MaxTxsBytes, "both nodes' mempool.max_txs_bytes")
	flag.BoolVar(&s.Recheck, "recheck", s.Recheck, "both nodes' mempool.recheck")
	flag.BoolVar(&s.AppMempool, "app-mempool", s.AppMempool, `ledgerd keeps its own mempool (mempool.type = "app"); default: CometBFT's flood mempool, as the kvstore`)
	flag.StringVar(&s.Indexer, "indexer", s.Indexer, "both nodes' tx_index.indexer (kv or null)")
	flag.BoolVar(&s.CreateEmptyBlocks, "create-empty-blocks", s.CreateEmptyBlocks, "both nodes' consensus.create_empty_blocks")
	flag.IntVar(&s.MaxRequestBatch, "max-request-batch", s.MaxRequestBatch, "both nodes' rpc.max_request_batch_size")
	output := flag.String("o", "text", "output: text or json")
	flag.Parse()
	if *output != "text" && *output != "json" {
		log.Fatalf("-o %q: want text or json", *output)
	}
	o.LedgerdArgs = strings.Fields(*ledgerdArgs)
	o.Logf = func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := benchrpc.Run(ctx, o)
	if err != nil {
		log.Fatal(err)
	}
	if *output == "json" {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			log.Fatal(err)
		}
		return
	}
	printText(res)
}

func printText(r *benchrpc.Result) {
	fmt.Printf("bench-rpc: %s, %d workers, batch %d; %.0f s warm-up, %.0f s window; %d-byte txs (%d transfers of %d wallets signed before)\n",
		r.Method, r.Workers, r.Batch, r.Warmup, r.Duration, r.TxBytes, r.Signed, r.Wallets)
	fmt.Printf("settings of both nodes:\n  %s\n", strings.Join(r.Settings, "\n  "))
	for i, run := range r.Runs {
		fmt.Printf("run %d\n", i+1)
		for _, m := range []*benchrpc.Measure{run.Ledgerd, run.KVStore} {
			if m != nil {
				fmt.Printf("  %s\n", m)
			}
		}
		if run.Ratio != 0 {
			fmt.Printf("  ratio %.2f\n", run.Ratio)
		}
	}
	f := func(s benchrpc.Spread, format string) string {
		return fmt.Sprintf(format+" ["+format+" - "+format+"]", s.Median, s.Min, s.Max)
	}
	fmt.Printf("committed tx/s, median [min - max] of %d run(s):", len(r.Runs))
	if r.Ledgerd.Median != 0 {
		fmt.Printf(" ledgerd %s", f(r.Ledgerd, "%.0f"))
	}
	if r.KVStore.Median != 0 {
		fmt.Printf(" kvstore %s", f(r.KVStore, "%.0f"))
	}
	if r.Ratio.Median != 0 {
		fmt.Printf(" ratio %s", f(r.Ratio, "%.2f"))
	}
	fmt.Println()
}
