package settle

import (
	"fmt"
	"strconv"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	settlev1 "github.com/ledgerd/ledgerd/proto/ledgerd/settle/v1"
	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// net is a bank's position less what open legs already settle of it.
type net struct {
	bank string
	arith.Signed
}

// nets returns every bank's net in denom still to settle, by bank id (the
// order of the wallet store's issuance records), zeros left out:
// position - to_pay + to_receive. Their sum is zero: positions sum to
// zero, and each open leg adds as much to its payer's to_pay as to its
// payee's to_receive.
func (mod *Module) nets(ctx exec.Context, k Keeper, denom string) ([]net, error) {
	var out []net
	for _, is := range mod.wallets.Issuances(ctx, denom) {
		p, err := wallet.Position(is)
		if err != nil {
			return nil, err
		}
		in := k.Inflight(is.Issuer, denom)
		n, err := p.Sub(arith.Plus(in.ToPay))
		if err == nil {
			n, err = n.Add(arith.Plus(in.ToReceive))
		}
		if err != nil {
			return nil, errcode.Wrap(wallet.ErrAmountOverflow, "net of %q in %s", is.Issuer, denom)
		}
		if !n.IsZero() {
			out = append(out, net{is.Issuer, n})
		}
	}
	return out, nil
}

// closeThroughAgent closes a cycle of denom through agent: each net debtor
// pays the agent what it owes, the agent pays each net creditor what it is
// owed. It returns nil, nil if there is nothing to settle.
func (mod *Module) closeThroughAgent(ctx exec.Context, k Keeper, kind settlev1.CycleKind, agent, calledBy, denom string) (*settlev1.Cycle, error) {
	nets, err := mod.nets(ctx, k, denom)
	if err != nil {
		return nil, err
	}
	var debtors, creditors []net
	var total arith.Signed
	for _, n := range nets {
		if n.bank == agent {
			// The agent holds no wallets and every leg through it is
			// balanced: its net is always zero.
			return nil, fmt.Errorf("settle: agent %q has a net of %s %s to settle: state corrupted", agent, n.Signed, denom)
		}
		if total, err = total.Add(n.Signed); err != nil {
			return nil, errcode.Wrap(wallet.ErrAmountOverflow, "sum of nets in %s", denom)
		}
		if n.Neg {
			creditors = append(creditors, n)
		} else {
			debtors = append(debtors, n)
		}
	}
	if !total.IsZero() {
		return nil, fmt.Errorf("settle: nets in %s sum to %s, not zero: state corrupted", denom, total)
	}
	if len(nets) == 0 {
		return nil, nil
	}
	c := mod.newCycle(ctx, k, kind, agent, calledBy, denom)
	var legs []*settlev1.Leg
	for _, d := range debtors {
		c.Nets = append(c.Nets, &settlev1.Net{Bank: d.bank, Owes: d.Abs})
		legs = append(legs, &settlev1.Leg{Payer: d.bank, Payee: agent, Amount: d.Abs})
	}
	for _, cr := range creditors {
		c.Nets = append(c.Nets, &settlev1.Net{Bank: cr.bank, Owed: cr.Abs})
		legs = append(legs, &settlev1.Leg{Payer: agent, Payee: cr.bank, Amount: cr.Abs})
	}
	return c, mod.openCycle(ctx, k, c, legs)
}

// closeBilateral closes a cycle of denom between banks a and b: if one is
// a net debtor and the other a net creditor, the debtor pays the creditor
// the smaller of the two, directly.
func (mod *Module) closeBilateral(ctx exec.Context, k Keeper, a, b, denom string) (*settlev1.Cycle, error) {
	nets, err := mod.nets(ctx, k, denom)
	if err != nil {
		return nil, err
	}
	var na, nb arith.Signed
	for _, n := range nets {
		switch n.bank {
		case a:
			na = n.Signed
		case b:
			nb = n.Signed
		}
	}
	if na.IsZero() || nb.IsZero() || na.Neg == nb.Neg {
		return nil, errcode.Wrap(ErrNothingToSettle, "%s: %q's net is %s, %q's %s: one must owe and the other be owed", denom, a, na, b, nb)
	}
	debtor, creditor := a, b
	if na.Neg {
		debtor, creditor = b, a
	}
	amount := min(na.Abs, nb.Abs)
	c := mod.newCycle(ctx, k, settlev1.CycleKind_CYCLE_KIND_BILATERAL, "", a, denom)
	c.Nets = []*settlev1.Net{{Bank: debtor, Owes: amount}, {Bank: creditor, Owed: amount}}
	if creditor < debtor {
		c.Nets[0], c.Nets[1] = c.Nets[1], c.Nets[0]
	}
	return c, mod.openCycle(ctx, k, c, []*settlev1.Leg{{Payer: debtor, Payee: creditor, Amount: amount}})
}

func (mod *Module) newCycle(ctx exec.Context, k Keeper, kind settlev1.CycleKind, agent, calledBy, denom string) *settlev1.Cycle {
	today := mod.today(ctx)
	return &settlev1.Cycle{Id: k.takeCycleID(), Denom: denom, Kind: kind, Status: settlev1.CycleStatus_CYCLE_STATUS_OPEN,
		Agent: agent, CalledBy: calledBy, ClosedHeight: ctx.Height, ClosedTime: ctx.Time.Unix(), ClosedDay: int64(today),
		DeadlineDay: int64(Deadline(mod.paramsOf(ctx), today))}
}

// openCycle writes c and its legs (numbered from 0, due), adds them to the
// inflight sums, queues c for its deadline, reports the debtors past their
// caps, and records it all in c's history.
func (mod *Module) openCycle(ctx exec.Context, k Keeper, c *settlev1.Cycle, legs []*settlev1.Leg) error {
	params := mod.paramsOf(ctx)
	mod.entry(ctx, c, &settlev1.CycleEntry{Step: "closed", Denom: c.Denom,
		Detail: fmt.Sprintf("%s, %d legs, agent %q, called by %q, deadline %s", c.Kind, len(legs), c.Agent, c.CalledBy, calendar.Day(c.DeadlineDay))})
	for i, l := range legs {
		l.Cycle, l.Index, l.Denom, l.Status = c.Id, uint32(i), c.Denom, settlev1.LegStatus_LEG_STATUS_DUE
		if err := k.addInflight(l, true); err != nil {
			return err
		}
		k.setLeg(l)
		mod.entry(ctx, c, &settlev1.CycleEntry{Step: "due", Leg: l.Index + 1, Bank: l.Payer, Denom: c.Denom, Amount: l.Amount, Detail: "to " + l.Payee})
		legEvent(ctx, l, "")
	}
	c.Legs = uint32(len(legs))
	for _, n := range c.Nets {
		if limit, capped := CapOf(params, n.Bank, c.Denom); capped && n.Owes > limit {
			mod.breach(ctx, k, c, n.Bank, settlev1.BreachKind_BREACH_KIND_CAP, n.Owes,
				fmt.Sprintf("net debit %d past its cap %d", n.Owes, limit))
		}
	}
	k.kv.Set(DeadlineKey(c.DeadlineDay, c.Id), indexValue)
	k.setCycle(c)
	ctx.Emit("settle_cycle_closed", "cycle", strconv.FormatUint(c.Id, 10), "denom", c.Denom, "kind", kindName(c.Kind),
		"agent", c.Agent, "called_by", c.CalledBy, "legs", strconv.Itoa(len(legs)), "deadline", calendar.Day(c.DeadlineDay).String())
	return nil
}

// addInflight adds l's amount to (open) or takes it off (!open) its
// payer's to_pay and its payee's to_receive.
func (k Keeper) addInflight(l *settlev1.Leg, open bool) error {
	payer, payee := k.Inflight(l.Payer, l.Denom), k.Inflight(l.Payee, l.Denom)
	var err error
	if open {
		if payer.ToPay, err = arith.Add(payer.ToPay, l.Amount); err == nil {
			payee.ToReceive, err = arith.Add(payee.ToReceive, l.Amount)
		}
		if err != nil {
			return errcode.Wrap(wallet.ErrAmountOverflow, "inflight of cycle %d leg %d", l.Cycle, l.Index)
		}
	} else {
		if payer.ToPay < l.Amount || payee.ToReceive < l.Amount {
			panic(fmt.Sprintf("settle: inflight of %q/%q below open leg %d/%d: state corrupted", l.Payer, l.Payee, l.Cycle, l.Index))
		}
		payer.ToPay -= l.Amount
		payee.ToReceive -= l.Amount
	}
	k.setInflight(payer)
	k.setInflight(payee)
	return nil
}

// closeDaily closes the day's cycle of every denom at the first block of
// a business day, through the agent (none without one). Its work is the
// banks times the denoms.
func (mod *Module) closeDaily(ctx exec.Context) error {
	params := mod.paramsOf(ctx)
	k := NewKeeper(ctx.KV(StoreName))
	today := mod.today(ctx)
	if params.Agent == "" || today <= k.lastDaily() || !BusinessDay(params, today) {
		return nil
	}
	k.setLastDaily(today)
	if !mod.agentActive(ctx, params.Agent) {
		return nil
	}
	for _, denom := range mod.wallets.Params(ctx).Denoms {
		if _, err := mod.closeThroughAgent(ctx, k, settlev1.CycleKind_CYCLE_KIND_DAILY, params.Agent, "", denom); err != nil {
			return err
		}
	}
	return nil
}

func (mod *Module) agentActive(ctx exec.Context, agent string) bool {
	m, err := mod.members(ctx).Member(agent)
	return err == nil && m.Status == consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE
}

func kindName(k settlev1.CycleKind) string {
	switch k {
	case settlev1.CycleKind_CYCLE_KIND_DAILY:
		return "daily"
	case settlev1.CycleKind_CYCLE_KIND_EXTRA:
		return "extra"
	case settlev1.CycleKind_CYCLE_KIND_BILATERAL:
		return "bilateral"
	}
	return k.String()
}
