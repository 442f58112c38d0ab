package collect

import (
	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/exec"
)

// ValidateAuthorizeContact applies the stateless checks.
func ValidateAuthorizeContact(m *collectv1.MsgAuthorizeContact) error {
	switch {
	case len(m.Contact) != 32:
		return wrapf(ErrInvalidMsg, "contact: the 32-byte hash of the person and their number")
	case !m.Revoke && (m.Relation == "" || len(m.Relation) > 64):
		return wrapf(ErrInvalidMsg, "relation: 1 to 64 bytes")
	case m.Revoke && m.Relation != "":
		return wrapf(ErrInvalidMsg, "a revocation takes no relation")
	}
	return nil
}

// AuthorizeContact lets collectors contact a person about the signer's
// debts (or withdraws it): no one but the borrower and the people they
// authorised may be contacted.
func (mod *Module) AuthorizeContact(ctx exec.Context, m *collectv1.MsgAuthorizeContact) error {
	k := NewKeeper(ctx.KV(StoreName))
	borrower := ctx.AccountID.Bytes()
	key := ContactKey(borrower, m.Contact)
	state := "authorised"
	if m.Revoke {
		if _, ok := k.Contact(borrower, m.Contact); !ok {
			return wrapf(ErrContactNotFound, "%x", m.Contact)
		}
		k.kv.Delete(key)
		state = "revoked"
	} else {
		k.setProto(key, &collectv1.Contact{Borrower: borrower, Contact: m.Contact, Relation: m.Relation, Since: ctx.Time.Unix()})
	}
	ctx.Emit(EventContact, "borrower", hexAddr(borrower), "contact", hexAddr(m.Contact), "state", state)
	return nil
}

// ValidateCeaseContact applies the stateless checks.
func ValidateCeaseContact(m *collectv1.MsgCeaseContact) error {
	switch {
	case m.Lender == "":
		return wrapf(ErrInvalidMsg, "lender: the member to stop contacting you")
	case !validChannel(m.Channel) || m.Channel == collectv1.Channel_CHANNEL_LETTER:
		return wrapf(ErrInvalidMsg, "channel %s: call, sms or visit (letters stay allowed)", m.Channel)
	}
	return nil
}

// CeaseContact records the borrower's request that a lender and its
// agencies stop contacting them by a channel, or lifts it.
func (mod *Module) CeaseContact(ctx exec.Context, m *collectv1.MsgCeaseContact) error {
	k := NewKeeper(ctx.KV(StoreName))
	if _, err := mod.members(ctx).Member(m.Lender); err != nil {
		return wrapf(ErrLenderNotFound, "%q", m.Lender)
	}
	borrower := ctx.AccountID.Bytes()
	key := CeaseKey(borrower, m.Lender, m.Channel)
	state := "ceased"
	if m.Resume {
		if k.r.Get(key) == nil {
			return wrapf(ErrNoCease, "%s by %s", m.Lender, ChannelName(m.Channel))
		}
		k.unmark(key)
		state = "resumed"
	} else {
		k.mark(key)
	}
	ctx.Emit(EventCease, "borrower", hexAddr(borrower), "lender", m.Lender, "channel", ChannelName(m.Channel), "state", state)
	return nil
}

// ValidateFileComplaint applies the stateless checks.
func ValidateFileComplaint(m *collectv1.MsgFileComplaint) error {
	switch {
	case m.Lender == "":
		return wrapf(ErrInvalidMsg, "lender: the member whose collection contacted you")
	case !validChannel(m.Channel):
		return wrapf(ErrInvalidMsg, "channel %s", m.Channel)
	case len(m.EvidenceHash) != 32:
		return wrapf(ErrInvalidMsg, "evidence_hash: 32 bytes")
	case m.Time <= 0:
		return wrapf(ErrInvalidMsg, "time: when the contact happened")
	}
	return nil
}

