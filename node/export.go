package node

import (
	"fmt"
	"os"

	cmtcfg "github.com/cometbft/cometbft/config"
	sm "github.com/cometbft/cometbft/state"
	cmtstore "github.com/cometbft/cometbft/store"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/node/history"
	"github.com/ledgerd/ledgerd/store"
)

// ExportOptions selects what Export writes.
type ExportOptions struct {
	// Height to export; 0 is the last committed one. It must be kept
	// (store.keep_recent).
	Height int64
	// ChainID of the new genesis; empty keeps the exported chain's.
	ChainID string
}

// Export returns a genesis of the whole state of the stopped node at home
// at one height (app.ExportedState: every store key by key, and the
// history index's entries up to it): initial_height is the next height,
// genesis_time the exported block's time, the validators and consensus
// parameters those CometBFT holds for the next height. A chain started
// from it has exactly that state. The node must not be running (its
// databases are locked).
func Export(home string, cmt *cmtcfg.Config, c Config, o ExportOptions) (*cmttypes.GenesisDoc, error) {
	old, err := cmttypes.GenesisDocFromFile(cmt.GenesisFile())
	if err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	st, err := store.Open(c.Store.Options(StoreDir(home)), app.StoreNames)
	if err != nil {
		return nil, fmt.Errorf("open state store (is the node stopped?): %w", err)
	}
	defer st.Close()
	height := o.Height
	if height == 0 {
		height = st.LastCommit().Height
	}
	if last := st.LastCommit().Height; height < 1 || height > last {
		return nil, fmt.Errorf("export: height %d: the state is at %d", height, last)
	}
	var hist app.HistorySnapshots
	if c.History.Enabled {
		if _, err := os.Stat(HistoryDir(home, c)); err == nil {
			idx, err := history.Open(HistoryDir(home, c), nil)
			if err != nil {
				return nil, err
			}
			defer idx.Close()
			if idx.Watermark() < height {
				return nil, fmt.Errorf("export: the history index is at height %d, below %d: start the node once to catch it up, or export with history.enabled = false (the new chain's nodes then keep no index either)", idx.Watermark(), height)
			}
			hist = historySnapshots{idx}
		}
	}
	state, err := app.ExportState(st, old.ChainID, height, hist)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	appState, err := app.ExportedGenesis(state)
	if err != nil {
		return nil, err
	}

	bdb, err := cmtcfg.DefaultDBProvider(&cmtcfg.DBContext{ID: "blockstore", Config: cmt})
	if err != nil {
		return nil, fmt.Errorf("open CometBFT block store: %w", err)
	}
	bs := cmtstore.NewBlockStore(bdb)
	defer bs.Close()
	meta := bs.LoadBlockMeta(height)
	if meta == nil {
		return nil, fmt.Errorf("export: CometBFT has no block %d (its blocks start at %d)", height, bs.Base())
	}
	sdb, err := cmtcfg.DefaultDBProvider(&cmtcfg.DBContext{ID: "state", Config: cmt})
	if err != nil {
		return nil, fmt.Errorf("open CometBFT state store: %w", err)
	}
	ss := sm.NewStore(sdb, sm.StoreOptions{})
	defer ss.Close()
	vals, err := ss.LoadValidators(height + 1)
	if err != nil {
		return nil, fmt.Errorf("export: validators of height %d: %w", height+1, err)
	}
	params, err := ss.LoadConsensusParams(height + 1)
	if err != nil {
		return nil, fmt.Errorf("export: consensus parameters of height %d: %w", height+1, err)
	}
	doc := &cmttypes.GenesisDoc{
		GenesisTime:     meta.Header.Time,
		ChainID:         old.ChainID,
		InitialHeight:   height + 1,
		ConsensusParams: &params,
		AppState:        appState,
	}
	if o.ChainID != "" {
		doc.ChainID = o.ChainID
	}
	for _, v := range vals.Validators {
		doc.Validators = append(doc.Validators, cmttypes.GenesisValidator{Address: v.Address, PubKey: v.PubKey, Power: v.VotingPower})
	}
	if err := doc.ValidateAndComplete(); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return doc, nil
}
