package credit

import (
	"encoding/binary"
	"strconv"

	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
)

// Consents and enquiries. A lender reads a subject's credit records only
// after recording an enquiry: for a loan, card or guarantee decision with
// the subject's unexpired signed consent; for post-loan management as the
// lender of a loan of the subject's. Each enquiry is listed in the
// subject's report, and lets the lender's operators read the subject's
// records (the read authoriser, access.go) until it lapses.

// maxConsentSeconds bounds how far ahead a consent may run: a year.
const maxConsentSeconds = 366 * 24 * 3600

// ValidateGrantConsent applies the stateless checks.
func ValidateGrantConsent(m *creditv1.MsgGrantConsent) error {
	switch {
	case m.Lender == "":
		return errcode.Wrap(ErrInvalidMsg, "lender: a member id")
	case m.Purpose == creditv1.Purpose_PURPOSE_UNSPECIFIED || m.Purpose == creditv1.Purpose_PURPOSE_POST_LOAN:
		return errcode.Wrap(ErrInvalidMsg, "purpose: loan_approval, card_approval or guarantee_review (post-loan management needs no consent)")
	case m.Purpose > creditv1.Purpose_PURPOSE_POST_LOAN:
		return errcode.Wrap(ErrInvalidMsg, "purpose %d: unknown", m.Purpose)
	case m.Expires <= 0:
		return errcode.Wrap(ErrInvalidMsg, "expires: a time")
	}
	return nil
}

// GrantConsent records the signer's subject's consent that a lender
// enquire for a purpose until expires (within a year).
func (mod *Module) GrantConsent(ctx exec.Context, m *creditv1.MsgGrantConsent) error {
	k := NewKeeper(ctx.KV(StoreName))
	subject := k.SubjectOf(ctx.AccountID)
	if subject == nil {
		return errcode.Wrap(ErrNoSubject, "wallet %s", ctx.AccountID.Hex())
	}
	if m.Expires <= ctx.Time.Unix() || m.Expires > ctx.Time.Unix()+maxConsentSeconds {
		return errcode.Wrap(ErrInvalidMsg, "expires %d: after the block time %d and within a year", m.Expires, ctx.Time.Unix())
	}
	if _, err := mod.members(ctx).Member(m.Lender); err != nil {
		return err
	}
	k.setProto(consentKey(subject, m.Lender, m.Purpose), &creditv1.Consent{Subject: subject, Lender: m.Lender, Purpose: m.Purpose,
		Expires: m.Expires, Wallet: ctx.AccountID.Bytes(), Height: ctx.Height})
	ctx.Emit(EventConsent, "wallet", hexAddr(ctx.AccountID.Bytes()), "lender", m.Lender, "purpose", purposeName(m.Purpose),
		"expires", strconv.FormatInt(m.Expires, 10))
	return nil
}

// ValidateEnquire applies the stateless checks.
func ValidateEnquire(m *creditv1.MsgEnquire) error {
	switch {
	case len(m.Subject) != hashLen:
		return errcode.Wrap(ErrInvalidMsg, "subject: the 32-byte credit subject id")
	case m.Purpose == creditv1.Purpose_PURPOSE_UNSPECIFIED || m.Purpose > creditv1.Purpose_PURPOSE_POST_LOAN:
		return errcode.Wrap(ErrInvalidMsg, "purpose: loan_approval, card_approval, guarantee_review or post_loan")
	}
	return nil
}

// Enquire records a lender's enquiry into a subject: with the subject's
// unexpired consent for the purpose (ErrNoConsent), or, for post-loan
// management, as the lender of one of the subject's loans
// (ErrNoLoanOfLender). The lender may then read the subject's records
// until the consent expires (post-loan: access_days).
func (mod *Module) Enquire(ctx exec.Context, m *creditv1.MsgEnquire) error {
	bank, err := mod.lender(ctx)
	if err != nil {
		return err
	}
	k := NewKeeper(ctx.KV(StoreName))
	var until int64
	if m.Purpose == creditv1.Purpose_PURPOSE_POST_LOAN {
		if !k.lendsTo(m.Subject, bank.Id) {
			return errcode.Wrap(ErrNoLoanOfLender, "lender %q", bank.Id)
		}
		until = ctx.Time.Unix() + int64(accessDays(mod.paramsOf(ctx)))*24*3600
	} else {
		c := new(creditv1.Consent)
		if !store.GetProto(k.kv, consentKey(m.Subject, bank.Id, m.Purpose), c) || c.Expires < ctx.Time.Unix() {
			return errcode.Wrap(ErrNoConsent, "lender %q, purpose %s", bank.Id, purposeName(m.Purpose))
		}
		until = c.Expires
	}
	s := k.openSubject(m.Subject)
	s.Enquiries++
	k.setProto(SubjectKey(m.Subject), s)
	e := &creditv1.Enquiry{Subject: m.Subject, Seq: s.Enquiries, Lender: bank.Id, Purpose: m.Purpose, Day: int64(mod.today(ctx)),
		By: ctx.Signer.Bytes(), Until: until, Height: ctx.Height}
	k.setProto(binary.BigEndian.AppendUint64(SubjectEnquiriesPrefix(m.Subject), e.Seq), e)
	if have := k.accessUntil(m.Subject, bank.Id); until > have {
		k.kv.Set(accessKey(m.Subject, bank.Id), binary.BigEndian.AppendUint64(nil, uint64(until)))
	}
	ctx.Emit(EventEnquiry, "lender", bank.Id, "purpose", purposeName(m.Purpose), "seq", strconv.FormatUint(e.Seq, 10))
	return nil
}

// lendsTo reports whether lender holds a loan of subject's (open or not).
// Its cost is the subject's loans.
func (v View) lendsTo(subject []byte, lender string) bool {
	found := false
	for _, id := range v.subjectLoans(subject) {
		if l, err := v.Loan(id); err == nil && l.Lender == lender {
			found = true
			break
		}
	}
	return found
}

// subjectLoans lists subject's loan ids from its index.
func (v View) subjectLoans(subject []byte) []uint64 {
	return v.ids(SubjectLoansPrefix(subject), 0, 0)
}

// accessUntil is until when lender may read subject's records by its
// enquiries (Unix seconds), 0 if never.
func (v View) accessUntil(subject []byte, lender string) int64 {
	b := v.r.Get(accessKey(subject, lender))
	if len(b) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(b))
}

func purposeName(p creditv1.Purpose) string { return enumName(p.String(), "PURPOSE_") }
