package app_test

import (
	"crypto/ecdsa"
	"fmt"
	"math/rand/v2"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/ledgerd/ledgerd/app/apptest"
	"github.com/ledgerd/ledgerd/node/appstate"
	settlev1 "github.com/ledgerd/ledgerd/proto/ledgerd/settle/v1"
	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/settle"
)

// withAgent makes the auditor the settlement agent too (so that the
// members, and the votes governance needs, stay as they were): daily
// cycles run through it, a leg is late after the next business day.
func withAgent(g *appstate.State) {
	for i := range g.Consortium.Members {
		if m := &g.Consortium.Members[i]; m.ID == apptest.Auditor {
			m.Roles = append(m.Roles, "settlement_agent")
		}
	}
	p := settle.DefaultParams()
	p.Agent = apptest.Auditor
	b, err := protojson.Marshal(p)
	if err != nil {
		panic(err)
	}
	g.Settle = &settle.Genesis{Params: b}
}

// settleGen draws settlement messages from the committed settle state:
// extra and bilateral closes, payments of due or disputed legs by their
// payer, confirmations of paid legs by their payee (one in five disputed
// instead), and now and then the wrong signer, a leg that does not exist
// or a leg in the wrong state.
type settleGen struct {
	r    *rand.Rand
	h    *apptest.Harness
	ops  map[string]*ecdsa.PrivateKey // operator of each member
	refs int
}

func newSettleGen(r *rand.Rand, h *apptest.Harness) *settleGen {
	return &settleGen{r: r, h: h, ops: map[string]*ecdsa.PrivateKey{
		apptest.Issuer: h.IssuerKey(), apptest.OtherIssuer: h.OtherIssuerKey(), apptest.Auditor: h.AuditorKey()}}
}

// msg is a random settlement message and its signer.
func (g *settleGen) msg() (apptest.Msg, *ecdsa.PrivateKey) {
	v, err := g.h.Store.Version(0)
	if err != nil {
		return nil, nil
	}
	r, err := v.Reader(settle.StoreName)
	if err != nil {
		return nil, nil
	}
	sv := settle.NewView(r)
	banks := []string{apptest.Issuer, apptest.OtherIssuer}
	anyone := func() *ecdsa.PrivateKey {
		return g.ops[[]string{apptest.Issuer, apptest.OtherIssuer, apptest.Auditor}[g.r.IntN(3)]]
	}
	if g.r.IntN(5) == 0 {
		caller := banks[g.r.IntN(2)]
		m := &settlev1.MsgCloseCycle{Denom: apptest.Denom}
		if g.r.IntN(2) == 0 {
			m.With = banks[g.r.IntN(2)] // itself now and then: refused
		}
		return m, g.ops[caller]
	}
	// The legs of the last few cycles that are not confirmed.
	var legs []*settlev1.Leg
	last := sv.LastCycle()
	for id := last; id > 0 && id+5 > last; id-- {
		for _, l := range sv.Legs(id) {
			if l.Status != settlev1.LegStatus_LEG_STATUS_CONFIRMED || g.r.IntN(10) == 0 {
				legs = append(legs, l)
			}
		}
	}
	if len(legs) == 0 {
		return &settlev1.MsgConfirmSettlement{Cycle: last + 1, Leg: 0}, anyone() // no such cycle
	}
	l := legs[g.r.IntN(len(legs))]
	payer, payee := g.ops[l.Payer], g.ops[l.Payee]
	if g.r.IntN(8) == 0 {
		payer, payee = anyone(), anyone()
	}
	switch l.Status {
	case settlev1.LegStatus_LEG_STATUS_DUE, settlev1.LegStatus_LEG_STATUS_DISPUTED:
		g.refs++
		return &settlev1.MsgPaySettlement{Cycle: l.Cycle, Leg: l.Index + uint32(g.r.IntN(20)/19), Reference: fmt.Sprint("hv-", g.refs)}, payer
	case settlev1.LegStatus_LEG_STATUS_PAID:
		if g.r.IntN(5) == 0 {
			return &settlev1.MsgDisputeSettlement{Cycle: l.Cycle, Leg: l.Index, Reason: "not received"}, payee
		}
		return &settlev1.MsgConfirmSettlement{Cycle: l.Cycle, Leg: l.Index}, payee
	}
	return &settlev1.MsgConfirmSettlement{Cycle: l.Cycle, Leg: l.Index}, payee // confirmed already
}

// checkSettlement checks, at h's last commit, the settle invariant and
// that the supply is the signed sum of the banks' and the agent's
// issuance.
func checkSettlement(t *testing.T, h *apptest.Harness, supply uint64) {
	t.Helper()
	wantQuery(t, h.Query(settle.QueryInvariant, nil, 0, false), ok)
	var sum arith.Signed
	for _, b := range []string{apptest.Issuer, apptest.OtherIssuer, apptest.Auditor} {
		var err error
		if sum, err = sum.Add(h.Outstanding(b)); err != nil {
			t.Fatal(err)
		}
	}
	if sum != arith.Plus(supply) {
		t.Fatalf("height %d: issuance sums to %s, supply %d", h.Height(), sum, supply)
	}
}

// settledLegs counts the confirmed legs at h's last commit.
func settledLegs(t *testing.T, h *apptest.Harness) (cycles uint64, confirmed int) {
	v, err := h.Store.Version(0)
	if err != nil {
		t.Fatal(err)
	}
	r, err := v.Reader(settle.StoreName)
	if err != nil {
		t.Fatal(err)
	}
	sv := settle.NewView(r)
	for id := uint64(1); id <= sv.LastCycle(); id++ {
		for _, l := range sv.Legs(id) {
			if l.Status == settlev1.LegStatus_LEG_STATUS_CONFIRMED {
				confirmed++
			}
		}
	}
	return sv.LastCycle(), confirmed
}
