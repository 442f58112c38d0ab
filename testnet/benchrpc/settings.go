package benchrpc

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/spf13/viper"

	"github.com/ledgerd/ledgerd/node"
)

// Settings are the CometBFT settings both nodes run with, written into
// both config.toml files; everything else is CometBFT's default in both.
type Settings struct {
	// TimeoutCommit is the block interval knob (ledgerd testnet init's
	// 500ms by default).
	TimeoutCommit     time.Duration `json:"timeout_commit"`
	CreateEmptyBlocks bool          `json:"create_empty_blocks"`
	// Mempool: the flood mempool's capacity in transactions and bytes, its
	// dedup cache, and whether it rechecks the pending transactions after
	// every block.
	MempoolSize int   `json:"mempool_size"`
	MaxTxsBytes int64 `json:"max_txs_bytes"`
	CacheSize   int   `json:"cache_size"`
	Recheck     bool  `json:"recheck"`
	// AppMempool makes ledgerd keep its mempool itself (mempool.type =
	// "app", `ledgerd init --mempool app`); the kvstore, which cannot,
	// keeps CometBFT's flood mempool either way. Off (the default, what
	// ledgerd's init writes), both run the flood mempool.
	AppMempool bool `json:"app_mempool"`
	// Indexer is the transaction indexer, "kv" or "null".
	Indexer string `json:"indexer"`
	// MaxRequestBatch caps a JSON-RPC batch's requests.
	MaxRequestBatch int `json:"max_request_batch_size"`
	// LogLevel is CometBFT's log level.
	LogLevel string `json:"log_level"`
}

// DefaultSettings are what `ledgerd testnet init` writes: CometBFT's
// defaults with a 500 ms timeout_commit.
func DefaultSettings() Settings {
	d := cmtcfg.DefaultConfig()
	return Settings{
		TimeoutCommit:     500 * time.Millisecond,
		CreateEmptyBlocks: d.Consensus.CreateEmptyBlocks,
		MempoolSize:       d.Mempool.Size,
		MaxTxsBytes:       d.Mempool.MaxTxsBytes,
		CacheSize:         d.Mempool.CacheSize,
		Recheck:           d.Mempool.Recheck,
		Indexer:           d.TxIndex.Indexer,
		MaxRequestBatch:   d.RPC.MaxRequestBatchSize,
		LogLevel:          d.LogLevel,
	}
}

// ports are where one node listens on 127.0.0.1.
type ports struct{ p2p, rpc, pprof int }

// writeConfig writes home's config.toml: CometBFT's defaults, s, and the
// node's name and addresses. Prometheus is off in both nodes (ledgerd's
// start flag turns its own off too); the pprof listener is on in both, for
// profiles taken during the run. filterPeers is what ledgerd's init writes
// (on); a single node has no peers to filter.
func (s Settings) writeConfig(home, moniker string, filterPeers bool, p ports) error {
	cfg := cmtcfg.DefaultConfig().SetRoot(home)
	cfg.Moniker = moniker
	cfg.FilterPeers = filterPeers
	cfg.Consensus.TimeoutCommit = s.TimeoutCommit
	cfg.Consensus.CreateEmptyBlocks = s.CreateEmptyBlocks
	cfg.Mempool.Type = cmtcfg.MempoolTypeFlood
	if s.AppMempool && moniker == "ledgerd" {
		if err := node.SetMempool(cfg.Mempool, cmtcfg.MempoolTypeApp); err != nil {
			return err
		}
	}
	cfg.Mempool.Size = s.MempoolSize
	cfg.Mempool.MaxTxsBytes = s.MaxTxsBytes
	cfg.Mempool.CacheSize = s.CacheSize
	cfg.Mempool.Recheck = s.Recheck
	cfg.TxIndex.Indexer = s.Indexer
	cfg.RPC.MaxRequestBatchSize = s.MaxRequestBatch
	cfg.LogLevel = s.LogLevel
	cfg.Instrumentation.Prometheus = false
	cfg.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", p.p2p)
	cfg.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", p.rpc)
	cfg.RPC.PprofListenAddress = fmt.Sprintf("127.0.0.1:%d", p.pprof)
	if err := cfg.ValidateBasic(); err != nil {
		return fmt.Errorf("config for %s: %w", home, err)
	}
	cmtcfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), cfg)
	return nil
}

// shownSettings are the keys printed with the figures: those that decide
// throughput.
var shownSettings = []string{
	"consensus.timeout_propose", "consensus.timeout_commit", "consensus.skip_timeout_commit",
	"consensus.create_empty_blocks", "consensus.create_empty_blocks_interval",
	"mempool.type", "mempool.size", "mempool.max_txs_bytes", "mempool.max_tx_bytes", "mempool.cache_size",
	"mempool.recheck", "mempool.broadcast", "tx_index.indexer", "storage.discard_abci_responses",
	"event_bus_buffer_capacity", "db_backend", "log_level", "instrumentation.prometheus",
	"rpc.max_request_batch_size", "rpc.max_open_connections", "rpc.max_body_bytes",
}

// mayDiffer are the keys whose values differ between the two homes: the
// names, the addresses, filter_peers and, with AppMempool, the mempool's
// type (see writeConfig).
var mayDiffer = []string{"moniker", "filter_peers", "p2p.laddr", "rpc.laddr", "rpc.pprof_laddr",
	"mempool.type", "mempool.check_tx_retry_delay"}

// compareConfigs reads both homes' config.toml files and returns the
// shown settings (key = value, the same in both), or an error naming
// every other key whose value differs.
func compareConfigs(a, b string) ([]string, error) {
	fa, err := flatConfig(a)
	if err != nil {
		return nil, err
	}
	fb, err := flatConfig(b)
	if err != nil {
		return nil, err
	}
	var diff []string
	for k, va := range fa {
		if vb, ok := fb[k]; (!ok || va != vb) && !slices.Contains(mayDiffer, k) {
			diff = append(diff, fmt.Sprintf("%s: %q in %s, %q in %s", k, va, a, vb, b))
		}
	}
	for k, vb := range fb {
		if _, ok := fa[k]; !ok && !slices.Contains(mayDiffer, k) {
			diff = append(diff, fmt.Sprintf("%s: absent in %s, %q in %s", k, a, vb, b))
		}
	}
	if len(diff) > 0 {
		slices.Sort(diff)
		return nil, fmt.Errorf("the two config.toml files differ:\n  %s", strings.Join(diff, "\n  "))
	}
	shown := make([]string, 0, len(shownSettings))
	for _, k := range shownSettings {
		shown = append(shown, k+" = "+fa[k])
	}
	return shown, nil
}

// flatConfig reads home's config.toml into "section.key" -> value text.
func flatConfig(home string) (map[string]string, error) {
	v := viper.New()
	v.SetConfigFile(filepath.Join(home, "config", "config.toml"))
	if err := v.ReadInConfig(); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, k := range v.AllKeys() {
		out[k] = fmt.Sprint(v.Get(k))
	}
	return out, nil
}
