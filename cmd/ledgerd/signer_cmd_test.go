package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledgerd/ledgerd/node"
	"github.com/ledgerd/ledgerd/node/signer"
)

// TestSignerInitFromNodeHome moves a node's validator key to a signer home
// as docs/operations.md says: refused while the node runs, then moved, with
// the node's chain id; the node's home no longer has it, and show-validator
// reads it in the signer's.
func TestSignerInitFromNodeHome(t *testing.T) {
	dir := t.TempDir()
	nodeHome, signerHome, pass := filepath.Join(dir, "node"), filepath.Join(dir, "signer"), filepath.Join(dir, "pass")
	if err := os.WriteFile(pass, []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := run(t, "init", "--home", nodeHome, "--chain-id", "acme-ledger", "--moniker", "bank-1",
		"--light-kdf", "--passphrase-file", pass); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	pub, err := run(t, "show-validator", "--home", nodeHome)
	if err != nil {
		t.Fatal(err)
	}

	// A node that has its home open keeps its key.
	cmt, err := node.LoadCometConfig(nodeHome)
	if err != nil {
		t.Fatal(err)
	}
	cfg := node.DefaultConfig()
	cfg.Metrics.Enabled = false
	n, err := node.New(nodeHome, cmt, cfg)
	if err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "signer", "init", "--home", signerHome, "--from-node-home", nodeHome)
	if err == nil || !strings.Contains(err.Error(), "is running") {
		t.Errorf("moving the key of a running node: %v\n%s", err, out)
	}
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}

	if out, err := run(t, "signer", "init", "--home", signerHome, "--from-node-home", nodeHome, "--chain-id", "other"); err == nil {
		t.Errorf("moving the key to a signer of another chain: %s", out)
	}
	out, err = run(t, "signer", "init", "--home", signerHome, "--from-node-home", nodeHome, "--addr", "tcp://10.0.0.5:26659", "-o", "json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var res signer.InitResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if res.Key != "moved" || res.PubKey != strings.TrimSpace(pub) {
		t.Errorf("signer init: %+v, want the node's key %s moved", res, pub)
	}
	if c, err := signer.LoadConfig(signerHome); err != nil || c.ChainID != "acme-ledger" || c.Addr != "tcp://10.0.0.5:26659" {
		t.Errorf("signer.toml: %+v, %v", c, err)
	}
	if _, err := os.Stat(cmt.PrivValidatorKeyFile()); !os.IsNotExist(err) {
		t.Errorf("the node's key file is still there: %v", err)
	}
	if got, err := run(t, "show-validator", "--home", signerHome); err != nil || got != pub {
		t.Errorf("show-validator in the signer's home: %q, %v; want %q", got, err, pub)
	}
	// Without its key and without a signer listen address, the node does
	// not start (nor make up a new key).
	if _, err := node.New(nodeHome, cmt, cfg); err == nil || !strings.Contains(err.Error(), "remote_signer.laddr") {
		t.Errorf("node without its key: %v", err)
	}
}
