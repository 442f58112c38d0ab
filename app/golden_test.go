package app_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cosmos/iavl"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/app/apptest"
	amlv1 "github.com/ledgerd/ledgerd/proto/ledgerd/aml/v1"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	settlev1 "github.com/ledgerd/ledgerd/proto/ledgerd/settle/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/gov"
	"github.com/ledgerd/ledgerd/x/module"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenDir holds the frozen genesis of the golden chain and the app hash
// and results it must give at every height.
const goldenDir = "testdata/golden"

// TestGoldenAppHash runs a scripted chain that uses every message kind and
// rule (successes and refusals, freezes that expire, AML reports and
// alerts, every governance action, a proposal that fails at execution and
// one rejected at its deadline, day and year rollovers in the consortium's
// time zone) followed by seeded random payments, and compares the app hash
// and every transaction's result code at every height with
// testdata/golden/apphash.txt. A change of state encoding, of a rule, or of
// the order of writes changes the file: rerun with -update only when the
// change is deliberate, and say why in the commit.
//
// The genesis is frozen too (testdata/golden/genesis.json, written by the
// first -update), so that the test does not follow the Go genesis types.
func TestGoldenAppHash(t *testing.T) {
	genesisPath := filepath.Join(goldenDir, "genesis.json")
	var appState []byte
	if *updateGolden {
		if _, err := os.Stat(genesisPath); err != nil {
			g := apptest.BuildGenesis(apptest.Options{Wallets: 6, Balance: 1_000_000})
			b, err := json.MarshalIndent(g, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			// Low AML thresholds, so that the scenario files reports and
			// alerts.
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			m["aml"] = map[string]any{"large_value": []map[string]string{{"denom": "CNY", "amount": "300000"}}, "velocity_limit": 3}
			if b, err = json.MarshalIndent(m, "", "  "); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(goldenDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(genesisPath, append(b, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	appState, err := os.ReadFile(genesisPath)
	if err != nil {
		t.Fatalf("%v (run go test ./app -run TestGoldenAppHash -update)", err)
	}
	got, _ := runGoldenChain(t, appState, store.Options{})

	path := filepath.Join(goldenDir, "apphash.txt")
	if *updateGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./app -run TestGoldenAppHash -update)", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("golden chain differs from %s first at line %d:\n got  %s\n want %s\n"+
					"state encoding, a rule or the order of writes changed; if deliberate, rerun with -update and say why in the commit",
					path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("golden chain has %d lines, %s %d", len(gl), path, len(wl))
	}
}

// TestGoldenChainThroughTheEncodedNodeCache runs the golden chain with node
// caches of four nodes above an encoded node cache, and value caches of
// one value, so that the first commit reloads every tree but the smallest
// and every node-cache miss after it is decoded from the encoded cache: the
// chain's every app hash, result and query answer must be the golden ones.
func TestGoldenChainThroughTheEncodedNodeCache(t *testing.T) {
	appState, err := os.ReadFile(filepath.Join(goldenDir, "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(goldenDir, "apphash.txt"))
	if err != nil {
		t.Fatal(err)
	}
	got, st := runGoldenChain(t, appState, store.Options{CacheNodes: 4, EncodedCacheMB: 1, ValueCacheEntries: 1})
	if got != string(want) {
		t.Fatal("the golden chain differs with small node caches over an encoded node cache")
	}
	if st.Hits == 0 || st.Misses != 0 {
		t.Fatalf("encoded node cache %+v: want every node-cache miss answered from it", st)
	}
}

// goldenChain signs at each signer's next nonce: the committed one plus
// those signed since the last block.
type goldenChain struct {
	t       *testing.T
	h       *apptest.Harness
	pending map[common.Address]uint64
	out     strings.Builder
	at      time.Time
	// events are every block's and transaction's events, in order.
	events []abci.Event
}

func (c *goldenChain) tx(key *ecdsa.PrivateKey, msg apptest.Msg) []byte {
	a := apptest.Address(key)
	n := c.h.Nonce(a) + c.pending[a]
	c.pending[a]++
	return c.h.Sign(key, n, msg)
}

// both signs msg with key at its next nonce, with second's signature over
// the same digest.
func (c *goldenChain) both(key, second *ecdsa.PrivateKey, msg apptest.Msg) []byte {
	a := apptest.Address(key)
	n := c.h.Nonce(a) + c.pending[a]
	c.pending[a]++
	return c.h.SignBoth(key, second, n, msg)
}

// bad signs a transaction meant to fail in execution: it does not use up
// the nonce, so the signer's next transaction takes the same one.
func (c *goldenChain) bad(key *ecdsa.PrivateKey, msg apptest.Msg) []byte {
	a := apptest.Address(key)
	return c.h.Sign(key, c.h.Nonce(a)+c.pending[a], msg)
}

// block runs txs at the given offset from the previous block (1 s if 0) and
// records the height, app hash and result codes.
func (c *goldenChain) block(after time.Duration, txs ...[]byte) {
	c.t.Helper()
	if after == 0 {
		after = time.Second
	}
	c.at = c.at.Add(after)
	resp := c.h.FinalizeBlockAt(c.at, txs...)
	c.h.Commit()
	res := resp.TxResults
	c.events = append(c.events, resp.Events...)
	for _, r := range res {
		c.events = append(c.events, r.Events...)
	}
	c.pending = map[common.Address]uint64{}
	fmt.Fprintf(&c.out, "%d %X", c.h.Height(), c.h.AppHash())
	for _, r := range res {
		fmt.Fprintf(&c.out, " %s/%d", r.Codespace, r.Code)
	}
	c.out.WriteByte('\n')
}

// key is the fixed secp256k1 key sha256("golden/" + label).
func key(label string) *ecdsa.PrivateKey {
	h := sha256.Sum256([]byte("golden/" + label))
	k, err := crypto.ToECDSA(h[:])
	if err != nil {
		panic(err)
	}
	return k
}

// runGoldenChain runs the golden chain on a store opened with so, and
// returns its record and the store's encoded node cache's figures.
func runGoldenChain(t *testing.T, appState []byte, so store.Options) (string, iavl.EncodedNodeCacheStats) {
	h := apptest.New(t, apptest.Options{AppState: appState, Store: so})
	defer h.Close()
	c := &goldenChain{t: t, h: h, pending: map[common.Address]uint64{}, at: apptest.BaseTime}
	fmt.Fprintf(&c.out, "genesis %X\n", h.Store.WorkingHash())

	bank, other, auditor, regulator := h.IssuerKey(), h.OtherIssuerKey(), h.AuditorKey(), h.RegulatorKey()
	w := make([]*ecdsa.PrivateKey, 6)
	for i := range w {
		w[i] = h.WalletKey(i)
	}
	addr := apptest.Address
	n0, n1, n2, n3 := key("n0"), key("n1"), key("n2"), key("n3")
	yuan := uint64(100)

	// Wallets at both banks and every tier.
	c.block(0,
		c.tx(bank, apptest.OpenWalletTier(addr(n0), 2)),
		c.tx(bank, apptest.OpenWalletTier(addr(n1), 3)),
		c.tx(bank, apptest.OpenWalletTier(addr(n2), 4)),
		c.tx(other, apptest.OpenWallet(addr(n3))),
		c.tx(bank, apptest.OpenWallet(addr(n3))), // exists already
		c.tx(w[0], apptest.OpenWallet(addr(n3))), // not an operator
	)
	// Deposits (one reference twice), payments, a batch; AML reports.
	c.block(0,
		c.tx(bank, apptest.Deposit(addr(n0), 5_000*yuan, "g-1")),
		c.tx(other, apptest.Deposit(addr(n3), 2_000*yuan, "o-1")),
		c.tx(bank, apptest.Deposit(addr(n1), 1_000*yuan, "g-2")),
		c.tx(bank, apptest.Deposit(addr(n1), 1_000*yuan, "g-1")),
		c.tx(other, apptest.Deposit(addr(n0), 1*yuan, "o-2")), // not its customer
		c.tx(w[0], apptest.Transfer(addr(n0), 4_000*yuan)),
		c.tx(w[1], apptest.BatchTransfer(apptest.Leg(addr(n1), 500*yuan), apptest.Leg(addr(n2), 300*yuan), apptest.Leg(addr(n0), 100*yuan))),
		c.tx(w[1], apptest.BatchTransfer(apptest.Leg(addr(n2), 9_800*yuan))), // over tier 4's balance cap
		c.tx(w[5], apptest.Transfer(addr(w[5]), 1)),                          // to self
	)
	// Velocity alert on the fourth payment; own limits.
	c.block(0,
		c.tx(w[2], apptest.Transfer(addr(w[3]), 1*yuan)),
		c.tx(w[2], apptest.Transfer(addr(w[3]), 2*yuan)),
		c.tx(w[2], apptest.Transfer(addr(w[3]), 3*yuan)),
		c.tx(w[2], apptest.Transfer(addr(w[3]), 4*yuan)),
		c.tx(bank, apptest.SetLimits(addr(n0), &walletv1.Limits{PaymentLimit: 1_000 * yuan, DailyOutflowLimit: 1_500 * yuan})),
	)
	c.block(0,
		c.bad(n0, apptest.Transfer(addr(w[0]), 1_500*yuan)), // over its own payment limit
		c.tx(n0, apptest.Transfer(addr(w[0]), 1_000*yuan)),
		c.tx(n0, apptest.Transfer(addr(w[0]), 600*yuan)), // over its own daily limit
		c.tx(n2, apptest.Transfer(addr(n1), 2_500*yuan)), // over tier 4's payment limit
	)
	// Freezes: a debit freeze that expires, a regulator's full freeze.
	expires := c.at.Add(3 * time.Second).Unix()
	c.block(0,
		c.tx(bank, apptest.Freeze(addr(n1), walletv1.FreezeKind_FREEZE_KIND_DEBIT, "police notice 7", expires)),
		c.tx(regulator, apptest.Freeze(addr(w[4]), walletv1.FreezeKind_FREEZE_KIND_FULL, "court order 2025-1", 0)),
		c.tx(other, apptest.Freeze(addr(w[3]), walletv1.FreezeKind_FREEZE_KIND_FULL, "not its bank", 0)),
		c.tx(bank, apptest.SetTier(addr(n2), 3)),
	)
	c.block(0,
		c.tx(n1, apptest.Transfer(addr(w[0]), 1*yuan)), // receive only
		c.tx(w[0], apptest.Transfer(addr(n1), 1*yuan)),
		c.tx(w[0], apptest.Transfer(addr(w[4]), 1*yuan)), // frozen
		c.tx(bank, apptest.Release(addr(w[4]), 1, "not ours")),
	)
	c.block(0, c.tx(regulator, apptest.Release(addr(w[4]), 1, "court lifted the order")))
	c.block(0) // n1's order expires
	c.block(0,
		c.tx(n1, apptest.Transfer(addr(w[0]), 1*yuan)),
		c.tx(n0, apptest.Redeem(1_000*yuan, "acct-n0")),
		c.tx(n3, apptest.Redeem(500*yuan, "acct-n3")),
		c.tx(n2, apptest.CloseWallet(addr(n2))), // holds money
		c.tx(w[5], apptest.Redeem(1, "")),       // no payout reference
	)
	c.block(0,
		c.tx(n2, apptest.Transfer(addr(n1), 300*yuan)),
		c.tx(n2, apptest.CloseWallet(addr(n2))),
		c.tx(w[1], apptest.Transfer(addr(n2), 1)), // closed
	)

	// Governance: every action, a failure at execution, a rejection.
	newBank := key("new-bank-operator")
	rotated := key("other-bank-operator-2")
	doc := sha256.Sum256([]byte("agreement"))
	votingEnd := c.at.Unix() + 7200
	propose := func(a *govv1.Action) *govv1.MsgSubmitProposal {
		return &govv1.MsgSubmitProposal{Title: "golden", DocumentHash: doc[:], VotingEnd: votingEnd, Action: a}
	}
	vote := func(id uint64, o govv1.VoteOption) *govv1.MsgVote { return &govv1.MsgVote{ProposalId: id, Option: o} }
	yes, no := govv1.VoteOption_VOTE_OPTION_YES, govv1.VoteOption_VOTE_OPTION_NO
	c.block(0,
		c.tx(bank, propose(&govv1.Action{Kind: &govv1.Action_SetAmlParams{SetAmlParams: &govv1.SetAMLParams{Params: &amlv1.Params{
			LargeValue: []*amlv1.Threshold{{Denom: "CNY", Amount: 1_000_000}}, VelocityLimit: 5}}}})),
		c.tx(bank, propose(&govv1.Action{Kind: &govv1.Action_AddMember{AddMember: &govv1.AddMember{Member: &consortiumv1.Member{
			Id: "new-bank", Name: "New Bank", Roles: []consortiumv1.Role{consortiumv1.Role_ROLE_ISSUER},
			Operators: [][]byte{addr(newBank).Bytes()}, NodeIds: []string{strings.Repeat("ab", 20)}}}}})),
		c.tx(other, propose(&govv1.Action{Kind: &govv1.Action_SetRoles{SetRoles: &govv1.SetRoles{MemberId: apptest.Auditor,
			Roles: []consortiumv1.Role{consortiumv1.Role_ROLE_AUDITOR, consortiumv1.Role_ROLE_REGULATOR}}}})),
		c.tx(auditor, propose(&govv1.Action{Kind: &govv1.Action_MoveWallets{MoveWallets: &govv1.MoveWallets{
			Wallets: [][]byte{addr(w[5]).Bytes()}, ToBank: apptest.OtherIssuer}}})),
		c.tx(auditor, propose(&govv1.Action{Kind: &govv1.Action_MoveWallets{MoveWallets: &govv1.MoveWallets{
			Wallets: [][]byte{addr(w[5]).Bytes()}, ToBank: apptest.Auditor}}})), // not an issuer: refused
	)
	c.block(0,
		c.tx(bank, vote(1, yes)), c.tx(other, vote(1, yes)), c.tx(auditor, vote(1, yes)),
		c.tx(bank, vote(2, yes)), c.tx(other, vote(2, yes)), c.tx(regulator, vote(2, yes)),
		c.tx(bank, vote(3, yes)), c.tx(other, vote(3, no)), c.tx(regulator, vote(3, yes)),
		c.tx(bank, vote(4, no)),
	)
	c.block(0,
		c.tx(auditor, vote(3, yes)),
		c.tx(bank, vote(3, yes)),    // voted so already
		c.tx(newBank, vote(3, yes)), // the fourth yes of five members: executes
		c.tx(newBank, apptest.OpenWallet(addr(key("nb-1")))),
	)
	// Suspend new-bank, then move a wallet to it, voted in one block: the
	// suspension executes first, the move fails at execution.
	c.block(0,
		c.tx(other, propose(&govv1.Action{Kind: &govv1.Action_SetMemberStatus{SetMemberStatus: &govv1.SetMemberStatus{
			MemberId: "new-bank", Status: consortiumv1.MemberStatus_MEMBER_STATUS_SUSPENDED}}})),
		c.tx(other, propose(&govv1.Action{Kind: &govv1.Action_MoveWallets{MoveWallets: &govv1.MoveWallets{
			Wallets: [][]byte{addr(w[3]).Bytes()}, ToBank: "new-bank"}}})),
		c.tx(bank, propose(&govv1.Action{Kind: &govv1.Action_SetWalletParams{SetWalletParams: &govv1.SetWalletParams{Params: &walletv1.Params{
			Denoms: []string{"CNY", "USD"}, UtcOffsetSeconds: 8 * 3600, MaxBatchLegs: 500,
			Limits: []*walletv1.DenomLimits{{Denom: "USD", Tiers: []*walletv1.TierLimits{{Tier: 4, Limits: &walletv1.Limits{BalanceCap: 100_000}}}}}}}}})),
	)
	c.block(0,
		c.tx(bank, vote(5, yes)), c.tx(other, vote(5, yes)), c.tx(auditor, vote(5, yes)), c.tx(regulator, vote(5, yes)),
		c.tx(bank, vote(6, yes)), c.tx(other, vote(6, yes)), c.tx(auditor, vote(6, yes)),
		c.tx(bank, vote(7, yes)), c.tx(other, vote(7, yes)), c.tx(regulator, vote(7, yes)),
	)
	c.block(0,
		c.tx(other, propose(&govv1.Action{Kind: &govv1.Action_SetOperators{SetOperators: &govv1.SetOperators{
			MemberId: apptest.OtherIssuer, Operators: [][]byte{addr(rotated).Bytes()}}}})),
		c.tx(other, propose(&govv1.Action{Kind: &govv1.Action_SetNodeIds{SetNodeIds: &govv1.SetNodeIds{
			MemberId: apptest.OtherIssuer, NodeIds: []string{strings.Repeat("cd", 20)}}}})),
		c.tx(bank, propose(&govv1.Action{Kind: &govv1.Action_SetValidator{SetValidator: &govv1.SetValidator{
			MemberId: apptest.OtherIssuer, PubKey: bytes.Repeat([]byte{7}, 32), Power: 5, AllowConcentration: true}}})),
		c.tx(bank, propose(&govv1.Action{Kind: &govv1.Action_SetGovParams{SetGovParams: &govv1.SetGovParams{Params: &govv1.Params{
			ThresholdNumerator: 3, ThresholdDenominator: 4, MaxVotingPeriodSeconds: 30 * 24 * 3600,
			MinVotingPeriodSeconds: 3600, MaxOpenProposals: 50}}}})),
	)
	c.block(0,
		c.tx(bank, vote(8, yes)), c.tx(other, vote(8, yes)), c.tx(auditor, vote(8, yes)),
		c.tx(bank, vote(9, yes)), c.tx(other, vote(9, yes)), c.tx(auditor, vote(9, yes)),
		c.tx(bank, vote(10, yes)), c.tx(other, vote(10, yes)), c.tx(auditor, vote(10, yes)),
		c.tx(bank, vote(11, yes)), c.tx(other, vote(11, yes)), c.tx(auditor, vote(11, yes)),
	)
	c.block(0,
		c.tx(rotated, apptest.OpenWallet(addr(key("ob-1")))),
		c.tx(other, apptest.OpenWallet(addr(key("ob-2")))), // rotated out
	)
	// Proposal 4 (no votes enough) is rejected at its deadline.
	c.block(3*time.Hour, c.tx(bank, vote(4, yes)))

	// Seeded payments and deposits across a day and a year boundary in
	// the consortium's time zone (UTC+8).
	r := rand.New(rand.NewPCG(7, 11))
	payers := []*ecdsa.PrivateKey{w[0], w[1], w[2], w[3], w[4], w[5], n0, n1, n3}
	randomBlock := func(at time.Time) {
		var txs [][]byte
		for range 3 + r.IntN(8) {
			from, to := payers[r.IntN(len(payers))], payers[r.IntN(len(payers))]
			if r.IntN(5) == 0 {
				txs = append(txs, c.tx(bank, apptest.Deposit(addr(from), 1+r.Uint64N(2_000*yuan), fmt.Sprintf("r-%d", r.Uint64()))))
				continue
			}
			txs = append(txs, c.tx(from, apptest.Transfer(addr(to), 1+r.Uint64N(800*yuan))))
		}
		c.block(at.Sub(c.at), txs...)
	}
	for i := range 4 {
		randomBlock(c.at.Add(time.Duration(1+i) * time.Second))
	}
	endOfDay := time.Date(2025, 1, 1, 15, 59, 58, 0, time.UTC) // 23:59:58 in UTC+8
	randomBlock(endOfDay)
	randomBlock(endOfDay.Add(3 * time.Second))
	endOfYear := time.Date(2025, 12, 31, 15, 59, 59, 0, time.UTC)
	randomBlock(endOfYear)
	for i := range 4 {
		randomBlock(endOfYear.Add(time.Duration(1+i) * time.Second))
	}
	goldenCredit(c, bank, rotated, key("checker"), w, n0, n3, func() { goldenCollect(c, bank, rotated, auditor, regulator, n0, n3) })

	// Wallet security (appended, so that the heights before are those of
	// chains that never use it): a recovery that completes and one the
	// wallet's key cancels, a key rotation, a second factor (a large
	// payment with both signatures and refused with one, a removal that
	// waits the delay), a sub-wallet opened, funded, paying, stopped,
	// resumed, swept and closed.
	recovered, thief, rotatedKey, token, sub := key("recovered"), key("thief"), key("rotated"), key("token"), key("sub-1")
	cny := func(v uint64) uint64 { return v * yuan }
	c.block(0,
		c.tx(bank, &walletv1.MsgRecoverWallet{Wallet: addr(n0).Bytes(), NewKey: addr(recovered).Bytes(), KycHash: apptest.KYCHash(addr(recovered))}),
		c.tx(rotated, &walletv1.MsgRecoverWallet{Wallet: addr(n3).Bytes(), NewKey: addr(thief).Bytes(), KycHash: apptest.KYCHash(addr(thief))}),
		c.tx(bank, &walletv1.MsgRecoverWallet{Wallet: addr(w[3]).Bytes(), NewKey: addr(w[4]).Bytes(), KycHash: apptest.KYCHash(addr(w[4]))}), // a wallet's key
		c.both(w[0], rotatedKey, &walletv1.MsgRotateKey{NewKey: addr(rotatedKey).Bytes()}),
		c.both(w[1], token, &walletv1.MsgSetSecondFactor{Key: addr(token).Bytes(), Denom: "CNY", Threshold: cny(100)}),
		c.tx(w[2], &walletv1.MsgOpenSubWallet{Owner: addr(sub).Bytes(), Denom: "CNY", Limits: &walletv1.Limits{PaymentLimit: cny(50)},
			Payees: [][]byte{addr(w[3]).Bytes()}}),
	)
	c.block(0,
		c.tx(n3, &walletv1.MsgCancelRecovery{Wallet: addr(n3).Bytes()}),
		c.bad(n0, apptest.Transfer(addr(w[5]), 1)),   // receive only while recovering
		c.bad(w[0], apptest.Transfer(addr(w[5]), 1)), // replaced
		c.tx(rotatedKey, apptest.Transfer(addr(w[5]), cny(1))),
		c.bad(w[1], apptest.Transfer(addr(w[5]), cny(150))), // needs the token
		c.both(w[1], token, apptest.Transfer(addr(w[5]), cny(150))),
		c.tx(w[2], apptest.Transfer(addr(sub), cny(80))),
	)
	c.block(0,
		c.tx(w[1], &walletv1.MsgRemoveSecondFactor{}),
		c.bad(sub, apptest.Transfer(addr(w[5]), cny(1))),  // not a payee
		c.bad(sub, apptest.Transfer(addr(w[3]), cny(60))), // over its payment limit
		c.tx(sub, apptest.Transfer(addr(w[3]), cny(40))),
		c.tx(w[2], &walletv1.MsgFreezeSubWallet{Wallet: addr(sub).Bytes()}),
	)
	c.block(0,
		c.bad(sub, apptest.Transfer(addr(w[3]), cny(1))), // stopped
		c.tx(w[2], &walletv1.MsgFreezeSubWallet{Wallet: addr(sub).Bytes(), Unfreeze: true}),
		c.tx(w[2], &walletv1.MsgSetSubWallet{Wallet: addr(sub).Bytes(), Denom: "CNY", Limits: &walletv1.Limits{PaymentLimit: cny(20)}}),
		c.tx(w[2], &walletv1.MsgSweepSubWallet{Wallet: addr(sub).Bytes(), Denom: "CNY", Amount: cny(10)}),
	)
	// After the delay: the recovery completes and the removal takes effect
	// at the start of the block; the new key signs.
	c.block(48*time.Hour,
		// Its nonce is the wallet's: the key is not yet the wallet's at the
		// last commit.
		c.h.Sign(recovered, c.h.Wallet(addr(n0)).Nonce, apptest.Transfer(addr(w[5]), cny(2))),
		c.tx(w[1], apptest.Transfer(addr(w[5]), cny(150))),
		c.tx(w[2], apptest.CloseWallet(addr(sub))),
	)
	goldenSettle(c, bank, rotated)
	c.checkCoverage(map[uint64]govv1.ProposalStatus{
		1: govv1.ProposalStatus_PROPOSAL_STATUS_EXECUTED, 2: govv1.ProposalStatus_PROPOSAL_STATUS_EXECUTED,
		3: govv1.ProposalStatus_PROPOSAL_STATUS_EXECUTED, 4: govv1.ProposalStatus_PROPOSAL_STATUS_REJECTED,
		5: govv1.ProposalStatus_PROPOSAL_STATUS_EXECUTED, 6: govv1.ProposalStatus_PROPOSAL_STATUS_FAILED,
		7: govv1.ProposalStatus_PROPOSAL_STATUS_EXECUTED, 8: govv1.ProposalStatus_PROPOSAL_STATUS_EXECUTED,
		9: govv1.ProposalStatus_PROPOSAL_STATUS_EXECUTED, 10: govv1.ProposalStatus_PROPOSAL_STATUS_EXECUTED,
		11: govv1.ProposalStatus_PROPOSAL_STATUS_EXECUTED, 12: govv1.ProposalStatus_PROPOSAL_STATUS_EXECUTED,
	}, addr(n2))
	checkEventIndex(t, c.events)
	checkProvable(t, h)
	return c.out.String(), h.Store.EncodedCacheStats()
}

// checkProvable fails if any store holds a key with an empty value: ICS23
// proves neither such a key nor the absence of a key next to it, so every
// index mark must hold a byte.
func checkProvable(t *testing.T, h *apptest.Harness) {
	t.Helper()
	v, err := h.Store.Version(0)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range app.StoreNames {
		r, err := v.Reader(name)
		if err != nil {
			t.Fatal(err)
		}
		store.Each(r, nil, nil, false, func(k, val []byte) bool {
			if len(val) == 0 {
				t.Errorf("store %s key %x has an empty value, which no proof can cover", name, k)
			}
			return true
		})
	}
}

// checkEventIndex fails unless every event the chain emitted is declared
// (by a module or the app's pipeline), carries only declared attributes
// in the declared order, and has exactly the declared ones indexed; and
// unless every declared event was emitted at least once, so that the
// check covers them all. Memos, reasons and history entries are never
// indexed: CometBFT would keep a search index of free text and base64.
func checkEventIndex(t *testing.T, events []abci.Event) {
	t.Helper()
	declared := map[string]module.Event{}
	for _, e := range app.PipelineEvents {
		declared[e.Type] = e
	}
	for _, m := range app.Modules().Modules() {
		for _, e := range m.Events {
			declared[e.Type] = e
		}
	}
	for _, typ := range slices.Sorted(maps.Keys(declared)) {
		d := declared[typ]
		for _, k := range d.Indexed {
			if !slices.Contains(d.Attrs, k) {
				t.Errorf("event %q: indexed attribute %q is not among its attributes %v", d.Type, k, d.Attrs)
			}
		}
	}
	seen := map[string]bool{}
	for _, ev := range events {
		d, ok := declared[ev.Type]
		if !ok {
			t.Errorf("event %q is emitted but no module declares it (module.Module.Events)", ev.Type)
			continue
		}
		seen[ev.Type] = true
		next := 0
		for _, a := range ev.Attributes {
			i := slices.Index(d.Attrs[next:], a.Key)
			if i < 0 {
				t.Errorf("event %q: attribute %q is not declared, or out of the declared order %v", ev.Type, a.Key, d.Attrs)
				continue
			}
			next += i + 1
			if want := slices.Contains(d.Indexed, a.Key); a.Index != want {
				t.Errorf("event %q: attribute %q indexed = %v, declared %v", ev.Type, a.Key, a.Index, want)
			}
			if a.Index && slices.Contains([]string{"memo", "reason", "entry", "kyc_hash"}, a.Key) {
				t.Errorf("event %q: free text or encoded data %q is indexed", ev.Type, a.Key)
			}
		}
	}
	// The golden chain's binary has no upgrade to run: TestUpgradeHaltsThenRuns
	// checks the upgrade event.
	seen[app.EventUpgrade] = true
	for _, typ := range slices.Sorted(maps.Keys(declared)) {
		if !seen[typ] {
			t.Errorf("event %q is declared but the golden chain never emits it: extend the scenario", typ)
		}
	}
}

// checkCoverage fails unless the scenario did what it claims: the
// proposals ended as want, and closed is closed.
func (c *goldenChain) checkCoverage(want map[uint64]govv1.ProposalStatus, closed common.Address) {
	c.t.Helper()
	v, err := c.h.Store.Version(0)
	if err != nil {
		c.t.Fatal(err)
	}
	r, err := v.Reader(gov.StoreName)
	if err != nil {
		c.t.Fatal(err)
	}
	g := gov.NewView(r)
	for id := uint64(1); id <= g.LastID(); id++ {
		p, _ := g.Proposal(id)
		if p.Status != want[id] {
			c.t.Errorf("golden scenario: proposal %d (%s) is %s, the scenario means it to be %s (failure code %d)", id, gov.ActionName(p.Action),
				p.Status, want[id], p.FailureCode)
		}
	}
	if g.LastID() != uint64(len(want)) {
		c.t.Errorf("golden scenario: %d proposals, the scenario means %d", g.LastID(), len(want))
	}
	if w := c.h.Wallet(closed); w == nil || !w.Closed {
		c.t.Errorf("golden scenario: wallet %s is not closed: %v", closed, w)
	}
}

// goldenCredit runs the credit module through every message, the sweep's
// date-driven work over two months (reminders, due dates, overdue
// notices, auto-debit pulls), its refusals, four-eyes proposals,
// restructuring, assignment to other-bank and the loans' ends. demo-bank
// lends from w[0]; other-bank (operator rotated) buys a loan into w[5].
//
// collection runs between the write-off of loan 3 and its settlement.
func goldenCredit(c *goldenChain, bank, other, checker *ecdsa.PrivateKey, w []*ecdsa.PrivateKey, n0, n3 *ecdsa.PrivateKey, collection func()) {
	addr := apptest.Address
	yuan := uint64(100)
	noon := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 4, 0, 0, 0, time.UTC) } // 12:00 in UTC+8
	step := func(t time.Time, txs ...[]byte) { c.block(t.Sub(c.at), txs...) }
	hash := func(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }
	terms := func(kind creditv1.LineKind, method creditv1.Method, accrual creditv1.Accrual) *creditv1.Terms {
		return &creditv1.Terms{Kind: kind, Denom: "CNY", RateBps: 1200, PenaltyRateBps: 600, Method: method, Accrual: accrual,
			Basis: 360, TermMonths: 6, GraceDays: 1, AutodebitRetryDays: 1, Treasury: addr(w[0]).Bytes()}
	}
	product := func(id string, t *creditv1.Terms) *creditv1.MsgSetCreditProduct {
		return &creditv1.MsgSetCreditProduct{Id: id, Name: id, Terms: t, MinLimit: 100 * yuan, MaxLimit: 50_000 * yuan,
			MinTermMonths: 1, MaxTermMonths: 12, MaxRateBps: 1500}
	}
	installment := product("installment", terms(creditv1.LineKind_LINE_KIND_INSTALLMENT, creditv1.Method_METHOD_EQUAL_INSTALLMENTS, creditv1.Accrual_ACCRUAL_MONTHLY))
	revolving := product("revolving", terms(creditv1.LineKind_LINE_KIND_REVOLVING, creditv1.Method_METHOD_EQUAL_PRINCIPAL, creditv1.Accrual_ACCRUAL_DAILY))
	usurious := product("usurious", terms(creditv1.LineKind_LINE_KIND_BULLET, creditv1.Method_METHOD_BULLET, creditv1.Accrual_ACCRUAL_MONTHLY))
	usurious.Terms.RateBps, usurious.MaxRateBps = 2000, 2000
	expires := noon(2, 27).Unix()
	offer := func(product string, who *ecdsa.PrivateKey, limit uint64, autodebit bool) *creditv1.MsgOfferLine {
		return &creditv1.MsgOfferLine{Product: product, Borrower: addr(who).Bytes(), Denom: "CNY", Limit: limit, Expires: expires,
			ContractHash: hash("contract " + product), Subject: hash("subject " + addr(who).Hex()), Autodebit: autodebit}
	}
	accept := func(line uint64, limit uint64, autodebit bool, product string) *creditv1.MsgAcceptLine {
		return &creditv1.MsgAcceptLine{Line: line, Denom: "CNY", Limit: limit, RateBps: 1200, PenaltyRateBps: 600, TermMonths: 6,
			ContractHash: hash("contract " + product), Autodebit: autodebit}
	}
	later := noon(3, 10).Unix()

	// Products, one over the rate cap; offers, one out of range; money for
	// the borrowers.
	step(noon(1, 30),
		c.tx(bank, installment), c.tx(bank, revolving), c.bad(bank, usurious),
		c.tx(bank, offer("installment", n0, 3_000*yuan, true)),
		c.tx(bank, offer("revolving", n3, 2_000*yuan, false)),
		c.bad(bank, offer("installment", n3, 60_000*yuan, false)), // over the product's limit
		c.tx(bank, offer("revolving", w[1], 1_000*yuan, false)),   // lapses unaccepted
		c.tx(bank, apptest.Deposit(addr(n0), 1_000*yuan, "credit-g-1")),
	)
	// Acceptance, one with the wrong terms; draws, one over the limit.
	step(noon(1, 31),
		c.tx(n0, accept(1, 3_000*yuan, true, "installment")),
		c.bad(n3, accept(2, 2_000*yuan, true, "installment")), // the line is another product's: terms differ
		c.tx(n3, accept(2, 2_000*yuan, false, "revolving")),
	)
	step(noon(1, 31).Add(time.Minute),
		c.tx(n0, &creditv1.MsgDrawLoan{Line: 1, Denom: "CNY", Amount: 3_000 * yuan}),
		c.tx(n3, &creditv1.MsgDrawLoan{Line: 2, Denom: "CNY", Amount: 500 * yuan, TermMonths: 3}),
		c.bad(n3, &creditv1.MsgDrawLoan{Line: 2, Denom: "CNY", Amount: 1_600 * yuan}), // over the limit
		c.tx(bank, &creditv1.MsgSetLine{Line: 2, Action: creditv1.LineAction_LINE_ACTION_FREEZE, Reason: "review"}),
	)
	step(noon(2, 1),
		c.bad(n3, &creditv1.MsgDrawLoan{Line: 2, Denom: "CNY", Amount: 100 * yuan}), // frozen
		c.tx(bank, &creditv1.MsgSetLine{Line: 2, Action: creditv1.LineAction_LINE_ACTION_UNFREEZE, Reason: "reviewed"}),
	)
	step(noon(2, 2), c.tx(bank, &creditv1.MsgSetLine{Line: 2, Action: creditv1.LineAction_LINE_ACTION_REDUCE, Denom: "CNY", Limit: 1_500 * yuan, Reason: "income"}))
	// Reminders; on the due date n0's installment is pulled, n3's is not
	// paid; the day after the grace day, n3's notice.
	step(noon(2, 25))
	step(noon(2, 28))
	step(noon(3, 2))
	step(noon(3, 3),
		c.tx(n3, &creditv1.MsgRepayLoan{Loan: 2, Denom: "CNY", Amount: 1}),
		c.tx(w[2], &creditv1.MsgRepayLoan{Loan: 2, Denom: "CNY", Amount: 100 * yuan}), // a guarantor, more than due
		c.tx(n0, &creditv1.MsgPrepayLoan{Loan: 1, Denom: "CNY", Amount: 500 * yuan}),
		c.tx(n0, &creditv1.MsgRevokeAutoDebit{Loan: 1}),
	)
	// Four eyes: a manual class and a discount by bank's first operator,
	// approved by the second; the maker cannot approve.
	step(noon(3, 4),
		c.tx(bank, &creditv1.MsgClassifyLoan{Loan: 2, Class: creditv1.Class_CLASS_SUBSTANDARD, Reason: "income lost", Expires: later}),
		c.tx(bank, &creditv1.MsgOfferDiscount{Loan: 2, Denom: "CNY", Amount: 300 * yuan, Reason: "hardship", Expires: later}),
		c.tx(bank, &creditv1.MsgRestructureLoan{Loan: 1, TermMonths: 9, RateBps: 1000, Method: creditv1.Method_METHOD_EQUAL_PRINCIPAL,
			Reason: "job change", ContractHash: hash("restructure"), Expires: later}),
		c.tx(n0, &creditv1.MsgAuthorizeAutoDebit{Loan: 1}),
	)
	step(noon(3, 5),
		c.bad(bank, &creditv1.MsgApproveLoanAction{Loan: 2, Pending: 1}), // the maker
		c.tx(checker, &creditv1.MsgApproveLoanAction{Loan: 2, Pending: 1}),
		c.tx(checker, &creditv1.MsgApproveLoanAction{Loan: 2, Pending: 2}),
		c.tx(checker, &creditv1.MsgApproveLoanAction{Loan: 1, Pending: 1}),
		c.tx(n0, &creditv1.MsgAcceptRestructure{Loan: 1, Pending: 1, TermMonths: 9, RateBps: 1000,
			Method: creditv1.Method_METHOD_EQUAL_PRINCIPAL, ContractHash: hash("restructure")}),
	)
	step(noon(3, 6),
		c.tx(n3, &creditv1.MsgSettleLoan{Loan: 2, Denom: "CNY", MaxAmount: 300 * yuan}),
		c.tx(bank, &creditv1.MsgSetLine{Line: 2, Action: creditv1.LineAction_LINE_ACTION_CLOSE, Reason: "settled"}),
		c.bad(n0, &creditv1.MsgDrawLoan{Line: 1, Denom: "CNY", Amount: 1}), // an installment line draws once
	)
	// Loan 1 is sold to other-bank; its next installment is paid to the
	// buyer; then it is written off and settled with assets.
	step(noon(3, 7),
		c.tx(bank, &creditv1.MsgAssignLoan{Loan: 1, To: apptest.OtherIssuer, Denom: "CNY", Price: 2_000 * yuan, ContractHash: hash("sale")}),
	)
	step(noon(3, 8), c.tx(other, &creditv1.MsgAcceptAssignment{Loan: 1, Denom: "CNY", Price: 2_000 * yuan, Treasury: addr(w[5]).Bytes()}))
	step(noon(3, 9), c.tx(other, &creditv1.MsgNotifyAssignment{Loan: 1, NoticeHash: hash("notice")}))
	step(noon(4, 10))
	step(noon(5, 20),
		c.tx(other, &creditv1.MsgWriteOffLoan{Loan: 3, Reason: "no contact", Expires: noon(5, 25).Unix()}),
	)
	collection()
	step(noon(5, 21),
		c.tx(other, &creditv1.MsgPayWithAssets{Loan: 3, Denom: "CNY", Value: 1, Reference: "car"}),
	)
	// The credit report: a second wallet of n3's person, a consent, an
	// enquiry (and one without consent), a dispute and its answer.
	subjectN3 := hash("subject " + addr(n3).Hex())
	feb := calendar.Zone{UTCOffset: 8 * 3600}.Day(noon(2, 15).Unix())
	step(noon(6, 2),
		c.tx(bank, &creditv1.MsgAttestSubject{Wallet: addr(w[2]).Bytes(), Subject: subjectN3}),
		c.tx(n3, &creditv1.MsgGrantConsent{Lender: apptest.Issuer, Purpose: creditv1.Purpose_PURPOSE_LOAN_APPROVAL, Expires: noon(6, 20).Unix()}),
		c.bad(other, &creditv1.MsgEnquire{Subject: subjectN3, Purpose: creditv1.Purpose_PURPOSE_LOAN_APPROVAL}), // no consent
		c.tx(bank, &creditv1.MsgEnquire{Subject: subjectN3, Purpose: creditv1.Purpose_PURPOSE_LOAN_APPROVAL}),
		c.tx(w[2], &creditv1.MsgDispute{Loan: 2, Month: int64(feb), Reason: "paid on time", EvidenceHash: hash("statement")}),
	)
	step(noon(6, 3), c.tx(bank, &creditv1.MsgAnswerDispute{Dispute: 1, Answer: "the statement shows the payment late"}))
}

// goldenSettle settles demo-bank's and other-bank's positions bilaterally
// (the golden genesis names no settlement agent): the cycle closed, the
// payment disputed and made again, confirmed; issuance re-attributed.
// other is other-bank's operator.
func goldenSettle(c *goldenChain, bank, other *ecdsa.PrivateKey) {
	payer, payee := bank, other
	if c.h.Position(apptest.Issuer).Neg {
		payer, payee = other, bank
	}
	c.block(0,
		c.bad(bank, &settlev1.MsgCloseCycle{Denom: "CNY"}), // no agent
		c.tx(bank, &settlev1.MsgCloseCycle{Denom: "CNY", With: apptest.OtherIssuer}),
	)
	c.block(0, c.tx(payer, &settlev1.MsgPaySettlement{Cycle: 1, Leg: 0, Reference: "HV-1"}))
	c.block(0,
		c.tx(payee, &settlev1.MsgDisputeSettlement{Cycle: 1, Leg: 0, Reason: "HV-1 not received"}),
		c.bad(payee, &settlev1.MsgConfirmSettlement{Cycle: 1, Leg: 0}), // disputed
	)
	c.block(0,
		c.tx(payer, &settlev1.MsgPaySettlement{Cycle: 1, Leg: 0, Reference: "HV-2"}),
		c.tx(payee, &settlev1.MsgConfirmSettlement{Cycle: 1, Leg: 0}),
	)
	if p := c.h.Position(apptest.Issuer); !p.IsZero() {
		c.t.Errorf("golden scenario: demo-bank's position after settling is %s", p)
	}
}
