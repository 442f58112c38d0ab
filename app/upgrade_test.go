package app_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/app/apptest"
	"github.com/ledgerd/ledgerd/client"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	"github.com/ledgerd/ledgerd/x/gov"
)

func softwareUpgrade(name string, height int64) *govv1.Action {
	return &govv1.Action{Kind: &govv1.Action_SoftwareUpgrade{SoftwareUpgrade: &govv1.SoftwareUpgrade{Name: name, Height: height, Info: "https://example.invalid/ledgerd-" + name}}}
}

// scheduleUpgrade passes a software-upgrade proposal of name at height.
func (c *govChain) scheduleUpgrade(name string, height int64) {
	c.t.Helper()
	c.mustBlock(apptest.Issuer, c.propose(softwareUpgrade(name, height)))
	id := gov.NewView(c.reader(gov.StoreName)).LastID()
	c.mustBlock(apptest.Issuer, vote(id, yes), apptest.OtherIssuer, vote(id, yes), apptest.Auditor, vote(id, yes))
	if p := c.proposal(id); p.Status != govv1.ProposalStatus_PROPOSAL_STATUS_EXECUTED {
		c.t.Fatalf("upgrade proposal not executed: %v", p)
	}
}

func (c *govChain) upgradeState() *govv1.UpgradeState {
	c.t.Helper()
	r := c.h.Query("/gov/upgrade", nil, 0, false)
	wantQuery(c.t, r, ok)
	s := new(govv1.UpgradeState)
	if err := proto.Unmarshal(r.Value, s); err != nil {
		c.t.Fatal(err)
	}
	return s
}

func (c *govChain) finalize(height int64) (*abci.ResponseFinalizeBlock, error) {
	return c.h.App.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: height, Time: c.h.NextTime()})
}

// proven reads key of storeName at the last height with a proof and
// verifies it against that height's app hash with the client's code.
func (c *govChain) proven(storeName string, key []byte) []byte {
	c.t.Helper()
	r := c.h.Query("/store/"+storeName+"/key", key, 0, true)
	wantQuery(c.t, r, ok)
	if err := client.VerifyProof(c.h.AppHash(), storeName, key, r.Value, r.ProofOps); err != nil {
		c.t.Fatalf("%s/%x: %v", storeName, key, err)
	}
	return r.Value
}

// TestUpgradeHaltsThenRuns: at the height of a scheduled upgrade, a binary
// without it fails FinalizeBlock with UpgradeNeededError and commits
// nothing, as often as asked; restarted with the upgrade, the same block
// mounts the new store, runs the migration, raises the app version
// (returned to CometBFT and reported by Info) and removes the plan; proofs
// of an old store and of the new one verify.
func TestUpgradeHaltsThenRuns(t *testing.T) {
	c := newGovChain(t, apptest.Options{Dir: t.TempDir()})
	at := c.h.Height() + 5
	c.scheduleUpgrade("probe-v2", at)
	if s := c.upgradeState(); s.Plan.GetName() != "probe-v2" || s.Plan.GetHeight() != at || s.AppVersion != 1 {
		t.Fatalf("upgrade state after scheduling: %v", s)
	}
	if v := c.proven(gov.StoreName, gov.UpgradePlanKey()); v == nil {
		t.Fatal("no plan in the gov store")
	}
	for c.h.Height() < at-1 {
		c.mustBlock()
	}
	before := c.h.Store.LastCommit()
	for range 2 {
		_, err := c.finalize(at)
		var need *app.UpgradeNeededError
		if !errors.As(err, &need) || need.Name != "probe-v2" || need.Height != at {
			t.Fatalf("FinalizeBlock at the upgrade height without it: %v", err)
		}
		if last := c.h.Store.LastCommit(); last.Height != before.Height || string(c.h.Store.WorkingHash()) != string(before.AppHash) {
			t.Fatal("the halted block changed the state")
		}
	}
	if r := c.h.Query("/store/"+app.ProbeStore+"/key", app.ProbeKey, 0, false); r.Code == 0 {
		t.Fatal("the old binary knows the probe store")
	}

	c.h.ReopenWith([]app.Upgrade{app.ProbeUpgrade()})
	if c.h.Store.Mounted(app.ProbeStore) {
		t.Fatal("the probe store is mounted before the upgrade")
	}
	resp, err := c.finalize(at)
	if err != nil {
		t.Fatalf("FinalizeBlock with the upgrade: %v", err)
	}
	if v := resp.ConsensusParamUpdates.GetVersion().GetApp(); v != 2 {
		t.Fatalf("consensus param update app version %d, want 2", v)
	}
	if !hasBlockEvent(resp.Events, app.EventUpgrade, "name", "probe-v2") {
		t.Fatalf("no upgrade event in %v", resp.Events)
	}
	for _, e := range resp.Events {
		if e.Type != app.EventUpgrade {
			continue
		}
		for _, a := range e.Attributes {
			if a.Index != (a.Key == "name") {
				t.Fatalf("upgrade event attribute %s indexed = %v", a.Key, a.Index)
			}
		}
	}
	c.h.Commit()
	if got := c.proven(app.ProbeStore, app.ProbeKey); string(got) != strconv.FormatInt(at, 10) {
		t.Fatalf("probe marker %q, want %d", got, at)
	}
	if got := c.proven(gov.StoreName, gov.AppVersionKey()); len(got) != 8 || got[7] != 2 {
		t.Fatalf("app version record %x", got)
	}
	if v := c.proven(gov.StoreName, gov.UpgradePlanKey()); v != nil {
		t.Fatal("the plan outlived its upgrade")
	}
	s := c.upgradeState()
	if s.Plan != nil || s.AppVersion != 2 || s.LastApplied.GetName() != "probe-v2" || s.LastApplied.GetHeight() != at {
		t.Fatalf("upgrade state after the upgrade: %v", s)
	}
	info, err := c.h.App.Info(context.Background(), &abci.RequestInfo{})
	if err != nil || info.AppVersion != 2 {
		t.Fatalf("Info app version %d, %v", info.GetAppVersion(), err)
	}
	// The next blocks carry no update, and a restart keeps it all.
	if resp := c.mustBlock(); resp.ConsensusParamUpdates != nil {
		t.Fatalf("a later block updates consensus params: %v", resp.ConsensusParamUpdates)
	}
	c.h.ReopenWith([]app.Upgrade{app.ProbeUpgrade()})
	if !c.h.Store.Mounted(app.ProbeStore) || c.upgradeState().AppVersion != 2 {
		t.Fatal("the upgrade did not survive a restart")
	}
	c.mustBlock()
	if got := c.proven(app.ProbeStore, app.ProbeKey); string(got) != strconv.FormatInt(at, 10) {
		t.Fatalf("probe marker after restart %q", got)
	}
}

