package credit_test

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
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/credit"
	"github.com/ledgerd/ledgerd/x/history"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// zone is the test chain's time zone (the default, +08:00).
var zone = calendar.Zone{UTCOffset: 8 * 3600}

// at is noon (consortium time) of the date y-m-d.
func at(y, m, d int) time.Time {
	day, err := calendar.Date(y, m, d)
	if err != nil {
		panic(err)
	}
	return time.Unix(zone.Start(day)+12*3600, 0).UTC()
}

func day(y, m, d int) calendar.Day {
	dd, err := calendar.Date(y, m, d)
	if err != nil {
		panic(err)
	}
	return dd
}

func testKey(label string) *ecdsa.PrivateKey {
	h := sha256.Sum256([]byte("credit-test/" + label))
	k, err := crypto.ToECDSA(h[:])
	if err != nil {
		panic(err)
	}
	return k
}

// chain is a one-bank test chain where demo-bank is an issuer and a lender
// with two operators (maker and checker), the member "regulator" is the
// consortium's credit bureau (and no regulator), wallet 0 is its treasury and
// wallets 1 and 2 are customers, each holding 1,000,000.00 CNY.
type chain struct {
	t         *testing.T
	h         *apptest.Harness
	maker     *ecdsa.PrivateKey
	checker   *ecdsa.PrivateKey
	treasury  common.Address
	borrower  *ecdsa.PrivateKey
	guarantor *ecdsa.PrivateKey
	pending   map[common.Address]uint64
	// events of the last block, its own and its transactions'; txEvents
	// its transactions' only.
	events, txEvents []abci.Event
	// at is the time of the last block.
	at time.Time
}

const startBalance = 100_000_000 // 1,000,000.00 CNY

// newChain starts the chain; sweep, if not 0, is the credit parameter
// sweep_per_block.
func newChain(t *testing.T, sweep uint32) *chain {
	t.Helper()
	checker := testKey("checker")
	h := apptest.New(t, apptest.Options{Wallets: 3, Balance: startBalance, EditGenesis: func(g *appstate.State) {
		m := &g.Consortium.Members[0]
		m.Roles = append(m.Roles, "lender")
		m.Operators = append(m.Operators, crypto.PubkeyToAddress(checker.PublicKey).Hex())
		for i := range g.Consortium.Members {
			if g.Consortium.Members[i].ID == apptest.Regulator {
				g.Consortium.Members[i].Roles = []string{"credit_bureau"} // the consortium's credit bureau
			}
		}
		if sweep != 0 {
			p := credit.DefaultParams()
			p.SweepPerBlock = sweep
			b, err := protojson.Marshal(p)
			if err != nil {
				panic(err)
			}
			g.Credit = &credit.Genesis{Params: b}
		}
	}})
	t.Cleanup(h.Close)
	c := &chain{
		t: t, h: h, maker: h.IssuerKey(), checker: checker, treasury: apptest.Address(h.WalletKey(0)),
		borrower: h.WalletKey(1), guarantor: h.WalletKey(2), pending: map[common.Address]uint64{}, at: apptest.BaseTime,
	}
	c.block(apptest.BaseTime.Add(time.Second))
	return c
}

func addr(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// tx signs msg by key at its next nonce.
func (c *chain) tx(key *ecdsa.PrivateKey, msg apptest.Msg) []byte {
	a := addr(key)
	n := c.h.Nonce(a) + c.pending[a]
	c.pending[a]++
	return c.h.Sign(key, n, msg)
}

// block runs txs in a block at t (after the last block) and returns their
// results.
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
	c.txEvents = nil
	for _, r := range resp.TxResults {
		c.events = append(c.events, r.Events...)
		c.txEvents = append(c.txEvents, r.Events...)
	}
	return resp.TxResults
}

