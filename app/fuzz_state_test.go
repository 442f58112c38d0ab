package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/app/apptest"
	"github.com/ledgerd/ledgerd/store/commitinfo"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// queryPaths are the paths FuzzQuery picks from: every module query path,
// every store's raw key path, and the app's own.
func queryPaths() []string {
	var paths []string
	for _, m := range app.Modules().Modules() {
		paths = append(paths, app.QueryStorePrefix+m.Name+"/key")
		for _, q := range m.Queries {
			paths = append(paths, "/"+m.Name+"/"+q.Path)
		}
	}
	return append(paths, app.QueryAccountPrefix, app.QueryHistory, app.QueryPeerFilterID, app.QueryPeerFilterAddr, app.QueryReadPrefix+"/wallet/")
}

// FuzzQuery sends every query path, with any suffix, data, height and
// proof flag, to an app with two wallets and a payment. Query must never
// panic or fail; it answers OK or a registered code other than Internal;
// it never changes the committed state; and a proof it gives of a store
// key, present or absent, verifies against the committed app hash.
func FuzzQuery(f *testing.F) {
	h := fuzzHarness(f)
	h.Block(h.Sign(h.WalletKey(0), 1, apptest.Transfer(apptest.Address(h.WalletKey(1)), 5)))
	committed, height := h.AppHash(), h.Height()
	paths := queryPaths()
	for i := range paths {
		f.Add(uint16(i), "", []byte{}, int64(0), false)
		f.Add(uint16(i), "0x"+strings.Repeat("ab", 20), apptest.Address(h.WalletKey(0)).Bytes(), height, true)
	}
	f.Add(uint16(0), "", []byte{0x01}, int64(-1), true)
	f.Add(uint16(0), "", []byte{0x01}, height+5, true)

	f.Fuzz(func(t *testing.T, pick uint16, suffix string, data []byte, atHeight int64, prove bool) {
		req := &abci.RequestQuery{Path: paths[int(pick)%len(paths)] + suffix, Data: data, Height: atHeight, Prove: prove}
		resp, err := h.App.Query(context.Background(), req)
		if err != nil {
			t.Fatalf("%s: Query error: %v", req.Path, err)
		}
		if resp.Code != 0 && (resp.Code == errcode.Internal || !isRegistered(resp.Codespace, resp.Code)) {
			t.Fatalf("%s: unregistered answer (%q, %d): %s", req.Path, resp.Codespace, resp.Code, resp.Log)
		}
		if !bytes.Equal(h.AppHash(), committed) {
			t.Fatalf("%s: Query changed the committed state", req.Path)
		}
		name, isKey := strings.CutSuffix(strings.TrimPrefix(req.Path, app.QueryStorePrefix), "/key")
		if resp.Code != 0 || !prove || !isKey || !strings.HasPrefix(req.Path, app.QueryStorePrefix) || resp.Height != height {
			return
		}
		if resp.ProofOps == nil {
			t.Fatalf("%s: asked to prove, answered no proof", req.Path)
		}
		if resp.Value != nil {
			err = commitinfo.VerifyValue(committed, name, req.Data, resp.Value, resp.ProofOps.Ops)
		} else {
			err = commitinfo.VerifyAbsence(committed, name, req.Data, resp.ProofOps.Ops)
		}
		if err != nil {
			t.Fatalf("%s %x: the node's proof does not verify: %v", req.Path, req.Data, err)
		}
	})
}

// FuzzGenesis feeds any app_state to ValidateGenesis, as `ledgerd genesis
// validate` and node start do. It must not panic, and it must agree with
// InitChain: a genesis it accepts starts a chain that runs its first
// block; one it refuses, InitChain refuses too. (An exported state is
// left out: it starts at its own height.)
func FuzzGenesis(f *testing.F) {
	valid, err := apptest.BuildGenesis(apptest.Options{Seed: []byte(apptest.DefaultSeed), Wallets: 2, Balance: 1000}).JSON()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"walet":{}}`))
	f.Add(bytes.Replace(valid, []byte(`"wallet":{`), []byte(`"wallet":{"unknown":1,`), 1))

	f.Fuzz(func(t *testing.T, appState []byte) {
		_, validateErr := app.ValidateGenesis(appState, apptest.BaseTime, nil)
		var sections map[string]json.RawMessage
		if json.Unmarshal(appState, &sections) == nil && sections[app.ExportSection] != nil {
			// An exported state starts at its own initial height, which
			// app_state does not carry (TestExportImport covers it).
			return
		}
		var h *apptest.Harness
		initErr := fatalOf(func() { h = apptest.New(apptest.Panic{}, apptest.Options{AppState: appState}) })
		if (validateErr == nil) != (initErr == nil) {
			t.Fatalf("ValidateGenesis says %v, InitChain says %v", validateErr, initErr)
		}
		if h == nil {
			return
		}
		defer h.Close()
		if err := fatalOf(func() { h.Block() }); err != nil {
			t.Fatalf("a genesis ValidateGenesis accepts cannot run its first block: %v", err)
		}
	})
}

// fatalOf runs f, whose harness reports with apptest.Panic, and returns
// what it reported; a panic of the app itself is not caught.
func fatalOf(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			msg, ok := r.(string)
			if !ok || !strings.HasPrefix(msg, "apptest: ") {
				panic(r)
			}
			err = errors.New(msg)
		}
	}()
	f()
	return nil
}
