package client

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// Sentinel errors. Errors returned by this package wrap one of these, or are
// a *TxError or *QueryError; test with errors.Is and errors.As.
var (
	// ErrNotFound means the record asked for does not exist. For a verified
	// query the absence is proven (see NotFoundError.Proven).
	ErrNotFound = errors.New("not found")
	// ErrTxTimeout means a transaction was not found committed before the
	// wait ended. It may still be committed later.
	ErrTxTimeout = errors.New("transaction not committed in time")
	// ErrTxExpired means the chain passed the transaction's
	// valid_until_height without committing it: it never will be.
	ErrTxExpired = errors.New("transaction expired without being committed")
	// ErrTxInMempool means the node already holds these exact transaction
	// bytes in its mempool cache (a resubmission). BroadcastAndWait treats
	// it as accepted and waits for the commit.
	ErrTxInMempool = errors.New("transaction already in the node's mempool cache")
	// ErrVerification means a verified query could not be verified: the
	// header did not pass the light client, or the proof does not match the
	// verified app hash. The answer must not be used.
	ErrVerification = errors.New("verification failed")
	// ErrTrust means the light client has no usable root of trust (expired,
	// conflicting with the configured one, or unavailable).
	ErrTrust = errors.New("no usable root of trust")
)

// TxError is a transaction the node refused (CheckTx, Height = 0) or that
// was committed in a block and failed there (Height > 0). Codespace and
// Code are the stable pair of the registered error (see package
// x/errcode); errors.Is(err, auth.ErrNonceTooLow) and the like hold for the
// matching registered error.
type TxError struct {
	Codespace string
	Code      uint32
	Log       string
	// Hash is the transaction hash (SHA-256 of its bytes).
	Hash []byte
	// Height is the block that committed the failed transaction; 0 if it
	// was rejected before entering the mempool.
	Height int64
}

// Error implements error, and adds what to do for the common rejections.
func (e *TxError) Error() string {
	var b strings.Builder
	if e.Height > 0 {
		fmt.Fprintf(&b, "tx %X failed in block %d", e.Hash, e.Height)
	} else {
		fmt.Fprintf(&b, "tx %X rejected by the node (CheckTx)", e.Hash)
	}
	fmt.Fprintf(&b, ": codespace %q code %d", e.Codespace, e.Code)
	if e.Log != "" {
		fmt.Fprintf(&b, ": %s", e.Log)
	}
	if h := txHint(e.Codespace, e.Code); h != "" {
		fmt.Fprintf(&b, " (%s)", h)
	}
	return b.String()
}

// Is reports whether target is the registered error (codespace and code) of
// e, so that errors.Is(err, auth.ErrNonceTooLow) works on a *TxError.
func (e *TxError) Is(target error) bool {
	var t *errcode.Error
	return errors.As(target, &t) && t.Codespace == e.Codespace && t.Code == e.Code
}

// QueryError is an ABCI query the node answered with a non-zero code.
type QueryError struct {
	// Path and Height are the query's (Height 0 = latest).
	Path      string
	Height    int64
	Codespace string
	Code      uint32
	Log       string
}

// Error implements error.
func (e *QueryError) Error() string {
	at := "latest height"
	if e.Height > 0 {
		at = fmt.Sprintf("height %d", e.Height)
	}
	s := fmt.Sprintf("query %s at %s failed: codespace %q code %d", e.Path, at, e.Codespace, e.Code)
	if e.Log != "" {
		s += ": " + e.Log
	}
	return s
}

// Is reports whether target is the registered error (codespace and code) of
// e, as TxError.Is does.
func (e *QueryError) Is(target error) bool {
	var t *errcode.Error
	return errors.As(target, &t) && t.Codespace == e.Codespace && t.Code == e.Code
}

// NotFoundError says which record is absent. It wraps ErrNotFound.
type NotFoundError struct {
	// What names the record, e.g. `wallet 0xAb…`.
	What string
	// Store and Key locate it.
	Store string
	Key   []byte
	// Proven is true when a verified query proved the absence at Height.
	Proven bool
	Height int64
}

// Error implements error.
func (e *NotFoundError) Error() string {
	if e.Proven {
		return fmt.Sprintf("%s not found: proven absent at height %d (store %q, key %X)", e.What, e.Height, e.Store, e.Key)
	}
	return fmt.Sprintf("%s not found (store %q, key %X)", e.What, e.Store, e.Key)
}

// Unwrap returns ErrNotFound.
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// txHints say what to do about the rejections a user can fix.
var txHints = map[*errcode.Error]string{
	auth.ErrNonCanonical:   "encode with proto.MarshalOptions{Deterministic: true}, as client.SignTx does",
	auth.ErrWrongChainID:   "it was signed for another chain: check the node URL and the chain id",
	auth.ErrTxExpired:      "build and sign it again: BuildTx sets valid_until_height from the current height",
	auth.ErrSignerMismatch: "sign with the key of the body's signer, over the domain of this chain",
	auth.ErrSigInvalid:     "sign with the key of the body's signer, over the domain of this chain",
	auth.ErrNonceTooLow:    "that nonce was already used: sign again with the account's current nonce (client.Nonce), or the next one after your pending transactions",
	auth.ErrNonceTooHigh:   "earlier nonces are missing: submit those first, or sign again with the account's current nonce (client.Nonce)",
	auth.ErrUnknownSigner:  "the key is neither a member's operator nor a wallet owner: a wallet must be opened by its bank before its owner can sign",
	auth.ErrTooManyPending: "wait for the signer's pending transactions to be committed, then retry",
}

func txHint(codespace string, code uint32) string {
	for e, h := range txHints {
		if e.Codespace == codespace && e.Code == code {
			return h
		}
	}
	return ""
}
