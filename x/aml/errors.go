package aml

import "github.com/ledgerd/ledgerd/x/errcode"

// Codespace of AML errors.
const Codespace = "aml"

var (
	ErrInvalidGenesis  = errcode.Register(Codespace, 2, "invalid aml genesis")
	ErrCounterOverflow = errcode.Register(Codespace, 3, "aml record id counter overflows")
	// ErrUnknownQuery is retired: unknown paths answer query/2, as every
	// module's do.
	ErrUnknownQuery = errcode.Register(Codespace, 4, "unknown aml query path (retired: unknown paths answer query/2)")
	ErrInvalidQuery = errcode.Register(Codespace, 5, "invalid aml query")
)
