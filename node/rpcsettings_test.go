package node_test

import (
	"strings"
	"testing"

	cmtcfg "github.com/cometbft/cometbft/config"

	"github.com/ledgerd/ledgerd/node"
)

// TestInitWritesProductionRPC: ledgerd init's config.toml carries the
// production RPC settings, and the start-time check finds nothing in them;
// it names each unsafe departure.
func TestInitWritesProductionRPC(t *testing.T) {
	home := t.TempDir()
	if _, err := node.Init(node.InitOptions{Home: home, ChainID: "rpc-test", Moniker: "bank-a", Passphrase: "pw", LightScrypt: true}); err != nil {
		t.Fatal(err)
	}
	cfg, err := node.LoadCometConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.RPC
	if r.Unsafe || len(r.CORSAllowedOrigins) != 0 || r.ListenAddress != "tcp://127.0.0.1:26657" || r.MaxOpenConnections != 900 ||
		r.MaxBodyBytes != 1_000_000 || r.MaxRequestBatchSize != 10 || r.GRPCListenAddress != "" || r.PprofListenAddress != "" {
		t.Fatalf("init's RPC settings: %+v", r)
	}
	if w := node.RPCWarnings(r); len(w) != 0 {
		t.Fatalf("warnings about init's own settings: %v", w)
	}

	bad := cmtcfg.DefaultRPCConfig()
	bad.Unsafe = true
	bad.CORSAllowedOrigins = []string{"*"}
	bad.ListenAddress = "tcp://0.0.0.0:26657"
	bad.MaxOpenConnections = 0
	bad.MaxBodyBytes = 0
	w := strings.Join(node.RPCWarnings(bad), "\n")
	for _, want := range []string{"rpc.unsafe", "cors_allowed_origins", "0.0.0.0:26657", "max_open_connections", "max_body_bytes"} {
		if !strings.Contains(w, want) {
			t.Errorf("no warning about %s in:\n%s", want, w)
		}
	}
	for _, addr := range []string{"tcp://127.0.0.1:26657", "localhost:6060", "unix:///run/ledgerd.sock", "tcp://[::1]:26657"} {
		c := cmtcfg.DefaultRPCConfig()
		c.ListenAddress = addr
		if w := node.RPCWarnings(c); len(w) != 0 {
			t.Errorf("%s: %v", addr, w)
		}
	}
}
