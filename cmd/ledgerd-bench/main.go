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
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	rtrace "runtime/trace"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/ledgerd/ledgerd/app/apptest"
	"github.com/ledgerd/ledgerd/node"
	"github.com/ledgerd/ledgerd/node/hugeheap"
	"github.com/ledgerd/ledgerd/node/pretouch"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/store/badgerdb"
)

type result struct {
	Wallets         int     `json:"wallets"`
	BlockTxs        int     `json:"block_txs"`
	Blocks          int     `json:"blocks"`
	Cores           int     `json:"cores"`
	Secp256k1       string  `json:"secp256k1"`
	TransfersPerSec float64 `json:"transfers_per_sec"`
	ExecP50Ms       float64 `json:"exec_p50_ms"`
	ExecP99Ms       float64 `json:"exec_p99_ms"`
	CommitP50Ms     float64 `json:"commit_p50_ms"`
	CommitP99Ms     float64 `json:"commit_p99_ms"`
	// BlockP50Ms and BlockP99Ms are of execution and commit together.
	BlockP50Ms float64 `json:"block_p50_ms"`
	BlockP99Ms float64 `json:"block_p99_ms"`
	// GCCycles is the collector's cycles during the measured blocks, and
	// GCCPUMsPer1k its CPU time then (Go's estimate) per 1,000 transfers.
	GCCycles     int     `json:"gc_cycles"`
	GCCPUMsPer1k float64 `json:"gc_cpu_ms_per_1k_transfers"`
	// AllocKiBPerTx and AllocsPerTx are the heap allocations of the
	// measured blocks per transfer: what sets how often the collector runs.
	AllocKiBPerTx float64 `json:"alloc_kib_per_transfer"`
	AllocsPerTx   float64 `json:"allocs_per_transfer"`
	CheckTxPerSec float64 `json:"checktx_per_sec"`
	Failed        int     `json:"failed_txs"`
	// GenesisBuildSec is the harness deriving the wallets' keys and
	// building the genesis document; GenesisSec is the node's part:
	// InitChain (decoding it and writing every wallet) and the first commit.
	GenesisBuildSec float64 `json:"genesis_build_sec"`
	GenesisSec      float64 `json:"genesis_sec"`
	// RefWallets and RefTransfersPerSec: the same blocks at RefWallets
	// (-ref-wallets), for the ratio of scale.
	RefWallets         int     `json:"ref_wallets,omitempty"`
	RefTransfersPerSec float64 `json:"ref_transfers_per_sec,omitempty"`
	RefRecoverUsBefore float64 `json:"ref_recover_us_before,omitempty"`
	RefRecoverUsAfter  float64 `json:"ref_recover_us_after,omitempty"`
	// RecoverUsBefore and RecoverUsAfter are the cost of one signature
	// recovery on one core just before and just after the blocks
	// (recoveryCost): the machine's speed in those minutes, beside which
	// the rate is read.
	RecoverUsBefore float64 `json:"recover_us_before"`
	RecoverUsAfter  float64 `json:"recover_us_after"`
	// NewMemoryGBps is how fast 64 MiB of memory just mapped was first
	// touched, before the blocks (newMemoryGBps): what new memory costs on
	// the machine, as the recovery times its CPU.
	NewMemoryGBps float64 `json:"new_memory_gb_per_sec"`
	// SystemMsPer1k is the part of CPUMsPer1k spent in the kernel (page
	// faults, file writes and syncs), and FaultsPerBlock the
	// page faults of an average measured block.
	SystemMsPer1k  float64 `json:"system_cpu_ms_per_1k_transfers"`
	FaultsPerBlock float64 `json:"page_faults_per_block"`
	// HeapGrewMiB is the memory the Go runtime took from the kernel
	// during the blocks (the heap growing as the caches and the collector's
	// goal grow), each page of it touched for the first time.
	HeapGrewMiB float64 `json:"heap_grew_mib"`
	// PeakRSSMiB is the process's peak resident set (getrusage), which
	// includes the harness's signed transactions and keys.
	PeakRSSMiB float64 `json:"peak_rss_mib"`
	// PeakAnonMiB and PeakFileMiB are the peaks of its two parts, sampled
	// every 50 ms (see resident): the anonymous part is what a memory
	// limit (memory_limit_mb, GOMEMLIMIT) bounds; the file-backed part is chiefly
	// Badger's mapped files, which grow with the database and which
	// the kernel can reclaim under pressure.
	PeakAnonMiB float64 `json:"peak_anon_mib"`
	PeakFileMiB float64 `json:"peak_file_mib"`
	// EncodedHits and EncodedMisses are the node-cache misses during the
	// measured blocks that the encoded node cache answered and did not;
	// EncodedMiB is the memory its entries took at the end (its index not
	// counted), EncodedNodes the nodes they were.
	EncodedHits   uint64  `json:"encoded_cache_hits"`
	EncodedMisses uint64  `json:"encoded_cache_misses"`
	EncodedMiB    float64 `json:"encoded_cache_mib"`
	EncodedNodes  uint64  `json:"encoded_cache_nodes"`
	// BadgerWrittenMiB is what the blocks wrote to Badger (the entries put
	// into its memtables: the trees' metadata, not their nodes),
	// BadgerCompactedMiB what Badger's compactions that
	// finished during the blocks wrote again (badgerWrites).
	BadgerWrittenMiB   float64 `json:"badger_written_mib"`
	BadgerCompactedMiB float64 `json:"badger_compacted_mib"`
	// NodeLogAppendedMiB is what the blocks appended to the node log,
	// NodeLogCopiedMiB the part of it its compaction copied forward;
	// NodeLogMiB and NodeLogLiveMiB its size and its live records' at the
	// end.
	NodeLogAppendedMiB float64 `json:"node_log_appended_mib"`
	NodeLogCopiedMiB   float64 `json:"node_log_copied_mib"`
	NodeLogMiB         float64 `json:"node_log_mib"`
	NodeLogLiveMiB     float64 `json:"node_log_live_mib"`
	// NodeLogNodesPerTransfer is how many nodes the log's index gained
	// per transfer in the blocks (each costs the index 12 bytes or more).
	NodeLogNodesPerTransfer float64 `json:"node_log_nodes_per_transfer"`
	// HugePagesMiB is the heap advised to use transparent huge pages
	// (-heap-huge-pages; 0 when off or where the kernel's mode made it
	// moot), and THPMode that mode.
	HugePagesMiB int64  `json:"heap_huge_pages_mib"`
	THPMode      string `json:"thp_mode"`
	// PretouchMiB is the heap faulted in after genesis, before the blocks,
	// as a node does before consensus (-heap-pretouch, app.heap_pretouch),
	// and PretouchSec how long that took.
	PretouchMiB int64   `json:"heap_pretouch_mib"`
	PretouchSec float64 `json:"heap_pretouch_sec"`
	// KeepRecent is the node's store.keep_recent (-keep-recent), and
	// Nodes where its trees' nodes went (nodesInLog or nodesInBadger).
	KeepRecent int64  `json:"keep_recent"`
	Nodes      string `json:"nodes"`
	// CPUMsPer1k is the process's CPU time (user and system, every
	// thread) per 1,000 transfers over the measured blocks: on a machine
	// shared with other work it varies far less than the rate does.
	CPUMsPer1k float64 `json:"cpu_ms_per_1k_transfers"`
	// ExecCores and CommitCores are the process's CPU time during
	// FinalizeBlock and during Commit over their wall time, summed over
	// the measured blocks: the cores each phase kept busy, so that what is
	// left of Cores is what a change spreading that phase's work (parallel
	// execution, a commit behind the next block) could use. Background work
	// (Badger's compactions, the collector) counts in the phase it ran in.
	ExecCores   float64        `json:"exec_cores_busy"`
	CommitCores float64        `json:"commit_cores_busy"`
	Credit      *creditResult  `json:"credit,omitempty"`
	Collect     *collectResult `json:"collect,omitempty"`
}

