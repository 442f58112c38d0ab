package aml

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	amlv1 "github.com/ledgerd/ledgerd/proto/ledgerd/aml/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/store/commitinfo"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/wallet"
)

var (
	walletA = common.HexToAddress("0xa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1")
	walletB = common.HexToAddress("0xb2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2")
	// baseTime is 2026-11-23 10:00 in UTC+8.
	baseTime = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	baseDay  = wallet.Day(baseTime.Unix(), 8*3600)
	txHash   = []byte("0123456789abcdef0123456789abcdef")
)

const threshold = DefaultLargeValue

// env is an AML store with one block's branch over it. The store, an
// in-memory IAVL tree, is opened at the first commit.
type env struct {
	t      *testing.T
	st     *store.Store
	b      *store.Branch
	height int64
}

func newEnv(t *testing.T, g Genesis) *env {
	t.Helper()
	e := &env{t: t, height: 1}
	e.b = store.NewBranch([]string{StoreName}, []store.Reader{store.Empty})
	s, err := g.Validate()
	if err != nil {
		t.Fatal(err)
	}
	NewKeeper(e.b.KV(StoreName)).InitGenesis(s)
	return e
}

// ctx is a transaction's context in the current block at baseTime.
func (e *env) ctx() exec.Context {
	c := exec.New(e.b, e.height, baseTime.Add(time.Duration(e.height)*time.Second))
	c.TxHash = txHash
	return c
}

func (e *env) view() View { return NewView(e.b.KV(StoreName)) }

