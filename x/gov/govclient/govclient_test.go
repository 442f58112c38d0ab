package govclient_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	ics23 "github.com/cosmos/ics23/go"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/clienttest"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/gov"
	"github.com/ledgerd/ledgerd/x/gov/govclient"
)

const (
	memberActive    = consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE
	memberSuspended = consortiumv1.MemberStatus_MEMBER_STATUS_SUSPENDED
)

// govNode is a live fake node serving the consortium and governance, with
// four members (bank-d suspended) and three proposals: 1 in voting with
// votes by bank-a (yes), bank-b (no) and bank-d (yes, which no longer
// counts); 2 executed without votes; 3 naming a voter whose vote record is
// missing (corrupted state).
func govNode(t *testing.T) *clienttest.FakeNode {
	f := clienttest.NewFakeNode(t, []string{consortium.StoreName, gov.StoreName})
	f.ServeModule(consortium.New(nil))
	f.ServeModule(gov.New(func(ctx exec.Context) gov.Members { return consortium.ViewOf(ctx) }, nil).Module())
	ids := []string{"bank-a", "bank-b", "bank-c", "bank-d"}
	for _, id := range ids {
		status := memberActive
		if id == "bank-d" {
			status = memberSuspended
		}
		f.SetProto(consortium.StoreName, consortium.MemberKey(id), &consortiumv1.Member{Id: id, Name: id, Status: status,
			Roles: []consortiumv1.Role{consortiumv1.Role_ROLE_ISSUER}})
	}
	f.SetProto(gov.StoreName, gov.ParamsKey(), gov.DefaultParams())
	voting, executed := govv1.ProposalStatus_PROPOSAL_STATUS_VOTING, govv1.ProposalStatus_PROPOSAL_STATUS_EXECUTED
	f.SetProto(gov.StoreName, gov.ProposalKey(1), &govv1.Proposal{Id: 1, Proposer: "bank-a", Title: "one", Status: voting,
		Voters: []string{"bank-a", "bank-b", "bank-d"}})
	f.SetProto(gov.StoreName, gov.ProposalKey(2), &govv1.Proposal{Id: 2, Proposer: "bank-b", Title: "two", Status: executed})
	f.SetProto(gov.StoreName, gov.ProposalKey(3), &govv1.Proposal{Id: 3, Proposer: "bank-b", Title: "three", Status: voting,
		Voters: []string{"bank-c"}})
	f.Set(gov.StoreName, gov.LastIDKey(), binary.BigEndian.AppendUint64(nil, 3))
	for member, o := range map[string]govv1.VoteOption{"bank-a": voteYes, "bank-b": voteNo, "bank-d": voteYes} {
		f.SetProto(gov.StoreName, gov.VoteKey(1, member), &govv1.Vote{ProposalId: 1, MemberId: member, Option: o})
	}
	f.Produce(2)
	f.StartBlocks(10 * time.Millisecond)
	return f
}

const (
	voteYes = govv1.VoteOption_VOTE_OPTION_YES
	voteNo  = govv1.VoteOption_VOTE_OPTION_NO
)