// ok runs one tx of key in a block at t and fails the test unless it
// succeeds.
func (c *chain) ok(t time.Time, key *ecdsa.PrivateKey, msg apptest.Msg) *abci.ExecTxResult {
	c.t.Helper()
	res := c.block(t, c.tx(key, msg))[0]
	if res.Code != 0 {
		c.t.Fatalf("%T: %s/%d: %s", msg, res.Codespace, res.Code, res.Log)
	}
	return res
}

// refused runs one tx of key that must fail with code, and checks that
// the block changed no credit or wallet state beside the signer's nonce.
func (c *chain) refused(t time.Time, key *ecdsa.PrivateKey, msg apptest.Msg, code uint32) {
	c.t.Helper()
	before := c.snapshot()
	res := c.block(t, c.tx(key, msg))[0]
	if res.Code != code || res.Codespace != credit.Codespace && code < 100 {
		c.t.Fatalf("%T: got %s/%d (%s), want %s/%d", msg, res.Codespace, res.Code, res.Log, credit.Codespace, code)
	}
	after := c.snapshot()
	if before != after {
		c.t.Fatalf("%T was refused but changed the credit store:\nbefore %s\nafter  %s", msg, before, after)
	}
}

// snapshot is every key and value of the credit store, as text.
func (c *chain) snapshot() string {
	v, err := c.h.Store.Version(0)
	if err != nil {
		c.t.Fatal(err)
	}
	r, err := v.Reader(credit.StoreName)
	if err != nil {
		c.t.Fatal(err)
	}
	var b strings.Builder
	store.Each(r, nil, nil, false, func(k, val []byte) bool {
		fmt.Fprintf(&b, "%x=%x;", k, val)
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

func (c *chain) loan(id uint64) *creditv1.Loan {
	c.t.Helper()
	l, err := credit.NewView(c.reader(credit.StoreName)).Loan(id)
	if err != nil {
		c.t.Fatal(err)
	}
	return l
}

func (c *chain) line(id uint64) *creditv1.Line {
	c.t.Helper()
	l, err := credit.NewView(c.reader(credit.StoreName)).Line(id)
	if err != nil {
		c.t.Fatal(err)
	}
	return l
}

func (c *chain) portfolio() *creditv1.Portfolio {
	return credit.NewView(c.reader(credit.StoreName)).Portfolio(apptest.Issuer, apptest.Denom)
}

func (c *chain) balance(a common.Address) uint64 {
	return wallet.Balance(c.h.Wallet(a), apptest.Denom)
}

// schedule asks the node for loan id's schedule on day.
func (c *chain) schedule(id uint64, d calendar.Day) *creditv1.Schedule {
	c.t.Helper()
	res := c.h.SignedQuery(c.h.AuditorKey(), fmt.Sprintf("/credit/schedule/%d/%s", id, d), nil, 0, false)
	if res.Code != 0 {
		c.t.Fatalf("schedule of loan %d on %s: %s", id, d, res.Log)
	}
	s := new(creditv1.Schedule)
	if err := proto.Unmarshal(res.Value, s); err != nil {
		c.t.Fatal(err)
	}
	return s
}

// checkInvariants fails unless the portfolios equal the sum over loans and
// supply equals the sum of balances.
func (c *chain) checkInvariants() {
	c.t.Helper()
	if err := credit.CheckPortfolios(c.reader(credit.StoreName)); err != nil {
		c.t.Fatal(err)
	}
	if err := wallet.Invariant(c.reader(wallet.StoreName)); err != nil {
		c.t.Fatal(err)
	}
}

// eventsOf returns the last block's events of type typ.
func (c *chain) eventsOf(typ string) []abci.Event {
	var out []abci.Event
	for _, e := range c.events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func attr(e abci.Event, key string) string {
	for _, a := range e.Attributes {
		if a.Key == key {
			return a.Value
		}
	}
	return ""
}

// entries decodes the loan history entries of the last block.
func (c *chain) entries(loan uint64) []*creditv1.LoanEntry {
	var out []*creditv1.LoanEntry
	for _, e := range c.eventsOf(history.Event) {
		ie, err := history.FromEvent(e, c.h.Height())
		if err != nil {
			c.t.Fatal(err)
		}
		if ie.Subject != credit.HistorySubject || string(ie.Id) != string(credit.LoanHistoryID(loan)) {
			continue
		}
		le, err := credit.DecodeLoanEntry(ie.Data)
		if err != nil {
			c.t.Fatal(err)
		}
		out = append(out, le)
	}
	return out
}

// product is 等额本息 over 12 months at 12% a year (penalty 6% more, 3
// grace days, auto-debit retried 2 days), limits 100.00 to 50,000.00.
func (c *chain) product() *creditv1.MsgSetCreditProduct {
	return &creditv1.MsgSetCreditProduct{
		Id: "instant-12m", Name: "Instant loan 12m",
		Terms: &creditv1.Terms{
			Kind: creditv1.LineKind_LINE_KIND_INSTALLMENT, Denom: apptest.Denom, RateBps: 1200, PenaltyRateBps: 600,
			Method: creditv1.Method_METHOD_EQUAL_INSTALLMENTS, Accrual: creditv1.Accrual_ACCRUAL_MONTHLY, Basis: 360,
			TermMonths: 12, GraceDays: 3, AutodebitRetryDays: 2, Treasury: c.treasury.Bytes(),
		},
		MinLimit: 10_000, MaxLimit: 5_000_000, MinTermMonths: 3, MaxTermMonths: 24, MaxRateBps: 1500,
	}
}

var contract = sha256.Sum256([]byte("contract"))
var subject = sha256.Sum256([]byte("subject: ID 110101199001011234 under the consortium key"))

// openLine sets the product, offers a line of limit to the borrower and
// accepts it (with auto-debit if asked), all on day t.
func (c *chain) openLine(t time.Time, p *creditv1.MsgSetCreditProduct, limit uint64, autodebit bool) uint64 {
	c.t.Helper()
	c.ok(t, c.maker, p)
	return c.openLineFor(t, c.borrower, p, limit, autodebit)
}

// openLineFor offers a line on product p (already set) to the owner of
// key, who accepts it.
func (c *chain) openLineFor(t time.Time, key *ecdsa.PrivateKey, p *creditv1.MsgSetCreditProduct, limit uint64, autodebit bool) uint64 {
	c.t.Helper()
	c.ok(t, c.maker, &creditv1.MsgOfferLine{Product: p.Id, Borrower: addr(key).Bytes(), Denom: p.Terms.Denom, Limit: limit,
		Expires: t.Add(7 * 24 * time.Hour).Unix(), ContractHash: contract[:], Subject: subject[:], Autodebit: autodebit})
	id := lastLine(c)
	l := c.line(id)
	c.ok(t, key, &creditv1.MsgAcceptLine{Line: id, Denom: l.Terms.Denom, Limit: l.Limit, RateBps: l.Terms.RateBps,
		PenaltyRateBps: l.Terms.PenaltyRateBps, TermMonths: l.Terms.TermMonths, ContractHash: contract[:], Autodebit: autodebit})
	return id
}

func lastLine(c *chain) uint64 {
	for _, e := range c.eventsOf(credit.EventLine) {
		var id uint64
		fmt.Sscan(attr(e, "line"), &id)
		return id
	}
	c.t.Fatal("no line event")
	return 0
}

// draw draws amount on line and returns the loan id.
func (c *chain) draw(t time.Time, line, amount uint64) uint64 {
	c.t.Helper()
	return c.drawBy(t, c.borrower, line, amount)
}

// drawBy draws amount on line by the owner of key.
func (c *chain) drawBy(t time.Time, key *ecdsa.PrivateKey, line, amount uint64) uint64 {
	c.t.Helper()
	c.ok(t, key, &creditv1.MsgDrawLoan{Line: line, Denom: apptest.Denom, Amount: amount})
	for _, e := range c.eventsOf(credit.EventDrawdown) {
		var id uint64
		fmt.Sscan(attr(e, "loan"), &id)
		return id
	}
	c.t.Fatal("no drawdown event")
	return 0
}
