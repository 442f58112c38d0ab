package testnet

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ledgerd/ledgerd/client/keys"
	"github.com/ledgerd/ledgerd/testnet/load"
)

// ManifestFile is where Generate records the network it wrote, under its
// directory: the tools that drive a running network (load, fault tests)
// read it with LoadNetwork.
const ManifestFile = "network.json"

// Save writes n to dir/network.json.
func (n *Network) Save(dir string) error {
	b, err := json.MarshalIndent(n, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ManifestFile), append(b, '\n'), 0o644)
}

// LoadNetwork reads the network Generate wrote into dir.
func LoadNetwork(dir string) (*Network, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("testnet: %w (is %s a network made by `ledgerd testnet init`?)", err, dir)
	}
	n := new(Network)
	if err := json.Unmarshal(b, n); err != nil {
		return nil, fmt.Errorf("testnet: %s: %w", filepath.Join(dir, ManifestFile), err)
	}
	return n, nil
}

// RPCs returns every node's RPC address, in node order.
func (n *Network) RPCs() []string {
	out := make([]string, len(n.Nodes))
	for i, node := range n.Nodes {
		out[i] = node.RPC
	}
	return out
}

// Banks returns the member banks of the network in dir (those running a
// validator) with their operator keys, decrypted with dir/passphrase, for
// the load generator.
func (n *Network) Banks(dir string) ([]load.Bank, error) {
	pass, err := os.ReadFile(filepath.Join(dir, "passphrase"))
	if err != nil {
		return nil, fmt.Errorf("testnet: %w", err)
	}
	kr, err := keys.Open(filepath.Join(dir, "keyring"), keys.Options{})
	if err != nil {
		return nil, err
	}
	var banks []load.Bank
	for _, node := range n.Nodes {
		if !node.Validator {
			continue
		}
		key, err := kr.Key(node.Member, strings.TrimRight(string(pass), "\r\n"))
		if err != nil {
			return nil, fmt.Errorf("testnet: operator key of %s: %w", node.Member, err)
		}
		banks = append(banks, load.Bank{Member: node.Member, Key: key})
	}
	return banks, nil
}
