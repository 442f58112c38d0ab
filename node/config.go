// Package node runs a ledgerd node: CometBFT embedded in-process around the
// ledgerd app, its configuration (ledgerd.toml, LEDGERD_* environment
// variables and flags, in rising precedence), metrics, and lifecycle. It
// also writes a new node's home directory (Init).
package node

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"text/template"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/ledgerd/ledgerd/node/hugeheap"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/store/badgerdb"
	"github.com/ledgerd/ledgerd/store/nodelog"
)

// Config is ledgerd's own configuration, in <home>/config/ledgerd.toml.
// CometBFT's stays in <home>/config/config.toml.
type Config struct {
	App     AppConfig     `mapstructure:"app"`
	Store   StoreConfig   `mapstructure:"store"`
	Metrics MetricsConfig `mapstructure:"metrics"`
	History HistoryConfig `mapstructure:"history"`
	// Snapshots are the state-sync snapshots this node takes and serves.
	Snapshots SnapshotsConfig `mapstructure:"snapshots"`
	// RemoteSigner keeps the validator key out of the node, in a signer
	// process (ledgerd signer, tmkms, an HSM signer).
	RemoteSigner RemoteSignerConfig `mapstructure:"remote_signer"`
	// Query bounds the time RPC callers' queries may take from block
	// production.
	Query QueryConfig `mapstructure:"query"`
}

// QueryConfig is the budget of RPC callers' ABCI queries (abci_query):
// queries run one at a time, take at most TimePerSecond of every second on
// average (Burst at most saved up), and at most MaxPending wait or run at
// once; a query beyond the budget is refused at once with query/10, to be
// retried. The peer filter's queries are never limited. See
// docs/operations.md, RPC settings for production.
type QueryConfig struct {
	// TimePerSecond is the query time earned per second, at most 1s (one
	// core: queries run one at a time).
	TimePerSecond time.Duration `mapstructure:"time_per_second"`
	// Burst is the most query time saved up (at least TimePerSecond).
	Burst time.Duration `mapstructure:"burst"`
	// MaxPending is how many queries may run or wait for the query
	// connection at once.
	MaxPending int `mapstructure:"max_pending"`
	// RPCOverhead is charged to every answered query on top of its own
	// time: the RPC layer's work (HTTP, JSON), which the node does not
	// time per query. It caps the rate of cheap queries at
	// TimePerSecond/RPCOverhead per second.
	RPCOverhead time.Duration `mapstructure:"rpc_overhead"`
	// RefusalDelay holds a refused query's answer this long, so that a
	// caller retrying at once (a flood) waits instead of making the node
	// spend its CPU on refusals; 0 answers at once.
	RefusalDelay time.Duration `mapstructure:"refusal_delay"`
}

// AppConfig holds the transaction pipeline's limits and the Go runtime's
// memory settings.
type AppConfig struct {
	MaxPendingPerSigner int `mapstructure:"max_pending_per_signer"`
	SigCacheSize        int `mapstructure:"sig_cache_size"`
	// GCPercent is the Go collector's GOGC: how far the heap may grow past
	// what was live after a collection before the next one (0 or less:
	// the Go default of 100). The GOGC environment variable wins.
	GCPercent int `mapstructure:"gc_percent"`
	// MemoryLimitMB is the Go runtime's soft memory limit (GOMEMLIMIT) in
	// MiB, 0 for none: near it the collector runs more often whatever
	// GCPercent says. The GOMEMLIMIT environment variable wins.
	MemoryLimitMB int `mapstructure:"memory_limit_mb"`
	// HeapHugePages backs the first memory-limit's worth of the Go heap
	// with transparent huge pages where the kernel's THP mode is
	// "madvise" (package hugeheap).
	HeapHugePages bool `mapstructure:"heap_huge_pages"`
	// HeapPretouch faults in, after the handshake and before consensus
	// starts, the heap the node would grow into before its first
	// collection (package pretouch).
	HeapPretouch bool `mapstructure:"heap_pretouch"`
}

