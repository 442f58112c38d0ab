// Command ledgerd-bench measures the state machine in-process: W funded
// wallets on Badger on disk, then blocks of fresh signed transfers (never
// seen by CheckTx, so every signature is recovered in FinalizeBlock) through
// FinalizeBlock and Commit. It prints transfers per second and the p50/p99
// of block execution and commit, then CheckTx throughput on its own; then
// the credit module's: repayments per second, and the date-driven work of
// a day on which many of many open loans fall due (-loans, -due).
//
//	go run ./cmd/ledgerd-bench -wallets 100000 -block-txs 2000 -blocks 20
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/ledgerd/ledgerd/app/apptest"
	"github.com/ledgerd/ledgerd/store"
)

type result struct {
	Wallets         int           `json:"wallets"`
	BlockTxs        int           `json:"block_txs"`
	Blocks          int           `json:"blocks"`
	Cores           int           `json:"cores"`
	Secp256k1       string        `json:"secp256k1"`
	TransfersPerSec float64       `json:"transfers_per_sec"`
	ExecP50Ms       float64       `json:"exec_p50_ms"`
	ExecP99Ms       float64       `json:"exec_p99_ms"`
	CommitP50Ms     float64       `json:"commit_p50_ms"`
	CommitP99Ms     float64       `json:"commit_p99_ms"`
	CheckTxPerSec   float64       `json:"checktx_per_sec"`
	Failed          int           `json:"failed_txs"`
	Credit          *creditResult `json:"credit,omitempty"`
}

func main() {
	wallets := flag.Int("wallets", 100_000, "funded wallets in genesis")
	blockTxs := flag.Int("block-txs", 2000, "transfers per block")
	blocks := flag.Int("blocks", 20, "blocks measured")
	checkTxs := flag.Int("checktx", 10_000, "transactions for the CheckTx measurement")
	dir := flag.String("dir", "", "database directory (default: a temporary one, removed after)")
	asJSON := flag.Bool("json", false, "print the figures as JSON")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the measured blocks to this file")
	loans := flag.Int("loans", 100_000, "open loans for the credit figures (0: skip them)")
	due := flag.Int("due", 10_000, "of which fall due on one day")
	creditProfile := flag.String("credit-cpuprofile", "", "write a CPU profile of the credit measurements (the days' sweeps, the repayment blocks) to this file")
	flag.Parse()
	if *blocks**blockTxs+*checkTxs > *wallets {
		log.Fatalf("need at least blocks*block-txs+checktx = %d wallets so every sender is fresh", *blocks**blockTxs+*checkTxs)
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "ledgerd-bench-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(d)
		*dir = d
	}

	log.Printf("genesis with %d funded wallets, InitChain", *wallets)
	h := apptest.New(apptest.Panic{}, apptest.Options{
		Dir: *dir, Store: store.Options{CacheNodes: 500_000}, Wallets: *wallets, Balance: 100_000_000,
	})

	log.Printf("signing %d transfers", *blocks**blockTxs+*checkTxs)
	next := 0
	sign := func(n int) [][]byte {
		out := make([][]byte, n)
		for i := range out {
			to := apptest.Address(h.WalletKey((next + 1) % *wallets))
			out[i] = h.Sign(h.WalletKey(next), 0, apptest.Transfer(to, 100))
			next++
		}
		return out
	}
	var blockSets [][][]byte
	for range *blocks {
		blockSets = append(blockSets, sign(*blockTxs))
	}
	checkSet := sign(*checkTxs)

	log.Printf("running %d blocks of %d transfers", *blocks, *blockTxs)
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	var execs, commits []time.Duration
	var total time.Duration
	failed := 0
	for _, txs := range blockSets {
		t0 := time.Now()
		resp := h.FinalizeBlock(txs...)
		t1 := time.Now()
		h.Commit()
		t2 := time.Now()
		for _, r := range resp.TxResults {
			if r.Code != 0 {
				failed++
				if failed == 1 {
					log.Printf("first failure: %s/%d %s", r.Codespace, r.Code, r.Log)
				}
			}
		}
		execs, commits = append(execs, t1.Sub(t0)), append(commits, t2.Sub(t1))
		total += t2.Sub(t0)
	}

	t0 := time.Now()
	for _, tx := range checkSet {
		if r := h.CheckTx(tx); r.Code != 0 {
			log.Fatalf("CheckTx rejected a valid transfer: %s", r.Log)
		}
	}
	checkDur := time.Since(t0)

	r := result{
		Wallets: *wallets, BlockTxs: *blockTxs, Blocks: *blocks, Cores: runtime.NumCPU(), Secp256k1: backend,
		TransfersPerSec: float64(*blocks**blockTxs) / total.Seconds(),
		ExecP50Ms:       ms(percentile(execs, 50)), ExecP99Ms: ms(percentile(execs, 99)),
		CommitP50Ms: ms(percentile(commits, 50)), CommitP99Ms: ms(percentile(commits, 99)),
		CheckTxPerSec: float64(*checkTxs) / checkDur.Seconds(), Failed: failed,
	}
	h.Close()
	if *loans > 0 {
		if *blocks == 0 {
			log.Print("skipping the transfers")
		}
		cdir, err := os.MkdirTemp("", "ledgerd-bench-credit-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(cdir)
		c := benchCredit(cdir, *loans, *due, *blockTxs, *creditProfile)
		r.Credit = &c
	}
	if *asJSON {
		json.NewEncoder(os.Stdout).Encode(r)
	} else {
		fmt.Printf("ledgerd-bench: %d wallets, %d blocks x %d transfers, %d cores, secp256k1 %s\n",
			r.Wallets, r.Blocks, r.BlockTxs, r.Cores, r.Secp256k1)
		fmt.Printf("  transfers/s      %8.0f  (FinalizeBlock + Commit, %d failed)\n", r.TransfersPerSec, r.Failed)
		fmt.Printf("  block exec  p50 %7.1f ms   p99 %7.1f ms\n", r.ExecP50Ms, r.ExecP99Ms)
		fmt.Printf("  commit      p50 %7.1f ms   p99 %7.1f ms\n", r.CommitP50Ms, r.CommitP99Ms)
		fmt.Printf("  CheckTx/s        %8.0f  (one connection, signature verified)\n", r.CheckTxPerSec)
		if r.Credit != nil {
			printCredit(*r.Credit, r.BlockTxs)
		}
	}
	if failed > 0 {
		os.Exit(1)
	}
}

func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
