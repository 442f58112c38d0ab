package wallet

import (
	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/exec"
)

// BalanceHook is work another module does on a wallet before the wallet's
// balance changes on or after a day it asked for (RequestTouch): the
// credit module pulls the auto-debits falling due. It runs with the
// wallet's touch day cleared, so that the money it moves through the send
// keeper does not run it again, and asks again (RequestTouch) for the next
// day it needs. A balance change is the first thing that can depend on
// the wallet's balance that day, so a hook run there sees the balance the
// day began with, whether or not a sweep reached the wallet first.
//
// It must not fail but for corrupted state: what it cannot do (a frozen
// wallet, a short balance) it records and tries again another day.
type BalanceHook func(ctx exec.Context, owner common.Address, today calendar.Day) error

// HookKeeper lets a module run work on a wallet before its balance
// changes.
type HookKeeper interface {
	SendKeeper
	// RequestTouch asks that the balance hooks run before owner's next
	// balance change on or after day (the earliest of every request
	// counts). A wallet that does not exist is ignored.
	RequestTouch(ctx exec.Context, owner common.Address, day calendar.Day)
	// Touch runs the balance hooks of owner now if its touch day has come:
	// for a sweep, with the same effect as the next balance change would
	// have had.
	Touch(ctx exec.Context, owner common.Address) error
}

var _ HookKeeper = (*Module)(nil)

// AddBalanceHook adds h to the hooks run before a balance change. Wire
// hooks when assembling the modules, before the first block.
func (mod *Module) AddBalanceHook(h BalanceHook) { mod.hooks = append(mod.hooks, h) }

// RequestTouch implements HookKeeper.
func (mod *Module) RequestTouch(ctx exec.Context, owner common.Address, day calendar.Day) {
	k := NewKeeper(ctx.KV(StoreName))
	w, err := k.Wallet(owner)
	if err != nil {
		return
	}
	if w.TouchDay == 0 || int64(day) < w.TouchDay {
		w.TouchDay = int64(day)
		k.SetWallet(w)
	}
}

// Touch implements HookKeeper.
func (mod *Module) Touch(ctx exec.Context, owner common.Address) error {
	_, err := mod.touched(ctx, NewKeeper(ctx.KV(StoreName)), owner)
	return err
}

// touchDue reports whether w's balance hooks are due in ctx.
func (mod *Module) touchDue(ctx exec.Context, w *walletv1.Wallet) bool {
	return w.TouchDay != 0 && w.TouchDay <= int64(mod.Zone(ctx).Day(ctx.Time.Unix()))
}

// touched loads owner's wallet after running its balance hooks if they
// are due. No other wallet may be held in memory across it: the hooks move
// money between wallets.
func (mod *Module) touched(ctx exec.Context, k Keeper, owner common.Address) (*walletv1.Wallet, error) {
	w, err := mod.load(ctx, k, owner)
	if err != nil || !mod.touchDue(ctx, w) {
		return w, err
	}
	w.TouchDay = 0
	k.SetWallet(w)
	today := mod.Zone(ctx).Day(ctx.Time.Unix())
	for _, h := range mod.hooks {
		if err := h(ctx, owner, today); err != nil {
			return nil, err
		}
	}
	return mod.load(ctx, k, owner)
}

// touchedRecipient loads the recipient of a payment from held, running
// the recipient's hooks first if due: held is stored before and reloaded
// after them, since they may move money into or out of it.
func (mod *Module) touchedRecipient(ctx exec.Context, k Keeper, held *walletv1.Wallet, to common.Address) (*walletv1.Wallet, error) {
	w, err := mod.load(ctx, k, to)
	if err != nil || !mod.touchDue(ctx, w) {
		return w, err
	}
	k.SetWallet(held)
	if w, err = mod.touched(ctx, k, to); err != nil {
		return nil, err
	}
	fresh, err := k.Wallet(common.BytesToAddress(held.Owner))
	if err != nil {
		return nil, err
	}
	proto.Reset(held)
	proto.Merge(held, fresh)
	return w, nil
}

// ZoneGuard refuses a change of the consortium's time zone in ctx, with a
// registered error saying why (the credit module: loans' due dates and
// days past due are counted in it).
type ZoneGuard func(ctx exec.Context) error

// AddZoneGuard adds g to the checks a change of the time zone must pass.
func (mod *Module) AddZoneGuard(g ZoneGuard) { mod.zoneGuards = append(mod.zoneGuards, g) }

// validateParams checks next against the current parameters and, if it
// changes the time zone, against every zone guard.
func (mod *Module) validateParams(ctx exec.Context, next *walletv1.Params) (*walletv1.Params, error) {
	current := NewView(ctx.KV(StoreName)).Params()
	if next.UtcOffsetSeconds != current.UtcOffsetSeconds {
		for _, g := range mod.zoneGuards {
			if err := g(ctx); err != nil {
				return nil, err
			}
		}
	}
	return ValidateParams(next, current, mod.members(ctx))
}