// ApplyRuntime sets the Go collector's GOGC and soft memory limit from c,
// each unless its environment variable (GOGC, GOMEMLIMIT) is set, and with
// HeapHugePages advises huge pages on as much heap as the memory limit in
// effect (DefaultMemoryLimitMB without one). It returns the bytes advised;
// an error there leaves the heap on ordinary pages and is the caller's to
// report. Call it before the node allocates its state.
func (c AppConfig) ApplyRuntime() (int64, error) {
	if _, set := os.LookupEnv("GOGC"); !set && c.GCPercent > 0 {
		debug.SetGCPercent(c.GCPercent)
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set && c.MemoryLimitMB > 0 {
		debug.SetMemoryLimit(int64(c.MemoryLimitMB) << 20)
	}
	if !c.HeapHugePages {
		return 0, nil
	}
	size := debug.SetMemoryLimit(-1)
	if size == math.MaxInt64 {
		size = DefaultMemoryLimitMB << 20
	}
	return hugeheap.Advise(size)
}

// StoreConfig tunes the state store.
type StoreConfig struct {
	// IAVLCacheNodes is each tree's node cache, in nodes.
	IAVLCacheNodes int `mapstructure:"iavl_cache_nodes"`
	// KeepRecent versions for queries and proofs; 0 keeps all (archive).
	KeepRecent int64 `mapstructure:"keep_recent"`
	// PruneEvery blocks, old versions are deleted.
	PruneEvery int64 `mapstructure:"prune_every"`
	// EncodedNodeCacheMB is the cache of encoded nodes the trees share
	// below their node caches, in MiB (store.Options.EncodedCacheMB).
	EncodedNodeCacheMB int `mapstructure:"encoded_node_cache_mb"`
	// BadgerCacheMB bounds Badger's block cache.
	BadgerCacheMB int `mapstructure:"badger_cache_mb"`
	// ValueCacheEntries bounds each module tree's cache of values read
	// (store.Options.ValueCacheEntries).
	ValueCacheEntries int `mapstructure:"value_cache_entries"`
	// NodeLogSegmentKiB is the size of the node log's segment files, in
	// KiB (store.Options.NodeLogSegmentSize).
	NodeLogSegmentKiB int64 `mapstructure:"node_log_segment_kib"`
}

// Options returns the store options c selects for the state store in dir.
func (c StoreConfig) Options(dir string) store.Options {
	return store.Options{
		Dir:                dir,
		CacheNodes:         c.IAVLCacheNodes,
		EncodedCacheMB:     c.EncodedNodeCacheMB,
		KeepRecent:         c.KeepRecent,
		PruneEvery:         c.PruneEvery,
		Badger:             badgerdb.Options{CacheSizeMB: c.BadgerCacheMB},
		ValueCacheEntries:  c.ValueCacheEntries,
		NodeLogSegmentSize: c.NodeLogSegmentKiB << 10,
		// The node log's index is in memory: a node that keeps every
		// version keeps its nodes in Badger (store.Options.NodesInBadger).
		NodesInBadger: c.KeepRecent == 0,
	}
}

// MetricsConfig turns on the Prometheus endpoint, which serves CometBFT's
// metrics and ledgerd's.
type MetricsConfig struct {
	Enabled bool   `mapstructure:"enabled"`
	Listen  string `mapstructure:"listen"`
}

// HistoryConfig turns on the node's wallet history index (package
// node/history), which answers the /history query.
type HistoryConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// Dir is the index's Badger directory; a relative path is under the
	// node's home.
	Dir string `mapstructure:"dir"`
}

// SnapshotsConfig is how often the node takes a state-sync snapshot, and
// how many it keeps for joining nodes (docs/operations.md, State sync).
type SnapshotsConfig struct {
	// Interval: a snapshot every this many blocks; 0 takes none.
	Interval int64 `mapstructure:"interval"`
	// KeepRecent snapshots are kept, the newest.
	KeepRecent int `mapstructure:"keep_recent"`
	// Dir holds them; a relative path is under the node's home.
	Dir string `mapstructure:"dir"`
}

// SnapshotDir is where c keeps home's snapshots.
func SnapshotDir(home string, c Config) string {
	if filepath.IsAbs(c.Snapshots.Dir) {
		return c.Snapshots.Dir
	}
	return filepath.Join(home, c.Snapshots.Dir)
}

