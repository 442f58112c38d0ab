package credit

import (
	"bytes"

	"github.com/ethereum/go-ethereum/common"

	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
)

// Credit subjects: a person, by the keyed hash of their ID number that
// lenders attest (the ID number never goes on the ledger). Every wallet
// of a person is attested to the same subject, and every loan carries its
// borrower's subject, so that a person's loans at every bank and from
// every wallet are one provably complete list.

// Subject returns subject's record (an empty one with its id if none).
func (v View) Subject(subject []byte) *creditv1.Subject {
	s := new(creditv1.Subject)
	if !store.GetProto(v.r, SubjectKey(subject), s) {
		return &creditv1.Subject{Id: subject}
	}
	return s
}

// SubjectOf returns the subject wallet is attested to, or nil.
func (v View) SubjectOf(wallet common.Address) []byte {
	return v.r.Get(WalletSubjectKey(wallet.Bytes()))
}

// ValidateAttestSubject applies the stateless checks.
func ValidateAttestSubject(m *creditv1.MsgAttestSubject) error {
	switch {
	case len(m.Wallet) != addressLen:
		return errcode.Wrap(ErrInvalidMsg, "wallet: a 20-byte address")
	case len(m.Subject) != hashLen:
		return errcode.Wrap(ErrInvalidMsg, "subject: the 32-byte credit subject id")
	}
	return nil
}

// AttestSubject links a wallet to a credit subject, attested by an
// operator of a lender (ErrSubjectMismatch if it is another's).
func (mod *Module) AttestSubject(ctx exec.Context, m *creditv1.MsgAttestSubject) error {
	bank, err := mod.lender(ctx)
	if err != nil {
		return err
	}
	if w, err := mod.wallets.Wallet(ctx, addrOf(m.Wallet)); err != nil || w.Closed {
		return errcode.Wrap(ErrBorrowerNotFound, "wallet %s", addrOf(m.Wallet).Hex())
	}
	k := NewKeeper(ctx.KV(StoreName))
	if err := k.linkWallet(m.Wallet, m.Subject); err != nil {
		return err
	}
	ctx.Emit(EventSubject, "wallet", hexAddr(m.Wallet), "lender", bank.Id)
	return nil
}

// linkWallet attests wallet to subject, once; a wallet attested to
// another subject is refused.
func (k Keeper) linkWallet(wallet, subject []byte) error {
	have := k.kv.Get(WalletSubjectKey(wallet))
	switch {
	case have != nil && !bytes.Equal(have, subject):
		return errcode.Wrap(ErrSubjectMismatch, "wallet %s", addrOf(wallet).Hex())
	case have != nil:
		return nil
	}
	s := k.openSubject(subject)
	s.Wallets++
	k.setProto(SubjectKey(subject), s)
	k.kv.Set(WalletSubjectKey(wallet), bytes.Clone(subject))
	k.mark(subjectWalletKey(subject, wallet))
	return nil
}

// openSubject returns subject's record, creating it with the marks that
// bracket its ranges.
func (k Keeper) openSubject(subject []byte) *creditv1.Subject {
	s := new(creditv1.Subject)
	if store.GetProto(k.kv, SubjectKey(subject), s) {
		return s
	}
	for _, p := range [][]byte{SubjectLoansPrefix(subject), SubjectEnquiriesPrefix(subject), SubjectDisputesPrefix(subject)} {
		k.bracket(p)
	}
	return &creditv1.Subject{Id: bytes.Clone(subject)}
}

// addSubjectLoan indexes a new loan under its subject (if it has one) and
// counts it: the count is what proves a report complete.
func (k Keeper) addSubjectLoan(l *creditv1.Loan) error {
	if len(l.Subject) == 0 {
		return nil
	}
	if err := k.linkWallet(l.Borrower, l.Subject); err != nil {
		return err
	}
	s := k.openSubject(l.Subject)
	s.Loans++
	k.setProto(SubjectKey(l.Subject), s)
	k.index(SubjectLoansPrefix(l.Subject), l.Id)
	return nil
}
