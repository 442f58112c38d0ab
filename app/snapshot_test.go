package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/app/apptest"
	nodehistory "github.com/ledgerd/ledgerd/node/history"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// indexSnapshots is the node's adapter of a history index to the app's
// snapshots (node.historySnapshots), with an optional tamper applied to the
// entries it exports: a node offering a forged snapshot.
type indexSnapshots struct {
	*nodehistory.Index
	tamper func(*historyv1.Entry) *historyv1.Entry // nil drops the entry
}

func (s indexSnapshots) ExportEntries(height int64, fn func(*historyv1.Entry) error) error {
	return s.Index.ExportEntries(height, func(e *historyv1.Entry) error {
		if s.tamper != nil {
			if e = s.tamper(e); e == nil {
				return nil
			}
		}
		return fn(e)
	})
}

func (s indexSnapshots) RestoreEntries(height int64) (app.HistoryRestore, error) {
	return s.Index.RestoreEntries(height)
}

func openIndex(t *testing.T) *nodehistory.Index {
	t.Helper()
	idx, err := nodehistory.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	return idx
}

// snapshotSource runs six blocks of wallet traffic on an app taking a
// snapshot every 3 blocks in small chunks, its history index fed from the
// blocks as the node's recorder does; tamper forges the index's exports.
func snapshotSource(t *testing.T, tamper func(*historyv1.Entry) *historyv1.Entry) (*chain, *nodehistory.Index, [][]byte) {
	t.Helper()
	idx := openIndex(t)
	cfg := app.DefaultConfig(apptest.ChainID)
	cfg.Snapshots = app.SnapshotConfig{Dir: t.TempDir(), Interval: 3, KeepRecent: 2, ChunkBytes: 700,
		History: indexSnapshots{Index: idx, tamper: tamper}}
	c := newChain(t, apptest.Options{Wallets: 3, Balance: 1000, Config: &cfg})
	issuer := c.IssuerKey()
	alice, bob := c.WalletKey(10), c.WalletKey(11)
	a, b := apptest.Address(alice), apptest.Address(bob)
	g0 := apptest.Address(c.WalletKey(0))
	var txs [][]byte
	run := func(block ...[]byte) {
		mustOK(t, c.block(block...))
		entries, err := nodehistory.BlockEntries(c.Height(), c.last)
		if err != nil {
			t.Fatal(err)
		}
		if err := idx.Apply(c.Height(), entries); err != nil {
			t.Fatal(err)
		}
		// One snapshot at a time: a block at the next interval skips its
		// own while one is still being written.
		c.App.WaitSnapshots()
	}
	run(c.tx(issuer, apptest.OpenWallet(a)), c.tx(issuer, apptest.OpenWallet(b)))
	run(c.tx(issuer, apptest.Deposit(a, 5000, "d-1")))
	run(c.tx(alice, apptest.Transfer(b, 700)))
	run(c.tx(bob, apptest.Transfer(g0, 100)))
	run(c.tx(issuer, apptest.Deposit(b, 20, "d-2")))
	run(c.tx(alice, apptest.Transfer(g0, 1)), c.tx(c.WalletKey(1), apptest.Transfer(a, 3)))
	txs = append(txs, c.tx(bob, apptest.Transfer(a, 5)))
	c.App.WaitSnapshots()
	return c, idx, txs
}

