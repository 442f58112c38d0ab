package auth

import "github.com/ledgerd/ledgerd/x/errcode"

// Codespace of envelope errors.
const Codespace = "auth"

// Envelope rejections, in the order the pipeline checks them. The codes are
// stable: clients branch on them.
var (
	ErrTxTooLarge      = errcode.Register(Codespace, 2, "transaction exceeds the size limit")
	ErrTxDecode        = errcode.Register(Codespace, 3, "transaction bytes do not decode")
	ErrNonCanonical    = errcode.Register(Codespace, 4, "transaction is not canonically encoded (unknown field, field order or redundant encoding)")
	ErrInvalidTx       = errcode.Register(Codespace, 5, "transaction body is invalid")
	ErrWrongChainID    = errcode.Register(Codespace, 6, "transaction is for another chain")
	ErrTxExpired       = errcode.Register(Codespace, 7, "transaction expired: the chain is past its valid_until_height")
	ErrSigLength       = errcode.Register(Codespace, 8, "signature must be 65 bytes: r || s || v")
	ErrSigRecoveryID   = errcode.Register(Codespace, 9, "signature recovery id v must be 0 or 1 (subtract 27 from Ethereum wallets' v)")
	ErrSigHighS        = errcode.Register(Codespace, 10, "signature s is in the upper half of the curve order (non-canonical, malleable)")
	ErrSigInvalid      = errcode.Register(Codespace, 11, "signature does not verify")
	ErrSignerMismatch  = errcode.Register(Codespace, 12, "signature was made by another key than the tx's signer")
	ErrNonceTooLow     = errcode.Register(Codespace, 13, "nonce too low: already used")
	ErrNonceTooHigh    = errcode.Register(Codespace, 14, "nonce too high: earlier nonces are missing")
	ErrUnknownSigner   = errcode.Register(Codespace, 15, "signer is neither a member's operator nor a wallet owner")
	ErrTooManyPending  = errcode.Register(Codespace, 16, "signer has too many transactions pending in the mempool")
	ErrInvalidSignMode = errcode.Register(Codespace, 17, "unknown sign mode")
	ErrValidityTooLong = errcode.Register(Codespace, 18, "valid_until_height is further ahead than the chain allows (max_tx_validity_blocks)")
	// Second signatures (see Signer.Signers).
	ErrSecondSignerIsSigner = errcode.Register(Codespace, 19, "the second signature is by the signer's own key: it must be by another key")
	ErrNoSecondSignature    = errcode.Register(Codespace, 20, "this signer's transactions carry one signature: a second one is refused")
	// ErrMempoolFull and ErrAlreadyPending come from a node whose app keeps
	// the mempool (CometBFT's mempool.type = "app").
	ErrMempoolFull    = errcode.Register(Codespace, 21, "this node's mempool is full: retry in a moment")
	ErrAlreadyPending = errcode.Register(Codespace, 22, "this transaction is already in this node's mempool")
)
