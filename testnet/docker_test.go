package testnet

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cometbft/cometbft/privval"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"
)

// TestDockerNetwork builds the image, runs four validators as containers
// with compose, and checks that they make the same blocks; that the other
// three go on without node3 while it is cut off the network (its votes are
// missing from their commits) and that it catches up once reconnected; and
// that node2 killed and started again catches up too.
func TestDockerNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the ledgerd image and runs four containers")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	net, nodes := startDockerNet(ctx, t, 4, 200*time.Millisecond)
	start := time.Now()
	clients := make([]*rpchttp.HTTP, len(nodes))
	for i, n := range nodes {
		var err error
		if clients[i], err = rpchttp.New(n.RPC(), "/websocket"); err != nil {
			t.Fatal(err)
		}
		waitHeight(ctx, t, n, 6, time.Minute)
	}
	for h := int64(1); h <= 5; h++ {
		sameBlock(ctx, t, clients, h)
	}
	t.Logf("all four at height 6 %s after height 3, same blocks at 1..5", time.Since(start).Round(time.Millisecond))

	// node3 cut off: the other three hold 30 of the 40 votes, and go on.
	node3Addr := validatorAddress(t, net.Nodes[3].Home)
	if err := nodes[3].Disconnect(); err != nil {
		t.Fatal(err)
	}
	cut, start := height(ctx, t, clients[0]), time.Now()
	for _, n := range nodes[:3] {
		// node3's turns to propose time out (timeout_propose, 3 s).
		waitHeight(ctx, t, n, cut+4, 30*time.Second)
	}
	for h := cut + 2; h <= cut+4; h++ { // decided after the cut
		c, err := clients[0].Commit(ctx, &h)
		if err != nil {
			t.Fatal(err)
		}
		for _, sig := range c.Commit.Signatures {
			if sig.BlockIDFlag != cmttypes.BlockIDFlagAbsent && bytes.Equal(sig.ValidatorAddress, node3Addr) {
				t.Fatalf("height %d: node3 voted while it was cut off", h)
			}
		}
	}
	t.Logf("node3 cut off at height %d; the others reached %d in %s without its votes", cut, cut+4, time.Since(start).Round(time.Millisecond))
	if err := nodes[3].Reconnect(); err != nil {
		t.Fatal(err)
	}
	tip, start := height(ctx, t, clients[0]), time.Now()
	waitHeight(ctx, t, nodes[3], tip, 30*time.Second)
	sameBlock(ctx, t, clients, tip)
	t.Logf("node3 reconnected, caught up to height %d in %s", tip, time.Since(start).Round(time.Millisecond))

	// node2 killed (SIGKILL) and started again replays and catches up.
	if err := nodes[2].Kill(); err != nil {
		t.Fatal(err)
	}
	tip = height(ctx, t, clients[0])
	waitHeight(ctx, t, nodes[0], tip+2, 30*time.Second)
	if err := nodes[2].Start(); err != nil {
		t.Fatal(err)
	}
	tip, start = height(ctx, t, clients[0]), time.Now()
	waitHeight(ctx, t, nodes[2], tip, 30*time.Second)
	sameBlock(ctx, t, clients, tip)
	t.Logf("node2 killed and started again, caught up to height %d in %s", tip, time.Since(start).Round(time.Millisecond))
}

// testImage is the image the tests build, once per test binary; TestMain
// removes it.
var testImage struct {
	once  sync.Once
	name  string
	err   error
	built bool
}

// dockerImage builds the test image the first time it is called, and skips
// the test if docker is not available.
func dockerImage(ctx context.Context, t *testing.T) string {
	t.Helper()
	if err := DockerAvailable(); err != nil {
		t.Skipf("docker is not available: %v", err)
	}
	testImage.once.Do(func() {
		dir, err := os.MkdirTemp("", "ledgerd-image-")
		if err != nil {
			testImage.err = err
			return
		}
		defer os.RemoveAll(dir)
		testImage.name = fmt.Sprintf("ledgerd:test-%d", os.Getpid())
		start := time.Now()
		testImage.err = BuildImage(ctx, dir, testImage.name)
		testImage.built = testImage.err == nil
		t.Logf("image %s built in %s", testImage.name, time.Since(start).Round(time.Millisecond))
	})
	if testImage.err != nil {
		t.Fatal(testImage.err)
	}
	return testImage.name
}

