package govclient

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"github.com/ledgerd/ledgerd/client"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/gov"
)

// Client reads governance's state through a ledgerd node. It is safe for
// concurrent use, as the client.Client it wraps.
type Client struct{ *client.Client }

// New returns a Client that reads through c.
func New(c *client.Client) Client { return Client{c} }

// Proposal returns proposal id at the latest height, or a
// *client.NotFoundError.
func (c Client) Proposal(ctx context.Context, id uint64) (*govv1.Proposal, error) {
	p := new(govv1.Proposal)
	if err := c.Record(ctx, gov.StoreName, gov.ProposalKey(id), 0, fmt.Sprintf("proposal %d", id), p); err != nil {
		return nil, err
	}
	return p, nil
}

// Proposals returns every proposal with status (0: any status), in id
// order. The pages (gov.MaxPage proposals each) are all read at the height
// the node answered the first one at.
func (c Client) Proposals(ctx context.Context, status govv1.ProposalStatus) ([]*govv1.Proposal, error) {
	var out []*govv1.Proposal
	var height int64
	for after := uint64(0); ; {
		path := gov.ProposalsPath(status, after)
		page := new(govv1.Proposals)
		h, err := c.QueryProtoAt(ctx, path, height, page)
		if err != nil {
			return nil, err
		}
		height = h
		if err := client.CheckPage(path, len(page.Proposals), gov.MaxPage); err != nil {
			return nil, err
		}
		for _, p := range page.Proposals {
			match := status == govv1.ProposalStatus_PROPOSAL_STATUS_UNSPECIFIED || p.Status == status
			if err := client.CheckListed(path, match, p.Id, &after); err != nil {
				return nil, err
			}
		}
		out = append(out, page.Proposals...)
		if len(page.Proposals) < gov.MaxPage {
			return out, nil
		}
	}
}

// Votes returns the current votes on proposal id, in member id order. A
// missing proposal is a *client.QueryError matching gov.ErrProposalNotFound.
func (c Client) Votes(ctx context.Context, id uint64) ([]*govv1.Vote, error) {
	out := new(govv1.Votes)
	if err := c.QueryProto(ctx, gov.VotesPath(id), out); err != nil {
		return nil, err
	}
	return out.Votes, nil
}

// Tally returns proposal id's tally as the node computes it now: the votes
// of the voters that are active members, the active members and the yes
// votes needed. A missing proposal is a *client.QueryError matching
// gov.ErrProposalNotFound.
func (c Client) Tally(ctx context.Context, id uint64) (*govv1.Tally, error) {
	out := new(govv1.Tally)
	if err := c.QueryProto(ctx, gov.TallyPath(id), out); err != nil {
		return nil, err
	}
	return out, nil
}