// emptyApp is a new node's app: nothing committed, no InitChain.
func emptyApp(t *testing.T, idx *nodehistory.Index) (*app.App, *store.Store) {
	t.Helper()
	st, err := store.Open(store.Options{InMemory: true}, app.StoreNames)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := app.DefaultConfig(apptest.ChainID)
	cfg.Snapshots = app.SnapshotConfig{Dir: t.TempDir(), History: indexSnapshots{Index: idx}, Log: func(msg string, kv ...any) { t.Log(append([]any{msg}, kv...)...) }}
	a, err := app.New(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	return a, st
}

func listSnapshots(t *testing.T, a *app.App) []*abci.Snapshot {
	t.Helper()
	resp, err := a.ListSnapshots(context.Background(), &abci.RequestListSnapshots{})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Snapshots
}

// offerAndApply offers snap with trusted app hash appHash to dst and
// feeds it every chunk from src, returning the last chunk's result.
func offerAndApply(t *testing.T, src, dst *app.App, snap *abci.Snapshot, appHash []byte) abci.ResponseApplySnapshotChunk_Result {
	t.Helper()
	ctx := context.Background()
	offer, err := dst.OfferSnapshot(ctx, &abci.RequestOfferSnapshot{Snapshot: snap, AppHash: appHash})
	if err != nil || offer.Result != abci.ResponseOfferSnapshot_ACCEPT {
		t.Fatalf("offer: %v %v", offer, err)
	}
	var last abci.ResponseApplySnapshotChunk_Result
	for i := uint32(0); i < snap.Chunks; i++ {
		chunk, err := src.LoadSnapshotChunk(ctx, &abci.RequestLoadSnapshotChunk{Height: snap.Height, Format: snap.Format, Chunk: i})
		if err != nil || len(chunk.Chunk) == 0 {
			t.Fatalf("chunk %d: %v", i, err)
		}
		resp, err := dst.ApplySnapshotChunk(ctx, &abci.RequestApplySnapshotChunk{Index: i, Chunk: chunk.Chunk, Sender: "peer"})
		if err != nil {
			t.Fatal(err)
		}
		if last = resp.Result; i+1 < snap.Chunks && last != abci.ResponseApplySnapshotChunk_ACCEPT {
			t.Fatalf("chunk %d: %v", i, resp)
		}
	}
	return last
}

// TestStateSyncSnapshot takes snapshots on one app and restores the newest
// on an empty one, as CometBFT's state sync drives them: a corrupt chunk is
// refetched from another peer, the restored state has the trusted app
// hash, its history index answers what the source's does, and the next
// block gives both the same app hash.
func TestStateSyncSnapshot(t *testing.T) {
	t.Parallel()
	c, srcIdx, next := snapshotSource(t, nil)
	snaps := listSnapshots(t, c.App)
	if len(snaps) != 2 || snaps[0].Height != 6 || snaps[1].Height != 3 || snaps[0].Chunks < 3 {
		t.Fatalf("snapshots %v, want heights 6 and 3 in several chunks", snaps)
	}
	v6, err := c.Store.Version(6)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	idx := openIndex(t)
	dst, st := emptyApp(t, idx)
	snap := snaps[0]

	if r, _ := dst.OfferSnapshot(ctx, &abci.RequestOfferSnapshot{Snapshot: &abci.Snapshot{Height: 6, Format: 9}, AppHash: v6.AppHash()}); r.Result != abci.ResponseOfferSnapshot_REJECT_FORMAT {
		t.Fatalf("format 9: %v", r)
	}
	forged := *snap
	forged.Hash = bytes.Repeat([]byte{1}, 32)
	if r, _ := dst.OfferSnapshot(ctx, &abci.RequestOfferSnapshot{Snapshot: &forged, AppHash: v6.AppHash()}); r.Result != abci.ResponseOfferSnapshot_REJECT {
		t.Fatalf("hash not matching the metadata: %v", r)
	}

	if r, err := dst.OfferSnapshot(ctx, &abci.RequestOfferSnapshot{Snapshot: snap, AppHash: v6.AppHash()}); err != nil || r.Result != abci.ResponseOfferSnapshot_ACCEPT {
		t.Fatalf("offer: %v %v", r, err)
	}
	for i := uint32(0); i < snap.Chunks; i++ {
		chunk, err := c.App.LoadSnapshotChunk(ctx, &abci.RequestLoadSnapshotChunk{Height: 6, Format: snap.Format, Chunk: i})
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			bad := bytes.Clone(chunk.Chunk)
			bad[len(bad)/2] ^= 1
			r, err := dst.ApplySnapshotChunk(ctx, &abci.RequestApplySnapshotChunk{Index: i, Chunk: bad, Sender: "liar"})
			if err != nil || r.Result != abci.ResponseApplySnapshotChunk_RETRY || len(r.RefetchChunks) != 1 || r.RefetchChunks[0] != 1 || r.RejectSenders[0] != "liar" {
				t.Fatalf("corrupt chunk: %v %v", r, err)
			}
		}
		r, err := dst.ApplySnapshotChunk(ctx, &abci.RequestApplySnapshotChunk{Index: i, Chunk: chunk.Chunk, Sender: "honest"})
		if err != nil || r.Result != abci.ResponseApplySnapshotChunk_ACCEPT {
			t.Fatalf("chunk %d: %v %v", i, r, err)
		}
	}
	info, err := dst.Info(ctx, &abci.RequestInfo{})
	if err != nil || info.LastBlockHeight != 6 || !bytes.Equal(info.LastBlockAppHash, v6.AppHash()) || info.AppVersion != app.Version {
		t.Fatalf("restored app: %v %v", info, err)
	}
	if idx.Watermark() != 6 {
		t.Fatalf("restored history index at %d", idx.Watermark())
	}
	for _, w := range []int{10, 11, 0, 1} {
		owner := apptest.Address(c.WalletKey(w))
		req := &historyv1.Request{Subject: wallet.HistorySubject, Id: owner[:], Limit: 100}
		got, err := idx.Query(req)
		if err != nil {
			t.Fatal(err)
		}
		want, err := srcIdx.Query(req)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Entries) == 0 || len(got.Entries) != len(want.Entries) {
			t.Fatalf("wallet %d: %d entries restored, the source has %d", w, len(got.Entries), len(want.Entries))
		}
	}

	// The next block on both.
	resp := c.FinalizeBlock(next...)
	c.Commit()
	dresp, err := dst.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Height: 7, Time: c.LastTime(), Txs: next})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dst.Commit(ctx, &abci.RequestCommit{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(dresp.AppHash, resp.AppHash) || dresp.TxResults[0].Code != 0 {
		t.Fatalf("block 7: restored app %X (%v), source %X", dresp.AppHash, dresp.TxResults[0], resp.AppHash)
	}
	if st.LastCommit().Height != 7 {
		t.Fatalf("restored store at %d", st.LastCommit().Height)
	}
	// The restored node refuses a second snapshot: it has state.
	if r, _ := dst.OfferSnapshot(ctx, &abci.RequestOfferSnapshot{Snapshot: snap, AppHash: v6.AppHash()}); r.Result != abci.ResponseOfferSnapshot_ABORT {
		t.Fatalf("offer to a node with state: %v", r)
	}
}

// TestStateSyncRejectsForgedSnapshots checks that a snapshot whose chunks
// match its own metadata but whose content is false is rejected, and the
// node left empty for the next one: a state that is not the light client's
// app hash, a history entry altered, and a wallet's history left out.
func TestStateSyncRejectsForgedSnapshots(t *testing.T) {
	t.Parallel()
	c, _, _ := snapshotSource(t, nil)
	snap := listSnapshots(t, c.App)[0]
	v6, err := c.Store.Version(int64(snap.Height))
	if err != nil {
		t.Fatal(err)
	}
	idx := openIndex(t)
	dst, st := emptyApp(t, idx)
	wrong := bytes.Repeat([]byte{7}, 32)
	if r := offerAndApply(t, c.App, dst, snap, wrong); r != abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT {
		t.Fatalf("state under another app hash: %v", r)
	}
	if st.LastCommit().Height != 0 || idx.Watermark() != 0 {
		t.Fatalf("rejected snapshot left height %d, index %d", st.LastCommit().Height, idx.Watermark())
	}

	alice := apptest.Address(c.WalletKey(10))
	for name, tamper := range map[string]func(*historyv1.Entry) *historyv1.Entry{
		"altered entry": func(e *historyv1.Entry) *historyv1.Entry {
			if bytes.Equal(e.Id, alice[:]) && e.Seq == 2 {
				e.Data = append(bytes.Clone(e.Data), 0)
			}
			return e
		},
		"wallet left out": func(e *historyv1.Entry) *historyv1.Entry {
			if bytes.Equal(e.Id, alice[:]) {
				return nil
			}
			return e
		},
	} {
		forger, _, _ := snapshotSource(t, tamper)
		snap := listSnapshots(t, forger.App)[0]
		if r := offerAndApply(t, forger.App, dst, snap, v6.AppHash()); r != abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT {
			t.Fatalf("%s: %v", name, r)
		}
		if st.LastCommit().Height != 0 || idx.Watermark() != 0 {
			t.Fatalf("%s: rejected snapshot left height %d, index %d", name, st.LastCommit().Height, idx.Watermark())
		}
		if got, _ := idx.Query(&historyv1.Request{Subject: wallet.HistorySubject, Id: alice[:], Limit: 10}); len(got.GetEntries()) != 0 {
			t.Fatalf("%s: rejected snapshot left entries", name)
		}
	}
	// The honest snapshot still restores after all that.
	if r := offerAndApply(t, c.App, dst, snap, v6.AppHash()); r != abci.ResponseApplySnapshotChunk_ACCEPT {
		t.Fatalf("honest snapshot after rejections: %v", r)
	}
	if !bytes.Equal(st.LastCommit().AppHash, v6.AppHash()) {
		t.Fatal("restored another state")
	}
}

// TestStateSyncPeerFilter checks that a node with no state and no
// InitChain (one joining by state sync) admits the genesis members' nodes
// and refuses others, from the genesis file, until its snapshot is
// restored; and without a genesis admits no one. A genesis that names a
// wallets file the node does not have (it needs none to join by state
// sync) filters as well.
func TestStateSyncPeerFilter(t *testing.T) {
	t.Parallel()
	appState, err := apptest.BuildGenesis(apptest.Options{Wallets: 1, Balance: 1}).JSON()
	if err != nil {
		t.Fatal(err)
	}
	walletsFile := filepath.Join(t.TempDir(), "w.jsonl")
	withFile, err := apptest.BuildGenesis(apptest.Options{Wallets: 1, Balance: 1, WalletsFile: walletsFile}).JSON()
	if err != nil {
		t.Fatal(err)
	}
	// A later section that checks a record of the file: a credit product
	// whose treasury is the file's wallet. The filter loads the genesis
	// without the file, so it must not load that section either.
	withTreasuryInFile := genesisWithTreasury(t, withFile, walletsFile)
	for _, genesis := range [][]byte{appState, withFile, withTreasuryInFile, nil} {
		withGenesis := genesis != nil
		st, err := store.Open(store.Options{InMemory: true}, app.StoreNames)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		cfg := app.DefaultConfig(apptest.ChainID)
		if withGenesis {
			cfg.GenesisAppState, cfg.GenesisTime = genesis, apptest.BaseTime
		}
		a, err := app.New(cfg, st)
		if err != nil {
			t.Fatal(err)
		}
		query := func(id string) *abci.ResponseQuery {
			r, err := a.Query(context.Background(), &abci.RequestQuery{Path: app.QueryPeerFilterID + id})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		member, stranger := query("0123456789abcdef0123456789abcdef01234567"), query("fedcba9876543210fedcba9876543210fedcba98")
		if withGenesis && (member.Code != 0 || stranger.Code == 0) {
			t.Fatalf("with the genesis: member %v, stranger %v", member, stranger)
		}
		if !withGenesis && (member.Code == 0 || stranger.Code == 0) {
			t.Fatalf("without a genesis: member %v, stranger %v", member, stranger)
		}
	}
}

// genesisWithTreasury is appState with a credit product of the issuer
// whose treasury is the first wallet of walletsFile (JSON, one a line).
func genesisWithTreasury(t *testing.T, appState []byte, walletsFile string) []byte {
	t.Helper()
	b, err := os.ReadFile(walletsFile)
	if err != nil {
		t.Fatal(err)
	}
	var first wallet.GenesisWallet
	if err := json.Unmarshal(bytes.SplitN(b, []byte("\n"), 2)[0], &first); err != nil {
		t.Fatal(err)
	}
	product, err := protojson.Marshal(&creditv1.Product{Lender: apptest.Issuer, Id: "cash", Name: "cash", Terms: &creditv1.Terms{
		Kind: creditv1.LineKind_LINE_KIND_REVOLVING, Denom: apptest.Denom, RateBps: 1500, PenaltyRateBps: 700,
		Method: creditv1.Method_METHOD_EQUAL_PRINCIPAL, Accrual: creditv1.Accrual_ACCRUAL_DAILY, Basis: 365, TermMonths: 3,
		GraceDays: 1, AutodebitRetryDays: 1, Treasury: common.HexToAddress(first.Owner).Bytes()},
		MinLimit: 1_000, MaxLimit: 500_000, MinTermMonths: 1, MaxTermMonths: 6, MaxRateBps: 1500})
	if err != nil {
		t.Fatal(err)
	}
	var sections map[string]json.RawMessage
	if err := json.Unmarshal(appState, &sections); err != nil {
		t.Fatal(err)
	}
	sections["credit"] = json.RawMessage(`{"products":[` + string(product) + `]}`)
	// The issuer lends too.
	var consortium map[string]any
	if err := json.Unmarshal(sections["consortium"], &consortium); err != nil {
		t.Fatal(err)
	}
	for _, m := range consortium["members"].([]any) {
		if m := m.(map[string]any); m["id"] == apptest.Issuer {
			m["roles"] = append(m["roles"].([]any), "lender")
		}
	}
	if sections["consortium"], err = json.Marshal(consortium); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(sections)
	if err != nil {
		t.Fatal(err)
	}
	// InitChain, with the file, takes it.
	if _, err := app.ValidateGenesis(out, apptest.BaseTime, os.DirFS(filepath.Dir(walletsFile))); err != nil {
		t.Fatalf("the genesis with a treasury in the wallets file: %v", err)
	}
	return out
}

// TestStopSnapshots checks that stopping gives up a snapshot still
// waiting (here for a history index that never catches up) at once,
// leaving no snapshot behind.
func TestStopSnapshots(t *testing.T) {
	t.Parallel()
	cfg := app.DefaultConfig(apptest.ChainID)
	cfg.Snapshots = app.SnapshotConfig{Dir: t.TempDir(), Interval: 1, History: indexSnapshots{Index: openIndex(t)}}
	h := apptest.New(t, apptest.Options{Wallets: 1, Balance: 1, Config: &cfg})
	defer h.Close()
	h.Block()
	done := make(chan struct{})
	go func() { h.App.StopSnapshots(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("StopSnapshots still waiting after 5s")
	}
	if snaps := listSnapshots(t, h.App); len(snaps) != 0 {
		t.Fatalf("snapshots after a stop: %v", snaps)
	}
	entries, _ := os.ReadDir(cfg.Snapshots.Dir)
	if len(entries) != 0 {
		t.Fatalf("left in the snapshot directory: %v", entries)
	}
}
