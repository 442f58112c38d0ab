package client_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/clienttest"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/module"
)

// The tests' own state: one store, testStore, with a parameters record
// (the numeric chain id, 8 bytes big-endian), records (text in a
// wrapperspb.StringValue) and accounts, kept by testModule.
const testStore = "test"

var (
	paramsKey = []byte("params")
	keyA      = []byte("rec/a") // "alpha" from height 2 (liveNode)
	keyB      = []byte("rec/b") // never written
)

var testDomain = auth.Domain{ChainID: clienttest.ChainID, NumericID: clienttest.NumericID}

// testModule is a module of the test store: accounts under "acct/" +
// address (the nonce, 8 bytes big-endian), and a query echo/<text> that
// answers the text (wrapperspb.StringValue).
func testModule() *module.Module {
	return &module.Module{
		Name: testStore,
		Accounts: &module.Accounts{Kind: "account", Lookup: func(ctx exec.Context, addr common.Address) (module.Account, bool, error) {
			b := ctx.KV(testStore).Get(accountKey(addr))
			if b == nil {
				return module.Account{}, false, nil
			}
			return module.Account{ID: addr, Nonce: binary.BigEndian.Uint64(b)}, true, nil
		}},
		Queries: []module.Query{{Path: "echo/", Handle: func(_ module.Stores, rest string, _ []byte) (proto.Message, error) {
			return wrapperspb.String(rest), nil
		}}},
	}
}

func accountKey(addr common.Address) []byte { return append([]byte("acct/"), addr[:]...) }

func setAccount(f *clienttest.FakeNode, addr common.Address, nonce uint64) {
	f.Set(testStore, accountKey(addr), binary.BigEndian.AppendUint64(nil, nonce))
}

// chainParams reads the test store's parameters record.
func chainParams(r store.Reader) module.ChainParams {
	return module.ChainParams{NumericID: binary.BigEndian.Uint64(r.Get(paramsKey))}
}

func setRecord(f *clienttest.FakeNode, key []byte, text string) {
	f.SetProto(testStore, key, wrapperspb.String(text))
}

// newNode is a fake node of the test store and module with the parameters
// record at height 1.
func newNode(t *testing.T, opts ...clienttest.Option) *clienttest.FakeNode {
	f := clienttest.NewFakeNode(t, []string{testStore}, opts...)
	f.ServeModule(testModule())
	f.Set(testStore, paramsKey, binary.BigEndian.AppendUint64(nil, clienttest.NumericID))
	f.Produce(1)
	return f
}

// liveNode is newNode with record a from height 2, making a block every
// 10 ms from height 3.
func liveNode(t *testing.T, opts ...clienttest.Option) *clienttest.FakeNode {
	f := newNode(t, opts...)
	setRecord(f, keyA, "alpha")
	f.Produce(2)
	f.StartBlocks(10 * time.Millisecond)
	return f
}

func TestVerifiedTrustOnFirstUse(t *testing.T) {
	f := liveNode(t)
	c := clienttest.NewClient(t, f)
	ctx := context.Background()

	rec := new(wrapperspb.StringValue)
	p, err := c.VerifiedRecord(ctx, testStore, keyA, 0, "record a", rec)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Value != "alpha" || !p.Present() {
		t.Fatalf("record %v", rec)
	}
	f.CheckProven(t, p)
	if !strings.Contains(p.TrustNote, "trust on first use") || !strings.Contains(p.TrustNote, "height 1") {
		t.Fatalf("TrustNote = %q", p.TrustNote)
	}

	p, err = c.VerifiedRecord(ctx, testStore, keyB, 0, "record b", rec)
	var nf *client.NotFoundError
	if !errors.As(err, &nf) || !nf.Proven || nf.What != "record b" || p == nil || p.Present() || nf.Height != p.Height {
		t.Fatalf("absent record: %v, %+v", err, p)
	}
	f.CheckProven(t, p)
	if p.TrustNote == "" {
		t.Fatal("TrustNote dropped while the root is still a first-use one")
	}

	// A past height: between trusted headers.
	p, err = c.Verified(ctx, testStore, keyA, 3)
	if err != nil || p.Height != 3 || !p.Present() {
		t.Fatalf("height 3: %+v, %v", p, err)
	}
	f.CheckProven(t, p)
	// Before the record existed: proven absent.
	if p, err := c.VerifiedRecord(ctx, testStore, keyA, 1, "record a", rec); !errors.Is(err, client.ErrNotFound) || p.Height != 1 {
		t.Fatalf("height 1: %v", err)
	}
	// A proven value that does not decode: its proof and an error.
	if p, err := c.VerifiedRecord(ctx, testStore, paramsKey, 0, "params", rec); err == nil || errors.Is(err, client.ErrNotFound) || !p.Present() {
		t.Fatalf("undecodable record: %v, %+v", err, p)
	}

	b, err := json.Marshal(p)
	if err != nil || !strings.Contains(string(b), `"header_hash":"`) || !strings.Contains(string(b), `"present":true`) {
		t.Fatalf("JSON %s, %v", b, err)
	}
	var back client.Proven
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(&back, p) {
		t.Fatalf("JSON round trip: %+v, %v; want %+v", back, err, p)
	}

	var qe *client.QueryError
	if _, err := c.Verified(ctx, "nope", []byte{1}, 0); !errors.As(err, &qe) {
		t.Fatalf("unknown store: %v", err)
	}
}

