package node

import (
	"fmt"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"

	"github.com/ledgerd/ledgerd/app"
)

// appMempool returns the app's mempool configuration for CometBFT's: with
// mempool.type = "app", the app keeps up to mempool.size transactions and
// mempool.max_txs_bytes of them; with "flood", CometBFT keeps them and the
// app keeps none. "nop" is refused: CometBFT would then neither hold nor
// gossip transactions, and ledgerd proposes only what a mempool holds.
func appMempool(cmt *cmtcfg.Config) (app.MempoolConfig, error) {
	switch cmt.Mempool.Type {
	case cmtcfg.MempoolTypeFlood:
		return app.MempoolConfig{}, nil
	case cmtcfg.MempoolTypeApp:
		if !cmt.Consensus.CreateEmptyBlocks && cmt.Consensus.CreateEmptyBlocksInterval == 0 {
			return app.MempoolConfig{}, fmt.Errorf(`mempool.type = "app" needs consensus.create_empty_blocks = true (or a create_empty_blocks_interval): CometBFT is not told when an app-kept mempool has transactions, so it would wait for them forever and make no block`)
		}
		if cmt.Mempool.Size < 1 {
			return app.MempoolConfig{}, fmt.Errorf("mempool.size %d: must be positive", cmt.Mempool.Size)
		}
		return app.MempoolConfig{MaxTxs: cmt.Mempool.Size, MaxBytes: cmt.Mempool.MaxTxsBytes}, nil
	default:
		return app.MempoolConfig{}, fmt.Errorf(`mempool.type %q: ledgerd runs with "app" (the app keeps the mempool, the default) or "flood" (CometBFT keeps it)`, cmt.Mempool.Type)
	}
}

// appMempoolRetryDelay is how long CometBFT's app mempool remembers a
// transaction the app refused before it checks the same bytes again
// (mempool.check_tx_retry_delay, CometBFT's default 5s). CometBFT's flood
// mempool forgets a refused transaction at once; a client that sends a
// refused payment again (its mempool was full, or its predecessor had not
// arrived yet) would otherwise be told "tx already seen" for 5 s.
const appMempoolRetryDelay = 10 * time.Millisecond

// SetMempool sets m for the mempool kind, "flood" (CometBFT keeps it; the
// default, also for "") or "app" (the app keeps it): what `ledgerd init
// --mempool` and `ledgerd testnet init --mempool` write. Measured on the
// 2-core test machine, "app" did not pay: see docs/operations.md.
func SetMempool(m *cmtcfg.MempoolConfig, kind string) error {
	switch kind {
	case cmtcfg.MempoolTypeApp:
		m.Type = cmtcfg.MempoolTypeApp
		m.CheckTxRetryDelay = appMempoolRetryDelay
	case "", cmtcfg.MempoolTypeFlood:
		m.Type = cmtcfg.MempoolTypeFlood
	default:
		return fmt.Errorf(`mempool %q: want "flood" (CometBFT keeps the mempool) or "app" (the app keeps it)`, kind)
	}
	return nil
}
