package main

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

// TestCreditCLI walks the README's instant loan through the CLI against
// the demo devnet's node: the demo bank's product, an offer, the
// borrower's acceptance (terms repeated in major units), a drawdown, the
// schedule (plain and proven), a projection past a missed due date, a
// repayment refused for paying more than is due, a repayment, the loan's
// verified history and the lender's proven portfolio.
func TestCreditCLI(t *testing.T) {
	node := demoNode(t)
	with := func(args ...string) []string { return append(args, node...) }
	if _, err := run(t, with("keys", "add", "carol")...); err != nil {
		t.Fatal(err)
	}
	var k struct {
		Address string `json:"address"`
	}
	runJSON(t, &k, with("keys", "show", "carol")...)
	carol := k.Address
	hash := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	expires := time.Now().Add(72 * time.Hour).UTC().Format("2006-01-02")
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"tx", "wallet", "open", carol, "--tier", "2", "--kyc-hash", hash("carol KYC"), "--from", "demo-bank"}, "code 0"},
		{[]string{"tx", "wallet", "deposit", carol, "100.00", "CNY", "--reference", "CASH-C1", "--from", "demo-bank"}, "code 0"},
		{[]string{"tx", "credit", "offer", carol, "instant-12m", "6000.00", "CNY", "--expires", expires,
			"--contract-hash", hash("contract"), "--subject", hash("subject"), "--from", "demo-bank"}, "line 1 offered"},
		{[]string{"tx", "credit", "accept", "1", "6000.00", "CNY", "--rate-bps", "1800", "--penalty-rate-bps", "500",
			"--term-months", "12", "--contract-hash", hash("contract"), "--from", "carol"}, "code 0"},
		{[]string{"tx", "credit", "draw", "1", "6000.00", "CNY", "--from", "carol"}, "loan 1 drawn"},
		{[]string{"query", "credit", "schedule", "1"}, "principal: 460.08 CNY"},
		{[]string{"query", "credit", "loan", "1", "--prove"}, "verified: proven by ICS23"},
		{[]string{"query", "credit", "portfolio", "demo-bank", "CNY", "--prove"}, "outstanding: 6000.00 CNY"},
		{[]string{"query", "history", "loan", "1", "--verify"}, "complete, in order and unaltered"},
	}
	for _, s := range steps {
		out, err := run(t, with(s.args...)...)
		if err != nil || !strings.Contains(out, s.want) {
			t.Fatalf("%s: %v\n%s", strings.Join(s.args, " "), err, out)
		}
	}
	// Forty days on, nothing paid: the first installment is past its grace
	// days.
	out, err := run(t, with("query", "credit", "schedule", "1", "--on", time.Now().Add(40*24*time.Hour).UTC().Format("2006-01-02"))...)
	if err != nil || !strings.Contains(out, "status: overdue") || !strings.Contains(out, "class: special-mention") {
		t.Fatalf("projection: %v\n%s", err, out)
	}
	// Nothing is due yet: refused with its code, changing nothing.
	if out, err := run(t, with("tx", "credit", "repay", "1", "550.08", "CNY", "--from", "carol")...); err == nil ||
		!strings.Contains(err.Error(), `codespace "credit" code 23`) {
		t.Fatalf("repaying before anything is due: %v\n%s", err, out)
	}
	if out, err := run(t, with("tx", "credit", "prepay", "1", "1000.00", "CNY", "--from", "carol")...); err != nil {
		t.Fatalf("prepay: %v\n%s", err, out)
	}
	out, err = run(t, with("query", "credit", "loan", "1")...)
	if err != nil || !strings.Contains(out, "outstanding: 50") {
		t.Fatalf("after the prepayment: %v\n%s", err, out)
	}
}