// TestVerifiedDomain: the numeric chain id proven by running the chain
// parameters function over proven reads.
func TestVerifiedDomain(t *testing.T) {
	f := liveNode(t)
	ctx := context.Background()
	c := clienttest.NewClient(t, f, client.WithVerifiedDomain(testStore, chainParams))
	if d, err := c.Domain(ctx); err != nil || d != testDomain {
		t.Fatalf("Domain = %+v, %v", d, err)
	}
	// Parameters that do not decode (the function panics on a missing
	// record) are a verification failure; a numeric id of 0 is refused.
	missing := func(r store.Reader) module.ChainParams {
		return module.ChainParams{NumericID: binary.BigEndian.Uint64(r.Get([]byte("nope")))}
	}
	c = clienttest.NewClient(t, f, client.WithVerifiedDomain(testStore, missing))
	if _, err := c.Domain(ctx); !errors.Is(err, client.ErrVerification) {
		t.Fatalf("undecodable parameters: %v", err)
	}
	zero := func(store.Reader) module.ChainParams { return module.ChainParams{} }
	c = clienttest.NewClient(t, f, client.WithVerifiedDomain(testStore, zero))
	if _, err := c.Domain(ctx); err == nil || !strings.Contains(err.Error(), "no numeric chain id") {
		t.Fatalf("no numeric id: %v", err)
	}
	if _, err := client.New(f.URL(), client.WithVerifiedDomain("", chainParams)); err == nil {
		t.Fatal("WithVerifiedDomain without a store accepted")
	}
}

func TestVerifiedWithTrust(t *testing.T) {
	f := liveNode(t)
	ctx := context.Background()
	dir := t.TempDir()
	h2 := f.Header(2).Hash()

	c := clienttest.NewClient(t, f, client.WithTrust(2, h2), client.WithTrustDir(dir))
	p, err := c.Verified(ctx, testStore, keyA, 0)
	if err != nil {
		t.Fatal(err)
	}
	if p.TrustNote != "" {
		t.Fatalf("TrustNote with a configured root: %q", p.TrustNote)
	}
	f.CheckProven(t, p)
	c.Close()

	wrong := bytes.Clone(h2)
	wrong[0] ^= 1
	// The store holds header 2: a different configured hash is refused.
	c = clienttest.NewClient(t, f, client.WithTrust(2, wrong), client.WithTrustDir(dir))
	if _, err := c.Verified(ctx, testStore, keyA, 0); !errors.Is(err, client.ErrTrust) || !strings.Contains(err.Error(), "holds header 2") {
		t.Fatalf("conflicting root: %v", err)
	}
	c.Close()
	// Without a store, the node's header must match the hash.
	c = clienttest.NewClient(t, f, client.WithTrust(2, wrong))
	if _, err := c.Verified(ctx, testStore, keyA, 0); !errors.Is(err, client.ErrTrust) {
		t.Fatalf("wrong hash: %v", err)
	}

	if _, err := client.New(f.URL(), client.WithTrust(2, []byte{1, 2})); err == nil {
		t.Fatal("short trust hash accepted")
	}
}

func TestVerifiedPersistsTrust(t *testing.T) {
	f := liveNode(t)
	ctx := context.Background()
	dir := t.TempDir()

	c := clienttest.NewClient(t, f, client.WithTrustDir(dir))
	p, err := c.Verified(ctx, testStore, keyA, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.TrustNote, "trust on first use") {
		t.Fatalf("TrustNote = %q", p.TrustNote)
	}
	c.Close()

	// The second run continues from the store; the note remembers TOFU.
	c = clienttest.NewClient(t, f, client.WithTrustDir(dir))
	p2, err := c.Verified(ctx, testStore, keyA, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p2.TrustNote, "gave on first use") {
		t.Fatalf("TrustNote = %q", p2.TrustNote)
	}
	c.Close()

	// Pinning the root clears the note.
	c = clienttest.NewClient(t, f, client.WithTrustDir(dir), client.WithTrust(1, f.Header(1).Hash()))
	if p3, err := c.Verified(ctx, testStore, keyA, 0); err != nil || p3.TrustNote != "" {
		t.Fatalf("pinned: %v, note %q", err, p3.TrustNote)
	}
}

