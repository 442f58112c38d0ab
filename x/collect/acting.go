package collect

import (
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/wallet"
)

func wrapf(e *errcode.Error, format string, args ...any) error {
	return errcode.Wrap(e, format, args...)
}

func lowerTrim(s, prefix string) string { return strings.ToLower(strings.TrimPrefix(s, prefix)) }

// collectorRule is the signer rule of the acting collector's messages: an
// operator of an active lender or collector (the handler checks it is
// the case's lender or its current delegate).
type collectorRule struct{ mod *Module }

func (r collectorRule) Authorize(ctx exec.Context) error {
	m, err := r.mod.members(ctx).Acting(ctx.Signer)
	if err != nil {
		return wrapf(ErrNotActing, "%s: %v", ctx.Signer.Hex(), err)
	}
	if !consortium.HasRole(m, consortiumv1.Role_ROLE_LENDER) && !consortium.HasRole(m, consortiumv1.Role_ROLE_COLLECTOR) {
		return wrapf(ErrNotActing, "member %q is neither a lender nor a collector", m.Id)
	}
	return nil
}

func (collectorRule) Describe() string {
	return "an operator of the case's lender, or of the collector it delegated the case to, while the delegation lasts"
}

// roleRule is the signer rule of a role's messages.
type roleRule struct {
	mod  *Module
	role consortiumv1.Role
	err  *errcode.Error
	doc  string
}

func (r roleRule) Authorize(ctx exec.Context) error {
	if _, err := r.mod.members(ctx).ActingMember(ctx.Signer, r.role); err != nil {
		return wrapf(r.err, "%s: %v", ctx.Signer.Hex(), err)
	}
	return nil
}

func (r roleRule) Describe() string { return r.doc }

// ownerRule is the wallet module's owner rule with the collection
// module's words for who signs.
type ownerRule struct{ doc string }

func (ownerRule) Authorize(ctx exec.Context) error { return wallet.Owner.Authorize(ctx) }
func (r ownerRule) Describe() string               { return r.doc }

// actor returns the member the signer acts for on c: the case's lender,
// or its delegate while the delegation lasts and the delegate is an
// active, unsuspended collector.
func (mod *Module) actor(ctx exec.Context, k Keeper, c *collectv1.Case) (string, error) {
	m, err := mod.members(ctx).Acting(ctx.Signer)
	if err != nil {
		return "", wrapf(ErrNotActing, "%s: %v", ctx.Signer.Hex(), err)
	}
	switch {
	case m.Id == c.Lender && consortium.HasRole(m, consortiumv1.Role_ROLE_LENDER):
		return m.Id, nil
	case m.Id != c.Delegate || c.Delegate == "":
		return "", wrapf(ErrNotActing, "case %d: signer acts for %q; the lender is %q, the delegate %q", c.Id, m.Id, c.Lender, c.Delegate)
	case !consortium.HasRole(m, consortiumv1.Role_ROLE_COLLECTOR):
		return "", wrapf(ErrNotCollector, "member %q", m.Id)
	}
	if s, ok := k.Suspended(m.Id); ok {
		return "", wrapf(ErrCollectorSuspended, "%q since %s: %s", m.Id, unixString(s.Since), s.Reason)
	}
	return m.Id, nil
}

// lenderOf checks that the signer operates for c's lender.
func (mod *Module) lenderOf(ctx exec.Context, c *collectv1.Case) error {
	m, err := mod.members(ctx).ActingMember(ctx.Signer, consortiumv1.Role_ROLE_LENDER)
	if err != nil || m.Id != c.Lender {
		return wrapf(ErrNotLender, "case %d is %q's", c.Id, c.Lender)
	}
	return nil
}

func unixString(t int64) string { return time.Unix(t, 0).UTC().Format(time.RFC3339) }

const maxReason = 256

// ValidateDelegateCase applies the stateless checks.
func ValidateDelegateCase(m *collectv1.MsgDelegateCase) error {
	if m.Collector == "" && m.Until != 0 {
		return wrapf(ErrInvalidMsg, "ending a delegation takes no until")
	}
	if m.Collector != "" && m.Until <= 0 {
		return wrapf(ErrInvalidMsg, "until: when the delegation ends")
	}
	return nil
}

// DelegateCase delegates a case to a collector until a time (ending any
// delegation before it), or ends its delegation.
func (mod *Module) DelegateCase(ctx exec.Context, m *collectv1.MsgDelegateCase) error {
	k := NewKeeper(ctx.KV(StoreName))
	c, today, err := mod.touchCase(ctx, k, m.Case)
	if err != nil {
		return err
	}
	if err := mod.lenderOf(ctx, c); err != nil {
		return err
	}
	before := shareOf(c)
	if m.Collector == "" {
		if c.Delegate == "" {
			return wrapf(ErrInvalidMsg, "case %d is not delegated", c.Id)
		}
		mod.endDelegation(ctx, k, c, today, "ended by the lender")
		return mod.saveCase(ctx, k, before, c)
	}
	if err := mod.checkDelegation(ctx, k, m.Collector, m.Until); err != nil {
		return err
	}
	mod.delegate(ctx, k, c, today, m.Collector, m.Until, "")
	return mod.saveCase(ctx, k, before, c)
}

