package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtbytes "github.com/cometbft/cometbft/libs/bytes"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	rpctypes "github.com/cometbft/cometbft/rpc/jsonrpc/types"
	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	amlv1 "github.com/ledgerd/ledgerd/proto/ledgerd/aml/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/aml"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// The fake node keeps an AML store too, so that its records are in the app
// hash; amlNode answers the AML queries the fake node does not route.
func init() { storeNames = append(storeNames, aml.StoreName) }

// amlNode is a fake node that answers /store/aml/key and /aml/... as the
// app does; lie, if set, edits list answers.
type amlNode struct {
	*fakeNode
	srv *httptest.Server
	lie func(path string, q *abci.ResponseQuery)
}

func newAMLNode(t *testing.T) *amlNode {
	n := &amlNode{fakeNode: newFakeNode(t, nil)}
	n.srv = httptest.NewServer(n)
	t.Cleanup(n.srv.Close)
	return n
}

func (n *amlNode) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req rpctypes.RPCRequest
	if json.Unmarshal(body, &req) == nil && req.Method == "abci_query" {
		var raw map[string]json.RawMessage
		var p struct {
			Path   string
			Data   cmtbytes.HexBytes
			Height int64
			Prove  bool
		}
		_ = json.Unmarshal(req.Params, &raw)
		_ = cmtjson.Unmarshal(raw["path"], &p.Path)
		if p.Path == StorePath(aml.StoreName) || strings.HasPrefix(p.Path, aml.QueryPrefix) {
			for name, v := range map[string]any{"data": &p.Data, "height": &p.Height, "prove": &p.Prove} {
				if m, ok := raw[name]; ok && string(m) != "null" {
					_ = cmtjson.Unmarshal(m, v)
				}
			}
			q := n.query(p.Path, p.Data, p.Height, p.Prove)
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(rpctypes.NewRPCSuccessResponse(req.ID, &ctypes.ResultABCIQuery{Response: *q}))
			return
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	n.fakeNode.ServeHTTP(w, r)
}

func (n *amlNode) query(path string, data []byte, height int64, prove bool) *abci.ResponseQuery {
	n.mu.Lock()
	defer n.mu.Unlock()
	fail := func(err error) *abci.ResponseQuery {
		cs, code, log := errcode.ABCIInfo(err)
		return &abci.ResponseQuery{Code: code, Codespace: cs, Log: log}
	}
	v, err := n.st.Version(height)
	if err != nil {
		return fail(err)
	}
	if strings.HasPrefix(path, aml.QueryPrefix) {
		answer, err := aml.New().Module().Answer(versionStores{v}, strings.TrimPrefix(path, aml.QueryPrefix), nil)
		if err != nil {
			return fail(err)
		}
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(answer)
		if err != nil {
			return fail(err)
		}
		q := &abci.ResponseQuery{Value: b, Height: v.Height}
		if n.lie != nil {
			n.lie(path, q)
		}
		return q
	}
	if !prove {
		value, err := v.Get(aml.StoreName, data)
		if err != nil {
			return fail(err)
		}
		return &abci.ResponseQuery{Key: data, Value: value, Height: v.Height}
	}
	value, ops, err := v.Prove(aml.StoreName, data)
	if err != nil {
		return fail(err)
	}
	return &abci.ResponseQuery{Key: data, Value: value, ProofOps: &cmtcrypto.ProofOps{Ops: ops}, Height: v.Height}
}

// observe runs the real monitor over the node's committed AML state and
// queues its writes for the next block.
func (n *amlNode) observe(t *testing.T, do func(ctx exec.Context, m aml.Monitor)) {
	t.Helper()
	v, err := n.st.Version(0)
	if err != nil {
		t.Fatal(err)
	}
	r, err := v.Reader(aml.StoreName)
	if err != nil {
		t.Fatal(err)
	}
	b := store.NewBranch([]string{aml.StoreName}, []store.Reader{r})
	kv := b.KV(aml.StoreName)
	ctx := exec.New(b, n.height(), time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC))
	ctx.TxHash = bytes.Repeat([]byte{7}, 32)
	do(ctx, aml.NewMonitor(kv))
	for _, w := range b.Overlay(aml.StoreName).Writes() {
		n.set(aml.StoreName, w.Key, w.Value)
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
	n.observe(t, func(exec.Context, aml.Monitor) {})
	params, _ := proto.MarshalOptions{Deterministic: true}.Marshal(st.Params)
	n.set(aml.StoreName, aml.ParamsKey(), params)
	n.produce(1)
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
	n.produce(2)
	n.startBlocks(10 * time.Millisecond)
	c, err := New(n.srv.URL, WithPollInterval(5*time.Millisecond), WithHeaderTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
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
		if err != nil || !equalIDs(ids(rs), tc.want) {
			t.Fatalf("Reports(%s %s after %d) = %v, %v, want %v", tc.by, tc.value, tc.after, ids(rs), err, tc.want)
		}
		vrs, proofs, err := c.VerifiedReports(ctx, tc.by, tc.value, tc.after, 0)
		if err != nil || !equalIDs(ids(vrs), tc.want) || len(proofs) != len(vrs) {
			t.Fatalf("VerifiedReports(%s %s) = %v, %d proofs, %v", tc.by, tc.value, ids(vrs), len(proofs), err)
		}
		for i, p := range proofs {
			if !bytes.Equal(p.Key, aml.ReportKey(vrs[i].Id)) || p.Height != proofs[0].Height {
				t.Fatalf("proof %d: key %x height %d", i, p.Key, p.Height)
			}
			checkProven(t, n.fakeNode, p)
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
	if _, _, err := c.VerifiedAlert(ctx, 9, 0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("VerifiedAlert(9) = %v", err)
	}
	if p, err := c.AMLParams(ctx); err != nil || p.VelocityLimit != 100 {
		t.Fatalf("AMLParams = %v, %v", p, err)
	}
	if p, proof, err := c.VerifiedAMLParams(ctx, 0); err != nil || p.VelocityLimit != 100 || !proof.Present() {
		t.Fatalf("VerifiedAMLParams = %v, %v", p, err)
	}

	// Bad input is refused before asking; the node's refusals are
	// *QueryError with the aml codes.
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
		if _, _, err := c.VerifiedReports(ctx, "bank", "bank-a", 0, 0); !errors.Is(err, ErrVerification) {
			t.Errorf("%s: %v, want ErrVerification", tc.name, err)
		}
	}
}

func equalIDs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestNextAfter(t *testing.T) {
	if NextAfter(aml.MaxPage-1, 5) != 0 || NextAfter(aml.MaxPage, 5) != 5 {
		t.Fatal("NextAfter")
	}
}

// versionStores are a committed version's stores for module query handlers.
type versionStores struct{ v *store.Version }

func (s versionStores) Reader(name string) store.Reader {
	r, err := s.v.Reader(name)
	if err != nil {
		panic(err)
	}
	return r
}

func (s versionStores) Height() int64 { return s.v.Height }
