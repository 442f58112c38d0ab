package credit

import (
	"regexp"
	"slices"
	"strconv"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/credit/schedule"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
)

var productIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// Bounds of free text and offers.
const (
	maxReason         = 256
	maxName           = 64
	maxOfferSeconds   = 90 * 24 * 3600
	maxRetryDays      = 10
	maxGraceDays      = 30
	hashLen           = 32
	addressLen        = common.AddressLength
	defaultRetryDays  = 3
	defaultGraceDays  = 0
	defaultPrepayMode = creditv1.PrepayMode_PREPAY_MODE_SHORTEN_TERM
)

// lender returns the member the signer acts for, an active lender.
func (mod *Module) lender(ctx exec.Context) (*consortiumv1.Member, error) {
	m, err := mod.members(ctx).ActingMember(ctx.Signer, consortiumv1.Role_ROLE_LENDER)
	if err != nil {
		return nil, errcode.Wrap(ErrNotLender, "%s: %v", ctx.Signer.Hex(), err)
	}
	return m, nil
}

// scheduleMethod maps the protobuf enums onto package schedule's (same
// numbering by construction; checked in tests).
func scheduleTerms(t *creditv1.Terms, principal uint64, months uint32, start calendar.Day) schedule.Terms {
	return schedule.Terms{
		Principal: principal, RateBps: t.RateBps, Months: months, Method: schedule.Method(t.Method),
		Accrual: schedule.Accrual(t.Accrual), Basis: t.Basis, Start: start,
	}
}

// ValidateTerms checks terms as a product gives them: a carried kind,
// method and accrual that fit together, a 360 or 365 basis, a term within
// the consortium's bound, a complete allocation order, a treasury address.
func ValidateTerms(t *creditv1.Terms, maxTerm uint32) error {
	bad := func(format string, args ...any) error { return errcode.Wrap(ErrInvalidProduct, format, args...) }
	switch {
	case t == nil:
		return bad("no terms")
	case t.Kind < creditv1.LineKind_LINE_KIND_REVOLVING || t.Kind > creditv1.LineKind_LINE_KIND_BULLET:
		return bad("kind %v", t.Kind)
	case t.Denom == "":
		return bad("no denom")
	case t.Method < creditv1.Method_METHOD_EQUAL_INSTALLMENTS || t.Method > creditv1.Method_METHOD_BULLET:
		return bad("method %v", t.Method)
	case t.Kind == creditv1.LineKind_LINE_KIND_BULLET && t.Method != creditv1.Method_METHOD_BULLET:
		return bad("a bullet line repays by the bullet method")
	case t.Accrual < creditv1.Accrual_ACCRUAL_MONTHLY || t.Accrual > creditv1.Accrual_ACCRUAL_DAILY:
		return bad("accrual %v", t.Accrual)
	case t.Basis != 360 && t.Basis != 365:
		return bad("basis %d: 360 or 365", t.Basis)
	case t.TermMonths == 0 || t.TermMonths > maxTerm:
		return bad("term %d months: 1 to %d", t.TermMonths, maxTerm)
	case t.GraceDays > maxGraceDays:
		return bad("grace %d days: at most %d", t.GraceDays, maxGraceDays)
	case t.AutodebitRetryDays > maxRetryDays:
		return bad("autodebit_retry_days %d: at most %d", t.AutodebitRetryDays, maxRetryDays)
	case t.PrepayMode > creditv1.PrepayMode_PREPAY_MODE_LOWER_INSTALLMENT:
		return bad("prepay_mode %v", t.PrepayMode) // unspecified: shorten the term
	case len(t.Treasury) != addressLen:
		return bad("treasury: a 20-byte address")
	}
	if err := (schedule.Terms{Principal: 1, RateBps: t.RateBps, Months: t.TermMonths, Method: schedule.Method(t.Method),
		Accrual: schedule.Accrual(t.Accrual), Basis: t.Basis, Start: 1}).Validate(); err != nil {
		return bad("%v", err)
	}
	if len(t.Allocation) != 0 {
		seen := map[creditv1.Component]bool{}
		for _, c := range t.Allocation {
			if c < creditv1.Component_COMPONENT_PENALTY || c > creditv1.Component_COMPONENT_PRINCIPAL || seen[c] {
				return bad("allocation %v: each of penalty, interest, principal once", t.Allocation)
			}
			seen[c] = true
		}
		if len(seen) != 3 {
			return bad("allocation %v: each of penalty, interest, principal once", t.Allocation)
		}
	}
	return nil
}

