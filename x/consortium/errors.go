package consortium

import "github.com/ledgerd/ledgerd/x/errcode"

// Codespace of consortium errors.
const Codespace = "consortium"

var (
	ErrInvalidGenesis = errcode.Register(Codespace, 2, "invalid consortium genesis")
	ErrMemberNotFound = errcode.Register(Codespace, 3, "no such member")
	ErrMemberInactive = errcode.Register(Codespace, 4, "member is not active (suspended or removed)")
	ErrMissingRole    = errcode.Register(Codespace, 5, "member lacks the role this action needs")
	ErrNotOperator    = errcode.Register(Codespace, 6, "signer is not an operator of any member")
	ErrNodeNotMember  = errcode.Register(Codespace, 7, "P2P node id is not declared by any member")
)
