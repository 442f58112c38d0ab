package gov

import (
	"slices"
	"strconv"
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/proto"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
)

// maxTallyRounds caps how often one block tallies the open proposals again
// after executions (each round executes one at least).
const maxTallyRounds = 8

// Limits of a proposal's text.
const (
	MaxTitleLen       = 200
	MaxDescriptionLen = 10_000
)

// ValidateSubmit applies the stateless checks of a proposal.
func ValidateSubmit(m *govv1.MsgSubmitProposal) error {
	switch {
	case strings.TrimSpace(m.GetTitle()) == "" || len(m.GetTitle()) > MaxTitleLen:
		return errcode.Wrap(ErrInvalidProposal, "title must be 1-%d characters", MaxTitleLen)
	case len(m.GetDescription()) > MaxDescriptionLen:
		return errcode.Wrap(ErrInvalidProposal, "description: at most %d characters", MaxDescriptionLen)
	case len(m.GetDocumentHash()) != 32:
		return errcode.Wrap(ErrInvalidProposal, "document_hash must be the 32-byte SHA-256 of the agreement, got %d bytes", len(m.GetDocumentHash()))
	case ActionName(m.GetAction()) == "":
		return errcode.Wrap(ErrInvalidProposal, "no action")
	}
	return nil
}

// ValidateVote applies the stateless checks of a vote.
func ValidateVote(m *govv1.MsgVote) error {
	switch m.GetOption() {
	case govv1.VoteOption_VOTE_OPTION_YES, govv1.VoteOption_VOTE_OPTION_NO, govv1.VoteOption_VOTE_OPTION_ABSTAIN:
		return nil
	}
	return errcode.Wrap(ErrInvalidVote, "option %d", m.GetOption())
}

// Submit records a proposal by the signer's member, after checking its
// deadline against the voting period and its action against the current
// state (without applying it).
func (mod *Module) Submit(ctx exec.Context, m *govv1.MsgSubmitProposal) error {
	member, err := mod.members(ctx).Acting(ctx.Signer)
	if err != nil {
		return err
	}
	g := NewKeeper(ctx.KV(StoreName))
	params := g.Params()
	now := ctx.Time.Unix()
	if m.VotingEnd < now+params.MinVotingPeriodSeconds || m.VotingEnd > now+params.MaxVotingPeriodSeconds {
		return errcode.Wrap(ErrInvalidProposal, "voting_end %d: must be %d to %d seconds after the block time %d",
			m.VotingEnd, params.MinVotingPeriodSeconds, params.MaxVotingPeriodSeconds, now)
	}
	if open := g.OpenCount(); open >= uint64(params.MaxOpenProposals) {
		return errcode.Wrap(ErrTooManyOpen, "%d open, limit %d", open, params.MaxOpenProposals)
	}
	// The action is checked, not applied: its writes are dropped.
	sc, _ := exec.Scratch(ctx)
	if _, err := mod.apply(sc, m.Action); err != nil {
		return err
	}
	p := &govv1.Proposal{
		Id: g.nextID(), Proposer: member.Id, ProposerOperator: ctx.Signer.Bytes(),
		Title: m.Title, Description: m.Description, DocumentHash: m.DocumentHash,
		Action: proto.Clone(m.Action).(*govv1.Action), SubmitHeight: ctx.Height, SubmitTime: now,
		VotingEnd: m.VotingEnd, Status: govv1.ProposalStatus_PROPOSAL_STATUS_VOTING,
	}
	g.SetProposal(p)
	g.open(p)
	ctx.Emit(EventProposal, "id", strconv.FormatUint(p.Id, 10), "proposer", member.Id,
		"action", ActionName(p.Action), "voting_end", strconv.FormatInt(p.VotingEnd, 10), "status", "voting")
	return nil
}

// Vote records or changes the vote of the signer's member.
func (mod *Module) Vote(ctx exec.Context, m *govv1.MsgVote) error {
	member, err := mod.members(ctx).Acting(ctx.Signer)
	if err != nil {
		return err
	}
	g := NewKeeper(ctx.KV(StoreName))
	p, ok := g.Proposal(m.ProposalId)
	if !ok {
		return errcode.Wrap(ErrProposalNotFound, "proposal %d", m.ProposalId)
	}
	if p.Status != govv1.ProposalStatus_PROPOSAL_STATUS_VOTING || ctx.Time.Unix() > p.VotingEnd {
		return errcode.Wrap(ErrVotingClosed, "proposal %d is %s; its voting period ends at %s", p.Id, StatusName(p.Status),
			time.Unix(p.VotingEnd, 0).UTC().Format(time.RFC3339))
	}
	if old, ok := g.Vote(p.Id, member.Id); ok && old.Option == m.Option {
		return errcode.Wrap(ErrAlreadyVoted, "%s voted %s on proposal %d", member.Id, OptionName(m.Option), p.Id)
	}
	g.SetVote(&govv1.Vote{ProposalId: p.Id, MemberId: member.Id, Option: m.Option, Operator: ctx.Signer.Bytes(), Height: ctx.Height})
	if i, found := slices.BinarySearch(p.Voters, member.Id); !found {
		p.Voters = slices.Insert(p.Voters, i, member.Id)
		g.SetProposal(p)
	}
	g.markVoted(p.Id)
	ctx.Emit(EventVote, "id", strconv.FormatUint(p.Id, 10), "member", member.Id, "option", m.Option.String())
	return nil
}