// RemoteSignerConfig is where the node listens for its remote signer, which
// dials in and signs over CometBFT's privval protocol.
type RemoteSignerConfig struct {
	// Laddr (tcp://host:port, unix:///path, or CometBFT's
	// noise://<signer-peer-id>@ip:port) overrides config.toml's
	// priv_validator_laddr; empty, that one applies, and with both empty
	// the validator key is the home's key file.
	Laddr string `mapstructure:"laddr"`
	// StartTimeout is how long start waits for the signer to connect before
	// it fails; 0 waits until the node is stopped.
	StartTimeout time.Duration `mapstructure:"start_timeout"`
}

// HistoryDir is where c keeps home's history index.
func HistoryDir(home string, c Config) string {
	if filepath.IsAbs(c.History.Dir) {
		return c.History.Dir
	}
	return filepath.Join(home, c.History.Dir)
}

// The Go runtime's defaults for a node: see AppConfig and
// docs/operations.md (Tuning).
const (
	DefaultGCPercent     = 300
	DefaultMemoryLimitMB = 4096
)

// The node log's segment sizes Validate accepts, in KiB: from 4 KiB
// (tests that make it compact often) to 1 GiB.
const (
	MinNodeLogSegmentKiB = 4
	MaxNodeLogSegmentKiB = 1 << 20
)

// DefaultQueryTimePerSecond is the query time RPC callers get per second
// by default (QueryConfig): a tenth of one core, so that on a two-core
// machine a query flood leaves consensus the rest. With the default
// RPCOverhead of 1 ms that is up to 100 cheap queries a second.
const DefaultQueryTimePerSecond = 100 * time.Millisecond

// DefaultConfig returns the defaults written by init.
func DefaultConfig() Config {
	return Config{
		App: AppConfig{MaxPendingPerSigner: 64, SigCacheSize: 100_000, GCPercent: DefaultGCPercent, MemoryLimitMB: DefaultMemoryLimitMB, HeapHugePages: true, HeapPretouch: true},
		Store: StoreConfig{
			IAVLCacheNodes: 1_500_000, EncodedNodeCacheMB: 256, KeepRecent: 0, PruneEvery: 100, BadgerCacheMB: 256,
			ValueCacheEntries: store.DefaultValueCacheEntries, NodeLogSegmentKiB: nodelog.DefaultSegmentSize >> 10,
		},
		Metrics:      MetricsConfig{Enabled: true, Listen: "127.0.0.1:26660"},
		History:      HistoryConfig{Enabled: true, Dir: filepath.Join("data", "history.db")},
		Snapshots:    SnapshotsConfig{Interval: 1000, KeepRecent: 2, Dir: filepath.Join("data", "snapshots")},
		RemoteSigner: RemoteSignerConfig{StartTimeout: time.Minute},
		Query: QueryConfig{TimePerSecond: DefaultQueryTimePerSecond, Burst: time.Second, MaxPending: 8,
			RPCOverhead: time.Millisecond, RefusalDelay: 500 * time.Millisecond},
	}
}

// ConfigPath is where ledgerd.toml lives under home.
func ConfigPath(home string) string { return filepath.Join(home, "config", "ledgerd.toml") }

// EnvPrefix is the prefix of environment variables that override
// ledgerd.toml: LEDGERD_STORE_KEEP_RECENT=100 sets store.keep_recent.
const EnvPrefix = "LEDGERD"