// TestUpgradeBinaryEarly: a binary that has the upgrade, running before
// its height, computes the same state as one without it: the new module
// is inert until its store is mounted.
func TestUpgradeBinaryEarly(t *testing.T) {
	old := newGovChain(t, apptest.Options{Dir: t.TempDir()})
	early := newGovChain(t, apptest.Options{Dir: t.TempDir()})
	for _, c := range []*govChain{old, early} {
		c.scheduleUpgrade("probe-v2", c.h.Height()+5)
	}
	early.h.ReopenWith([]app.Upgrade{app.ProbeUpgrade()})
	for range 2 {
		old.mustBlock()
		early.mustBlock()
	}
	if string(old.h.AppHash()) != string(early.h.AppHash()) || early.h.Store.Mounted(app.ProbeStore) {
		t.Fatal("the binary with the upgrade diverged before the upgrade height")
	}
	resp := early.mustBlock()
	if resp.ConsensusParamUpdates.GetVersion().GetApp() != 2 || !early.h.Store.Mounted(app.ProbeStore) {
		t.Fatal("the upgrade did not run at its height")
	}
}

// TestUpgradeProposals: a plan must name a later height and a name not
// applied; a later plan replaces an earlier one; cancel-upgrade removes
// it, and fails when there is none.
func TestUpgradeProposals(t *testing.T) {
	c := newGovChain(t, apptest.Options{})
	now := c.h.Height() + 1
	for _, a := range []*govv1.Action{
		softwareUpgrade("v2", now),
		softwareUpgrade("V2 upgrade", now+100),
		softwareUpgrade("", now+100),
		{Kind: &govv1.Action_CancelUpgrade{CancelUpgrade: &govv1.CancelUpgrade{}}},
	} {
		rs, _ := c.block(time.Time{}, apptest.Issuer, c.propose(a))
		wantExec(t, rs[0], gov.ErrInvalidAction)
	}
	c.scheduleUpgrade("v2", now+100)
	c.scheduleUpgrade("v3", now+200)
	if p := c.upgradeState().Plan; p.GetName() != "v3" || p.GetHeight() != now+200 {
		t.Fatalf("plan %v, want v3 replacing v2", p)
	}
	c.mustBlock(apptest.Issuer, c.propose(&govv1.Action{Kind: &govv1.Action_CancelUpgrade{CancelUpgrade: &govv1.CancelUpgrade{}}}))
	id := gov.NewView(c.reader(gov.StoreName)).LastID()
	c.mustBlock(apptest.Issuer, vote(id, yes), apptest.OtherIssuer, vote(id, yes), apptest.Auditor, vote(id, yes))
	if s := c.upgradeState(); s.Plan != nil || c.proposal(id).Status != govv1.ProposalStatus_PROPOSAL_STATUS_EXECUTED {
		t.Fatalf("plan after cancel: %v", s.Plan)
	}
}