// benchKeepRecent is the versions the bench's node keeps by default: a
// validator's pruning, which puts the trees' nodes in the node log.
const benchKeepRecent = 100

func main() {
	wallets := flag.Int("wallets", 100_000, "funded wallets in genesis")
	blockTxs := flag.Int("block-txs", 2000, "transfers per block")
	blocks := flag.Int("blocks", 20, "blocks measured")
	checkTxs := flag.Int("checktx", 10_000, "transactions for the CheckTx measurement")
	dir := flag.String("dir", "", "database directory (default: a temporary one, removed after)")
	asJSON := flag.Bool("json", false, "print the figures as JSON")
	trace := flag.Bool("trace", false, "log each measured block's execution and commit time, with the collector's work during it")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the measured blocks to this file")
	execTrace := flag.String("exectrace", "", "write a Go execution trace of the measured blocks to this file (go tool trace; -pprof=sched shows where goroutines waited for a core)")
	memProfile := flag.String("memprofile", "", "write an allocation profile to this file after the measured blocks (allocations since the start, genesis included), and one as of their start to FILE.base (after a collection), sampled more finely from then on: go tool pprof -base FILE.base FILE shows the blocks' allocations alone")
	genesisProfile := flag.String("genesis-cpuprofile", "", "write a CPU profile of InitChain to this file")
	loans := flag.Int("loans", 100_000, "open loans for the credit figures (0: skip them)")
	due := flag.Int("due", 10_000, "of which fall due on one day")
	collectLoans := flag.Int("collect-loans", 100_000, "delinquent loans for the collection figures (0: skip them)")
	collectProfile := flag.String("collect-cpuprofile", "", "write a CPU profile of the collection stage day to this file")
	collectMoving := flag.Int("collect-moving", 10_000, "of which change collection stage on one day")
	creditProfile := flag.String("credit-cpuprofile", "", "write a CPU profile of the credit measurements (the days' sweeps, the repayment blocks) to this file")
	refWallets := flag.Int("ref-wallets", 100_000, "with -wallets other than this, also measure the transfers at this many wallets (in a child process, so that the peak RSS stays this run's) and print the ratio; 0: do not")
	iavlCache := flag.Int("iavl-cache", 0, "IAVL node cache per tree, in nodes (0: the node's default)")
	encodedCache := flag.Int("encoded-cache-mb", -1, "IAVL encoded node cache shared by the trees, in MiB (-1: the node's default; 0: none)")
	badgerCache := flag.Int("badger-cache-mb", 0, "Badger block cache in MiB (0: the node's default)")
	memTableMB := flag.Int("memtable-mb", 0, "Badger memtable size in MiB (0: the default)")
	badgerLog := flag.Bool("badger-log", false, "log Badger's warnings and information to stderr, among them each compaction that took over 2 s (its levels, tables in and out, time)")
	walletsFile := flag.Bool("wallets-file", true, "write the genesis wallets to a wallets file the genesis names (app_state.wallet.wallets_file), as a migration of many wallets would; false lists them in the genesis document, which the node keeps in memory")
	hugePages := flag.Bool("heap-huge-pages", node.DefaultConfig().App.HeapHugePages, "back the Go heap with transparent huge pages, as the node's app.heap_huge_pages does")
	heapPretouch := flag.Bool("heap-pretouch", node.DefaultConfig().App.HeapPretouch, "after genesis, fault in the heap the node grows into before its first collection, as the node's app.heap_pretouch does before consensus")
	valueCache := flag.Int("value-cache", 0, "values read kept per module tree (0: the node's default, store.value_cache_entries)")
	keepRecent := flag.Int64("keep-recent", benchKeepRecent, "state versions kept, as store.keep_recent: a node that prunes (any N > 0) keeps its trees' nodes in the node log; 0 measures an archive node, which keeps them in Badger")
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
	stopResident := sampleResident(50 * time.Millisecond)
	g0 := time.Now()
	// The node's settings: its Go runtime tuning and store options.
	rc := node.DefaultConfig().App
	rc.HeapHugePages = *hugePages
	advised, err := rc.ApplyRuntime()
	if err != nil {
		log.Fatal(err)
	}
	sc := node.DefaultConfig().Store
	sc.KeepRecent = *keepRecent
	so := sc.Options(*dir)
	if *iavlCache > 0 {
		so.CacheNodes = *iavlCache
	}
	if *encodedCache >= 0 {
		so.EncodedCacheMB = *encodedCache
	}
	if *badgerCache > 0 {
		so.Badger.CacheSizeMB = *badgerCache
	}
	so.Badger.MemTableSize = int64(*memTableMB) << 20
	if *badgerLog {
		so.Badger.Logger = badgerdb.Logger(log.New(os.Stderr, "badger: ", log.LstdFlags), true)
	}
	if *valueCache > 0 {
		so.ValueCacheEntries = *valueCache
	}
	opts := apptest.Options{Dir: *dir, Store: so, Wallets: *wallets, Balance: 100_000_000}
	if *walletsFile {
		// In a directory of its own, as a node's genesis.json is in config/.
		genesisDir, err := os.MkdirTemp("", "ledgerd-bench-genesis-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(genesisDir)
		opts.WalletsFile = filepath.Join(genesisDir, "wallets.jsonl")
	}
	opts.Genesis = apptest.BuildGenesis(opts)
	appState, err := opts.Genesis.JSON()
	if err != nil {
		log.Fatal(err)
	}
	opts.AppState = appState
	buildDur := time.Since(g0)
	stopGenesisProfile := startProfile(*genesisProfile)
	g1 := time.Now()
	h := apptest.New(apptest.Panic{}, opts)
	// The decoded document is the harness's, not the node's: the node gets
	// the JSON, which it keeps (appState stays referenced to the end).
	h.DropGenesis()
	opts.Genesis = nil
	// Block 1, empty, commits the genesis state: writing every tree node
	// of it is genesis's cost, not the first measured block's.
	h.Block()
	genesisDur := time.Since(g1)
	stopGenesisProfile()
	log.Printf("genesis built in %.1f s, InitChain and first commit %.1f s", buildDur.Seconds(), genesisDur.Seconds())
	var touched pretouch.Result
	if *heapPretouch {
		// Where the node does it: after the handshake's InitChain.
		touched = pretouch.Heap()
		log.Printf("heap pretouched: %d MiB in %.1f s", touched.Touched>>20, touched.Took.Seconds())
	}

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

	recoverBefore := calibrate()
	newMemory := newMemoryGBps(64 << 20)
	if *memProfile != "" {
		runtime.MemProfileRate = 64 << 10
		// What the genesis and the signing allocated, for pprof -base
		// (after a collection, outside the CPU profile).
		writeHeapProfile(*memProfile + ".base")
	}
	log.Printf("running %d blocks of %d transfers", *blocks, *blockTxs)
	stopProfile := startProfile(*cpuProfile)
	stopTrace := startExecTrace(*execTrace)
	cpu0 := cpuTime()
	var execs, commits, wholes []time.Duration
	gc0 := readGC()
	gcBlock := gc0
	enc0 := h.Store.EncodedCacheStats()
	log0 := h.Store.NodeLogStats()
	written0, compacted0 := badgerWrites()
	compactedBlock := compacted0
	var total, execWall, commitWall, execCPU, commitCPU time.Duration
	var kernelCPU time.Duration // the blocks' system time
	var faults int64            // and their page faults
	failed := 0
	for i, txs := range blockSets {
		// The node has no use for a block's transactions once it has
		// executed them; neither does the harness, so that over many
		// blocks the heap measured is the node's.
		blockSets[i] = nil
		ru0 := readRusage()
		t0 := time.Now()
		resp := h.FinalizeBlock(txs...)
		t1 := time.Now()
		ru1 := readRusage()
		h.Commit()
		t2 := time.Now()
		ru2 := readRusage()
		execWall, commitWall = execWall+t1.Sub(t0), commitWall+t2.Sub(t1)
		execCPU, commitCPU = execCPU+ru1.since(ru0).cpu(), commitCPU+ru2.since(ru1).cpu()
		block := ru2.since(ru0)
		kernelCPU += block.system
		faults += block.minorFaults + block.majorFaults
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
		wholes = append(wholes, t2.Sub(t0))
		if *trace {
			g := readGC()
			ru := ru2.since(ru0)
			_, compacted := badgerWrites()
			log.Printf("block %d: exec %v (CPU %v), commit %v (CPU %v); CPU user %v system %v, %d page faults; collector: %d cycles so far, %v of CPU in the cycles that ended in this block, live heap after the last cycle %d MiB, heap goal %d MiB; Badger compactions that ended in this block wrote %d MiB",
				len(execs), t1.Sub(t0).Round(time.Millisecond), ru1.since(ru0).cpu().Round(time.Millisecond),
				t2.Sub(t1).Round(time.Millisecond), ru2.since(ru1).cpu().Round(time.Millisecond),
				ru.user.Round(time.Millisecond), ru.system.Round(time.Millisecond), ru.minorFaults+ru.majorFaults,
				g.cycles, (g.cpu - gcBlock.cpu).Round(time.Millisecond), g.heapMiB, g.goalMiB, (compacted-compactedBlock)>>20)
			gcBlock, compactedBlock = g, compacted
		}
	}

	cpuUsed := cpuTime() - cpu0
	gc1 := readGC()
	enc1 := h.Store.EncodedCacheStats()
	log1 := h.Store.NodeLogStats()
	written1, compacted1 := badgerWrites()
	stopTrace()
	stopProfile()
	if *memProfile != "" {
		writeHeapProfile(*memProfile)
	}
	recoverAfter := calibrate()
	t0 := time.Now()
	for _, tx := range checkSet {
		if r := h.CheckTx(tx); r.Code != 0 {
			log.Fatalf("CheckTx rejected a valid transfer: %s", r.Log)
		}
	}
	checkDur := time.Since(t0)
	peakParts := stopResident()

	h.Close()
	runtime.KeepAlive(appState)
	var ref *result
	if *refWallets > 0 && *refWallets != *wallets {
		ref = measureReference(*refWallets, *blockTxs, *blocks, *checkTxs, *keepRecent, *hugePages, *heapPretouch)
	}
	r := result{
		Wallets: *wallets, BlockTxs: *blockTxs, Blocks: *blocks, Cores: runtime.NumCPU(), Secp256k1: backend,
		TransfersPerSec: float64(*blocks**blockTxs) / total.Seconds(),
		ExecP50Ms:       ms(percentile(execs, 50)), ExecP99Ms: ms(percentile(execs, 99)),
		CommitP50Ms: ms(percentile(commits, 50)), CommitP99Ms: ms(percentile(commits, 99)),
		BlockP50Ms: ms(percentile(wholes, 50)), BlockP99Ms: ms(percentile(wholes, 99)),
		AllocKiBPerTx: float64(gc1.allocBytes-gc0.allocBytes) / 1024 / float64(max(*blocks**blockTxs, 1)),
		AllocsPerTx:   float64(gc1.allocObjects-gc0.allocObjects) / float64(max(*blocks**blockTxs, 1)),
		GCCycles:      int(gc1.cycles - gc0.cycles), GCCPUMsPer1k: ms(gc1.cpu-gc0.cpu) * 1000 / float64(max(*blocks**blockTxs, 1)),
		CheckTxPerSec: float64(*checkTxs) / checkDur.Seconds(), Failed: failed,
		GenesisBuildSec: buildDur.Seconds(), GenesisSec: genesisDur.Seconds(), PeakRSSMiB: peakRSSMiB(),
		PeakAnonMiB: peakParts.anon, PeakFileMiB: peakParts.file,
		EncodedHits: enc1.Hits - enc0.Hits, EncodedMisses: enc1.Misses - enc0.Misses, EncodedMiB: float64(enc1.Bytes) / (1 << 20),
		EncodedNodes:     enc1.Entries,
		BadgerWrittenMiB: float64(written1-written0) / (1 << 20), BadgerCompactedMiB: float64(compacted1-compacted0) / (1 << 20),
		NodeLogAppendedMiB: mib(log1.Appended - log0.Appended), NodeLogCopiedMiB: mib(log1.Copied - log0.Copied),
		NodeLogMiB: mib(log1.Bytes), NodeLogLiveMiB: mib(log1.LiveBytes),
		NodeLogNodesPerTransfer: float64(log1.LiveRecords-log0.LiveRecords) / float64(*blocks**blockTxs),
		CPUMsPer1k:              ms(cpuUsed) * 1000 / float64(max(*blocks**blockTxs, 1)),
		ExecCores:               coresBusy(execCPU, execWall), CommitCores: coresBusy(commitCPU, commitWall),
		HugePagesMiB: advised >> 20, THPMode: hugeheap.Mode(), PretouchMiB: touched.Touched >> 20, PretouchSec: touched.Took.Seconds(), KeepRecent: *keepRecent, Nodes: nodesPlace(so),
		RecoverUsBefore: recoverBefore, RecoverUsAfter: recoverAfter, NewMemoryGBps: newMemory,
		SystemMsPer1k:  ms(kernelCPU) * 1000 / float64(max(*blocks**blockTxs, 1)),
		FaultsPerBlock: float64(faults) / float64(max(*blocks, 1)),
		HeapGrewMiB:    (float64(gc1.residentBytes) - float64(gc0.residentBytes)) / (1 << 20),
	}
	if ref != nil {
		r.RefWallets, r.RefTransfersPerSec = *refWallets, ref.TransfersPerSec
		r.RefRecoverUsBefore, r.RefRecoverUsAfter = ref.RecoverUsBefore, ref.RecoverUsAfter
	}
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
	if *collectLoans > 0 {
		cdir, err := os.MkdirTemp("", "ledgerd-bench-collect-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(cdir)
		c := benchCollect(cdir, *collectLoans, *collectMoving, *blockTxs, *collectProfile)
		r.Collect = &c
	}
	if *asJSON {
		json.NewEncoder(os.Stdout).Encode(r)
	} else {
		fmt.Printf("ledgerd-bench: %d wallets, %d blocks x %d transfers, %d cores, secp256k1 %s, keep_recent %d (nodes in %s)\n",
			r.Wallets, r.Blocks, r.BlockTxs, r.Cores, r.Secp256k1, r.KeepRecent, r.Nodes)
		fmt.Printf("  transfers/s      %8.0f  (FinalizeBlock + Commit, %d failed)\n", r.TransfersPerSec, r.Failed)
		fmt.Printf("  CPU per 1k       %8.1f ms (user+system, all threads; %d cores give at most %.0f transfers/s at this cost)\n",
			r.CPUMsPer1k, r.Cores, float64(r.Cores)*1e6/r.CPUMsPer1k)
		fmt.Printf("  recovery         %8.1f µs before the blocks, %.1f after (one signature on one core: the machine's speed then; CPU per transfer is %.1f recoveries)\n",
			r.RecoverUsBefore, r.RecoverUsAfter, r.CPUMsPer1k/max((r.RecoverUsBefore+r.RecoverUsAfter)/2, 0.001))
		fmt.Printf("  kernel           %8.1f ms of it in the kernel (%.0f%%: page faults, file writes and syncs), %.0f page faults a block\n",
			r.SystemMsPer1k, 100*r.SystemMsPer1k/max(r.CPUMsPer1k, 0.001), r.FaultsPerBlock)
		fmt.Printf("  new memory       %8.1f GB/s first touched (64 MiB mapped before the blocks: the machine's speed for it); the Go heap's memory changed by %+.0f MiB in the blocks\n",
			r.NewMemoryGBps, r.HeapGrewMiB)
		fmt.Printf("  cores busy       %8.2f of %d in execution, %.2f in commit (CPU time over wall time in each)\n",
			r.ExecCores, r.Cores, r.CommitCores)
		fmt.Printf("  block exec  p50 %7.1f ms   p99 %7.1f ms\n", r.ExecP50Ms, r.ExecP99Ms)
		fmt.Printf("  commit      p50 %7.1f ms   p99 %7.1f ms\n", r.CommitP50Ms, r.CommitP99Ms)
		fmt.Printf("  block       p50 %7.1f ms   p99 %7.1f ms   (execution and commit; p99 is %.1f x p50)\n",
			r.BlockP50Ms, r.BlockP99Ms, r.BlockP99Ms/max(r.BlockP50Ms, 0.001))
		fmt.Printf("  collector     %8d cycles during the blocks, %.1f ms of CPU per 1k transfers (%.0f%% of the CPU)\n",
			r.GCCycles, r.GCCPUMsPer1k, 100*r.GCCPUMsPer1k/max(r.CPUMsPer1k, 0.001))
		fmt.Printf("  allocated     %8.1f KiB and %.0f objects per transfer (heap allocations during the blocks)\n",
			r.AllocKiBPerTx, r.AllocsPerTx)
		fmt.Printf("  CheckTx/s        %8.0f  (one connection, signature verified)\n", r.CheckTxPerSec)
		fmt.Printf("  genesis          %8.1f s  (InitChain and first commit; building the document %.1f s)\n", r.GenesisSec, r.GenesisBuildSec)
		fmt.Printf("  peak RSS         %8.0f MiB (whole process, after the transfers and CheckTx)\n", r.PeakRSSMiB)
		fmt.Printf("    of which at most %5.0f MiB anonymous (Go heap with the harness's transactions; what a memory limit bounds)\n", r.PeakAnonMiB)
		fmt.Printf("    and at most      %5.0f MiB file-backed (the binary and Badger's mapped files: page cache the kernel can reclaim)\n", r.PeakFileMiB)
		if so.EncodedCacheMB > 0 {
			fmt.Printf("  encoded nodes    %8.0f MiB holding %d nodes; of the node cache's misses in the blocks, %d answered from it, %d read from disk\n",
				r.EncodedMiB, r.EncodedNodes, r.EncodedHits, r.EncodedMisses)
		} else {
			fmt.Printf("  encoded nodes        none (-encoded-cache-mb 0)\n")
		}
		fmt.Printf("  badger writes    %8.0f MiB in the blocks; compactions wrote %.0f MiB again (%.1f x)\n",
			r.BadgerWrittenMiB, r.BadgerCompactedMiB, r.BadgerCompactedMiB/max(r.BadgerWrittenMiB, 1))
		if r.Nodes == nodesInLog {
			fmt.Printf("  node log         %8.0f MiB appended in the blocks (%.0f MiB of it compaction's copies); %.0f MiB at the end, %.0f MiB of it live; %+.1f nodes in its index per transfer\n",
				r.NodeLogAppendedMiB, r.NodeLogCopiedMiB, r.NodeLogMiB, r.NodeLogLiveMiB, r.NodeLogNodesPerTransfer)
		}
		fmt.Printf("  heap huge pages  %8d MiB advised (transparent huge pages: %s)\n", r.HugePagesMiB, cmp.Or(r.THPMode, "none"))
		if *heapPretouch {
			fmt.Printf("  heap pretouch    %8d MiB faulted in after genesis in %.1f s, as a node does before consensus (-heap-pretouch=false: not)\n", r.PretouchMiB, r.PretouchSec)
		} else {
			fmt.Printf("  heap pretouch        none (-heap-pretouch=false): the blocks fault in the heap they grow into\n")
		}
		if ref != nil {
			fmt.Printf("  at %d wallets %8.0f  transfers/s (same blocks, child process, recovery %.1f-%.1f µs): %d wallets run at %.0f%% of it\n",
				*refWallets, ref.TransfersPerSec, ref.RecoverUsBefore, ref.RecoverUsAfter, r.Wallets, 100*r.TransfersPerSec/ref.TransfersPerSec)
		}
		if r.Credit != nil {
			printCredit(*r.Credit, r.BlockTxs)
		}
		if r.Collect != nil {
			printCollect(*r.Collect, r.BlockTxs)
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

// startProfile starts a CPU profile written to path (none if empty) and
// returns the function that stops it.
func startProfile(path string) func() {
	return startRecording(path, pprof.StartCPUProfile, pprof.StopCPUProfile)
}

// startExecTrace starts a Go execution trace written to path (none if
// empty) and returns the function that stops it.
func startExecTrace(path string) func() {
	return startRecording(path, rtrace.Start, rtrace.Stop)
}

// startRecording creates path and starts a recording into it (nothing if
// path is empty); the function it returns stops the recording and closes
// the file.
func startRecording(path string, start func(io.Writer) error, stop func()) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := start(f); err != nil {
		log.Fatal(err)
	}
	return func() {
		stop()
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
	}
}

func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	// A heap profile is as of the last completed collection: without one
	// now, the allocations since (the measured blocks') would be missing.
	runtime.GC()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		log.Fatal(err)
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration { return readRusage().cpu() }

// gcReading is the Go collector's state at one moment.
type gcReading struct {
	cycles  uint64
	cpu     time.Duration // the runtime's estimate of the CPU the collector used so far
	heapMiB uint64
	goalMiB uint64 // the heap size at which the next cycle starts
	// allocBytes and allocObjects count every heap allocation so far.
	allocBytes, allocObjects uint64
	// residentBytes is the memory the runtime has mapped and not released
	// to the kernel: what grows when the heap takes new memory.
	residentBytes uint64
}

var gcMetrics = []metrics.Sample{
	{Name: "/gc/cycles/total:gc-cycles"},
	{Name: "/cpu/classes/gc/total:cpu-seconds"},
	{Name: "/gc/heap/live:bytes"},
	{Name: "/gc/heap/allocs:bytes"},
	{Name: "/gc/heap/allocs:objects"},
	{Name: "/gc/heap/goal:bytes"},
	{Name: "/memory/classes/total:bytes"},
	{Name: "/memory/classes/heap/released:bytes"},
}

func readGC() gcReading {
	metrics.Read(gcMetrics)
	return gcReading{
		cycles:     gcMetrics[0].Value.Uint64(),
		cpu:        time.Duration(gcMetrics[1].Value.Float64() * float64(time.Second)),
		heapMiB:    gcMetrics[2].Value.Uint64() >> 20,
		allocBytes: gcMetrics[3].Value.Uint64(), allocObjects: gcMetrics[4].Value.Uint64(),
		goalMiB:       gcMetrics[5].Value.Uint64() >> 20,
		residentBytes: gcMetrics[6].Value.Uint64() - gcMetrics[7].Value.Uint64(),
	}
}

// rusage is the process's CPU time and page faults so far.
type rusage struct {
	user, system             time.Duration
	minorFaults, majorFaults int64
}

func readRusage() rusage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return rusage{}
	}
	return rusage{time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano()), ru.Minflt, ru.Majflt}
}

// since is the CPU time and page faults between before and r.
func (r rusage) since(before rusage) rusage {
	return rusage{r.user - before.user, r.system - before.system,
		r.minorFaults - before.minorFaults, r.majorFaults - before.majorFaults}
}

// cpu is r's user and system CPU time together.
func (r rusage) cpu() time.Duration { return r.user + r.system }

// coresBusy is cpu over wall: the cores kept busy on average (0 for no
// time).
func coresBusy(cpu, wall time.Duration) float64 {
	if wall <= 0 {
		return 0
	}
	return cpu.Seconds() / wall.Seconds()
}

// peakRSSMiB is the process's peak resident set size so far.
func peakRSSMiB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // KiB on Linux
}