// LoadConfig reads ledgerd.toml under home, then applies LEDGERD_*
// environment variables, then the flags in fs that were set (named like the
// keys: --store.keep_recent). A missing file means the defaults.
func LoadConfig(home string, fs *pflag.FlagSet) (Config, error) {
	v := viper.New()
	def := DefaultConfig()
	setDefaults(v, def)
	v.SetConfigFile(ConfigPath(home))
	if err := v.ReadInConfig(); err != nil && !os.IsNotExist(err) {
		return def, fmt.Errorf("read %s: %w", ConfigPath(home), err)
	}
	v.SetEnvPrefix(EnvPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	if fs != nil {
		fs.VisitAll(func(f *pflag.Flag) {
			if f.Changed && v.IsSet(f.Name) {
				v.Set(f.Name, f.Value.String())
			}
		})
	}
	var c Config
	if err := v.Unmarshal(&c); err != nil {
		return def, fmt.Errorf("parse ledgerd config: %w", err)
	}
	return c, c.Validate()
}

// Validate reports settings that cannot work.
func (c Config) Validate() error {
	switch {
	case c.App.MaxPendingPerSigner < 1:
		return fmt.Errorf("app.max_pending_per_signer %d: must be positive", c.App.MaxPendingPerSigner)
	case c.App.MemoryLimitMB < 0:
		return fmt.Errorf("app.memory_limit_mb %d: 0 (none) or positive", c.App.MemoryLimitMB)
	case c.Store.KeepRecent < 0 || (c.Store.KeepRecent > 0 && c.Store.KeepRecent < 2):
		return fmt.Errorf("store.keep_recent %d: 0 (keep all) or at least 2", c.Store.KeepRecent)
	case c.Store.EncodedNodeCacheMB < 0:
		return fmt.Errorf("store.encoded_node_cache_mb %d: 0 (none) or positive", c.Store.EncodedNodeCacheMB)
	case c.Store.ValueCacheEntries < 1:
		return fmt.Errorf("store.value_cache_entries %d: must be positive", c.Store.ValueCacheEntries)
	case c.Store.NodeLogSegmentKiB < MinNodeLogSegmentKiB || c.Store.NodeLogSegmentKiB > MaxNodeLogSegmentKiB:
		return fmt.Errorf("store.node_log_segment_kib %d: from %d to %d (%d MiB is the default)",
			c.Store.NodeLogSegmentKiB, MinNodeLogSegmentKiB, MaxNodeLogSegmentKiB, nodelog.DefaultSegmentSize>>20)
	case c.Store.PruneEvery < 1:
		return fmt.Errorf("store.prune_every %d: must be positive", c.Store.PruneEvery)
	case c.History.Enabled && c.History.Dir == "":
		return fmt.Errorf("history.dir is empty: give the index a directory, or set history.enabled = false")
	case c.Snapshots.Interval < 0:
		return fmt.Errorf("snapshots.interval %d: 0 (none) or a number of blocks", c.Snapshots.Interval)
	case c.Snapshots.KeepRecent < 1:
		return fmt.Errorf("snapshots.keep_recent %d: keep at least 1", c.Snapshots.KeepRecent)
	case c.Snapshots.Dir == "":
		return fmt.Errorf("snapshots.dir is empty: state sync needs a directory, to serve snapshots and to restore one")
	case c.RemoteSigner.Laddr != "" && !validSignerScheme(c.RemoteSigner.Laddr):
		return fmt.Errorf("remote_signer.laddr %q: want tcp://host:port, unix:///path or noise://<signer-peer-id>@ip:port", c.RemoteSigner.Laddr)
	case c.RemoteSigner.StartTimeout < 0:
		return fmt.Errorf("remote_signer.start_timeout %s: 0 (wait until stopped) or positive", c.RemoteSigner.StartTimeout)
	case c.Query.TimePerSecond <= 0 || c.Query.TimePerSecond > time.Second:
		return fmt.Errorf("query.time_per_second %s: more than 0 and at most 1s (queries run one at a time)", c.Query.TimePerSecond)
	case c.Query.Burst < c.Query.TimePerSecond:
		return fmt.Errorf("query.burst %s: at least query.time_per_second (%s)", c.Query.Burst, c.Query.TimePerSecond)
	case c.Query.MaxPending < 1:
		return fmt.Errorf("query.max_pending %d: must be positive", c.Query.MaxPending)
	case c.Query.RPCOverhead < 0 || c.Query.RPCOverhead > c.Query.Burst:
		return fmt.Errorf("query.rpc_overhead %s: 0 up to query.burst (%s)", c.Query.RPCOverhead, c.Query.Burst)
	case c.Query.RefusalDelay < 0 || c.Query.RefusalDelay > 10*time.Second:
		return fmt.Errorf("query.refusal_delay %s: 0 (at once) up to 10s", c.Query.RefusalDelay)
	}
	return nil
}

// validSignerScheme reports whether laddr names a scheme CometBFT's signer
// listener takes.
func validSignerScheme(laddr string) bool {
	scheme, _, ok := strings.Cut(laddr, "://")
	return ok && (scheme == "tcp" || scheme == "unix" || scheme == "noise")
}

// ConfigFlags adds a flag per setting to fs, for `ledgerd start`.
func ConfigFlags(fs *pflag.FlagSet) {
	d := DefaultConfig()
	fs.Int("app.max_pending_per_signer", d.App.MaxPendingPerSigner, "mempool cap of one signer's pending transactions")
	fs.Int("app.sig_cache_size", d.App.SigCacheSize, "verified-signature cache entries")
	fs.Int("app.gc_percent", d.App.GCPercent, "Go collector's GOGC (the GOGC environment variable wins)")
	fs.Int("app.memory_limit_mb", d.App.MemoryLimitMB, "Go runtime's soft memory limit in MiB, 0 for none (GOMEMLIMIT wins)")
	fs.Bool("app.heap_huge_pages", d.App.HeapHugePages, "back the Go heap, up to the memory limit, with transparent huge pages (THP mode madvise)")
	fs.Bool("app.heap_pretouch", d.App.HeapPretouch, "fault in at start the Go heap the node grows into before its first collection")
	fs.Int("store.iavl_cache_nodes", d.Store.IAVLCacheNodes, "IAVL node cache per tree")
	fs.Int("store.encoded_node_cache_mb", d.Store.EncodedNodeCacheMB, "encoded IAVL nodes kept below the node caches, in MiB (0: none)")
	fs.Int64("store.keep_recent", d.Store.KeepRecent, "state versions to keep for queries and proofs (0: all)")
	fs.Int64("store.prune_every", d.Store.PruneEvery, "prune old versions every this many blocks")
	fs.Int("store.badger_cache_mb", d.Store.BadgerCacheMB, "Badger block cache in MiB")
	fs.Int("store.value_cache_entries", d.Store.ValueCacheEntries, "values read kept per module tree, so that a key read again skips the tree walk")
	fs.Int64("store.node_log_segment_kib", d.Store.NodeLogSegmentKiB, "size of the node log's segment files in KiB, the unit its compaction reclaims")
	fs.Bool("metrics.enabled", d.Metrics.Enabled, "serve Prometheus metrics")
	fs.String("metrics.listen", d.Metrics.Listen, "Prometheus listen address")
	fs.Bool("history.enabled", d.History.Enabled, "keep the wallet history index that answers /history queries")
	fs.String("history.dir", d.History.Dir, "history index directory (relative: under --home)")
	fs.Int64("snapshots.interval", d.Snapshots.Interval, "take a state-sync snapshot every this many blocks (0: none)")
	fs.Int("snapshots.keep_recent", d.Snapshots.KeepRecent, "state-sync snapshots to keep")
	fs.String("snapshots.dir", d.Snapshots.Dir, "state-sync snapshot directory (relative: under --home)")
	fs.String("remote_signer.laddr", d.RemoteSigner.Laddr, "listen here for a remote signer holding the validator key (tcp://host:port or unix:///path; overrides config.toml's priv_validator_laddr)")
	fs.Duration("remote_signer.start_timeout", d.RemoteSigner.StartTimeout, "how long start waits for the remote signer (0: until stopped)")
	fs.Duration("query.time_per_second", d.Query.TimePerSecond, "query time RPC callers' queries may take per second, at most 1s")
	fs.Duration("query.burst", d.Query.Burst, "most query time saved up for a burst of queries")
	fs.Int("query.max_pending", d.Query.MaxPending, "most RPC queries running or waiting at once; more are refused with query/10")
	fs.Duration("query.rpc_overhead", d.Query.RPCOverhead, "charged to every RPC query on top of its own time, for the RPC layer's work")
	fs.Duration("query.refusal_delay", d.Query.RefusalDelay, "hold a refused query's answer this long, so that a flood waits instead of looping (0: at once)")
}

func setDefaults(v *viper.Viper, c Config) {
	v.SetDefault("app.max_pending_per_signer", c.App.MaxPendingPerSigner)
	v.SetDefault("app.sig_cache_size", c.App.SigCacheSize)
	v.SetDefault("app.gc_percent", c.App.GCPercent)
	v.SetDefault("app.memory_limit_mb", c.App.MemoryLimitMB)
	v.SetDefault("app.heap_huge_pages", c.App.HeapHugePages)
	v.SetDefault("app.heap_pretouch", c.App.HeapPretouch)
	v.SetDefault("store.iavl_cache_nodes", c.Store.IAVLCacheNodes)
	v.SetDefault("store.encoded_node_cache_mb", c.Store.EncodedNodeCacheMB)
	v.SetDefault("store.keep_recent", c.Store.KeepRecent)
	v.SetDefault("store.prune_every", c.Store.PruneEvery)
	v.SetDefault("store.badger_cache_mb", c.Store.BadgerCacheMB)
	v.SetDefault("store.value_cache_entries", c.Store.ValueCacheEntries)
	v.SetDefault("store.node_log_segment_kib", c.Store.NodeLogSegmentKiB)
	v.SetDefault("metrics.enabled", c.Metrics.Enabled)
	v.SetDefault("metrics.listen", c.Metrics.Listen)
	v.SetDefault("history.enabled", c.History.Enabled)
	v.SetDefault("history.dir", c.History.Dir)
	v.SetDefault("snapshots.interval", c.Snapshots.Interval)
	v.SetDefault("snapshots.keep_recent", c.Snapshots.KeepRecent)
	v.SetDefault("snapshots.dir", c.Snapshots.Dir)
	v.SetDefault("remote_signer.laddr", c.RemoteSigner.Laddr)
	v.SetDefault("remote_signer.start_timeout", c.RemoteSigner.StartTimeout)
	v.SetDefault("query.time_per_second", c.Query.TimePerSecond)
	v.SetDefault("query.burst", c.Query.Burst)
	v.SetDefault("query.max_pending", c.Query.MaxPending)
	v.SetDefault("query.rpc_overhead", c.Query.RPCOverhead)
	v.SetDefault("query.refusal_delay", c.Query.RefusalDelay)
}

var configTemplate = template.Must(template.New("ledgerd.toml").Parse(`# ledgerd settings. Environment variables override them (LEDGERD_STORE_KEEP_RECENT
# for store.keep_recent), and flags of 'ledgerd start' override both
# (--store.keep_recent). CometBFT's own settings are in config.toml.

# Limits that decide transactions' results (max_tx_bytes, max_block_txs,
# max_tx_validity_blocks) are chain parameters in genesis, not settings here.

[app]
# Most transactions one signer may have waiting in this node's mempool.
max_pending_per_signer = {{.App.MaxPendingPerSigner}}
# Verified signatures remembered between CheckTx and FinalizeBlock.
sig_cache_size = {{.App.SigCacheSize}}
# The Go collector: the heap may grow gc_percent % past what was live before
# the next collection, and collections come sooner near memory_limit_mb (a
# soft limit; 0 for none). The GOGC and GOMEMLIMIT environment variables win.
# See docs/operations.md, Tuning.
gc_percent = {{.App.GCPercent}}
memory_limit_mb = {{.App.MemoryLimitMB}}
# Back the Go heap, up to the memory limit, with transparent huge pages where
# the kernel's THP mode is "madvise": far fewer page faults as the heap grows.
heap_huge_pages = {{.App.HeapHugePages}}
# Before joining consensus, fault in the heap the node would grow into before
# its first collection, so that its first blocks do not pay the page faults
# (dear on virtual machines; about a second at 100,000 wallets).
heap_pretouch = {{.App.HeapPretouch}}

[store]
# IAVL node cache of each module tree, in nodes.
iavl_cache_nodes = {{.Store.IAVLCacheNodes}}
# Nodes of trees larger than their node cache, kept encoded in memory the
# garbage collector does not scan, in MiB (0: none). Used only as such a tree
# is read; see docs/operations.md, Tuning.
encoded_node_cache_mb = {{.Store.EncodedNodeCacheMB}}
# State versions kept for queries and proofs: 0 keeps every version (auditor
# and archive nodes); N keeps the last N.
keep_recent = {{.Store.KeepRecent}}
# Delete old versions every this many blocks.
prune_every = {{.Store.PruneEvery}}
# Badger block cache, in MiB.
badger_cache_mb = {{.Store.BadgerCacheMB}}
# Values read kept per module tree, so that a key read again (the parameters
# and member records every transaction reads, a wallet that pays again) costs
# a lookup instead of a walk down the tree. See docs/operations.md, Tuning.
value_cache_entries = {{.Store.ValueCacheEntries}}
# Size of the node log's segment files (data/nodes), in KiB: the unit in which
# compaction reclaims the space of pruned nodes. See docs/operations.md, Tuning.
node_log_segment_kib = {{.Store.NodeLogSegmentKiB}}

[metrics]
# Serve Prometheus metrics (CometBFT's and ledgerd's) at listen, path /metrics.
enabled = {{.Metrics.Enabled}}
listen = "{{.Metrics.Listen}}"

[history]
# Keep the wallet history index: every wallet's history entries, written from
# the blocks, answering 'ledgerd query wallet history'. Off consensus: the
# node rebuilds it from CometBFT's stored block results when it is behind or
# missing (see docs/history.md). Off, /history queries fail on this node.
enabled = {{.History.Enabled}}
# Its Badger directory; a relative path is under the node's home.
dir = "{{.History.Dir}}"

[snapshots]
# State-sync snapshots this node takes and serves to joining nodes, so that a
# new bank's node starts from a recent state instead of replaying every block
# (docs/operations.md, State sync). Written in the background from a committed
# version: block production does not wait for them. 0 takes none; the node
# can still join by state sync itself.
interval = {{.Snapshots.Interval}}
# How many (the newest) are kept.
keep_recent = {{.Snapshots.KeepRecent}}
# Their directory; a relative path is under the node's home.
dir = "{{.Snapshots.Dir}}"

[remote_signer]
# Keep the validator key out of this node, in a signer process (ledgerd signer,
# tmkms, an HSM signer) that dials this address and signs over CometBFT's
# privval protocol: tcp://host:port (encrypted, but neither side is
# authenticated: a private network only), unix:///path (signer on this
# machine). It overrides priv_validator_laddr in config.toml. This home must
# then hold no validator key file. See docs/operations.md, Remote signing.
laddr = "{{.RemoteSigner.Laddr}}"
# How long the node waits at start for the signer to connect; 0 waits until
# stopped.
start_timeout = "{{.RemoteSigner.StartTimeout}}"

[query]
# The budget of RPC callers' queries (abci_query), so that a flood of them
# cannot slow block production: queries run one at a time and may take
# time_per_second of every second on average, with up to burst saved up; each
# is charged its own time plus rpc_overhead (the RPC layer's HTTP and JSON
# work), so cheap queries get up to time_per_second / rpc_overhead a second; at
# most max_pending run or wait at once. On a machine with more cores, raise
# time_per_second (at most 1s: queries run one at a time). A query beyond the budget is not run:
# it is answered with query/10 ("retry later") after refusal_delay, so that a
# caller retrying in a loop waits rather than spending the node's CPU on
# refusals (0: at once). CometBFT's peer filter is never limited. See
# docs/operations.md, RPC settings for production.
time_per_second = "{{.Query.TimePerSecond}}"
burst = "{{.Query.Burst}}"
max_pending = {{.Query.MaxPending}}
rpc_overhead = "{{.Query.RPCOverhead}}"
refusal_delay = "{{.Query.RefusalDelay}}"
`))

// WriteConfig writes c to home's ledgerd.toml.
func WriteConfig(home string, c Config) error {
	var buf bytes.Buffer
	if err := configTemplate.Execute(&buf, c); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(ConfigPath(home)), 0o755); err != nil {
		return err
	}
	return os.WriteFile(ConfigPath(home), buf.Bytes(), 0o644)
}
