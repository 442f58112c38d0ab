package gov

import (
	"testing"

	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
)

func TestNamesAndPaths(t *testing.T) {
	for s := govv1.ProposalStatus_PROPOSAL_STATUS_VOTING; s <= govv1.ProposalStatus_PROPOSAL_STATUS_FAILED; s++ {
		if got, err := ParseStatus(StatusName(s)); err != nil || got != s {
			t.Errorf("ParseStatus(%q) = %v, %v", StatusName(s), got, err)
		}
	}
	for o := govv1.VoteOption_VOTE_OPTION_YES; o <= govv1.VoteOption_VOTE_OPTION_ABSTAIN; o++ {
		if got, err := ParseOption(OptionName(o)); err != nil || got != o {
			t.Errorf("ParseOption(%q) = %v, %v", OptionName(o), got, err)
		}
	}
	for _, bad := range []string{"", "unspecified", "VOTING", "open"} {
		if _, err := ParseStatus(bad); err == nil {
			t.Errorf("ParseStatus(%q) succeeded", bad)
		}
		if _, err := ParseOption(bad); err == nil {
			t.Errorf("ParseOption(%q) succeeded", bad)
		}
	}
	for path, want := range map[string]string{
		ProposalsPath(0, 0): "/gov/proposals",
		ProposalsPath(govv1.ProposalStatus_PROPOSAL_STATUS_REJECTED, 0): "/gov/proposals/rejected",
		ProposalsPath(govv1.ProposalStatus_PROPOSAL_STATUS_VOTING, 7):   "/gov/proposals/voting/after/7",
		ProposalsPath(0, 100): "/gov/proposals/after/100",
		VotesPath(3):          "/gov/votes/3",
		TallyPath(12):         "/gov/tally/12",
	} {
		if path != want {
			t.Errorf("path %q, want %q", path, want)
		}
	}
}
