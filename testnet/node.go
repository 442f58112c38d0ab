package testnet

import (
	"errors"
	"syscall"
)

// Node is one node of a running network, as a fault schedule drives it:
// a process on this machine (Process) or a container (DockerNode).
type Node interface {
	// Name is the node's name in the network ("node0", ...).
	Name() string
	// RPC is the node's CometBFT RPC address, reachable from this process.
	RPC() string
	// Start starts the node (again, after Kill or Stop).
	Start() error
	// Kill stops the node abruptly (SIGKILL) and waits until it is gone.
	Kill() error
	// Stop stops the node cleanly (SIGTERM) and waits until it is gone.
	Stop() error
	// Pause freezes the node (SIGSTOP, docker pause); Resume thaws it.
	Pause() error
	Resume() error
	// Disconnect cuts the node off the network, and Reconnect joins it
	// again. Nodes that cannot be cut off return ErrUnsupported.
	Disconnect() error
	Reconnect() error
}

// ErrUnsupported is returned by perturbations a kind of node cannot do.
var ErrUnsupported = errors.New("testnet: perturbation not supported by this kind of node")

var _ Node = (*Process)(nil)

// Name implements Node: the home directory's base name.
func (p *Process) Name() string {
	if p.NodeName != "" {
		return p.NodeName
	}
	return p.Home
}

// Pause implements Node with SIGSTOP.
func (p *Process) Pause() error { return p.sendNoWait(syscall.SIGSTOP) }

// Resume implements Node with SIGCONT.
func (p *Process) Resume() error { return p.sendNoWait(syscall.SIGCONT) }

// Disconnect implements Node: processes on one host cannot be cut off.
func (p *Process) Disconnect() error { return ErrUnsupported }

// Reconnect implements Node: processes on one host cannot be cut off.
func (p *Process) Reconnect() error { return ErrUnsupported }

func (p *Process) sendNoWait(sig syscall.Signal) error {
	if p.cmd == nil || p.cmd.Process == nil {
		return errors.New("testnet: node " + p.Name() + " is not running")
	}
	return p.cmd.Process.Signal(sig)
}
