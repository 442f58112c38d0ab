package aml

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	amlv1 "github.com/ledgerd/ledgerd/proto/ledgerd/aml/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/errcode"
)

func TestGenesisDefaults(t *testing.T) {
	for _, tc := range []struct {
		name, json string
		large      []*amlv1.Threshold
		velocity   uint32
	}{
		{"absent section", `{}`, []*amlv1.Threshold{{Denom: "CNY", Amount: 50_000_000}}, 100},
		{"the documented form", `{"large_value": [{"denom": "CNY", "amount": "50000000"}], "velocity_limit": 100}`,
			[]*amlv1.Threshold{{Denom: "CNY", Amount: 50_000_000}}, 100},
		{"velocity only", `{"velocity_limit": 20}`, []*amlv1.Threshold{{Denom: "CNY", Amount: 50_000_000}}, 20},
		{"rules off", `{"large_value": [], "velocity_limit": 0}`, nil, 0},
		{"sorted by denom", `{"large_value": [{"denom": "USD", "amount": "1"}, {"denom": "CNY", "amount": "2"}]}`,
			[]*amlv1.Threshold{{Denom: "CNY", Amount: 2}, {Denom: "USD", Amount: 1}}, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var g Genesis
			if err := json.Unmarshal([]byte(tc.json), &g); err != nil {
				t.Fatal(err)
			}
			st, err := g.Validate()
			if err != nil {
				t.Fatal(err)
			}
			want := &amlv1.Params{LargeValue: tc.large, VelocityLimit: tc.velocity}
			if !protoEqual(st.Params, want) {
				t.Fatalf("params %v, want %v", st.Params, want)
			}
		})
	}
	b, err := json.Marshal(DefaultGenesis())
	if err != nil || string(b) != `{"large_value":[{"denom":"CNY","amount":"50000000"}],"velocity_limit":100}` {
		t.Fatalf("DefaultGenesis JSON %s, %v", b, err)
	}
}

func TestGenesisInvalid(t *testing.T) {
	th := func(denom, amount string) Genesis {
		return Genesis{LargeValue: []GenesisThreshold{{denom, amount}}}
	}
	many := Genesis{}
	for i := range MaxThresholds + 1 {
		many.LargeValue = append(many.LargeValue, GenesisThreshold{fmt.Sprintf("D%03d", i), "1"})
	}
	for _, tc := range []struct {
		name string
		g    Genesis
		want string
	}{
		{"lower-case denom", th("cny", "1"), "denom"},
		{"short denom", th("CN", "1"), "denom"},
		{"denom starting with a digit", th("1CN", "1"), "denom"},
		{"long denom", th(strings.Repeat("C", 17), "1"), "denom"},
		{"zero amount", th("CNY", "0"), "amount"},
		{"negative amount", th("CNY", "-5"), "amount"},
		{"decimal amount", th("CNY", "500000.00"), "amount"},
		{"amount over 2^64", th("CNY", "18446744073709551616"), "amount"},
		{"empty amount", th("CNY", ""), "amount"},
		{"duplicate denom", Genesis{LargeValue: []GenesisThreshold{{"CNY", "1"}, {"USD", "1"}, {"CNY", "2"}}}, "twice"},
		{"too many", many, "at most"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.g.Validate()
			if !errors.Is(err, ErrInvalidGenesis) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate = %v, want ErrInvalidGenesis mentioning %q", err, tc.want)
			}
			if cs, code, _ := errcode.ABCIInfo(err); cs != Codespace || code != ErrInvalidGenesis.Code {
				t.Fatalf("code (%s, %d)", cs, code)
			}
		})
	}
}

func TestInitGenesis(t *testing.T) {
	g := DefaultGenesis()
	st, err := g.Validate()
	if err != nil {
		t.Fatal(err)
	}
	kv := store.NewOverlay(store.Empty)
	k := NewKeeper(kv)
	if p := k.Params(); len(p.LargeValue) != 0 || p.VelocityLimit != 0 {
		t.Fatalf("params before genesis %v", p)
	}
	k.InitGenesis(st)
	if p := k.Params(); !protoEqual(p, st.Params) {
		t.Fatalf("params %v", p)
	}
	if k.LastReportID() != 0 || k.LastAlertID() != 0 {
		t.Fatal("counters set by genesis")
	}
	// A monitor before genesis (no parameters) files nothing.
	e := exec0(kv)
	m := NewMonitor(store.NewOverlay(store.Empty))
	if err := m.ObserveFlow(e, in(walletA, baseDay, "CNY", 0, 1<<63)); err != nil {
		t.Fatal(err)
	}
	if err := m.ObservePayments(e, paymentsOf(walletA, 1<<31)); err != nil || len(e.Events()) != 0 {
		t.Fatalf("%v, events %v", err, e.Events())
	}
}
