package testnet

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"
)

// The ports every node of a docker network listens on inside its
// container, on all its addresses.
const (
	DockerP2PPort     = 26656
	DockerRPCPort     = 26657
	DockerMetricsPort = 26660
)

// ComposeFile is the docker-compose file Generate writes into the
// directory of a docker network.
const ComposeFile = "docker-compose.yml"

// DockerOptions lays a generated network out for containers
// (GenOptions.Docker), one per node, on one private bridge network:
//
//   - node i has the fixed address Subnet+10+i (172.28.0.10, .11, ...) and
//     listens on 0.0.0.0 at DockerP2PPort, DockerRPCPort and
//     DockerMetricsPort; its peers dial it at its fixed address;
//   - its RPC and Prometheus ports are published on 127.0.0.1 at
//     BasePort+10i+1 and +2, where the process network has them, so that
//     tools on this machine reach both kinds of network the same way;
//   - Generate writes Dir/docker-compose.yml, one service per node with its
//     home mounted at /ledgerd, and Dir/.env naming the compose project.
//
// Generate records the options it used, defaults filled in, as
// Network.Docker.
type DockerOptions struct {
	// Subnet of the bridge network, IPv4 (default 172.28.0.0/24). It must
	// not overlap another docker network's.
	Subnet string `json:"subnet"`
	// Project is the compose project's name; it names the docker network
	// (Project-net) and the containers (Project-node0, ...). Default: the
	// base name of Dir, lowercased, without the characters compose refuses.
	Project string `json:"project"`
	// Image the containers run (default ledgerd:latest).
	Image string `json:"image"`
}

// NetworkName is the docker network the nodes are attached to.
func (d *DockerOptions) NetworkName() string { return d.Project + "-net" }

// ContainerName is the container of the node named node ("node0", ...).
func (d *DockerOptions) ContainerName(node string) string { return d.Project + "-" + node }

var (
	projectName    = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	projectRefused = regexp.MustCompile(`[^a-z0-9_-]+`)
	imageName      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/:@-]*$`)
)

// resolve returns d with its defaults filled in for a network of n nodes in
// dir, or why it cannot lay one out.
func (d DockerOptions) resolve(dir string, n int) (*DockerOptions, error) {
	if d.Subnet == "" {
		d.Subnet = "172.28.0.0/24"
	}
	if d.Image == "" {
		d.Image = "ledgerd:latest"
	}
	if d.Project == "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, err
		}
		d.Project = strings.TrimLeft(projectRefused.ReplaceAllString(strings.ToLower(filepath.Base(abs)), ""), "-_")
	}
	if !projectName.MatchString(d.Project) {
		return nil, fmt.Errorf("testnet: docker project name %q: lowercase letters, digits, '-' and '_', starting with a letter or digit", d.Project)
	}
	if !imageName.MatchString(d.Image) {
		return nil, fmt.Errorf("testnet: docker image %q is not an image reference", d.Image)
	}
	subnet, err := netip.ParsePrefix(d.Subnet)
	if err != nil || !subnet.Addr().Is4() || subnet != subnet.Masked() {
		return nil, fmt.Errorf("testnet: docker subnet %q: want an IPv4 network such as 172.28.0.0/24", d.Subnet)
	}
	// Addresses .10 to .10+n-1, below the broadcast address.
	if 10+n+1 > 1<<(32-subnet.Bits()) {
		return nil, fmt.Errorf("testnet: docker subnet %s is too small for %d nodes at .10 and up", d.Subnet, n)
	}
	return &d, nil
}

// nodeIP is node i's fixed address: the subnet's 10+i-th.
func (d *DockerOptions) nodeIP(i int) string {
	a := netip.MustParsePrefix(d.Subnet).Addr()
	for range 10 + i {
		a = a.Next()
	}
	return a.String()
}

// nodeAddrs is node i's addressing in a docker network; port is its
// BasePort+10i.
func (d *DockerOptions) nodeAddrs(i, port int) nodeAddrs {
	ip := d.nodeIP(i)
	return nodeAddrs{
		p2pListen:     fmt.Sprintf("tcp://0.0.0.0:%d", DockerP2PPort),
		rpcListen:     fmt.Sprintf("tcp://0.0.0.0:%d", DockerRPCPort),
		metricsListen: fmt.Sprintf("0.0.0.0:%d", DockerMetricsPort),
		peer:          fmt.Sprintf("%s:%d", ip, DockerP2PPort),
		external:      fmt.Sprintf("tcp://%s:%d", ip, DockerP2PPort),
		ip:            ip,
		p2pPort:       DockerP2PPort,
		rpcPort:       port + 1,
		rpc:           fmt.Sprintf("tcp://127.0.0.1:%d", port+1),
	}
}

var composeTemplate = template.Must(template.New(ComposeFile).Parse(`# Written by 'ledgerd testnet init --docker': one container per node, each
# with its home (./nodeI) mounted at /ledgerd and a fixed address on the
# bridge network {{.Network}}. RPC and Prometheus are published on 127.0.0.1.
# The compose project name ({{.Project}}) is set in .env beside this file.
#
#   docker-compose -f DIR/docker-compose.yml up -d     start (or resume) the network
#   docker-compose -f DIR/docker-compose.yml logs -f node1
#   docker-compose -f DIR/docker-compose.yml down      stop it; the chain stays in DIR
version: "3.8"
services:
{{- range .Nodes}}
  {{.Name}}:
    image: "{{$.Image}}"
    container_name: {{.Container}}
    command: ["start", "--home", "/ledgerd"]
    volumes:
      - ./{{.Name}}:/ledgerd
    networks:
      ledgerd:
        ipv4_address: {{.IP}}
    ports:
      - "127.0.0.1:{{.RPCPort}}:{{$.RPCPort}}"  # RPC
      - "127.0.0.1:{{.MetricsPort}}:{{$.MetricsPort}}"  # Prometheus
    stop_grace_period: 30s
    restart: "no"
{{- end}}
networks:
  ledgerd:
    name: {{.Network}}
    driver: bridge
    ipam:
      config:
        - subnet: {{.Subnet}}
`))

type composeNode struct {
	Name, Container, IP  string
	RPCPort, MetricsPort int
}

// writeCompose writes dir/docker-compose.yml and dir/.env for net, laid
// out by d with node i's published ports at basePort+10i+1 and +2.
func writeCompose(dir string, d *DockerOptions, basePort int, net *Network) error {
	data := struct {
		Project, Network, Subnet, Image string
		RPCPort, MetricsPort            int
		Nodes                           []composeNode
	}{Project: d.Project, Network: d.NetworkName(), Subnet: d.Subnet, Image: d.Image,
		RPCPort: DockerRPCPort, MetricsPort: DockerMetricsPort}
	for i, n := range net.Nodes {
		data.Nodes = append(data.Nodes, composeNode{Name: n.Name, Container: d.ContainerName(n.Name), IP: n.IP,
			RPCPort: n.RPCPort, MetricsPort: basePort + 10*i + 2})
	}
	var buf bytes.Buffer
	if err := composeTemplate.Execute(&buf, data); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, ComposeFile), buf.Bytes(), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ".env"), []byte("COMPOSE_PROJECT_NAME="+d.Project+"\n"), 0o644)
}
