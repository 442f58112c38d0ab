package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSettleCLI settles between two banks through the CLI against the
// demo devnet's node: a second bank admitted by governance, a payment from
// demo-bank's customer to the new bank's, the positions (plain and
// proven), a bilateral cycle closed, its leg paid, disputed, paid again
// and confirmed, the proven cycle and its verified history; a cycle
// through an agent refused for want of one.
func TestSettleCLI(t *testing.T) {
	node := demoNode(t)
	with := func(args ...string) []string { return append(args, node...) }
	for _, name := range []string{"carol", "dave", "bank-two"} {
		if _, err := run(t, with("keys", "add", name)...); err != nil {
			t.Fatal(err)
		}
	}
	addrOf := func(name string) string {
		var k struct {
			Address string `json:"address"`
		}
		runJSON(t, &k, with("keys", "show", name)...)
		return k.Address
	}
	carol, dave, bankTwo := addrOf("carol"), addrOf("dave"), addrOf("bank-two")
	doc := filepath.Join(t.TempDir(), "admission.txt")
	if err := os.WriteFile(doc, []byte("bank-two joins\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	hash := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"tx", "gov", "propose", "add-member", "bank-two", "--name", "Bank Two", "--roles", "issuer", "--operator", bankTwo,
			"--title", "Bank Two joins", "--document", doc, "--from", "demo-bank"}, "code 0"},
		{[]string{"tx", "gov", "vote", "1", "yes", "--from", "demo-bank"}, "code 0"},
		{[]string{"tx", "gov", "vote", "1", "yes", "--from", "demo-auditor"}, "executed"},
		{[]string{"tx", "wallet", "open", carol, "--tier", "2", "--kyc-hash", hash("carol"), "--from", "demo-bank"}, "code 0"},
		{[]string{"tx", "wallet", "open", dave, "--tier", "2", "--kyc-hash", hash("dave"), "--from", "bank-two"}, "code 0"},
		{[]string{"tx", "wallet", "deposit", carol, "500.00", "CNY", "--reference", "CASH-1", "--from", "demo-bank"}, "code 0"},
		{[]string{"tx", "wallet", "transfer", dave, "120.00", "CNY", "--from", "carol"}, "code 0"},
		// Dave redeems at his own bank money demo-bank issued.
		{[]string{"tx", "wallet", "redeem", "20.00", "CNY", "--payout-reference", "ACCT-D", "--from", "dave"}, "code 0"},
		{[]string{"query", "settle", "positions", "CNY"}, "owes: 120.00 CNY"},
		{[]string{"query", "settle", "positions", "CNY", "--prove"}, "owed: 120.00 CNY"},
		{[]string{"tx", "settle", "close-cycle", "CNY", "--with", "demo-bank", "--from", "bank-two"}, "cycle 1 closed with 1 legs"},
		{[]string{"query", "settle", "legs", "1"}, "amount: 120.00 CNY"},
		{[]string{"tx", "settle", "pay", "1", "0", "--reference", "HVPS-0001", "--from", "demo-bank"}, "code 0"},
		{[]string{"tx", "settle", "dispute", "1", "0", "--reason", "HVPS-0001 not received", "--from", "bank-two"}, "code 0"},
		{[]string{"query", "settle", "breaches", "demo-bank"}, "disputed"},
		{[]string{"tx", "settle", "pay", "1", "0", "--reference", "HVPS-0002", "--from", "demo-bank"}, "code 0"},
		{[]string{"tx", "settle", "confirm", "1", "0", "--from", "bank-two"}, "code 0"},
		{[]string{"query", "settle", "cycle", "1", "--prove"}, "verified: proven by ICS23"},
		{[]string{"query", "settle", "cycle", "1"}, "settled"},
		{[]string{"query", "history", "cycle", "1", "--verify"}, "complete, in order and unaltered"},
	}
	for _, s := range steps {
		out, err := run(t, with(s.args...)...)
		if err != nil || !strings.Contains(out, s.want) {
			t.Fatalf("%s: %v\n%s", strings.Join(s.args, " "), err, out)
		}
	}
	// Settled: no position left; a cycle through an agent is refused,
	// none being set, with its code.
	if out, err := run(t, with("query", "settle", "positions", "CNY")...); err != nil || strings.Contains(out, "owes: 1") {
		t.Fatalf("positions after settling: %v\n%s", err, out)
	}
	if out, err := run(t, with("tx", "settle", "close-cycle", "CNY", "--from", "demo-bank")...); err == nil ||
		!strings.Contains(err.Error(), `codespace "settle" code 5`) {
		t.Fatalf("a cycle without an agent: %v\n%s", err, out)
	}
}