// Params returns governance's parameters at the latest height (the
// defaults if none are stored).
func (c Client) Params(ctx context.Context) (*govv1.Params, error) {
	p := new(govv1.Params)
	err := c.Record(ctx, gov.StoreName, gov.ParamsKey(), 0, "gov params", p)
	if errors.Is(err, client.ErrNotFound) {
		return gov.DefaultParams(), nil
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// VerifiedProposal returns proposal id at height (0 = latest) with its
// proof. A proven absence returns the proof and a *client.NotFoundError.
func (c Client) VerifiedProposal(ctx context.Context, id uint64, height int64) (*govv1.Proposal, *client.Proven, error) {
	p := new(govv1.Proposal)
	proof, err := c.VerifiedRecord(ctx, gov.StoreName, gov.ProposalKey(id), height, fmt.Sprintf("proposal %d", id), p)
	if err != nil {
		return nil, proof, err
	}
	if p.Id != id {
		return nil, proof, fmt.Errorf("govclient: the record proven under proposal %d's key is proposal %d: %w", id, p.Id, client.ErrVerification)
	}
	return p, proof, nil
}

// VerifiedParams returns governance's parameters at height (0 = latest)
// with their proof; proven absent, they are the defaults (and
// Proven.Value is nil).
func (c Client) VerifiedParams(ctx context.Context, height int64) (*govv1.Params, *client.Proven, error) {
	params := new(govv1.Params)
	p, err := c.VerifiedRecord(ctx, gov.StoreName, gov.ParamsKey(), height, "gov params", params)
	if errors.Is(err, client.ErrNotFound) {
		return gov.DefaultParams(), p, nil
	}
	if err != nil {
		return nil, p, err
	}
	return params, p, nil
}

// ProvenProposals are the proposals at one height, each with its proof,
// and the proven last proposal id: ids run from 1 to it without gaps, so
// the list is complete.
type ProvenProposals struct {
	Height      int64
	LastID      uint64
	LastIDProof *client.Proven
	// Proposals are those with the status asked for, in id order;
	// Proofs[i] proves Proposals[i].
	Proposals []*govv1.Proposal
	Proofs    []*client.Proven
}

// VerifiedProposals proves the last proposal id at height (0 = latest)
// and every proposal up to it, at that height, and returns those with
// status (0: any). It proves every proposal, also those it leaves out, so
// its work grows with the number of proposals ever made.
func (c Client) VerifiedProposals(ctx context.Context, status govv1.ProposalStatus, height int64) (*ProvenProposals, error) {
	lp, err := c.Verified(ctx, gov.StoreName, gov.LastIDKey(), height)
	if err != nil {
		return nil, err
	}
	out := &ProvenProposals{Height: lp.Height, LastIDProof: lp}
	if lp.Value != nil {
		if len(lp.Value) != 8 {
			return nil, fmt.Errorf("govclient: the proven last proposal id is %d bytes, not 8: %w", len(lp.Value), client.ErrVerification)
		}
		out.LastID = binary.BigEndian.Uint64(lp.Value)
	}
	for id := uint64(1); id <= out.LastID; id++ {
		p, proof, err := c.VerifiedProposal(ctx, id, lp.Height)
		if errors.Is(err, client.ErrNotFound) {
			return nil, fmt.Errorf("govclient: proposal %d of %d is proven absent at height %d: %w", id, out.LastID, lp.Height, client.ErrVerification)
		}
		if err != nil {
			return nil, err
		}
		if status == govv1.ProposalStatus_PROPOSAL_STATUS_UNSPECIFIED || p.Status == status {
			out.Proposals = append(out.Proposals, p)
			out.Proofs = append(out.Proofs, proof)
		}
	}
	return out, nil
}

// ProvenVotes are every vote on a proposal at one height, with proofs.
type ProvenVotes struct {
	Height        int64
	Proposal      *govv1.Proposal
	ProposalProof *client.Proven
	// Votes are in member id order; Proofs[i] proves Votes[i].
	Votes  []*govv1.Vote
	Proofs []*client.Proven
}

// VerifiedVotes proves proposal id at height (0 = latest) and then, at the
// same height, the vote of each voter it names. The proposal record lists
// every member that ever voted on it, so the votes are proven complete,
// not only each one genuine. A voter without a proven vote fails with
// client.ErrVerification.
func (c Client) VerifiedVotes(ctx context.Context, id uint64, height int64) (*ProvenVotes, error) {
	p, pp, err := c.VerifiedProposal(ctx, id, height)
	if err != nil {
		return nil, err
	}
	out := &ProvenVotes{Height: pp.Height, Proposal: p, ProposalProof: pp}
	for _, member := range p.Voters {
		v := new(govv1.Vote)
		proof, err := c.VerifiedRecord(ctx, gov.StoreName, gov.VoteKey(id, member), pp.Height, fmt.Sprintf("vote of %q on proposal %d", member, id), v)
		if errors.Is(err, client.ErrNotFound) {
			return nil, fmt.Errorf("govclient: proposal %d names voter %q, whose vote is proven absent at height %d: %w", id, member, pp.Height, client.ErrVerification)
		}
		if err != nil {
			return nil, err
		}
		if v.ProposalId != id || v.MemberId != member {
			return nil, fmt.Errorf("govclient: the record proven under the key of %q's vote on proposal %d is %q's on %d: %w", member, id, v.MemberId, v.ProposalId, client.ErrVerification)
		}
		out.Votes = append(out.Votes, v)
		out.Proofs = append(out.Proofs, proof)
	}
	return out, nil
}

// ProvenTally is a proposal's tally recounted on the client from records
// proven at one height.
type ProvenTally struct {
	Height   int64
	Proposal *govv1.Proposal
	// Tally is gov.TallyOf over the proven records; Params are the proven
	// governance parameters its threshold comes from.
	Tally  *govv1.Tally
	Params *govv1.Params
	// Proofs prove every record the count read: the proposal first, then
	// the member index, each member, the parameters and each vote, in the
	// order the count read them.
	Proofs []*client.Proven
}

// VerifiedTally proves proposal id at height (0 = latest) and recounts its
// votes with gov.TallyOf, the rule the chain applies, over a store whose
// every read is proven at the same height: the member index and each
// member's record (who is active, so eligible and counted), each voter's
// vote, and the governance parameters (the threshold). The node's own
// tally is not asked for. A record proven but undecodable fails with
// client.ErrVerification.
func (c Client) VerifiedTally(ctx context.Context, id uint64, height int64) (*ProvenTally, error) {
	p, pp, err := c.VerifiedProposal(ctx, id, height)
	if err != nil {
		return nil, err
	}
	reads := c.ProvenReader(ctx, pp.Height)
	var t *govv1.Tally
	var params *govv1.Params
	if err := reads.Run(func() {
		g := gov.NewView(reads.Reader(gov.StoreName))
		t = gov.TallyOf(consortium.NewView(reads.Reader(consortium.StoreName)), g, p)
		params = g.Params()
	}); err != nil {
		return nil, err
	}
	return &ProvenTally{Height: pp.Height, Proposal: p, Tally: t, Params: params, Proofs: append([]*client.Proven{pp}, reads.Proofs()...)}, nil
}

// ProposalFailure explains why proposal p failed at execution: its
// registered error (the chain records the codespace and code) and, when
// the node still has the results of the deciding block, the text the
// block's gov_proposal event carried. It is "" for a proposal that did not
// fail. The text is the node's word; the code is in proven state.
func (c Client) ProposalFailure(ctx context.Context, p *govv1.Proposal) string {
	if p.GetStatus() != govv1.ProposalStatus_PROPOSAL_STATUS_FAILED {
		return ""
	}
	return c.ExplainFailure(ctx, p.DecidedHeight, p.FailureCodespace, p.FailureCode, gov.EventProposal, strconv.FormatUint(p.Id, 10))
}
