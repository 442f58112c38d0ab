package settle

import (
	"strconv"

	settlev1 "github.com/ledgerd/ledgerd/proto/ledgerd/settle/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// breach reports bank to the regulators in cycle c (once per kind): a
// record that stands until its legs of c are confirmed, an entry in c's
// history and an event. The caller stores c.
func (mod *Module) breach(ctx exec.Context, k Keeper, c *settlev1.Cycle, bank string, kind settlev1.BreachKind, amount uint64, detail string) {
	key := BreachKey(bank, c.Id, byte(kind))
	if k.kv.Get(key) != nil {
		return
	}
	k.set(key, &settlev1.Breach{Bank: bank, Cycle: c.Id, Kind: kind, Denom: c.Denom, Amount: amount,
		SinceHeight: ctx.Height, SinceTime: ctx.Time.Unix()})
	mod.entry(ctx, c, &settlev1.CycleEntry{Step: "breach", Bank: bank, Denom: c.Denom, Amount: amount, Detail: breachName(kind) + ": " + detail})
	ctx.Emit("settle_breach", "bank", bank, "cycle", strconv.FormatUint(c.Id, 10), "kind", breachName(kind),
		"denom", c.Denom, "amount", strconv.FormatUint(amount, 10))
}

// clearBreaches lifts bank's breaches in cycle c, if any. The caller
// stores c.
func (mod *Module) clearBreaches(ctx exec.Context, k Keeper, c *settlev1.Cycle, bank string) {
	prefix := BreachKey(bank, c.Id, 0)
	prefix = prefix[:len(prefix)-1]
	keys := store.Keys(k.kv, prefix, store.PrefixEnd(prefix), false, 0)
	if len(keys) == 0 {
		return
	}
	for _, key := range keys {
		k.kv.Delete(key)
	}
	mod.entry(ctx, c, &settlev1.CycleEntry{Step: "breach-cleared", Bank: bank, Denom: c.Denom})
	ctx.Emit("settle_breach_cleared", "bank", bank, "cycle", strconv.FormatUint(c.Id, 10))
}

// IssueGuard refuses bank's issuance of denom (ErrIssuanceStopped) while
// a cap or late breach stands against it in denom, or while its position
// is past its net debit cap. Wire it into the wallet module
// (wallet.Module.AddIssueGuard). Its work is the bank's standing breaches.
func (mod *Module) IssueGuard(ctx exec.Context, bank, denom string, is *walletv1.Issuance) error {
	var blocking *settlev1.Breach
	store.EachPrefix(ctx.KV(StoreName), BreachPrefix(bank), false, func(k, v []byte) bool {
		b := new(settlev1.Breach)
		store.DecodeProto(k, v, b)
		if b.Denom == denom && (b.Kind == settlev1.BreachKind_BREACH_KIND_CAP || b.Kind == settlev1.BreachKind_BREACH_KIND_LATE) {
			blocking = b
			return false
		}
		return true
	})
	if blocking != nil {
		return errcode.Wrap(ErrIssuanceStopped, "%q: %s in cycle %d since height %d", bank, breachName(blocking.Kind), blocking.Cycle, blocking.SinceHeight)
	}
	if limit, capped := CapOf(mod.paramsOf(ctx), bank, denom); capped {
		p, err := wallet.Position(is)
		if err != nil {
			return err
		}
		if p.Cmp(arith.Plus(limit)) > 0 {
			return errcode.Wrap(ErrIssuanceStopped, "%q owes %s %s, past its net debit cap %d", bank, p, denom, limit)
		}
	}
	return nil
}

func breachName(k settlev1.BreachKind) string {
	switch k {
	case settlev1.BreachKind_BREACH_KIND_CAP:
		return "cap"
	case settlev1.BreachKind_BREACH_KIND_LATE:
		return "late"
	case settlev1.BreachKind_BREACH_KIND_DISPUTED:
		return "disputed"
	}
	return k.String()
}