// flow observes f in a fresh context and returns its events.
func (e *env) flow(f wallet.Flow) exec.Context {
	e.t.Helper()
	c := e.ctx()
	if err := NewMonitor(c.KV(StoreName)).ObserveFlow(c, f); err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *env) payments(p wallet.Payments) exec.Context {
	e.t.Helper()
	c := e.ctx()
	if err := NewMonitor(c.KV(StoreName)).ObservePayments(c, p); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// commit writes the block and returns the committed version; the next
// block starts.
func (e *env) commit() *store.Version {
	e.t.Helper()
	if e.st == nil {
		st, err := store.Open(store.Options{InMemory: true}, []string{StoreName})
		if err != nil {
			e.t.Fatal(err)
		}
		e.t.Cleanup(func() { st.Close() })
		e.st = st
	}
	e.st.Apply(e.b)
	if _, err := e.st.Commit(); err != nil {
		e.t.Fatal(err)
	}
	e.height++
	e.b = store.NewBranch([]string{StoreName}, e.st.Working())
	v, err := e.st.Version(0)
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

func in(w common.Address, day int64, denom string, before, after uint64) wallet.Flow {
	return wallet.Flow{Wallet: w, Bank: "bank-a", Day: day, Denom: denom, Before: before, After: after}
}

func out(w common.Address, day int64, denom string, before, after uint64) wallet.Flow {
	f := in(w, day, denom, before, after)
	f.Outflow = true
	return f
}

func TestLargeValueReports(t *testing.T) {
	type want struct {
		wallet common.Address
		day    int64
		dir    amlv1.Direction
		denom  string
		amount uint64
	}
	inflow, outflow := amlv1.Direction_DIRECTION_INFLOW, amlv1.Direction_DIRECTION_OUTFLOW
	usd := Genesis{LargeValue: []GenesisThreshold{{"USD", "1000000"}, {"CNY", "50000000"}}}
	for _, tc := range []struct {
		name  string
		g     Genesis
		flows []wallet.Flow
		want  []want
	}{
		{"below the threshold", Genesis{}, []wallet.Flow{in(walletA, baseDay, "CNY", 0, threshold-1)}, nil},
		{"exactly at the threshold reports", Genesis{}, []wallet.Flow{in(walletA, baseDay, "CNY", 0, threshold)},
			[]want{{walletA, baseDay, inflow, "CNY", threshold}}},
		{"crossing in steps reports the aggregate", Genesis{}, []wallet.Flow{
			in(walletA, baseDay, "CNY", 0, 30_000_000),
			in(walletA, baseDay, "CNY", 30_000_000, threshold-1),
			in(walletA, baseDay, "CNY", threshold-1, threshold+7),
		}, []want{{walletA, baseDay, inflow, "CNY", threshold + 7}}},
		{"once a day per direction", Genesis{}, []wallet.Flow{
			in(walletA, baseDay, "CNY", 0, threshold),
			in(walletA, baseDay, "CNY", threshold, 2*threshold),
			out(walletA, baseDay, "CNY", 0, threshold-1),
			out(walletA, baseDay, "CNY", threshold-1, 3*threshold),
			out(walletA, baseDay, "CNY", 3*threshold, 4*threshold),
			in(walletA, baseDay, "CNY", 2*threshold, 5*threshold),
		}, []want{{walletA, baseDay, inflow, "CNY", threshold}, {walletA, baseDay, outflow, "CNY", 3 * threshold}}},
		{"a new day starts again", Genesis{}, []wallet.Flow{
			out(walletA, baseDay, "CNY", 0, threshold+1),
			out(walletA, baseDay+1, "CNY", 0, threshold-1),
			out(walletA, baseDay+1, "CNY", threshold-1, threshold),
			out(walletA, baseDay+1, "CNY", threshold, threshold+5),
		}, []want{{walletA, baseDay, outflow, "CNY", threshold + 1}, {walletA, baseDay + 1, outflow, "CNY", threshold}}},
		{"wallets are separate", Genesis{}, []wallet.Flow{
			in(walletA, baseDay, "CNY", 0, threshold),
			in(walletB, baseDay, "CNY", 0, threshold),
		}, []want{{walletA, baseDay, inflow, "CNY", threshold}, {walletB, baseDay, inflow, "CNY", threshold}}},
		{"a denom without a threshold is not reported", Genesis{}, []wallet.Flow{
			in(walletA, baseDay, "USD", 0, math.MaxUint64),
		}, nil},
		{"each denom has its own threshold", usd, []wallet.Flow{
			in(walletA, baseDay, "USD", 0, 999_999),
			in(walletA, baseDay, "CNY", 0, 1_000_000),
			in(walletA, baseDay, "USD", 999_999, 1_000_000),
		}, []want{{walletA, baseDay, inflow, "USD", 1_000_000}}},
		{"no thresholds", Genesis{LargeValue: []GenesisThreshold{}}, []wallet.Flow{
			in(walletA, baseDay, "CNY", 0, math.MaxUint64),
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.g)
			for _, f := range tc.flows {
				e.flow(f)
			}
			v := e.view()
			if got := v.LastReportID(); got != uint64(len(tc.want)) {
				t.Fatalf("%d reports, want %d", got, len(tc.want))
			}
			for i, w := range tc.want {
				r, ok := v.Report(uint64(i + 1))
				if !ok {
					t.Fatalf("report %d missing", i+1)
				}
				if common.BytesToAddress(r.Wallet) != w.wallet || r.Day != w.day || r.Direction != w.dir ||
					r.Denom != w.denom || r.Amount != w.amount || r.Bank != "bank-a" {
					t.Errorf("report %d = %v, want %+v", i+1, r, w)
				}
				if string(r.TxHash) != string(txHash) || r.Height != e.height || r.Time != baseTime.Unix()+e.height {
					t.Errorf("report %d: tx %x height %d time %d", i+1, r.TxHash, r.Height, r.Time)
				}
			}
		})
	}
}

func TestThresholdChangeDuringTheDay(t *testing.T) {
	e := newEnv(t, Genesis{})
	k := NewKeeper(e.b.KV(StoreName))
	e.flow(in(walletA, baseDay, "CNY", 0, 30_000_000))
	// Lowered below the day's aggregate: the next flow reports.
	k.SetParams(&amlv1.Params{LargeValue: []*amlv1.Threshold{{Denom: "CNY", Amount: 20_000_000}}})
	e.flow(in(walletA, baseDay, "CNY", 30_000_000, 30_000_001))
	if r, ok := e.view().Report(1); !ok || r.Amount != 30_000_001 {
		t.Fatalf("report after lowering: %v %v", r, ok)
	}
	// Raised above it: the day is reported already.
	k.SetParams(&amlv1.Params{LargeValue: []*amlv1.Threshold{{Denom: "CNY", Amount: 40_000_000}}})
	e.flow(in(walletA, baseDay, "CNY", 30_000_001, 45_000_000))
	if n := e.view().LastReportID(); n != 1 {
		t.Fatalf("%d reports after raising, want 1", n)
	}
}

func TestVelocityAlerts(t *testing.T) {
	pay := func(w common.Address, day int64, n uint32) wallet.Payments {
		return wallet.Payments{Wallet: w, Bank: "bank-b", Day: day, Payments: n}
	}
	limit := func(n uint32) Genesis { return Genesis{VelocityLimit: &n} }
	for _, tc := range []struct {
		name     string
		g        Genesis
		payments []wallet.Payments
		want     []wallet.Payments // the alerts, in order
	}{
		{"exactly at the limit", Genesis{}, []wallet.Payments{pay(walletA, baseDay, 99), pay(walletA, baseDay, 100)}, nil},
		{"one over the limit", Genesis{}, []wallet.Payments{pay(walletA, baseDay, 100), pay(walletA, baseDay, 101)},
			[]wallet.Payments{pay(walletA, baseDay, 101)}},
		{"not again the same day", Genesis{}, []wallet.Payments{
			pay(walletA, baseDay, 101), pay(walletA, baseDay, 102), pay(walletA, baseDay, 500),
		}, []wallet.Payments{pay(walletA, baseDay, 101)}},
		{"again the next day", Genesis{}, []wallet.Payments{
			pay(walletA, baseDay, 101), pay(walletA, baseDay+1, 1), pay(walletA, baseDay+1, 101),
		}, []wallet.Payments{pay(walletA, baseDay, 101), pay(walletA, baseDay+1, 101)}},
		{"a batch jumping past the limit", Genesis{}, []wallet.Payments{pay(walletA, baseDay, 95), pay(walletA, baseDay, 195)},
			[]wallet.Payments{pay(walletA, baseDay, 195)}},
		{"wallets are separate", Genesis{}, []wallet.Payments{pay(walletA, baseDay, 101), pay(walletB, baseDay, 101)},
			[]wallet.Payments{pay(walletA, baseDay, 101), pay(walletB, baseDay, 101)}},
		{"a limit of 1", limit(1), []wallet.Payments{pay(walletA, baseDay, 1), pay(walletA, baseDay, 2)},
			[]wallet.Payments{pay(walletA, baseDay, 2)}},
		{"limit 0 disables", limit(0), []wallet.Payments{pay(walletA, baseDay, math.MaxUint32)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.g)
			for _, p := range tc.payments {
				e.payments(p)
			}
			v := e.view()
			if got := v.LastAlertID(); got != uint64(len(tc.want)) {
				t.Fatalf("%d alerts, want %d", got, len(tc.want))
			}
			for i, w := range tc.want {
				a, ok := v.Alert(uint64(i + 1))
				if !ok || common.BytesToAddress(a.Wallet) != w.Wallet || a.Day != w.Day || a.Payments != w.Payments ||
					a.Bank != "bank-b" || string(a.TxHash) != string(txHash) || a.Height != e.height {
					t.Errorf("alert %d = %v, want %+v", i+1, a, w)
				}
			}
		})
	}
}

