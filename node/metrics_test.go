package node

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ledgerd/ledgerd/store"
)

// TestStoreMetricsReportTheEncodedNodeCache: a scrape reads the encoded
// node cache's figures from the store at that moment.
func TestStoreMetricsReportTheEncodedNodeCache(t *testing.T) {
	st, err := store.Open(store.Options{InMemory: true, CacheNodes: 4, EncodedCacheMB: 1}, []string{"wallets"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	reg := prometheus.NewRegistry()
	RegisterStoreMetrics(reg, "test-chain", st)

	scrape := func() map[string]float64 { return scrapeMetrics(t, reg) }
	if got := scrape(); len(got) != 9 || got["ledgerd_encoded_node_cache_entries"] != 0 || got["ledgerd_node_log_bytes"] != 0 {
		t.Fatalf("before any write: %v", got)
	}

	b := store.NewBranch(st.Names(), st.Working())
	for i := range 50 {
		b.KV("wallets").Set([]byte{byte(i)}, []byte("balance"))
	}
	st.Apply(b)
	if _, err := st.Commit(); err != nil { // the first commit spills the tree's node cache
		t.Fatal(err)
	}
	s := st.EncodedCacheStats()
	got := scrape()
	if s.Entries == 0 || got["ledgerd_encoded_node_cache_entries"] != float64(s.Entries) ||
		got["ledgerd_encoded_node_cache_bytes"] != float64(s.Bytes) ||
		got["ledgerd_encoded_node_cache_hits_total"] != float64(s.Hits) ||
		got["ledgerd_encoded_node_cache_misses_total"] != float64(s.Misses) {
		t.Fatalf("scraped %v, the store reports %+v", got, s)
	}
}

// TestStoreMetricsReportTheNodeLog: a scrape reads the node log's sizes
// and counters from an on-disk store.
func TestStoreMetricsReportTheNodeLog(t *testing.T) {
	st, err := store.Open(store.Options{Dir: t.TempDir()}, []string{"wallets"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	reg := prometheus.NewRegistry()
	RegisterStoreMetrics(reg, "test-chain", st)
	b := store.NewBranch(st.Names(), st.Working())
	for i := range 50 {
		b.KV("wallets").Set([]byte{byte(i)}, []byte("balance"))
	}
	st.Apply(b)
	if _, err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	got := scrapeMetrics(t, reg)
	s := st.NodeLogStats()
	if s.LiveRecords < 50 || got["ledgerd_node_log_bytes"] != float64(s.Bytes) ||
		got["ledgerd_node_log_live_bytes"] != float64(s.LiveBytes) ||
		got["ledgerd_node_log_segments"] != float64(s.Segments) ||
		got["ledgerd_node_log_appended_bytes_total"] != float64(s.Appended) || s.Appended == 0 ||
		got["ledgerd_node_log_compacted_bytes_total"] != float64(s.Copied) {
		t.Fatalf("scraped %v, the store reports %+v", got, s)
	}
}

// scrapeMetrics gathers reg's metrics by name, checking each carries the
// test's chain id.
func scrapeMetrics(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			if m.GetLabel()[0].GetValue() != "test-chain" {
				t.Fatalf("%s: labels %v", f.GetName(), m.GetLabel())
			}
			got[f.GetName()] = m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return got
}
