package gov

import (
	"fmt"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/module"
)

// Query paths, answered by the app from committed state:
//
//	/gov/proposals[/<status>][/after/<id>] -> govv1.Proposals
//	/gov/votes/<id>                        -> govv1.Votes, in member id order
//	/gov/tally/<id>                        -> govv1.Tally, computed with TallyOf
//	/gov/upgrade                           -> govv1.UpgradeState
//
// <status> is voting, executed, rejected or failed (StatusName); without
// it every proposal is listed. A list holds the matching proposals with ids
// greater than <id> (0 if absent), in id order, at most MaxPage of them: a
// full page may have more after it. Every record is also provable key by
// key (ProposalKey, VoteKey, ParamsKey, LastIDKey, UpgradePlanKey,
// AppVersionKey, AppliedKey, LastAppliedKey) in the "gov" store.
const (
	QueryPrefix = "/gov/"
	// MaxPage is the most proposals one answer holds.
	MaxPage = 100
)

// ProposalsPath is the query path of the proposals with status (0: any)
// and ids greater than after.
func ProposalsPath(status govv1.ProposalStatus, after uint64) string {
	p := QueryPrefix + "proposals"
	if status != govv1.ProposalStatus_PROPOSAL_STATUS_UNSPECIFIED {
		p += "/" + StatusName(status)
	}
	if after > 0 {
		p += "/after/" + strconv.FormatUint(after, 10)
	}
	return p
}

// VotesPath is the query path of the votes on proposal id.
func VotesPath(id uint64) string { return QueryPrefix + "votes/" + strconv.FormatUint(id, 10) }

// TallyPath is the query path of proposal id's current tally.
func TallyPath(id uint64) string { return QueryPrefix + "tally/" + strconv.FormatUint(id, 10) }

// StatusName is a proposal status as events, queries and the CLI name it:
// "voting", "executed", "rejected" or "failed".
func StatusName(s govv1.ProposalStatus) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "PROPOSAL_STATUS_"))
}

// ParseStatus returns the status StatusName calls name.
func ParseStatus(name string) (govv1.ProposalStatus, error) {
	for _, s := range []govv1.ProposalStatus{govv1.ProposalStatus_PROPOSAL_STATUS_VOTING, govv1.ProposalStatus_PROPOSAL_STATUS_EXECUTED,
		govv1.ProposalStatus_PROPOSAL_STATUS_REJECTED, govv1.ProposalStatus_PROPOSAL_STATUS_FAILED} {
		if StatusName(s) == name {
			return s, nil
		}
	}
	return 0, fmt.Errorf("proposal status %q: want voting, executed, rejected or failed", name)
}

// OptionName is a vote option as the CLI names it: "yes", "no" or
// "abstain".
func OptionName(o govv1.VoteOption) string {
	return strings.ToLower(strings.TrimPrefix(o.String(), "VOTE_OPTION_"))
}

// ParseOption returns the vote option OptionName calls name.
func ParseOption(name string) (govv1.VoteOption, error) {
	for _, o := range []govv1.VoteOption{govv1.VoteOption_VOTE_OPTION_YES, govv1.VoteOption_VOTE_OPTION_NO, govv1.VoteOption_VOTE_OPTION_ABSTAIN} {
		if OptionName(o) == name {
			return o, nil
		}
	}
	return 0, fmt.Errorf("vote %q: want yes, no or abstain", name)
}

