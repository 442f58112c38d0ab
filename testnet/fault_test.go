package testnet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ledgerd/ledgerd/testnet/load"
)

// runFaults starts a load generator on the cluster's network, runs the
// schedule under it, and fails the test on any check that does not hold.
func runFaults(ctx context.Context, t *testing.T, c *Cluster, net *Network, dir string, s Schedule, wallets int, rate float64, seed uint64) *ScheduleResult {
	t.Helper()
	banks, err := net.Banks(dir)
	if err != nil {
		t.Fatal(err)
	}
	rpcs := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		rpcs[i] = n.RPC()
	}
	g, err := load.New(ctx, load.Config{Nodes: rpcs, Banks: banks, Wallets: wallets, BadEvery: 25, Seed: seed, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := g.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := c.RunSchedule(ctx, g, s, rate, "CNY", seed)
	if err != nil {
		t.Fatal(err)
	}
	if res.Load.Committed == 0 || res.Load.Unresolved > 0 {
		t.Fatalf("load: %s", res.Load)
	}
	if res.Load.Bad == nil || res.Load.Bad.Sent == 0 {
		t.Fatalf("no bad transactions were sent: %s", res.Load)
	}
	return res
}

// TestFaultsShort is the short fault schedule on four validators, run as
// processes and, where docker is available, as containers: a kill, a
// restart, a pause, a disconnect (containers only), then two validators
// killed at once, so that the network halts and resumes; all under signed
// payments and bad transactions. Then every node has the same chain, every
// payment the generator saw committed, and proven balances that match.
func TestFaultsShort(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a four-node network under faults for about two minutes")
	}
	t.Run("processes", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		pn := startProcessNet(ctx, t, 4, 300*time.Millisecond, 0)
		c, err := NewCluster(pn.nodes(), 4, t.Logf)
		if err != nil {
			t.Fatal(err)
		}
		res := runFaults(ctx, t, c, pn.Net, pn.Dir, ShortSchedule(), 200, 100, 1)
		if len(res.Applied) != 4 || len(res.Skipped) != 1 || res.Skipped[0].Kind != Disconnect {
			t.Fatalf("applied %v, skipped %v", res.Applied, res.Skipped)
		}
	})
	t.Run("docker", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		net, nodes := startDockerNet(ctx, t, 4, 300*time.Millisecond)
		c, err := NewCluster(nodes, 4, t.Logf)
		if err != nil {
			t.Fatal(err)
		}
		res := runFaults(ctx, t, c, net, filepath.Dir(net.Nodes[0].Home), ShortSchedule(), 200, 100, 2)
		if len(res.Applied) != 5 {
			t.Fatalf("applied %v, skipped %v", res.Applied, res.Skipped)
		}
	})
}

// TestE2E runs E2E_SCHEDULES (default 1) randomized fault schedules, each
// for E2E_DURATION (default 10m) on a fresh network of VALIDATORS
// validators, with seeds E2E_SEED, E2E_SEED+1, ... (default: the clock,
// printed): containers with disconnects among the faults where docker is
// available (E2E_MODE=process forces processes). It runs only with E2E=1
// (make e2e).
func TestE2E(t *testing.T) {
	if os.Getenv("E2E") == "" {
		t.Skip("set E2E=1 (make e2e) to run the randomized fault schedule")
	}
	d, err := time.ParseDuration(envOr("E2E_DURATION", "10m"))
	if err != nil {
		t.Fatalf("E2E_DURATION: %v", err)
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("E2E_SEED"); s != "" {
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("E2E_SEED: %v", err)
		}
	}
	validators := envInt(t, "VALIDATORS", 4)
	schedules := envInt(t, "E2E_SCHEDULES", 1)
	faults := 0
	for i := range schedules {
		s := seed + uint64(i)
		t.Run(fmt.Sprintf("seed %d", s), func(t *testing.T) { faults += runE2E(t, s, d, validators) })
		if t.Failed() {
			break
		}
	}
	t.Logf("E2E_SEED=%d E2E_SCHEDULES=%d: %d faults applied in all, all checks hold", seed, schedules, faults)
}

// runE2E runs one random schedule of duration d under load on a fresh
// network and returns how many faults it applied.
func runE2E(t *testing.T, seed uint64, d time.Duration, validators int) int {
	docker := os.Getenv("E2E_MODE") != "process" && DockerAvailable() == nil
	kinds := []string{Kill, Restart, Pause}
	if docker {
		kinds = append(kinds, Disconnect)
	}
	s := RandomSchedule(seed, d, validators, kinds)
	t.Logf("E2E_SEED=%d E2E_DURATION=%s VALIDATORS=%d docker=%v: %d faults (replay with E2E_SEED=%d)", seed, d, validators, docker, len(s), seed)
	if docker {
		// The image is built once, outside the schedule's deadline: on a
		// loaded machine the build alone can take as long as a schedule.
		buildCtx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
		dockerImage(buildCtx, t)
		cancel()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*d+10*time.Minute)
	defer cancel()
	var c *Cluster
	var net *Network
	var err error
	if docker {
		var nodes []Node
		net, nodes = startDockerNet(ctx, t, validators, 300*time.Millisecond)
		c, err = NewCluster(nodes, validators, t.Logf)
	} else {
		pn := startProcessNet(ctx, t, validators, 300*time.Millisecond, 0)
		net = pn.Net
		c, err = NewCluster(pn.nodes(), validators, t.Logf)
	}
	if err != nil {
		t.Fatal(err)
	}
	res := runFaults(ctx, t, c, net, filepath.Dir(net.Nodes[0].Home), s, 500, 150, seed)
	t.Logf("E2E_SEED=%d: %d faults applied, all checks hold", seed, len(res.Applied))
	return len(res.Applied)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
