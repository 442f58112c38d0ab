package node

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	cmtcfg "github.com/cometbft/cometbft/config"
	cmtflags "github.com/cometbft/cometbft/libs/cli/flags"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	cmtnode "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	sm "github.com/cometbft/cometbft/state"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/viper"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/node/history"
	"github.com/ledgerd/ledgerd/node/hugeheap"
	"github.com/ledgerd/ledgerd/node/pretouch"
	"github.com/ledgerd/ledgerd/store"
)

// Node is a running ledgerd node: CometBFT in-process around the app.
type Node struct {
	cmt     *cmtnode.Node
	app     *app.App
	store   *store.Store
	history *history.Index    // nil when history.enabled = false
	record  *history.Recorder // feeds history; nil with it
	dbs     *cometDBs
	signer  *remoteSigner // nil with a local key file
	upgrade *upgradeWatch
}

// LoadCometConfig reads <home>/config/config.toml.
func LoadCometConfig(home string) (*cmtcfg.Config, error) {
	cfg := cmtcfg.DefaultConfig()
	v := viper.New()
	v.SetConfigFile(filepath.Join(home, "config", "config.toml"))
	if err := v.ReadInConfig(); err != nil {
		return nil, fmt.Errorf("read CometBFT config (run `ledgerd init` first?): %w", err)
	}
	if err := v.Unmarshal(cfg); err != nil {
		return nil, fmt.Errorf("parse CometBFT config: %w", err)
	}
	cfg.SetRoot(home)
	if err := cfg.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("CometBFT config: %w", err)
	}
	return cfg, nil
}

// StoreDir is where a home's state store lives.
func StoreDir(home string) string { return filepath.Join(home, "data", "ledgerd.db") }

// New opens the store, the history index (unless c.History.Enabled is
// false) and the app, and builds (but does not start) the CometBFT node,
// whose handshake replays any blocks the app lacks. cmt is CometBFT's
// configuration (LoadCometConfig, plus any overrides); c is ledgerd's.
//
// A history index behind the app's last commit is first caught up from
// CometBFT's stored FinalizeBlock responses; if they are not there
// (storage.discard_abci_responses, or a state-synced node), New fails and
// says what the operator can do.
//
// The validator key is the home's key file, or, with a signer listen address
// (SignerListenAddr), a remote signer, which New waits for (see
// openPrivValidator).
func New(home string, cmt *cmtcfg.Config, c Config) (*Node, error) {
	return NewContext(context.Background(), home, cmt, c)
}