// TallyOf counts the votes of p's voters that are active members now.
func TallyOf(members Members, g View, p *govv1.Proposal) *govv1.Tally {
	t := new(govv1.Tally)
	for _, id := range members.MemberIDs() {
		if m, err := members.Member(id); err == nil && m.Status == consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE {
			t.Eligible++
		}
	}
	t.Needed = Needed(g.Params(), t.Eligible)
	for _, id := range p.Voters {
		m, err := members.Member(id)
		if err != nil || m.Status != consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE {
			continue
		}
		v, ok := g.Vote(p.Id, id)
		if !ok {
			continue
		}
		switch v.Option {
		case govv1.VoteOption_VOTE_OPTION_YES:
			t.Yes++
		case govv1.VoteOption_VOTE_OPTION_NO:
			t.No++
		case govv1.VoteOption_VOTE_OPTION_ABSTAIN:
			t.Abstain++
		}
	}
	return t
}

// Passes reports whether t reaches the threshold.
func Passes(t *govv1.Tally) bool { return t.Needed > 0 && t.Yes >= t.Needed }

// EndBlock runs in a block with votes or a deadline past: it executes, in
// id order, every open proposal whose tally passes, and rejects those whose
// deadline is before the block time and do not pass. An executed action
// can change who is eligible to vote or the threshold (a member
// suspended, the threshold lowered), so the open proposals are tallied
// again after one, until none more passes. It returns the validator
// updates of the executed actions. Its work is bounded by maxTallyRounds
// times max_open_proposals times the number of members; what is left
// over waits for the next block.
func (mod *Module) EndBlock(ctx exec.Context) ([]abci.ValidatorUpdate, error) {
	g := NewKeeper(ctx.KV(StoreName))
	now := ctx.Time.Unix()
	voted := g.voted()
	if len(voted) == 0 && !g.anyDue(now) {
		return nil, nil
	}
	for _, k := range voted {
		ctx.KV(StoreName).Delete(k)
	}
	open := g.Open()
	members := mod.members(ctx)
	var updates []abci.ValidatorUpdate
	decided := map[uint64]bool{}
	// tryPass executes proposal id if it is in voting and passes now.
	tryPass := func(id uint64) bool {
		p, ok := g.Proposal(id)
		if !ok || decided[id] || p.Status != govv1.ProposalStatus_PROPOSAL_STATUS_VOTING {
			return false
		}
		t := TallyOf(members, g.View, p)
		if !Passes(t) {
			return false
		}
		updates = append(updates, mod.execute(ctx, p, t)...)
		decided[id] = true
		return true
	}
	// Every open proposal, not only those voted on: one executed before it
	// in this block may have made it pass. Rounds are capped to bound the
	// block's work; if the last round still executed one, the next block
	// tallies again.
	retally := false
	for round, executed := 0, true; executed; round++ {
		if round == maxTallyRounds {
			retally = true
			break
		}
		executed = false
		for _, o := range open {
			executed = tryPass(o.ID) || executed
		}
	}
	for _, o := range open {
		switch {
		case decided[o.ID]:
			g.close(o)
		case o.VotingEnd >= now:
			if retally {
				g.markVoted(o.ID) // a block with work: EndBlock runs again
			}
		default:
			g.close(o)
			if p, ok := g.Proposal(o.ID); ok {
				p.Status, p.DecidedHeight, p.FinalTally = govv1.ProposalStatus_PROPOSAL_STATUS_REJECTED, ctx.Height, TallyOf(members, g.View, p)
				g.SetProposal(p)
				ctx.Emit(EventProposal, "id", strconv.FormatUint(p.Id, 10), "status", StatusName(p.Status))
			}
		}
	}
	return updates, nil
}

// execute applies p's action on a scratch copy of the state, keeps the
// writes if it succeeds, and records the outcome.
func (mod *Module) execute(ctx exec.Context, p *govv1.Proposal, t *govv1.Tally) []abci.ValidatorUpdate {
	sc, commit := exec.Scratch(ctx)
	updates, err := mod.apply(sc, p.Action)
	var reason string
	if err != nil {
		p.Status, reason = govv1.ProposalStatus_PROPOSAL_STATUS_FAILED, err.Error()
		p.FailureCodespace, p.FailureCode, _ = errcode.ABCIInfo(err)
		updates = nil
	} else {
		commit()
		p.Status = govv1.ProposalStatus_PROPOSAL_STATUS_EXECUTED
	}
	p.DecidedHeight, p.FinalTally = ctx.Height, t
	NewKeeper(ctx.KV(StoreName)).SetProposal(p)
	ctx.Emit(EventProposal, "id", strconv.FormatUint(p.Id, 10), "action", ActionName(p.Action),
		"status", StatusName(p.Status), "reason", reason)
	return updates
}
