package testnet

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// dockerTimeout bounds each docker command a DockerNode runs.
const dockerTimeout = 2 * time.Minute

// CommandError is a docker or docker-compose command that failed, with
// what it printed.
type CommandError struct {
	Args   []string // the command line
	Err    error    // how it failed (exit status, not found, ...)
	Output string   // its stdout and stderr
}

func (e *CommandError) Error() string {
	return fmt.Sprintf("testnet: %s: %v: %s", strings.Join(e.Args, " "), e.Err, strings.TrimSpace(e.Output))
}

func (e *CommandError) Unwrap() error { return e.Err }

// run runs a command and returns its combined output, or a *CommandError.
func run(ctx context.Context, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return string(out), &CommandError{Args: args, Err: err, Output: string(out)}
	}
	return string(out), nil
}

// composeCommand is the compose CLI: docker-compose (v1, or v2's standalone
// binary), else the docker compose plugin.
func composeCommand() ([]string, error) {
	if _, err := exec.LookPath("docker-compose"); err == nil {
		return []string{"docker-compose"}, nil
	}
	if exec.Command("docker", "compose", "version").Run() == nil {
		return []string{"docker", "compose"}, nil
	}
	return nil, errors.New("testnet: no compose CLI: neither docker-compose nor the docker compose plugin is installed")
}

// DockerAvailable reports why docker networks cannot run here: nil when the
// docker daemon answers and a compose CLI is installed.
func DockerAvailable() error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := run(ctx, "docker", "version", "--format", "{{.Server.Version}}"); err != nil {
		return err
	}
	_, err := composeCommand()
	return err
}

// BuildImage builds the ledgerd image, tagged with each of tags, with
// scripts/docker-image.sh (as `make docker-image` does): ledgerd statically
// linked with cgo and libsecp256k1, built on this machine into outDir, in
// an image FROM scratch. It pulls no image; Go modules come from the module
// cache or proxy.
func BuildImage(ctx context.Context, outDir string, tags ...string) error {
	if len(tags) == 0 {
		return errors.New("testnet: BuildImage needs at least one tag")
	}
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(filepath.Dir(file)), "scripts", "docker-image.sh")
	_, err := run(ctx, append([]string{script, outDir}, tags...)...)
	return err
}

// ComposeUp creates and starts the containers of the docker network
// generated in dir, or starts them again after ComposeDown: the nodes
// resume the chain kept in dir.
func ComposeUp(ctx context.Context, dir string) error { return compose(ctx, dir, "up", "-d") }

// ComposeDown stops the containers of the docker network in dir (SIGTERM,
// up to 30 s each) and removes them and the network. The nodes' homes, and
// so the chain, stay in dir.
func ComposeDown(ctx context.Context, dir string) error { return compose(ctx, dir, "down") }

func compose(ctx context.Context, dir string, args ...string) error {
	n, err := LoadNetwork(dir)
	if err != nil {
		return err
	}
	if n.Docker == nil {
		return fmt.Errorf("testnet: %s holds a network of processes, not of containers (ledgerd testnet init --docker)", dir)
	}
	c, err := composeCommand()
	if err != nil {
		return err
	}
	_, err = run(ctx, append(append(c, "--project-name", n.Docker.Project, "--file", filepath.Join(dir, ComposeFile)), args...)...)
	return err
}

// DockerNode is one node of a docker network (Generate with Docker, then
// ComposeUp), driven with the docker CLI. Each method runs one docker
// command (two for Kill) and returns a *CommandError, with docker's output,
// if it fails; methods may be called concurrently.
type DockerNode struct {
	NodeName  string // the node's name in the network, "node0", ...
	Container string // its container
	Network   string // the docker network it is attached to
	IP        string // its fixed address on Network
	RPCAddr   string // its RPC as published on this machine, tcp://127.0.0.1:port
}

var _ Node = (*DockerNode)(nil)

// DockerNodes returns the nodes of the docker network n, in node order.
func DockerNodes(n *Network) ([]Node, error) {
	if n.Docker == nil {
		return nil, errors.New("testnet: DockerNodes of a network of processes")
	}
	nodes := make([]Node, len(n.Nodes))
	for i, info := range n.Nodes {
		nodes[i] = &DockerNode{NodeName: info.Name, Container: n.Docker.ContainerName(info.Name),
			Network: n.Docker.NetworkName(), IP: info.IP, RPCAddr: info.RPC}
	}
	return nodes, nil
}

// Name implements Node.
func (d *DockerNode) Name() string { return d.NodeName }

// RPC implements Node: the published RPC port on 127.0.0.1.
func (d *DockerNode) RPC() string { return d.RPCAddr }

// Start implements Node: docker start.
func (d *DockerNode) Start() error { return d.docker("start", d.Container) }

// Kill implements Node: docker kill (SIGKILL), then docker wait until the
// container has stopped.
func (d *DockerNode) Kill() error {
	if err := d.docker("kill", d.Container); err != nil {
		return err
	}
	return d.docker("wait", d.Container)
}

// Stop implements Node: docker stop (SIGTERM, SIGKILL after 30 s).
func (d *DockerNode) Stop() error { return d.docker("stop", "--time", "30", d.Container) }

// Pause implements Node: docker pause (the cgroup freezer).
func (d *DockerNode) Pause() error { return d.docker("pause", d.Container) }

// Resume implements Node: docker unpause.
func (d *DockerNode) Resume() error { return d.docker("unpause", d.Container) }

// Disconnect implements Node: docker network disconnect, which takes the
// container's interface on the network away. Its published ports go with
// it: its RPC does not answer until Reconnect.
func (d *DockerNode) Disconnect() error {
	return d.docker("network", "disconnect", d.Network, d.Container)
}

// Reconnect implements Node: docker network connect with the node's fixed
// address, which its peers dial; docker publishes its ports again.
func (d *DockerNode) Reconnect() error {
	return d.docker("network", "connect", "--ip", d.IP, d.Network, d.Container)
}

func (d *DockerNode) docker(args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), dockerTimeout)
	defer cancel()
	_, err := run(ctx, append([]string{"docker"}, args...)...)
	return err
}
