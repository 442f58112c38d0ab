package app

import "runtime"

// Config holds the app's limits. They are node-local policy (mempool and
// proposal building), except MaxTxBytes and MaxBlockTxs, which every
// validator must agree on because ProcessProposal enforces them.
type Config struct {
	// ChainID is the CometBFT chain id, from the genesis file.
	ChainID string
	// MaxTxBytes caps one transaction's encoding.
	MaxTxBytes int
	// MaxBlockTxs caps the transactions in one block.
	MaxBlockTxs int
	// MaxPendingPerSigner caps one signer's transactions in the mempool.
	MaxPendingPerSigner int
	// SigCacheSize bounds the (tx hash -> signer) cache.
	SigCacheSize int
	// Workers recover signatures in parallel in FinalizeBlock; 0 means one
	// per core.
	Workers int
}

// DefaultConfig returns the defaults for chainID.
func DefaultConfig(chainID string) Config {
	return Config{
		ChainID:             chainID,
		MaxTxBytes:          4096,
		MaxBlockTxs:         5000,
		MaxPendingPerSigner: 64,
		SigCacheSize:        100_000,
		Workers:             runtime.NumCPU(),
	}
}