// removeTestImage removes the image dockerImage built, if any.
func removeTestImage() error {
	if !testImage.built {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := run(ctx, "docker", "rmi", testImage.name)
	return err
}

// startDockerNet generates a network of validators for containers (free
// port range and subnet, the test image), starts it with compose, and
// waits for height 3 on every node. The containers and network are removed
// when the test ends, with their logs if it failed.
func startDockerNet(ctx context.Context, t *testing.T, validators int, blockInterval time.Duration) (*Network, []Node) {
	t.Helper()
	image := dockerImage(ctx, t)
	base, err := FreeBase(10 * validators)
	if err != nil {
		t.Fatal(err)
	}
	subnet, err := freeSubnet(ctx)
	if err != nil {
		t.Fatal(err)
	}
	netDir := filepath.Join(t.TempDir(), "net")
	net, err := Generate(GenOptions{Dir: netDir, Validators: validators, BasePort: base, Passphrase: "localnet", LightScrypt: true,
		BlockInterval: blockInterval,
		Docker:        &DockerOptions{Subnet: subnet, Project: fmt.Sprintf("ledgerd-test-%d", base), Image: image}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(netDir, "passphrase"), []byte("localnet\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			logComposeTail(t, netDir, net.Docker.Project)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := ComposeDown(ctx, netDir); err != nil {
			t.Errorf("compose down: %v", err)
		}
	})
	start := time.Now()
	if err := ComposeUp(ctx, netDir); err != nil {
		t.Fatal(err)
	}
	t.Logf("compose up in %s", time.Since(start).Round(time.Millisecond))
	nodes, err := DockerNodes(net)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		waitHeight(ctx, t, n, 3, time.Minute)
	}
	return net, nodes
}

// sameBlock checks that every node has the same block and app hash at h.
func sameBlock(ctx context.Context, t *testing.T, clients []*rpchttp.HTTP, h int64) {
	t.Helper()
	var hash, appHash []byte
	for i, c := range clients {
		b, err := c.Block(ctx, &h)
		if err != nil {
			t.Fatalf("node%d block %d: %v", i, h, err)
		}
		if i == 0 {
			hash, appHash = b.BlockID.Hash, b.Block.AppHash
			continue
		}
		if !bytes.Equal(b.BlockID.Hash, hash) || !bytes.Equal(b.Block.AppHash, appHash) {
			t.Fatalf("height %d: node%d has block %X app hash %X, node0 %X %X", h, i, b.BlockID.Hash, b.Block.AppHash, hash, appHash)
		}
	}
}

func waitHeight(ctx context.Context, t *testing.T, n Node, h int64, within time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	if err := WaitForHeight(ctx, n.RPC(), h); err != nil {
		t.Fatalf("%s: %v", n.Name(), err)
	}
}

func height(ctx context.Context, t *testing.T, c *rpchttp.HTTP) int64 {
	t.Helper()
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st.SyncInfo.LatestBlockHeight
}

func validatorAddress(t *testing.T, home string) []byte {
	t.Helper()
	pv := privval.LoadFilePV(filepath.Join(home, "config", "priv_validator_key.json"),
		filepath.Join(home, "data", "priv_validator_state.json"))
	return pv.GetAddress()
}

// freeSubnet returns a /24 in 172.28.0.0/16, from 172.28.100.0 up, that no
// docker network uses.
func freeSubnet(ctx context.Context) (string, error) {
	ids, err := run(ctx, "docker", "network", "ls", "--quiet")
	if err != nil {
		return "", err
	}
	out, err := run(ctx, append([]string{"docker", "network", "inspect", "--format",
		"{{range .IPAM.Config}}{{.Subnet}} {{end}}"}, strings.Fields(ids)...)...)
	if err != nil {
		return "", err
	}
	var used []netip.Prefix
	for _, s := range strings.Fields(out) {
		if p, err := netip.ParsePrefix(s); err == nil {
			used = append(used, p)
		}
	}
	for i := 100; i < 256; i++ {
		p := netip.MustParsePrefix(fmt.Sprintf("172.28.%d.0/24", i))
		free := true
		for _, u := range used {
			free = free && !u.Overlaps(p)
		}
		if free {
			return p.String(), nil
		}
	}
	return "", fmt.Errorf("no free /24 in 172.28.100.0-172.28.255.0 among docker's networks: %s", out)
}

// logComposeTail logs the last lines of every container's output.
func logComposeTail(t *testing.T, dir, project string) {
	c, err := composeCommand()
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, _ := run(ctx, append(c, "--project-name", project, "--file", filepath.Join(dir, ComposeFile),
		"logs", "--no-color", "--tail", "30")...)
	t.Logf("container logs:\n%s", out)
}
