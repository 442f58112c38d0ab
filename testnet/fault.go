package testnet

import (
	"context"
	"fmt"
	"slices"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
)

// Perturbation kinds.
const (
	Kill       = "kill"       // SIGKILL, then start again
	Pause      = "pause"      // SIGSTOP or docker pause for Hold, then resume
	Restart    = "restart"    // SIGTERM, then start again
	Disconnect = "disconnect" // off the network for Hold, then back (Docker)
)

// Fault is one perturbation of some nodes at once.
type Fault struct {
	Kind string
	// Nodes are indexes into the cluster's nodes.
	Nodes []int
	// Hold is how long the nodes stay down, paused or cut off (default
	// 10 s for pause and disconnect, 0 for kill and restart).
	Hold time.Duration
}

func (f Fault) String() string {
	return fmt.Sprintf("%s %v for %s", f.Kind, f.Nodes, f.Hold)
}

// Cluster is a running network of Nodes, validators first, that a fault
// schedule perturbs and checks.
type Cluster struct {
	Nodes []Node
	// Validators is how many of Nodes are validators, all of equal power.
	Validators int
	Logf       func(format string, args ...any)

	rpcs []*rpchttp.HTTP
}

// NewCluster returns a cluster of nodes, the first validators of them
// validators with equal power.
func NewCluster(nodes []Node, validators int, logf func(string, ...any)) (*Cluster, error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	c := &Cluster{Nodes: nodes, Validators: validators, Logf: logf}
	for _, n := range nodes {
		rpc, err := rpchttp.New(n.RPC(), "/websocket")
		if err != nil {
			return nil, err
		}
		c.rpcs = append(c.rpcs, rpc)
	}
	return c, nil
}

// Height returns node i's latest height, or an error if it does not answer
// within two seconds.
func (c *Cluster) Height(ctx context.Context, i int) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	st, err := c.rpcs[i].Status(ctx)
	if err != nil {
		return 0, err
	}
	return st.SyncInfo.LatestBlockHeight, nil
}

// Tip is the highest height any node reports.
func (c *Cluster) Tip(ctx context.Context) int64 {
	var tip int64
	for i := range c.Nodes {
		if h, err := c.Height(ctx, i); err == nil {
			tip = max(tip, h)
		}
	}
	return tip
}

// Halts reports whether a fault takes more than a third of the voting power
// away, so that the network must stop making blocks while it lasts.
func (c *Cluster) Halts(f Fault) bool {
	down := 0
	for _, i := range f.Nodes {
		if i < c.Validators {
			down++
		}
	}
	return 3*down > c.Validators
}

// Apply perturbs f.Nodes, holds, restores them, and waits until every
// perturbed node is back at the tip (the height the others had reached
// when it was restored) within 30 s. While a fault that Halts lasts, it
// checks that no node makes a block (one in flight is allowed).
func (c *Cluster) Apply(ctx context.Context, f Fault) error {
	if f.Hold == 0 && (f.Kind == Pause || f.Kind == Disconnect) {
		f.Hold = 10 * time.Second
	}
	c.Logf("fault: %s", f)
	for _, i := range f.Nodes {
		n := c.Nodes[i]
		var err error
		switch f.Kind {
		case Kill:
			err = n.Kill()
		case Restart:
			err = n.Stop()
		case Pause:
			err = n.Pause()
		case Disconnect:
			err = n.Disconnect()
		default:
			err = fmt.Errorf("unknown perturbation %q", f.Kind)
		}
		if err != nil {
			return fmt.Errorf("%s %s: %w", f.Kind, n.Name(), err)
		}
	}
	if err := c.hold(ctx, f); err != nil {
		return err
	}
	for _, i := range f.Nodes {
		n := c.Nodes[i]
		var err error
		switch f.Kind {
		case Kill, Restart:
			err = n.Start()
		case Pause:
			err = n.Resume()
		case Disconnect:
			err = n.Reconnect()
		}
		if err != nil {
			return fmt.Errorf("restore %s after %s: %w", n.Name(), f.Kind, err)
		}
	}
	return c.waitBack(ctx, f.Nodes, 30*time.Second)
}

