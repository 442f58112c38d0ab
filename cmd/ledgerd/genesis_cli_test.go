package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGenesisWalletsFile names a wallets file in the demo devnet's genesis
// with `genesis set-wallets-file`, which `genesis validate` reports, and
// starts the node from it: the file's wallets are open, with their
// balances, and their owners can pay.
func TestGenesisWalletsFile(t *testing.T) {
	const carol, dave = "0x00000000000000000000000000000000000ca201", "0x00000000000000000000000000000000000da4e0"
	kyc := strings.Repeat("ab", 32)
	wallets := `{"owner":"` + carol + `","bank":"demo-bank","tier":2,"kyc_hash":"` + kyc + `","balances":[{"denom":"CNY","amount":"150000"}]}
{"owner":"` + dave + `","bank":"demo-bank","tier":3,"kyc_hash":"` + kyc + `"}
`
	n := demoNodeWith(t, func(home string) {
		config := filepath.Join(home, "config")
		outside := filepath.Join(home, "wallets.jsonl")
		for _, p := range []string{outside, filepath.Join(config, "wallets.jsonl")} {
			if err := os.WriteFile(p, []byte(wallets), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := run(t, "genesis", "set-wallets-file", outside, "--home", home); err == nil || !strings.Contains(err.Error(), "move it there") {
			t.Fatalf("a file outside the genesis directory: %v", err)
		}
		if out, err := run(t, "genesis", "set-wallets-file", filepath.Join(config, "wallets.jsonl"), "--home", home); err != nil || !strings.Contains(out, "names wallets file wallets.jsonl, sha256 ") {
			t.Fatalf("set-wallets-file: %v\n%s", err, out)
		}
		if out, err := run(t, "genesis", "validate", "--home", home); err != nil || !strings.Contains(out, "wallets file wallets.jsonl, sha256 ") {
			t.Fatalf("validate: %v\n%s", err, out)
		}
		// A changed file is refused by validate, as it would be at InitChain,
		// until set-wallets-file pins it again.
		if err := os.WriteFile(filepath.Join(config, "wallets.jsonl"), []byte(strings.Replace(wallets, "150000", "150001", 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := run(t, "genesis", "validate", "--home", home); err == nil || !strings.Contains(err.Error(), "not the file this genesis was made with") {
			t.Fatalf("validate after the file changed: %v\n%s", err, out)
		}
		if out, err := run(t, "genesis", "set-wallets-file", filepath.Join(config, "wallets.jsonl"), "--home", home); err != nil {
			t.Fatalf("set-wallets-file again: %v\n%s", err, out)
		}
	})
	with := func(args ...string) []string { return append(args, n...) }
	var w struct {
		Tier     uint32 `json:"tier"`
		Balances []struct {
			Amount string `json:"amount"`
		} `json:"balances"`
	}
	runJSON(t, &w, with("query", "wallet", carol)...)
	if w.Tier != 2 || len(w.Balances) != 1 || w.Balances[0].Amount != "150001" {
		t.Fatalf("carol's wallet from the wallets file: %+v", w)
	}
	if out, err := run(t, with("query", "wallet", dave, "--prove")...); err != nil || !strings.Contains(out, "tier 3") {
		t.Fatalf("dave's wallet, proven: %v\n%s", err, out)
	}
}
