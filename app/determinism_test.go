package app_test

import (
	"bytes"
	"crypto/ecdsa"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ledgerd/ledgerd/x/wallet"

	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/app/apptest"
	"github.com/ledgerd/ledgerd/node/appstate"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/credit"
	"github.com/ledgerd/ledgerd/x/gov"
)

// txGen makes a seeded random mix of opens, deposits and transfers, many of
// them failing: amounts beyond the balance or past 2^64-1, zero amounts,
// reused references, wrong nonces, self-transfers, unopened wallets; and
// governance proposals (roles, moved wallets) with votes on them by every
// member, some on proposals that do not exist or are decided. It reads
// nonces from the committed state of ref, so it must be driven block by
// block.
type txGen struct {
	r       *rand.Rand
	sec     *rand.Rand // the wallet security messages' own stream
	col     *rand.Rand // the collection messages' own stream
	ref     *apptest.Harness
	issuers []*ecdsa.PrivateKey // demo-bank (the genesis wallets' bank) first
	members []*ecdsa.PrivateKey // every member's operator
	owners  []*ecdsa.PrivateKey // genesis wallets first, then candidates
	genesis int
	refs    int
	props   uint64 // proposals submitted (some fail)
	settle  *settleGen
	// now is the time of the block being generated.
	now time.Time
}

// genTx is a generated transaction; deposit is its amount if it is a
// deposit, to check the supply against the results.
type genTx struct {
	raw     []byte
	deposit uint64 // amount if a deposit
	redeem  uint64 // amount if a redemption
}

func newTxGen(seed uint64, ref *apptest.Harness, genesisWallets, candidates int) *txGen {
	g := &txGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), sec: rand.New(rand.NewPCG(seed, 18)), col: rand.New(rand.NewPCG(seed, 12)), ref: ref,
		issuers: []*ecdsa.PrivateKey{ref.IssuerKey(), ref.OtherIssuerKey()}, genesis: genesisWallets,
		members: []*ecdsa.PrivateKey{ref.IssuerKey(), ref.OtherIssuerKey(), ref.AuditorKey(), ref.RegulatorKey()}}
	g.settle = newSettleGen(rand.New(rand.NewPCG(seed, 17)), ref)
	for i := range genesisWallets + candidates {
		g.owners = append(g.owners, ref.WalletKey(i))
	}
	return g
}

func (g *txGen) amount(typical uint64) uint64 {
	switch g.r.IntN(20) {
	case 0:
		return 0
	case 1:
		return math.MaxUint64 - g.r.Uint64N(1000)
	default:
		return 1 + g.r.Uint64N(typical)
	}
}