func TestVerifiedGov(t *testing.T) {
	f := govNode(t)
	c := govclient.New(clienttest.NewClient(t, f))
	ctx := context.Background()

	p, proof, err := c.VerifiedProposal(ctx, 1, 0)
	if err != nil || p.Title != "one" || !proof.Present() {
		t.Fatalf("VerifiedProposal(1) = %v, %v", p, err)
	}
	f.CheckProven(t, proof)
	if _, proof, err := c.VerifiedProposal(ctx, 9, 0); !errors.Is(err, client.ErrNotFound) || proof == nil || proof.Present() {
		t.Fatalf("VerifiedProposal(9) = %v", err)
	}
	if plain, err := c.Proposal(ctx, 2); err != nil || plain.Title != "two" {
		t.Fatalf("Proposal(2) = %v, %v", plain, err)
	}

	votes, err := c.VerifiedVotes(ctx, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, v := range votes.Votes {
		got = append(got, v.MemberId+"="+gov.OptionName(v.Option))
		if votes.Proofs[i].Height != votes.Height || !bytes.Equal(votes.Proofs[i].Key, gov.VoteKey(1, v.MemberId)) {
			t.Fatalf("vote %d proof: height %d key %x", i, votes.Proofs[i].Height, votes.Proofs[i].Key)
		}
		f.CheckProven(t, votes.Proofs[i])
	}
	if want := "[bank-a=yes bank-b=no bank-d=yes]"; fmt.Sprint(got) != want {
		t.Fatalf("votes %v, want %s", got, want)
	}
	if _, err := c.VerifiedVotes(ctx, 3, 0); !errors.Is(err, client.ErrVerification) {
		t.Fatalf("a named voter without a vote: %v, want client.ErrVerification", err)
	}

	// The tally is recounted from proven records: bank-d is suspended, so
	// its yes does not count and three members are eligible (2 needed).
	tl, err := c.VerifiedTally(ctx, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := &govv1.Tally{Yes: 1, No: 1, Eligible: 3, Needed: 2}
	if !proto.Equal(tl.Tally, want) || tl.Params.ThresholdDenominator != 3 {
		t.Fatalf("VerifiedTally = %v (params %v), want %v", tl.Tally, tl.Params, want)
	}
	v, err := f.Version(tl.Height)
	if err != nil {
		t.Fatal(err)
	}
	cr, _ := v.Reader(consortium.StoreName)
	gr, _ := v.Reader(gov.StoreName)
	if chain := gov.TallyOf(consortium.NewView(cr), gov.NewView(gr), tl.Proposal); !proto.Equal(chain, tl.Tally) {
		t.Fatalf("client recount %v, the chain's rule gives %v", tl.Tally, chain)
	}
	proven := map[string]bool{}
	for _, p := range tl.Proofs {
		if p.Height != tl.Height {
			t.Fatalf("proof of %x at height %d, tally at %d", p.Key, p.Height, tl.Height)
		}
		proven[p.Store+"/"+string(p.Key)] = true
		if p.After != nil { // a range walk proves the key after each probe
			proven[p.Store+"/"+string(p.After.Key)] = true
		}
	}
	for _, k := range []string{
		gov.StoreName + "/" + string(gov.ProposalKey(1)), gov.StoreName + "/" + string(gov.ParamsKey()),
		gov.StoreName + "/" + string(gov.VoteKey(1, "bank-b")), consortium.StoreName + "/" + string(consortium.MemberKey("bank-a")),
		consortium.StoreName + "/" + string(consortium.MemberKey("bank-d")),
	} {
		if !proven[k] {
			t.Errorf("the recount did not prove %q", k)
		}
	}

	all, err := c.VerifiedProposals(ctx, 0, 0)
	if err != nil || all.LastID != 3 || len(all.Proposals) != 3 || len(all.Proofs) != 3 {
		t.Fatalf("VerifiedProposals = %+v, %v", all, err)
	}
	if done, err := c.VerifiedProposals(ctx, govv1.ProposalStatus_PROPOSAL_STATUS_EXECUTED, 0); err != nil ||
		len(done.Proposals) != 1 || done.Proposals[0].Id != 2 {
		t.Fatalf("VerifiedProposals(executed) = %+v, %v", done, err)
	}
	if params, proof, err := c.VerifiedParams(ctx, 0); err != nil || !proto.Equal(params, gov.DefaultParams()) || !proof.Present() {
		t.Fatalf("VerifiedParams = %v, %v", params, err)
	}
	if params, err := c.Params(ctx); err != nil || !proto.Equal(params, gov.DefaultParams()) {
		t.Fatalf("Params = %v, %v", params, err)
	}
}

// TestVerifiedTallyCatchesLies: a node that reports a suspended member as
// active, or a vote other than the member's, is caught.
func TestVerifiedTallyCatchesLies(t *testing.T) {
	f := govNode(t)
	c := govclient.New(clienttest.NewClient(t, f))
	ctx := context.Background()
	activeD, _ := proto.Marshal(&consortiumv1.Member{Id: "bank-d", Name: "bank-d", Status: memberActive,
		Roles: []consortiumv1.Role{consortiumv1.Role_ROLE_ISSUER}})
	bYes, _ := proto.Marshal(&govv1.Vote{ProposalId: 1, MemberId: "bank-b", Option: voteYes})
	for name, lie := range map[string]func(q *abci.ResponseQuery){
		// The tally walks the members' range: bank-d's record comes as the
		// proven neighbour of the probe after bank-c.
		"suspended member shown active": func(q *abci.ResponseQuery) {
			clienttest.EditNextKey(q, consortium.MemberKey("bank-d"), func(right *ics23.ExistenceProof) { right.Value = activeD })
		},
		"member hidden": func(q *abci.ResponseQuery) {
			clienttest.EditNextKey(q, consortium.MemberKey("bank-d"), func(right *ics23.ExistenceProof) {
				right.Key = consortium.MemberKey("bank-e")
			})
		},
		"no turned into yes": func(q *abci.ResponseQuery) {
			if bytes.Equal(q.Key, gov.VoteKey(1, "bank-b")) {
				q.Value = bYes
			}
		},
		"voter hidden": func(q *abci.ResponseQuery) {
			if bytes.Equal(q.Key, gov.ProposalKey(1)) {
				p := new(govv1.Proposal)
				_ = proto.Unmarshal(q.Value, p)
				p.Voters = p.Voters[:1]
				q.Value, _ = proto.Marshal(p)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			f.SetTamper(lie)
			defer func() {
				f.SetTamper(nil)
			}()
			if tl, err := c.VerifiedTally(ctx, 1, 0); !errors.Is(err, client.ErrVerification) {
				t.Fatalf("lie accepted: %+v, %v", tl, err)
			}
		})
	}
}

// TestPlain reads with the governance module's own query handlers.
func TestPlain(t *testing.T) {
	f := govNode(t)
	c := govclient.New(clienttest.NewClient(t, f))
	ctx := context.Background()

	ps, err := c.Proposals(ctx, 0)
	if err != nil || len(ps) != 3 || ps[2].Id != 3 {
		t.Fatalf("Proposals = %v, %v", ps, err)
	}
	if ps, err := c.Proposals(ctx, govv1.ProposalStatus_PROPOSAL_STATUS_EXECUTED); err != nil || len(ps) != 1 || ps[0].Id != 2 {
		t.Fatalf("Proposals(executed) = %v, %v", ps, err)
	}
	vs, err := c.Votes(ctx, 1)
	if err != nil || len(vs) != 3 || vs[0].MemberId != "bank-a" || vs[1].Option != voteNo {
		t.Fatalf("Votes = %v, %v", vs, err)
	}
	want := &govv1.Tally{Yes: 1, No: 1, Eligible: 3, Needed: 2}
	if tl, err := c.Tally(ctx, 1); err != nil || !proto.Equal(tl, want) {
		t.Fatalf("Tally = %v, %v; want %v", tl, err, want)
	}
	if _, err := c.Votes(ctx, 9); !errors.Is(err, gov.ErrProposalNotFound) {
		t.Fatalf("Votes of a missing proposal: %v", err)
	}
	if _, err := c.Proposal(ctx, 9); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("Proposal(9) = %v", err)
	}
}

// TestProposalFailure: a failed proposal's registered error, described
// (the node keeps no block results here, so without its text).
func TestProposalFailure(t *testing.T) {
	f := govNode(t)
	c := govclient.New(clienttest.NewClient(t, f))
	failed := &govv1.Proposal{Id: 4, Status: govv1.ProposalStatus_PROPOSAL_STATUS_FAILED, DecidedHeight: 2,
		FailureCodespace: gov.ErrProposalNotFound.Codespace, FailureCode: gov.ErrProposalNotFound.Code}
	want := fmt.Sprintf("%s/%d (%s)", gov.ErrProposalNotFound.Codespace, gov.ErrProposalNotFound.Code, gov.ErrProposalNotFound.Desc)
	if got := c.ProposalFailure(context.Background(), failed); got != want {
		t.Fatalf("ProposalFailure = %q, want %q", got, want)
	}
	if got := c.ProposalFailure(context.Background(), &govv1.Proposal{Id: 1, Status: govv1.ProposalStatus_PROPOSAL_STATUS_VOTING}); got != "" {
		t.Fatalf("ProposalFailure of a proposal in voting = %q", got)
	}
}
