package node

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestConfigureStateSync checks that ledgerd statesync's settings reach
// config.toml and that incomplete ones are refused before anything is
// written.
func TestConfigureStateSync(t *testing.T) {
	home := t.TempDir()
	if _, err := Init(InitOptions{Home: home, ChainID: "sync-chain", Moniker: "bank-5", Passphrase: "p", LightScrypt: true}); err != nil {
		t.Fatal(err)
	}
	servers := []string{"tcp://10.0.0.1:26657", "tcp://10.0.0.2:26657"}
	hash := strings.Repeat("ab", 32)
	ctx := context.Background()
	for _, bad := range []StateSyncOptions{
		{RPCServers: servers[:1], TrustHeight: 5, TrustHash: hash},
		{RPCServers: servers, TrustHeight: 5},
		{RPCServers: servers, TrustHeight: 5, TrustHash: "xyz"},
	} {
		if _, err := ConfigureStateSync(ctx, home, bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	cfg, err := LoadCometConfig(home)
	if err != nil || cfg.StateSync.Enable {
		t.Fatalf("refused settings were written: %v", err)
	}
	if _, err := ConfigureStateSync(ctx, home, StateSyncOptions{RPCServers: servers, TrustHeight: 1234, TrustHash: hash,
		TrustPeriod: 72 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	cfg, err = LoadCometConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.StateSync
	if !s.Enable || s.TrustHeight != 1234 || s.TrustHash != strings.ToUpper(hash) || s.TrustPeriod != 72*time.Hour ||
		strings.Join(s.RPCServers, ",") != strings.Join(servers, ",") || !cfg.FilterPeers {
		t.Fatalf("config.toml statesync %+v, filter_peers %v", s, cfg.FilterPeers)
	}
}
