package app

import (
	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/x/aml"
	"github.com/ledgerd/ledgerd/x/collect"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/credit"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/gov"
	"github.com/ledgerd/ledgerd/x/module"
	"github.com/ledgerd/ledgerd/x/settle"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// Modules returns the chain's modules, in order, wired to each other
// through the narrow interfaces each declares: the one place that names
// them. The order is the order of genesis (a module's genesis may read the
// sections before it), of begin- and end-block work, and of the stores in
// the app hash. Adding a module is a line here; adding a message to a
// module is nothing here.
//
// Each call returns fresh instances (with their own parameter caches):
// one per App. The modules chain upgrades add (Upgrades) come last.
func Modules() *module.Registry { return modulesWith(Upgrades()) }

// modulesWith is Modules with the modules of ups after the chain's own.
func modulesWith(ups []Upgrade) *module.Registry {
	members := func(ctx exec.Context) consortium.View { return consortium.ViewOf(ctx) }
	amlMod := aml.New()
	walletMod := wallet.New(
		func(ctx exec.Context) wallet.Members { return members(ctx) },
		amlMod.Monitor)
	reg := new(module.Registry)
	govMod := gov.New(func(ctx exec.Context) gov.Members { return members(ctx) }, reg)
	hasWallet := func(ctx exec.Context, addr common.Address) bool {
		return wallet.NewView(ctx.KV(wallet.StoreName)).KeyInUse(addr)
	}
	creditMod := credit.New(func(ctx exec.Context) credit.Members { return members(ctx) }, walletMod)
	walletMod.AddBalanceHook(creditMod.SettleWallet)
	walletMod.AddZoneGuard(creditMod.ZoneGuard)
	collectMod := collect.New(func(ctx exec.Context) collect.Members { return members(ctx) }, creditMod)
	creditMod.AddLoanListener(collectMod)
	collectMod.SetDisputes(creditMod.DisputeOpen)
	settleMod := settle.New(func(ctx exec.Context) settle.Members { return members(ctx) }, walletMod)
	walletMod.AddIssueGuard(settleMod.IssueGuard)
	if err := reg.Init(append([]*module.Module{
		consortium.New(hasWallet),
		walletMod.Module(),
		amlMod.Module(),
		creditMod.Module(),
		collectMod.Module(),
		settleMod.Module(),
		govMod.Module(),
	}, modulesOf(ups)...)); err != nil {
		panic("app: " + err.Error())
	}
	return reg
}

// StoreNames are the module stores, in app-hash order.
var StoreNames = Modules().StoreNames()

// StoreNamesWith are the module stores of a binary with the upgrades ups.
func StoreNamesWith(ups []Upgrade) []string { return modulesWith(ups).StoreNames() }
