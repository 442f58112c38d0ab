package settle_test

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/app/apptest"
	"github.com/ledgerd/ledgerd/node/appstate"
	settlev1 "github.com/ledgerd/ledgerd/proto/ledgerd/settle/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/settle"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// The four banks of the tests, the settlement agent and the regulator.
const (
	bankA = apptest.Issuer      // demo-bank
	bankB = apptest.OtherIssuer // other-bank
	bankC = "bank-c"
	bankD = "bank-d"
	agent = "cnaps"
)

var zone = calendar.Zone{UTCOffset: 8 * 3600}

// at is hh:00 consortium time on y-m-d.
func at(y, m, d, hh int) time.Time {
	day, err := calendar.Date(y, m, d)
	if err != nil {
		panic(err)
	}
	return time.Unix(zone.Start(day)+int64(hh)*3600, 0).UTC()
}

func day(y, m, d int) calendar.Day {
	dd, err := calendar.Date(y, m, d)
	if err != nil {
		panic(err)
	}
	return dd
}

func testKey(label string) *ecdsa.PrivateKey {
	h := sha256.Sum256([]byte("settle-test/" + label))
	k, err := crypto.ToECDSA(h[:])
	if err != nil {
		panic(err)
	}
	return k
}

func addr(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// chain is a four-bank chain with a settlement agent.
type chain struct {
	t       *testing.T
	h       *apptest.Harness
	ops     map[string]*ecdsa.PrivateKey // operator of each member
	pending map[common.Address]uint64
	events  []abci.Event
	at      time.Time
}

// newChain starts a chain where banks A (demo-bank), B (other-bank), C
// and D issue, cnaps is the settlement agent, and params edits the
// settle parameters.
func newChain(t *testing.T, params func(p *settlev1.Params)) *chain {
	t.Helper()
	p := settle.DefaultParams()
	p.Agent = agent
	if params != nil {
		params(p)
	}
	h := apptest.New(t, apptest.Options{EditGenesis: func(g *appstate.State) {
		for _, id := range []string{bankC, bankD} {
			g.Consortium.Members = append(g.Consortium.Members, consortium.GenesisMember{ID: id, Name: id, Roles: []string{"issuer"},
				Operators: []string{addr(testKey(id)).Hex()}})
		}
		g.Consortium.Members = append(g.Consortium.Members, consortium.GenesisMember{ID: agent, Name: "CNAPS HVPS",
			Roles: []string{"settlement_agent"}, Operators: []string{addr(testKey(agent)).Hex()}})
		b, err := protojson.Marshal(p)
		if err != nil {
			panic(err)
		}
		g.Settle = &settle.Genesis{Params: b}
	}})
	t.Cleanup(h.Close)
	c := &chain{t: t, h: h, pending: map[common.Address]uint64{}, at: apptest.BaseTime,
		ops: map[string]*ecdsa.PrivateKey{bankA: h.IssuerKey(), bankB: h.OtherIssuerKey(), bankC: testKey(bankC), bankD: testKey(bankD),
			agent: testKey(agent), apptest.Regulator: h.RegulatorKey()}}
	return c
}

// tx signs msg by key at its next nonce.
func (c *chain) tx(key *ecdsa.PrivateKey, msg apptest.Msg) []byte {
	a := addr(key)
	n := c.h.Nonce(a) + c.pending[a]
	c.pending[a]++
	return c.h.Sign(key, n, msg)
}

// block runs txs in a block at t (or a second after the last block) and
// checks every invariant after it.
func (c *chain) block(t time.Time, txs ...[]byte) []*abci.ExecTxResult {
	c.t.Helper()
	if !t.After(c.at) {
		t = c.at.Add(time.Second)
	}
	c.at = t
	resp := c.h.FinalizeBlockAt(t, txs...)
	c.h.Commit()
	c.pending = map[common.Address]uint64{}
	c.events = append([]abci.Event{}, resp.Events...)
	for _, r := range resp.TxResults {
		c.events = append(c.events, r.Events...)
	}
	for _, path := range []string{wallet.QueryInvariant, settle.QueryInvariant} {
		if r := c.h.Query(path, nil, 0, false); r.Code != 0 {
			c.t.Fatalf("after the block at %s: %s: %s", t, path, r.Log)
		}
	}
	return resp.TxResults
}

// ok runs msg signed by key (a member id or a wallet's key) in a block of
// its own and fails the test unless it succeeds.
func (c *chain) ok(key *ecdsa.PrivateKey, msg apptest.Msg) *abci.ExecTxResult {
	c.t.Helper()
	res := c.block(time.Time{}, c.tx(key, msg))[0]
	if res.Code != 0 {
		c.t.Fatalf("%T: %s/%d: %s", msg, res.Codespace, res.Code, res.Log)
	}
	return res
}

// refused runs msg, which must fail with err, and checks that it changed
// neither the settle nor the wallet store.
func (c *chain) refused(key *ecdsa.PrivateKey, msg apptest.Msg, codespace string, code uint32) {
	c.t.Helper()
	before := c.snapshot()
	res := c.block(time.Time{}, c.tx(key, msg))[0]
	if res.Code != code || res.Codespace != codespace {
		c.t.Fatalf("%T: got %s/%d (%s), want %s/%d", msg, res.Codespace, res.Code, res.Log, codespace, code)
	}
	if after := c.snapshot(); before != after {
		c.t.Fatalf("%T was refused but changed the stores", msg)
	}
}

// snapshot is the settle store and the wallet store's issuance and supply
// records, as text.
func (c *chain) snapshot() string {
	var b strings.Builder
	for _, name := range []string{settle.StoreName, wallet.StoreName} {
		store.Each(c.reader(name), nil, nil, false, func(k, val []byte) bool {
			if name == settle.StoreName || k[0] == 0x02 || k[0] == 0x03 {
				fmt.Fprintf(&b, "%s:%x=%x;", name, k, val)
			}
			return true
		})
	}
	return b.String()
}

func (c *chain) reader(name string) store.Reader {
	v, err := c.h.Store.Version(0)
	if err != nil {
		c.t.Fatal(err)
	}
	r, err := v.Reader(name)
	if err != nil {
		c.t.Fatal(err)
	}
	return r
}

func (c *chain) view() settle.View { return settle.NewView(c.reader(settle.StoreName)) }

func (c *chain) cycle(id uint64) *settlev1.Cycle {
	c.t.Helper()
	cy, err := c.view().Cycle(id)
	if err != nil {
		c.t.Fatal(err)
	}
	return cy
}

func (c *chain) leg(cycle uint64, i uint32) *settlev1.Leg {
	c.t.Helper()
	l, err := c.view().Leg(cycle, i)
	if err != nil {
		c.t.Fatal(err)
	}
	return l
}

// positions asks the node for the CNY positions and returns them by bank
// as signed amounts (owes positive), checking each against the bank's
// issuance record.
func (c *chain) positions() map[string]arith.Signed {
	c.t.Helper()
	res := c.h.Query("/settle/positions/CNY", nil, 0, false)
	if res.Code != 0 {
		c.t.Fatalf("positions: %s", res.Log)
	}
	ps := new(settlev1.Positions)
	if err := proto.Unmarshal(res.Value, ps); err != nil {
		c.t.Fatal(err)
	}
	out := map[string]arith.Signed{}
	for _, p := range ps.Positions {
		s := arith.Plus(p.Owes)
		if p.Owed > 0 {
			s = arith.Minus(p.Owed)
		}
		if want := c.h.Position(p.Bank); want != s {
			c.t.Fatalf("%s: position %s by the query, %s by its issuance record", p.Bank, s, want)
		}
		out[p.Bank] = s
	}
	return out
}

// wantPositions checks the CNY positions: owes positive, owed negative,
// banks not named zero.
func (c *chain) wantPositions(want map[string]int64) {
	c.t.Helper()
	got := c.positions()
	for _, b := range []string{bankA, bankB, bankC, bankD, agent} {
		w := arith.Plus(uint64(max(want[b], 0)))
		if want[b] < 0 {
			w = arith.Minus(uint64(-want[b]))
		}
		if got[b] != w {
			c.t.Fatalf("position of %s: %s, want %s (all: %v)", b, got[b], w, got)
		}
	}
}

// wantOutstanding checks a bank's signed CNY issuance.
func (c *chain) wantOutstanding(bank string, want int64) {
	c.t.Helper()
	w := arith.Plus(uint64(max(want, 0)))
	if want < 0 {
		w = arith.Minus(uint64(-want))
	}
	if got := c.h.Outstanding(bank); got != w {
		c.t.Fatalf("outstanding of %s: %s, want %s", bank, got, w)
	}
}

// event returns the value of key in the last block's first event of kind
// that has it ("" if none).
func (c *chain) event(kind, key string) string {
	for _, e := range c.events {
		if e.Type != kind {
			continue
		}
		for _, a := range e.Attributes {
			if a.Key == key {
				return a.Value
			}
		}
	}
	return ""
}

func pay(cycle uint64, leg uint32, ref string) *settlev1.MsgPaySettlement {
	return &settlev1.MsgPaySettlement{Cycle: cycle, Leg: leg, Reference: ref}
}

func confirm(cycle uint64, leg uint32) *settlev1.MsgConfirmSettlement {
	return &settlev1.MsgConfirmSettlement{Cycle: cycle, Leg: leg}
}

func deposit(w common.Address, amount uint64, ref string) *walletv1.MsgDeposit {
	return apptest.Deposit(w, amount, ref)
}
