package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run executes the CLI with args and returns its output.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

func TestVersionReportsBackend(t *testing.T) {
	out, err := run(t, "version", "--output", "json")
	if err != nil {
		t.Fatal(err)
	}
	var v versionInfo
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if v.CometBFT == "" || v.Secp256k1 == "" {
		t.Fatalf("incomplete version info: %+v", v)
	}
}

func TestKeysRoundTrip(t *testing.T) {
	home := t.TempDir()
	pass := filepath.Join(home, "pass")
	if err := os.WriteFile(pass, []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	common := []string{"--home", home, "--passphrase-file", pass}
	if _, err := run(t, append([]string{"keys", "add", "alice"}, common...)...); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, append([]string{"keys", "show", "alice", "-o", "json"}, common...)...)
	if err != nil || !strings.Contains(out, `"address": "0x`) {
		t.Fatalf("show: %v %s", err, out)
	}
	hexKey, err := run(t, append([]string{"keys", "export", "alice", "--unsafe-hex"}, common...)...)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(home, "alice.hex")
	os.WriteFile(keyFile, []byte(hexKey), 0o600)
	imported, err := run(t, append([]string{"keys", "import", "alice2", "--private-key-file", keyFile, "-o", "json"}, common...)...)
	if err != nil {
		t.Fatal(err)
	}
	var a, b map[string]any
	json.Unmarshal([]byte(out), &a)
	json.Unmarshal([]byte(imported), &b)
	if a["address"] != b["address"] {
		t.Fatalf("imported key has address %v, exported %v", b["address"], a["address"])
	}
	if _, err := run(t, append([]string{"keys", "add", "alice"}, common...)...); err == nil {
		t.Fatal("adding a key under an existing name succeeded")
	}
	list, _ := run(t, append([]string{"keys", "list"}, common...)...)
	if !strings.Contains(list, "alice") || !strings.Contains(list, "alice2") {
		t.Fatalf("list: %s", list)
	}
	if _, err := run(t, append([]string{"keys", "delete", "alice2"}, common...)...); err != nil {
		t.Fatal(err)
	}
}

func TestEnvironmentSetsFlags(t *testing.T) {
	home := t.TempDir()
	t.Setenv("LEDGERD_HOME", home)
	pass := filepath.Join(home, "pass")
	os.WriteFile(pass, []byte("secret\n"), 0o600)
	t.Setenv("LEDGERD_PASSPHRASE_FILE", pass)
	if _, err := run(t, "keys", "add", "carol"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(home, "keyring", "carol.json")); err != nil {
		t.Fatalf("LEDGERD_HOME was not used: %v", err)
	}
}

func TestBadInputIsRefusedBeforeSigning(t *testing.T) {
	home := t.TempDir()
	for _, args := range [][]string{
		{"tx", "wallet", "transfer", "0x123", "10", "CNY", "--from", "x"},
		{"tx", "wallet", "transfer", "0x0000000000000000000000000000000000000001", "ten", "CNY", "--from", "x"},
		{"tx", "wallet", "open", "0x0000000000000000000000000000000000000001", "--tier", "2", "--kyc-hash", "abcd", "--from", "x"},
		{"version", "--output", "yaml"},
	} {
		if _, err := run(t, append(args, "--home", home)...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
