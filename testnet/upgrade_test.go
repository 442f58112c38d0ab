package testnet

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/keys"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	"github.com/ledgerd/ledgerd/x/gov"
)

// TestUpgradeNetwork: four validators on the ordinary binary vote the
// upgrade "probe-v2" in. At its height every node halts before executing
// the block, logs UPGRADE NEEDED and exits. Restarted on a binary built
// with -tags upgradetest, which registers that upgrade (and only it; see
// app/upgrades_testtag.go), they run it: the probe store appears, proofs of
// an old store and of the new one verify against light-client-verified
// headers, and the headers after the upgrade carry app version 2.
func TestUpgradeNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("runs four node processes on two binaries")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 7*time.Minute)
	defer cancel()
	newBin, err := BuildBinaryTags(ctx, t.TempDir(), "upgradetest")
	if err != nil {
		t.Fatal(err)
	}
	pn := startProcessNet(ctx, t, 4, 200*time.Millisecond, 0)
	kr, err := keys.Open(filepath.Join(pn.Dir, "keyring"), keys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	operator := map[string]*ecdsa.PrivateKey{}
	banks := []string{"bank-1", "bank-2", "bank-3", "bank-4"}
	for _, id := range banks {
		if operator[id], err = kr.Key(id, "localnet"); err != nil {
			t.Fatal(err)
		}
	}
	c, err := client.New(pn.Procs[0].RPC(), client.WithTrustDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	submit := func(member string, msg client.Msg) *client.TxResult {
		t.Helper()
		res, err := c.Submit(ctx, operator[member], msg, client.TxOptions{Timeout: 30 * time.Second}, true)
		if err != nil {
			t.Fatalf("%s: %T: %v", member, msg, err)
		}
		return res
	}

	latest, err := c.RPC().Block(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := latest.Block.Height + 30
	doc := sha256.Sum256([]byte("upgrade agreement"))
	submit("bank-1", &govv1.MsgSubmitProposal{Title: "probe-v2", DocumentHash: doc[:], VotingEnd: latest.Block.Time.Unix() + 2*3600,
		Action: &govv1.Action{Kind: &govv1.Action_SoftwareUpgrade{SoftwareUpgrade: &govv1.SoftwareUpgrade{Name: "probe-v2", Height: at, Info: "test binary: go build -tags upgradetest"}}}})
	var votedAt int64
	for _, m := range banks {
		votedAt = submit(m, &govv1.MsgVote{ProposalId: 1, Option: govv1.VoteOption_VOTE_OPTION_YES}).Height
	}
	state := new(govv1.UpgradeState)
	if _, err := c.QueryProtoAt(ctx, gov.QueryPrefix+"upgrade", votedAt, state); err != nil {
		t.Fatal(err)
	}
	if state.Plan.GetName() != "probe-v2" || state.Plan.GetHeight() != at || state.AppVersion != 1 {
		t.Fatalf("upgrade state at %d: %v", votedAt, state)
	}
	planProof, err := c.Verified(ctx, gov.StoreName, gov.UpgradePlanKey(), votedAt)
	if err != nil || planProof.Value == nil {
		t.Fatalf("plan not proven at %d: %v", votedAt, err)
	}
	t.Logf("upgrade probe-v2 scheduled at height %d (voted in at %d, proven)", at, votedAt)

	// Every node halts at the height and exits; each one halted is
	// restarted on the binary with the upgrade. A node that lagged behind
	// when a quorum halted gets the upgrade block only from peers that are
	// back (the halted ones serve no blocks), so it halts after them.
	halted := func(p *Process) bool {
		exited, _ := p.Exited()
		return exited && p.Bin != newBin
	}
	restart := func(p *Process) {
		log, err := os.ReadFile(filepath.Join(p.Home, "node.log"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(log), "UPGRADE NEEDED") || !strings.Contains(string(log), "probe-v2") {
			t.Fatalf("%s: no UPGRADE NEEDED line naming probe-v2 in its log", p.Name())
		}
		p.Bin = newBin
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
	}
	for deadline, left := time.Now().Add(4*time.Minute), len(pn.Procs); left > 0; time.Sleep(200 * time.Millisecond) {
		for _, p := range pn.Procs {
			if halted(p) {
				restart(p)
				left--
			}
		}
		if left > 0 && time.Now().After(deadline) {
			t.Fatalf("%d of the four nodes did not halt at the upgrade height", left)
		}
	}
	t.Logf("all four nodes halted at height %d with UPGRADE NEEDED and were restarted on the binary with the upgrade", at)

	// On that binary, they go on.
	for _, p := range pn.Procs {
		if err := p.WaitForHeight(ctx, at+3); err != nil {
			t.Fatal(err)
		}
	}
	marker, err := c.Verified(ctx, app.ProbeStore, app.ProbeKey, at+1)
	if err != nil {
		t.Fatalf("probe store proof: %v", err)
	}
	if string(marker.Value) != strconv.FormatInt(at, 10) {
		t.Fatalf("probe marker %q, want %d", marker.Value, at)
	}
	version, err := c.Verified(ctx, gov.StoreName, gov.AppVersionKey(), at+1)
	if err != nil {
		t.Fatalf("app version proof: %v", err)
	}
	if len(version.Value) != 8 || version.Value[7] != 2 {
		t.Fatalf("app version record %x, want 2", version.Value)
	}
	// An old store at an old height still proves against its header.
	if old, err := c.Verified(ctx, gov.StoreName, gov.UpgradePlanKey(), votedAt); err != nil || old.Value == nil {
		t.Fatalf("old plan proof after the upgrade: %v", err)
	}
	for h, want := range map[int64]uint64{at - 1: 1, at: 1, at + 1: 2, at + 2: 2} {
		b, err := c.RPC().Block(ctx, &h)
		if err != nil {
			t.Fatal(err)
		}
		if b.Block.Header.Version.App != want {
			t.Errorf("header %d: app version %d, want %d", h, b.Block.Header.Version.App, want)
		}
	}
	info, err := c.RPC().ABCIInfo(ctx)
	if err != nil || info.Response.AppVersion != 2 {
		t.Fatalf("Info app version: %v %v", info, err)
	}
	t.Logf("upgrade ran at %d: probe store proven (%q), app version 2 in headers from %d", at, marker.Value, at+1)
}
