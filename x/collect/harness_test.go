package collect_test

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
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/app/apptest"
	"github.com/ledgerd/ledgerd/node/appstate"
	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/collect"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/credit"
	"github.com/ledgerd/ledgerd/x/history"
)

// zone is the test chain's time zone (the default, +08:00).
var zone = calendar.Zone{UTCOffset: 8 * 3600}

// local is h:m:s consortium time on y-m-d.
func local(y, mo, d, h, mi, s int) time.Time {
	day, err := calendar.Date(y, mo, d)
	if err != nil {
		panic(err)
	}
	return time.Unix(zone.Start(day)+int64(h*3600+mi*60+s), 0).UTC()
}

func noon(y, m, d int) time.Time { return local(y, m, d, 12, 0, 0) }

func testKey(label string) *ecdsa.PrivateKey {
	h := sha256.Sum256([]byte("collect-test/" + label))
	k, err := crypto.ToECDSA(h[:])
	if err != nil {
		panic(err)
	}
	return k
}

func hash(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

func addr(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// chain is a test chain where demo-bank is an issuer and a lender (lender
// key), "agency" a collector (agency key), wallet 0 the bank's treasury and
// wallet 1 the borrower.
type chain struct {
	t         *testing.T
	h         *apptest.Harness
	lender    *ecdsa.PrivateKey
	agency    *ecdsa.PrivateKey
	regulator *ecdsa.PrivateKey
	borrower  *ecdsa.PrivateKey
	pending   map[common.Address]uint64
	events    []abci.Event
	// caseEntries are every case history entry of every block, in order.
	caseEntries map[uint64][]*historyv1.Entry
	at          time.Time
}

const agencyID = "agency"

func newChain(t *testing.T) *chain {
	t.Helper()
	agency := testKey("agency")
	h := apptest.New(t, apptest.Options{Wallets: 3, Balance: 100_000_000, EditGenesis: func(g *appstate.State) {
		m := &g.Consortium.Members[0]
		m.Roles = append(m.Roles, "lender")
		m.Operators = append(m.Operators, addr(testKey("checker")).Hex())
		g.Consortium.Members[1].Roles = append(g.Consortium.Members[1].Roles, "lender")
		g.Consortium.Members = append(g.Consortium.Members, consortium.GenesisMember{ID: agencyID, Name: "Agency",
			Roles: []string{"collector"}, Operators: []string{addr(agency).Hex()}})
	}})
	t.Cleanup(h.Close)
	c := &chain{t: t, h: h, lender: h.IssuerKey(), agency: agency, regulator: h.RegulatorKey(), borrower: h.WalletKey(1),
		pending: map[common.Address]uint64{}, caseEntries: map[uint64][]*historyv1.Entry{}, at: apptest.BaseTime}
	c.block(apptest.BaseTime.Add(time.Second))
	return c
}

func (c *chain) tx(key *ecdsa.PrivateKey, msg apptest.Msg) []byte {
	a := addr(key)
	n := c.h.Nonce(a) + c.pending[a]
	c.pending[a]++
	return c.h.Sign(key, n, msg)
}

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
	for _, e := range c.events {
		if e.Type != history.Event {
			continue
		}
		ie, err := history.FromEvent(e, c.h.Height())
		if err != nil {
			c.t.Fatal(err)
		}
		if ie.Subject == collect.HistorySubject {
			var n uint64
			for _, b := range ie.Id {
				n = n<<8 | uint64(b)
			}
			c.caseEntries[n] = append(c.caseEntries[n], ie)
		}
	}
	if err := collect.CheckCases(c.reader(collect.StoreName)); err != nil {
		c.t.Fatalf("after the block at %s: %v", t, err)
	}
	if err := collect.CheckStatsOn(c.reader(collect.StoreName), c.today()); err != nil {
		c.t.Fatalf("after the block at %s: %v", t, err)
	}
	return resp.TxResults
}

func (c *chain) ok(t time.Time, key *ecdsa.PrivateKey, msg apptest.Msg) {
	c.t.Helper()
	if res := c.block(t, c.tx(key, msg))[0]; res.Code != 0 {
		c.t.Fatalf("%T at %s: %s/%d: %s", msg, t, res.Codespace, res.Code, res.Log)
	}
}

// refused runs msg in a block at t, which must fail with code of codespace
// collect and leave the collection store as it was.
func (c *chain) refused(t time.Time, key *ecdsa.PrivateKey, msg apptest.Msg, code uint32) {
	c.t.Helper()
	// The block's own work (the sweep) is done by an empty block first.
	if t.Add(-time.Second).After(c.at) {
		c.block(t.Add(-time.Second))
	}
	before := c.snapshot()
	res := c.block(t, c.tx(key, msg))[0]
	if res.Code != code || res.Codespace != collect.Codespace {
		c.t.Fatalf("%T at %s: got %s/%d (%s), want %s/%d", msg, t, res.Codespace, res.Code, res.Log, collect.Codespace, code)
	}
	if after := c.snapshot(); before != after {
		c.t.Fatalf("%T was refused but changed the collection store", msg)
	}
}

func (c *chain) snapshot() string {
	var b strings.Builder
	store.Each(c.reader(collect.StoreName), nil, nil, false, func(k, v []byte) bool {
		fmt.Fprintf(&b, "%x=%x;", k, v)
		return true
	})
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

func (c *chain) view() collect.View { return collect.NewView(c.reader(collect.StoreName)) }

// caseOf is loan's open case as the case query answers it on the last
// block's day (its stage brought up to the day).
func (c *chain) caseOf(loan uint64) *collectv1.Case {
	c.t.Helper()
	id := c.view().OpenCaseOf(loan)
	if id == 0 {
		c.t.Fatalf("loan %d has no open case", loan)
	}
	return c.query(fmt.Sprintf("case/%d", id)).(*collectv1.Case)
}

// stats is member's statistics as the stats query answers them on the
// last block's day.
func (c *chain) stats(member string) *collectv1.Stats {
	c.t.Helper()
	return c.query("stats/" + member).(*collectv1.Stats)
}

// query answers a collection query path over the committed stores, with
// the last block's time.
func (c *chain) query(path string) proto.Message {
	c.t.Helper()
	for _, m := range app.Modules().Modules() {
		if m.Name == collect.StoreName {
			ans, err := m.Answer(stores{c}, path, nil)
			if err != nil {
				c.t.Fatal(err)
			}
			return ans
		}
	}
	c.t.Fatal("no collection module")
	return nil
}

// today is the last block's day.
func (c *chain) today() calendar.Day {
	return zone.Day(c.at.Unix())
}

// kase is case id as stored.
func (c *chain) kase(id uint64) *collectv1.Case {
	c.t.Helper()
	k, err := c.view().Case(id)
	if err != nil {
		c.t.Fatal(err)
	}
	return k
}

func (c *chain) loan(id uint64) *creditv1.Loan {
	c.t.Helper()
	l, err := credit.NewView(c.reader(credit.StoreName)).Loan(id)
	if err != nil {
		c.t.Fatal(err)
	}
	return l
}

// verifyHistory checks case id's history entries against its accumulator.
func (c *chain) verifyHistory(id uint64) []*collectv1.CaseEntry {
	c.t.Helper()
	k := c.kase(id)
	es := c.caseEntries[id]
	if err := history.Verify(history.Chain{Count: k.HistoryCount, Head: k.HistoryHead}, es); err != nil {
		c.t.Fatalf("case %d history: %v", id, err)
	}
	var out []*collectv1.CaseEntry
	for _, e := range es {
		ce, err := collect.DecodeCaseEntry(e.Data)
		if err != nil {
			c.t.Fatal(err)
		}
		out = append(out, ce)
	}
	return out
}

// lastPermit is the id of the last permit granted.
func (c *chain) lastPermit() uint64 {
	c.t.Helper()
	var id uint64
	for _, e := range c.events {
		if e.Type != collect.EventPermit {
			continue
		}
		attrs := map[string]string{}
		for _, a := range e.Attributes {
			attrs[a.Key] = a.Value
		}
		if attrs["state"] == "granted" {
			fmt.Sscan(attrs["permit"], &id)
		}
	}
	if id != 0 {
		return id
	}
	c.t.Fatal("no permit event")
	return 0
}

// openLoan sets a 12-month installment product (3 grace days), offers and
// accepts a line and draws 10,000.00 on Jan 10, 2025: the first
// installment falls due on Feb 10, past due from Feb 14.
func (c *chain) openLoan() uint64 { return c.openLoanOf(c.borrower, 1, "subject") }

// openLoanOf is openLoan for borrower (with its own credit subject), the
// line-th line and loan drawn on the chain.
func (c *chain) openLoanOf(borrower *ecdsa.PrivateKey, line uint64, subjectName string) uint64 {
	c.t.Helper()
	t := noon(2025, 1, 10)
	treasury := addr(c.h.WalletKey(0))
	p := &creditv1.MsgSetCreditProduct{Id: "p", Name: "p", Terms: &creditv1.Terms{
		Kind: creditv1.LineKind_LINE_KIND_INSTALLMENT, Denom: apptest.Denom, RateBps: 1200, PenaltyRateBps: 600,
		Method: creditv1.Method_METHOD_EQUAL_INSTALLMENTS, Accrual: creditv1.Accrual_ACCRUAL_MONTHLY, Basis: 360,
		TermMonths: 12, GraceDays: 3, AutodebitRetryDays: 2, Treasury: treasury.Bytes()},
		MinLimit: 10_000, MaxLimit: 5_000_000, MinTermMonths: 3, MaxTermMonths: 24, MaxRateBps: 1500}
	c.ok(t, c.lender, p)
	subject := hash(subjectName)
	c.ok(t, c.lender, &creditv1.MsgOfferLine{Product: "p", Borrower: addr(borrower).Bytes(), Denom: apptest.Denom, Limit: 1_000_000,
		Expires: t.Add(7 * 24 * time.Hour).Unix(), ContractHash: hash("contract"), Subject: subject})
	c.ok(t, borrower, &creditv1.MsgAcceptLine{Line: line, Denom: apptest.Denom, Limit: 1_000_000, RateBps: 1200, PenaltyRateBps: 600,
		TermMonths: 12, ContractHash: hash("contract")})
	c.ok(t, borrower, &creditv1.MsgDrawLoan{Line: line, Denom: apptest.Denom, Amount: 1_000_000})
	return line
}

// dueNow is what is due on loan id on the chain's last day, from the
// credit module's own schedule code over the committed state (the
// credit store answers only signed reads over the query path).
func (c *chain) dueNow(id uint64) uint64 {
	c.t.Helper()
	reg := app.Modules()
	for _, m := range reg.Modules() {
		if m.Name != credit.StoreName {
			continue
		}
		ans, err := m.Answer(stores{c}, fmt.Sprintf("schedule/%d", id), nil)
		if err != nil {
			c.t.Fatal(err)
		}
		return ans.(*creditv1.Schedule).DueNow
	}
	c.t.Fatal("no credit module")
	return 0
}

// stores are the chain's committed stores, for a query handler.
type stores struct{ c *chain }

func (s stores) Reader(name string) store.Reader { return s.c.reader(name) }
func (s stores) Height() int64                   { return s.c.h.Height() }
func (s stores) Time() time.Time                 { return s.c.at }
