package amlclient_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/clienttest"
	amlv1 "github.com/ledgerd/ledgerd/proto/ledgerd/aml/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/aml"
	"github.com/ledgerd/ledgerd/x/aml/amlclient"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// amlNode is a fake node that answers the AML queries with the module's
// own handlers; lie, if set, edits their answers.
type amlNode struct {
	*clienttest.FakeNode
	mu  sync.Mutex
	lie func(path string, q *abci.ResponseQuery)
}

func newAMLNode(t *testing.T) *amlNode {
	n := &amlNode{FakeNode: clienttest.NewFakeNode(t, []string{aml.StoreName})}
	mod := aml.New().Module()
	n.HandleQuery(aml.QueryPrefix, func(v *store.Version, path string, data []byte) *abci.ResponseQuery {
		answer, err := mod.Answer(clienttest.Stores(v), strings.TrimPrefix(path, aml.QueryPrefix), data)
		if err != nil {
			cs, code, log := errcode.ABCIInfo(err)
			return &abci.ResponseQuery{Code: code, Codespace: cs, Log: log}
		}
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(answer)
		if err != nil {
			t.Error(err)
		}
		q := &abci.ResponseQuery{Value: b}
		n.mu.Lock()
		lie := n.lie
		n.mu.Unlock()
		if lie != nil {
			lie(path, q)
		}
		return q
	})
	return n
}

// observe runs the real monitor over the node's committed AML state and
// queues its writes for the next block.
func (n *amlNode) observe(t *testing.T, do func(ctx exec.Context, m aml.Monitor)) {
	t.Helper()
	v, err := n.Version(0)
	if err != nil {
		t.Fatal(err)
	}
	r, err := v.Reader(aml.StoreName)
	if err != nil {
		t.Fatal(err)
	}
	b := store.NewBranch([]string{aml.StoreName}, []store.Reader{r})
	kv := b.KV(aml.StoreName)
	ctx := exec.New(b, n.Height(), time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC))
	ctx.TxHash = bytes.Repeat([]byte{7}, 32)
	do(ctx, aml.NewMonitor(kv))
	for _, w := range b.Overlay(aml.StoreName).Writes() {
		n.Set(aml.StoreName, w.Key, w.Value)
	}
}