// FileComplaint records a borrower's complaint of a contact by a lender
// (or its agency) at a time by a channel. The ledger finds the permit that
// covered that moment, if any, and keeps it with the complaint: the
// regulator rules knowing whether the contact was permitted.
func (mod *Module) FileComplaint(ctx exec.Context, m *collectv1.MsgFileComplaint) error {
	k := NewKeeper(ctx.KV(StoreName))
	if _, err := mod.members(ctx).Member(m.Lender); err != nil {
		return wrapf(ErrLenderNotFound, "%q", m.Lender)
	}
	now := ctx.Time.Unix()
	if oldest := now - int64(mod.paramsOf(ctx).ComplaintDays)*calendar.SecondsPerDay; m.Time > now || m.Time < oldest {
		return wrapf(ErrComplaintLate, "contact at %s: want between %s and now", unixString(m.Time), unixString(oldest))
	}
	borrower := ctx.AccountID.Bytes()
	cov, err := CoverageOf(k.kv, borrower, m.Lender, m.Channel, m.Time)
	if err != nil {
		return err
	}
	cp := &collectv1.Complaint{Id: k.takeID(keyNextComplaint), Borrower: borrower, Lender: m.Lender, Time: m.Time, Channel: m.Channel,
		EvidenceHash: m.EvidenceHash, Filed: now, Permit: cov.Permit, Status: collectv1.ComplaintStatus_COMPLAINT_STATUS_OPEN}
	for _, p := range cov.Considered {
		if p.Id == cov.Permit {
			cp.Collector = p.Collector
		}
	}
	k.setProto(ComplaintKey(cp.Id), cp)
	k.addIndex(BorrowerComplaintsPrefix(borrower), cp.Id)
	for _, member := range members(cp.Lender, cp.Collector) {
		k.stat(member, func(s *collectv1.Stats) { s.Complaints++ })
	}
	emitComplaint(ctx, cp)
	return nil
}

// ValidateRuleComplaint applies the stateless checks.
func ValidateRuleComplaint(m *collectv1.MsgRuleComplaint) error {
	if m.Reason == "" || len(m.Reason) > maxReason {
		return wrapf(ErrInvalidMsg, "reason: 1 to %d bytes", maxReason)
	}
	return nil
}

// RuleComplaint is a regulator's ruling on a complaint: upheld or
// dismissed, with the reason, kept on the record.
func (mod *Module) RuleComplaint(ctx exec.Context, m *collectv1.MsgRuleComplaint) error {
	k := NewKeeper(ctx.KV(StoreName))
	cp, err := k.Complaint(m.Complaint)
	if err != nil {
		return err
	}
	if cp.Status != collectv1.ComplaintStatus_COMPLAINT_STATUS_OPEN {
		return wrapf(ErrComplaintRuled, "complaint %d is %s", cp.Id, lowerTrim(cp.Status.String(), "COMPLAINT_STATUS_"))
	}
	cp.Status, cp.Ruling, cp.Ruled = collectv1.ComplaintStatus_COMPLAINT_STATUS_DISMISSED, m.Reason, ctx.Time.Unix()
	if m.Upheld {
		cp.Status = collectv1.ComplaintStatus_COMPLAINT_STATUS_UPHELD
		for _, member := range members(cp.Lender, cp.Collector) {
			k.stat(member, func(s *collectv1.Stats) { s.ComplaintsUpheld++ })
		}
	}
	k.setProto(ComplaintKey(cp.Id), cp)
	emitComplaint(ctx, cp)
	return nil
}

func emitComplaint(ctx exec.Context, cp *collectv1.Complaint) {
	ctx.Emit(EventComplaint, "complaint", idString(cp.Id), "borrower", hexAddr(cp.Borrower), "lender", cp.Lender, "collector", cp.Collector,
		"permit", idString(cp.Permit), "status", lowerTrim(cp.Status.String(), "COMPLAINT_STATUS_"))
}

// ValidateSuspendCollector applies the stateless checks.
func ValidateSuspendCollector(m *collectv1.MsgSuspendCollector) error {
	switch {
	case m.Collector == "":
		return wrapf(ErrInvalidMsg, "collector: the member")
	case m.Reason == "" || len(m.Reason) > maxReason:
		return wrapf(ErrInvalidMsg, "reason: 1 to %d bytes", maxReason)
	}
	return nil
}

// SuspendCollector is a regulator's suspension of a collector (no
// delegation to it, no action by it) or its lifting.
func (mod *Module) SuspendCollector(ctx exec.Context, m *collectv1.MsgSuspendCollector) error {
	k := NewKeeper(ctx.KV(StoreName))
	member, err := mod.members(ctx).Member(m.Collector)
	if err != nil || !consortium.HasRole(member, consortiumv1.Role_ROLE_COLLECTOR) {
		return wrapf(ErrNotCollector, "member %q", m.Collector)
	}
	_, suspended := k.Suspended(m.Collector)
	state := "suspended"
	switch {
	case m.Lift && !suspended:
		return wrapf(ErrSuspension, "%q is not suspended", m.Collector)
	case !m.Lift && suspended:
		return wrapf(ErrSuspension, "%q is suspended already", m.Collector)
	case m.Lift:
		k.kv.Delete(SuspensionKey(m.Collector))
		state = "lifted"
	default:
		k.setProto(SuspensionKey(m.Collector), &collectv1.Suspension{Collector: m.Collector, Reason: m.Reason, By: ctx.Signer.Bytes(), Since: ctx.Time.Unix()})
	}
	ctx.Emit(EventSuspension, "collector", m.Collector, "state", state, "reason", m.Reason)
	return nil
}
