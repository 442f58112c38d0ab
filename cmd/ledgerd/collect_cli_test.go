package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/ledgerd/ledgerd/x/collect"
)

// allDayContact sets the genesis's collection parameters to allow contact
// at any hour, so that the test does not depend on the hour it runs at
// (the hours' edges are tested on a chain with block times of its own,
// in x/collect).
func allDayContact(t *testing.T) func(home string) {
	return func(home string) {
		path := filepath.Join(home, "config", "genesis.json")
		doc, err := cmttypes.GenesisDocFromFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var state map[string]json.RawMessage
		if err := json.Unmarshal(doc.AppState, &state); err != nil {
			t.Fatal(err)
		}
		p := collect.DefaultParams()
		p.ContactStart, p.ContactEnd = 0, 86400
		params, err := protojson.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if state[collect.StoreName], err = json.Marshal(collect.Genesis{Params: params}); err != nil {
			t.Fatal(err)
		}
		if doc.AppState, err = json.Marshal(state); err != nil {
			t.Fatal(err)
		}
		if err := doc.SaveAs(path); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCollectCLI walks a collection case through the CLI against the demo
// devnet's node. A case needs a delinquent loan, and the node's blocks
// carry the wall clock's time, so the loan is written off (four eyes: a
// second demo-bank operator approves), which opens its case at once, in
// write-off recovery. An agency joins by governance and the lender
// delegates the case to it; the agency asks for a permit and records its
// outcome, records a promise the borrower confirms; a plan is refused for
// a written-off loan with the credit module's code; the borrower
// authorises a contact, complains, and a regulator rules; the case, its
// permits, coverage and complaints are read signed and proven, refused
// unsigned or to others; the agency offers a settlement, the borrower
// settles and the case closes; collect watch streams the lender's events.
func TestCollectCLI(t *testing.T) {
	node := demoNodeWith(t, allDayContact(t))
	with := func(args ...string) []string { return append(args, node...) }
	for _, name := range []string{"carol", "agency", "checker"} {
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
	carol, agency, checker, bank := addrOf("carol"), addrOf("agency"), addrOf("checker"), addrOf("demo-bank")
	hash := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	doc := filepath.Join(t.TempDir(), "proposal.txt")
	if err := os.WriteFile(doc, []byte("collection\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	zone := time.FixedZone("UTC+8", 8*3600)
	soon := time.Now().Add(72 * time.Hour).In(zone).Format("2006-01-02")
	due := time.Now().Add(5 * 24 * time.Hour).In(zone).Format("2006-01-02")
	contact := fmt.Sprint(time.Now().Add(-time.Hour).Unix())
	type step struct {
		args []string
		want string
	}
	walk := func(steps []step) {
		t.Helper()
		for _, s := range steps {
			out, err := run(t, with(s.args...)...)
			if err != nil || !strings.Contains(out, s.want) {
				t.Fatalf("%s: %v\n%s", strings.Join(s.args, " "), err, out)
			}
		}
	}
	propose := func(n int, args ...string) []step {
		return []step{
			{append(append([]string{"tx", "gov", "propose"}, args...), "--title", "t", "--document", doc, "--from", "demo-bank"), "code 0"},
			{[]string{"tx", "gov", "vote", fmt.Sprint(n), "yes", "--from", "demo-bank"}, "code 0"},
			{[]string{"tx", "gov", "vote", fmt.Sprint(n), "yes", "--from", "demo-auditor"}, "executed"},
		}
	}
	var setup []step
	setup = append(setup, propose(1, "add-member", "agency", "--name", "Agency", "--roles", "collector", "--operator", agency)...)
	setup = append(setup, propose(2, "set-operators", "demo-bank", "--operator", bank+","+checker)...)
	setup = append(setup, propose(3, "set-roles", "demo-auditor", "--roles", "auditor,credit_bureau,regulator")...)
	setup = append(setup, []step{
		{[]string{"tx", "wallet", "open", carol, "--tier", "2", "--kyc-hash", hash("carol KYC"), "--from", "demo-bank"}, "code 0"},
		{[]string{"tx", "wallet", "deposit", carol, "100.00", "CNY", "--reference", "CASH-C1", "--from", "demo-bank"}, "code 0"},
		{[]string{"tx", "credit", "offer", carol, "instant-12m", "6000.00", "CNY", "--expires", soon,
			"--contract-hash", hash("contract"), "--subject", hash("subject"), "--from", "demo-bank"}, "line 1 offered"},
		{[]string{"tx", "credit", "accept", "1", "6000.00", "CNY", "--rate-bps", "1800", "--penalty-rate-bps", "500",
			"--term-months", "12", "--contract-hash", hash("contract"), "--from", "carol"}, "code 0"},
		{[]string{"tx", "credit", "draw", "1", "6000.00", "CNY", "--from", "carol"}, "loan 1 drawn"},
		{[]string{"tx", "credit", "write-off", "1", "--reason", "fraud suspected", "--expires", soon, "--from", "demo-bank"}, "code 0"},
		{[]string{"tx", "credit", "approve", "1", "1", "--from", "checker"}, "code 0"},
	}...)
	walk(setup)
	walk([]step{
		{[]string{"query", "collect", "case", "1", "--as", "carol"}, "write-off"},
		{[]string{"tx", "collect", "delegate", "1", "agency", "--until", soon, "--from", "demo-bank"}, "code 0"},
		{[]string{"tx", "collect", "permit", "1", "call", "--from", "agency"}, "permit 1 granted"},
		{[]string{"tx", "collect", "outcome", "1", "reached", hash("call recording"), "--from", "agency"}, "code 0"},
		{[]string{"tx", "collect", "promise", "1", "10.00", "CNY", "--due", due, "--from", "agency"}, "code 0"},
		{[]string{"tx", "collect", "confirm-promise", "1", "1", "10.00", "CNY", "--due", due, "--from", "carol"}, "code 0"},
		{[]string{"tx", "collect", "authorize-contact", hash("sister"), "--relation", "sister", "--from", "carol"}, "code 0"},
		{[]string{"tx", "collect", "complain", "demo-bank", contact, "call", hash("my recording"), "--from", "carol"}, "code 0"},
		{[]string{"tx", "collect", "rule-complaint", "1", "--reason", "no permit covered the call", "--upheld", "--from", "demo-auditor"}, "code 0"},
		{[]string{"query", "collect", "case", "1", "--prove", "--as", "carol"}, "verified: proven by ICS23"},
		{[]string{"query", "collect", "case", "1", "--prove", "--as", "agency"}, "verified: proven by ICS23"},
		{[]string{"query", "collect", "permit", "1", "--as", "demo-bank"}, "reached"},
		{[]string{"query", "collect", "permits", carol, "call", "0", "9999999999", "--as", "agency"}, "reached"},
		{[]string{"query", "collect", "coverage", "demo-bank", carol, "call", contact, "--prove", "--as", "carol"}, "channel: call"},
		{[]string{"query", "collect", "complaints", carol, "--as", "demo-auditor"}, "upheld"},
		// Proven listings of one's own index range: walked from its opening
		// mark to its closing one, so no proof shows another party's key.
		{[]string{"query", "collect", "cases", "borrower", carol, "--prove", "--as", "carol"}, "proven:"},
		{[]string{"query", "collect", "permits", carol, "call", "0", "9999999999", "--prove", "--as", "carol"}, "proven:"},
		{[]string{"query", "collect", "complaints", carol, "--prove", "--as", "carol"}, "proven:"},
		{[]string{"query", "collect", "cases", "collector", "agency", "--prove", "--as", "agency"}, "proven:"},
		{[]string{"query", "credit", "enquiries", carol, "--prove", "--as", "carol"}, "proven:"},
		{[]string{"query", "credit", "disputes", carol, "--prove", "--as", "carol"}, "proven:"},
		{[]string{"query", "collect", "cases", "collector", "agency", "--as", "agency"}, "delegate: agency"},
		{[]string{"query", "collect", "stats", "agency", "--prove"}, "verified: proven by ICS23"},
		{[]string{"query", "history", "case", "1", "--verify", "--as", "carol"}, "complete, in order and unaltered"},
	})
	refused := func(code string, args ...string) {
		t.Helper()
		if out, err := run(t, with(args...)...); err == nil || !strings.Contains(err.Error(), code) {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	// Private: unsigned, or to someone who is neither the borrower, the
	// lender, the delegate nor a regulator.
	if _, err := run(t, with("keys", "add", "dave")...); err != nil {
		t.Fatal(err)
	}
	refused(`codespace "query" code 8`, "query", "collect", "case", "1")
	refused(`codespace "query" code 8`, "query", "collect", "case", "1", "--prove", "--as", "dave")
	refused(`codespace "query" code 8`, "query", "collect", "complaints", carol, "--as", "dave")
	// A written-off loan is settled, not restructured: the credit
	// module's code; the borrower cannot accept an offer that was not made.
	refused(`codespace "credit" code 22`, "tx", "collect", "offer-plan", "1", "--term-months", "12", "--rate-bps", "1000",
		"--method", "equal_installments", "--contract-hash", hash("plan"), "--reason", "hardship", "--expires", soon, "--from", "agency")
	refused(`codespace "collect" code 34`, "tx", "collect", "accept-plan", "1", "1", "--term-months", "12", "--rate-bps", "1000",
		"--method", "equal_installments", "--contract-hash", hash("plan"), "--from", "carol")
	walk([]step{
		{[]string{"tx", "collect", "offer-plan", "1", "--denom", "CNY", "--settle-amount", "50.00", "--reason", "one-off",
			"--expires", soon, "--from", "agency"}, "settlement 1 offered"},
	})
	refused(`codespace "collect" code 36`, "tx", "collect", "settle", "1", "1", "40.00", "CNY", "--from", "carol")
	walk([]step{
		{[]string{"tx", "collect", "settle", "1", "1", "50.00", "CNY", "--from", "carol"}, "code 0"},
		{[]string{"query", "collect", "case", "1", "--as", "carol"}, "closed"},
	})
	refused(`codespace "collect" code 6`, "tx", "collect", "permit", "1", "call", "--from", "agency")

	// collect watch: the lender's events from the first block, as JSON
	// lines, until the context ends.
	cmd := newRootCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(with("collect", "watch", "--bank", "demo-bank", "--from", "1"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := cmd.ExecuteContext(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("collect watch: %v\n%s", err, out.String())
	}
	for _, want := range []string{`"collect_case"`, `"collect_promise"`, `"opened"`, `"confirmed"`} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("collect watch printed no %s:\n%s", want, out.String())
		}
	}
}
