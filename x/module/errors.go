package module

import "github.com/ledgerd/ledgerd/x/errcode"

// QueryCodespace is the codespace of query errors that are not a module's
// own: the app's routing and the generic refusals every module's query
// handlers use.
const QueryCodespace = "query"

// Query errors.
var (
	ErrUnknownQuery   = errcode.Register(QueryCodespace, 2, "unknown query path")
	ErrHeightNotKept  = errcode.Register(QueryCodespace, 3, "height not available: pruned, or not committed yet")
	ErrInvalidRequest = errcode.Register(QueryCodespace, 4, "invalid query request")
	ErrInvariant      = errcode.Register(QueryCodespace, 5, "invariant broken")
	ErrNoHistory      = errcode.Register(QueryCodespace, 6, "this node keeps no history index (history.enabled = false)")
	ErrHistoryStopped = errcode.Register(QueryCodespace, 7, "this node's history index stopped after a write failure; it catches up when the node restarts")
	// ErrBusy is a node's refusal of an RPC query beyond its query budget
	// ([query] in ledgerd.toml): answered at once, nothing was read.
	ErrBusy = errcode.Register(QueryCodespace, 10, "this node is answering as many queries as its budget allows: retry in a moment")
)

// Read refusals of private stores (Module.Private).
var (
	ErrReadRefused = errcode.Register(QueryCodespace, 8, "this reader may not read this: the store is private (sign the request with --as, as a reader its module allows)")
	ErrReadExpired = errcode.Register(QueryCodespace, 9, "the signed read request expired: its valid_until is before the node's last block")
)
