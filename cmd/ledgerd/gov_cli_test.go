package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/node"
	"github.com/ledgerd/ledgerd/testnet"
)

// demoNode starts the demo devnet of 'ledgerd init --demo' (demo-bank, the
// validator, and demo-auditor: two members, so a proposal needs both yes
// votes) on free ports, and returns the CLI flags that reach it.
func demoNode(t *testing.T) []string {
	t.Helper()
	return demoNodeWith(t, nil)
}

// demoNodeWith is demoNode with edit run on the node's home after init,
// before the node starts (to change its genesis).
func demoNodeWith(t *testing.T, edit func(home string)) []string {
	t.Helper()
	// Not t.TempDir: CometBFT's address book writes its file one last time
	// from its own goroutine after the node stops, which Node.Stop cannot
	// wait for, and t.TempDir's removal fails on the file appearing.
	home, err := os.MkdirTemp("", "ledgerd-cli-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 50 {
			if os.RemoveAll(home) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Errorf("could not remove the node's home %s", home)
	})
	pass := filepath.Join(home, "pass")
	if err := os.WriteFile(pass, []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := node.Init(node.InitOptions{Home: home, ChainID: "gov-cli", Moniker: "demo-bank", Demo: true,
		Passphrase: "secret", LightScrypt: true, BlockInterval: 200 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(home)
	}
	cmt, err := node.LoadCometConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	rpcPort, _ := testnet.FreePort()
	p2pPort, _ := testnet.FreePort()
	cmt.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", rpcPort)
	cmt.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", p2pPort)
	cmt.Instrumentation.Prometheus = false
	cmt.LogLevel = "error"
	cfg := node.DefaultConfig()
	cfg.Metrics.Enabled = false
	n, err := node.New(home, cmt, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := n.Stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	c, err := client.New(cmt.RPC.ListenAddress)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for h, _ := c.LatestHeight(ctx); h < 2; h, _ = c.LatestHeight(ctx) {
		select {
		case <-ctx.Done():
			t.Fatal("the demo node made no blocks")
		case <-time.After(50 * time.Millisecond):
		}
	}
	return []string{"--home", home, "--passphrase-file", pass, "--node", cmt.RPC.ListenAddress}
}

// runJSON runs the CLI with -o json and decodes its output into v.
func runJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	out, err := run(t, append(args, "-o", "json")...)
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestGovCLI proposes, votes a proposal through on the demo devnet, and
// reads it back with proofs; then changes one governance parameter,
// keeping the others.
func TestGovCLI(t *testing.T) {
	node := demoNode(t)
	with := func(args ...string) []string { return append(args, node...) }
	// CometBFT keeps this node's mempool: the count is its num_unconfirmed_txs.
	if out, err := run(t, with("query", "mempool")...); err != nil || !strings.Contains(out, "0 transactions (0 bytes) pending, kept by cometbft") {
		t.Fatalf("query mempool: %v\n%s", err, out)
	}
	doc := filepath.Join(t.TempDir(), "agreement.txt")
	if err := os.WriteFile(doc, []byte("demo-auditor also regulates\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A list flag repeated keeps every value (the action's type is known
	// only to its builder: module.Flag.Repeated).
	propose := with("tx", "gov", "propose", "set-roles", "demo-auditor", "--roles", "regulator", "--roles", "auditor",
		"--title", "Auditor also regulator", "--document", doc, "--from", "demo-bank")

	// The typed data goes to stdout, the action it signs to stderr.
	cmd := newRootCmd()
	var stdout, stderr bytes.Buffer
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	cmd.SetArgs(append(propose, "--print-typed-data"))
	if err := cmd.Execute(); err != nil {
		t.Fatalf("print typed data: %v\n%s", err, stderr.String())
	}
	var td struct {
		PrimaryType string            `json:"primaryType"`
		Message     map[string]string `json:"message"`
	}
	var signed struct {
		Action     string `json:"action"`
		ActionHash string `json:"actionHash"`
		Summary    string `json:"summary"`
		Decoded    struct {
			MemberID string   `json:"member_id"`
			Roles    []string `json:"roles"`
		} `json:"decoded"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &td); err != nil {
		t.Fatalf("typed data: %v\n%s", err, stdout.String())
	}
	if err := json.Unmarshal(stderr.Bytes(), &signed); err != nil {
		t.Fatalf("action: %v\n%s", err, stderr.String())
	}
	if td.PrimaryType != "SubmitProposal" || td.Message["action"] != "set_roles" || td.Message["actionHash"] != signed.ActionHash ||
		signed.Decoded.MemberID != "demo-auditor" || strings.Join(signed.Decoded.Roles, ",") != "ROLE_AUDITOR,ROLE_REGULATOR" ||
		signed.Summary != "set the roles of demo-auditor to auditor,regulator" {
		t.Fatalf("typed data %+v, action %+v", td, signed)
	}

	var proposed struct {
		Height     int64  `json:"height"`
		ProposalID uint64 `json:"proposal_id"`
	}
	runJSON(t, &proposed, propose...)
	if proposed.ProposalID != 1 || proposed.Height == 0 {
		t.Fatalf("proposed: %+v", proposed)
	}
	var voted struct {
		Status string `json:"proposal_status"`
	}
	runJSON(t, &voted, with("tx", "gov", "vote", "1", "yes", "--from", "demo-bank")...)
	if voted.Status != "voting" {
		t.Fatalf("after 1 of 2 yes: %+v", voted)
	}
	var tally tallyView
	runJSON(t, &tally, with("query", "gov", "tally", "1", "--prove")...)
	if tally.Tally.Yes != 1 || tally.Tally.Needed != 2 || tally.Tally.Eligible != 2 || tally.Passes || !tally.Recounted || tally.Proof == nil {
		t.Fatalf("proven tally after 1 yes: %+v %+v", tally, tally.Tally)
	}
	runJSON(t, &voted, with("tx", "gov", "vote", "1", "yes", "--from", "demo-auditor")...)
	if voted.Status != "executed" {
		t.Fatalf("after 2 of 2 yes: %+v", voted)
	}

	var p proposalView
	runJSON(t, &p, with("query", "gov", "proposal", "1", "--prove")...)
	if p.Status != "executed" || p.Proof == nil || p.FinalTally.Yes != 2 || p.Action.Summary != "set the roles of demo-auditor to auditor,regulator" ||
		strings.Join(p.Voters, ",") != "demo-auditor,demo-bank" || p.VotingEnd.Location() != time.UTC {
		t.Fatalf("proven proposal: %+v", p)
	}
	var votes votesView
	runJSON(t, &votes, with("query", "gov", "votes", "1", "--prove")...)
	if len(votes.Votes) != 2 || votes.Votes[0].Member != "demo-auditor" || votes.Votes[1].Option != "yes" || votes.Votes[1].Proof == nil || votes.Proof == nil {
		t.Fatalf("proven votes: %+v", votes)
	}
	runJSON(t, &tally, with("query", "gov", "tally", "1", "--prove")...)
	if tally.Status != "executed" || tally.FinalTally == nil || tally.FinalTally.Yes != 2 {
		t.Fatalf("proven tally after execution: %+v", tally)
	}
	var member memberView
	runJSON(t, &member, with("query", "consortium", "member", "demo-auditor", "--prove")...)
	if strings.Join(member.Roles, ",") != "auditor,regulator" || member.Status != "active" || member.Proof == nil {
		t.Fatalf("member after execution: %+v", member)
	}
	var members membersView
	runJSON(t, &members, with("query", "consortium", "members", "--prove")...)
	if len(members.Members) != 2 || members.Proof == nil || members.Members[1].Power != 10 || len(members.Members[1].NodeIDs) != 1 {
		t.Fatalf("proven members: %+v", members)
	}
	var list proposalListView
	runJSON(t, &list, with("query", "gov", "proposals", "--status", "executed", "--prove")...)
	if len(list.Proposals) != 1 || list.LastID != 1 || list.Proof == nil {
		t.Fatalf("proven executed proposals: %+v", list)
	}
	runJSON(t, &list, with("query", "gov", "proposals", "--status", "voting")...)
	if len(list.Proposals) != 0 {
		t.Fatalf("proposals in voting: %+v", list)
	}

	// set-gov-params changes what it is given and keeps the rest.
	runJSON(t, &proposed, with("tx", "gov", "propose", "set-gov-params", "--max-open", "7", "--title", "Fewer open proposals",
		"--document-hash", strings.Repeat("ab", 32), "--voting-period", "2h", "--from", "demo-bank")...)
	for _, from := range []string{"demo-bank", "demo-auditor"} {
		runJSON(t, &voted, with("tx", "gov", "vote", "2", "yes", "--from", from)...)
	}
	var params govParamsView
	runJSON(t, &params, with("query", "gov", "params", "--prove")...)
	if params.MaxOpenProposals != 7 || params.Threshold != "2/3" || params.MinVotingPeriod != "1h" || params.MaxVotingPeriod != "720h" || params.Proof == nil {
		t.Fatalf("gov params: %+v", params)
	}

	// The chain refuses what it cannot execute, with the reason.
	out, err := run(t, with("tx", "gov", "propose", "suspend-member", "demo-bank", "--title", "t", "--document", doc, "--from", "demo-bank")...)
	if err == nil || !strings.Contains(err.Error(), "no validator would be left") {
		t.Fatalf("suspending the only validator: %v %s", err, out)
	}
}

func TestGovBadInputIsRefusedBeforeSigning(t *testing.T) {
	home := t.TempDir()
	hash := strings.Repeat("ab", 32)
	for _, args := range [][]string{
		{"tx", "gov", "vote", "1", "maybe", "--from", "x"},
		{"tx", "gov", "vote", "0", "yes", "--from", "x"},
		{"tx", "gov", "propose", "set-roles", "bank", "--roles", "boss", "--title", "t", "--document-hash", hash, "--from", "x"},
		{"tx", "gov", "propose", "set-roles", "bank", "--roles", "issuer,issuer", "--title", "t", "--document-hash", hash, "--from", "x"},
		{"tx", "gov", "propose", "set-roles", "bank", "--roles", "issuer", "--title", "t", "--from", "x"},
		{"tx", "gov", "propose", "set-roles", "bank", "--roles", "issuer", "--title", "t", "--document-hash", "abcd", "--from", "x"},
		{"tx", "gov", "propose", "set-roles", "bank", "--roles", "issuer", "--title", "t", "--document-hash", hash, "--document", "f", "--from", "x"},
		{"tx", "gov", "propose", "set-roles", "bank", "--roles", "issuer", "--title", "t", "--document-hash", hash,
			"--voting-end", "2030-01-01", "--voting-period", "2h", "--from", "x"},
		{"tx", "gov", "propose", "set-node-ids", "bank", "--title", "t", "--document-hash", hash, "--from", "x"},
		{"tx", "gov", "propose", "set-node-ids", "bank", "--node-id", "xyz", "--title", "t", "--document-hash", hash, "--from", "x"},
		{"tx", "gov", "propose", "set-operators", "bank", "--title", "t", "--document-hash", hash, "--from", "x"},
		{"tx", "gov", "propose", "add-member", "bank", "--name", "B", "--roles", "issuer", "--power", "5", "--title", "t",
			"--document-hash", hash, "--from", "x"},
		{"tx", "gov", "propose", "set-validator", "bank", "--validator-key", "AAAA", "--power", "5", "--title", "t",
			"--document-hash", hash, "--from", "x"},
		{"tx", "gov", "propose", "move-wallets", "--to", "bank", "0x12", "--title", "t", "--document-hash", hash, "--from", "x"},
		{"query", "gov", "proposals", "--status", "open"},
		{"query", "gov", "proposal", "one"},
	} {
		// No node listens there: the input must be refused before any
		// call to it.
		if _, err := run(t, append(args, "--home", home, "--node", "tcp://127.0.0.1:1")...); err == nil || strings.Contains(err.Error(), "127.0.0.1:1") {
			t.Errorf("%v: %v, want an input error", args, err)
		}
	}
}