// ValidateSetCreditProduct applies the stateless checks.
func ValidateSetCreditProduct(m *creditv1.MsgSetCreditProduct) error {
	bad := func(format string, args ...any) error { return errcode.Wrap(ErrInvalidProduct, format, args...) }
	switch {
	case !productIDPattern.MatchString(m.Id):
		return bad("id %q: 1-32 lowercase letters, digits and '-'", m.Id)
	case len(m.Name) > maxName:
		return bad("name: at most %d bytes", maxName)
	case m.MinLimit == 0 || m.MinLimit > m.MaxLimit:
		return bad("limits %d to %d: want 0 < min <= max", m.MinLimit, m.MaxLimit)
	case m.MinTermMonths == 0 || m.MinTermMonths > m.MaxTermMonths:
		return bad("terms %d to %d months: want 0 < min <= max", m.MinTermMonths, m.MaxTermMonths)
	case m.Terms == nil:
		return bad("no terms")
	case m.Terms.TermMonths < m.MinTermMonths || m.Terms.TermMonths > m.MaxTermMonths:
		return bad("default term %d months outside %d to %d", m.Terms.TermMonths, m.MinTermMonths, m.MaxTermMonths)
	case m.MaxRateBps < m.Terms.RateBps:
		return bad("max_rate_bps %d below the product's rate %d", m.MaxRateBps, m.Terms.RateBps)
	}
	return ValidateTerms(m.Terms, schedule.MaxMonths)
}

// SetCreditProduct creates or replaces a product of the signer's bank.
func (mod *Module) SetCreditProduct(ctx exec.Context, m *creditv1.MsgSetCreditProduct) error {
	bank, err := mod.lender(ctx)
	if err != nil {
		return err
	}
	if err := mod.checkProduct(ctx, mod.paramsOf(ctx), bank.Id, m); err != nil {
		return err
	}
	terms := proto.Clone(m.Terms).(*creditv1.Terms)
	if terms.PrepayMode == creditv1.PrepayMode_PREPAY_MODE_UNSPECIFIED {
		terms.PrepayMode = defaultPrepayMode
	}
	p := &creditv1.Product{Lender: bank.Id, Id: m.Id, Name: m.Name, Terms: terms, MinLimit: m.MinLimit, MaxLimit: m.MaxLimit,
		MinTermMonths: m.MinTermMonths, MaxTermMonths: m.MaxTermMonths, MaxRateBps: m.MaxRateBps, Retired: m.Retired,
		UpdatedHeight: ctx.Height}
	NewKeeper(ctx.KV(StoreName)).setProto(ProductKey(bank.Id, m.Id), p)
	ctx.Emit(EventProduct, "lender", bank.Id, "product", m.Id, "retired", strconv.FormatBool(m.Retired))
	return nil
}