// queries are governance's query paths (see QueryPrefix).
func queries(members func(exec.Context) Members) []module.Query {
	return []module.Query{
		{Path: "proposals", Doc: "[/<status>][/after/<id>]: a page of proposals (govv1.Proposals)", Handle: queryProposals},
		{Path: "proposals/", Doc: "see proposals", Handle: queryProposals},
		{Path: "votes/", Doc: "<id>: the votes on a proposal, in member id order (govv1.Votes)", Handle: func(s module.Stores, rest string, _ []byte) (proto.Message, error) {
			p, err := proposalOf(s, rest)
			if err != nil {
				return nil, err
			}
			out := new(govv1.Votes)
			store.EachPrefix(s.Reader(StoreName), VotePrefix(p.Id), false, func(k, v []byte) bool {
				vote := new(govv1.Vote)
				store.DecodeProto(k, v, vote)
				out.Votes = append(out.Votes, vote)
				return true
			})
			return out, nil
		}},
		{Path: "tally/", Doc: "<id>: the proposal's tally now (govv1.Tally, TallyOf)", Handle: func(s module.Stores, rest string, _ []byte) (proto.Message, error) {
			p, err := proposalOf(s, rest)
			if err != nil {
				return nil, err
			}
			return TallyOf(members(exec.ReadOnly(s.Height(), s.Reader)), NewView(s.Reader(StoreName)), p), nil
		}},
		{Path: "params", Doc: "the parameters (govv1.Params)", Handle: func(s module.Stores, _ string, _ []byte) (proto.Message, error) {
			return NewView(s.Reader(StoreName)).Params(), nil
		}},
		{Path: "upgrade", Doc: "the scheduled chain upgrade, the app version and the last upgrade applied (govv1.UpgradeState)",
			Handle: func(s module.Stores, _ string, _ []byte) (proto.Message, error) {
				return NewView(s.Reader(StoreName)).UpgradeState(), nil
			},
			CLI: &module.QueryCLI{Use: "upgrade", Short: "The scheduled chain upgrade (name, height, info), the app version in force, the last upgrade applied",
				Answer: (*govv1.UpgradeState)(nil)}},
	}
}

func proposalOf(s module.Stores, rest string) (*govv1.Proposal, error) {
	id, err := strconv.ParseUint(rest, 10, 64)
	if err != nil || id == 0 {
		return nil, errcode.Wrap(module.ErrInvalidRequest, "proposal id %q: want a positive number", rest)
	}
	p, ok := NewView(s.Reader(StoreName)).Proposal(id)
	if !ok {
		return nil, errcode.Wrap(ErrProposalNotFound, "proposal %d", id)
	}
	return p, nil
}

// queryProposals answers proposals[/<status>][/after/<id>].
func queryProposals(s module.Stores, rest string, _ []byte) (proto.Message, error) {
	status, after, err := parseProposalsPath(rest)
	if err != nil {
		return nil, err
	}
	g := NewView(s.Reader(StoreName))
	out := new(govv1.Proposals)
	last := g.LastID()
	for id := after; id < last && len(out.Proposals) < MaxPage; {
		id++
		p, ok := g.Proposal(id)
		if !ok {
			return nil, fmt.Errorf("gov: corrupted state: proposal %d of %d does not exist", id, last)
		}
		if status == govv1.ProposalStatus_PROPOSAL_STATUS_UNSPECIFIED || p.Status == status {
			out.Proposals = append(out.Proposals, p)
		}
	}
	return out, nil
}

// parseProposalsPath reads rest, "[<status>][/after/<id>]", of a
// proposals path.
func parseProposalsPath(rest string) (status govv1.ProposalStatus, after uint64, err error) {
	path := QueryPrefix + "proposals/" + rest
	if rest == "" {
		return status, 0, nil
	}
	parts := strings.Split(rest, "/")
	if parts[0] != "after" {
		if status, err = ParseStatus(parts[0]); err != nil {
			return 0, 0, errcode.Wrap(module.ErrInvalidRequest, "%q: %v", path, err)
		}
		parts = parts[1:]
	}
	switch {
	case len(parts) == 0:
		return status, 0, nil
	case len(parts) == 2 && parts[0] == "after":
		if after, err = strconv.ParseUint(parts[1], 10, 64); err != nil {
			return 0, 0, errcode.Wrap(module.ErrInvalidRequest, "%q: after %q: want a proposal id", path, parts[1])
		}
		return status, after, nil
	}
	return 0, 0, errcode.Wrap(module.ErrInvalidRequest, "%q: want %sproposals[/<status>][/after/<id>]", path, QueryPrefix)
}