// hold waits f.Hold; if f halts the network, it also checks that the nodes
// left running make no block meanwhile.
func (c *Cluster) hold(ctx context.Context, f Fault) error {
	if !c.Halts(f) {
		return sleep(ctx, f.Hold)
	}
	var up []int
	for i := range c.Nodes {
		if !slices.Contains(f.Nodes, i) {
			up = append(up, i)
		}
	}
	// Let a block already being committed land before measuring.
	if err := sleep(ctx, 2*time.Second); err != nil {
		return err
	}
	before := c.heights(ctx, up)
	if err := sleep(ctx, max(f.Hold-2*time.Second, 3*time.Second)); err != nil {
		return err
	}
	after := c.heights(ctx, up)
	for k, i := range up {
		if before[k] >= 0 && after[k] > before[k]+1 {
			return fmt.Errorf("%s made blocks %d to %d with more than a third of the voting power down", c.Nodes[i].Name(), before[k], after[k])
		}
	}
	c.Logf("fault: network halted at height %v while %v were down, as it must", after, f.Nodes)
	return nil
}

func (c *Cluster) heights(ctx context.Context, nodes []int) []int64 {
	out := make([]int64, len(nodes))
	for k, i := range nodes {
		h, err := c.Height(ctx, i)
		if err != nil {
			h = -1
		}
		out[k] = h
	}
	return out
}

// waitBack waits until each node reaches the tip the cluster had when it
// was restored, and the chain has made a block past it.
func (c *Cluster) waitBack(ctx context.Context, nodes []int, within time.Duration) error {
	target := c.Tip(ctx) + 1
	deadline := time.Now().Add(within)
	for _, i := range nodes {
		for {
			h, err := c.Height(ctx, i)
			if err == nil && h >= target {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s not back at the tip %d within %s: at %d (%v)", c.Nodes[i].Name(), target, within, h, err)
			}
			if err := sleep(ctx, 200*time.Millisecond); err != nil {
				return err
			}
		}
	}
	c.Logf("fault: %v back at the tip (%d)", nodes, target)
	return nil
}

// CheckSameChain waits until every node has reached height at least
// minHeight, then checks that all nodes have the same block hash and app
// hash at every height from 1 to the lowest height they all have. It
// returns that height.
func (c *Cluster) CheckSameChain(ctx context.Context, minHeight int64) (int64, error) {
	var common int64
	for i := range c.Nodes {
		for {
			h, err := c.Height(ctx, i)
			if err == nil && h >= minHeight {
				if common == 0 || h < common {
					common = h
				}
				break
			}
			if err := sleep(ctx, 200*time.Millisecond); err != nil {
				return 0, fmt.Errorf("%s did not reach height %d: %w", c.Nodes[i].Name(), minHeight, err)
			}
		}
	}
	const page = 20 // /blockchain returns at most 20 headers
	for lo := int64(1); lo <= common; lo += page {
		hi := min(lo+page-1, common)
		var want []string
		for i, rpc := range c.rpcs {
			res, err := rpc.BlockchainInfo(ctx, lo, hi)
			if err != nil {
				return 0, fmt.Errorf("%s: headers %d-%d: %w", c.Nodes[i].Name(), lo, hi, err)
			}
			var got []string
			for _, m := range res.BlockMetas {
				got = append(got, fmt.Sprintf("%d %X %X", m.Header.Height, m.BlockID.Hash, m.Header.AppHash))
			}
			if int64(len(got)) != hi-lo+1 {
				return 0, fmt.Errorf("%s: %d headers for heights %d-%d", c.Nodes[i].Name(), len(got), lo, hi)
			}
			if i == 0 {
				want = got
				continue
			}
			for k := range got {
				if got[k] != want[k] {
					return 0, fmt.Errorf("fork: %s has %q, %s has %q", c.Nodes[i].Name(), got[k], c.Nodes[0].Name(), want[k])
				}
			}
		}
	}
	c.Logf("check: %d nodes have identical blocks and app hashes at heights 1-%d", len(c.Nodes), common)
	return common, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