func (g *txGen) block() []genTx {
	nonces := map[common.Address]uint64{}
	nonce := func(k *ecdsa.PrivateKey) uint64 {
		a := apptest.Address(k)
		n, ok := nonces[a]
		if !ok {
			n = g.ref.Nonce(a)
		}
		switch g.r.IntN(16) {
		case 0:
			return n + 1 + g.r.Uint64N(2) // too high
		case 1:
			if n > 0 {
				return g.r.Uint64N(n) // too low
			}
		}
		nonces[a] = n + 1
		return n
	}
	// Mostly wallets that exist and the bank that holds them.
	owner := func() *ecdsa.PrivateKey {
		if g.r.IntN(4) == 0 {
			return g.owners[g.r.IntN(len(g.owners))]
		}
		return g.owners[g.r.IntN(g.genesis)]
	}
	issuer := func() *ecdsa.PrivateKey {
		if g.r.IntN(4) == 0 {
			return g.issuers[1]
		}
		return g.issuers[0]
	}
	type lateTx struct {
		key    *ecdsa.PrivateKey
		msg    apptest.Msg
		redeem uint64
	}
	var out []genTx
	var late []lateTx
	for range 4 + g.r.IntN(12) {
		if g.settle.r.IntN(2) == 0 {
			// Settlement and redemptions at the bank of record, drawn
			// from their own stream and signed after the rest of the
			// block (a refused one does not use up its nonce), so that
			// the rest of the mix is what it was.
			if g.settle.r.IntN(3) == 0 {
				o := g.owners[1+g.settle.r.IntN(g.genesis-1)] // not the lender's treasury
				amount := 1 + g.settle.r.Uint64N(300_000)
				late = append(late, lateTx{o, apptest.Redeem(amount, "payout"), amount})
			} else if msg, key := g.settle.msg(); msg != nil {
				late = append(late, lateTx{key, msg, 0})
			}
		}
		if g.r.IntN(4) == 0 {
			if msg, key := g.creditMsg(); msg != nil {
				out = append(out, genTx{raw: g.ref.Sign(key, nonce(key), msg)})
				continue
			}
		}
		if g.col.IntN(5) == 0 {
			// Collection, from its own stream too.
			if msg, key := g.collectMsg(); msg != nil {
				a := apptest.Address(key)
				n, ok := nonces[a]
				if !ok {
					n = g.ref.Nonce(a)
				}
				nonces[a] = n + 1
				out = append(out, genTx{raw: g.ref.Sign(key, n, msg)})
			}
		}
		if g.sec.IntN(10) == 0 {
			// Wallet security, drawn from its own stream so that the rest
			// of the mix is what it was: a recovery, a rotation or a second
			// factor (co-signed by the key introduced), a sub-wallet.
			o := g.owners[g.sec.IntN(g.genesis)]
			next := func(k *ecdsa.PrivateKey) uint64 {
				a := apptest.Address(k)
				n, ok := nonces[a]
				if !ok {
					n = g.ref.Nonce(a)
				}
				nonces[a] = n + 1
				return n
			}
			fresh := key(fmt.Sprint("determinism/", g.sec.Uint64()))
			fa := apptest.Address(fresh)
			var raw []byte
			switch g.sec.IntN(4) {
			case 0:
				issuer := g.issuers[g.sec.IntN(2)]
				raw = g.ref.Sign(issuer, next(issuer), &walletv1.MsgRecoverWallet{Wallet: apptest.Address(o).Bytes(), NewKey: fa.Bytes(), KycHash: apptest.KYCHash(fa)})
			case 1:
				raw = g.ref.SignBoth(o, fresh, next(o), &walletv1.MsgRotateKey{NewKey: fa.Bytes()})
			case 2:
				raw = g.ref.SignBoth(o, fresh, next(o), &walletv1.MsgSetSecondFactor{Key: fa.Bytes(), Denom: apptest.Denom, Threshold: 1 + g.sec.Uint64N(400_000)})
			default:
				raw = g.ref.Sign(o, next(o), &walletv1.MsgOpenSubWallet{Owner: apptest.Address(g.owners[g.genesis+g.sec.IntN(len(g.owners)-g.genesis)]).Bytes(),
					Denom: apptest.Denom, Limits: &walletv1.Limits{PaymentLimit: 1 + g.sec.Uint64N(100_000)}})
			}
			out = append(out, genTx{raw: raw})
		}
		switch k := g.r.IntN(12); {
		case k == 11:
			m := g.members[g.r.IntN(len(g.members))]
			out = append(out, genTx{raw: g.ref.Sign(m, nonce(m), g.proposal())})
		case k >= 8:
			// Mostly the latest proposals; now and then one that does not
			// exist yet.
			m := g.members[g.r.IntN(len(g.members))]
			id := g.lastProposal() + 1 - min(g.lastProposal(), g.r.Uint64N(3))
			v := &govv1.MsgVote{ProposalId: id, Option: govv1.VoteOption(1 + g.r.IntN(3))}
			if g.r.IntN(3) > 0 {
				v.Option = govv1.VoteOption_VOTE_OPTION_YES
			}
			out = append(out, genTx{raw: g.ref.Sign(m, nonce(m), v)})
		case k < 1:
			issuer := issuer()
			// Mostly a candidate, which may be open already.
			o := g.owners[g.genesis+g.r.IntN(len(g.owners)-g.genesis)]
			if g.r.IntN(5) == 0 {
				o = owner()
			}
			out = append(out, genTx{raw: g.ref.Sign(issuer, nonce(issuer), apptest.OpenWallet(apptest.Address(o)))})
		case k < 4:
			issuer := issuer()
			ref := g.refs
			if g.r.IntN(10) == 0 && ref > 0 {
				ref = g.r.IntN(ref)
			} else {
				g.refs++
			}
			amount := g.amount(500_000)
			out = append(out, genTx{
				raw:     g.ref.Sign(issuer, nonce(issuer), apptest.Deposit(apptest.Address(owner()), amount, fmt.Sprintf("ref-%d", ref))),
				deposit: amount,
			})
		default:
			from, to := owner(), owner()
			out = append(out, genTx{raw: g.ref.Sign(from, nonce(from), apptest.Transfer(apptest.Address(to), g.amount(400_000)))})
		}
	}
	// Each late transaction has the nonce after its signer's others; after
	// a refused one, the signer's next ones fail on their nonce.
	for _, lt := range late {
		a := apptest.Address(lt.key)
		n, ok := nonces[a]
		if !ok {
			n = g.ref.Nonce(a)
		}
		nonces[a] = n + 1
		out = append(out, genTx{raw: g.ref.Sign(lt.key, n, lt.msg), redeem: lt.redeem})
	}
	return out
}

