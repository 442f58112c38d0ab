package node

import (
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtcfg "github.com/cometbft/cometbft/config"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	sm "github.com/cometbft/cometbft/state"
	blockindexer "github.com/cometbft/cometbft/state/indexer/block"
	"github.com/cometbft/cometbft/state/txindex"
	cmtstore "github.com/cometbft/cometbft/store"
	cmttypes "github.com/cometbft/cometbft/types"
)

// txIndexRecheckHeights is how many of the last stored heights
// repairTxIndex checks. CometBFT's indexer follows the event bus without a
// buffer, so it is at most a block behind when the process dies.
const txIndexRecheckHeights = 8

// repairTxIndex indexes again the last stored heights whose transactions
// or block events are missing from CometBFT's kv tx index, from the blocks
// and the stored FinalizeBlock results. CometBFT's IndexerService writes a
// block's transactions only once it has received all of them from the
// event bus, while a client's subscription already has them: a node killed
// in between would answer /tx "not found" for a transaction a client saw
// committed, and nothing indexes that height again. It runs before
// CometBFT opens the same databases, and closes them again. Heights without
// stored results (storage.discard_abci_responses, a state-synced node's
// first) are left as they are.
func repairTxIndex(cmt *cmtcfg.Config, chainID string, logger cmtlog.Logger) error {
	if cmt.TxIndex.Indexer != "kv" {
		return nil
	}
	var dbs cometDBs
	defer dbs.closeAll()
	bdb, err := dbs.open(&cmtcfg.DBContext{ID: "blockstore", Config: cmt})
	if err != nil {
		return fmt.Errorf("open CometBFT block store: %w", err)
	}
	blocks := cmtstore.NewBlockStore(bdb)
	sdb, err := dbs.open(&cmtcfg.DBContext{ID: "state", Config: cmt})
	if err != nil {
		return fmt.Errorf("open CometBFT state store: %w", err)
	}
	states := sm.NewStore(sdb, sm.StoreOptions{DiscardABCIResponses: cmt.Storage.DiscardABCIResponses})
	txs, heights, err := blockindexer.IndexerFromConfig(cmt, dbs.open, chainID)
	if err != nil {
		return fmt.Errorf("open CometBFT tx index: %w", err)
	}
	top := blocks.Height()
	for h := max(blocks.Base(), top-txIndexRecheckHeights+1, 1); h <= top; h++ {
		block := blocks.LoadBlock(h)
		resp, rerr := states.LoadFinalizeBlockResponse(h)
		if block == nil || rerr != nil || len(resp.TxResults) != len(block.Txs) {
			continue
		}
		complete, err := heights.Has(h)
		if err != nil {
			return fmt.Errorf("tx index, height %d: %w", h, err)
		}
		for i := 0; complete && i < len(block.Txs); i++ {
			r, err := txs.Get(block.Txs[i].Hash())
			if err != nil {
				return fmt.Errorf("tx index, height %d: %w", h, err)
			}
			complete = r != nil
		}
		if complete {
			continue
		}
		logger.Info("indexing again a height the tx index lost at the last stop", "module", "txindex", "height", h, "txs", len(block.Txs))
		if len(block.Txs) > 0 {
			batch := txindex.NewBatch(int64(len(block.Txs)))
			for i, tx := range block.Txs {
				if err := batch.Add(&abci.TxResult{Height: h, Index: uint32(i), Tx: tx, Result: *resp.TxResults[i]}); err != nil {
					return fmt.Errorf("tx index, height %d: %w", h, err)
				}
			}
			if err := txs.AddBatch(batch); err != nil {
				return fmt.Errorf("tx index, height %d: %w", h, err)
			}
		}
		events := cmttypes.EventDataNewBlockEvents{Height: h, Events: resp.Events, NumTxs: int64(len(block.Txs))}
		if err := heights.Index(events); err != nil {
			return fmt.Errorf("block index, height %d: %w", h, err)
		}
	}
	return nil
}
