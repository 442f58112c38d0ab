package app

import (
	"io/fs"
	"runtime"
	"time"

	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
)

// Config holds node-local policy: mempool admission and performance. Limits
// that decide results (transaction size, block size, validity window) are
// chain parameters in consensus state, never configuration.
type Config struct {
	// ChainID is the CometBFT chain id, from the genesis file.
	ChainID string
	// MaxPendingPerSigner caps one signer's transactions in the mempool.
	MaxPendingPerSigner int
	// SigCacheSize bounds the (tx hash -> signer) cache.
	SigCacheSize int
	// Mempool, when MaxTxs is positive, makes the app keep the node's
	// mempool itself, for CometBFT's mempool.type = "app" (MempoolConfig).
	Mempool MempoolConfig
	// CheckWorkers bounds the transactions CheckTx and InsertTx decode and
	// verify at once when the app keeps the mempool; 0 means half the
	// cores (at least one), leaving the rest to block execution.
	CheckWorkers int
	// Workers recover signatures in parallel in FinalizeBlock; 0 means one
	// per core.
	Workers int
	// History answers QueryHistory from the node's off-consensus history
	// index; nil means the index is off on this node.
	History HistoryIndex
	// Snapshots configures state-sync snapshots (SnapshotConfig).
	Snapshots SnapshotConfig
	// GenesisAppState and GenesisTime are the genesis file's: a node that
	// joins by state sync gets no InitChain, and its peer filter answers
	// from the genesis state until the snapshot is restored.
	GenesisAppState []byte
	GenesisTime     time.Time
	// GenesisFiles holds the files genesis sections name (the directory
	// of the genesis file): InitChain reads them. nil fails a genesis
	// that names one.
	GenesisFiles fs.FS
}

// MempoolConfig bounds the mempool the app keeps when CometBFT's
// mempool.type is "app". CometBFT then asks the app for a block's
// transactions (PrepareProposal, from the oldest pending), admits
// transactions from clients (CheckTx) and peers (InsertTx) without its
// own mempool lock, and gossips what the app hands it (ReapTxs). After
// each block the app drops the transactions the block included and
// checks the others again on the new state, without decoding or
// recovering a signature again. The zero value leaves the mempool to
// CometBFT (mempool.type = "flood"), which rechecks every pending
// transaction through CheckTx after each block.
type MempoolConfig struct {
	// MaxTxs and MaxBytes bound the pending transactions (mempool.size
	// and mempool.max_txs_bytes); MaxBytes 0 means no byte bound.
	MaxTxs   int
	MaxBytes int64
}

// HistoryIndex is the node's off-consensus index of history entries
// (package history). It must be safe for concurrent use.
type HistoryIndex interface {
	Query(req *historyv1.Request) (*historyv1.Entries, error)
	// Watermark is the last height whose entries are all indexed.
	Watermark() int64
}

// DefaultConfig returns the defaults for chainID.
func DefaultConfig(chainID string) Config {
	return Config{
		ChainID:             chainID,
		MaxPendingPerSigner: 64,
		SigCacheSize:        100_000,
		Workers:             runtime.NumCPU(),
	}
}