// checkProduct checks a product of lender against the state: the lender
// an active member with the lender role, the terms within the consortium's
// parameters, the denom carried, the all-in rate capped, the treasury an
// open wallet.
func (mod *Module) checkProduct(ctx exec.Context, params *creditv1.Params, lender string, m *creditv1.MsgSetCreditProduct) error {
	if mb, err := mod.members(ctx).Member(lender); err != nil || mb.Status != consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE ||
		!hasRole(mb, consortiumv1.Role_ROLE_LENDER) {
		return errcode.Wrap(ErrNotLender, "%q is not an active lender", lender)
	}
	if err := ValidateTerms(m.Terms, params.MaxTermMonths); err != nil {
		return err
	}
	if m.MaxTermMonths > params.MaxTermMonths {
		return errcode.Wrap(ErrInvalidProduct, "max term %d months: the consortium allows %d", m.MaxTermMonths, params.MaxTermMonths)
	}
	if !slices.Contains(mod.wallets.Params(ctx).Denoms, m.Terms.Denom) {
		return errcode.Wrap(ErrInvalidProduct, "denom %q is not carried", m.Terms.Denom)
	}
	if err := checkRateCap(params, m.MaxRateBps, m.Terms.PenaltyRateBps, m.Terms.Basis); err != nil {
		return err
	}
	if w, err := mod.wallets.Wallet(ctx, addrOf(m.Terms.Treasury)); err != nil || w.Closed {
		return errcode.Wrap(ErrInvalidProduct, "treasury %s is not an open wallet", addrOf(m.Terms.Treasury).Hex())
	}
	return nil
}

// checkRateCap refuses terms whose all-in rate over 365 days exceeds the
// consortium's cap.
func checkRateCap(p *creditv1.Params, rate, penalty, basis uint32) error {
	allIn, err := schedule.AllInBps(rate, penalty, basis)
	if err != nil || allIn > p.MaxAllInBps {
		return errcode.Wrap(ErrRateCap, "rate %d + penalty %d bps over a %d-day basis is %d bps over 365 days; the cap is %d",
			rate, penalty, basis, allIn, p.MaxAllInBps)
	}
	return nil
}

// ValidateOfferLine applies the stateless checks.
func ValidateOfferLine(m *creditv1.MsgOfferLine) error {
	bad := func(format string, args ...any) error { return errcode.Wrap(ErrInvalidMsg, format, args...) }
	switch {
	case len(m.Borrower) != addressLen:
		return bad("borrower: a 20-byte address")
	case m.Limit == 0:
		return bad("limit is zero")
	case len(m.ContractHash) != hashLen:
		return bad("contract_hash: 32 bytes")
	case len(m.Subject) != hashLen:
		return bad("subject: the 32-byte credit subject id")
	case m.Expires <= 0:
		return bad("expires: a time")
	}
	return nil
}

// OfferLine offers a line on a product of the signer's bank to a wallet
// owner, on the product's terms with the offer's rate and term.
func (mod *Module) OfferLine(ctx exec.Context, m *creditv1.MsgOfferLine) error {
	bank, err := mod.lender(ctx)
	if err != nil {
		return err
	}
	k := NewKeeper(ctx.KV(StoreName))
	p, err := k.Product(bank.Id, m.Product)
	if err != nil {
		return err
	}
	if p.Retired {
		return errcode.Wrap(ErrProductRetired, "lender %q product %q", bank.Id, m.Product)
	}
	t := proto.Clone(p.Terms).(*creditv1.Terms)
	if m.Denom != t.Denom {
		return errcode.Wrap(ErrDenomMismatch, "product %q lends %s, the offer says %s", m.Product, t.Denom, m.Denom)
	}
	if m.RateBps != 0 {
		t.RateBps = m.RateBps
	}
	if m.TermMonths != 0 {
		t.TermMonths = m.TermMonths
	}
	switch {
	case m.Limit < p.MinLimit || m.Limit > p.MaxLimit:
		return errcode.Wrap(ErrOutOfRange, "limit %d outside %d to %d", m.Limit, p.MinLimit, p.MaxLimit)
	case t.TermMonths < p.MinTermMonths || t.TermMonths > p.MaxTermMonths:
		return errcode.Wrap(ErrOutOfRange, "term %d months outside %d to %d", t.TermMonths, p.MinTermMonths, p.MaxTermMonths)
	case t.RateBps > p.MaxRateBps:
		return errcode.Wrap(ErrOutOfRange, "rate %d bps above the product's %d", t.RateBps, p.MaxRateBps)
	case m.Expires <= ctx.Time.Unix() || m.Expires > ctx.Time.Unix()+maxOfferSeconds:
		return errcode.Wrap(ErrInvalidMsg, "expires %d: after the block time %d and within 90 days", m.Expires, ctx.Time.Unix())
	}
	if err := checkRateCap(mod.paramsOf(ctx), t.RateBps, t.PenaltyRateBps, t.Basis); err != nil {
		return err
	}
	if w, err := mod.wallets.Wallet(ctx, addrOf(m.Borrower)); err != nil || w.Closed {
		return errcode.Wrap(ErrBorrowerNotFound, "borrower %s", addrOf(m.Borrower).Hex())
	}
	if err := k.linkWallet(m.Borrower, m.Subject); err != nil { // the lender attests it (subject.go)
		return err
	}
	line := &creditv1.Line{
		Id: k.takeID(keyNextLine), Lender: bank.Id, Product: m.Product, Borrower: m.Borrower, Terms: t, Limit: m.Limit,
		Status: creditv1.LineStatus_LINE_STATUS_OFFERED, ContractHash: m.ContractHash, OfferExpires: m.Expires,
		AutodebitRequested: m.Autodebit, OfferedHeight: ctx.Height, Subject: m.Subject,
	}
	k.setProto(LineKey(line.Id), line)
	k.index(BorrowerLinesPrefix(line.Borrower), line.Id)
	k.mark(offerKey(mod.wallets.Zone(ctx).Day(m.Expires)+1, line.Id))
	mod.emitLine(ctx, line)
	return nil
}

