package app

import (
	"fmt"
	"strconv"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/gov"
	"github.com/ledgerd/ledgerd/x/module"
)

// Upgrades are the chain upgrades this binary can run, one line each, in
// the order the chain applies them. Governance schedules one by name and
// height (gov software-upgrade); at that height a binary without it halts
// (UpgradeNeededError) and one with it runs it (see Upgrade).
func Upgrades() []Upgrade {
	return append([]Upgrade{
		// {Name: "v2", AppVersion: 2, Modules: ..., Migrate: ...},
	}, testUpgrades()...)
}

// Upgrade is a chain upgrade this binary has. At the height of the plan
// governance scheduled under its name, before the block's begin-block
// work, the app mounts the stores of its Modules (empty, their first
// version that height), runs Migrate on the block's state, records the
// upgrade as applied, removes the plan and, if AppVersion is above the
// chain's, sets the app version, which FinalizeBlock returns to CometBFT
// (ConsensusParamUpdates.Version.App) for the next blocks' headers.
//
// The upgrade's modules are in this binary's module list (Modules) from
// the start, so that it can replay the chain from genesis, but inert
// until their stores are mounted: no begin- or end-block work, their
// messages refused (auth/5), their state read as empty. A migration is
// consensus code (package exec's rules) and its failure halts the node.
type Upgrade struct {
	// Name is the plan's name (gov.ValidateUpgrade's form).
	Name string
	// AppVersion is the app version from the upgrade on; 0 keeps it.
	AppVersion uint64
	// Modules are the modules the upgrade adds.
	Modules []*module.Module
	// Migrate, if set, changes the state: it may write the new modules'
	// stores and any other.
	Migrate func(ctx exec.Context) error
}

// UpgradeNeededError is FinalizeBlock's error at the height of a scheduled
// upgrade this binary does not have: nothing of that block is executed or
// committed, and the node stops there until restarted on a binary that has
// it.
type UpgradeNeededError struct {
	Name   string
	Height int64
	Info   string
}

func (e *UpgradeNeededError) Error() string {
	return fmt.Sprintf("UPGRADE %q NEEDED at height %d (info: %q): this binary does not have it. "+
		"Nothing of block %d was executed. Stop this node, install a ledgerd binary that has upgrade %q "+
		"and start it with the same home: it runs the upgrade and goes on (docs/operations.md, \"Upgrading the chain\")",
		e.Name, e.Height, e.Info, e.Height, e.Name)
}

// EventUpgrade is emitted, among the block's events, by the block that
// applies an upgrade.
const EventUpgrade = "upgrade"

// modulesOf returns the modules the upgrades add, in order.
func modulesOf(ups []Upgrade) []*module.Module {
	var out []*module.Module
	for _, u := range ups {
		out = append(out, u.Modules...)
	}
	return out
}

// upgrade runs the upgrade scheduled for ctx's height, if any, on ctx's
// state. It returns the new app version if the upgrade changed it (else
// 0), and UpgradeNeededError if this binary does not have the upgrade.
func (a *App) upgrade(ctx exec.Context) (uint64, error) {
	g := gov.NewKeeper(ctx.KV(gov.StoreName))
	plan, ok := g.UpgradePlan()
	if !ok || plan.Height > ctx.Height {
		return 0, nil
	}
	u, ok := a.upgrades[plan.Name]
	if !ok {
		return 0, &UpgradeNeededError{Name: plan.Name, Height: ctx.Height, Info: plan.Info}
	}
	for _, m := range u.Modules {
		// A chain started on this binary has them from genesis.
		if !a.store.Mounted(m.Name) {
			if err := a.store.Mount(m.Name); err != nil {
				return 0, fmt.Errorf("app: upgrade %q: %w", u.Name, err)
			}
		}
	}
	if u.Migrate != nil {
		if err := u.Migrate(ctx); err != nil {
			return 0, fmt.Errorf("app: upgrade %q at height %d: migration failed: %w", u.Name, ctx.Height, err)
		}
	}
	before := g.AppVersion()
	g.MarkApplied(&govv1.SoftwareUpgrade{Name: plan.Name, Height: ctx.Height, Info: plan.Info}, u.AppVersion)
	after := g.AppVersion()
	ctx.Emit(EventUpgrade, "name", u.Name, "height", strconv.FormatInt(ctx.Height, 10), "app_version", strconv.FormatUint(after, 10))
	if after == before {
		return 0, nil
	}
	return after, nil
}

// live reports whether module m takes part in blocks: its store is
// mounted (a module of an upgrade not yet applied is not).
func (a *App) live(m *module.Module) bool { return a.store.Mounted(m.Name) }

// appVersionUpdate is the consensus parameter update that puts version in
// the headers of the blocks after this one; nil if version is 0.
func appVersionUpdate(version uint64) *cmtproto.ConsensusParams {
	if version == 0 {
		return nil
	}
	return &cmtproto.ConsensusParams{Version: &cmtproto.VersionParams{App: version}}
}
