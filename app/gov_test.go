package app_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"slices"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/app/apptest"
	amlv1 "github.com/ledgerd/ledgerd/proto/ledgerd/aml/v1"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/aml"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/gov"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// govChain drives governance on the harness: four active members
// (demo-bank, other-bank, auditor, regulator), so 3 yes votes pass.
type govChain struct {
	t      *testing.T
	h      *apptest.Harness
	nonces map[*ecdsa.PrivateKey]uint64
	keys   map[string]*ecdsa.PrivateKey
}

func newGovChain(t *testing.T, opts apptest.Options) *govChain {
	h := apptest.New(t, opts)
	h.Block()
	return &govChain{t: t, h: h, nonces: map[*ecdsa.PrivateKey]uint64{}, keys: map[string]*ecdsa.PrivateKey{
		apptest.Issuer: h.IssuerKey(), apptest.OtherIssuer: h.OtherIssuerKey(),
		apptest.Auditor: h.AuditorKey(), apptest.Regulator: h.RegulatorKey(),
	}}
}

// tx signs msg by member's operator with its next nonce (consumed only if
// the transaction succeeds: the caller says so with the result).
func (c *govChain) tx(member string, msg apptest.Msg) []byte {
	key := c.keys[member]
	return c.h.Sign(key, c.nonces[key], msg)
}

// block runs txs (each by the member named beside it) and returns the
// results and the block's response; nonces advance for successful ones.
func (c *govChain) block(at time.Time, txs ...any) ([]*abci.ExecTxResult, *abci.ResponseFinalizeBlock) {
	c.t.Helper()
	var raw [][]byte
	var signers []*ecdsa.PrivateKey
	for i := 0; i < len(txs); i += 2 {
		member := txs[i].(string)
		raw = append(raw, c.tx(member, txs[i+1].(apptest.Msg)))
		signers = append(signers, c.keys[member])
		c.nonces[c.keys[member]]++ // provisional, for the next tx of the same signer in this block
	}
	if at.IsZero() {
		at = c.h.NextTime()
	}
	resp := c.h.FinalizeBlockAt(at, raw...)
	c.h.Commit()
	for i, r := range resp.TxResults {
		if r.Code != 0 {
			// A failed transaction does not use its nonce; later ones of
			// the same signer in this block then failed too (nonce gap).
			c.nonces[signers[i]]--
		}
	}
	return resp.TxResults, resp
}

func (c *govChain) mustBlock(txs ...any) *abci.ResponseFinalizeBlock {
	c.t.Helper()
	rs, resp := c.block(time.Time{}, txs...)
	mustOK(c.t, rs)
	return resp
}

func (c *govChain) proposal(id uint64) *govv1.Proposal {
	c.t.Helper()
	p, ok := gov.NewView(c.reader(gov.StoreName)).Proposal(id)
	if !ok {
		c.t.Fatalf("proposal %d not found", id)
	}
	return p
}

func (c *govChain) member(id string) *consortiumv1.Member {
	c.t.Helper()
	m, err := consortium.NewView(c.reader(consortium.StoreName)).Member(id)
	if err != nil {
		c.t.Fatal(err)
	}
	return m
}

