package app_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/app/apptest"
	"github.com/ledgerd/ledgerd/node/appstate"
	nodehistory "github.com/ledgerd/ledgerd/node/history"
	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	"github.com/ledgerd/ledgerd/store"
)

// sameState fails unless a and b hold exactly the same keys and values in
// every store.
func sameState(t *testing.T, what string, names []string, a, b func(name string) store.Reader) {
	t.Helper()
	for _, name := range names {
		var ka, kb [][2][]byte
		store.Each(a(name), nil, nil, false, func(k, v []byte) bool { ka = append(ka, [2][]byte{k, v}); return true })
		store.Each(b(name), nil, nil, false, func(k, v []byte) bool { kb = append(kb, [2][]byte{k, v}); return true })
		for i := range max(len(ka), len(kb)) {
			switch {
			case i >= len(ka):
				t.Fatalf("%s: store %s: key %x only in the second state", what, name, kb[i][0])
			case i >= len(kb):
				t.Fatalf("%s: store %s: key %x only in the first state", what, name, ka[i][0])
			case !bytes.Equal(ka[i][0], kb[i][0]) || !bytes.Equal(ka[i][1], kb[i][1]):
				t.Fatalf("%s: store %s: pair %d differs: %x=%x, %x=%x", what, name, i, ka[i][0], ka[i][1], kb[i][0], kb[i][1])
			}
		}
	}
}

func versionReaders(t *testing.T, st *store.Store, height int64) func(string) store.Reader {
	t.Helper()
	v, err := st.Version(height)
	if err != nil {
		t.Fatal(err)
	}
	return func(name string) store.Reader {
		r, err := v.Reader(name)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
}

// TestExportImport runs the determinism test's seeded mix of every
// module's messages (wallets, governance, credit, collection, settlement)
// for 30 blocks with a history index, exports the state at height 24,
// starts a new chain from that genesis (initial height 25) and checks that
// its state is the exported one key by key, in every store; that its
// history index holds the exported entries, verified; and that the same
// blocks then give both chains the same state, key by key, block after
// block.
func TestExportImport(t *testing.T) {
	t.Parallel()
	const (
		genesisWallets = 6
		exportAt       = 24
		blocks         = 30
	)
	lender := func(g *appstate.State) {
		g.Consortium.Members[0].Roles = append(g.Consortium.Members[0].Roles, "lender")
		g.Wallet.Wallets[genesisWallets-1].Bank = apptest.OtherIssuer
		withAgent(g)
	}
	srcIdx := openIndex(t)
	cfg := app.DefaultConfig(apptest.ChainID)
	src := apptest.New(t, apptest.Options{Config: &cfg, Wallets: genesisWallets, Balance: 1_000_000, EditGenesis: lender})
	defer src.Close()
	g := newTxGen(1, src, genesisWallets, 6)
	var kept [][][]byte // the blocks after the export, to replay on the new chain
	var times []time.Time
	for height := int64(1); height <= blocks; height++ {
		g.now = apptest.BaseTime.Add(time.Duration(height) * 36 * time.Hour)
		var raw [][]byte
		for _, tx := range g.block() {
			raw = append(raw, tx.raw)
		}
		resp := src.FinalizeBlockAt(g.now, raw...)
		src.Commit()
		entries, err := nodehistory.BlockEntries(height, resp)
		if err != nil {
			t.Fatal(err)
		}
		if err := srcIdx.Apply(height, entries); err != nil {
			t.Fatal(err)
		}
		if height > exportAt {
			kept, times = append(kept, raw), append(times, g.now)
		}
	}

	state, err := app.ExportState(src.Store, apptest.ChainID, exportAt, indexSnapshots{Index: srcIdx})
	if err != nil {
		t.Fatal(err)
	}
	if len(state.History) == 0 {
		t.Fatal("no history entries exported")
	}
	appState, err := app.ExportedGenesis(state)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.ValidateGenesis(appState, time.Time{}, nil); err != nil {
		t.Fatalf("exported genesis does not validate: %v", err)
	}

	// The new chain's node.
	st, err := store.Open(store.Options{Dir: t.TempDir()}, app.StoreNames)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	idx := openIndex(t)
	ncfg := app.DefaultConfig(apptest.ChainID)
	ncfg.GenesisAppState = appState
	ncfg.Snapshots = app.SnapshotConfig{Dir: t.TempDir(), History: indexSnapshots{Index: idx}}
	dst, err := app.New(ncfg, st)
	if err != nil {
		t.Fatal(err)
	}
	if idx.Watermark() != exportAt {
		t.Fatalf("new chain's history index at %d, want %d", idx.Watermark(), exportAt)
	}
	ctx := context.Background()
	if _, err := dst.InitChain(ctx, &abci.RequestInitChain{ChainId: apptest.ChainID, AppStateBytes: appState, InitialHeight: 1,
		Time: times[0]}); err == nil {
		t.Fatal("exported genesis started at height 1")
	}
	if _, err := dst.InitChain(ctx, &abci.RequestInitChain{ChainId: apptest.ChainID, AppStateBytes: appState,
		InitialHeight: exportAt + 1, Time: times[0]}); err != nil {
		t.Fatal(err)
	}
	working := st.Working()
	sameState(t, "genesis", app.StoreNames, versionReaders(t, src.Store, exportAt), func(name string) store.Reader {
		for i, n := range app.StoreNames {
			if n == name {
				return working[i]
			}
		}
		t.Fatalf("no store %s", name)
		return nil
	})

	// History: the same entries, as the source's index has them up to the
	// export.
	var want, got []*historyv1.Entry
	srcIdx.ExportEntries(exportAt, func(e *historyv1.Entry) error { want = append(want, e); return nil })
	idx.ExportEntries(exportAt, func(e *historyv1.Entry) error { got = append(got, e); return nil })
	if fmt.Sprint(got) != fmt.Sprint(want) || len(got) != len(state.History) {
		t.Fatalf("new chain's index has %d entries, the source's %d", len(got), len(want))
	}

	for i, raw := range kept {
		height := int64(exportAt + 1 + i)
		resp, err := dst.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: height, Time: times[i], Txs: raw})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dst.Commit(ctx, &abci.RequestCommit{}); err != nil {
			t.Fatal(err)
		}
		if st.LastCommit().Height != height {
			t.Fatalf("new chain committed height %d, want %d", st.LastCommit().Height, height)
		}
		okTxs := 0
		for _, r := range resp.TxResults {
			if r.Code == 0 {
				okTxs++
			}
		}
		t.Logf("height %d: %d of %d txs succeed on the new chain", height, okTxs, len(raw))
		sameState(t, fmt.Sprintf("height %d", height), app.StoreNames, versionReaders(t, src.Store, height), versionReaders(t, st, height))
	}
}
