package settle

import "github.com/ledgerd/ledgerd/x/errcode"

// Codespace of settle errors.
const Codespace = "settle"

var (
	ErrInvalidMsg      = errcode.Register(Codespace, 2, "invalid settlement message")
	ErrInvalidGenesis  = errcode.Register(Codespace, 3, "invalid settle genesis")
	ErrInvalidParams   = errcode.Register(Codespace, 4, "invalid settle parameters")
	ErrNoAgent         = errcode.Register(Codespace, 5, "no settlement agent is set (parameter agent): only bilateral cycles")
	ErrNothingToSettle = errcode.Register(Codespace, 6, "nothing to settle: every net position in the denomination is zero or already being settled")
	ErrCycleNotFound   = errcode.Register(Codespace, 7, "no such settlement cycle")
	ErrLegNotFound     = errcode.Register(Codespace, 8, "no such leg in the cycle")
	ErrNotPayer        = errcode.Register(Codespace, 9, "the signer does not act for the leg's payer")
	ErrNotPayee        = errcode.Register(Codespace, 10, "the signer does not act for the leg's payee")
	ErrLegState        = errcode.Register(Codespace, 11, "the leg is not in a state that allows this")
	ErrAgentShort      = errcode.Register(Codespace, 12, "the agent pays creditors no more than it has confirmed receiving from debtors in the cycle")
	ErrIssuanceStopped = errcode.Register(Codespace, 13, "the bank is past its net debit cap or its settlement deadline: it issues no more until it settles")
	ErrNotBank         = errcode.Register(Codespace, 14, "the signer does not act for an active issuer (or, for an extra cycle, the agent)")
	ErrInvalidQuery    = errcode.Register(Codespace, 15, "invalid settle query")
)
