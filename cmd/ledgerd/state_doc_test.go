package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/crypto/merkle"
	rpcclient "github.com/cometbft/cometbft/rpc/client"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	ics23 "github.com/cosmos/ics23/go"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/store/commitinfo"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// TestStateDocExample runs docs/state.md's worked example on the demo
// devnet and checks what the page says of it: the CLI's proven supply of
// CNY, the same proof from CometBFT's abci_query (its key, value, the two
// ops, their types and keys, the one inner step of the simple op), the
// app hash of header H+1, the key path, and a verification by hand with
// ICS23, as a client in another language would do it.
func TestStateDocExample(t *testing.T) {
	flags := demoNode(t)
	addr := flags[len(flags)-1]
	doc, err := os.ReadFile("../../docs/state.md")
	if err != nil {
		t.Fatal(err)
	}
	mentions := func(what, s string) {
		t.Helper()
		if !bytes.Contains(doc, []byte(s)) {
			t.Errorf("docs/state.md does not show %s %q", what, s)
		}
	}

	// ledgerd query wallet supply CNY --prove -o json
	var out struct {
		Amount string         `json:"amount"`
		Denom  string         `json:"denom"`
		Proof  *client.Proven `json:"proof"`
	}
	runJSON(t, &out, append([]string{"query", "wallet", "supply", "CNY", "--prove"}, flags...)...)
	p := out.Proof
	const keyHex, valueHex = "03434E59", "0A03434E591080C2D72F"
	if out.Amount != "100000000" || out.Denom != "CNY" || p == nil {
		t.Fatalf("supply %+v", out)
	}
	if p.Store != wallet.StoreName || strings.ToUpper(hex.EncodeToString(p.Key)) != keyHex ||
		strings.ToUpper(hex.EncodeToString(p.Value)) != valueHex || p.HeaderHeight != p.Height+1 {
		t.Fatalf("proof store %q key %X value %X height %d header %d", p.Store, p.Key, p.Value, p.Height, p.HeaderHeight)
	}
	for _, s := range []string{`"amount": "100000000"`, `"store": "wallet"`, `"key": "` + keyHex + `"`, `"value": "` + valueHex + `"`,
		`"present": true`, `"app_hash"`, `"header_height"`, `"header_hash"`} {
		mentions("the CLI's output", s)
	}

	// The same from CometBFT's RPC.
	rpc, err := rpchttp.New(addr, "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	key := wallet.SupplyKey("CNY")
	res, err := rpc.ABCIQueryWithOptions(ctx, "/store/wallet/key", key, rpcclient.ABCIQueryOptions{Height: p.Height, Prove: true})
	if err != nil {
		t.Fatal(err)
	}
	r := res.Response
	if r.Code != 0 || r.Height != p.Height || !bytes.Equal(r.Key, key) || !bytes.Equal(r.Value, p.Value) || r.ProofOps == nil || len(r.ProofOps.Ops) != 2 {
		t.Fatalf("abci_query: %+v", r)
	}
	b64 := base64.StdEncoding.EncodeToString
	mentions("the RPC's key", `"key":"`+b64(key)+`"`)
	mentions("the RPC's value", `"value":"`+b64(r.Value)+`"`)
	mentions("the query", `abci_query?path="/store/wallet/key"&data=0x`+keyHex+`&prove=true&height=`)
	for i, want := range []struct{ typ, key string }{{"ics23:iavl", b64(key)}, {"ics23:simple", b64([]byte("wallet"))}} {
		op := r.ProofOps.Ops[i]
		if op.Type != want.typ || b64(op.Key) != want.key {
			t.Fatalf("op %d: type %q key %q, want %q %q", i, op.Type, b64(op.Key), want.typ, want.key)
		}
		mentions("op "+want.typ, `{"type":"`+want.typ+`","key":"`+want.key+`","data":"`)
	}

	// Header H+1 carries the app hash the ops prove.
	h1 := p.Height + 1
	commit, err := rpc.Commit(ctx, &h1)
	if err != nil {
		t.Fatal(err)
	}
	appHash := []byte(commit.Header.AppHash)
	if !bytes.Equal(appHash, p.AppHash) {
		t.Fatalf("header %d app hash %X, the CLI proved against %X", h1, appHash, p.AppHash)
	}
	mentions("the commit query", "/commit?height=")

	// By hand, as the page says.
	decode := func(op int) *ics23.CommitmentProof {
		cp := new(ics23.CommitmentProof)
		if err := cp.Unmarshal(r.ProofOps.Ops[op].Data); err != nil {
			t.Fatalf("op %d: %v", op, err)
		}
		return cp
	}
	iavlProof, simpleProof := decode(0), decode(1)
	storeRoot, err := iavlProof.Calculate()
	if err != nil {
		t.Fatal(err)
	}
	if !ics23.VerifyMembership(ics23.IavlSpec, storeRoot, iavlProof, key, r.Value) {
		t.Fatal("op 0 does not verify under IavlSpec")
	}
	if !ics23.VerifyMembership(ics23.TendermintSpec, appHash, simpleProof, []byte("wallet"), storeRoot) {
		t.Fatal("op 1 does not prove the wallet store's root under TendermintSpec against the app hash")
	}
	// "wallet is the last of six sorted stores, beside settle on the right
	// of the split at four": two inner steps.
	if n, steps := len(app.StoreNames), len(simpleProof.GetExist().GetPath()); n != 6 || steps != 2 {
		t.Errorf("%d stores, %d inner steps: update the worked example in docs/state.md", n, steps)
	}
	if err := commitinfo.VerifyValue(appHash, "wallet", key, r.Value, r.ProofOps.Ops); err != nil {
		t.Fatal(err)
	}

	// The key path.
	const keyPath = "/wallet/x:" + keyHex
	mentions("the key path", keyPath)
	built := merkle.KeyPath{}.AppendKey([]byte("wallet"), merkle.KeyEncodingURL).AppendKey(key, merkle.KeyEncodingHex).String()
	keys, err := merkle.KeyPathToKeys(keyPath)
	if err != nil || built != keyPath || len(keys) != 2 || string(keys[0]) != "wallet" || !bytes.Equal(keys[1], key) {
		t.Fatalf("key path %q: built %q, parsed %q, %v", keyPath, built, keys, err)
	}
}