func (c *govChain) reader(name string) store.Reader {
	c.t.Helper()
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

func (c *govChain) propose(a *govv1.Action) *govv1.MsgSubmitProposal {
	doc := sha256.Sum256([]byte("agreement"))
	return &govv1.MsgSubmitProposal{Title: "change", Description: "per the agreement", DocumentHash: doc[:],
		VotingEnd: c.h.LastTime().Unix() + 2*3600, Action: a}
}

func vote(id uint64, o govv1.VoteOption) *govv1.MsgVote {
	return &govv1.MsgVote{ProposalId: id, Option: o}
}

const (
	yes     = govv1.VoteOption_VOTE_OPTION_YES
	no      = govv1.VoteOption_VOTE_OPTION_NO
	abstain = govv1.VoteOption_VOTE_OPTION_ABSTAIN
)

func setRoles(member string, roles ...consortiumv1.Role) *govv1.Action {
	return &govv1.Action{Kind: &govv1.Action_SetRoles{SetRoles: &govv1.SetRoles{MemberId: member, Roles: roles}}}
}

func setStatus(member string, s consortiumv1.MemberStatus, allow bool) *govv1.Action {
	return &govv1.Action{Kind: &govv1.Action_SetMemberStatus{SetMemberStatus: &govv1.SetMemberStatus{MemberId: member, Status: s, AllowConcentration: allow}}}
}

func setValidator(member string, key []byte, power int64, allow bool) *govv1.Action {
	return &govv1.Action{Kind: &govv1.Action_SetValidator{SetValidator: &govv1.SetValidator{MemberId: member, PubKey: key, Power: power, AllowConcentration: allow}}}
}

// TestGovPassesAtThreshold: with four active members a proposal needs 3 yes
// votes; two are not enough, a changed vote counts once, and the action
// executes at the end of the block in which the third arrives.
func TestGovPassesAtThreshold(t *testing.T) {
	c := newGovChain(t, apptest.Options{})
	lender := []consortiumv1.Role{consortiumv1.Role_ROLE_ISSUER, consortiumv1.Role_ROLE_LENDER}
	c.mustBlock(apptest.Issuer, c.propose(setRoles(apptest.OtherIssuer, lender...)))
	c.mustBlock(apptest.Issuer, vote(1, yes), apptest.OtherIssuer, vote(1, yes), apptest.Auditor, vote(1, no))
	if p := c.proposal(1); p.Status != govv1.ProposalStatus_PROPOSAL_STATUS_VOTING {
		t.Fatalf("passed with 2 of 4 yes: %v", p)
	}
	// The same vote again is refused; a changed vote replaces the first.
	rs, _ := c.block(time.Time{}, apptest.Issuer, vote(1, yes))
	wantExec(t, rs[0], gov.ErrAlreadyVoted)
	resp := c.mustBlock(apptest.Auditor, vote(1, yes))
	p := c.proposal(1)
	if p.Status != govv1.ProposalStatus_PROPOSAL_STATUS_EXECUTED || p.DecidedHeight != c.h.Height() {
		t.Fatalf("proposal after the third yes: %v", p)
	}
	if tl := p.FinalTally; tl.Yes != 3 || tl.No != 0 || tl.Eligible != 4 || tl.Needed != 3 {
		t.Fatalf("final tally %v", tl)
	}
	if got := c.member(apptest.OtherIssuer).Roles; !slices.Equal(got, lender) {
		t.Fatalf("roles %v", got)
	}
	if !hasBlockEvent(resp.Events, "gov_proposal", "status", "executed") {
		t.Fatalf("no executed event in %v", resp.Events)
	}
	// Decided: no more votes.
	rs, _ = c.block(time.Time{}, apptest.Regulator, vote(1, yes))
	wantExec(t, rs[0], gov.ErrVotingClosed)
}

// TestGovDeadline: a proposal without enough votes is rejected once its
// deadline is before the block time; votes after it are refused.
func TestGovDeadline(t *testing.T) {
	c := newGovChain(t, apptest.Options{})
	c.mustBlock(apptest.Issuer, c.propose(setRoles(apptest.Auditor, consortiumv1.Role_ROLE_AUDITOR, consortiumv1.Role_ROLE_REGULATOR)))
	end := c.proposal(1).VotingEnd
	c.mustBlock(apptest.Issuer, vote(1, yes), apptest.OtherIssuer, vote(1, yes))
	rs, _ := c.block(time.Unix(end+1, 0), apptest.Auditor, vote(1, yes))
	wantExec(t, rs[0], gov.ErrVotingClosed)
	p := c.proposal(1)
	if p.Status != govv1.ProposalStatus_PROPOSAL_STATUS_REJECTED || p.FinalTally.Yes != 2 {
		t.Fatalf("after the deadline: %v", p)
	}
	if got := c.member(apptest.Auditor).Roles; len(got) != 1 {
		t.Fatalf("rejected proposal changed the roles: %v", got)
	}
}

// TestGovSuspendedMember: a suspended member's operators cannot propose
// or vote, its earlier vote no longer counts, and it is not eligible; a
// proposal by a non-member is refused.
func TestGovSuspendedMember(t *testing.T) {
	c := newGovChain(t, apptest.Options{})
	c.mustBlock(apptest.Issuer, c.propose(setRoles(apptest.Regulator, consortiumv1.Role_ROLE_AUDITOR, consortiumv1.Role_ROLE_REGULATOR)))
	c.mustBlock(apptest.Regulator, vote(1, yes))
	c.mustBlock(apptest.Issuer, c.propose(setStatus(apptest.Regulator, consortiumv1.MemberStatus_MEMBER_STATUS_SUSPENDED, false)))
	c.mustBlock(apptest.Issuer, vote(2, yes), apptest.OtherIssuer, vote(2, yes), apptest.Auditor, vote(2, yes))
	if m := c.member(apptest.Regulator); m.Status != consortiumv1.MemberStatus_MEMBER_STATUS_SUSPENDED {
		t.Fatalf("regulator %v", m)
	}
	rs, _ := c.block(time.Time{}, apptest.Regulator, vote(1, yes))
	wantExec(t, rs[0], consortium.ErrMemberInactive)
	// Three active members: 2 yes are needed (ceil(3*2/3)); the suspended
	// member's yes does not count.
	c.mustBlock(apptest.Issuer, vote(1, yes))
	p := c.proposal(1)
	tl := gov.TallyOf(consortium.NewView(c.reader(consortium.StoreName)), gov.NewView(c.reader(gov.StoreName)), p)
	if p.Status != govv1.ProposalStatus_PROPOSAL_STATUS_VOTING || tl.Yes != 1 || tl.Eligible != 3 || tl.Needed != 2 {
		t.Fatalf("proposal %v tally %v", p.Status, tl)
	}
	c.mustBlock(apptest.OtherIssuer, vote(1, yes))
	if p := c.proposal(1); p.Status != govv1.ProposalStatus_PROPOSAL_STATUS_EXECUTED {
		t.Fatalf("not executed: %v", p)
	}
	raw := c.h.Sign(c.h.WalletKey(0), 0, c.propose(setRoles(apptest.Auditor, consortiumv1.Role_ROLE_AUDITOR)))
	wantExec(t, c.h.Block(raw)[0], auth.ErrUnknownSigner)
}

// TestGovActionValidation: every action is checked against the state when
// proposed; an invalid one is refused with gov/3 and nothing is recorded.
func TestGovActionValidation(t *testing.T) {
	c := newGovChain(t, apptest.Options{Wallets: 1, Balance: 100})
	op := apptest.Address(c.h.IssuerKey()).Bytes()
	walletOwner := apptest.Address(c.h.WalletKey(0)).Bytes()
	key32 := bytes.Repeat([]byte{7}, 32)
	demoKey := c.member(apptest.Issuer).Validator.PubKey
	member := func(id string, mut func(m *consortiumv1.Member)) *govv1.Action {
		m := &consortiumv1.Member{Id: id, Name: "New Bank", Roles: []consortiumv1.Role{consortiumv1.Role_ROLE_ISSUER},
			Operators: [][]byte{bytes.Repeat([]byte{9}, 20)}, NodeIds: []string{"ab" + string(bytes.Repeat([]byte("c"), 38))}}
		if mut != nil {
			mut(m)
		}
		return &govv1.Action{Kind: &govv1.Action_AddMember{AddMember: &govv1.AddMember{Member: m}}}
	}
	walletParams := wallet.NewView(c.reader(wallet.StoreName)).Params()
	noCNY := &walletv1.Params{Denoms: []string{"USD"}, UtcOffsetSeconds: walletParams.UtcOffsetSeconds}
	for _, tc := range []struct {
		name   string
		action *govv1.Action
	}{
		{"add: existing id", member(apptest.OtherIssuer, nil)},
		{"add: bad id", member("Bank_5", nil)},
		{"add: no roles", member("bank-5", func(m *consortiumv1.Member) { m.Roles = nil })},
		{"add: operator of another member", member("bank-5", func(m *consortiumv1.Member) { m.Operators = [][]byte{op} })},
		{"add: operator owns a wallet", member("bank-5", func(m *consortiumv1.Member) { m.Operators = [][]byte{walletOwner} })},
		{"add: node of another member", member("bank-5", func(m *consortiumv1.Member) {
			m.NodeIds = []string{"0123456789abcdef0123456789abcdef01234567"}
		})},
		{"add: bad node id", member("bank-5", func(m *consortiumv1.Member) { m.NodeIds = []string{"xyz"} })},
		{"add: validator key of another member", member("bank-5", func(m *consortiumv1.Member) {
			m.Validator = &consortiumv1.Validator{PubKey: demoKey, Power: 10}
		})},
		{"status: unknown member", setStatus("nobody", consortiumv1.MemberStatus_MEMBER_STATUS_SUSPENDED, false)},
		{"status: active already", setStatus(apptest.Auditor, consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE, false)},
		{"status: last validator removed", setStatus(apptest.Issuer, consortiumv1.MemberStatus_MEMBER_STATUS_REMOVED, false)},
		{"roles: unsorted", setRoles(apptest.Auditor, consortiumv1.Role_ROLE_REGULATOR, consortiumv1.Role_ROLE_AUDITOR)},
		{"validator: negative power", setValidator(apptest.OtherIssuer, key32, -1, false)},
		{"validator: short key", setValidator(apptest.OtherIssuer, key32[:31], 10, false)},
		{"validator: none left", setValidator(apptest.Issuer, demoKey, 0, false)},
		{"validator: concentration", setValidator(apptest.OtherIssuer, key32, 10, false)},
		{"wallet params: denom removed", &govv1.Action{Kind: &govv1.Action_SetWalletParams{SetWalletParams: &govv1.SetWalletParams{Params: noCNY}}}},
		{"gov params: half is not a majority", &govv1.Action{Kind: &govv1.Action_SetGovParams{SetGovParams: &govv1.SetGovParams{
			Params: &govv1.Params{ThresholdNumerator: 1, ThresholdDenominator: 2, MinVotingPeriodSeconds: 60, MaxVotingPeriodSeconds: 3600, MaxOpenProposals: 5}}}}},
		{"move wallets: to an auditor", &govv1.Action{Kind: &govv1.Action_MoveWallets{MoveWallets: &govv1.MoveWallets{
			Wallets: [][]byte{walletOwner}, ToBank: apptest.Auditor}}}},
		{"move wallets: unknown wallet", &govv1.Action{Kind: &govv1.Action_MoveWallets{MoveWallets: &govv1.MoveWallets{
			Wallets: [][]byte{bytes.Repeat([]byte{5}, 20)}, ToBank: apptest.OtherIssuer}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCheck(t, c.h.CheckTx(c.tx(apptest.Issuer, c.propose(tc.action))), gov.ErrInvalidAction)
			rs, _ := c.block(time.Time{}, apptest.Issuer, c.propose(tc.action))
			wantExec(t, rs[0], gov.ErrInvalidAction)
			if _, ok := gov.NewView(c.reader(gov.StoreName)).Proposal(1); ok {
				t.Fatal("a refused proposal was recorded")
			}
		})
	}
	// Stateless checks.
	bad := c.propose(setRoles(apptest.Auditor, consortiumv1.Role_ROLE_AUDITOR))
	bad.Title = " "
	wantCheck(t, c.h.CheckTx(c.tx(apptest.Issuer, bad)), gov.ErrInvalidProposal)
	wantCheck(t, c.h.CheckTx(c.tx(apptest.Issuer, vote(1, govv1.VoteOption(9)))), gov.ErrInvalidVote)
	late := c.propose(setRoles(apptest.Auditor, consortiumv1.Role_ROLE_AUDITOR))
	late.VotingEnd = c.h.LastTime().Unix() + 60 // under the minimum voting period
	wantCheck(t, c.h.CheckTx(c.tx(apptest.Issuer, late)), gov.ErrInvalidProposal)
}

// TestGovValidatorsAndMembers: a new member with a validator is admitted;
// the block returns its validator update; its node is admitted as a peer.
// A failed execution leaves the proposal failed with the reason and
// changes nothing; a removed member's nodes are refused and its
// operators can no longer sign.
func TestGovValidatorsAndMembers(t *testing.T) {
	c := newGovChain(t, apptest.Options{})
	newKey := bytes.Repeat([]byte{0x42}, 32)
	node := "fedcba9876543210fedcba9876543210fedcba98"
	newOp := bytes.Repeat([]byte{0x33}, 20)
	add := &govv1.Action{Kind: &govv1.Action_AddMember{AddMember: &govv1.AddMember{Member: &consortiumv1.Member{
		Id: "bank-5", Name: "Bank Five", Roles: []consortiumv1.Role{consortiumv1.Role_ROLE_ISSUER},
		Operators: [][]byte{newOp}, NodeIds: []string{node}}}}}
	// Two proposals admitting the same member: the second fails at execution.
	c.mustBlock(apptest.Issuer, c.propose(add))
	c.mustBlock(apptest.Issuer, c.propose(add))
	wantQuery(t, c.h.Query(app.QueryPeerFilterID+node, nil, 0, false), consortium.ErrNodeNotMember)
	c.mustBlock(apptest.Issuer, vote(1, yes), apptest.OtherIssuer, vote(1, yes), apptest.Auditor, vote(1, yes))
	wantQuery(t, c.h.Query(app.QueryPeerFilterID+node, nil, 0, false), ok)
	// Five members now: 4 yes needed.
	c.mustBlock(apptest.Issuer, vote(2, yes), apptest.OtherIssuer, vote(2, yes), apptest.Auditor, vote(2, yes))
	if p := c.proposal(2); p.Status != govv1.ProposalStatus_PROPOSAL_STATUS_VOTING {
		t.Fatalf("passed with 3 of 5: %v", p)
	}
	resp := c.mustBlock(apptest.Regulator, vote(2, yes))
	// The record keeps the registered error; the text is in the block's event.
	if p := c.proposal(2); p.Status != govv1.ProposalStatus_PROPOSAL_STATUS_FAILED ||
		p.FailureCodespace != gov.ErrInvalidAction.Codespace || p.FailureCode != gov.ErrInvalidAction.Code {
		t.Fatalf("second admission: %v", p)
	}
	if reason, _ := eventAttr(resp.Events, gov.EventProposal, "reason"); !strings.Contains(reason, "already exists") {
		t.Fatalf("second admission's failure event says %q", reason)
	}

	// A validator for bank-5.
	c.mustBlock(apptest.Issuer, c.propose(setValidator("bank-5", newKey, 10, true)))
	resp = c.mustBlock(apptest.Issuer, vote(3, yes), apptest.OtherIssuer, vote(3, yes), apptest.Auditor, vote(3, yes), apptest.Regulator, vote(3, yes))
	if len(resp.ValidatorUpdates) != 1 || resp.ValidatorUpdates[0].Power != 10 ||
		!bytes.Equal(resp.ValidatorUpdates[0].PubKey.GetEd25519(), newKey) {
		t.Fatalf("validator updates %v", resp.ValidatorUpdates)
	}

	// Remove bank-5: its validator goes, its node and operator are refused.
	c.mustBlock(apptest.Issuer, c.propose(setStatus("bank-5", consortiumv1.MemberStatus_MEMBER_STATUS_REMOVED, true)))
	resp = c.mustBlock(apptest.Issuer, vote(4, yes), apptest.OtherIssuer, vote(4, yes), apptest.Auditor, vote(4, yes), apptest.Regulator, vote(4, yes))
	if len(resp.ValidatorUpdates) != 1 || resp.ValidatorUpdates[0].Power != 0 {
		t.Fatalf("validator updates on removal %v", resp.ValidatorUpdates)
	}
	wantQuery(t, c.h.Query(app.QueryPeerFilterID+node, nil, 0, false), consortium.ErrNodeNotMember)
	if m := c.member("bank-5"); m.Status != consortiumv1.MemberStatus_MEMBER_STATUS_REMOVED || len(m.Operators) != 0 {
		t.Fatalf("removed member %v", m)
	}
	if op, _ := consortium.NewView(c.reader(consortium.StoreName)).Operator(common20(newOp)); op.MemberId != "" {
		t.Fatalf("removed member's operator still operates for %q", op.MemberId)
	}
}

func common20(b []byte) (a [20]byte) { copy(a[:], b); return }

func hasBlockEvent(events []abci.Event, kind, key, value string) bool {
	for _, e := range events {
		if e.Type != kind {
			continue
		}
		for _, a := range e.Attributes {
			if a.Key == key && a.Value == value {
				return true
			}
		}
	}
	return false
}

// TestGovParamsRotationAndMoves: parameter changes, operator and node
// rotation, and moving wallets to another bank take effect when executed.
func TestGovParamsRotationAndMoves(t *testing.T) {
	c := newGovChain(t, apptest.Options{Wallets: 2, Balance: 1_000})
	pass := func(a *govv1.Action) {
		t.Helper()
		c.mustBlock(apptest.Issuer, c.propose(a))
		id := gov.NewView(c.reader(gov.StoreName)).LastID()
		c.mustBlock(apptest.Issuer, vote(id, yes), apptest.OtherIssuer, vote(id, yes), apptest.Auditor, vote(id, yes))
		if p := c.proposal(id); p.Status != govv1.ProposalStatus_PROPOSAL_STATUS_EXECUTED {
			t.Fatalf("proposal %d: %v (failure code %d)", id, p.Status, p.FailureCode)
		}
	}
	// Wallet parameters: a tier-2 balance cap.
	wp := proto.Clone(wallet.NewView(c.reader(wallet.StoreName)).Params()).(*walletv1.Params) // the view's is shared
	wp.Limits[0].Tiers[0].Limits.BalanceCap = 123_456
	pass(&govv1.Action{Kind: &govv1.Action_SetWalletParams{SetWalletParams: &govv1.SetWalletParams{Params: wp}}})
	if got := wallet.NewView(c.reader(wallet.StoreName)).Params().Limits[0].Tiers[0].Limits.BalanceCap; got != 123_456 {
		t.Fatalf("balance cap %d", got)
	}
	// Governance parameters: a unanimous threshold.
	gp := gov.DefaultParams()
	gp.ThresholdNumerator, gp.ThresholdDenominator = 1, 1
	pass(&govv1.Action{Kind: &govv1.Action_SetGovParams{SetGovParams: &govv1.SetGovParams{Params: gp}}})
	if got := gov.NewView(c.reader(gov.StoreName)).Params(); got.ThresholdNumerator != 1 {
		t.Fatalf("gov params %v", got)
	}
	gp.ThresholdNumerator, gp.ThresholdDenominator = 2, 3
	c.mustBlock(apptest.Issuer, c.propose(&govv1.Action{Kind: &govv1.Action_SetGovParams{SetGovParams: &govv1.SetGovParams{Params: gp}}}))
	id := gov.NewView(c.reader(gov.StoreName)).LastID()
	c.mustBlock(apptest.Issuer, vote(id, yes), apptest.OtherIssuer, vote(id, yes), apptest.Auditor, vote(id, yes))
	if p := c.proposal(id); p.Status != govv1.ProposalStatus_PROPOSAL_STATUS_VOTING {
		t.Fatalf("3 of 4 passed a unanimous threshold: %v", p.Status)
	}
	c.mustBlock(apptest.Regulator, vote(id, yes))

	// Node ids: demo-bank's node replaced.
	oldNode, newNode := "0123456789abcdef0123456789abcdef01234567", "1111111111111111111111111111111111111111"
	pass(&govv1.Action{Kind: &govv1.Action_SetNodeIds{SetNodeIds: &govv1.SetNodeIds{MemberId: apptest.Issuer, NodeIds: []string{newNode}}}})
	wantQuery(t, c.h.Query(app.QueryPeerFilterID+oldNode, nil, 0, false), consortium.ErrNodeNotMember)
	wantQuery(t, c.h.Query(app.QueryPeerFilterID+newNode, nil, 0, false), ok)
	// Operator rotation: other-bank's key is replaced; the old one can no
	// longer sign.
	newOp := bytes.Repeat([]byte{0x44}, 20)
	pass(&govv1.Action{Kind: &govv1.Action_SetOperators{SetOperators: &govv1.SetOperators{MemberId: apptest.OtherIssuer, Operators: [][]byte{newOp}}}})
	rs, _ := c.block(time.Time{}, apptest.OtherIssuer, vote(1, yes))
	wantExec(t, rs[0], consortium.ErrNotOperator)
}

// TestGovMoveWallets: wallets move to another bank of record; their
// balances and the issuance behind them stay.
func TestGovMoveWallets(t *testing.T) {
	c := newGovChain(t, apptest.Options{Wallets: 2, Balance: 1_000})
	w0 := apptest.Address(c.h.WalletKey(0))
	c.mustBlock(apptest.Issuer, c.propose(&govv1.Action{Kind: &govv1.Action_MoveWallets{MoveWallets: &govv1.MoveWallets{
		Wallets: [][]byte{w0.Bytes()}, ToBank: apptest.OtherIssuer}}}))
	c.mustBlock(apptest.Issuer, vote(1, yes), apptest.OtherIssuer, vote(1, yes), apptest.Auditor, vote(1, yes))
	w, err := wallet.NewView(c.reader(wallet.StoreName)).Wallet(w0)
	if err != nil || w.Bank != apptest.OtherIssuer || wallet.Balance(w, apptest.Denom) != 1_000 {
		t.Fatalf("moved wallet %v %v", w, err)
	}
	wantQuery(t, c.h.Query(wallet.QueryInvariant, nil, 0, false), ok)
}

// TestGovSuspendedIssuer: a suspended issuer can no longer open wallets or
// issue, while its customers keep paying from their wallets.
func TestGovSuspendedIssuer(t *testing.T) {
	c := newGovChain(t, apptest.Options{Wallets: 1, Balance: 1_000})
	customer := c.h.WalletKey(5)
	owner := apptest.Address(customer)
	c.mustBlock(apptest.OtherIssuer, apptest.OpenWalletTier(owner, 2), apptest.OtherIssuer, apptest.Deposit(owner, 500, "dep-1"))
	c.mustBlock(apptest.Issuer, c.propose(setStatus(apptest.OtherIssuer, consortiumv1.MemberStatus_MEMBER_STATUS_SUSPENDED, false)))
	c.mustBlock(apptest.Issuer, vote(1, yes), apptest.Auditor, vote(1, yes), apptest.Regulator, vote(1, yes))
	rs, _ := c.block(time.Time{}, apptest.OtherIssuer, apptest.Deposit(owner, 500, "dep-2"))
	wantExec(t, rs[0], consortium.ErrMemberInactive)
	rs, _ = c.block(time.Time{}, apptest.OtherIssuer, apptest.OpenWalletTier(apptest.Address(c.h.WalletKey(6)), 2))
	wantExec(t, rs[0], consortium.ErrMemberInactive)
	mustOK(t, c.h.Block(c.h.Sign(customer, 0, apptest.Transfer(apptest.Address(c.h.WalletKey(0)), 100))))
}

// TestGovRetallyAfterExecution: a proposal short of the threshold passes in
// the block where another proposal's execution lowers the bar (a member
// suspended), without a vote of its own.
func TestGovRetallyAfterExecution(t *testing.T) {
	c := newGovChain(t, apptest.Options{})
	c.mustBlock(apptest.Issuer, c.propose(setRoles(apptest.Auditor, consortiumv1.Role_ROLE_AUDITOR, consortiumv1.Role_ROLE_REGULATOR)))
	c.mustBlock(apptest.Issuer, vote(1, yes), apptest.OtherIssuer, vote(1, yes)) // 2 of 4: short
	c.mustBlock(apptest.OtherIssuer, c.propose(setStatus(apptest.Regulator, consortiumv1.MemberStatus_MEMBER_STATUS_SUSPENDED, false)))
	c.mustBlock(apptest.Issuer, vote(2, yes), apptest.OtherIssuer, vote(2, yes), apptest.Auditor, vote(2, yes))
	for id := uint64(1); id <= 2; id++ {
		if p := c.proposal(id); p.Status != govv1.ProposalStatus_PROPOSAL_STATUS_EXECUTED || p.DecidedHeight != c.h.Height() {
			t.Fatalf("proposal %d: %v at %d, want executed at %d", id, p.Status, p.DecidedHeight, c.h.Height())
		}
	}
	if tl := c.proposal(1).FinalTally; tl.Eligible != 3 || tl.Needed != 2 || tl.Yes != 2 {
		t.Fatalf("proposal 1 final tally %v", tl)
	}
}

// TestGovAMLParamsAndReinstatement: AML parameters are replaced; a
// suspended member is reinstated and may act again, without its validator
// power, which reinstatement does not restore.
func TestGovAMLParamsAndReinstatement(t *testing.T) {
	c := newGovChain(t, apptest.Options{})
	pass := func(a *govv1.Action, voters ...string) {
		t.Helper()
		c.mustBlock(apptest.Issuer, c.propose(a))
		id := gov.NewView(c.reader(gov.StoreName)).LastID()
		var txs []any
		for _, m := range voters {
			txs = append(txs, m, vote(id, yes))
		}
		c.mustBlock(txs...)
		if p := c.proposal(id); p.Status != govv1.ProposalStatus_PROPOSAL_STATUS_EXECUTED {
			t.Fatalf("proposal %d: %v (failure code %d)", id, p.Status, p.FailureCode)
		}
	}
	pass(&govv1.Action{Kind: &govv1.Action_SetAmlParams{SetAmlParams: &govv1.SetAMLParams{Params: &amlv1.Params{
		LargeValue: []*amlv1.Threshold{{Denom: "CNY", Amount: 1_000_00}}, VelocityLimit: 7}}}},
		apptest.Issuer, apptest.OtherIssuer, apptest.Auditor)
	if p := aml.NewView(c.reader(aml.StoreName)).Params(); p.VelocityLimit != 7 || p.LargeValue[0].Amount != 1_000_00 {
		t.Fatalf("AML params %v", p)
	}
	// other-bank gets a validator (allowed: two validators of equal power),
	// is suspended (power to 0), and reinstated (power stays 0).
	key := bytes.Repeat([]byte{0x21}, 32)
	pass(setValidator(apptest.OtherIssuer, key, 10, true), apptest.Issuer, apptest.OtherIssuer, apptest.Auditor)
	pass(setStatus(apptest.OtherIssuer, consortiumv1.MemberStatus_MEMBER_STATUS_SUSPENDED, true), apptest.Issuer, apptest.Auditor, apptest.Regulator)
	if m := c.member(apptest.OtherIssuer); m.Validator.GetPower() != 0 {
		t.Fatalf("suspended member validates: %v", m.Validator)
	}
	pass(setStatus(apptest.OtherIssuer, consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE, false), apptest.Issuer, apptest.Auditor)
	m := c.member(apptest.OtherIssuer)
	if m.Status != consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE || m.Validator.GetPower() != 0 {
		t.Fatalf("reinstated member %v", m)
	}
	c.mustBlock(apptest.OtherIssuer, c.propose(setRoles(apptest.Auditor, consortiumv1.Role_ROLE_AUDITOR, consortiumv1.Role_ROLE_REGULATOR)))
}
