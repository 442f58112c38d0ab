package credit

import (
	"bytes"
	"encoding/binary"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/module"
)

// Who may read credit records (module.Module.Private): credit data is
// personal information. Public: the parameters, products, portfolios,
// the id counters and the date indexes (days and ids, nothing personal).
// Everything else belongs to a credit subject or a lender, and is
// answered to a signed reader who is:
//   - an operator of an active auditor, regulator or credit bureau: all;
//   - a wallet attested to the subject (the person, from any of their
//     wallets), or the record's borrower wallet;
//   - an operator of the record's lender (its own book);
//   - an operator of a lender whose recorded enquiry into the subject has
//     not lapsed (enquiry.go): that subject's records.
//
// An operator of a node still sees the raw state on its disk.

// readAccess is what a read concerns: a subject, a borrower wallet, a
// lender; public if none.
type readAccess struct {
	public   bool
	subject  []byte
	borrower []byte
	lender   string
}

// Private is the credit module's read authoriser.
func (mod *Module) Private(a module.ReadAccess) error {
	v := NewView(a.Stores.Reader(StoreName))
	var what readAccess
	var err error
	if a.Path != "" {
		what, err = pathAccess(v, a.Path)
	} else {
		what = keyAccess(v, a.Key)
	}
	if err != nil {
		return err
	}
	if what.public {
		return nil
	}
	if a.Reader == nil {
		return errcode.Wrap(module.ErrReadRefused, "credit: an unsigned request")
	}
	r := *a.Reader
	if len(what.borrower) != 0 {
		if bytes.Equal(what.borrower, r.Bytes()) {
			return nil
		}
		if len(what.subject) == 0 {
			what.subject = v.SubjectOf(common.BytesToAddress(what.borrower))
		}
	}
	if len(what.subject) == hashLen && bytes.Equal(v.SubjectOf(r), what.subject) {
		return nil
	}
	if mod.members == nil {
		return errcode.Wrap(module.ErrReadRefused, "credit: %s", r.Hex())
	}
	ctx := exec.ReadOnly(a.Stores.Height(), a.Stores.Reader)
	ctx.Time = a.Now
	m, err := mod.members(ctx).ActingMember(r, consortiumv1.Role_ROLE_AUDITOR)
	if err != nil {
		for _, role := range []consortiumv1.Role{consortiumv1.Role_ROLE_REGULATOR, consortiumv1.Role_ROLE_CREDIT_BUREAU, consortiumv1.Role_ROLE_LENDER} {
			if m, err = mod.members(ctx).ActingMember(r, role); err == nil {
				break
			}
		}
	}
	if err != nil {
		return errcode.Wrap(module.ErrReadRefused, "credit: %s is neither the subject's wallet nor an operator of a member that may read it", r.Hex())
	}
	for _, role := range m.Roles {
		if role == consortiumv1.Role_ROLE_AUDITOR || role == consortiumv1.Role_ROLE_REGULATOR || role == consortiumv1.Role_ROLE_CREDIT_BUREAU {
			return nil
		}
	}
	if what.lender != "" && what.lender == m.Id {
		return nil
	}
	if len(what.subject) == hashLen && v.accessUntil(what.subject, m.Id) >= a.Now.Unix() {
		return nil
	}
	return errcode.Wrap(module.ErrReadRefused, "credit: lender %q holds no unexpired enquiry into this subject (record one: ledgerd tx credit enquire)", m.Id)
}