func TestAMLQueries(t *testing.T) {
	n := newAMLNode(t)
	const day = 20780 // 2026-11-23
	w1, w2 := common.HexToAddress("0xa1"), common.HexToAddress("0xb2")
	st, err := new(aml.Genesis).Validate()
	if err != nil {
		t.Fatal(err)
	}
	n.SetProto(aml.StoreName, aml.ParamsKey(), st.Params)
	n.Produce(1)
	n.observe(t, func(ctx exec.Context, m aml.Monitor) {
		for _, f := range []wallet.Flow{
			{Wallet: w1, Bank: "bank-a", Day: day, Denom: "CNY", After: aml.DefaultLargeValue},
			{Wallet: w2, Bank: "bank-b", Day: day, Denom: "CNY", After: aml.DefaultLargeValue, Outflow: true},
			{Wallet: w1, Bank: "bank-a", Day: day + 1, Denom: "CNY", After: aml.DefaultLargeValue},
		} {
			if err := m.ObserveFlow(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		if err := m.ObservePayments(ctx, wallet.Payments{Wallet: w2, Bank: "bank-b", Day: day, Payments: 101}); err != nil {
			t.Fatal(err)
		}
	})
	n.Produce(2)
	n.StartBlocks(10 * time.Millisecond)
	c := amlclient.New(clienttest.NewClient(t, n.FakeNode))
	ctx := context.Background()

	ids := func(rs []*amlv1.Report) (out []uint64) {
		for _, r := range rs {
			out = append(out, r.Id)
		}
		return out
	}
	for _, tc := range []struct {
		by, value string
		after     uint64
		want      []uint64
	}{
		{"day", "20780", 0, []uint64{1, 2}},
		{"day", "2026-11-24", 0, []uint64{3}},
		{"bank", "bank-a", 0, []uint64{1, 3}},
		{"bank", "bank-a", 1, []uint64{3}},
		{"wallet", w2.Hex(), 0, []uint64{2}},
		{"wallet", w2.Hex(), 2, nil},
	} {
		rs, err := c.Reports(ctx, tc.by, tc.value, tc.after)
		if err != nil || !slices.Equal(ids(rs), tc.want) {
			t.Fatalf("Reports(%s %s after %d) = %v, %v, want %v", tc.by, tc.value, tc.after, ids(rs), err, tc.want)
		}
		vrs, proofs, err := c.VerifiedReports(ctx, tc.by, tc.value, tc.after, 0)
		if err != nil || !slices.Equal(ids(vrs), tc.want) || len(proofs) != len(vrs) {
			t.Fatalf("VerifiedReports(%s %s) = %v, %d proofs, %v", tc.by, tc.value, ids(vrs), len(proofs), err)
		}
		for i, p := range proofs {
			if !bytes.Equal(p.Key, aml.ReportKey(vrs[i].Id)) || p.Height != proofs[0].Height {
				t.Fatalf("proof %d: key %x height %d", i, p.Key, p.Height)
			}
			n.CheckProven(t, p)
		}
	}
	as, proofs, err := c.VerifiedAlerts(ctx, "bank", "bank-b", 0, 0)
	if err != nil || len(as) != 1 || as[0].Payments != 101 || len(proofs) != 1 {
		t.Fatalf("VerifiedAlerts = %v, %v", as, err)
	}
	if as, err := c.Alerts(ctx, "day", "20781", 0); err != nil || len(as) != 0 {
		t.Fatalf("Alerts of another day = %v, %v", as, err)
	}
	if r, p, err := c.VerifiedReport(ctx, 2, 0); err != nil || r.Direction != amlv1.Direction_DIRECTION_OUTFLOW || !p.Present() {
		t.Fatalf("VerifiedReport = %v, %v", r, err)
	}
	if _, _, err := c.VerifiedAlert(ctx, 9, 0); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("VerifiedAlert(9) = %v", err)
	}
	if p, err := c.Params(ctx); err != nil || p.VelocityLimit != 100 {
		t.Fatalf("Params = %v, %v", p, err)
	}
	if p, proof, err := c.VerifiedParams(ctx, 0); err != nil || p.VelocityLimit != 100 || !proof.Present() {
		t.Fatalf("VerifiedParams = %v, %v", p, err)
	}

	// Bad input is refused before asking; the node's refusals are
	// *client.QueryError with the aml codes.
	for _, bad := range [][2]string{{"month", "1"}, {"day", "2026-02-30"}, {"wallet", "0x12"}, {"bank", ""}} {
		if _, err := c.Reports(ctx, bad[0], bad[1], 0); err == nil {
			t.Errorf("Reports(%s %q) succeeded", bad[0], bad[1])
		}
	}
	if _, err := c.Query(ctx, "/aml/reports/day/x", nil, 0); !errors.Is(err, aml.ErrInvalidQuery) {
		t.Fatalf("bad day on the node: %v", err)
	}

	// Lies are caught.
	for _, tc := range []struct {
		name string
		edit func(rs *amlv1.Reports)
	}{
		{"altered amount", func(rs *amlv1.Reports) { rs.Reports[0].Amount++ }},
		{"invented record", func(rs *amlv1.Reports) {
			fake := proto.Clone(rs.Reports[0]).(*amlv1.Report)
			fake.Id = 77
			rs.Reports = append(rs.Reports, fake)
		}},
		{"record of another bank", func(rs *amlv1.Reports) { rs.Reports[0].Bank = "bank-z" }},
		{"out of order", func(rs *amlv1.Reports) { rs.Reports[0], rs.Reports[1] = rs.Reports[1], rs.Reports[0] }},
	} {
		n.mu.Lock()
		n.lie = func(path string, q *abci.ResponseQuery) {
			rs := new(amlv1.Reports)
			_ = proto.Unmarshal(q.Value, rs)
			tc.edit(rs)
			q.Value, _ = proto.Marshal(rs)
		}
		n.mu.Unlock()
		if _, _, err := c.VerifiedReports(ctx, "bank", "bank-a", 0, 0); !errors.Is(err, client.ErrVerification) {
			t.Errorf("%s: %v, want client.ErrVerification", tc.name, err)
		}
	}
}

func TestNextAfter(t *testing.T) {
	if amlclient.NextAfter(aml.MaxPage-1, 5) != 0 || amlclient.NextAfter(aml.MaxPage, 5) != 5 {
		t.Fatal("NextAfter")
	}
}
