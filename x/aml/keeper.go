package aml

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/ethereum/go-ethereum/common"

	amlv1 "github.com/ledgerd/ledgerd/proto/ledgerd/aml/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// View reads AML state. It is as safe for concurrent use as its Reader.
type View struct{ r store.Reader }

// NewView returns a View over r, the AML store.
func NewView(r store.Reader) View { return View{r} }

// Params returns the parameters (empty before genesis: no rule applies).
func (v View) Params() *amlv1.Params {
	p := new(amlv1.Params)
	store.GetProto(v.r, ParamsKey(), p)
	return p
}

// Report returns report id, or false.
func (v View) Report(id uint64) (*amlv1.Report, bool) {
	r := new(amlv1.Report)
	return r, store.GetProto(v.r, ReportKey(id), r)
}

// Alert returns alert id, or false.
func (v View) Alert(id uint64) (*amlv1.Alert, bool) {
	a := new(amlv1.Alert)
	return a, store.GetProto(v.r, AlertKey(id), a)
}

// LastReportID returns the id of the newest report; 0 if there is none.
func (v View) LastReportID() uint64 { return v.counter(LastReportIDKey()) }

// LastAlertID returns the id of the newest alert; 0 if there is none.
func (v View) LastAlertID() uint64 { return v.counter(LastAlertIDKey()) }

func (v View) counter(key []byte) uint64 {
	b := v.r.Get(key)
	if b == nil {
		return 0
	}
	if len(b) != 8 {
		panic(fmt.Sprintf("aml: corrupted counter at %x: %d bytes", key, len(b)))
	}
	return binary.BigEndian.Uint64(b)
}

// Threshold returns the large-value threshold of denom in p, or false if
// the denom is not reported.
func Threshold(p *amlv1.Params, denom string) (uint64, bool) {
	for _, t := range p.LargeValue {
		if t.Denom == denom {
			return t.Amount, true
		}
	}
	return 0, false
}

// Keeper reads and writes AML state.
type Keeper struct {
	View
	kv store.KV
}

// NewKeeper returns a Keeper over kv, the AML store.
func NewKeeper(kv store.KV) Keeper { return Keeper{View{kv}, kv} }

// SetParams stores p, whose thresholds must be sorted by denom.
func (k Keeper) SetParams(p *amlv1.Params) { store.SetProto(k.kv, ParamsKey(), p) }

// nextID allocates the id after the counter at key, or fails with
// ErrCounterOverflow.
func (k Keeper) nextID(key []byte) (uint64, error) {
	last := k.counter(key)
	if last == math.MaxUint64 {
		return 0, errcode.Wrap(ErrCounterOverflow, "counter %x at %d", key, last)
	}
	k.kv.Set(key, binary.BigEndian.AppendUint64(nil, last+1))
	return last + 1, nil
}

// fileReport stores r (its id already allocated), its index entries and
// its filed-marker.
func (k Keeper) fileReport(r *amlv1.Report) {
	w := common.BytesToAddress(r.Wallet)
	store.SetProto(k.kv, ReportKey(r.Id), r)
	k.index(r.Id, dayPrefix(prefixReportByDay, r.Day), bankPrefix(prefixReportByBank, r.Bank),
		walletPrefix(prefixReportByWallet, w))
	k.kv.Set(reportFiledKey(w, r.Day, r.Direction, r.Denom), binary.BigEndian.AppendUint64(nil, r.Id))
}

// raiseAlert stores a (its id already allocated), its index entries and
// its raised-marker.
func (k Keeper) raiseAlert(a *amlv1.Alert) {
	w := common.BytesToAddress(a.Wallet)
	store.SetProto(k.kv, AlertKey(a.Id), a)
	k.index(a.Id, dayPrefix(prefixAlertByDay, a.Day), bankPrefix(prefixAlertByBank, a.Bank),
		walletPrefix(prefixAlertByWallet, w))
	k.kv.Set(alertRaisedKey(w, a.Day), binary.BigEndian.AppendUint64(nil, a.Id))
}

// indexValue is the value of an index entry. It is not empty because
// ICS23 cannot prove an empty value, nor the absence of a key next to one
// (its leaf op needs a value).
var indexValue = []byte{1}

func (k Keeper) index(id uint64, prefixes ...[]byte) {
	for _, p := range prefixes {
		k.kv.Set(entryKey(p, id), indexValue)
	}
}
