package credit

import (
	"encoding/binary"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/index"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// Members is what the credit module reads of the consortium.
type Members interface {
	Member(id string) (*consortiumv1.Member, error)
	ActingMember(addr common.Address, role consortiumv1.Role) (*consortiumv1.Member, error)
}

// Module is the credit module: products, lines, loans, repayment and
// delinquency. It moves money only through the wallet module's keepers.
type Module struct {
	members func(exec.Context) Members
	wallets wallet.HookKeeper
	params  *store.ProtoCache[*creditv1.Params]
	// listeners hear of loan changes (listen.go).
	listeners []LoanListener
}

// New returns the credit module; members gives it the consortium's view in
// a context, wallets the wallet module's keepers. Wire its balance hook
// (SettleWallet) into the wallet module.
func New(members func(exec.Context) Members, wallets wallet.HookKeeper) *Module {
	return &Module{members: members, wallets: wallets, params: new(store.ProtoCache[*creditv1.Params])}
}

// paramsOf returns the parameters in ctx, decoded once while they do not
// change; shared, not to be modified.
func (mod *Module) paramsOf(ctx exec.Context) *creditv1.Params {
	return mod.params.Get(ctx.KV(StoreName), ParamsKey(), func() *creditv1.Params { return new(creditv1.Params) })
}

// today is ctx's day in the consortium's time zone.
func (mod *Module) today(ctx exec.Context) calendar.Day {
	return mod.wallets.Zone(ctx).Day(ctx.Time.Unix())
}

// View reads the credit store.
type View struct{ r store.Reader }

// NewView returns a View of r.
func NewView(r store.Reader) View { return View{r} }

// Params returns the parameters (the defaults before genesis wrote them).
func (v View) Params() *creditv1.Params {
	p := new(creditv1.Params)
	if !store.GetProto(v.r, ParamsKey(), p) {
		return DefaultParams()
	}
	return p
}

// Product returns lender's product id, or ErrProductNotFound.
func (v View) Product(lender, id string) (*creditv1.Product, error) {
	p := new(creditv1.Product)
	if !store.GetProto(v.r, ProductKey(lender, id), p) {
		return nil, errcode.Wrap(ErrProductNotFound, "lender %q product %q", lender, id)
	}
	return p, nil
}

// Line returns line id, or ErrLineNotFound.
func (v View) Line(id uint64) (*creditv1.Line, error) {
	l := new(creditv1.Line)
	if !store.GetProto(v.r, LineKey(id), l) {
		return nil, errcode.Wrap(ErrLineNotFound, "line %d", id)
	}
	return l, nil
}

// Loan returns loan id, or ErrLoanNotFound.
func (v View) Loan(id uint64) (*creditv1.Loan, error) {
	l := new(creditv1.Loan)
	if !store.GetProto(v.r, LoanKey(id), l) {
		return nil, errcode.Wrap(ErrLoanNotFound, "loan %d", id)
	}
	return l, nil
}

// Portfolio returns lender's portfolio in denom (empty if none).
func (v View) Portfolio(lender, denom string) *creditv1.Portfolio {
	p := new(creditv1.Portfolio)
	if !store.GetProto(v.r, PortfolioKey(lender, denom), p) {
		return &creditv1.Portfolio{Lender: lender, Denom: denom}
	}
	return p
}

// HasLoans reports whether any loan was ever drawn.
func (v View) HasLoans() bool { return v.nextID(keyNextLoan) > 1 }

// ids returns the ids of the index entries under prefix, in order, after
// after, at most limit (0: all). An index range is bracketed by marks
// with ids 0 and 2^64-1 (Keeper.index), which are not entries: walked
// from the opening mark to the closing one, its proofs name only its own
// keys, so a reader allowed the range (access.go) proves it complete.
func (v View) ids(prefix []byte, after uint64, limit int) []uint64 {
	var out []uint64
	rng := index.Of(prefix)
	rng.Each(v.r, rng.After(after), func(k, _ []byte) bool {
		out = append(out, idOfKey(k))
		return limit == 0 || len(out) < limit
	})
	return out
}

func (v View) nextID(key byte) uint64 {
	b := v.r.Get([]byte{key})
	if len(b) != 8 {
		return 1
	}
	return binary.BigEndian.Uint64(b)
}

var indexValue = index.Mark

// Keeper writes the credit store.
type Keeper struct {
	View
	kv store.KV
}

// NewKeeper returns a Keeper of kv.
func NewKeeper(kv store.KV) Keeper { return Keeper{View{kv}, kv} }

func (k Keeper) setProto(key []byte, m proto.Message) { store.SetProto(k.kv, key, m) }

// takeID returns the next id of the counter at key and advances it.
func (k Keeper) takeID(key byte) uint64 {
	id := k.nextID(key)
	k.kv.Set([]byte{key}, binary.BigEndian.AppendUint64(nil, id+1))
	return id
}

// mark sets an index key. Its value is one byte, not empty: ICS23 cannot
// prove a key with an empty value, nor the absence of a key next to one.
func (k Keeper) mark(key []byte)   { k.kv.Set(key, indexValue) }
func (k Keeper) unmark(key []byte) { k.kv.Delete(key) }

// index marks id in the index range prefix, bracketing the range with its
// opening and closing marks the first time (see View.ids).
func (k Keeper) index(prefix []byte, id uint64) {
	k.bracket(prefix)
	k.mark(binary.BigEndian.AppendUint64(append([]byte{}, prefix...), id))
}

// bracket writes the marks that open and close the index range prefix,
// unless it has them.
func (k Keeper) bracket(prefix []byte) { index.Of(prefix).Bracket(k.kv) }