// NewContext is New, giving up waiting for a remote signer when ctx ends.
func NewContext(ctx context.Context, home string, cmt *cmtcfg.Config, c Config) (_ *Node, err error) {
	logger, err := newLogger(cmt)
	if err != nil {
		return nil, err
	}
	for _, w := range RPCWarnings(cmt.RPC) {
		logger.Error("RPC setting unsafe for production", "problem", w)
	}
	genDoc, err := cmttypes.GenesisDocFromFile(cmt.GenesisFile())
	if err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	if err := repairTxIndex(cmt, genDoc.ChainID, logger); err != nil {
		return nil, err
	}
	// advised_mib is 0 where the THP mode is "always" (the heap has huge
	// pages without advice) or "never" (it cannot have them).
	switch advised, err := c.App.ApplyRuntime(); {
	case err != nil:
		logger.Error("Go heap: huge pages not advised on all of it, the rest stays on 4 KiB pages",
			"advised_mib", advised>>20, "thp_mode", hugeheap.Mode(), "err", err)
	case c.App.HeapHugePages:
		logger.Info("Go heap huge pages", "advised_mib", advised>>20, "thp_mode", hugeheap.Mode())
	}
	so := c.Store.Options(StoreDir(home))
	so.Badger.Logger = newBadgerLogger(logger, "state")
	st, err := store.Open(so, app.StoreNames)
	if err != nil {
		return nil, fmt.Errorf("open state store: %w", err)
	}
	var (
		idx    *history.Index
		record *history.Recorder
	)
	defer func() {
		if err != nil {
			if record != nil {
				record.Close()
			}
			if idx != nil {
				idx.Close()
			}
			st.Close()
		}
	}()
	appCfg := app.DefaultConfig(genDoc.ChainID)
	appCfg.MaxPendingPerSigner, appCfg.SigCacheSize = c.App.MaxPendingPerSigner, c.App.SigCacheSize
	if appCfg.Mempool, err = appMempool(cmt); err != nil {
		return nil, err
	}
	if c.History.Enabled {
		if idx, err = openHistory(HistoryDir(home, c), genDoc.ChainID, cmt, st.LastCommit().Height, logger); err != nil {
			return nil, err
		}
		appCfg.History = idx
	}
	appCfg.Snapshots = snapshotConfig(home, c, idx, logger)
	appCfg.GenesisAppState, appCfg.GenesisTime = genDoc.AppState, genDoc.GenesisTime
	appCfg.GenesisFiles = GenesisFiles(cmt.GenesisFile())
	a, err := app.New(appCfg, st)
	if err != nil {
		return nil, err
	}

	cmt.Instrumentation.Prometheus = c.Metrics.Enabled
	cmt.Instrumentation.PrometheusListenAddr = c.Metrics.Listen
	var abciApp = app.Application(a)
	if c.Metrics.Enabled {
		abciApp = instrumented{Application: abciApp, m: NewMetrics(prometheus.DefaultRegisterer, genDoc.ChainID)}
		RegisterStoreMetrics(prometheus.DefaultRegisterer, genDoc.ChainID, st)
	}
	if idx != nil {
		// Outermost, so that the metrics time the app alone.
		record = history.Record(abciApp, idx, logger.With("module", "history"))
		abciApp = record
	}
	watch := newUpgradeWatch(abciApp, logger.With("module", "upgrade"))
	abciApp = watch

	nodeKey, err := p2p.LoadNodeKey(cmt.NodeKeyFile())
	if err != nil {
		return nil, fmt.Errorf("node key: %w", err)
	}
	pv, err := openPrivValidator(ctx, cmt, c, genDoc.ChainID, nodeKey, logger)
	if err != nil {
		return nil, err
	}
	rs, _ := pv.(*remoteSigner)
	if rs != nil {
		defer func() {
			if err != nil {
				rs.Close()
			}
		}()
		// CometBFT would otherwise listen on the same address itself.
		local := *cmt
		local.PrivValidatorListenAddr = ""
		cmt = &local
	}
	budget := newQueryBudget(c.Query, time.Now, time.Sleep)
	logger.Info("RPC query budget", "budget", budget.String())
	dbs := &cometDBs{}
	n, err := cmtnode.NewNode(cmt,
		pv,
		nodeKey,
		clientCreator{app: abciApp, budget: budget},
		func() (*cmttypes.GenesisDoc, error) { return genDoc, nil },
		dbs.open,
		cmtnode.DefaultMetricsProvider(cmt.Instrumentation),
		logger,
	)
	if err != nil {
		dbs.closeAll()
		return nil, fmt.Errorf("create CometBFT node: %w", err)
	}
	if c.App.HeapPretouch {
		// After NewNode's handshake (InitChain, or the replay of the
		// blocks the app lacked), so that the heap goal reflects the
		// state; before consensus starts.
		r := pretouch.Heap()
		logger.Info("Go heap pretouched", "mib", r.Touched>>20, "took", r.Took.Round(time.Millisecond))
	}
	return &Node{cmt: n, app: a, store: st, history: idx, record: record, dbs: dbs, signer: rs, upgrade: watch}, nil
}

// openHistory opens the history index in dir for chainID and catches it up
// to the app's last commit from CometBFT's stored FinalizeBlock responses.
// It runs before CometBFT's handshake, which then feeds the index the
// blocks it replays to the app, in order.
func openHistory(dir, chainID string, cmt *cmtcfg.Config, appHeight int64, logger cmtlog.Logger) (*history.Index, error) {
	idx, err := history.Open(dir, newBadgerLogger(logger, "history"))
	if err != nil {
		return nil, err
	}
	if err := idx.BindChain(chainID); err != nil {
		idx.Close()
		return nil, err
	}
	from := idx.Watermark()
	if from >= appHeight {
		return idx, nil
	}
	logger = logger.With("module", "history")
	logger.Info("catching up the history index from stored block results", "from", from+1, "to", appHeight, "dir", dir)
	if err := catchUpHistory(idx, cmt, appHeight); err != nil {
		idx.Close()
		return nil, fmt.Errorf("history index in %s is at height %d, the state at %d, and cannot catch up: %w. "+
			"The index is rebuilt from CometBFT's stored FinalizeBlock results, which a node keeps for every height unless "+
			"storage.discard_abci_responses = true (config.toml) or it was state-synced. Either set "+
			"[history] enabled = false in ledgerd.toml (LEDGERD_HISTORY_ENABLED=false) to run without it, or, if the "+
			"index is damaged but the results are kept, delete %s and restart to rebuild it",
			dir, from, appHeight, err, dir)
	}
	logger.Info("history index caught up", "height", idx.Watermark())
	return idx, nil
}

