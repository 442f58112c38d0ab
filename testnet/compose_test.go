package testnet

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledgerd/ledgerd/node"
)

var updateCompose = flag.Bool("update-compose", false, "rewrite testdata/docker-compose.yml from Generate")

// TestGenerateDocker checks the docker layout: fixed addresses from .10 in
// the subnet, container ports on 0.0.0.0, peers dialled at the fixed
// addresses, published ports where the process network has its, and the
// compose file (golden: go test -run TestGenerateDocker -update-compose).
func TestGenerateDocker(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Net.1")
	net, err := Generate(GenOptions{Dir: dir, Validators: 3, FullNodes: 1, BasePort: 30000,
		Passphrase: "localnet", LightScrypt: true, Docker: &DockerOptions{Subnet: "10.99.4.0/24"}})
	if err != nil {
		t.Fatal(err)
	}
	want := DockerOptions{Subnet: "10.99.4.0/24", Project: "net1", Image: "ledgerd:latest"}
	if net.Docker == nil || *net.Docker != want {
		t.Fatalf("Network.Docker = %+v, want %+v", net.Docker, want)
	}
	saved, err := LoadNetwork(dir)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Docker == nil || *saved.Docker != want || saved.Nodes[3].IP != "10.99.4.13" {
		t.Fatalf("network.json records %+v, node3 %+v", saved.Docker, saved.Nodes[3])
	}
	for i, n := range net.Nodes {
		cfg, err := node.LoadCometConfig(n.Home)
		if err != nil {
			t.Fatal(err)
		}
		ip := fmt.Sprintf("10.99.4.%d", 10+i)
		rpc := 30000 + 10*i + 1
		if n.IP != ip || n.P2PPort != DockerP2PPort || n.RPCPort != rpc || n.RPC != fmt.Sprintf("tcp://127.0.0.1:%d", rpc) {
			t.Errorf("%s: %+v", n.Name, n)
		}
		if cfg.P2P.ListenAddress != "tcp://0.0.0.0:26656" || cfg.RPC.ListenAddress != "tcp://0.0.0.0:26657" ||
			cfg.Instrumentation.PrometheusListenAddr != "0.0.0.0:26660" || cfg.P2P.ExternalAddress != "tcp://"+ip+":26656" {
			t.Errorf("%s listens on p2p %s (external %s), rpc %s, prometheus %s", n.Name, cfg.P2P.ListenAddress,
				cfg.P2P.ExternalAddress, cfg.RPC.ListenAddress, cfg.Instrumentation.PrometheusListenAddr)
		}
		for j, m := range net.Nodes {
			peer := m.ID + "@" + m.IP + ":26656"
			if strings.Contains(cfg.P2P.PersistentPeers, peer) != (i != j) {
				t.Errorf("%s: persistent peers %q and %s", n.Name, cfg.P2P.PersistentPeers, peer)
			}
		}
		nc, err := node.LoadConfig(n.Home, nil)
		if err != nil {
			t.Fatal(err)
		}
		if nc.Metrics.Listen != "0.0.0.0:26660" {
			t.Errorf("%s: ledgerd.toml metrics.listen %s", n.Name, nc.Metrics.Listen)
		}
	}

	got, err := os.ReadFile(filepath.Join(dir, ComposeFile))
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "docker-compose.yml")
	if *updateCompose {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wantFile, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, wantFile) {
		t.Errorf("%s differs from %s (go test -run TestGenerateDocker -update-compose):\n%s", ComposeFile, golden, got)
	}
	env, err := os.ReadFile(filepath.Join(dir, ".env"))
	if err != nil || string(env) != "COMPOSE_PROJECT_NAME=net1\n" {
		t.Errorf(".env = %q, %v", env, err)
	}
}

// TestGenerateProcessAddresses pins the process layout, which the docker
// one must leave as it was: every port from BasePort on Host, no
// external address, no compose file.
func TestGenerateProcessAddresses(t *testing.T) {
	dir := t.TempDir()
	net, err := Generate(GenOptions{Dir: dir, Validators: 2, BasePort: 31000, Passphrase: "localnet", LightScrypt: true})
	if err != nil {
		t.Fatal(err)
	}
	if net.Docker != nil || net.Nodes[1].IP != "" {
		t.Fatalf("a process network with docker settings: %+v %+v", net.Docker, net.Nodes[1])
	}
	cfg, err := node.LoadCometConfig(net.Nodes[1].Home)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.P2P.ListenAddress != "tcp://127.0.0.1:31010" || cfg.RPC.ListenAddress != "tcp://127.0.0.1:31011" ||
		cfg.Instrumentation.PrometheusListenAddr != "127.0.0.1:31012" || cfg.P2P.ExternalAddress != "" ||
		cfg.P2P.PersistentPeers != net.Nodes[0].ID+"@127.0.0.1:31000" {
		t.Errorf("node1: p2p %s (external %q), rpc %s, prometheus %s, peers %s", cfg.P2P.ListenAddress, cfg.P2P.ExternalAddress,
			cfg.RPC.ListenAddress, cfg.Instrumentation.PrometheusListenAddr, cfg.P2P.PersistentPeers)
	}
	if _, err := os.Stat(filepath.Join(dir, ComposeFile)); !os.IsNotExist(err) {
		t.Errorf("a process network has a %s: %v", ComposeFile, err)
	}
}

func TestDockerOptionsRefused(t *testing.T) {
	for name, d := range map[string]DockerOptions{
		"IPv6 subnet":          {Subnet: "fd00::/64"},
		"host bits set":        {Subnet: "172.28.0.5/24"},
		"not a subnet":         {Subnet: "172.28.0.0"},
		"subnet too small":     {Subnet: "172.28.0.0/28"},
		"project with a dot":   {Project: "a.b"},
		"project with a dash":  {Project: "-ab"},
		"image with a space":   {Image: "ledgerd latest"},
		"image with a newline": {Image: "ledgerd\nx: y"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := Generate(GenOptions{Dir: dir, Validators: 4, FullNodes: 2, Docker: &d})
			if err == nil || !strings.Contains(err.Error(), "testnet: docker") {
				t.Fatalf("Generate with %+v: %v", d, err)
			}
		})
	}
}
