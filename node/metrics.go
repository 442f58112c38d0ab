package node

import (
	"context"
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cosmos/iavl"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/store/nodelog"
)

// Metrics are ledgerd's Prometheus metrics, served beside CometBFT's.
type Metrics struct {
	txs             *prometheus.CounterVec
	checkRejections *prometheus.CounterVec
	blockExec       prometheus.Histogram
	commit          prometheus.Histogram
	blockTxs        prometheus.Histogram
}

// NewMetrics registers ledgerd's metrics with reg.
func NewMetrics(reg prometheus.Registerer, chainID string) *Metrics {
	labels := prometheus.Labels{"chain_id": chainID}
	m := &Metrics{
		txs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "ledgerd", Name: "txs_total", ConstLabels: labels,
			Help: "Transactions executed in blocks, by result codespace and code (0: success).",
		}, []string{"codespace", "code"}),
		checkRejections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "ledgerd", Name: "checktx_rejections_total", ConstLabels: labels,
			Help: "Transactions CheckTx refused, by codespace and code.",
		}, []string{"codespace", "code"}),
		blockExec: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "ledgerd", Name: "block_execution_seconds", ConstLabels: labels,
			Help: "FinalizeBlock duration.", Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}),
		commit: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "ledgerd", Name: "commit_seconds", ConstLabels: labels,
			Help: "Commit duration (trees saved and synced).", Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}),
		blockTxs: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "ledgerd", Name: "block_txs", ConstLabels: labels,
			Help: "Transactions per block.", Buckets: prometheus.ExponentialBuckets(1, 4, 8),
		}),
	}
	reg.MustRegister(m.txs, m.checkRejections, m.blockExec, m.commit, m.blockTxs)
	return m
}

// RegisterStoreMetrics registers the state store's figures with reg (its
// encoded node cache and its node log), read from st at each scrape.
func RegisterStoreMetrics(reg prometheus.Registerer, chainID string, st *store.Store) {
	for _, m := range []struct {
		name, help string
		counter    bool
		value      func(iavl.EncodedNodeCacheStats) uint64
	}{
		{"encoded_node_cache_hits_total", "IAVL node-cache misses answered from the encoded node cache.", true,
			func(s iavl.EncodedNodeCacheStats) uint64 { return s.Hits }},
		{"encoded_node_cache_misses_total", "IAVL node-cache misses the encoded node cache did not hold either (read from the database).", true,
			func(s iavl.EncodedNodeCacheStats) uint64 { return s.Misses }},
		{"encoded_node_cache_bytes", "Memory the encoded node cache's entries take (its index not counted).", false,
			func(s iavl.EncodedNodeCacheStats) uint64 { return s.Bytes }},
		{"encoded_node_cache_entries", "Nodes the encoded node cache holds.", false,
			func(s iavl.EncodedNodeCacheStats) uint64 { return s.Entries }},
	} {
		registerFunc(reg, chainID, m.name, m.help, m.counter, func() float64 { return float64(m.value(st.EncodedCacheStats())) })
	}
	for _, m := range []struct {
		name, help string
		counter    bool
		value      func(nodelog.Stats) int64
	}{
		{"node_log_bytes", "Bytes of the node log's segment files (the trees' nodes, live and not yet reclaimed).", false,
			func(s nodelog.Stats) int64 { return s.Bytes }},
		{"node_log_live_bytes", "Bytes of the node log's live records: what it would take after a compaction.", false,
			func(s nodelog.Stats) int64 { return s.LiveBytes }},
		{"node_log_segments", "Segment files of the node log.", false,
			func(s nodelog.Stats) int64 { return int64(s.Segments) }},
		{"node_log_appended_bytes_total", "Bytes appended to the node log since the node started, compaction's copies included.", true,
			func(s nodelog.Stats) int64 { return s.Appended }},
		{"node_log_compacted_bytes_total", "Bytes of live records the node log's compaction copied forward since the node started.", true,
			func(s nodelog.Stats) int64 { return s.Copied }},
	} {
		registerFunc(reg, chainID, m.name, m.help, m.counter, func() float64 { return float64(m.value(st.NodeLogStats())) })
	}
}

// registerFunc registers a metric whose value is read at each scrape.
func registerFunc(reg prometheus.Registerer, chainID, name, help string, counter bool, value func() float64) {
	opts := prometheus.Opts{Namespace: "ledgerd", Name: name, Help: help, ConstLabels: prometheus.Labels{"chain_id": chainID}}
	if counter {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts(opts), value))
	} else {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts(opts), value))
	}
}

// instrumented measures an ABCI application from outside, so that the
// app's deterministic code never reads a clock.
type instrumented struct {
	abci.Application
	m *Metrics
}

func (i instrumented) FinalizeBlock(ctx context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	start := time.Now()
	resp, err := i.Application.FinalizeBlock(ctx, req)
	i.m.blockExec.Observe(time.Since(start).Seconds())
	if err == nil {
		i.m.blockTxs.Observe(float64(len(resp.TxResults)))
		for _, r := range resp.TxResults {
			i.m.txs.WithLabelValues(r.Codespace, strconv.FormatUint(uint64(r.Code), 10)).Inc()
		}
	}
	return resp, err
}

func (i instrumented) Commit(ctx context.Context, req *abci.RequestCommit) (*abci.ResponseCommit, error) {
	start := time.Now()
	resp, err := i.Application.Commit(ctx, req)
	i.m.commit.Observe(time.Since(start).Seconds())
	return resp, err
}

func (i instrumented) CheckTx(ctx context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	resp, err := i.Application.CheckTx(ctx, req)
	if err == nil && resp.Code != abci.CodeTypeOK {
		i.m.checkRejections.WithLabelValues(resp.Codespace, strconv.FormatUint(uint64(resp.Code), 10)).Inc()
	}
	return resp, err
}
