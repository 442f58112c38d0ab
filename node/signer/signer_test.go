package signer_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/crypto/tmhash"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	"github.com/cometbft/cometbft/privval"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/ledgerd/ledgerd/node/signer"
)

// TestInit: a new key is generated; a key copied into the home is kept; a
// node's key and state are moved (the originals removed, the copies
// private); and what could leave a key in two places or without its state
// is refused.
func TestInit(t *testing.T) {
	dir := t.TempDir()
	gen, err := signer.Init(signer.InitOptions{Home: filepath.Join(dir, "gen"), ChainID: "c", Addr: "tcp://127.0.0.1:1"})
	if err != nil || gen.Key != "generated" || gen.PubKey == "" {
		t.Fatalf("generate: %+v, %v", gen, err)
	}
	if _, err := signer.Init(signer.InitOptions{Home: filepath.Join(dir, "gen"), ChainID: "c"}); err == nil {
		t.Error("second init of a home accepted")
	}
	c, err := signer.LoadConfig(filepath.Join(dir, "gen"))
	if err != nil || c != (signer.Config{ChainID: "c", Addr: "tcp://127.0.0.1:1"}) {
		t.Errorf("signer.toml read back as %+v, %v", c, err)
	}

	// A node home's key and state, moved.
	nodeHome := filepath.Join(dir, "node")
	nodeKey, nodeState := filepath.Join(nodeHome, "config", "priv_validator_key.json"), filepath.Join(nodeHome, "data", "priv_validator_state.json")
	for _, d := range []string{filepath.Dir(nodeKey), filepath.Dir(nodeState)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	pv := privval.GenFilePV(nodeKey, nodeState)
	pv.Save()
	keyBytes, _ := os.ReadFile(nodeKey)
	if _, err := signer.Init(signer.InitOptions{Home: filepath.Join(dir, "nostate"), ChainID: "c", ImportKey: nodeKey}); err == nil {
		t.Error("a key moved without its state accepted")
	}
	// A signer home with a key (but no signer.toml yet) keeps it.
	copyFile(t, gen.KeyFile, signer.KeyFile(filepath.Join(dir, "gen2")))
	if _, err := signer.Init(signer.InitOptions{Home: filepath.Join(dir, "gen2"), ChainID: "c", ImportKey: nodeKey, ImportState: nodeState}); err == nil {
		t.Error("a moved key replacing a signer home's key accepted")
	}
	moved, err := signer.Init(signer.InitOptions{Home: filepath.Join(dir, "moved"), ChainID: "c", ImportKey: nodeKey, ImportState: nodeState})
	if err != nil || moved.Key != "moved" {
		t.Fatalf("move: %+v, %v", moved, err)
	}
	for _, f := range []string{nodeKey, nodeState} {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still there after the move: %v", f, err)
		}
	}
	for _, f := range []string{moved.KeyFile, moved.StateFile} {
		if st, err := os.Stat(f); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v; want mode 0600", f, st.Mode(), err)
		}
	}
	if b, _ := os.ReadFile(moved.KeyFile); !bytes.Equal(b, keyBytes) {
		t.Error("moved key differs from the node's")
	}
	if pub, _ := pv.GetPubKey(); moved.Address != pub.Address().String() {
		t.Errorf("moved key's address %s, the node's %s", moved.Address, pub.Address())
	}

	// A key copied in by hand (with its state) is kept.
	kept := filepath.Join(dir, "kept")
	copyFile(t, moved.KeyFile, signer.KeyFile(kept))
	copyFile(t, moved.StateFile, signer.StateFile(kept))
	if res, err := signer.Init(signer.InitOptions{Home: kept, ChainID: "c"}); err != nil || res.Key != "kept" || res.PubKey != moved.PubKey {
		t.Errorf("keep: %+v, %v", res, err)
	}
	// A key readable by others is refused, saying how to fix it.
	if err := os.Chmod(signer.KeyFile(kept), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := signer.Open(kept); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("open with a key of mode 0644: %v", err)
	}

	// A node's home is not a signer's.
	if err := os.WriteFile(filepath.Join(nodeHome, "config", "config.toml"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := signer.Init(signer.InitOptions{Home: nodeHome, ChainID: "c"}); err == nil {
		t.Error("init in a node home accepted")
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestServe runs a signer against CometBFT's own node-side endpoint: it
// signs, refuses to sign twice at a height, round and step (also after a
// restart of the signer, from its state file), dials a restarted node
// again, refuses another chain, and a second process on its home.
func TestServe(t *testing.T) {
	home := filepath.Join(t.TempDir(), "signer")
	if _, err := signer.Init(signer.InitOptions{Home: home, ChainID: "c"}); err != nil {
		t.Fatal(err)
	}
	addr := "tcp://" + privval.GetFreeLocalhostAddrPort()

	serve := func() (stop func()) {
		t.Helper()
		pv, release, err := signer.Open(home)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- signer.Serve(ctx, signer.ServeOptions{Addr: addr, ChainID: "c", PV: pv, StateFile: signer.StateFile(home),
				Logger: cmtlog.NewNopLogger(), RetryWait: 100 * time.Millisecond})
		}()
		return func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
			release()
		}
	}
	listen := func(chainID string) (*privval.SignerListenerEndpoint, *privval.SignerClient, crypto.PubKey) {
		t.Helper()
		ep, err := privval.NewSignerListener(addr, cmtlog.NewNopLogger())
		if err != nil {
			t.Fatal(err)
		}
		client, err := privval.NewSignerClient(ep, chainID)
		if err != nil {
			t.Fatal(err)
		}
		var pub crypto.PubKey
		for deadline := time.Now().Add(10 * time.Second); ; {
			if pub, err = client.GetPubKey(); err == nil || time.Now().After(deadline) {
				break
			}
			var refused *privval.RemoteSignerError
			if errors.As(err, &refused) {
				break
			}
		}
		if err != nil && chainID == "c" {
			t.Fatal(err)
		}
		return ep, client, pub
	}

	stopSigner := serve()
	if _, _, err := signer.Open(home); err == nil || !strings.Contains(err.Error(), "another signer process") {
		t.Errorf("second signer on the home: %v", err)
	}
	ep, client, pub := listen("c")
	sign := func(h int64, r int32, block string) error {
		t.Helper()
		v := &cmtproto.Vote{Type: cmtproto.PrevoteType, Height: h, Round: r, Timestamp: time.Unix(1_700_000_000, 0).UTC(),
			BlockID:          cmtproto.BlockID{Hash: tmhash.Sum([]byte(block)), PartSetHeader: cmtproto.PartSetHeader{Total: 1, Hash: tmhash.Sum([]byte(block))}},
			ValidatorAddress: pub.Address()}
		// Retried as the node does: a request on the connection of a
		// signer gone fails until the endpoint's ping notices.
		if err := privval.NewRetrySignerClient(client, 100, 100*time.Millisecond).SignVote("c", v); err != nil {
			return err
		}
		if !pub.VerifySignature(cmttypes.VoteSignBytes("c", v), v.Signature) {
			t.Fatalf("signature of %d/%d/%s does not verify", h, r, block)
		}
		return nil
	}
	mustSign := func(h int64, r int32, block string) {
		t.Helper()
		if err := sign(h, r, block); err != nil {
			t.Fatalf("sign %d/%d/%s: %v", h, r, block, err)
		}
	}
	mustRefuse := func(h int64, r int32, block, why string) {
		t.Helper()
		var refused *privval.RemoteSignerError
		if err := sign(h, r, block); !errors.As(err, &refused) || !strings.Contains(err.Error(), why) {
			t.Fatalf("sign %d/%d/%s: %v, want a refusal for %q", h, r, block, err, why)
		}
	}
	mustSign(5, 0, "A")
	mustSign(5, 0, "A") // the same vote again: the same signature
	mustRefuse(5, 0, "B", "conflicting data")
	mustRefuse(4, 3, "A", "height regression")
	mustSign(5, 1, "B")
	mustRefuse(5, 0, "A", "round regression")
	checkState(t, home, 5, 1)

	// The node restarts: the signer dials it again.
	_ = ep.Stop()
	ep, client, _ = listen("c")
	mustSign(6, 0, "C")

	// The signer restarts: its state comes back from disk.
	stopSigner()
	stopSigner = serve()
	defer func() { stopSigner() }()
	mustRefuse(6, 0, "D", "conflicting data")
	mustSign(7, 0, "D")
	checkState(t, home, 7, 0)
	_ = ep.Stop()

	// A node of another chain gets no key.
	ep, _, _ = listen("other")
	_ = ep.Stop()
	ep, client, _ = listen("c")
	defer ep.Stop()
	v := &cmtproto.Vote{Type: cmtproto.PrevoteType, Height: 8}
	if err := client.SignVote("other", v); err == nil {
		t.Error("signed a vote for another chain")
	}
}

func checkState(t *testing.T, home string, h int64, r int32) {
	t.Helper()
	pv := privval.LoadFilePV(signer.KeyFile(home), signer.StateFile(home))
	if s := pv.LastSignState; s.Height != h || s.Round != r {
		t.Fatalf("state file at %d/%d/%d, want %d/%d", s.Height, s.Round, s.Step, h, r)
	}
}
