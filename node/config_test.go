package node_test

import (
	"path/filepath"
	"testing"

	"github.com/spf13/pflag"

	"github.com/ledgerd/ledgerd/node"
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
