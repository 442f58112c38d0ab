package collect

import (
	"encoding/binary"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/index"
)

// Members is what the collection module reads of the consortium.
type Members interface {
	Member(id string) (*consortiumv1.Member, error)
	Acting(addr common.Address) (*consortiumv1.Member, error)
	ActingMember(addr common.Address, role consortiumv1.Role) (*consortiumv1.Member, error)
}

// Loans is what the collection module uses of the credit module.
type Loans interface {
	// Loan returns a loan as last saved.
	Loan(ctx exec.Context, id uint64) (*creditv1.Loan, error)
	// TouchLoan brings a loan up to today (its listeners hear of it) and
	// returns it.
	TouchLoan(ctx exec.Context, id uint64) (*creditv1.Loan, error)
	// Zone is the consortium's time zone.
	Zone(ctx exec.Context) calendar.Zone
	// CheckRestructure and RestructureAgreed check and carry out new terms
	// for a loan agreed on its case; CheckSettlement and SettleAgreed a
	// settlement at a discount, paid by the signer (package credit, "Agreements").
	CheckRestructure(ctx exec.Context, id uint64, r *creditv1.MsgRestructureLoan) error
	RestructureAgreed(ctx exec.Context, id uint64, r *creditv1.MsgRestructureLoan, detail string) error
	CheckSettlement(ctx exec.Context, id uint64, denom string, amount uint64) error
	SettleAgreed(ctx exec.Context, id uint64, denom string, amount uint64, detail string) error
}

// Disputes tells whether a dispute on a loan is open (the credit report's
// disputes); nil: none ever is.
type Disputes func(ctx exec.Context, loan uint64) bool

// Module is the collection module.
type Module struct {
	members  func(exec.Context) Members
	loans    Loans
	disputes Disputes
	params   *store.ProtoCache[*collectv1.Params]
}

// New returns the collection module; members gives it the consortium's
// view in a context, loans the credit module. Wire it as the credit
// module's loan listener (credit.AddLoanListener).
func New(members func(exec.Context) Members, loans Loans) *Module {
	return &Module{members: members, loans: loans, params: new(store.ProtoCache[*collectv1.Params])}
}

// SetDisputes wires the source of open disputes, which pause collection.
func (mod *Module) SetDisputes(d Disputes) { mod.disputes = d }

func (mod *Module) paramsOf(ctx exec.Context) *collectv1.Params {
	return mod.params.Get(ctx.KV(StoreName), ParamsKey(), func() *collectv1.Params { return new(collectv1.Params) })
}

// View reads the collection store.
type View struct{ r store.Reader }

// NewView returns a View of r.
func NewView(r store.Reader) View { return View{r} }

// Params returns the parameters (the defaults before genesis wrote them).
func (v View) Params() *collectv1.Params {
	p := new(collectv1.Params)
	if !store.GetProto(v.r, ParamsKey(), p) {
		return DefaultParams()
	}
	return p
}

// Case returns case id, or ErrCaseNotFound.
func (v View) Case(id uint64) (*collectv1.Case, error) {
	c := new(collectv1.Case)
	if !store.GetProto(v.r, CaseKey(id), c) {
		return nil, errcode.Wrap(ErrCaseNotFound, "case %d", id)
	}
	return c, nil
}