func (mod *Module) emitLine(ctx exec.Context, l *creditv1.Line) {
	ctx.Emit(EventLine, "line", idString(l.Id), "lender", l.Lender, "borrower", hexAddr(l.Borrower),
		"status", lineStatusName(l.Status), "limit", strconv.FormatUint(l.Limit, 10), "reason", l.Reason)
}

// AcceptLine accepts an offered line, by its borrower, on the terms the
// message repeats.
func (mod *Module) AcceptLine(ctx exec.Context, m *creditv1.MsgAcceptLine) error {
	k := NewKeeper(ctx.KV(StoreName))
	line, err := k.Line(m.Line)
	if err != nil {
		return err
	}
	if addrOf(line.Borrower) != ctx.AccountID {
		return errcode.Wrap(ErrNotBorrower, "line %d is offered to %s", line.Id, addrOf(line.Borrower).Hex())
	}
	if line.Status != creditv1.LineStatus_LINE_STATUS_OFFERED {
		return errcode.Wrap(ErrLineState, "line %d is %s, not offered", line.Id, lineStatusName(line.Status))
	}
	if ctx.Time.Unix() > line.OfferExpires {
		return errcode.Wrap(ErrOfferExpired, "line %d: the offer lapsed at %d", line.Id, line.OfferExpires)
	}
	t := line.Terms
	if m.Denom != t.Denom || m.Limit != line.Limit || m.RateBps != t.RateBps || m.PenaltyRateBps != t.PenaltyRateBps ||
		m.TermMonths != t.TermMonths || string(m.ContractHash) != string(line.ContractHash) {
		return errcode.Wrap(ErrTermsMismatch, "line %d offers %d %s at %d bps (penalty %d) over %d months, contract %x",
			line.Id, line.Limit, t.Denom, t.RateBps, t.PenaltyRateBps, t.TermMonths, line.ContractHash)
	}
	line.Status, line.AcceptedHeight, line.Autodebit = creditv1.LineStatus_LINE_STATUS_ACTIVE, ctx.Height, m.Autodebit
	k.unmark(offerKey(mod.wallets.Zone(ctx).Day(line.OfferExpires)+1, line.Id))
	k.setProto(LineKey(line.Id), line)
	mod.emitLine(ctx, line)
	return nil
}

