package gov

import (
	"encoding/binary"
	"fmt"
	"regexp"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/proto"

	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/module"
)

// Chain upgrades (as Cosmos SDK's x/upgrade): governance schedules a plan
// (software_upgrade, cancel_upgrade) and keeps the app version; the app
// runs the plan at its height from its registry of upgrades, or halts
// (app/upgrades.go).

// InitialAppVersion is the app version of a chain no upgrade has changed.
const InitialAppVersion uint64 = 1

// Limits of an upgrade plan.
const (
	MaxUpgradeInfoLen = 2048
)

var upgradeNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// UpgradePlan returns the scheduled upgrade, or false.
func (v View) UpgradePlan() (*govv1.SoftwareUpgrade, bool) {
	p := new(govv1.SoftwareUpgrade)
	return p, store.GetProto(v.r, UpgradePlanKey(), p)
}

// AppVersion returns the app version in force.
func (v View) AppVersion() uint64 {
	if b := v.r.Get(AppVersionKey()); b != nil {
		if len(b) != 8 {
			panic(fmt.Sprintf("gov: corrupted app version: %d bytes", len(b)))
		}
		return binary.BigEndian.Uint64(b)
	}
	return InitialAppVersion
}

// Applied returns the applied upgrade called name, or false.
func (v View) Applied(name string) (*govv1.AppliedUpgrade, bool) {
	a := new(govv1.AppliedUpgrade)
	return a, store.GetProto(v.r, AppliedKey(name), a)
}

// UpgradeState returns the plan, the app version and the last applied
// upgrade.
func (v View) UpgradeState() *govv1.UpgradeState {
	s := &govv1.UpgradeState{AppVersion: v.AppVersion()}
	if p, ok := v.UpgradePlan(); ok {
		s.Plan = p
	}
	if a := new(govv1.AppliedUpgrade); store.GetProto(v.r, LastAppliedKey(), a) {
		s.LastApplied = a
	}
	return s
}

// MarkApplied records that the chain ran the plan at its height, removes
// the plan, and sets the app version to appVersion when it is above the
// current one. The app calls it when it runs the upgrade.
func (k Keeper) MarkApplied(plan *govv1.SoftwareUpgrade, appVersion uint64) {
	a := &govv1.AppliedUpgrade{Name: plan.Name, Height: plan.Height}
	store.SetProto(k.kv, AppliedKey(plan.Name), a)
	store.SetProto(k.kv, LastAppliedKey(), a)
	k.kv.Delete(UpgradePlanKey())
	if appVersion > k.AppVersion() {
		k.kv.Set(AppVersionKey(), binary.BigEndian.AppendUint64(nil, appVersion))
	}
}

// ValidateUpgrade checks plan against the state read through ctx: a name
// of 1-64 lowercase letters, digits, '.', '_' or '-' that no applied upgrade
// has, a height after the block being executed, info of at most
// MaxUpgradeInfoLen bytes.
func ValidateUpgrade(ctx exec.Context, plan *govv1.SoftwareUpgrade) error {
	switch {
	case !upgradeNamePattern.MatchString(plan.GetName()):
		return fmt.Errorf("upgrade name %q: want 1-64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit", plan.GetName())
	case plan.GetHeight() <= ctx.Height:
		return fmt.Errorf("upgrade height %d: must be after the block executing it (%d)", plan.GetHeight(), ctx.Height)
	case len(plan.GetInfo()) > MaxUpgradeInfoLen:
		return fmt.Errorf("upgrade info: at most %d bytes, got %d", MaxUpgradeInfoLen, len(plan.GetInfo()))
	}
	if a, ok := NewView(ctx.KV(StoreName)).Applied(plan.GetName()); ok {
		return fmt.Errorf("upgrade %q was applied at height %d: give the new upgrade a new name", a.Name, a.Height)
	}
	return nil
}

// upgradeActions are the governance actions scheduling and cancelling
// upgrades.
func upgradeActions() []module.GovAction {
	return []module.GovAction{{
		Field: "software_upgrade", Name: "software-upgrade",
		Doc: "schedule a chain upgrade at a height: nodes without it halt there, those with it run its migration",
		Apply: func(ctx exec.Context, m proto.Message) ([]abci.ValidatorUpdate, error) {
			plan := m.(*govv1.SoftwareUpgrade)
			if err := ValidateUpgrade(ctx, plan); err != nil {
				return nil, err
			}
			store.SetProto(ctx.KV(StoreName), UpgradePlanKey(), plan)
			return nil, nil
		},
		Describe: func(m proto.Message) string {
			p := m.(*govv1.SoftwareUpgrade)
			return fmt.Sprintf("upgrade the chain to %q at height %d", p.Name, p.Height)
		},
		Commands: []module.CLI{{
			Use:   "software-upgrade NAME --upgrade-height H [--info TEXT]",
			Short: "Schedule a chain upgrade: at height H every node must run a binary that has upgrade NAME",
			Long: `software-upgrade proposes the upgrade NAME at block --upgrade-height. When the
proposal passes, the plan is in the chain's state ('ledgerd query gov upgrade').
At that height a node whose binary does not have the upgrade halts before
executing the block, saying so in its log; restarted on a binary that has it,
it runs the upgrade's migration and goes on. --info tells operators where to
get the binary and how to check it (a release URL and its SHA-256). A passed
plan replaces any plan scheduled before it. See docs/operations.md,
"Upgrading the chain".`,
			Args: []string{"name"},
			Flags: []module.Flag{
				{Field: "height", Name: "upgrade-height", Required: true, Usage: "the block height at which the upgrade runs"},
				{Field: "info", Usage: "where to get the binary and how to check it, at most 2048 bytes"},
			},
		}},
	}, {
		Field: "cancel_upgrade", Name: "cancel-upgrade",
		Doc: "remove the scheduled chain upgrade",
		Apply: func(ctx exec.Context, _ proto.Message) ([]abci.ValidatorUpdate, error) {
			if _, ok := NewView(ctx.KV(StoreName)).UpgradePlan(); !ok {
				return nil, fmt.Errorf("no upgrade is scheduled")
			}
			ctx.KV(StoreName).Delete(UpgradePlanKey())
			return nil, nil
		},
		Describe: func(proto.Message) string { return "cancel the scheduled chain upgrade" },
		Commands: []module.CLI{{
			Use:   "cancel-upgrade",
			Short: "Cancel the scheduled chain upgrade (it must pass before the upgrade height)",
		}},
	}}
}
