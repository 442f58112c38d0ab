package wallet

import (
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/exec"
)

// pullHook is a balance hook that, like a loan's auto-debit, pulls amount
// from the touched wallet to treasury through the send keeper, and counts
// its runs.
type pullHook struct {
	mod      *Module
	treasury common.Address
	amount   uint64
	runs     int
}

func (h *pullHook) run(ctx exec.Context, owner common.Address, today calendar.Day) error {
	h.runs++
	_ = h.mod.Send(ctx, owner, h.treasury, "CNY", h.amount, Reason{Kind: "test.pull"}) // a failed pull is no error
	return nil
}

// TestBalanceHooks: a wallet's hooks run once, before its first balance
// change on or after its touch day, on either side of a payment, and see
// the balance the day began with; a hook paying into the wallet held by
// the payment in progress does not lose that money.
func TestBalanceHooks(t *testing.T) {
	t.Run("sender", func(t *testing.T) {
		mod, ctx, _ := keeperEnv(t)
		h := &pullHook{mod: mod, treasury: owner2, amount: 30}
		mod.AddBalanceHook(h.run)
		today := mod.Zone(ctx).Day(ctx.Time.Unix())
		mod.RequestTouch(ctx, owner1, today+1)
		if err := mod.Send(ctx, owner1, owner2, "CNY", 10, Reason{}); err != nil || h.runs != 0 {
			t.Fatalf("hook ran before its day: runs %d, %v", h.runs, err)
		}
		mod.RequestTouch(ctx, owner1, today)
		if err := mod.Send(ctx, owner1, owner2, "CNY", 10, Reason{}); err != nil {
			t.Fatal(err)
		}
		if err := mod.Send(ctx, owner1, owner2, "CNY", 10, Reason{}); err != nil {
			t.Fatal(err)
		}
		if h.runs != 1 {
			t.Fatalf("hook ran %d times, want once", h.runs)
		}
		// 100 - 10, then the pull of 30 before the next payment, then 10 and 10.
		if got := mod.Balance(ctx, owner1, "CNY"); got != 40 {
			t.Fatalf("owner1 holds %d, want 40", got)
		}
		if w, _ := mod.Wallet(ctx, owner1); w.TouchDay != 0 {
			t.Fatalf("touch day %d left after the hooks ran", w.TouchDay)
		}
	})
	t.Run("recipient pays into the sender held in memory", func(t *testing.T) {
		mod, ctx, _ := keeperEnv(t)
		// owner2 owes owner1 (the "treasury"): owner2's hook pulls into
		// owner1 while owner1's payment to owner2 is in progress.
		h := &pullHook{mod: mod, treasury: owner1, amount: 5}
		mod.AddBalanceHook(h.run)
		if err := mod.Send(ctx, owner1, owner2, "CNY", 20, Reason{}); err != nil {
			t.Fatal(err)
		}
		mod.RequestTouch(ctx, owner2, mod.Zone(ctx).Day(ctx.Time.Unix()))
		if err := mod.Send(ctx, owner1, owner2, "CNY", 50, Reason{}); err != nil {
			t.Fatal(err)
		}
		// owner1: 100 - 20 + 5 (pulled from owner2 before the inflow) - 50.
		if got, want := mod.Balance(ctx, owner1, "CNY"), uint64(35); got != want || h.runs != 1 {
			t.Fatalf("owner1 holds %d, want %d (hook runs %d)", got, want, h.runs)
		}
		if got := mod.Balance(ctx, owner2, "CNY"); got != 65 {
			t.Fatalf("owner2 holds %d, want 65", got)
		}
		supply := uint64(0)
		for _, o := range []common.Address{owner1, owner2} {
			supply += mod.Balance(ctx, o, "CNY")
		}
		if supply != 100 {
			t.Fatalf("balances sum to %d, money was created or lost", supply)
		}
	})
	t.Run("touch without a payment", func(t *testing.T) {
		mod, ctx, _ := keeperEnv(t)
		h := &pullHook{mod: mod, treasury: owner2, amount: 30}
		mod.AddBalanceHook(h.run)
		mod.RequestTouch(ctx, owner1, mod.Zone(ctx).Day(ctx.Time.Unix()))
		if err := mod.Touch(ctx, owner1); err != nil || h.runs != 1 {
			t.Fatalf("Touch: runs %d, %v", h.runs, err)
		}
		if err := mod.Touch(ctx, owner1); err != nil || h.runs != 1 {
			t.Fatalf("second Touch ran the hooks again: runs %d, %v", h.runs, err)
		}
		if got := mod.Balance(ctx, owner1, "CNY"); got != 70 {
			t.Fatalf("owner1 holds %d, want 70", got)
		}
	})
	t.Run("earliest request counts", func(t *testing.T) {
		mod, ctx, _ := keeperEnv(t)
		mod.RequestTouch(ctx, owner1, 20000)
		mod.RequestTouch(ctx, owner1, 19000)
		mod.RequestTouch(ctx, owner1, 21000)
		mod.RequestTouch(ctx, common.HexToAddress("0x99"), 1) // no wallet: ignored
		w, _ := mod.Wallet(ctx, owner1)
		if w.TouchDay != 19000 {
			t.Fatalf("touch day %d, want 19000", w.TouchDay)
		}
	})
}