// lastProposal is the last proposal id committed on ref.
func (g *txGen) lastProposal() uint64 {
	v, err := g.ref.Store.Version(0)
	if err != nil {
		return 0
	}
	r, err := v.Reader(gov.StoreName)
	if err != nil {
		return 0
	}
	return gov.NewView(r).LastID()
}

// proposal is a random proposal: the auditor's roles, or a genesis wallet
// moved to a random bank (an auditor is not a bank: that one is refused).
func (g *txGen) proposal() *govv1.MsgSubmitProposal {
	g.props++
	var a *govv1.Action
	switch g.r.IntN(2) {
	case 0:
		roles := []consortiumv1.Role{consortiumv1.Role_ROLE_AUDITOR}
		if g.r.IntN(2) == 0 {
			roles = append(roles, consortiumv1.Role_ROLE_REGULATOR)
		}
		a = &govv1.Action{Kind: &govv1.Action_SetRoles{SetRoles: &govv1.SetRoles{MemberId: apptest.Auditor, Roles: roles}}}
	default:
		banks := []string{apptest.Issuer, apptest.OtherIssuer, apptest.Auditor}
		w := apptest.Address(g.owners[g.r.IntN(g.genesis)])
		a = &govv1.Action{Kind: &govv1.Action_MoveWallets{MoveWallets: &govv1.MoveWallets{
			Wallets: [][]byte{w.Bytes()}, ToBank: banks[g.r.IntN(len(banks))]}}}
	}
	doc := make([]byte, 32)
	return &govv1.MsgSubmitProposal{Title: fmt.Sprint("proposal ", g.props), DocumentHash: doc,
		VotingEnd: g.now.Unix() + 25*86400, Action: a}
}