func TestVerifiedRejectsLies(t *testing.T) {
	f := liveNode(t)
	ctx := context.Background()
	c := clienttest.NewClient(t, f)
	key := keyA
	if _, err := c.Verified(ctx, testStore, key, 0); err != nil {
		t.Fatal(err)
	}

	for name, tamper := range map[string]func(q *abci.ResponseQuery){
		"value":      func(q *abci.ResponseQuery) { q.Value = append(bytes.Clone(q.Value), 0) },
		"hide value": func(q *abci.ResponseQuery) { q.Value = nil },
		"no proof":   func(q *abci.ResponseQuery) { q.ProofOps = nil },
		"one op":     func(q *abci.ResponseQuery) { q.ProofOps.Ops = q.ProofOps.Ops[:1] },
		"op data":    func(q *abci.ResponseQuery) { q.ProofOps.Ops[1].Data[len(q.ProofOps.Ops[1].Data)-1] ^= 1 },
	} {
		t.Run(name, func(t *testing.T) {
			f.SetTamper(tamper)
			defer func() {
				f.SetTamper(nil)
			}()
			if p, err := c.Verified(ctx, testStore, key, 0); !errors.Is(err, client.ErrVerification) {
				t.Fatalf("tampered answer accepted: %+v, %v", p, err)
			}
		})
	}

	// Headers signed by a validator the chain never handed over to.
	f.GoRogue()
	time.Sleep(50 * time.Millisecond)
	if _, err := c.Verified(ctx, testStore, key, 0); !errors.Is(err, client.ErrVerification) {
		t.Fatalf("forged header accepted: %v", err)
	}
}

func TestVerifiedExpiredTrust(t *testing.T) {
	// Blocks 1-10 are ten hours old; the trusting period is one hour.
	start := time.Now().Add(-10 * time.Hour)
	f := liveNode(t, clienttest.WithBlockTime(func(h int64) time.Time {
		if h <= 10 {
			return start.Add(time.Duration(h) * time.Minute)
		}
		return time.Now()
	}))
	f.Produce(10)
	ctx := context.Background()
	period := client.WithTrustPeriod(time.Hour)
	key := keyA

	c := clienttest.NewClient(t, f, period)
	if _, err := c.Verified(ctx, testStore, key, 0); !errors.Is(err, client.ErrTrust) || !strings.Contains(err.Error(), "older than the trusting period") {
		t.Fatalf("TOFU of an expired header: %v", err)
	}

	dir := t.TempDir()
	c = clienttest.NewClient(t, f, period, client.WithTrustDir(dir), client.WithTrust(2, f.Header(2).Hash()))
	if _, err := c.Verified(ctx, testStore, key, 0); !errors.Is(err, client.ErrTrust) || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("verification from an expired root: %v", err)
	}
	c.Close()

	// A recent root: the tip verifies, and so does a height between the
	// expired root and the recent one, through the hash chain.
	recent := f.Height()
	c = clienttest.NewClient(t, f, period, client.WithTrustDir(dir), client.WithTrust(recent, f.Header(recent).Hash()))
	if _, err := c.Verified(ctx, testStore, key, 0); err != nil {
		t.Fatal(err)
	}
	p, err := c.Verified(ctx, testStore, key, 5)
	if err != nil {
		t.Fatal(err)
	}
	f.CheckProven(t, p)
	if !p.HeaderTime.Equal(f.Header(6).Time) {
		t.Fatalf("header time %s", p.HeaderTime)
	}
}

func TestVerifyProof(t *testing.T) {
	f := newNode(t)
	setRecord(f, keyA, "alpha")
	f.Produce(2)
	q := f.Query(client.StorePath(testStore), keyA, 2, true)
	absent := f.Query(client.StorePath(testStore), keyB, 2, true)
	appHash := f.Header(3).AppHash
	if err := client.VerifyProof(appHash, testStore, keyA, q.Value, q.ProofOps); err != nil {
		t.Fatal(err)
	}
	if err := client.VerifyProof(appHash, testStore, keyB, nil, absent.ProofOps); err != nil {
		t.Fatal(err)
	}
	if err := client.VerifyProof(f.Header(2).AppHash, testStore, keyA, q.Value, q.ProofOps); !errors.Is(err, client.ErrVerification) {
		t.Fatalf("wrong app hash: %v", err)
	}
	if err := client.VerifyProof(appHash, testStore, keyA, nil, q.ProofOps); !errors.Is(err, client.ErrVerification) {
		t.Fatalf("absence with a presence proof: %v", err)
	}
	if err := client.VerifyProof(appHash, testStore, keyA, q.Value, nil); !errors.Is(err, client.ErrVerification) {
		t.Fatalf("nil ops: %v", err)
	}
}

func TestVerifiedWitnesses(t *testing.T) {
	f := liveNode(t)
	ctx := context.Background()
	key := keyA

	c := clienttest.NewClient(t, f, client.WithWitnesses(f.URL()))
	if _, err := c.Verified(ctx, testStore, key, 0); err != nil {
		t.Fatal(err)
	}

	// A witness on a fork (same chain id, other validators) exposes the
	// disagreement.
	fork := liveNode(t)
	c = clienttest.NewClient(t, f, client.WithWitnesses(fork.URL()))
	_, err := c.Verified(ctx, testStore, key, 0)
	t.Log(err)
	if !errors.Is(err, client.ErrTrust) && !errors.Is(err, client.ErrVerification) {
		t.Fatalf("fork not detected: %v", err)
	}
}
