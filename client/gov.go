package client

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"

	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/gov"
)

// Governance (package x/gov): proposals, the members' votes on them, their
// tallies and governance's parameters.
//
// The plain reads are the node's word. The Verified variants prove every
// record they return at one height, and more than the AML lists can: a
// proposal record names its voters, and proposal ids run from 1 to the
// stored last id without gaps, so VerifiedVotes and VerifiedProposals
// prove that their lists are complete, and VerifiedTally recounts the votes
// on the client from proven records, with the chain's own rule
// (gov.TallyOf), instead of trusting the node's tally.

// Proposal returns proposal id at the latest height, or a *NotFoundError.
func (c *Client) Proposal(ctx context.Context, id uint64) (*govv1.Proposal, error) {
	p := new(govv1.Proposal)
	if err := c.getRecord(ctx, gov.StoreName, gov.ProposalKey(id), fmt.Sprintf("proposal %d", id), p); err != nil {
		return nil, err
	}
	return p, nil
}

// Proposals returns every proposal with status (0: any status), in id
// order. The pages (gov.MaxPage proposals each) are all read at the height
// the node answered the first one at.
func (c *Client) Proposals(ctx context.Context, status govv1.ProposalStatus) ([]*govv1.Proposal, error) {
	var out []*govv1.Proposal
	var height int64
	for after := uint64(0); ; {
		path := gov.ProposalsPath(status, after)
		page := new(govv1.Proposals)
		h, err := c.listAt(ctx, path, height, page)
		if err != nil {
			return nil, err
		}
		height = h
		if len(page.Proposals) > gov.MaxPage {
			return nil, fmt.Errorf("client: query %s: the node answered %d proposals, more than a page (%d): %w", path, len(page.Proposals), gov.MaxPage, ErrVerification)
		}
		for _, p := range page.Proposals {
			match := status == govv1.ProposalStatus_PROPOSAL_STATUS_UNSPECIFIED || p.Status == status
			if err := checkListed(path, match, p.Id, &after); err != nil {
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
// missing proposal is a *QueryError matching gov.ErrProposalNotFound.
func (c *Client) Votes(ctx context.Context, id uint64) ([]*govv1.Vote, error) {
	out := new(govv1.Votes)
	if err := c.queryProto(ctx, gov.VotesPath(id), out); err != nil {
		return nil, err
	}
	return out.Votes, nil
}

// Tally returns proposal id's tally as the node computes it now: the votes
// of the voters that are active members, the active members and the yes
// votes needed. A missing proposal is a *QueryError matching
// gov.ErrProposalNotFound.
func (c *Client) Tally(ctx context.Context, id uint64) (*govv1.Tally, error) {
	out := new(govv1.Tally)
	if err := c.queryProto(ctx, gov.TallyPath(id), out); err != nil {
		return nil, err
	}
	return out, nil
}

// GovParams returns governance's parameters at the latest height (the
// defaults if none are stored).
func (c *Client) GovParams(ctx context.Context) (*govv1.Params, error) {
	p := new(govv1.Params)
	err := c.getRecord(ctx, gov.StoreName, gov.ParamsKey(), "gov params", p)
	if isNotFound(err) {
		return gov.DefaultParams(), nil
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// VerifiedProposal returns proposal id at height (0 = latest) with its
// proof. A proven absence returns the proof and a *NotFoundError.
func (c *Client) VerifiedProposal(ctx context.Context, id uint64, height int64) (*govv1.Proposal, *Proven, error) {
	p := new(govv1.Proposal)
	proof, err := c.verifiedRecord(ctx, gov.StoreName, gov.ProposalKey(id), height, fmt.Sprintf("proposal %d", id), p)
	if err != nil {
		return nil, proof, err
	}
	if p.Id != id {
		return nil, proof, fmt.Errorf("client: the record proven under proposal %d's key is proposal %d: %w", id, p.Id, ErrVerification)
	}
	return p, proof, nil
}

// VerifiedGovParams returns governance's parameters at height (0 =
// latest) with their proof; proven absent, they are the defaults (and
// Proven.Value is nil).
func (c *Client) VerifiedGovParams(ctx context.Context, height int64) (*govv1.Params, *Proven, error) {
	params := new(govv1.Params)
	p, err := c.verifiedRecord(ctx, gov.StoreName, gov.ParamsKey(), height, "gov params", params)
	if isNotFound(err) {
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
	LastIDProof *Proven
	// Proposals are those with the status asked for, in id order;
	// Proofs[i] proves Proposals[i].
	Proposals []*govv1.Proposal
	Proofs    []*Proven
}

// VerifiedProposals proves the last proposal id at height (0 = latest)
// and every proposal up to it, at that height, and returns those with
// status (0: any). It proves every proposal, also those it leaves out, so
// its work grows with the number of proposals ever made.
func (c *Client) VerifiedProposals(ctx context.Context, status govv1.ProposalStatus, height int64) (*ProvenProposals, error) {
	lp, err := c.Verified(ctx, gov.StoreName, gov.LastIDKey(), height)
	if err != nil {
		return nil, err
	}
	out := &ProvenProposals{Height: lp.Height, LastIDProof: lp}
	if lp.Value != nil {
		if len(lp.Value) != 8 {
			return nil, fmt.Errorf("client: the proven last proposal id is %d bytes, not 8: %w", len(lp.Value), ErrVerification)
		}
		out.LastID = binary.BigEndian.Uint64(lp.Value)
	}
	for id := uint64(1); id <= out.LastID; id++ {
		p, proof, err := c.VerifiedProposal(ctx, id, lp.Height)
		if isNotFound(err) {
			return nil, fmt.Errorf("client: proposal %d of %d is proven absent at height %d: %w", id, out.LastID, lp.Height, ErrVerification)
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
	ProposalProof *Proven
	// Votes are in member id order; Proofs[i] proves Votes[i].
	Votes  []*govv1.Vote
	Proofs []*Proven
}

// VerifiedVotes proves proposal id at height (0 = latest) and then, at the
// same height, the vote of each voter it names. The proposal record lists
// every member that ever voted on it, so the votes are proven complete,
// not only each one genuine. A voter without a proven vote fails with
// ErrVerification.
func (c *Client) VerifiedVotes(ctx context.Context, id uint64, height int64) (*ProvenVotes, error) {
	p, pp, err := c.VerifiedProposal(ctx, id, height)
	if err != nil {
		return nil, err
	}
	out := &ProvenVotes{Height: pp.Height, Proposal: p, ProposalProof: pp}
	for _, member := range p.Voters {
		v := new(govv1.Vote)
		proof, err := c.verifiedRecord(ctx, gov.StoreName, gov.VoteKey(id, member), pp.Height, fmt.Sprintf("vote of %q on proposal %d", member, id), v)
		if isNotFound(err) {
			return nil, fmt.Errorf("client: proposal %d names voter %q, whose vote is proven absent at height %d: %w", id, member, pp.Height, ErrVerification)
		}
		if err != nil {
			return nil, err
		}
		if v.ProposalId != id || v.MemberId != member {
			return nil, fmt.Errorf("client: the record proven under the key of %q's vote on proposal %d is %q's on %d: %w", member, id, v.MemberId, v.ProposalId, ErrVerification)
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
	Proofs []*Proven
}

// VerifiedTally proves proposal id at height (0 = latest) and recounts its
// votes with gov.TallyOf, the rule the chain applies, over a store whose
// every read is proven at the same height: the member index and each
// member's record (who is active, so eligible and counted), each voter's
// vote, and the governance parameters (the threshold). The node's own
// tally is not asked for. A record proven but undecodable fails with
// ErrVerification.
func (c *Client) VerifiedTally(ctx context.Context, id uint64, height int64) (res *ProvenTally, err error) {
	p, pp, err := c.VerifiedProposal(ctx, id, height)
	if err != nil {
		return nil, err
	}
	reads := &provenReads{ctx: ctx, c: c, height: pp.Height, values: map[string][]byte{}}
	defer func() {
		// The stores' decoders panic on a record that does not decode,
		// which in proven state means the chain wrote garbage.
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("client: tally of proposal %d: a proven record does not decode (%v): %w", id, r, ErrVerification)
		}
	}()
	g := gov.NewView(reads.reader(gov.StoreName))
	t := gov.TallyOf(consortium.NewView(reads.reader(consortium.StoreName)), g, p)
	params := g.Params()
	if reads.err != nil {
		return nil, reads.err
	}
	return &ProvenTally{Height: pp.Height, Proposal: p, Tally: t, Params: params, Proofs: append([]*Proven{pp}, reads.proofs...)}, nil
}

// provenReads proves every key read through its readers at one height, so
// that state machine code (gov.TallyOf) runs over proven records only. A
// key is proven once; the first failure is kept in err and later reads
// return nil, so the caller must check err before using what it computed.
type provenReads struct {
	ctx    context.Context
	c      *Client
	height int64
	values map[string][]byte // by store name and key; nil: proven absent
	proofs []*Proven
	err    error
}

func (r *provenReads) reader(storeName string) store.Reader { return provenReader{r, storeName} }

type provenReader struct {
	r         *provenReads
	storeName string
}

// Get returns the proven value of key (nil: proven absent, or a failure
// recorded in err).
func (pr provenReader) Get(key []byte) []byte {
	r := pr.r
	if r.err != nil {
		return nil
	}
	k := pr.storeName + "/" + string(key)
	if v, ok := r.values[k]; ok {
		return v
	}
	p, err := r.c.Verified(r.ctx, pr.storeName, key, r.height)
	if err != nil {
		r.err = err
		return nil
	}
	r.values[k] = p.Value
	r.proofs = append(r.proofs, p)
	return p.Value
}

// Iterator proves every key in [start, end) and that there is no other
// (VerifiedRange), so state machine code that walks a range runs over a
// provably complete one. Reverse iteration fails (recorded in err).
func (pr provenReader) Iterator(start, end []byte, reverse bool) store.Iterator {
	r := pr.r
	if r.err != nil {
		return store.SliceIterator(nil)
	}
	if reverse {
		r.err = errReverseProven
		return store.SliceIterator(nil)
	}
	rng, err := r.c.VerifiedRange(r.ctx, pr.storeName, start, end, r.height, 0)
	if err != nil {
		r.err = err
		return store.SliceIterator(nil)
	}
	r.proofs = append(r.proofs, rng.Proofs...)
	pairs := make([]store.Write, len(rng.Pairs))
	for i, kv := range rng.Pairs {
		pairs[i] = store.Write{Key: kv.Key, Value: kv.Value}
		r.values[pr.storeName+"/"+string(kv.Key)] = kv.Value
	}
	return store.SliceIterator(pairs)
}

// ProposalFailure explains why proposal p failed at execution: its
// registered error (the chain records the codespace and code) and, when
// the node still has the results of the deciding block, the text the
// block's gov_proposal event carried. It is "" for a proposal that did not
// fail. The text is the node's word; the code is in proven state.
func (c *Client) ProposalFailure(ctx context.Context, p *govv1.Proposal) string {
	if p.GetStatus() != govv1.ProposalStatus_PROPOSAL_STATUS_FAILED {
		return ""
	}
	return c.ExplainFailure(ctx, p.DecidedHeight, p.FailureCodespace, p.FailureCode, gov.EventProposal, strconv.FormatUint(p.Id, 10))
}

// ExplainFailure describes a failure recorded in state as a registered
// error (codespace, code): the code and its description, and, when the
// node still has the results of the block at height, the "reason" of that
// block's event of type kind whose "id" is id (the failure's full text,
// which state does not keep). The text is the node's word.
func (c *Client) ExplainFailure(ctx context.Context, height int64, codespace string, code uint32, kind, id string) string {
	what := fmt.Sprintf("%s/%d", codespace, code)
	if e, ok := errcode.Lookup(codespace, code); ok {
		what += " (" + e.Desc + ")"
	}
	res, err := c.rpc.BlockResults(ctx, &height)
	if err != nil {
		return what
	}
	for _, ev := range res.FinalizeBlockEvents {
		if ev.Type != kind {
			continue
		}
		attrs := map[string]string{}
		for _, a := range ev.Attributes {
			attrs[a.Key] = a.Value
		}
		if attrs["id"] == id && attrs["reason"] != "" {
			return what + ": " + attrs["reason"]
		}
	}
	return what
}
