package node_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/pflag"

	"github.com/ledgerd/ledgerd/node"
	"github.com/ledgerd/ledgerd/node/signer"
	"github.com/ledgerd/ledgerd/testnet"
)

// moveKeyToSigner moves home's validator key and state to a new signer
// home, as `ledgerd signer init --from-node-home` does.
func moveKeyToSigner(t *testing.T, home, chainID string) (signerHome string, res *signer.InitResult) {
	t.Helper()
	cmt := cmtcfg.DefaultConfig().SetRoot(home)
	signerHome = filepath.Join(t.TempDir(), "signer")
	res, err := signer.Init(signer.InitOptions{Home: signerHome, ChainID: chainID,
		ImportKey: cmt.PrivValidatorKeyFile(), ImportState: cmt.PrivValidatorStateFile()})
	if err != nil {
		t.Fatal(err)
	}
	return signerHome, res
}

// serveSigner runs a signer for home's key until the test ends or the
// returned stop is called.
func serveSigner(t *testing.T, home, addr, chainID string) (stop func()) {
	t.Helper()
	pv, release, err := signer.Open(home)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- signer.Serve(ctx, signer.ServeOptions{Addr: addr, ChainID: chainID, PV: pv, StateFile: signer.StateFile(home),
			Logger: cmtlog.NewNopLogger(), RetryWait: 100 * time.Millisecond})
	}()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("signer: %v", err)
		}
		release()
	}
	t.Cleanup(stop)
	return stop
}

// TestRemoteSignerNode runs a one-validator chain whose key is in a signer:
// config.toml's priv_validator_laddr is honoured, the node waits for the
// signer at start, its blocks carry the signer's signatures, and the chain
// halts while the signer is away and resumes when it is back.
func TestRemoteSignerNode(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const chainID = "ledgerd-remote-signer"
	home := initHome(t, chainID)
	signerHome, key := moveKeyToSigner(t, home, chainID)
	port, err := testnet.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	laddr := fmt.Sprintf("tcp://127.0.0.1:%d", port)

	// The signer starts a second after the node, which waits for it.
	stopSigner := make(chan func(), 1)
	go func() {
		time.Sleep(time.Second)
		stopSigner <- serveSigner(t, signerHome, laddr, chainID)
	}()
	tn, err := newTestNode(t, home, func(cmt *cmtcfg.Config, _ *node.Config) { cmt.PrivValidatorListenAddr = laddr })
	if err != nil {
		t.Fatal(err)
	}
	tn.start(ctx, t, 3)
	defer tn.stop(t)
	commit, err := tn.c.RPC().Commit(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sig := commit.Commit.Signatures[0]; sig.BlockIDFlag != cmttypes.BlockIDFlagCommit || sig.ValidatorAddress.String() != key.Address {
		t.Fatalf("commit %d signed by %v (flag %d), want the signer's validator %s", commit.Height, sig.ValidatorAddress, sig.BlockIDFlag, key.Address)
	}

	// Without its only validator's signer, the chain halts; the node waits
	// for the signer to sign its vote, and the chain resumes when it does.
	(<-stopSigner)()
	time.Sleep(time.Second) // a block in flight may still commit
	halted, err := tn.c.LatestHeight(ctx)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	if h, _ := tn.c.LatestHeight(ctx); h != halted {
		t.Fatalf("height %d -> %d without a signer", halted, h)
	}
	serveSigner(t, signerHome, laddr, chainID)
	for h := halted; h < halted+3; h, _ = tn.c.LatestHeight(ctx) {
		select {
		case <-ctx.Done():
			t.Fatalf("the chain stays at height %d with the signer back", h)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestRemoteSignerRefusals: the node refuses to start with a validator key
// in its home and a signer listen address, or with neither; it gives up
// waiting for a signer after remote_signer.start_timeout, and refuses a
// signer of another chain.
func TestRemoteSignerRefusals(t *testing.T) {
	const chainID = "ledgerd-refusals"
	home := initHome(t, chainID)
	port, _ := testnet.FreePort()
	laddr := fmt.Sprintf("tcp://127.0.0.1:%d", port)
	withSigner := func(timeout time.Duration) func(*cmtcfg.Config, *node.Config) {
		return func(_ *cmtcfg.Config, c *node.Config) {
			c.RemoteSigner = node.RemoteSignerConfig{Laddr: laddr, StartTimeout: timeout}
		}
	}
	expect := func(edit func(*cmtcfg.Config, *node.Config), want string) {
		t.Helper()
		tn, err := newTestNode(t, home, edit)
		if err == nil {
			tn.n.Stop()
			t.Fatalf("node started; want an error saying %q", want)
		}
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("error %q does not say %q", err, want)
		}
	}
	expect(withSigner(time.Second), "still holds a validator key")

	signerHome, _ := moveKeyToSigner(t, home, chainID)
	expect(nil, "set remote_signer.laddr")
	start := time.Now()
	expect(withSigner(time.Second), "no remote signer connected")
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("gave up after %s with a 1s start timeout", d)
	}
	serveSigner(t, signerHome, laddr, "another-chain")
	expect(withSigner(20*time.Second), "refused its public key for chain "+chainID)
}

// TestSignerListenAddr: ledgerd.toml's remote_signer.laddr overrides
// config.toml's priv_validator_laddr.
func TestSignerListenAddr(t *testing.T) {
	cmt := cmtcfg.DefaultConfig()
	c := node.DefaultConfig()
	if got := node.SignerListenAddr(cmt, c); got != "" {
		t.Errorf("defaults: %q, want none", got)
	}
	cmt.PrivValidatorListenAddr = "tcp://0.0.0.0:26659"
	if got := node.SignerListenAddr(cmt, c); got != cmt.PrivValidatorListenAddr {
		t.Errorf("config.toml only: %q", got)
	}
	c.RemoteSigner.Laddr = "unix:///run/ledgerd/signer.sock"
	if got := node.SignerListenAddr(cmt, c); got != c.RemoteSigner.Laddr {
		t.Errorf("both: %q, want ledgerd.toml's", got)
	}
	c.RemoteSigner.Laddr = "127.0.0.1:26659"
	if err := c.Validate(); err == nil {
		t.Error("a listen address without a scheme accepted")
	}

	// ledgerd.toml, then the environment, then flags.
	home := t.TempDir()
	if err := node.WriteConfig(home, node.DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	if c, err := node.LoadConfig(home, nil); err != nil || c.RemoteSigner != (node.RemoteSignerConfig{StartTimeout: time.Minute}) {
		t.Fatalf("written defaults read back as %+v, %v", c.RemoteSigner, err)
	}
	t.Setenv("LEDGERD_REMOTE_SIGNER_START_TIMEOUT", "0s")
	fs := pflag.NewFlagSet("start", pflag.ContinueOnError)
	node.ConfigFlags(fs)
	if err := fs.Parse([]string{"--remote_signer.laddr", "tcp://10.0.0.5:26659"}); err != nil {
		t.Fatal(err)
	}
	c, err := node.LoadConfig(home, fs)
	if err != nil || c.RemoteSigner != (node.RemoteSignerConfig{Laddr: "tcp://10.0.0.5:26659"}) {
		t.Fatalf("environment and flag: %+v, %v", c.RemoteSigner, err)
	}
}