// OpenCaseOf returns the id of loan's open case, or 0.
func (v View) OpenCaseOf(loan uint64) uint64 {
	b := v.r.Get(LoanCaseKey(loan))
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// Permit returns permit id, or ErrPermitNotFound.
func (v View) Permit(id uint64) (*collectv1.Permit, error) {
	p := new(collectv1.Permit)
	if !store.GetProto(v.r, PermitKey(id), p) {
		return nil, errcode.Wrap(ErrPermitNotFound, "permit %d", id)
	}
	return p, nil
}

// Complaint returns complaint id, or ErrComplaintNotFound.
func (v View) Complaint(id uint64) (*collectv1.Complaint, error) {
	c := new(collectv1.Complaint)
	if !store.GetProto(v.r, ComplaintKey(id), c) {
		return nil, errcode.Wrap(ErrComplaintNotFound, "complaint %d", id)
	}
	return c, nil
}

// Contact returns borrower's authorised contact, if any.
func (v View) Contact(borrower, contact []byte) (*collectv1.Contact, bool) {
	c := new(collectv1.Contact)
	return c, store.GetProto(v.r, ContactKey(borrower, contact), c)
}

// Suspended returns collector's suspension, if any.
func (v View) Suspended(collector string) (*collectv1.Suspension, bool) {
	s := new(collectv1.Suspension)
	return s, store.GetProto(v.r, SuspensionKey(collector), s)
}

// Stats returns member's statistics as stored (zero if none): its open
// cases counted at the stage their days past due lead to; StatsOn gives
// them at their stage on a day.
func (v View) Stats(member string) *collectv1.Stats {
	s := new(collectv1.Stats)
	if !store.GetProto(v.r, StatsKey(member), s) {
		s.Member = member
	}
	for len(s.CasesByStage) < 4 {
		s.CasesByStage = append(s.CasesByStage, 0)
	}
	for len(s.Permits) < len(channels) {
		s.Permits = append(s.Permits, 0)
	}
	for len(s.Outcomes) < len(channels) {
		s.Outcomes = append(s.Outcomes, 0)
	}
	return s
}

// count reads a counter key (0 if absent).
func (v View) count(key []byte) uint64 {
	b := v.r.Get(key)
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

func (v View) nextID(key byte) uint64 {
	b := v.r.Get([]byte{key})
	if len(b) != 8 {
		return 1
	}
	return binary.BigEndian.Uint64(b)
}

// ids returns the ids of the index entries under prefix after after, in
// order, at most limit. The index ranges of cases and complaints are
// bracketed (package index, Keeper.addIndex), so that a reader allowed
// one range (a borrower's, a lender's) proves it complete over its own
// keys only.
func (v View) ids(prefix []byte, after uint64, limit int) []uint64 {
	var out []uint64
	rng := index.Of(prefix)
	rng.Each(v.r, rng.After(after), func(k, _ []byte) bool {
		out = append(out, idOfKey(k))
		return len(out) < limit
	})
	return out
}

var indexValue = index.Mark

// Keeper writes the collection store.
type Keeper struct {
	View
	kv store.KV
	// clock holds the parameters, the zone and the day, read once for the
	// handler or the block's sweep the Keeper serves.
	clock *clock
}

type clock struct {
	ok    bool
	p     *collectv1.Params
	zone  calendar.Zone
	today calendar.Day
}

// NewKeeper returns a Keeper of kv.
func NewKeeper(kv store.KV) Keeper { return Keeper{View{kv}, kv, new(clock)} }

// clockOf returns the parameters, zone and day of ctx, read once per
// Keeper.
func (mod *Module) clockOf(ctx exec.Context, k Keeper) *clock {
	if !k.clock.ok {
		z := mod.loans.Zone(ctx)
		*k.clock = clock{ok: true, p: mod.paramsOf(ctx), zone: z, today: z.Day(ctx.Time.Unix())}
	}
	return k.clock
}

func (k Keeper) setProto(key []byte, m proto.Message) { store.SetProto(k.kv, key, m) }

func (k Keeper) takeID(key byte) uint64 {
	id := k.nextID(key)
	k.kv.Set([]byte{key}, binary.BigEndian.AppendUint64(nil, id+1))
	return id
}

// mark sets an index key to one byte: ICS23 proves no empty value.
func (k Keeper) mark(key []byte) { k.kv.Set(key, indexValue) }

// addIndex adds id to the index range prefix (cases, complaints),
// bracketing the range the first time (package index).
func (k Keeper) addIndex(prefix []byte, id uint64) {
	index.Of(prefix).Add(k.kv, caseIndexKey(prefix, id))
}
func (k Keeper) unmark(key []byte) { k.kv.Delete(key) }

// bump adds one to a counter key.
func (k Keeper) bump(key []byte) {
	k.kv.Set(key, binary.BigEndian.AppendUint64(nil, k.count(key)+1))
}

// stat changes member's statistics by f.
func (k Keeper) stat(member string, f func(s *collectv1.Stats)) {
	if member == "" {
		return
	}
	s := k.Stats(member)
	f(s)
	k.setProto(StatsKey(member), s)
}

// Ceased reports whether borrower asked lender to cease contact by ch.
func (v View) Ceased(borrower []byte, lender string, ch collectv1.Channel) bool {
	return v.r.Get(CeaseKey(borrower, lender, ch)) != nil
}
