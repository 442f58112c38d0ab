package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/clienttest"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/aml"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/gov"
	"github.com/ledgerd/ledgerd/x/wallet"
)

var (
	ownerA = common.HexToAddress("0x00000000000000000000000000000000000000aa")
	ownerB = common.HexToAddress("0x00000000000000000000000000000000000000bb")
)

// storeNames are the fake node's stores.
var storeNames = []string{consortium.StoreName, wallet.StoreName, aml.StoreName, gov.StoreName}

// newFakeNode is a fake node serving the consortium and wallet modules,
// with the consortium's parameters, member bank-a and the wallet
// parameters in state.
func newFakeNode(t *testing.T, opts ...clienttest.Option) *clienttest.FakeNode {
	f := clienttest.NewFakeNode(t, storeNames, opts...)
	f.ServeModule(consortium.New(nil))
	f.ServeModule(wallet.New(nil, nil).Module())
	f.SetProto(consortium.StoreName, consortium.ParamsKey(), &consortiumv1.Params{ChainNumericId: clienttest.NumericID})
	f.SetProto(consortium.StoreName, consortium.MemberKey("bank-a"), &consortiumv1.Member{Id: "bank-a", Name: "Bank A"})
	f.SetProto(wallet.StoreName, wallet.ParamsKey(), &walletv1.Params{Denoms: []string{"CNY"}})
	f.Produce(1)
	return f
}

// liveNode is a fake node with a wallet of ownerA that makes a block every
// 10ms.
func liveNode(t *testing.T, opts ...clienttest.Option) *clienttest.FakeNode {
	f := newFakeNode(t, opts...)
	f.SetProto(wallet.StoreName, wallet.WalletKey(ownerA[:]), &walletv1.Wallet{Owner: ownerA[:], Bank: "bank-a", Tier: 2})
	f.SetProto(wallet.StoreName, wallet.SupplyKey("CNY"), &walletv1.Coin{Denom: "CNY", Amount: 700})
	f.Produce(2)
	f.StartBlocks(10 * time.Millisecond)
	return f
}

