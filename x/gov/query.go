package gov

import (
	"fmt"
	"strconv"
	"strings"

	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
)

// Query paths, answered by the app from committed state:
//
//	/gov/proposals[/<status>][/after/<id>] -> govv1.Proposals
//	/gov/votes/<id>                        -> govv1.Votes, in member id order
//	/gov/tally/<id>                        -> govv1.Tally, computed with TallyOf
//
// <status> is voting, executed, rejected or failed (StatusName); without
// it every proposal is listed. A list holds the matching proposals with ids
// greater than <id> (0 if absent), in id order, at most MaxPage of them: a
// full page may have more after it. Every record is also provable key by
// key (ProposalKey, VoteKey, ParamsKey, LastIDKey) in the "gov" store.
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