// ValidateSetLine applies the stateless checks.
func ValidateSetLine(m *creditv1.MsgSetLine) error {
	switch {
	case m.Action < creditv1.LineAction_LINE_ACTION_REDUCE || m.Action > creditv1.LineAction_LINE_ACTION_CLOSE:
		return errcode.Wrap(ErrInvalidMsg, "action %v", m.Action)
	case m.Reason == "" || len(m.Reason) > maxReason:
		return errcode.Wrap(ErrInvalidMsg, "reason: 1 to %d bytes", maxReason)
	case m.Action == creditv1.LineAction_LINE_ACTION_REDUCE && m.Limit == 0:
		return errcode.Wrap(ErrInvalidMsg, "reduce: a new limit")
	}
	return nil
}

// SetLine reduces, freezes, unfreezes or closes a line of the signer's bank.
func (mod *Module) SetLine(ctx exec.Context, m *creditv1.MsgSetLine) error {
	k := NewKeeper(ctx.KV(StoreName))
	line, err := k.Line(m.Line)
	if err != nil {
		return err
	}
	if err := mod.actsFor(ctx, line.Lender); err != nil {
		return err
	}
	open := line.Status == creditv1.LineStatus_LINE_STATUS_ACTIVE || line.Status == creditv1.LineStatus_LINE_STATUS_FROZEN
	switch m.Action {
	case creditv1.LineAction_LINE_ACTION_REDUCE:
		switch {
		case !open:
			return errcode.Wrap(ErrLineState, "line %d is %s", line.Id, lineStatusName(line.Status))
		case m.Denom != line.Terms.Denom:
			return errcode.Wrap(ErrDenomMismatch, "line %d lends %s", line.Id, line.Terms.Denom)
		case m.Limit >= line.Limit || m.Limit < line.Drawn:
			return errcode.Wrap(ErrOutOfRange, "line %d: a reduced limit is below %d and at least the %d drawn", line.Id, line.Limit, line.Drawn)
		}
		line.Limit = m.Limit
	case creditv1.LineAction_LINE_ACTION_FREEZE:
		if line.Status != creditv1.LineStatus_LINE_STATUS_ACTIVE {
			return errcode.Wrap(ErrLineState, "line %d is %s, not active", line.Id, lineStatusName(line.Status))
		}
		line.Status = creditv1.LineStatus_LINE_STATUS_FROZEN
	case creditv1.LineAction_LINE_ACTION_UNFREEZE:
		if line.Status != creditv1.LineStatus_LINE_STATUS_FROZEN {
			return errcode.Wrap(ErrLineState, "line %d is %s, not frozen", line.Id, lineStatusName(line.Status))
		}
		line.Status = creditv1.LineStatus_LINE_STATUS_ACTIVE
	case creditv1.LineAction_LINE_ACTION_CLOSE:
		switch {
		case !open && line.Status != creditv1.LineStatus_LINE_STATUS_OFFERED:
			return errcode.Wrap(ErrLineState, "line %d is %s", line.Id, lineStatusName(line.Status))
		case line.Drawn != 0 || len(k.ids(LineLoansPrefix(line.Id), 0, 1)) != 0:
			return errcode.Wrap(ErrOutstanding, "line %d has %d drawn", line.Id, line.Drawn)
		}
		if line.Status == creditv1.LineStatus_LINE_STATUS_OFFERED {
			k.unmark(offerKey(mod.wallets.Zone(ctx).Day(line.OfferExpires)+1, line.Id))
		}
		line.Status = creditv1.LineStatus_LINE_STATUS_CLOSED
	}
	line.Reason = m.Reason
	k.setProto(LineKey(line.Id), line)
	mod.emitLine(ctx, line)
	return nil
}

// actsFor fails unless the signer is an operator of lender, an active
// lender.
func (mod *Module) actsFor(ctx exec.Context, lender string) error {
	bank, err := mod.lender(ctx)
	if err != nil {
		return err
	}
	if bank.Id != lender {
		return errcode.Wrap(ErrNotLineLender, "signer acts for %q, the lender is %q", bank.Id, lender)
	}
	return nil
}
