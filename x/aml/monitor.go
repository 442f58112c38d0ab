package aml

import (
	"strconv"

	amlv1 "github.com/ledgerd/ledgerd/proto/ledgerd/aml/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// Event types and their attributes.
const (
	// EventReport: id, wallet (0x hex), bank, day (number), date
	// (YYYY-MM-DD), direction (inflow|outflow), denom, amount, threshold.
	EventReport = "aml_report"
	// EventAlert: id, wallet, bank, day, date, payments, limit.
	EventAlert = "aml_alert"
)

// Monitor files AML records as the wallet module reports flows and
// payments. It implements wallet.Monitor over one context's AML store and
// is deterministic; it is not safe for concurrent use (its store is not).
type Monitor struct {
	k      Keeper
	params *amlv1.Params
}

var _ wallet.Monitor = Monitor{}

// NewMonitor returns a Monitor that writes to kv, the AML store of the
// context it will observe, under the parameters stored there.
func NewMonitor(kv store.KV) Monitor {
	k := NewKeeper(kv)
	return Monitor{k: k, params: k.Params()}
}

// Monitor returns the wallet module's monitor: the module itself, which
// observes each flow and count in the AML store of the context its
// ObserveFlow or ObservePayments is given (the wallet module gives the
// context it passed here), with the parameters decoded once while they do
// not change. A Monitor boxed at each call was an allocation each time,
// three a payment.
func (mod *Module) Monitor(exec.Context) wallet.Monitor { return (*moduleMonitor)(mod) }

// moduleMonitor is the Module as a wallet.Monitor.
type moduleMonitor Module

// at is the Monitor of ctx's AML store.
func (m *moduleMonitor) at(ctx exec.Context) Monitor {
	kv := ctx.KV(StoreName)
	return Monitor{k: NewKeeper(kv), params: m.params.Get(kv, ParamsKey(), func() *amlv1.Params { return new(amlv1.Params) })}
}

// ObserveFlow implements wallet.Monitor: Monitor.ObserveFlow in ctx.
func (m *moduleMonitor) ObserveFlow(ctx exec.Context, f wallet.Flow) error {
	return m.at(ctx).ObserveFlow(ctx, f)
}

// ObservePayments implements wallet.Monitor: Monitor.ObservePayments in
// ctx.
func (m *moduleMonitor) ObservePayments(ctx exec.Context, p wallet.Payments) error {
	return m.at(ctx).ObservePayments(ctx, p)
}

// ObserveFlow files a Report when f's aggregate reaches the denom's
// threshold (After >= threshold) and no report is filed yet for that
// wallet, day, direction and denom. With parameters unchanged through the
// day that is the flow with Before < threshold <= After. It fails only
// with ErrCounterOverflow.
func (m Monitor) ObserveFlow(ctx exec.Context, f wallet.Flow) error {
	threshold, ok := Threshold(m.params, f.Denom)
	if !ok || f.After < threshold {
		return nil
	}
	dir := amlv1.Direction_DIRECTION_INFLOW
	if f.Outflow {
		dir = amlv1.Direction_DIRECTION_OUTFLOW
	}
	if m.k.kv.Get(reportFiledKey(f.Wallet, f.Day, dir, f.Denom)) != nil {
		return nil
	}
	id, err := m.k.nextID(LastReportIDKey())
	if err != nil {
		return err
	}
	r := &amlv1.Report{
		Id: id, Wallet: f.Wallet.Bytes(), Bank: f.Bank, Day: f.Day, Direction: dir, Denom: f.Denom,
		Amount: f.After, TxHash: ctx.TxHash, Height: ctx.Height, Time: ctx.Time.Unix(),
	}
	m.k.fileReport(r)
	ctx.Emit(EventReport, "id", strconv.FormatUint(id, 10), "wallet", exec.Hex(f.Wallet), "bank", f.Bank,
		"day", strconv.FormatInt(f.Day, 10), "date", FormatDay(f.Day), "direction", DirectionName(dir),
		"denom", f.Denom, "amount", strconv.FormatUint(f.After, 10), "threshold", strconv.FormatUint(threshold, 10))
	return nil
}

// ObservePayments raises an Alert when p's count exceeds the velocity
// limit (Payments > limit, limit > 0) and no alert is raised yet for that
// wallet and day. Counting one payment at a time, that is Payments ==
// limit+1; a batch that jumps past the limit alerts too. It fails only
// with ErrCounterOverflow.
func (m Monitor) ObservePayments(ctx exec.Context, p wallet.Payments) error {
	limit := m.params.VelocityLimit
	if limit == 0 || p.Payments <= limit {
		return nil
	}
	if m.k.kv.Get(alertRaisedKey(p.Wallet, p.Day)) != nil {
		return nil
	}
	id, err := m.k.nextID(LastAlertIDKey())
	if err != nil {
		return err
	}
	a := &amlv1.Alert{
		Id: id, Wallet: p.Wallet.Bytes(), Bank: p.Bank, Day: p.Day, Payments: p.Payments,
		TxHash: ctx.TxHash, Height: ctx.Height, Time: ctx.Time.Unix(),
	}
	m.k.raiseAlert(a)
	ctx.Emit(EventAlert, "id", strconv.FormatUint(id, 10), "wallet", exec.Hex(p.Wallet), "bank", p.Bank,
		"day", strconv.FormatInt(p.Day, 10), "date", FormatDay(p.Day),
		"payments", strconv.FormatUint(uint64(p.Payments), 10), "limit", strconv.FormatUint(uint64(limit), 10))
	return nil
}

// DirectionName returns "inflow" or "outflow" (events, CLI, docs).
func DirectionName(d amlv1.Direction) string {
	switch d {
	case amlv1.Direction_DIRECTION_INFLOW:
		return "inflow"
	case amlv1.Direction_DIRECTION_OUTFLOW:
		return "outflow"
	}
	return d.String()
}