// creditMsg is a random credit message and its signer, chosen from the
// committed credit state of ref: demo-bank's product (set once), offers
// to genesis wallets, acceptances of open offers by their borrowers
// (sometimes with other terms), draws on active lines (sometimes over the
// limit), repayments, prepayments and settlements of open loans by their
// borrowers or others, with amounts around what is due.
func (g *txGen) creditMsg() (apptest.Msg, *ecdsa.PrivateKey) {
	v, err := g.ref.Store.Version(0)
	if err != nil {
		return nil, nil
	}
	r, err := v.Reader(credit.StoreName)
	if err != nil {
		return nil, nil
	}
	cv := credit.NewView(r)
	bank := g.issuers[0]
	if _, err := cv.Product(apptest.Issuer, "det"); err != nil {
		return &creditv1.MsgSetCreditProduct{Id: "det", Terms: &creditv1.Terms{Kind: creditv1.LineKind_LINE_KIND_REVOLVING, Denom: apptest.Denom,
			RateBps: 1500, PenaltyRateBps: 700, Method: creditv1.Method_METHOD_EQUAL_PRINCIPAL, Accrual: creditv1.Accrual_ACCRUAL_DAILY,
			Basis: 365, TermMonths: 3, GraceDays: 1, AutodebitRetryDays: 1, Treasury: apptest.Address(g.owners[0]).Bytes()},
			MinLimit: 1_000, MaxLimit: 500_000, MinTermMonths: 1, MaxTermMonths: 6, MaxRateBps: 1500}, bank
	}
	doc := make([]byte, 32)
	var lines []*creditv1.Line
	var loans []*creditv1.Loan
	for id := uint64(1); ; id++ {
		l, err := cv.Line(id)
		if err != nil {
			break
		}
		lines = append(lines, l)
	}
	for id := uint64(1); ; id++ {
		l, err := cv.Loan(id)
		if err != nil {
			break
		}
		loans = append(loans, l)
	}
	keyOf := func(addr []byte) *ecdsa.PrivateKey {
		for _, k := range g.owners {
			if apptest.Address(k) == common.BytesToAddress(addr) {
				return k
			}
		}
		return g.owners[0]
	}
	for _, l := range lines {
		if l.Status == creditv1.LineStatus_LINE_STATUS_OFFERED && g.r.IntN(2) == 0 {
			rate := l.Terms.RateBps
			if g.r.IntN(5) == 0 {
				rate++ // other terms: refused
			}
			return &creditv1.MsgAcceptLine{Line: l.Id, Denom: l.Terms.Denom, Limit: l.Limit, RateBps: rate,
				PenaltyRateBps: l.Terms.PenaltyRateBps, TermMonths: l.Terms.TermMonths, ContractHash: l.ContractHash,
				Autodebit: g.r.IntN(2) == 0}, keyOf(l.Borrower)
		}
	}
	switch g.r.IntN(4) {
	case 0:
		who := g.owners[1+g.r.IntN(g.genesis-1)]
		return &creditv1.MsgOfferLine{Product: "det", Borrower: apptest.Address(who).Bytes(), Denom: apptest.Denom,
			Limit: 1_000 + g.r.Uint64N(600_000), Expires: g.now.Unix() + 86400*int64(1+g.r.IntN(10)), ContractHash: doc, Subject: doc,
			Autodebit: g.r.IntN(2) == 0}, bank
	case 1:
		var active []*creditv1.Line
		for _, l := range lines {
			if l.Status == creditv1.LineStatus_LINE_STATUS_ACTIVE || g.r.IntN(8) == 0 {
				active = append(active, l)
			}
		}
		if len(active) > 0 {
			l := active[g.r.IntN(len(active))]
			return &creditv1.MsgDrawLoan{Line: l.Id, Denom: apptest.Denom, Amount: 1 + g.r.Uint64N(l.Limit+l.Limit/4)}, keyOf(l.Borrower)
		}
	default:
		if len(loans) == 0 {
			return nil, nil
		}
		l := loans[g.r.IntN(len(loans))]
		payer := keyOf(l.Borrower)
		if g.r.IntN(4) == 0 {
			payer = g.owners[g.r.IntN(g.genesis)]
		}
		amount := 1 + g.r.Uint64N(l.Outstanding/2+2)
		switch g.r.IntN(4) {
		case 0:
			return &creditv1.MsgPrepayLoan{Loan: l.Id, Denom: apptest.Denom, Amount: amount}, payer
		case 1:
			return &creditv1.MsgSettleLoan{Loan: l.Id, Denom: apptest.Denom, MaxAmount: l.Outstanding + l.Outstanding/10}, payer
		}
		return &creditv1.MsgRepayLoan{Loan: l.Id, Denom: apptest.Denom, Amount: amount / 3}, payer
	}
	return nil, nil
}

