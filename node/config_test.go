package node_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/ledgerd/ledgerd/node"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/store/nodelog"
)

func TestHistoryConfig(t *testing.T) {
	home := t.TempDir()
	if err := node.WriteConfig(home, node.DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	c, err := node.LoadConfig(home, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c.History.Enabled || node.HistoryDir(home, c) != filepath.Join(home, "data", "history.db") {
		t.Fatalf("written defaults read back as %+v, dir %s", c.History, node.HistoryDir(home, c))
	}

	t.Setenv("LEDGERD_HISTORY_ENABLED", "false")
	fs := pflag.NewFlagSet("start", pflag.ContinueOnError)
	node.ConfigFlags(fs)
	if err := fs.Parse([]string{"--history.dir", "/srv/ledgerd/history"}); err != nil {
		t.Fatal(err)
	}
	if c, err = node.LoadConfig(home, fs); err != nil {
		t.Fatal(err)
	}
	if c.History.Enabled || node.HistoryDir(home, c) != "/srv/ledgerd/history" {
		t.Fatalf("environment and flag overrides: %+v", c.History)
	}

	c.History = node.HistoryConfig{Enabled: true}
	if err := c.Validate(); err == nil {
		t.Fatal("enabled history index without a directory accepted")
	}
}

// TestQueryConfig: the query budget's written defaults read back, a flag
// overrides one, and settings that cannot work are refused.
func TestQueryConfig(t *testing.T) {
	home := t.TempDir()
	if err := node.WriteConfig(home, node.DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	c, err := node.LoadConfig(home, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Query != node.DefaultConfig().Query || c.Query.TimePerSecond != node.DefaultQueryTimePerSecond {
		t.Fatalf("written defaults read back as %+v", c.Query)
	}
	fs := pflag.NewFlagSet("start", pflag.ContinueOnError)
	node.ConfigFlags(fs)
	if err := fs.Parse([]string{"--query.time_per_second", "400ms"}); err != nil {
		t.Fatal(err)
	}
	if c, err = node.LoadConfig(home, fs); err != nil || c.Query.TimePerSecond != 400*time.Millisecond {
		t.Fatalf("flag override: %+v, %v", c.Query, err)
	}
	for name, edit := range map[string]func(q *node.QueryConfig){
		"no time":            func(q *node.QueryConfig) { q.TimePerSecond = 0 },
		"more than a core":   func(q *node.QueryConfig) { q.TimePerSecond, q.Burst = 2*time.Second, 2*time.Second },
		"burst below rate":   func(q *node.QueryConfig) { q.Burst = q.TimePerSecond / 2 },
		"no pending":         func(q *node.QueryConfig) { q.MaxPending = 0 },
		"negative overhead":  func(q *node.QueryConfig) { q.RPCOverhead = -1 },
		"a minute's refusal": func(q *node.QueryConfig) { q.RefusalDelay = time.Minute },
	} {
		bad := node.DefaultConfig()
		edit(&bad.Query)
		if err := bad.Validate(); err == nil {
			t.Errorf("%s: %+v accepted", name, bad.Query)
		}
	}
}

// TestValueCacheConfig: a ledgerd.toml written before the setting existed
// gets the default; a cache of no entries is refused.
func TestValueCacheConfig(t *testing.T) {
	home, _ := olderConfig(t, "value_cache_entries")
	c, err := node.LoadConfig(home, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Store.Options(home).ValueCacheEntries; got != store.DefaultValueCacheEntries {
		t.Fatalf("an older config gives %d entries, want the default %d", got, store.DefaultValueCacheEntries)
	}
	c.Store.ValueCacheEntries = 0
	if err := c.Validate(); err == nil {
		t.Fatal("store.value_cache_entries = 0 accepted")
	}
}

// TestEncodedNodeCacheConfig: a ledgerd.toml written before the setting
// existed gets the default; 0 turns the cache off; a negative size is
// refused.
func TestEncodedNodeCacheConfig(t *testing.T) {
	home, _ := olderConfig(t, "encoded_node_cache_mb")
	c, err := node.LoadConfig(home, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Store.Options(home).EncodedCacheMB, node.DefaultConfig().Store.EncodedNodeCacheMB; got != want || want == 0 {
		t.Fatalf("an older config gives %d MiB, want the default %d", got, want)
	}
	c.Store.EncodedNodeCacheMB = 0
	if err := c.Validate(); err != nil {
		t.Fatalf("store.encoded_node_cache_mb = 0 (none) refused: %v", err)
	}
	c.Store.EncodedNodeCacheMB = -1
	if err := c.Validate(); err == nil {
		t.Fatal("store.encoded_node_cache_mb = -1 accepted")
	}
}

// TestHeapSwitchesConfig: app.heap_huge_pages and app.heap_pretouch are
// on by default, written and read back; an older ledgerd.toml without the
// line gets them on; the environment and a flag turn them off.
func TestHeapSwitchesConfig(t *testing.T) {
	for _, sw := range []struct {
		key string
		on  func(node.AppConfig) bool
	}{
		{"heap_huge_pages", func(c node.AppConfig) bool { return c.HeapHugePages }},
		{"heap_pretouch", func(c node.AppConfig) bool { return c.HeapPretouch }},
	} {
		t.Run(sw.key, func(t *testing.T) {
			home, written := olderConfig(t, sw.key)
			if !regexp.MustCompile(`(?m)^` + sw.key + ` = true$`).Match(written) {
				t.Fatalf("the written config has no %s = true line", sw.key)
			}
			c, err := node.LoadConfig(home, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !sw.on(c.App) {
				t.Fatalf("an older config turns %s off", sw.key)
			}

			env := "LEDGERD_APP_" + strings.ToUpper(sw.key)
			t.Setenv(env, "false")
			if c, err = node.LoadConfig(home, nil); err != nil {
				t.Fatal(err)
			}
			if sw.on(c.App) {
				t.Fatalf("%s=false left it on", env)
			}
			t.Setenv(env, "true")
			fs := pflag.NewFlagSet("start", pflag.ContinueOnError)
			node.ConfigFlags(fs)
			if err := fs.Parse([]string{"--app." + sw.key + "=false"}); err != nil {
				t.Fatal(err)
			}
			if c, err = node.LoadConfig(home, fs); err != nil {
				t.Fatal(err)
			}
			if sw.on(c.App) {
				t.Fatalf("--app.%s=false left it on", sw.key)
			}
		})
	}
}

// olderConfig writes the default ledgerd.toml into a new home, then takes
// out the line of key, as in a file written before the setting existed. It
// returns the home and the file as first written.
func olderConfig(t *testing.T, key string) (home string, written []byte) {
	t.Helper()
	home = t.TempDir()
	if err := node.WriteConfig(home, node.DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	path := node.ConfigPath(home)
	written, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	older := regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(key)+` = .*\n`).ReplaceAll(written, nil)
	if bytes.Equal(older, written) {
		t.Fatalf("the written config has no %s line", key)
	}
	if err := os.WriteFile(path, older, 0o600); err != nil {
		t.Fatal(err)
	}
	return home, written
}

// TestNodeLogConfig: a ledgerd.toml written before the segment setting
// existed gets the default size; sizes out of range are refused; a node
// that keeps every version keeps its trees' nodes in Badger, one that
// prunes in the node log.
func TestNodeLogConfig(t *testing.T) {
	home, _ := olderConfig(t, "node_log_segment_kib")
	c, err := node.LoadConfig(home, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Store.Options(home).NodeLogSegmentSize; got != nodelog.DefaultSegmentSize {
		t.Fatalf("an older config gives segments of %d bytes, want the default %d", got, nodelog.DefaultSegmentSize)
	}
	for _, kib := range []int64{node.MinNodeLogSegmentKiB - 1, node.MaxNodeLogSegmentKiB + 1} {
		c.Store.NodeLogSegmentKiB = kib
		if err := c.Validate(); err == nil {
			t.Fatalf("store.node_log_segment_kib = %d accepted", kib)
		}
	}
	c.Store.NodeLogSegmentKiB = node.MinNodeLogSegmentKiB
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.Store.KeepRecent = 0
	if !c.Store.Options(home).NodesInBadger {
		t.Fatal("an archive node (keep_recent 0) puts its nodes in the node log, whose index in memory grows with the chain")
	}
	c.Store.KeepRecent = 100
	if c.Store.Options(home).NodesInBadger {
		t.Fatal("a pruning node keeps its nodes in Badger")
	}
}
