package testnet

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
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