func TestVerifiedTrustOnFirstUse(t *testing.T) {
	f := liveNode(t)
	c := clienttest.NewClient(t, f)
	ctx := context.Background()

	w, p, err := c.VerifiedWallet(ctx, ownerA, 0)
	if err != nil {
		t.Fatal(err)
	}
	if w.Bank != "bank-a" || w.Tier != 2 || !p.Present() {
		t.Fatalf("wallet %v", w)
	}
	f.CheckProven(t, p)
	if !strings.Contains(p.TrustNote, "trust on first use") || !strings.Contains(p.TrustNote, "height 1") {
		t.Fatalf("TrustNote = %q", p.TrustNote)
	}

	_, p, err = c.VerifiedWallet(ctx, ownerB, 0)
	var nf *client.NotFoundError
	if !errors.As(err, &nf) || !nf.Proven || p == nil || p.Present() || nf.Height != p.Height {
		t.Fatalf("absent wallet: %v, %+v", err, p)
	}
	f.CheckProven(t, p)
	if p.TrustNote == "" {
		t.Fatal("TrustNote dropped while the root is still a first-use one")
	}

	if s, p, err := c.VerifiedSupply(ctx, "CNY", 0); err != nil || s.Amount != 700 || !p.Present() {
		t.Fatalf("supply %v, %v", s, err)
	}
	if s, p, err := c.VerifiedSupply(ctx, "USD", 0); err != nil || s.Amount != 0 || s.Denom != "USD" || p.Present() {
		t.Fatalf("absent supply %v, %v", s, err)
	}
	if is, _, err := c.VerifiedIssuance(ctx, "bank-a", "CNY", 0); err != nil || is.Outstanding != 0 || is.Issuer != "bank-a" {
		t.Fatalf("absent issuance %v, %v", is, err)
	}
	if m, _, err := c.VerifiedMember(ctx, "bank-a", 0); err != nil || m.Name != "Bank A" {
		t.Fatalf("member %v, %v", m, err)
	}

	// A past height: between trusted headers.
	p, err = c.Verified(ctx, wallet.StoreName, wallet.WalletKey(ownerA[:]), 3)
	if err != nil || p.Height != 3 || !p.Present() {
		t.Fatalf("height 3: %+v, %v", p, err)
	}
	f.CheckProven(t, p)
	// Before the wallet existed: proven absent.
	if _, p, err := c.VerifiedWallet(ctx, ownerA, 1); !errors.Is(err, client.ErrNotFound) || p.Height != 1 {
		t.Fatalf("height 1: %v", err)
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

func TestVerifiedDomain(t *testing.T) {
	f := liveNode(t)
	c := clienttest.NewClient(t, f, client.WithVerifiedDomain(consortium.StoreName, consortium.ChainParams))
	if d, err := c.Domain(context.Background()); err != nil || d != testDomain {
		t.Fatalf("Domain = %+v, %v", d, err)
	}
}

func TestVerifiedWithTrust(t *testing.T) {
	f := liveNode(t)
	ctx := context.Background()
	dir := t.TempDir()
	h2 := f.Header(2).Hash()

	c := clienttest.NewClient(t, f, client.WithTrust(2, h2), client.WithTrustDir(dir))
	_, p, err := c.VerifiedWallet(ctx, ownerA, 0)
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
	if _, err := c.Verified(ctx, wallet.StoreName, wallet.WalletKey(ownerA[:]), 0); !errors.Is(err, client.ErrTrust) || !strings.Contains(err.Error(), "holds header 2") {
		t.Fatalf("conflicting root: %v", err)
	}
	c.Close()
	// Without a store, the node's header must match the hash.
	c = clienttest.NewClient(t, f, client.WithTrust(2, wrong))
	if _, err := c.Verified(ctx, wallet.StoreName, wallet.WalletKey(ownerA[:]), 0); !errors.Is(err, client.ErrTrust) {
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
	_, p, err := c.VerifiedWallet(ctx, ownerA, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.TrustNote, "trust on first use") {
		t.Fatalf("TrustNote = %q", p.TrustNote)
	}
	c.Close()

	// The second run continues from the store; the note remembers TOFU.
	c = clienttest.NewClient(t, f, client.WithTrustDir(dir))
	_, p2, err := c.VerifiedWallet(ctx, ownerA, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p2.TrustNote, "gave on first use") {
		t.Fatalf("TrustNote = %q", p2.TrustNote)
	}
	c.Close()

	// Pinning the root clears the note.
	c = clienttest.NewClient(t, f, client.WithTrustDir(dir), client.WithTrust(1, f.Header(1).Hash()))
	if _, p3, err := c.VerifiedWallet(ctx, ownerA, 0); err != nil || p3.TrustNote != "" {
		t.Fatalf("pinned: %v, note %q", err, p3.TrustNote)
	}
}

func TestVerifiedRejectsLies(t *testing.T) {
	f := liveNode(t)
	ctx := context.Background()
	c := clienttest.NewClient(t, f)
	key := wallet.WalletKey(ownerA[:])
	if _, err := c.Verified(ctx, wallet.StoreName, key, 0); err != nil {
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
			if p, err := c.Verified(ctx, wallet.StoreName, key, 0); !errors.Is(err, client.ErrVerification) {
				t.Fatalf("tampered answer accepted: %+v, %v", p, err)
			}
		})
	}

	// Headers signed by a validator the chain never handed over to.
	f.GoRogue()
	time.Sleep(50 * time.Millisecond)
	if _, err := c.Verified(ctx, wallet.StoreName, key, 0); !errors.Is(err, client.ErrVerification) {
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
	key := wallet.WalletKey(ownerA[:])

	c := clienttest.NewClient(t, f, period)
	if _, err := c.Verified(ctx, wallet.StoreName, key, 0); !errors.Is(err, client.ErrTrust) || !strings.Contains(err.Error(), "older than the trusting period") {
		t.Fatalf("TOFU of an expired header: %v", err)
	}

	dir := t.TempDir()
	c = clienttest.NewClient(t, f, period, client.WithTrustDir(dir), client.WithTrust(2, f.Header(2).Hash()))
	if _, err := c.Verified(ctx, wallet.StoreName, key, 0); !errors.Is(err, client.ErrTrust) || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("verification from an expired root: %v", err)
	}
	c.Close()

	// A recent root: the tip verifies, and so does a height between the
	// expired root and the recent one, through the hash chain.
	recent := f.Height()
	c = clienttest.NewClient(t, f, period, client.WithTrustDir(dir), client.WithTrust(recent, f.Header(recent).Hash()))
	if _, err := c.Verified(ctx, wallet.StoreName, key, 0); err != nil {
		t.Fatal(err)
	}
	p, err := c.Verified(ctx, wallet.StoreName, key, 5)
	if err != nil {
		t.Fatal(err)
	}
	f.CheckProven(t, p)
	if !p.HeaderTime.Equal(f.Header(6).Time) {
		t.Fatalf("header time %s", p.HeaderTime)
	}
}

func TestVerifyProof(t *testing.T) {
	f := newFakeNode(t)
	f.SetProto(wallet.StoreName, wallet.WalletKey(ownerA[:]), &walletv1.Wallet{Owner: ownerA[:]})
	f.Produce(2)
	q := f.Query("/store/wallet/key", wallet.WalletKey(ownerA[:]), 2, true)
	absent := f.Query("/store/wallet/key", wallet.WalletKey(ownerB[:]), 2, true)
	appHash := f.Header(3).AppHash
	if err := client.VerifyProof(appHash, wallet.StoreName, wallet.WalletKey(ownerA[:]), q.Value, q.ProofOps); err != nil {
		t.Fatal(err)
	}
	if err := client.VerifyProof(appHash, wallet.StoreName, wallet.WalletKey(ownerB[:]), nil, absent.ProofOps); err != nil {
		t.Fatal(err)
	}
	if err := client.VerifyProof(f.Header(2).AppHash, wallet.StoreName, wallet.WalletKey(ownerA[:]), q.Value, q.ProofOps); !errors.Is(err, client.ErrVerification) {
		t.Fatalf("wrong app hash: %v", err)
	}
	if err := client.VerifyProof(appHash, wallet.StoreName, wallet.WalletKey(ownerA[:]), nil, q.ProofOps); !errors.Is(err, client.ErrVerification) {
		t.Fatalf("absence with a presence proof: %v", err)
	}
	if err := client.VerifyProof(appHash, wallet.StoreName, wallet.WalletKey(ownerA[:]), q.Value, nil); !errors.Is(err, client.ErrVerification) {
		t.Fatalf("nil ops: %v", err)
	}
}

func TestVerifiedWitnesses(t *testing.T) {
	f := liveNode(t)
	ctx := context.Background()
	key := wallet.WalletKey(ownerA[:])

	c := clienttest.NewClient(t, f, client.WithWitnesses(f.URL()))
	if _, err := c.Verified(ctx, wallet.StoreName, key, 0); err != nil {
		t.Fatal(err)
	}

	// A witness on a fork (same chain id, other validators) exposes the
	// disagreement.
	fork := liveNode(t)
	c = clienttest.NewClient(t, f, client.WithWitnesses(fork.URL()))
	_, err := c.Verified(ctx, wallet.StoreName, key, 0)
	t.Log(err)
	if !errors.Is(err, client.ErrTrust) && !errors.Is(err, client.ErrVerification) {
		t.Fatalf("fork not detected: %v", err)
	}
}