func TestEvents(t *testing.T) {
	e := newEnv(t, Genesis{})
	c := e.flow(out(walletA, baseDay, "CNY", 0, threshold))
	evs := c.Events()
	if len(evs) != 1 || evs[0].Type != EventReport {
		t.Fatalf("events %v", evs)
	}
	got := map[string]string{}
	for _, a := range evs[0].Attributes {
		got[a.Key] = a.Value
	}
	want := map[string]string{"id": "1", "wallet": exec.Hex(walletA), "bank": "bank-a", "day": "20780", "date": "2026-11-23",
		"direction": "outflow", "denom": "CNY", "amount": "50000000", "threshold": "50000000"}
	if len(got) != len(want) {
		t.Fatalf("attributes %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if c := e.flow(out(walletA, baseDay, "CNY", threshold, threshold+1)); len(c.Events()) != 0 {
		t.Fatalf("second flow emitted %v", c.Events())
	}

	c = e.payments(wallet.Payments{Wallet: walletB, Bank: "bank-b", Day: baseDay, Payments: 101})
	evs = c.Events()
	if len(evs) != 1 || evs[0].Type != EventAlert {
		t.Fatalf("events %v", evs)
	}
	got = map[string]string{}
	for _, a := range evs[0].Attributes {
		got[a.Key] = a.Value
	}
	want = map[string]string{"id": "1", "wallet": exec.Hex(walletB), "bank": "bank-b", "day": "20780", "date": "2026-11-23",
		"payments": "101", "limit": "100"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("alert %s = %q, want %q", k, got[k], v)
		}
	}
}

