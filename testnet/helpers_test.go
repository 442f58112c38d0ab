package testnet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if err := removeTestImage(); err != nil {
		fmt.Fprintf(os.Stderr, "testnet: removing the test image: %v\n", err)
	}
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// built is the ledgerd binary the tests run, built once per test binary.
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// testBinary builds cmd/ledgerd the first time it is called and returns
// its path; TestMain removes it.
func testBinary(ctx context.Context, t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "ledgerd-bin-"); built.err == nil {
			built.bin, built.err = BuildBinary(ctx, built.dir)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

// processNet is a generated network running as processes.
type processNet struct {
	Dir   string
	Bin   string
	Net   *Network
	Procs []*Process
}

// startProcessNet builds the binary, generates a network of validators
// (4-bank default options otherwise) in a temporary directory and starts
// every node as a process, stopped when the test ends. It waits for
// height 3 on every node.
func startProcessNet(ctx context.Context, t *testing.T, validators int, blockInterval time.Duration, extraPorts int) *processNet {
	t.Helper()
	return startProcessNetOn(ctx, t, testBinary(ctx, t), validators, blockInterval, extraPorts)
}

// startProcessNetOn is startProcessNet running the binary bin.
func startProcessNetOn(ctx context.Context, t *testing.T, bin string, validators int, blockInterval time.Duration, extraPorts int) *processNet {
	t.Helper()
	dir := t.TempDir()
	base, err := FreeBase(10*validators + extraPorts)
	if err != nil {
		t.Fatal(err)
	}
	netDir := filepath.Join(dir, "net")
	net, err := Generate(GenOptions{Dir: netDir, Validators: validators, BasePort: base,
		Passphrase: "localnet", LightScrypt: true, BlockInterval: blockInterval})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(netDir, "passphrase"), []byte("localnet\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pn := &processNet{Dir: netDir, Bin: bin, Net: net}
	for _, n := range net.Nodes {
		p := &Process{NodeName: n.Name, Bin: bin, Home: n.Home, RPCPort: n.RPCPort, P2PPort: n.P2PPort, Args: []string{"--log_level", "error"}}
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = p.Resume()
			_ = p.Stop()
		})
		pn.Procs = append(pn.Procs, p)
	}
	for _, p := range pn.Procs {
		if err := p.WaitForHeight(ctx, 3); err != nil {
			t.Fatal(err)
		}
	}
	return pn
}

// nodes returns the processes as Nodes.
func (pn *processNet) nodes() []Node {
	out := make([]Node, len(pn.Procs))
	for i, p := range pn.Procs {
		out[i] = p
	}
	return out
}