// keyAccess is what a raw read of key concerns.
func keyAccess(v View, key []byte) readAccess {
	if len(key) == 0 {
		return readAccess{public: true}
	}
	rest := key[1:]
	id := func() uint64 {
		if len(rest) < 8 {
			return 0
		}
		return binary.BigEndian.Uint64(rest[len(rest)-8:])
	}
	subjectOfKey := func() readAccess {
		if len(rest) < hashLen {
			return readAccess{} // nobody's: auditors and the like only
		}
		return readAccess{subject: rest[:hashLen]}
	}
	switch key[0] {
	case keyParams, prefixProduct, keyNextLine, keyNextLoan, prefixWake, prefixOffer, keyReminderCursor, prefixPortfolio, prefixOverdueDay, keyNextDispute:
		return readAccess{public: true}
	case prefixLine, prefixLineLoan:
		return lineAccess(v, binary.BigEndian.Uint64(padID(rest)))
	case prefixLoan, prefixReminder, prefixRecDispute:
		if key[0] == prefixRecDispute && len(rest) >= 8 {
			return loanAccess(v, binary.BigEndian.Uint64(rest[:8]))
		}
		return loanAccess(v, id())
	case prefixBorrLine, prefixBorrLoan, prefixPull, prefixWalletSubj:
		if len(rest) < addressLen {
			return readAccess{}
		}
		return readAccess{borrower: rest[:addressLen]}
	case prefixLendLoan:
		if len(rest) < 1 || len(rest) < 1+int(rest[0]) {
			return readAccess{}
		}
		return readAccess{lender: string(rest[1 : 1+int(rest[0])])}
	case prefixSubject, prefixSubjLoan, prefixSubjWallet, prefixConsent, prefixEnquiry, prefixAccess, prefixSubjDispute:
		return subjectOfKey()
	case prefixDispute:
		if d, err := v.Dispute(id()); err == nil {
			return readAccess{subject: d.Subject, lender: d.Lender}
		}
	}
	return readAccess{} // nobody's: auditors and the like only
}

// padID is the first 8 bytes of b (the id after a prefix), zero-padded.
func padID(b []byte) []byte {
	out := make([]byte, 8)
	copy(out, b)
	return out
}

func lineAccess(v View, id uint64) readAccess {
	l, err := v.Line(id)
	if err != nil {
		return readAccess{}
	}
	return readAccess{subject: l.Subject, borrower: l.Borrower, lender: l.Lender}
}

func loanAccess(v View, id uint64) readAccess {
	l, err := v.Loan(id)
	if err != nil {
		return readAccess{}
	}
	return readAccess{subject: l.Subject, borrower: l.Borrower, lender: l.Lender}
}

// pathAccess is what a query path (after /credit/) concerns.
func pathAccess(v View, path string) (readAccess, error) {
	name, rest, _ := strings.Cut(path, "/")
	first, _, _ := strings.Cut(rest, "/")
	switch name {
	case "params", "product", "products", "portfolio":
		return readAccess{public: true}, nil
	case "line":
		id, err := parseID(first)
		if err != nil {
			return readAccess{}, err
		}
		return lineAccess(v, id), nil
	case "loan", "schedule":
		id, err := parseID(first)
		if err != nil {
			return readAccess{}, err
		}
		return loanAccess(v, id), nil
	case "lines":
		addr, err := parseAddr(first)
		if err != nil {
			return readAccess{}, err
		}
		return readAccess{borrower: addr.Bytes()}, nil
	case "loans":
		kind, tail, _ := strings.Cut(rest, "/")
		who, _, _ := strings.Cut(tail, "/")
		switch kind {
		case "borrower":
			addr, err := parseAddr(who)
			if err != nil {
				return readAccess{}, err
			}
			return readAccess{borrower: addr.Bytes()}, nil
		case "lender":
			return readAccess{lender: who}, nil
		case "line":
			id, err := parseID(who)
			if err != nil {
				return readAccess{}, err
			}
			return lineAccess(v, id), nil
		}
		return readAccess{}, badQuery("loans/%s: want borrower/<0x>, lender/<member> or line/<id>", kind)
	case "report", "score", "enquiries", "disputes":
		s, err := subjectArg(v, first)
		if err != nil {
			return readAccess{}, err
		}
		return readAccess{subject: s}, nil
	}
	return readAccess{}, nil
}