// delegate delegates c to collector until a time, ending any delegation
// before it; how says how, if not by the case's own delegation.
func (mod *Module) delegate(ctx exec.Context, k Keeper, c *collectv1.Case, today calendar.Day, collector string, until int64, how string) {
	if c.Delegate != "" {
		mod.endDelegation(ctx, k, c, today, "replaced by a delegation to "+collector)
	}
	c.Delegate, c.DelegateUntil = collector, until
	k.addIndex(DelegateCasesPrefix(c.Delegate), c.Id)
	entry(ctx, c, today, &collectv1.CaseEntry{Kind: collectv1.CaseEntryKind_CASE_ENTRY_KIND_DELEGATED, Member: collector, By: ctx.Signer.Bytes(),
		Detail: strings.TrimPrefix(how+", until ", ", ") + unixString(until)})
	ctx.Emit(EventDelegation, "case", idString(c.Id), "lender", c.Lender, "collector", c.Delegate, "until", unixString(c.DelegateUntil))
}

// checkDelegation refuses a delegation to collector until a time: not an
// active collector, suspended, or a period that ends before now or after
// max_delegation_days.
func (mod *Module) checkDelegation(ctx exec.Context, k Keeper, collector string, until int64) error {
	member, err := mod.members(ctx).Member(collector)
	if err != nil || member.Status != consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE || !consortium.HasRole(member, consortiumv1.Role_ROLE_COLLECTOR) {
		return wrapf(ErrNotCollector, "member %q", collector)
	}
	if s, ok := k.Suspended(collector); ok {
		return wrapf(ErrCollectorSuspended, "%q: %s", collector, s.Reason)
	}
	now := ctx.Time.Unix()
	if maxUntil := now + int64(mod.paramsOf(ctx).MaxDelegationDays)*calendar.SecondsPerDay; until <= now || until > maxUntil {
		return wrapf(ErrInvalidMsg, "until %s: want after now and within max_delegation_days (%s)", unixString(until), unixString(maxUntil))
	}
	return nil
}

// endDelegation ends c's delegation.
func (mod *Module) endDelegation(ctx exec.Context, k Keeper, c *collectv1.Case, today calendar.Day, why string) {
	k.unmark(caseIndexKey(DelegateCasesPrefix(c.Delegate), c.Id))
	entry(ctx, c, today, &collectv1.CaseEntry{Kind: collectv1.CaseEntryKind_CASE_ENTRY_KIND_DELEGATION_ENDED, Member: c.Delegate, Detail: why})
	ctx.Emit(EventDelegation, "case", idString(c.Id), "lender", c.Lender, "collector", c.Delegate, "until", "ended")
	c.Delegate, c.DelegateUntil = "", 0
}

// ValidateEscalateCase applies the stateless checks.
func ValidateEscalateCase(m *collectv1.MsgEscalateCase) error {
	switch {
	case m.Stage != collectv1.Stage_STAGE_MID && m.Stage != collectv1.Stage_STAGE_LATE:
		return wrapf(ErrInvalidMsg, "stage %s: a lender escalates to mid or late", m.Stage)
	case m.Reason == "" || len(m.Reason) > maxReason:
		return wrapf(ErrInvalidMsg, "reason: 1 to %d bytes", maxReason)
	}
	return nil
}

// EscalateCase moves a case to a later stage than its days past due give
// (a floor the stage never goes below); the contact rules stay the same.
func (mod *Module) EscalateCase(ctx exec.Context, m *collectv1.MsgEscalateCase) error {
	k := NewKeeper(ctx.KV(StoreName))
	c, today, err := mod.touchCase(ctx, k, m.Case)
	if err != nil {
		return err
	}
	if err := mod.lenderOf(ctx, c); err != nil {
		return err
	}
	if c.Stage >= m.Stage {
		return wrapf(ErrStage, "case %d is %s", c.Id, StageName(c.Stage))
	}
	before := shareOf(c)
	c.Escalated, c.Stage = m.Stage, m.Stage
	entry(ctx, c, today, &collectv1.CaseEntry{Kind: collectv1.CaseEntryKind_CASE_ENTRY_KIND_ESCALATED, By: ctx.Signer.Bytes(), Detail: m.Reason})
	mod.emitCase(ctx, c, "escalated: "+m.Reason)
	return mod.saveCase(ctx, k, before, c)
}

// borrowerOf checks that the signer's wallet is c's borrower.
func borrowerOf(ctx exec.Context, c *collectv1.Case) error {
	if ctx.AccountID != common.BytesToAddress(c.Borrower) {
		return wrapf(ErrNotBorrower, "case %d is %s's", c.Id, hexAddr(c.Borrower))
	}
	return nil
}
