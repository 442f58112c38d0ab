package testnet

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/privval"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/ledgerd/ledgerd/node/signer"
)

// TestRemoteSignerNetwork runs four validators as processes, node3's key
// in a `ledgerd signer` process. node3 waits at start for its signer, which
// starts later; then its signature is in the commits. The signer killed,
// the other three go on and node3's signatures stop; the signer back, they
// resume; node3 restarted, the signer dials it again and they resume. The
// signer's state file never goes back (height, round, step), and no block
// carries evidence of a double sign.
func TestRemoteSignerNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("runs four node processes and a signer")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin := testBinary(ctx, t)
	start := time.Now()
	base, err := FreeBase(40)
	if err != nil {
		t.Fatal(err)
	}
	net, err := Generate(GenOptions{Dir: filepath.Join(dir, "net"), Validators: 4, BasePort: base, RemoteSigners: []int{3},
		Passphrase: "localnet", LightScrypt: true, BlockInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	remote := net.Nodes[3]
	if remote.Signer == nil {
		t.Fatal("node3 has no signer in the manifest")
	}
	if _, err := os.Stat(filepath.Join(remote.Home, "config", "priv_validator_key.json")); !os.IsNotExist(err) {
		t.Fatalf("node3's home still has a validator key: %v", err)
	}
	pub, _ := base64.StdEncoding.DecodeString(remote.ValidatorKey)
	addr := ed25519.PubKey(pub).Address()

	procs := make([]*Process, len(net.Nodes))
	for i, n := range net.Nodes {
		procs[i] = &Process{NodeName: n.Name, Bin: bin, Home: n.Home, RPCPort: n.RPCPort, P2PPort: n.P2PPort,
			Args: []string{"--log_level", "privval:info,*:error"}}
		if err := procs[i].Start(); err != nil {
			t.Fatal(err)
		}
		defer procs[i].Stop()
	}
	sp := &SignerProcess{Bin: bin, Home: remote.Signer.Home}
	defer sp.Stop()
	states := watchState(signer.StateFile(sp.Home))
	defer states.stop()

	// node3 waits for its signer: the other three make blocks meanwhile.
	if err := procs[0].WaitForHeight(ctx, 5); err != nil {
		t.Fatal(err)
	}
	if exited, err := procs[3].Exited(); exited {
		t.Fatalf("node3 did not wait for its signer: %v", err)
	}
	if err := sp.Start(); err != nil {
		t.Fatal(err)
	}
	rpc, err := rpchttp.New(procs[0].RPC(), "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	latest := func() int64 {
		t.Helper()
		st, err := rpc.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st.SyncInfo.LatestBlockHeight
	}
	waitForSignature(ctx, t, rpc, addr, latest(), true)
	t.Logf("%s: node3 signs through its signer at height %d", time.Since(start).Round(time.Millisecond), latest())

	// The signer killed: the others go on; node3's signature is gone from
	// the commits (one already signed may still make the next block).
	if err := sp.Kill(); err != nil {
		t.Fatal(err)
	}
	killedAt := latest()
	waitForSignature(ctx, t, rpc, addr, killedAt+1, false)
	if err := procs[0].WaitForHeight(ctx, killedAt+6); err != nil {
		t.Fatal(err)
	}
	for h := killedAt + 2; h <= killedAt+6; h++ {
		if signedBy(ctx, t, rpc, h, addr) {
			t.Errorf("commit %d carries node3's signature while its signer is down (killed at %d)", h, killedAt)
		}
	}
	t.Logf("%s: signer killed at height %d; the others went on to %d without node3", time.Since(start).Round(time.Millisecond), killedAt, latest())

	// The signer back: node3 signs again.
	if err := sp.Start(); err != nil {
		t.Fatal(err)
	}
	waitForSignature(ctx, t, rpc, addr, latest(), true)
	t.Logf("%s: signer restarted: node3 signs again at height %d", time.Since(start).Round(time.Millisecond), latest())

	// node3 restarted: the signer dials it again.
	if err := procs[3].Stop(); err != nil {
		t.Fatal(err)
	}
	stoppedAt := latest()
	if err := procs[3].Start(); err != nil {
		t.Fatal(err)
	}
	waitForSignature(ctx, t, rpc, addr, stoppedAt+1, true)
	t.Logf("%s: node3 restarted at height %d: signs again at %d", time.Since(start).Round(time.Millisecond), stoppedAt, latest())

	if err := sp.Stop(); err != nil {
		t.Errorf("signer's clean stop: %v", err)
	}
	states.stop()
	if states.regression != "" {
		t.Error(states.regression)
	}
	if states.reads == 0 || states.last.Height < stoppedAt {
		t.Errorf("state file read %d times, last at height %d; node3 signed after %d", states.reads, states.last.Height, stoppedAt)
	}
	for h := int64(1); h <= latest(); h++ {
		b, err := rpc.Block(ctx, &h)
		if err != nil {
			t.Fatal(err)
		}
		if ev := b.Block.Evidence.Evidence; len(ev) > 0 {
			t.Errorf("block %d carries evidence: %v", h, ev)
		}
	}
}

// signedBy reports whether the commit of height h carries addr's signature
// for the block.
func signedBy(ctx context.Context, t *testing.T, rpc *rpchttp.HTTP, h int64, addr []byte) bool {
	t.Helper()
	c, err := rpc.Commit(ctx, &h)
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range c.Commit.Signatures {
		if sig.BlockIDFlag == cmttypes.BlockIDFlagCommit && bytes.Equal(sig.ValidatorAddress, addr) {
			return true
		}
	}
	return false
}

// stateWatch polls a signer's state file and records the first time its
// height, round and step go back.
type stateWatch struct {
	stop       func()
	reads      int
	last       privval.FilePVLastSignState
	regression string
}

func watchState(path string) *stateWatch {
	w := &stateWatch{}
	done, quit := make(chan struct{}), make(chan struct{})
	var once sync.Once
	w.stop = func() {
		once.Do(func() { close(quit); <-done })
	}
	go func() {
		defer close(done)
		for {
			select {
			case <-quit:
				return
			case <-time.After(20 * time.Millisecond):
			}
			b, err := os.ReadFile(path) // replaced by rename: whole or old
			if err != nil {
				continue
			}
			var s privval.FilePVLastSignState
			if err := cmtjson.Unmarshal(b, &s); err != nil {
				if w.regression == "" {
					w.regression = fmt.Sprintf("state file unreadable: %v", err)
				}
				continue
			}
			l := w.last
			if w.regression == "" && (s.Height < l.Height || s.Height == l.Height && (s.Round < l.Round || s.Round == l.Round && s.Step < l.Step)) {
				w.regression = fmt.Sprintf("state file went back from %d/%d/%d to %d/%d/%d", l.Height, l.Round, l.Step, s.Height, s.Round, s.Step)
			}
			w.last = s
			w.reads++
		}
	}()
	return w
}