// TestDeterminism feeds two fresh apps, one in memory with one signature
// worker and one on disk with four, the same random blocks, and checks they
// agree on every result and on the app hash at every height, and that the
// wallet invariant holds after every block. DETERMINISM_SEEDS (default 3)
// sets how many seeds, from 1; DETERMINISM_RUNS (default 1) runs each seed
// again that many times, and every run must end at the same app hash.
func TestDeterminism(t *testing.T) {
	const (
		blocks         = 40
		genesisWallets = 6
		candidates     = 6
		balance        = 1_000_000
	)
	// What the mix exercised, over all seeds: a seed may draw no loan or
	// pass no proposal, but the seeds together must do everything.
	var total struct{ cases, permits, loans, legs, executed int }
	defer func() {
		if !t.Failed() && (total.cases == 0 || total.permits == 0 || total.loans == 0 || total.legs == 0 || total.executed == 0) {
			t.Fatalf("the mix does not exercise every module: over all seeds %d loans, %d collection cases, %d permits, %d settlement legs confirmed, %d proposals executed",
				total.loans, total.cases, total.permits, total.legs, total.executed)
		}
	}()
	seeds, runs := envCount(t, "DETERMINISM_SEEDS", 3), envCount(t, "DETERMINISM_RUNS", 1)
	finals := make([][]byte, seeds+1)
	for i := range seeds * runs {
		seed, run := uint64(i%seeds+1), i/seeds+1
		t.Run(fmt.Sprintf("seed %d run %d", seed, run), func(t *testing.T) {
			one, four := app.DefaultConfig(apptest.ChainID), app.DefaultConfig(apptest.ChainID)
			one.Workers, four.Workers = 1, 4
			// demo-bank lends too; blocks 36 hours apart, so that loans fall
			// due, go overdue and are swept.
			lender := func(g *appstate.State) {
				g.Consortium.Members[0].Roles = append(g.Consortium.Members[0].Roles, "lender")
				// The last wallet is held at other-bank, so that money
				// crosses banks and is settled.
				g.Wallet.Wallets[genesisWallets-1].Bank = apptest.OtherIssuer
				withAgent(g)
			}
			mem := apptest.New(t, apptest.Options{Config: &one, Wallets: genesisWallets, Balance: balance, EditGenesis: lender})
			disk := apptest.New(t, apptest.Options{Config: &four, Dir: t.TempDir(), Wallets: genesisWallets, Balance: balance, EditGenesis: lender})
			defer disk.Close()
			defer mem.Close()
			if !bytes.Equal(mem.InitChain().AppHash, disk.InitChain().AppHash) {
				t.Fatal("genesis app hashes differ")
			}

			g := newTxGen(seed, mem, genesisWallets, candidates)
			supply := uint64(genesisWallets * balance)
			var okTxs, failedTxs int
			for height := int64(1); height <= blocks; height++ {
				g.now = apptest.BaseTime.Add(time.Duration(height) * 36 * time.Hour)
				txs := g.block()
				raw := make([][]byte, len(txs))
				for i, tx := range txs {
					raw[i] = tx.raw
				}
				rm, rd := mem.FinalizeBlockAt(g.now, raw...), disk.FinalizeBlockAt(g.now, raw...)
				if fmt.Sprint(rm.ValidatorUpdates, rm.Events) != fmt.Sprint(rd.ValidatorUpdates, rd.Events) {
					t.Fatalf("height %d: block events or validator updates differ", height)
				}
				if !bytes.Equal(rm.AppHash, rd.AppHash) {
					t.Fatalf("height %d: FinalizeBlock app hash %x in memory, %x on disk", height, rm.AppHash, rd.AppHash)
				}
				for i := range txs {
					a, b := rm.TxResults[i], rd.TxResults[i]
					if a.Code != b.Code || a.Codespace != b.Codespace || a.Log != b.Log || len(a.Events) != len(b.Events) {
						t.Fatalf("height %d tx %d: results differ: %v / %v", height, i, a, b)
					}
					if a.Code == 0 {
						okTxs++
						supply += txs[i].deposit
						supply -= txs[i].redeem
					} else {
						failedTxs++
					}
				}
				mem.Commit()
				disk.Commit()
				if mem.Height() != height || disk.Height() != height || !bytes.Equal(mem.AppHash(), disk.AppHash()) ||
					!bytes.Equal(mem.AppHash(), rm.AppHash) {
					t.Fatalf("height %d: committed %d %x in memory, %d %x on disk, finalized %x",
						height, mem.Height(), mem.AppHash(), disk.Height(), disk.AppHash(), rm.AppHash)
				}
				for _, h := range []*apptest.Harness{mem, disk} {
					wantQuery(t, h.Query(wallet.QueryInvariant, nil, 0, false), ok)
					v, err := h.Store.Version(0)
					if err != nil {
						t.Fatal(err)
					}
					r, err := v.Reader(credit.StoreName)
					if err != nil {
						t.Fatal(err)
					}
					if err := credit.CheckPortfolios(r); err != nil {
						t.Fatalf("height %d: %v", height, err)
					}
					checkCollection(t, h, height)
					if got := h.Supply(); got != supply {
						t.Fatalf("height %d: supply %d, want genesis + successful deposits = %d", height, got, supply)
					}
					checkSettlement(t, h, supply)
				}
			}
			// Every earlier height is still readable and agrees.
			for height := int64(1); height <= blocks; height++ {
				vm, err := mem.Store.Version(height)
				if err != nil {
					t.Fatal(err)
				}
				vd, err := disk.Store.Version(height)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(vm.AppHash(), vd.AppHash()) {
					t.Fatalf("height %d: versions differ", height)
				}
				// The query answers at the last height only: check the
				// invariant on each version itself.
				r, err := vm.Reader(wallet.StoreName)
				if err != nil {
					t.Fatal(err)
				}
				if err := wallet.Invariant(r); err != nil {
					t.Fatalf("height %d: %v", height, err)
				}
			}
			executed := 0
			v, err := mem.Store.Version(0)
			if err != nil {
				t.Fatal(err)
			}
			r, err := v.Reader(gov.StoreName)
			if err != nil {
				t.Fatal(err)
			}
			gv := gov.NewView(r)
			for id := uint64(1); id <= gv.LastID(); id++ {
				if p, _ := gv.Proposal(id); p.Status == govv1.ProposalStatus_PROPOSAL_STATUS_EXECUTED {
					executed++
				}
			}
			cr, err := v.Reader(credit.StoreName)
			if err != nil {
				t.Fatal(err)
			}
			loans := 0
			for id := uint64(1); ; id++ {
				if _, err := credit.NewView(cr).Loan(id); err != nil {
					break
				}
				loans++
			}
			cases, permits := collectionCounts(t, v)
			t.Logf("%d txs succeeded, %d failed; %d proposals, %d executed; %d loans; %d collection cases, %d permits",
				okTxs, failedTxs, gv.LastID(), executed, loans, cases, permits)
			cycles, confirmed := settledLegs(t, mem)
			t.Logf("%d settlement cycles, %d legs confirmed", cycles, confirmed)
			total.cases, total.permits, total.loans = total.cases+cases, total.permits+permits, total.loans+loans
			total.legs, total.executed = total.legs+confirmed, total.executed+executed
			if okTxs < blocks || failedTxs < blocks/2 {
				t.Fatalf("unbalanced mix: %d succeeded, %d failed", okTxs, failedTxs)
			}
			if finals[seed] == nil {
				finals[seed] = mem.AppHash()
			} else if !bytes.Equal(finals[seed], mem.AppHash()) {
				t.Fatalf("run %d ends at app hash %x, run 1 at %x", run, mem.AppHash(), finals[seed])
			}
		})
	}
}

// envCount is the positive count in the environment variable name, or def.
func envCount(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive count", name, s)
	}
	return n
}
