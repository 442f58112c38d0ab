package collect

import (
	"bytes"
	"encoding/binary"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/module"
)

// Who may read collection records (module.Module.Private): a case, its
// permits and complaints, a borrower's contacts and cease requests are
// personal data of the borrower and the lender's business. Public: the
// parameters, the id counters, the date indexes (days and ids), the
// suspensions of collectors, the per-member statistics (counts, nothing
// personal: the regulator's figures, with the counts of open cases by day
// overdue since they are computed from) and the lenders' portfolio
// delegations. Everything else is answered to a signed reader who is:
//   - an operator of an active regulator or auditor: all;
//   - the borrower's wallet: their cases, permits, complaints, contacts,
//     cease requests and contact counts;
//   - an operator of the case's lender, or of its current delegate while
//     the delegation lasts: the case, its permits and complaints; and the
//     borrower's records a dialer needs to keep the rules (contacts, cease
//     requests, counts and permits across lenders, complaints) while it
//     acts on an open case of that borrower; a permit also to the
//     collector it was granted to, and a complaint to the collector it
//     names (their own records, after the delegation too);
//   - an operator of a lender or collector: its own lists (cases/lender,
//     cases/collector).
//
// An operator of a node still sees the raw state on its disk.

// maxBorrowerCases bounds the borrower's cases read to decide whether a
// member acts on one (a borrower has a few).
const maxBorrowerCases = 64

// readAccess is what a read concerns: a borrower, the members whose
// records it is (lender, delegate while now < until); public if none.
type readAccess struct {
	public   bool
	borrower []byte
	members  []string
	// delegate is a case's delegate, who may read it while now is before
	// delegateUntil.
	delegate      string
	delegateUntil int64
}

// Private is the collection module's read authoriser.
func (mod *Module) Private(a module.ReadAccess) error {
	v := NewView(a.Stores.Reader(StoreName))
	var what readAccess
	var err error
	if a.Path != "" {
		what, err = pathAccess(v, a.Path)
	} else {
		what = keyAccess(v, a.Key)
	}
	if err != nil || what.public {
		return err
	}
	if a.Reader == nil {
		return errcode.Wrap(module.ErrReadRefused, "collect: an unsigned request")
	}
	r := *a.Reader
	if len(what.borrower) != 0 && bytes.Equal(what.borrower, r.Bytes()) {
		return nil
	}
	if mod.members == nil {
		return errcode.Wrap(module.ErrReadRefused, "collect: %s", r.Hex())
	}
	ctx := exec.ReadOnly(a.Stores.Height(), a.Stores.Reader)
	ctx.Time = a.Now
	m, err := mod.members(ctx).Acting(r)
	if err != nil {
		return errcode.Wrap(module.ErrReadRefused, "collect: %s is neither the borrower's wallet nor an operator of an active member", r.Hex())
	}
	if consortium.HasRole(m, consortiumv1.Role_ROLE_REGULATOR) || consortium.HasRole(m, consortiumv1.Role_ROLE_AUDITOR) {
		return nil
	}
	now := a.Now.Unix()
	for _, id := range what.members {
		if id == m.Id {
			return nil
		}
	}
	if what.delegate == m.Id && now < what.delegateUntil {
		return nil
	}
	if len(what.borrower) != 0 && v.actsOnBorrower(what.borrower, m.Id, now) {
		return nil
	}
	return errcode.Wrap(module.ErrReadRefused, "collect: member %q is neither the lender nor the current delegate of a case of this borrower", m.Id)
}

// actsOnBorrower reports whether member is the lender, or the current
// delegate, of an open case of borrower.
func (v View) actsOnBorrower(borrower []byte, member string, now int64) bool {
	for _, id := range v.ids(BorrowerCasesPrefix(borrower), 0, maxBorrowerCases) {
		c, err := v.Case(id)
		if err != nil || c.Status != collectv1.CaseStatus_CASE_STATUS_OPEN {
			continue
		}
		if c.Lender == member || (c.Delegate == member && now < c.DelegateUntil) {
			return true
		}
	}
	return false
}

func caseAccess(v View, id uint64) readAccess {
	c, err := v.Case(id)
	if err != nil {
		return readAccess{} // nobody's: regulators and auditors only
	}
	return readAccess{borrower: c.Borrower, members: []string{c.Lender}, delegate: c.Delegate, delegateUntil: c.DelegateUntil}
}

// permitAccess: a permit is its case's, and the borrower's (whose dialers
// keep the caps across lenders).
func permitAccess(v View, id uint64) readAccess {
	p, err := v.Permit(id)
	if err != nil {
		return readAccess{}
	}
	return readAccess{borrower: p.Borrower, members: []string{p.Lender, p.Collector}}
}

func complaintAccess(v View, id uint64) readAccess {
	c, err := v.Complaint(id)
	if err != nil {
		return readAccess{}
	}
	return readAccess{borrower: c.Borrower, members: []string{c.Lender, c.Collector}}
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
		return binary.BigEndian.Uint64(rest[:8])
	}
	member := func() string {
		if len(rest) < 1 || len(rest) < 1+int(rest[0]) {
			return ""
		}
		return string(rest[1 : 1+int(rest[0])])
	}
	switch key[0] {
	case keyParams, keyNextCase, prefixWake, prefixOpen, keyNextPermit, keyNextComplaint, prefixSuspension, prefixStats,
		prefixDeadline, prefixPortfolio, prefixPortSweep, prefixDayCount, prefixSince, keyStageCursor:
		return readAccess{public: true}
	case prefixCase, prefixCaseCount:
		return caseAccess(v, id())
	case prefixLoanCase:
		if c := v.OpenCaseOf(id()); c != 0 {
			return caseAccess(v, c)
		}
	case prefixPermit:
		return permitAccess(v, id())
	case prefixComplaint:
		return complaintAccess(v, id())
	case prefixLenderCase, prefixDelegCase:
		return readAccess{members: []string{member()}}
	case prefixBorrCase, prefixBorrPermit, prefixBorrCount, prefixContact, prefixCease, prefixBorrComplnt:
		if len(rest) >= common.AddressLength {
			return readAccess{borrower: rest[:common.AddressLength]}
		}
	}
	return readAccess{} // nobody's: regulators and auditors only
}

// pathAccess is what a query path (after /collect/) concerns.
func pathAccess(v View, path string) (readAccess, error) {
	name, rest, _ := strings.Cut(path, "/")
	first, tail, _ := strings.Cut(rest, "/")
	borrower := func(s string) (readAccess, error) {
		a, err := parseAddr(s)
		if err != nil {
			return readAccess{}, err
		}
		return readAccess{borrower: a.Bytes()}, nil
	}
	switch name {
	case "params", "stats":
		return readAccess{public: true}, nil
	case "case", "permit", "complaint":
		id, err := parseID(first)
		if err != nil {
			return readAccess{}, err
		}
		switch name {
		case "case":
			return caseAccess(v, id), nil
		case "permit":
			return permitAccess(v, id), nil
		}
		return complaintAccess(v, id), nil
	case "cases":
		who, _, _ := strings.Cut(tail, "/")
		switch first {
		case "lender", "collector":
			return readAccess{members: []string{who}}, nil
		case "borrower":
			return borrower(who)
		}
		return readAccess{}, badQuery("cases/%s: want lender, collector or borrower", first)
	case "permits", "complaints":
		return borrower(first)
	case "coverage":
		who, _, _ := strings.Cut(tail, "/")
		return borrower(who)
	}
	return readAccess{}, nil
}
