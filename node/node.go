package node

import (
	"fmt"
	"os"
	"path/filepath"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmtflags "github.com/cometbft/cometbft/libs/cli/flags"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	cmtnode "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/viper"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/store/badgerdb"
)

// Node is a running ledgerd node: CometBFT in-process around the app.
type Node struct {
	cmt   *cmtnode.Node
	app   *app.App
	store *store.Store
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

// New opens the store and the app and builds (but does not start) the
// CometBFT node. cmt is CometBFT's configuration (LoadCometConfig, plus any
// overrides); c is ledgerd's.
func New(home string, cmt *cmtcfg.Config, c Config) (*Node, error) {
	logger, err := newLogger(cmt)
	if err != nil {
		return nil, err
	}
	genDoc, err := cmttypes.GenesisDocFromFile(cmt.GenesisFile())
	if err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	st, err := store.Open(store.Options{
		Dir:        StoreDir(home),
		CacheNodes: c.Store.IAVLCacheNodes,
		KeepRecent: c.Store.KeepRecent,
		PruneEvery: c.Store.PruneEvery,
		Badger:     badgerdb.Options{CacheSizeMB: c.Store.BadgerCacheMB},
	}, app.StoreNames)
	if err != nil {
		return nil, fmt.Errorf("open state store: %w", err)
	}
	appCfg := app.DefaultConfig(genDoc.ChainID)
	appCfg.MaxPendingPerSigner, appCfg.SigCacheSize = c.App.MaxPendingPerSigner, c.App.SigCacheSize
	a, err := app.New(appCfg, st)
	if err != nil {
		st.Close()
		return nil, err
	}

	cmt.Instrumentation.Prometheus = c.Metrics.Enabled
	cmt.Instrumentation.PrometheusListenAddr = c.Metrics.Listen
	var abciApp = app.Application(a)
	if c.Metrics.Enabled {
		abciApp = instrumented{Application: a, m: NewMetrics(prometheus.DefaultRegisterer, genDoc.ChainID)}
	}

	nodeKey, err := p2p.LoadNodeKey(cmt.NodeKeyFile())
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("node key: %w", err)
	}
	n, err := cmtnode.NewNode(cmt,
		privval.LoadOrGenFilePV(cmt.PrivValidatorKeyFile(), cmt.PrivValidatorStateFile()),
		nodeKey,
		proxy.NewConnSyncLocalClientCreator(abciApp),
		func() (*cmttypes.GenesisDoc, error) { return genDoc, nil },
		cmtcfg.DefaultDBProvider,
		cmtnode.DefaultMetricsProvider(cmt.Instrumentation),
		logger,
	)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("create CometBFT node: %w", err)
	}
	return &Node{cmt: n, app: a, store: st}, nil
}

// Start starts CometBFT: the handshake replays any blocks the app lacks,
// then the node joins consensus and serves RPC.
func (n *Node) Start() error { return n.cmt.Start() }

// Stop stops CometBFT and closes the store. Safe to call once after Start.
func (n *Node) Stop() error {
	var err error
	if n.cmt.IsRunning() {
		err = n.cmt.Stop()
		n.cmt.Wait()
	}
	if cerr := n.store.Close(); err == nil {
		err = cerr
	}
	return err
}

// RPCAddress returns the RPC listen address.
func (n *Node) RPCAddress() string { return n.cmt.Config().RPC.ListenAddress }

// NodeID returns the node's p2p id.
func (n *Node) NodeID() string { return string(n.cmt.NodeInfo().ID()) }

// App returns the app, for tests.
func (n *Node) App() *app.App { return n.app }

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
