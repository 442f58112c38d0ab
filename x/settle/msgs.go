package settle

import (
	"fmt"
	"regexp"
	"strconv"
	"unicode/utf8"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	settlev1 "github.com/ledgerd/ledgerd/proto/ledgerd/settle/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// Limits on message fields.
const (
	MaxReferenceLen = 128
	MaxReasonLen    = 256
)

var (
	denomPattern    = regexp.MustCompile(`^[A-Z][A-Z0-9]{2,15}$`)
	memberIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,31}$`)
)

// ValidateCloseCycle and the other Validate functions are the stateless
// checks of each message (ErrInvalidMsg).
func ValidateCloseCycle(m *settlev1.MsgCloseCycle) error {
	if !denomPattern.MatchString(m.Denom) {
		return errcode.Wrap(ErrInvalidMsg, "denom %q", m.Denom)
	}
	if m.With != "" && !memberIDPattern.MatchString(m.With) {
		return errcode.Wrap(ErrInvalidMsg, "with %q: not a member id", m.With)
	}
	return nil
}

// ValidatePaySettlement: see ValidateCloseCycle.
func ValidatePaySettlement(m *settlev1.MsgPaySettlement) error {
	if m.Cycle == 0 {
		return errcode.Wrap(ErrInvalidMsg, "cycle must be set")
	}
	return checkText("reference", m.Reference, 1, MaxReferenceLen)
}

// ValidateConfirmSettlement: see ValidateCloseCycle.
func ValidateConfirmSettlement(m *settlev1.MsgConfirmSettlement) error {
	if m.Cycle == 0 {
		return errcode.Wrap(ErrInvalidMsg, "cycle must be set")
	}
	return nil
}

// ValidateDisputeSettlement: see ValidateCloseCycle.
func ValidateDisputeSettlement(m *settlev1.MsgDisputeSettlement) error {
	if m.Cycle == 0 {
		return errcode.Wrap(ErrInvalidMsg, "cycle must be set")
	}
	return checkText("reason", m.Reason, 1, MaxReasonLen)
}

func checkText(field, s string, minLen, maxLen int) error {
	if len(s) < minLen || len(s) > maxLen || !utf8.ValidString(s) {
		return errcode.Wrap(ErrInvalidMsg, "%s must be %d-%d bytes of UTF-8", field, minLen, maxLen)
	}
	return nil
}

// CloseCycle closes an extra cycle of msg.Denom now. Without msg.With it
// runs through the agent, called by a bank (an active issuer) or the agent
// itself; with it, bilaterally between the caller's bank and that bank.
func (mod *Module) CloseCycle(ctx exec.Context, msg *settlev1.MsgCloseCycle) error {
	caller, err := mod.members(ctx).Acting(ctx.Signer)
	if err != nil {
		return err
	}
	params := mod.paramsOf(ctx)
	isIssuer := hasRoleOf(caller, consortiumv1.Role_ROLE_ISSUER)
	if err := mod.checkDenom(ctx, msg.Denom); err != nil {
		return err
	}
	k := NewKeeper(ctx.KV(StoreName))
	if msg.With != "" {
		if !isIssuer {
			return errcode.Wrap(ErrNotBank, "%q calls a bilateral cycle: only an issuer may", caller.Id)
		}
		other, err := mod.members(ctx).Member(msg.With)
		if err != nil || other.Id == caller.Id || !hasRoleOf(other, consortiumv1.Role_ROLE_ISSUER) {
			return errcode.Wrap(ErrInvalidMsg, "with %q: want another issuer", msg.With)
		}
		_, err = mod.closeBilateral(ctx, k, caller.Id, other.Id, msg.Denom)
		return err
	}
	if params.Agent == "" || !mod.agentActive(ctx, params.Agent) {
		return errcode.Wrap(ErrNoAgent, "agent %q", params.Agent)
	}
	if !isIssuer && caller.Id != params.Agent {
		return errcode.Wrap(ErrNotBank, "%q is neither an issuer nor the agent %q", caller.Id, params.Agent)
	}
	c, err := mod.closeThroughAgent(ctx, k, settlev1.CycleKind_CYCLE_KIND_EXTRA, params.Agent, caller.Id, msg.Denom)
	if err != nil {
		return err
	}
	if c == nil {
		return errcode.Wrap(ErrNothingToSettle, "%s", msg.Denom)
	}
	return nil
}

// PaySettlement records the payer's off-ledger payment of a leg, due or
// disputed, with its reference. The agent pays a creditor no more than it
// has confirmed receiving in the cycle and not paid out.
func (mod *Module) PaySettlement(ctx exec.Context, msg *settlev1.MsgPaySettlement) error {
	k, c, l, err := mod.leg(ctx, msg.Cycle, msg.Leg)
	if err != nil {
		return err
	}
	if err := mod.actsFor(ctx, l.Payer, ErrNotPayer); err != nil {
		return err
	}
	if l.Status != settlev1.LegStatus_LEG_STATUS_DUE && l.Status != settlev1.LegStatus_LEG_STATUS_DISPUTED {
		return errcode.Wrap(ErrLegState, "cycle %d leg %d is %s", l.Cycle, l.Index, l.Status)
	}
	if l.Payer == c.Agent {
		if c.AgentReceived-c.AgentPaid < l.Amount {
			return errcode.Wrap(ErrAgentShort, "cycle %d: received %d, paid %d, leg %d is %d", c.Id, c.AgentReceived, c.AgentPaid, l.Index, l.Amount)
		}
		c.AgentPaid += l.Amount
	}
	l.Status, l.Reference, l.PaidHeight = settlev1.LegStatus_LEG_STATUS_PAID, msg.Reference, ctx.Height
	k.setLeg(l)
	mod.entry(ctx, c, &settlev1.CycleEntry{Step: "paid", Leg: l.Index + 1, Bank: l.Payer, Denom: l.Denom, Amount: l.Amount, Reference: msg.Reference})
	k.setCycle(c)
	legEvent(ctx, l, "")
	return nil
}

// ConfirmSettlement confirms receipt of a paid leg (its payee): the leg's
// amount of issuance moves from payer to payee, the payer's breaches in
// the cycle lift once it has no leg left to pay in it, and the cycle is
// settled with its last leg.
func (mod *Module) ConfirmSettlement(ctx exec.Context, msg *settlev1.MsgConfirmSettlement) error {
	k, c, l, err := mod.leg(ctx, msg.Cycle, msg.Leg)
	if err != nil {
		return err
	}
	if err := mod.actsFor(ctx, l.Payee, ErrNotPayee); err != nil {
		return err
	}
	if l.Status != settlev1.LegStatus_LEG_STATUS_PAID {
		return errcode.Wrap(ErrLegState, "cycle %d leg %d is %s: only a paid leg is confirmed", l.Cycle, l.Index, l.Status)
	}
	if err := mod.wallets.Reattribute(ctx, l.Payer, l.Payee, l.Denom, l.Amount); err != nil {
		return err
	}
	if err := k.addInflight(l, false); err != nil {
		return err
	}
	if l.Payee == c.Agent {
		if c.AgentReceived, err = addAmount(c.AgentReceived, l.Amount); err != nil {
			return err
		}
	}
	l.Status, l.ConfirmedHeight = settlev1.LegStatus_LEG_STATUS_CONFIRMED, ctx.Height
	k.setLeg(l)
	c.Confirmed++
	mod.entry(ctx, c, &settlev1.CycleEntry{Step: "confirmed", Leg: l.Index + 1, Bank: l.Payee, Denom: l.Denom, Amount: l.Amount,
		Reference: l.Reference, Detail: "issuance moved from " + l.Payer})
	legEvent(ctx, l, "")
	if !k.paysInCycle(c.Id, l.Payer) {
		mod.clearBreaches(ctx, k, c, l.Payer)
	}
	if c.Confirmed == c.Legs {
		c.Status, c.SettledHeight = settlev1.CycleStatus_CYCLE_STATUS_SETTLED, ctx.Height
		k.kv.Delete(DeadlineKey(c.DeadlineDay, c.Id))
		mod.entry(ctx, c, &settlev1.CycleEntry{Step: "settled", Denom: c.Denom})
		ctx.Emit("settle_cycle_settled", "cycle", strconv.FormatUint(c.Id, 10), "denom", c.Denom)
	}
	k.setCycle(c)
	return nil
}

// DisputeSettlement records the payee's dispute of a paid leg: the leg is
// disputed (the payer records a payment again), and the payer is reported
// to the regulators until the leg is confirmed.
func (mod *Module) DisputeSettlement(ctx exec.Context, msg *settlev1.MsgDisputeSettlement) error {
	k, c, l, err := mod.leg(ctx, msg.Cycle, msg.Leg)
	if err != nil {
		return err
	}
	if err := mod.actsFor(ctx, l.Payee, ErrNotPayee); err != nil {
		return err
	}
	if l.Status != settlev1.LegStatus_LEG_STATUS_PAID {
		return errcode.Wrap(ErrLegState, "cycle %d leg %d is %s: only a paid leg is disputed", l.Cycle, l.Index, l.Status)
	}
	if l.Payer == c.Agent {
		c.AgentPaid -= l.Amount
	}
	l.Status, l.Dispute = settlev1.LegStatus_LEG_STATUS_DISPUTED, msg.Reason
	l.Disputes++
	k.setLeg(l)
	mod.entry(ctx, c, &settlev1.CycleEntry{Step: "disputed", Leg: l.Index + 1, Bank: l.Payee, Denom: l.Denom, Amount: l.Amount,
		Reference: l.Reference, Detail: msg.Reason})
	legEvent(ctx, l, msg.Reason)
	mod.breach(ctx, k, c, l.Payer, settlev1.BreachKind_BREACH_KIND_DISPUTED, l.Amount, fmt.Sprintf("leg %d disputed by %s: %s", l.Index, l.Payee, msg.Reason))
	k.setCycle(c)
	return nil
}

// leg loads cycle and its leg index.
func (mod *Module) leg(ctx exec.Context, cycle uint64, index uint32) (Keeper, *settlev1.Cycle, *settlev1.Leg, error) {
	k := NewKeeper(ctx.KV(StoreName))
	c, err := k.Cycle(cycle)
	if err != nil {
		return k, nil, nil, err
	}
	l, err := k.Leg(cycle, index)
	if err != nil {
		return k, nil, nil, err
	}
	return k, c, l, nil
}

// actsFor checks that the signer operates for member id (ErrNotPayer or
// ErrNotPayee, as notErr says).
func (mod *Module) actsFor(ctx exec.Context, id string, notErr *errcode.Error) error {
	m, err := mod.members(ctx).Acting(ctx.Signer)
	if err != nil {
		return err
	}
	if m.Id != id {
		return errcode.Wrap(notErr, "signer acts for %q, the leg's party is %q", m.Id, id)
	}
	return nil
}

// paysInCycle reports whether bank has a leg to pay in cycle that is not
// confirmed. Its work is the cycle's legs (at most one per bank).
func (v View) paysInCycle(cycle uint64, bank string) bool {
	for _, l := range v.Legs(cycle) {
		if l.Payer == bank && l.Status != settlev1.LegStatus_LEG_STATUS_CONFIRMED {
			return true
		}
	}
	return false
}

func (mod *Module) checkDenom(ctx exec.Context, denom string) error {
	for _, d := range mod.wallets.Params(ctx).Denoms {
		if d == denom {
			return nil
		}
	}
	return errcode.Wrap(wallet.ErrUnknownDenom, "%q", denom)
}

func hasRoleOf(m *consortiumv1.Member, role consortiumv1.Role) bool {
	for _, r := range m.Roles {
		if r == role {
			return true
		}
	}
	return false
}

func addAmount(a, b uint64) (uint64, error) {
	if a+b < a {
		return 0, errcode.Wrap(wallet.ErrAmountOverflow, "%d + %d", a, b)
	}
	return a + b, nil
}

func legEvent(ctx exec.Context, l *settlev1.Leg, reason string) {
	ctx.Emit("settle_leg", "cycle", strconv.FormatUint(l.Cycle, 10), "leg", strconv.FormatUint(uint64(l.Index), 10),
		"payer", l.Payer, "payee", l.Payee, "denom", l.Denom, "amount", strconv.FormatUint(l.Amount, 10),
		"status", legStatusName(l.Status), "reference", l.Reference, "reason", reason)
}

func legStatusName(s settlev1.LegStatus) string {
	switch s {
	case settlev1.LegStatus_LEG_STATUS_DUE:
		return "due"
	case settlev1.LegStatus_LEG_STATUS_PAID:
		return "paid"
	case settlev1.LegStatus_LEG_STATUS_CONFIRMED:
		return "confirmed"
	case settlev1.LegStatus_LEG_STATUS_DISPUTED:
		return "disputed"
	}
	return s.String()
}
