package gov

import "github.com/ledgerd/ledgerd/x/errcode"

// Codespace of governance errors.
const Codespace = "gov"

var (
	ErrInvalidProposal  = errcode.Register(Codespace, 2, "invalid proposal")
	ErrInvalidAction    = errcode.Register(Codespace, 3, "the proposal's action is not valid in the current state")
	ErrProposalNotFound = errcode.Register(Codespace, 4, "no such proposal")
	ErrVotingClosed     = errcode.Register(Codespace, 5, "the proposal is not open for votes (decided, or past its deadline)")
	ErrInvalidVote      = errcode.Register(Codespace, 6, "invalid vote option: want yes, no or abstain")
	ErrAlreadyVoted     = errcode.Register(Codespace, 7, "the member already voted so on this proposal")
	ErrTooManyOpen      = errcode.Register(Codespace, 8, "too many proposals in voting: wait for some to be decided")
	ErrInvalidGenesis   = errcode.Register(Codespace, 9, "invalid governance genesis")
)
