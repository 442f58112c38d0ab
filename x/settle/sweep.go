package settle

import (
	"encoding/binary"
	"fmt"

	settlev1 "github.com/ledgerd/ledgerd/proto/ledgerd/settle/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/exec"
)

// BeginBlock closes the daily cycles at the first block of a business day
// (with an agent), then marks late the open cycles whose deadline has
// passed: at most sweep_per_block cycles a block, the rest in the next.
func (mod *Module) BeginBlock(ctx exec.Context) error {
	if err := mod.closeDaily(ctx); err != nil {
		return err
	}
	return mod.markLate(ctx)
}

// markLate walks the deadline index up to yesterday: every leg of those
// cycles not yet confirmed is late, and its payer reported.
func (mod *Module) markLate(ctx exec.Context) error {
	k := NewKeeper(ctx.KV(StoreName))
	today := int64(mod.today(ctx))
	end := DeadlineKey(today, 0)
	keys := store.Keys(k.kv, []byte{prefixDeadline}, end, false, int(mod.paramsOf(ctx).SweepPerBlock))
	for _, key := range keys {
		id := binary.BigEndian.Uint64(key[9:])
		c, err := k.Cycle(id)
		if err != nil {
			return fmt.Errorf("settle: deadline index names cycle %d: %v", id, err)
		}
		k.kv.Delete(key)
		c.Late = true
		for _, l := range k.Legs(id) {
			if l.Status == settlev1.LegStatus_LEG_STATUS_CONFIRMED {
				continue
			}
			l.Late = true
			k.setLeg(l)
			mod.entry(ctx, c, &settlev1.CycleEntry{Step: "late", Leg: l.Index + 1, Bank: l.Payer, Denom: l.Denom, Amount: l.Amount,
				Detail: legStatusName(l.Status) + " after the deadline"})
			mod.breach(ctx, k, c, l.Payer, settlev1.BreachKind_BREACH_KIND_LATE, l.Amount, fmt.Sprintf("leg %d to %s not confirmed by the deadline", l.Index, l.Payee))
		}
		k.setCycle(c)
	}
	return nil
}
