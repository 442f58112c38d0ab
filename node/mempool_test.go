package node

import (
	"strings"
	"testing"

	cmtcfg "github.com/cometbft/cometbft/config"
)

func TestAppMempoolConfig(t *testing.T) {
	cfg := cmtcfg.DefaultConfig()
	if err := SetMempool(cfg.Mempool, ""); err != nil || cfg.Mempool.Type != cmtcfg.MempoolTypeFlood {
		t.Fatalf("SetMempool default: %v, type %q", err, cfg.Mempool.Type)
	}
	if err := SetMempool(cfg.Mempool, "app"); err != nil || cfg.Mempool.Type != cmtcfg.MempoolTypeApp || cfg.Mempool.CheckTxRetryDelay != appMempoolRetryDelay {
		t.Fatalf("SetMempool app: %v, type %q, retry delay %s", err, cfg.Mempool.Type, cfg.Mempool.CheckTxRetryDelay)
	}
	m, err := appMempool(cfg)
	if err != nil || m.MaxTxs != cfg.Mempool.Size || m.MaxBytes != cfg.Mempool.MaxTxsBytes {
		t.Fatalf("app mempool: %+v, %v", m, err)
	}
	if err := cfg.ValidateBasic(); err != nil {
		t.Fatalf("CometBFT refuses what --mempool app writes: %v", err)
	}

	cfg.Consensus.CreateEmptyBlocks = false
	if _, err := appMempool(cfg); err == nil || !strings.Contains(err.Error(), "create_empty_blocks") {
		t.Fatalf("app mempool without empty blocks: %v", err)
	}
	cfg.Consensus.CreateEmptyBlocks = true

	if err := SetMempool(cfg.Mempool, "flood"); err != nil {
		t.Fatal(err)
	}
	if m, err := appMempool(cfg); err != nil || m.MaxTxs != 0 {
		t.Fatalf("flood mempool: the app keeps %+v, %v", m, err)
	}
	cfg.Mempool.Type = cmtcfg.MempoolTypeNop
	if _, err := appMempool(cfg); err == nil {
		t.Fatal("nop mempool accepted")
	}
	if err := SetMempool(cfg.Mempool, "priority"); err == nil {
		t.Fatal("SetMempool accepted an unknown kind")
	}
}
