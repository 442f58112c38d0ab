package credit

import (
	"bytes"
	"encoding/binary"

	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
)

// Disputes. A wallet of a loan's subject disputes its record (one month's
// code, or the record as a whole); the loan's lender answers within
// dispute_days with a correction (a new entry beside the fixed code, which
// stays) or a reasoned rejection. A record with an open dispute cannot be
// disputed again, nor an answered one on the same evidence, so that
// disputes cannot stall a record forever.

// Dispute returns dispute id.
func (v View) Dispute(id uint64) (*creditv1.Dispute, error) {
	d := new(creditv1.Dispute)
	if !store.GetProto(v.r, DisputeKey(id), d) {
		return nil, errcode.Wrap(ErrDisputeNotFound, "dispute %d", id)
	}
	return d, nil
}

// ValidateDispute applies the stateless checks.
func ValidateDispute(m *creditv1.MsgDispute) error {
	switch {
	case m.Loan == 0:
		return errcode.Wrap(ErrInvalidMsg, "loan: an id")
	case m.Reason == "" || len(m.Reason) > 512:
		return errcode.Wrap(ErrInvalidMsg, "reason: 1 to 512 bytes")
	case len(m.EvidenceHash) != hashLen:
		return errcode.Wrap(ErrInvalidMsg, "evidence_hash: 32 bytes")
	case m.Month < 0:
		return errcode.Wrap(ErrInvalidMsg, "month: a day")
	}
	return nil
}

// Dispute opens a dispute of a loan's record by a wallet of its subject
// (or its borrower).
func (mod *Module) Dispute(ctx exec.Context, m *creditv1.MsgDispute) error {
	k := NewKeeper(ctx.KV(StoreName))
	l, err := k.Loan(m.Loan)
	if err != nil {
		return err
	}
	subject := k.SubjectOf(ctx.AccountID)
	if addrOf(l.Borrower) != ctx.AccountID && (subject == nil || !bytes.Equal(subject, l.Subject)) {
		return errcode.Wrap(ErrNotBorrower, "loan %d is not of %s's credit subject", l.Id, ctx.AccountID.Hex())
	}
	var month calendar.Day
	if m.Month != 0 {
		month = calendar.Day(m.Month).Month().First()
	}
	today := mod.today(ctx)
	rec := recordDisputeKey(l.Id, month)
	if b := k.kv.Get(rec); len(b) == 8 {
		last, err := k.Dispute(binary.BigEndian.Uint64(b))
		if err != nil {
			return err
		}
		if last.Status == creditv1.DisputeStatus_DISPUTE_STATUS_OPEN || bytes.Equal(last.EvidenceHash, m.EvidenceHash) {
			return errcode.Wrap(ErrDisputeRepeated, "loan %d %s: dispute %d is %s", l.Id, monthText(month), last.Id, disputeStatusName(last.Status))
		}
	}
	d := &creditv1.Dispute{Id: k.takeID(keyNextDispute), Loan: l.Id, Subject: l.Subject, Lender: l.Lender, Month: int64(month),
		Reason: m.Reason, EvidenceHash: m.EvidenceHash, By: ctx.Signer.Bytes(), Opened: int64(today),
		Deadline: int64(today) + int64(disputeDays(mod.paramsOf(ctx))), Status: creditv1.DisputeStatus_DISPUTE_STATUS_OPEN}
	k.setProto(DisputeKey(d.Id), d)
	k.kv.Set(rec, binary.BigEndian.AppendUint64(nil, d.Id))
	if len(l.Subject) != 0 {
		s := k.openSubject(l.Subject)
		s.Disputes++
		k.setProto(SubjectKey(l.Subject), s)
		k.index(SubjectDisputesPrefix(l.Subject), d.Id)
	}
	mod.emitDispute(ctx, d)
	return nil
}

// ValidateAnswerDispute applies the stateless checks.
func ValidateAnswerDispute(m *creditv1.MsgAnswerDispute) error {
	switch {
	case m.Dispute == 0:
		return errcode.Wrap(ErrInvalidMsg, "dispute: an id")
	case m.Answer == "" || len(m.Answer) > 512:
		return errcode.Wrap(ErrInvalidMsg, "answer: the reasons, 1 to 512 bytes")
	case m.Correct && !validCode(m.Correction):
		return errcode.Wrap(ErrInvalidMsg, "correction %q: one report code (*, N, M, 1-7, C, G, B, D, Z, #)", m.Correction)
	case !m.Correct && m.Correction != "":
		return errcode.Wrap(ErrInvalidMsg, "a rejection carries no correction")
	}
	return nil
}

// validCode reports whether s is one report code.
func validCode(s string) bool {
	return len(s) == 1 && bytes.IndexByte([]byte("*NM1234567CGBDZ#"), s[0]) >= 0
}

// AnswerDispute answers an open dispute, by an operator of the loan's
// lender: a correction or a reasoned rejection. Nothing is erased.
func (mod *Module) AnswerDispute(ctx exec.Context, m *creditv1.MsgAnswerDispute) error {
	k := NewKeeper(ctx.KV(StoreName))
	d, err := k.Dispute(m.Dispute)
	if err != nil {
		return err
	}
	if err := mod.actsFor(ctx, d.Lender); err != nil {
		return err
	}
	if d.Status != creditv1.DisputeStatus_DISPUTE_STATUS_OPEN {
		return errcode.Wrap(ErrDisputeAnswered, "dispute %d is %s", d.Id, disputeStatusName(d.Status))
	}
	d.Status, d.Answer, d.Answered, d.AnsweredBy = creditv1.DisputeStatus_DISPUTE_STATUS_REJECTED, m.Answer, int64(mod.today(ctx)), ctx.Signer.Bytes()
	if m.Correct {
		d.Status, d.Correction = creditv1.DisputeStatus_DISPUTE_STATUS_CORRECTED, m.Correction
	}
	k.setProto(DisputeKey(d.Id), d)
	mod.emitDispute(ctx, d)
	return nil
}

func (mod *Module) emitDispute(ctx exec.Context, d *creditv1.Dispute) {
	ctx.Emit(EventDispute, "dispute", idString(d.Id), "loan", idString(d.Loan), "lender", d.Lender, "status", disputeStatusName(d.Status))
}

func disputeStatusName(s creditv1.DisputeStatus) string {
	return enumName(s.String(), "DISPUTE_STATUS_")
}

func monthText(first calendar.Day) string {
	if first == 0 {
		return "record"
	}
	return "month " + first.Month().String()
}
