package verifier

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
)

// maxProposals bounds the proposals the governance page proves.
const maxProposals = 200

// GovView is what the governance page shows.
type GovView struct {
	Proof     Section    `json:"proof"`
	UTCOffset int32      `json:"utc_offset"`
	Threshold string     `json:"threshold"`
	Eligible  uint32     `json:"eligible"`
	Proposals []Proposal `json:"proposals,omitempty"`
}

// Proposal is a proposal with its votes and tally.
type Proposal struct {
	ID        uint64 `json:"id"`
	Title     string `json:"title"`
	Proposer  string `json:"proposer"`
	Action    string `json:"action"`
	Status    string `json:"status"`
	Submitted int64  `json:"submitted"`
	VotingEnd int64  `json:"voting_end"`
	Votes     []Vote `json:"votes"`
	// Tally is recounted in the browser from proven state (the members,
	// each vote, the threshold) for a proposal in voting; for a decided one
	// it is the tally the chain recorded when it decided, proven with the
	// proposal's record.
	Tally     Tally `json:"tally"`
	Recounted bool  `json:"recounted"`
}

// Vote is a member's proven vote.
type Vote struct {
	Member string `json:"member"`
	Option string `json:"option"`
	Height int64  `json:"height"`
}

// Tally is a proposal's count.
type Tally struct {
	Yes      uint32 `json:"yes"`
	No       uint32 `json:"no"`
	Abstain  uint32 `json:"abstain"`
	Eligible uint32 `json:"eligible"`
	Needed   uint32 `json:"needed"`
	Passes   bool   `json:"passes"`
}

// Gov proves, at one height, every proposal (a complete range of the
// governance store), each voter's vote, the members (a complete range) and
// the governance parameters, and recounts the tally of each proposal in
// voting with the chain's rule (x/gov's TallyOf: active members are
// eligible and counted; the threshold is ceil(eligible * numerator /
// denominator)).
func (v *Verifier) Gov(ctx context.Context) (*GovView, error) {
	out := &GovView{}
	props, mark, complete, err := v.Range(ctx, govStore, []byte{govProposalPrefix}, 0, maxProposals)
	if err == nil && !complete {
		err = fmt.Errorf("more than %d proposals", maxProposals)
	}
	if err != nil {
		out.Proof = failed(err)
		return out, nil
	}
	h := mark.Height
	members, _, err := v.members(ctx, h)
	if err != nil {
		out.Proof = failed(err)
		return out, nil
	}
	active := map[string]bool{}
	for _, m := range members {
		if m.Status == consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE {
			active[m.Id] = true
			out.Eligible++
		}
	}
	params := &govv1.Params{ThresholdNumerator: govDefaultNumerator, ThresholdDenominator: govDefaultDenominator}
	if _, _, err := v.ReadProto(ctx, govStore, []byte{govParamsKey}, h, params); err != nil {
		out.Proof = failed(err)
		return out, nil
	}
	out.Threshold = fmt.Sprintf("%d/%d", params.ThresholdNumerator, params.ThresholdDenominator)
	out.UTCOffset = v.utcOffset(ctx, h)
	for _, kv := range props {
		p := new(govv1.Proposal)
		if err := proto.Unmarshal(kv.value, p); err != nil {
			out.Proof = failed(fmt.Errorf("proposal record %X does not decode: %w: %w", kv.key, ErrNotVerified, err))
			return out, nil
		}
		x := Proposal{ID: p.Id, Title: p.Title, Proposer: p.Proposer, Status: strings.TrimPrefix(p.Status.String(), "PROPOSAL_STATUS_"),
			Submitted: p.SubmitTime, VotingEnd: p.VotingEnd, Action: actionName(p.Action)}
		t := Tally{Eligible: out.Eligible, Needed: needed(params, out.Eligible)}
		for _, member := range p.Voters {
			vote := new(govv1.Vote)
			found, _, err := v.ReadProto(ctx, govStore, govVoteKey(p.Id, member), h, vote)
			if err != nil {
				out.Proof = failed(err)
				return out, nil
			}
			if !found {
				continue
			}
			x.Votes = append(x.Votes, Vote{Member: member, Option: strings.TrimPrefix(vote.Option.String(), "VOTE_OPTION_"), Height: vote.Height})
			if !active[member] {
				continue
			}
			switch vote.Option {
			case govv1.VoteOption_VOTE_OPTION_YES:
				t.Yes++
			case govv1.VoteOption_VOTE_OPTION_NO:
				t.No++
			case govv1.VoteOption_VOTE_OPTION_ABSTAIN:
				t.Abstain++
			}
		}
		if p.Status == govv1.ProposalStatus_PROPOSAL_STATUS_VOTING {
			x.Tally, x.Recounted = t, true
		} else if ft := p.FinalTally; ft != nil {
			x.Tally = Tally{Yes: ft.Yes, No: ft.No, Abstain: ft.Abstain, Eligible: ft.Eligible, Needed: ft.Needed}
		}
		x.Tally.Passes = x.Tally.Needed > 0 && x.Tally.Yes >= x.Tally.Needed
		out.Proposals = append(out.Proposals, x)
	}
	slices.Reverse(out.Proposals) // newest first
	out.Proof = verified(mark)
	return out, nil
}

// members proves every consortium member at height (a complete range).
func (v *Verifier) members(ctx context.Context, height int64) ([]*consortiumv1.Member, Mark, error) {
	pairs, mark, complete, err := v.Range(ctx, consortiumStore, memberPrefix(), height, maxMembers)
	if err == nil && !complete {
		err = fmt.Errorf("more than %d members", maxMembers)
	}
	if err != nil {
		return nil, Mark{}, err
	}
	var out []*consortiumv1.Member
	for _, p := range pairs {
		m := new(consortiumv1.Member)
		if err := proto.Unmarshal(p.value, m); err != nil {
			return nil, Mark{}, fmt.Errorf("member record %X does not decode: %w: %w", p.key, ErrNotVerified, err)
		}
		out = append(out, m)
	}
	return out, mark, nil
}

// needed is x/gov's Needed: the yes votes a proposal needs.
func needed(p *govv1.Params, eligible uint32) uint32 {
	num, den := uint64(p.ThresholdNumerator), uint64(p.ThresholdDenominator)
	if den == 0 {
		return 0
	}
	return uint32((uint64(eligible)*num + den - 1) / den)
}

// actionName is the name of a proposal's action ("set_roles").
func actionName(a *govv1.Action) string {
	if a == nil {
		return ""
	}
	m := a.ProtoReflect()
	if f := m.WhichOneof(m.Descriptor().Oneofs().ByName("kind")); f != nil {
		return string(f.Name())
	}
	return ""
}

func govVoteKey(id uint64, member string) []byte {
	return append(binary.BigEndian.AppendUint64([]byte{govVotePrefix}, id), member...)
}
