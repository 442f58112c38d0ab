package settle

import (
	"encoding/binary"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	settlev1 "github.com/ledgerd/ledgerd/proto/ledgerd/settle/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// Members is what the settle module needs of the consortium.
type Members interface {
	Member(id string) (*consortiumv1.Member, error)
	Acting(addr common.Address) (*consortiumv1.Member, error)
}

// Module is the settle module. Its methods are deterministic functions of
// the context and their input; it moves issuance only through the wallet
// module's SettlementKeeper.
type Module struct {
	members func(exec.Context) Members
	wallets wallet.SettlementKeeper
	params  *store.ProtoCache[*settlev1.Params]
}

// New returns the settle module; members gives it the consortium's view in
// a context, wallets the wallet module's settlement keeper. Wire its issue
// guard (IssueGuard) into the wallet module.
func New(members func(exec.Context) Members, wallets wallet.SettlementKeeper) *Module {
	return &Module{members: members, wallets: wallets, params: new(store.ProtoCache[*settlev1.Params])}
}

// paramsOf returns the parameters in ctx; shared, not to be modified.
func (mod *Module) paramsOf(ctx exec.Context) *settlev1.Params {
	return mod.params.Get(ctx.KV(StoreName), ParamsKey(), DefaultParams)
}

// today is ctx's day in the consortium's time zone.
func (mod *Module) today(ctx exec.Context) calendar.Day {
	return mod.wallets.Zone(ctx).Day(ctx.Time.Unix())
}

// View reads the settle store.
type View struct{ r store.Reader }

// NewView returns a View of r.
func NewView(r store.Reader) View { return View{r} }

// Params returns the parameters (the defaults before genesis wrote them).
func (v View) Params() *settlev1.Params {
	p := new(settlev1.Params)
	if !store.GetProto(v.r, ParamsKey(), p) {
		return DefaultParams()
	}
	return p
}

// Cycle returns cycle id, or ErrCycleNotFound.
func (v View) Cycle(id uint64) (*settlev1.Cycle, error) {
	c := new(settlev1.Cycle)
	if !store.GetProto(v.r, CycleKey(id), c) {
		return nil, errcode.Wrap(ErrCycleNotFound, "cycle %d", id)
	}
	return c, nil
}

// Leg returns leg index of cycle, or ErrLegNotFound.
func (v View) Leg(cycle uint64, index uint32) (*settlev1.Leg, error) {
	l := new(settlev1.Leg)
	if !store.GetProto(v.r, LegKey(cycle, index), l) {
		return nil, errcode.Wrap(ErrLegNotFound, "cycle %d leg %d", cycle, index)
	}
	return l, nil
}

// Legs returns cycle's legs in order.
func (v View) Legs(cycle uint64) []*settlev1.Leg {
	var out []*settlev1.Leg
	store.EachPrefix(v.r, LegPrefix(cycle), false, func(k, val []byte) bool {
		l := new(settlev1.Leg)
		store.DecodeProto(k, val, l)
		out = append(out, l)
		return true
	})
	return out
}

// Inflight returns bank's open legs' sums in denom.
func (v View) Inflight(bank, denom string) *settlev1.Inflight {
	in := &settlev1.Inflight{Bank: bank, Denom: denom}
	store.GetProto(v.r, InflightKey(bank, denom), in)
	return in
}

// Breaches returns the breaches standing against bank ("": every bank),
// by bank, cycle and kind.
func (v View) Breaches(bank string) []*settlev1.Breach {
	var out []*settlev1.Breach
	store.EachPrefix(v.r, BreachPrefix(bank), false, func(k, val []byte) bool {
		b := new(settlev1.Breach)
		store.DecodeProto(k, val, b)
		out = append(out, b)
		return true
	})
	return out
}

// LastCycle is the id of the last cycle closed (0: none).
func (v View) LastCycle() uint64 {
	if b := v.r.Get(NextCycleKey()); len(b) == 8 {
		return binary.BigEndian.Uint64(b) - 1
	}
	return 0
}

func (v View) lastDaily() calendar.Day {
	if b := v.r.Get(LastDailyKey()); len(b) == 8 {
		return calendar.Day(binary.BigEndian.Uint64(b))
	}
	return 0
}

// Keeper reads and writes the settle store.
type Keeper struct {
	View
	kv store.KV
}

// NewKeeper returns a Keeper over kv, the settle store.
func NewKeeper(kv store.KV) Keeper { return Keeper{View{kv}, kv} }

func (k Keeper) set(key []byte, m proto.Message) { store.SetProto(k.kv, key, m) }

func (k Keeper) setCycle(c *settlev1.Cycle) { k.set(CycleKey(c.Id), c) }

func (k Keeper) setLeg(l *settlev1.Leg) { k.set(LegKey(l.Cycle, l.Index), l) }

// setInflight stores in, or deletes it when it holds nothing.
func (k Keeper) setInflight(in *settlev1.Inflight) {
	if in.ToPay == 0 && in.ToReceive == 0 {
		k.kv.Delete(InflightKey(in.Bank, in.Denom))
		return
	}
	k.set(InflightKey(in.Bank, in.Denom), in)
}

// takeCycleID returns the next cycle id and advances it.
func (k Keeper) takeCycleID() uint64 {
	id := k.LastCycle() + 1
	k.kv.Set(NextCycleKey(), binary.BigEndian.AppendUint64(nil, id+1))
	return id
}

func (k Keeper) setLastDaily(d calendar.Day) {
	k.kv.Set(LastDailyKey(), binary.BigEndian.AppendUint64(nil, uint64(d)))
}
