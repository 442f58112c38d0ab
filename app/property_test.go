package app_test

import (
	"bytes"
	"crypto/ecdsa"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/app/apptest"
	"github.com/ledgerd/ledgerd/node/appstate"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// walletGen makes seeded random blocks of every wallet message: opens at
// every tier, deposits, transfers, redemptions, batch transfers, freezes
// (some expiring within seconds) and releases by banks and the regulator,
// tier and limit changes and closures, many of them failing; now and then
// the clock jumps a day or to the next year. It reads the committed state
// of the chain it drives, block by block.
type walletGen struct {
	r       *rand.Rand
	c       *chain
	issuers []*ecdsa.PrivateKey // demo-bank, other-bank
	reg     *ecdsa.PrivateKey
	owners  []*ecdsa.PrivateKey // genesis wallets first, then candidates
	refs    int
	// signed counts each signer's transactions in the block being made.
	signed map[common.Address]int
	// fresh are keys made for rotations, recoveries and second factors, by
	// address, so that the key a wallet record names can sign.
	fresh map[common.Address]*ecdsa.PrivateKey
	nkeys int
	// settle draws the settlement messages, from its own stream.
	settle *settleGen
}

// newKey is a key never used before.
func (g *walletGen) newKey() *ecdsa.PrivateKey {
	g.nkeys++
	k := key(fmt.Sprint("property/", g.nkeys))
	g.fresh[apptest.Address(k)] = k
	return k
}

// signer is the key that signs for the wallet of id now (mostly: now and
// then its first key, which a rotation may have replaced).
func (g *walletGen) signer(id *ecdsa.PrivateKey) *ecdsa.PrivateKey {
	w := g.committedWallet(apptest.Address(id))
	if w == nil || g.r.IntN(10) == 0 {
		return id
	}
	if r := w.Recovery; r != nil && r.Due <= g.c.LastTime().Unix() {
		return g.fresh[common.BytesToAddress(r.NewKey)]
	}
	if len(w.Key) > 0 {
		return g.fresh[common.BytesToAddress(w.Key)]
	}
	return id
}

// token is the key that co-signs for the wallet of id: its second factor,
// or a fresh key.
func (g *walletGen) token(id *ecdsa.PrivateKey) *ecdsa.PrivateKey {
	if w := g.committedWallet(apptest.Address(id)); w != nil && w.SecondFactor != nil && g.r.IntN(8) != 0 {
		return g.fresh[common.BytesToAddress(w.SecondFactor.Key)]
	}
	return g.newKey()
}

// genOp is a generated transaction and its effect on the supply if it
// succeeds.
type genOp struct {
	raw    []byte
	kind   string
	supply int64
}

func (g *walletGen) amount() uint64 {
	switch g.r.IntN(30) {
	case 0:
		return math.MaxUint64 - g.r.Uint64N(1000)
	case 1, 2:
		// Around the tier limits.
		l := tierLimits[2+uint32(g.r.IntN(3))]
		edge := []uint64{l.BalanceCap, l.PaymentLimit, l.DailyOutflowLimit}[g.r.IntN(3)]
		return edge - 1 + g.r.Uint64N(3)
	default:
		return 1 + g.r.Uint64N(300_000)
	}
}

// committedWallet is a's wallet at the last commit, nil if none (or no
// block is committed yet).
func (g *walletGen) committedWallet(a common.Address) *walletv1.Wallet {
	if g.c.Height() == 0 {
		return nil
	}
	return g.c.Wallet(a)
}

// use reports whether key may sign one more transaction in this block:
// mostly one per signer, so that a failure does not void its later nonces.
func (g *walletGen) use(key *ecdsa.PrivateKey) bool {
	a := apptest.Address(key)
	if g.signed[a] > 0 && g.r.IntN(5) != 0 {
		return false
	}
	g.signed[a]++
	return true
}

func (g *walletGen) block() []genOp {
	g.signed = map[common.Address]int{}
	// The committed wallets, to aim most messages at ones that can take
	// them.
	wallets := map[common.Address]*walletv1.Wallet{}
	var open, unopened, empty, underOrder []*ecdsa.PrivateKey
	for _, key := range g.owners {
		a := apptest.Address(key)
		w := g.committedWallet(a)
		wallets[a] = w
		switch {
		case w == nil:
			unopened = append(unopened, key)
		case !w.Closed:
			open = append(open, key)
			if len(w.Balances) == 0 {
				empty = append(empty, key)
			}
			if len(w.Freezes) > 0 {
				underOrder = append(underOrder, key)
			}
		}
	}
	pick := func(preferred []*ecdsa.PrivateKey) *ecdsa.PrivateKey {
		if len(preferred) > 0 && g.r.IntN(8) != 0 {
			return preferred[g.r.IntN(len(preferred))]
		}
		return g.owners[g.r.IntN(len(g.owners))]
	}
	// peer is mostly an open wallet other than a.
	peer := func(a common.Address) common.Address {
		for range 3 {
			if p := apptest.Address(pick(open)); p != a {
				return p
			}
		}
		return apptest.Address(pick(open))
	}
	memberKey := map[string]*ecdsa.PrivateKey{apptest.Issuer: g.issuers[0], apptest.OtherIssuer: g.issuers[1], apptest.Regulator: g.reg}
	// bankOf is mostly the wallet's bank of record.
	bankOf := func(a common.Address) *ecdsa.PrivateKey {
		if w := wallets[a]; w != nil && g.r.IntN(6) != 0 {
			return memberKey[w.Bank]
		}
		return g.issuers[g.r.IntN(2)]
	}
	authority := func(a common.Address) *ecdsa.PrivateKey {
		if g.r.IntN(3) == 0 {
			return g.reg
		}
		return bankOf(a)
	}

	var out []genOp
	add := func(key *ecdsa.PrivateKey, kind string, supply int64, msg apptest.Msg) {
		if g.use(key) {
			out = append(out, genOp{raw: g.c.tx(key, msg), kind: kind, supply: supply})
		}
	}
	addBoth := func(key, second *ecdsa.PrivateKey, kind string, supply int64, msg apptest.Msg) {
		if g.use(key) {
			out = append(out, genOp{raw: g.c.txBoth(key, second, msg), kind: kind, supply: supply})
		}
	}
	for range 6 + g.r.IntN(10) {
		id := pick(open)
		a := apptest.Address(id)
		w := g.signer(id)
		if g.r.IntN(7) == 0 {
			// Wallet security: recoveries, cancellations, rotations, second
			// factors, large payments, sub-wallets.
			switch g.r.IntN(9) {
			case 0:
				nk := apptest.Address(g.newKey())
				if g.r.IntN(6) == 0 {
					nk = apptest.Address(pick(open)) // a wallet's key: refused
				}
				add(bankOf(a), "recover", 0, &walletv1.MsgRecoverWallet{Wallet: a.Bytes(), NewKey: nk.Bytes(), KycHash: apptest.KYCHash(nk)})
			case 1:
				add(w, "cancel-recovery", 0, &walletv1.MsgCancelRecovery{Wallet: a.Bytes()})
			case 2:
				// Co-signed by the new key, or the second factor; now and
				// then by another key.
				nk := g.newKey()
				second := nk
				if cur := g.committedWallet(a); cur != nil && cur.SecondFactor != nil {
					second = g.fresh[common.BytesToAddress(cur.SecondFactor.Key)]
				}
				if g.r.IntN(4) == 0 {
					second = g.newKey()
				}
				addBoth(w, second, "rotate", 0, &walletv1.MsgRotateKey{NewKey: apptest.Address(nk).Bytes()})
			case 3:
				tok := g.newKey()
				second := tok
				if cur := g.committedWallet(a); cur != nil && cur.SecondFactor != nil {
					second = g.fresh[common.BytesToAddress(cur.SecondFactor.Key)]
				}
				addBoth(w, second, "second-factor", 0, &walletv1.MsgSetSecondFactor{Key: apptest.Address(tok).Bytes(), Denom: apptest.Denom,
					Threshold: 100_000 + g.r.Uint64N(1_000_000)})
			case 4:
				if g.r.IntN(2) == 0 {
					addBoth(w, g.token(id), "remove-second-factor", 0, &walletv1.MsgRemoveSecondFactor{})
				} else {
					add(w, "remove-second-factor", 0, &walletv1.MsgRemoveSecondFactor{})
				}
			case 5:
				addBoth(w, g.token(id), "transfer", 0, apptest.Transfer(peer(a), g.amount()))
			case 6:
				o := pick(unopened)
				add(w, "open-sub", 0, &walletv1.MsgOpenSubWallet{Owner: apptest.Address(o).Bytes(), Denom: apptest.Denom,
					Limits: &walletv1.Limits{PaymentLimit: g.r.Uint64N(2) * g.amount()}, Payees: [][]byte{peer(a).Bytes()}})
			case 7:
				sub := pick(open)
				add(w, "sweep-sub", 0, &walletv1.MsgSweepSubWallet{Wallet: apptest.Address(sub).Bytes(), Denom: apptest.Denom, Amount: g.r.Uint64N(2) * g.amount()})
			default:
				sub := pick(open)
				add(w, "freeze-sub", 0, &walletv1.MsgFreezeSubWallet{Wallet: apptest.Address(sub).Bytes(), Unfreeze: g.r.IntN(2) == 0})
			}
			continue
		}
		switch k := g.r.IntN(100); {
		case k < 6:
			o := apptest.Address(pick(unopened))
			add(g.issuers[g.r.IntN(2)], "open", 0, apptest.OpenWalletTier(o, 1+uint32(g.r.IntN(4))))
		case k < 24:
			g.refs++
			amount := g.amount()
			add(bankOf(a), "deposit", int64(min(amount, math.MaxInt64)), apptest.Deposit(a, amount, fmt.Sprintf("ref-%d", g.refs)))
		case k < 44:
			add(w, "transfer", 0, apptest.Transfer(peer(a), g.amount()))
		case k < 48:
			// All of it, so that the wallet can be closed.
			var all uint64
			if cur := wallets[a]; cur != nil {
				all = wallet.Balance(cur, apptest.Denom)
			}
			add(w, "transfer", 0, apptest.Transfer(peer(a), max(all, 1)))
		case k < 56:
			amount := 1 + g.r.Uint64N(200_000)
			add(w, "redeem", -int64(amount), apptest.Redeem(amount, "payout"))
		case k < 64:
			var legs []*walletv1.BatchLeg
			for range 1 + g.r.IntN(6) {
				legs = append(legs, apptest.Leg(peer(a), 1+g.r.Uint64N(50_000)))
			}
			add(w, "batch", 0, apptest.BatchTransfer(legs...))
		case k < 72:
			var expires int64
			if g.r.IntN(2) == 0 {
				expires = g.c.LastTime().Unix() + 1 + g.r.Int64N(4)
			}
			add(authority(a), "freeze", 0, apptest.Freeze(a, walletv1.FreezeKind(1+g.r.IntN(2)), "order", expires))
		case k < 84:
			w = pick(underOrder)
			a = apptest.Address(w)
			id, by := uint64(1), authority(a)
			if cur := wallets[a]; cur != nil {
				if len(cur.Freezes) > 0 && g.r.IntN(6) != 0 {
					o := cur.Freezes[g.r.IntN(len(cur.Freezes))]
					id = o.Id
					if g.r.IntN(4) != 0 {
						by = memberKey[o.Authority]
					}
				} else {
					id = 1 + g.r.Uint64N(cur.NextFreezeId+1)
				}
			}
			add(by, "release", 0, apptest.Release(a, id, "released"))
		case k < 89:
			add(bankOf(a), "set-tier", 0, apptest.SetTier(a, 1+uint32(g.r.IntN(4))))
		case k < 93:
			var l *walletv1.Limits
			if g.r.IntN(4) != 0 {
				l = &walletv1.Limits{BalanceCap: g.r.Uint64N(2) * g.amount(), PaymentLimit: g.r.Uint64N(2) * g.amount(),
					DailyOutflowLimit: g.r.Uint64N(2) * g.amount(), AnnualOutflowLimit: g.r.Uint64N(2) * g.amount()}
			}
			add(bankOf(a), "set-limits", 0, apptest.SetLimits(a, l))
		default:
			w = pick(empty)
			a = apptest.Address(w)
			by := w
			if g.r.IntN(2) == 0 {
				by = bankOf(a)
			}
			add(by, "close", 0, apptest.CloseWallet(a))
		}
	}
	for range g.settle.r.IntN(3) {
		if msg, key := g.settle.msg(); msg != nil {
			add(key, "settle", 0, msg)
		}
	}
	return out
}

// nextTime is the next block's time: mostly about a second on, sometimes
// a day, or to just before or after the next new year in UTC+8.
func (g *walletGen) nextTime() time.Time {
	last := g.c.LastTime()
	switch g.r.IntN(40) {
	case 0:
		return last.Add(24 * time.Hour)
	case 2:
		return last.Add(49 * time.Hour) // past recovery delays
	case 1:
		newYear := time.Date(last.Year()+1, 1, 1, 0, 0, 0, 0, time.FixedZone("UTC+8", 8*3600))
		return newYear.Add(time.Duration(g.r.IntN(3)-1) * time.Second)
	default:
		// Block times carry sub-second parts, as CometBFT's do.
		return last.Add(time.Duration(400+g.r.IntN(1200)) * time.Millisecond)
	}
}

// TestWalletProperty runs random blocks of every wallet message on two
// apps (one and four signature workers) and checks after every block that
// they agree on results and app hash, that the supply invariant holds
// (the /wallet/invariant query, and the supply against the successful
// deposits and redemptions), and that every wallet's status is the
// strictest of its standing orders; every few blocks, that every wallet's
// history accumulator is that of the events.
func TestWalletProperty(t *testing.T) {
	const (
		blocks         = 80
		genesisWallets = 6
		candidates     = 8
		balance        = 1_000_000
	)
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			t.Parallel()
			four := app.DefaultConfig(apptest.ChainID)
			four.Workers = 4
			// The auditor is the settlement agent (withAgent); the last
			// genesis wallet is held at other-bank.
			edit := func(g *appstate.State) {
				withAgent(g)
				g.Wallet.Wallets[genesisWallets-1].Bank = apptest.OtherIssuer
			}
			c := newChain(t, apptest.Options{Wallets: genesisWallets, Balance: balance, EditGenesis: edit})
			twin := newChain(t, apptest.Options{Config: &four, Wallets: genesisWallets, Balance: balance, EditGenesis: edit})
			g := &walletGen{r: rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d)), c: c,
				issuers: []*ecdsa.PrivateKey{c.IssuerKey(), c.OtherIssuerKey()}, reg: c.RegulatorKey(),
				fresh: map[common.Address]*ecdsa.PrivateKey{}, settle: newSettleGen(rand.New(rand.NewPCG(seed, 17)), c.Harness)}
			for i := range genesisWallets + candidates {
				g.owners = append(g.owners, c.WalletKey(i))
			}
			supply := int64(genesisWallets * balance)
			okByKind, failByKind, codes := map[string]int{}, map[string]int{}, map[string]int{}
			expired := 0
			for height := int64(1); height <= blocks; height++ {
				ops := g.block()
				raw := make([][]byte, len(ops))
				for i, op := range ops {
					raw[i] = op.raw
				}
				at := g.nextTime()
				rs := c.blockAt(at, raw...)
				rt := twin.blockAt(at, raw...)
				if !bytes.Equal(c.AppHash(), twin.AppHash()) {
					t.Fatalf("height %d: app hashes differ", height)
				}
				if !sameEvents(c.last.Events, twin.last.Events) {
					t.Fatalf("height %d: block events differ", height)
				}
				for _, ev := range c.last.Events {
					if ev.Type == "wallet_released" {
						expired++
					}
				}
				for i, op := range ops {
					if rs[i].Code != rt[i].Code || rs[i].Log != rt[i].Log || !sameEvents(rs[i].Events, rt[i].Events) {
						t.Fatalf("height %d tx %d: results differ: %v / %v", height, i, rs[i], rt[i])
					}
					if rs[i].Code == 0 {
						okByKind[op.kind]++
						supply += op.supply
					} else {
						failByKind[op.kind]++
						codes[fmt.Sprintf("%s %s/%d", op.kind, rs[i].Codespace, rs[i].Code)]++
					}
				}
				wantQuery(t, c.Query(wallet.QueryInvariant, nil, 0, false), ok)
				if got := c.Supply(); int64(got) != supply {
					t.Fatalf("height %d: supply %d, want %d from the successful deposits and redemptions", height, got, supply)
				}
				checkSettlement(t, c.Harness, uint64(supply))
				for _, key := range g.owners {
					checkWalletStatus(t, c, apptest.Address(key))
				}
				if height%10 == 0 {
					c.checkState()
				}
			}
			t.Logf("succeeded %v; failed %v", okByKind, failByKind)
			t.Logf("failures %v; %d orders expired", codes, expired)
			if expired == 0 {
				t.Error("no order expired")
			}
			for _, kind := range []string{"open", "deposit", "transfer", "redeem", "batch", "freeze", "release", "set-tier", "set-limits", "close",
				"recover", "rotate", "second-factor", "settle"} {
				if okByKind[kind] == 0 || failByKind[kind] == 0 {
					t.Errorf("%s: %d succeeded, %d failed: want both", kind, okByKind[kind], failByKind[kind])
				}
			}
			for _, kind := range []string{"cancel-recovery", "remove-second-factor", "open-sub", "sweep-sub", "freeze-sub"} {
				if okByKind[kind]+failByKind[kind] == 0 {
					t.Errorf("%s: never tried", kind)
				}
			}
		})
	}
}

// checkWalletStatus: a wallet's status is closed if it is closed (then it
// is empty and under no order), else the strictest of its orders.
func checkWalletStatus(t *testing.T, c *chain, owner common.Address) {
	t.Helper()
	w := c.Wallet(owner)
	if w == nil {
		return
	}
	want := active
	if w.Recovery != nil {
		want = walletv1.WalletStatus_WALLET_STATUS_RECOVERING
	}
	for _, o := range w.Freezes {
		if o.Kind == full {
			want = frozen
		} else if want != frozen {
			want = debitFrozen
		}
	}
	if w.Closed {
		if len(w.Freezes) != 0 || len(w.Balances) != 0 {
			t.Fatalf("closed wallet %s holds %v under %v", owner.Hex(), w.Balances, w.Freezes)
		}
		want = closedStatus
	}
	if w.Status != want {
		t.Fatalf("wallet %s: status %s under orders %v, want %s", owner.Hex(), w.Status, w.Freezes, want)
	}
	if len(w.Freezes) > wallet.MaxFreezes {
		t.Fatalf("wallet %s: %d orders", owner.Hex(), len(w.Freezes))
	}
}