func TestCounterOverflow(t *testing.T) {
	e := newEnv(t, Genesis{})
	kv := e.b.KV(StoreName)
	max := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	kv.Set(LastReportIDKey(), max)
	kv.Set(LastAlertIDKey(), max)
	c := e.ctx()
	m := NewMonitor(kv)
	if err := m.ObserveFlow(c, in(walletA, baseDay, "CNY", 0, threshold)); !errors.Is(err, ErrCounterOverflow) {
		t.Fatalf("ObserveFlow = %v, want ErrCounterOverflow", err)
	}
	if err := m.ObservePayments(c, wallet.Payments{Wallet: walletA, Day: baseDay, Payments: 101}); !errors.Is(err, ErrCounterOverflow) {
		t.Fatalf("ObservePayments = %v, want ErrCounterOverflow", err)
	}
	if cs, code, _ := errcode.ABCIInfo(m.ObserveFlow(c, in(walletA, baseDay, "CNY", 0, threshold))); cs != Codespace || code != 3 {
		t.Fatalf("code (%s, %d)", cs, code)
	}
	// Below the rules, the counters are not touched.
	if err := m.ObserveFlow(c, in(walletA, baseDay, "CNY", 0, 1)); err != nil {
		t.Fatal(err)
	}
}

// TestRecordsAreProvable proves records, index entries, and the absence
// of records next to index entries, and checks the proofs.
func TestRecordsAreProvable(t *testing.T) {
	e := newEnv(t, Genesis{})
	e.flow(in(walletA, baseDay, "CNY", 0, threshold))
	e.payments(wallet.Payments{Wallet: walletA, Bank: "bank-a", Day: baseDay, Payments: 101})
	v := e.commit()
	appHash := v.AppHash()
	for _, tc := range []struct {
		key []byte
		m   proto.Message // nil: raw value
	}{
		{ReportKey(1), new(amlv1.Report)}, {AlertKey(1), new(amlv1.Alert)}, {LastReportIDKey(), nil},
		{entryKey(dayPrefix(prefixReportByDay, baseDay), 1), nil}, {ParamsKey(), new(amlv1.Params)},
	} {
		value, ops, err := v.Prove(StoreName, tc.key)
		if err != nil || value == nil {
			t.Fatalf("Prove(%x) = %x, %v", tc.key, value, err)
		}
		if err := commitinfo.VerifyValue(appHash, StoreName, tc.key, value, ops); err != nil {
			t.Fatalf("proof of %x: %v", tc.key, err)
		}
		if tc.m != nil {
			if err := proto.Unmarshal(value, tc.m); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, key := range [][]byte{ReportKey(2), AlertKey(2), AlertKey(0), {0x0e}} {
		value, ops, err := v.Prove(StoreName, key)
		if err != nil || value != nil {
			t.Fatalf("Prove(%x) = %x, %v", key, value, err)
		}
		if err := commitinfo.VerifyAbsence(appHash, StoreName, key, ops); err != nil {
			t.Fatalf("absence of %x: %v", key, err)
		}
	}
}
