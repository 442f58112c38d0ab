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
		{[]string{"query", "credit", "schedule", "1", "--as", "carol"}, "principal: 460.08 CNY"},
		{[]string{"query", "credit", "loan", "1", "--prove", "--as", "carol"}, "verified: proven by ICS23"},
		{[]string{"query", "credit", "portfolio", "demo-bank", "CNY", "--prove"}, "outstanding: 6000.00 CNY"},
		{[]string{"query", "history", "loan", "1", "--verify", "--as", "carol"}, "complete, in order and unaltered"},
		{[]string{"query", "credit", "report", carol, "--as", "carol"}, "limit: 6000.00 CNY"},
		{[]string{"query", "credit", "score", carol, "--prove", "--as", "carol"}, "points:"},
		{[]string{"query", "credit", "loans", "borrower", carol, "--prove", "--as", "carol"}, "proven:"},
	}
	for _, s := range steps {
		out, err := run(t, with(s.args...)...)
		if err != nil || !strings.Contains(out, s.want) {
			t.Fatalf("%s: %v\n%s", strings.Join(s.args, " "), err, out)
		}
	}
	// Forty days on, nothing paid: the first installment is past its grace
	// days.
	// Credit records are private: an unsigned read, or another's, is
	// refused with its code.
	for _, args := range [][]string{{"query", "credit", "loan", "1"}, {"query", "credit", "report", carol, "--as", "demo-bank"},
		{"query", "history", "loan", "1"}, {"query", "credit", "loans", "borrower", carol, "--prove"}} {
		if out, err := run(t, with(args...)...); err == nil || !strings.Contains(err.Error(), `codespace "query" code 8`) {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	// The lender reads the report once it records an enquiry (post-loan
	// management: no consent needed as the lender of a loan of carol's).
	if out, err := run(t, with("tx", "credit", "enquire", hash("subject"), "post-loan", "--from", "demo-bank")...); err != nil ||
		!strings.Contains(out, "enquiry 1 recorded") {
		t.Fatalf("enquire: %v\n%s", err, out)
	}
	if out, err := run(t, with("query", "credit", "report", carol, "--prove", "--as", "demo-bank")...); err != nil ||
		!strings.Contains(out, "balance: 6000.00 CNY") || !strings.Contains(out, "purpose: post-loan") {
		t.Fatalf("the lender's proven report: %v\n%s", err, out)
	}
	// The report projected four months on, nothing paid: the grid of the
	// months ended by then, each derived as it will be fixed.
	on := time.Now().AddDate(0, 4, 0).UTC().Format("2006-01-02")
	if out, err := run(t, with("query", "credit", "report", carol, "--as", "carol", "--on", on)...); err != nil ||
		!strings.Contains(out, "grid: *") || !strings.Contains(out, "notice_day:") {
		t.Fatalf("projected report: %v\n%s", err, out)
	} else {
		t.Logf("report on %s:\n%s", on, out)
	}
	// Consent, attestation, a dispute and its answer.
	for _, st := range []struct {
		args []string
		want string
	}{
		{[]string{"tx", "credit", "consent", "demo-bank", "loan-approval", "--expires", expires, "--from", "carol"}, "code 0"},
		{[]string{"tx", "credit", "attest-subject", carol, hash("subject"), "--from", "demo-bank"}, "attested"},
		{[]string{"tx", "credit", "enquire", hash("subject"), "loan-approval", "--from", "demo-bank"}, "enquiry 2 recorded"},
		{[]string{"tx", "credit", "dispute", "1", "--reason", "not mine", "--evidence-hash", hash("evidence"), "--from", "carol"}, "dispute 1 opened"},
		{[]string{"tx", "credit", "answer-dispute", "1", "--answer", "checked: it is", "--from", "demo-bank"}, "code 0"},
		{[]string{"query", "credit", "disputes", carol, "--as", "carol"}, "status: rejected"},
		{[]string{"query", "credit", "enquiries", hash("subject"), "--as", "demo-auditor"}, "purpose: loan-approval"},
	} {
		if out, err := run(t, with(st.args...)...); err != nil || !strings.Contains(out, st.want) {
			t.Fatalf("%s: %v\n%s", strings.Join(st.args, " "), err, out)
		}
	}
	out, err := run(t, with("query", "credit", "schedule", "1", "--as", "carol", "--on", time.Now().Add(40*24*time.Hour).UTC().Format("2006-01-02"))...)
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
	out, err = run(t, with("query", "credit", "loan", "1", "--as", "carol")...)
	if err != nil || !strings.Contains(out, "outstanding: 50") {
		t.Fatalf("after the prepayment: %v\n%s", err, out)
	}
}
