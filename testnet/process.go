// Package testnet makes and runs multi-bank ledgerd networks on one
// machine, as operating-system processes or as containers, and drives them:
// a load generator (subpackage load), fault schedules that kill, restart,
// pause and cut off nodes, and checks that every node agrees on the chain
// and on the ledger. It drives the real binary: what it tests is what an
// operator runs.
package testnet

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
)

// BuildBinary builds cmd/ledgerd with cgo into dir and returns its path.
func BuildBinary(ctx context.Context, dir string) (string, error) {
	return BuildBinaryTags(ctx, dir, "")
}

// BuildBinaryTags is BuildBinary with the build tags tags (comma-separated;
// "" for none): -tags upgradetest makes the binary that has the test chain
// upgrade (app/upgrades_testtag.go).
func BuildBinaryTags(ctx context.Context, dir, tags string) (string, error) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Dir(filepath.Dir(file))
	bin := filepath.Join(dir, "ledgerd")
	args := []string{"build", "-o", bin}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	cmd := exec.CommandContext(ctx, "go", append(args, "./cmd/ledgerd")...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build ledgerd: %v\n%s", err, out)
	}
	return bin, nil
}

// Process is one ledgerd node run as a process.
type Process struct {
	// NodeName names the node in reports (default: Home).
	NodeName  string
	Bin, Home string
	RPCPort   int
	P2PPort   int
	// Args are added to `ledgerd start`.
	Args []string

	proc
}

// RPC returns the node's RPC address.
func (p *Process) RPC() string { return fmt.Sprintf("tcp://127.0.0.1:%d", p.RPCPort) }

// Start runs `ledgerd start`, appending its output to <home>/node.log.
func (p *Process) Start() error {
	return p.start(p.Bin, append([]string{"start", "--home", p.Home,
		"--rpc.laddr", fmt.Sprintf("tcp://127.0.0.1:%d", p.RPCPort),
		"--p2p.laddr", fmt.Sprintf("tcp://127.0.0.1:%d", p.P2PPort),
		"--metrics.enabled=false"}, p.Args...), filepath.Join(p.Home, "node.log"))
}

// Kill sends SIGKILL and waits for the process to exit.
func (p *Process) Kill() error { return p.signal(syscall.SIGKILL, 10*time.Second, "node "+p.Home) }

// Stop sends SIGTERM and waits up to 30 s for a clean exit.
func (p *Process) Stop() error { return p.signal(syscall.SIGTERM, 30*time.Second, "node "+p.Home) }

// Exited reports whether the process has exited, and how.
func (p *Process) Exited() (bool, error) { return p.exited() }

// proc is a child process, started again after each exit, whose exit is
// awaited in the background.
type proc struct {
	cmd  *exec.Cmd
	done chan error
}

// start runs bin with args, appending its output to logPath.
func (p *proc) start(bin string, args []string, logPath string) error {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	if err := p.cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	p.done = make(chan error, 1)
	go func() { p.done <- p.cmd.Wait(); logf.Close() }()
	return nil
}

// signal sends sig and waits up to wait for the exit, then kills; what
// names the process in the error.
func (p *proc) signal(sig syscall.Signal, wait time.Duration, what string) error {
	if p.cmd == nil || p.cmd.Process == nil {
		return nil
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case err := <-p.done:
		p.cmd = nil
		if sig == syscall.SIGKILL {
			return nil
		}
		return err
	case <-time.After(wait):
		_ = p.cmd.Process.Kill()
		<-p.done
		p.cmd = nil
		return fmt.Errorf("%s did not exit within %s after %s", what, wait, sig)
	}
}

func (p *proc) exited() (bool, error) {
	if p.cmd == nil {
		return true, nil
	}
	select {
	case err := <-p.done:
		p.done <- err
		return true, err
	default:
		return false, nil
	}
}

// WaitForHeight waits until the node reports a latest block height of at
// least h.
func (p *Process) WaitForHeight(ctx context.Context, h int64) error {
	c, err := rpchttp.New(p.RPC(), "/websocket")
	if err != nil {
		return err
	}
	for {
		if exited, err := p.Exited(); exited {
			return fmt.Errorf("node exited: %v (see %s)", err, filepath.Join(p.Home, "node.log"))
		}
		if st, err := c.Status(ctx); err == nil && st.SyncInfo.LatestBlockHeight >= h {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for height %d: %w", h, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