// measureReference runs the transfers alone at wallets in a child process
// of this binary and returns its figures.
func measureReference(wallets, blockTxs, blocks, checkTxs int, keepRecent int64, hugePages, heapPretouch bool) *result {
	self, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("reference run at %d wallets", wallets)
	cmd := exec.Command(self, "-json", "-ref-wallets", "0", "-loans", "0", "-collect-loans", "0",
		"-wallets", strconv.Itoa(wallets), "-block-txs", strconv.Itoa(blockTxs),
		"-blocks", strconv.Itoa(blocks), "-checktx", strconv.Itoa(checkTxs),
		"-keep-recent", strconv.FormatInt(keepRecent, 10), "-heap-huge-pages="+strconv.FormatBool(hugePages),
		"-heap-pretouch="+strconv.FormatBool(heapPretouch))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		log.Fatalf("reference run: %v", err)
	}
	var ref result
	if err := json.Unmarshal(out, &ref); err != nil {
		log.Fatalf("reference run: %v", err)
	}
	return &ref
}

// mib converts bytes to MiB.
func mib(bytes int64) float64 { return float64(bytes) / (1 << 20) }

// Where the trees' nodes go (result.Nodes).
const (
	nodesInLog    = "the node log"
	nodesInBadger = "Badger"
)

// nodesPlace names where a store opened with so keeps its trees' nodes.
func nodesPlace(so store.Options) string {
	if so.NodesInBadger || so.InMemory {
		return nodesInBadger
	}
	return nodesInLog
}