// catchUpHistory applies the heights after idx's watermark up to to, from
// CometBFT's state store, which it opens and closes again before CometBFT
// does.
func catchUpHistory(idx *history.Index, cmt *cmtcfg.Config, to int64) error {
	db, err := cmtcfg.DefaultDBProvider(&cmtcfg.DBContext{ID: "state", Config: cmt})
	if err != nil {
		return fmt.Errorf("open CometBFT state store: %w", err)
	}
	ss := sm.NewStore(db, sm.StoreOptions{DiscardABCIResponses: cmt.Storage.DiscardABCIResponses})
	defer ss.Close()
	_, err = idx.CatchUp(to, ss.LoadFinalizeBlockResponse)
	return err
}

// cometDBs is CometBFT's default DB provider, remembering what it opened:
// CometBFT v0.40.0 closes its block, state and evidence stores on Stop but
// not the tx index (IndexerService.OnStop only unsubscribes), whose file lock
// would then keep the node from starting again in the same process; nor
// anything when NewNode fails.
type cometDBs struct {
	mu  sync.Mutex
	ids []string
	dbs []dbm.DB
}

func (d *cometDBs) open(ctx *cmtcfg.DBContext) (dbm.DB, error) {
	db, err := cmtcfg.DefaultDBProvider(ctx)
	if err == nil {
		d.mu.Lock()
		d.ids, d.dbs = append(d.ids, ctx.ID), append(d.dbs, db)
		d.mu.Unlock()
	}
	return db, err
}

// closeLeftOpen closes the databases CometBFT's Stop leaves open.
func (d *cometDBs) closeLeftOpen() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var err error
	for i, id := range d.ids {
		if id == "tx_index" && d.dbs[i] != nil {
			if cerr := d.dbs[i].Close(); err == nil && cerr != nil {
				err = fmt.Errorf("close CometBFT %s database: %w", id, cerr)
			}
			d.dbs[i] = nil
		}
	}
	return err
}

// closeAll closes every database, after NewNode failed; errors of the ones
// CometBFT closed already are expected and ignored.
func (d *cometDBs) closeAll() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, db := range d.dbs {
		if db != nil {
			_ = db.Close()
			d.dbs[i] = nil
		}
	}
}

// Start starts CometBFT: the handshake replays any blocks the app lacks,
// then the node joins consensus and serves RPC.
func (n *Node) Start() error { return n.cmt.Start() }

// Stop stops CometBFT and closes the history index and the store. Safe to
// call once after Start.
func (n *Node) Stop() error {
	var err error
	if n.cmt.IsRunning() {
		err = n.cmt.Stop()
		n.cmt.Wait()
		if cerr := n.dbs.closeLeftOpen(); err == nil {
			err = cerr
		}
	} else {
		n.dbs.closeAll() // never started (or failed to): CometBFT closed nothing
		if n.signer != nil {
			n.signer.Close()
		}
	}
	n.app.StopSnapshots()
	if n.history != nil {
		n.record.Close()
		if cerr := n.history.Close(); err == nil {
			err = cerr
		}
	}
	if cerr := n.store.Close(); err == nil {
		err = cerr
	}
	return err
}

// Halted delivers the chain upgrade this node halted at, when its binary
// does not have it: the caller should stop the node and exit, for the
// operator to restart it on a binary that has the upgrade.
func (n *Node) Halted() <-chan *app.UpgradeNeededError { return n.upgrade.halted }

// RPCAddress returns the RPC listen address.
func (n *Node) RPCAddress() string { return n.cmt.Config().RPC.ListenAddress }

// NodeID returns the node's p2p id.
func (n *Node) NodeID() string { return string(n.cmt.NodeInfo().ID()) }

// App returns the app, for tests.
func (n *Node) App() *app.App { return n.app }

// History returns the history index, nil when it is off.
func (n *Node) History() *history.Index { return n.history }

func newLogger(cmt *cmtcfg.Config) (cmtlog.Logger, error) {
	var l cmtlog.Logger
	if cmt.LogFormat == cmtcfg.LogFormatJSON {
		l = cmtlog.NewTMJSONLogger(cmtlog.NewSyncWriter(os.Stdout))
	} else {
		l = cmtlog.NewTMLogger(cmtlog.NewSyncWriter(os.Stdout))
	}
	l, err := cmtflags.ParseLogLevel(cmt.LogLevel, l, cmtcfg.DefaultLogLevel)
	if err != nil {
		return nil, fmt.Errorf("log_level %q: %w", cmt.LogLevel, err)
	}
	return l, nil
}
