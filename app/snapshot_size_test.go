package app_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/app/apptest"
	"github.com/ledgerd/ledgerd/store"
)

// TestSnapshotJoinTime measures, for a state of LEDGERD_SNAPSHOT_WALLETS
// funded wallets on disk, the two parts of a state-sync join that grow
// with the state: writing a snapshot, and restoring it on an empty node
// (chunk checks, IAVL import, app hash check). docs/operations.md quotes
// it. Skipped unless the variable is set:
//
//	LEDGERD_SNAPSHOT_WALLETS=1000000 go test ./app -run TestSnapshotJoinTime -v -timeout 60m
func TestSnapshotJoinTime(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("LEDGERD_SNAPSHOT_WALLETS"))
	if n == 0 {
		t.Skip("set LEDGERD_SNAPSHOT_WALLETS to measure")
	}
	dir := t.TempDir()
	cfg := app.DefaultConfig(apptest.ChainID)
	cfg.Snapshots = app.SnapshotConfig{Dir: dir + "/snapshots", Interval: 1, Log: func(msg string, kv ...any) { t.Log(append([]any{msg}, kv...)...) }}
	start := time.Now()
	src := apptest.New(t, apptest.Options{Dir: dir + "/src", Wallets: n, Balance: 1_000, Config: &cfg,
		Store: store.Options{CacheNodes: 500_000}})
	defer src.Close()
	src.Block()
	t.Logf("%d wallets: genesis and block 1 in %s", n, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	src.App.WaitSnapshots()
	snaps := listSnapshots(t, src.App)
	if len(snaps) != 1 {
		t.Fatalf("snapshots: %v", snaps)
	}
	snap := snaps[0]
	var bytes int
	for i := uint32(0); i < snap.Chunks; i++ {
		c, _ := src.App.LoadSnapshotChunk(context.Background(), &abci.RequestLoadSnapshotChunk{Height: snap.Height, Format: snap.Format, Chunk: i})
		bytes += len(c.Chunk)
	}
	t.Logf("snapshot written in %s: %d chunks, %.1f MB", time.Since(start).Round(time.Millisecond), snap.Chunks, float64(bytes)/1e6)

	st, err := store.Open(store.Options{Dir: dir + "/dst"}, app.StoreNames)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dcfg := app.DefaultConfig(apptest.ChainID)
	dcfg.Snapshots = app.SnapshotConfig{Dir: dir + "/dst-snapshots"}
	dst, err := app.New(dcfg, st)
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	if r := offerAndApply(t, src.App, dst, snap, src.AppHash()); r != abci.ResponseApplySnapshotChunk_ACCEPT {
		t.Fatalf("restore: %v", r)
	}
	t.Logf("restored (chunks read, checked, imported, app hash verified) in %s", time.Since(start).Round(time.Millisecond))
}
