package testnet

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
)

// TestHandAssembledGenesis follows docs/consortium-setup.md: four banks
// each run `ledgerd init`; bank-1 adds the others and an auditor with
// `ledgerd genesis add-member`, sets a parameter, validates, and every bank
// starts from the same file. The four validators then make the same blocks.
func TestHandAssembledGenesis(t *testing.T) {
	if testing.Short() {
		t.Skip("runs four node processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin := testBinary(ctx, t)
	ledgerd := func(args ...string) string {
		t.Helper()
		out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("ledgerd %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	pass := filepath.Join(dir, "passphrase")
	if err := os.WriteFile(pass, []byte("bank\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base, err := FreeBase(40)
	if err != nil {
		t.Fatal(err)
	}
	homes := make([]string, 4)
	var peers []string
	for i := range homes {
		homes[i] = filepath.Join(dir, fmt.Sprintf("bank-%d", i+1))
		ledgerd("init", "--home", homes[i], "--chain-id", "acme-consortium", "--moniker", fmt.Sprintf("bank-%d", i+1),
			"--passphrase-file", pass, "--light-kdf", "--block-interval", "200ms")
		peers = append(peers, fmt.Sprintf("%s@127.0.0.1:%d", ledgerd("show-node-id", "--home", homes[i]), base+10*i))
	}
	coordinator := homes[0]
	for i := 1; i < 4; i++ {
		var key struct{ Address string }
		if err := json.Unmarshal([]byte(ledgerd("keys", "show", fmt.Sprintf("bank-%d", i+1), "--home", homes[i], "-o", "json")), &key); err != nil {
			t.Fatal(err)
		}
		ledgerd("genesis", "add-member", fmt.Sprintf("bank-%d", i+1), "--home", coordinator,
			"--name", fmt.Sprintf("Bank %d", i+1), "--roles", "issuer,lender", "--operator", key.Address,
			"--node-id", strings.Split(peers[i], "@")[0],
			"--validator-key", ledgerd("show-validator", "--home", homes[i]), "--power", "10")
	}
	ledgerd("genesis", "add-member", "auditor", "--home", coordinator, "--name", "Audit Office", "--roles", "auditor")
	ledgerd("genesis", "set-param", "consortium.max_block_txs", "4000", "--home", coordinator)
	// A bad parameter is refused and changes nothing.
	if out, err := exec.CommandContext(ctx, bin, "genesis", "set-param", "consortium.max_tx_bytes", "10", "--home", coordinator).CombinedOutput(); err == nil {
		t.Fatalf("max_tx_bytes 10 accepted: %s", out)
	}
	summary := ledgerd("genesis", "validate", "--home", coordinator)
	hash := regexp.MustCompile(`sha256 ([0-9a-f]{64})`).FindStringSubmatch(summary)
	if hash == nil || !strings.Contains(summary, "5 members, total voting power 40") {
		t.Fatalf("validate:\n%s", summary)
	}
	genesis, err := os.ReadFile(filepath.Join(coordinator, "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	var procs []*Process
	for i, h := range homes {
		if err := os.WriteFile(filepath.Join(h, "config", "genesis.json"), genesis, 0o644); err != nil {
			t.Fatal(err)
		}
		if got := ledgerd("genesis", "validate", "--home", h); !strings.Contains(got, hash[1]) {
			t.Fatalf("bank-%d's copy has another hash:\n%s", i+1, got)
		}
		setPersistentPeers(t, h, peers, i)
		p := &Process{NodeName: filepath.Base(h), Bin: bin, Home: h, P2PPort: base + 10*i, RPCPort: base + 10*i + 1,
			Args: []string{"--log_level", "error", "--metrics.enabled=false"}}
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
		defer p.Stop()
		procs = append(procs, p)
	}
	clients := make([]*rpchttp.HTTP, len(procs))
	for i, p := range procs {
		if err := p.WaitForHeight(ctx, 5); err != nil {
			t.Fatal(err)
		}
		if clients[i], err = rpchttp.New(p.RPC(), "/websocket"); err != nil {
			t.Fatal(err)
		}
	}
	for h := int64(1); h <= 4; h++ {
		sameBlock(ctx, t, clients, h)
	}
	c, err := clients[3].Commit(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.Commit.Signatures); n != 4 {
		t.Fatalf("commit at %d has %d signatures, want the 4 banks'", c.Height, n)
	}
}

// setPersistentPeers writes the other banks' nodes into home's config.toml,
// as an operator would.
func setPersistentPeers(t *testing.T, home string, peers []string, self int) {
	t.Helper()
	path := filepath.Join(home, "config", "config.toml")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var others []string
	for i, p := range peers {
		if i != self {
			others = append(others, p)
		}
	}
	re := regexp.MustCompile(`(?m)^persistent_peers = .*$`)
	if !re.Match(raw) {
		t.Fatalf("%s has no persistent_peers line", path)
	}
	out := re.ReplaceAll(raw, []byte(fmt.Sprintf("persistent_peers = %q", strings.Join(others, ","))))
	out = regexp.MustCompile(`(?m)^allow_duplicate_ip = .*$`).ReplaceAll(out, []byte("allow_duplicate_ip = true"))
	out = regexp.MustCompile(`(?m)^addr_book_strict = .*$`).ReplaceAll(out, []byte("addr_book_strict = false"))
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}
