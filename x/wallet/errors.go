package wallet

import "github.com/ledgerd/ledgerd/x/errcode"

// Codespace of wallet errors.
const Codespace = "wallet"

var (
	ErrInvalidMsg         = errcode.Register(Codespace, 2, "invalid wallet message")
	ErrZeroAmount         = errcode.Register(Codespace, 3, "amount must be positive")
	ErrInsufficientFunds  = errcode.Register(Codespace, 4, "insufficient funds")
	ErrAmountOverflow     = errcode.Register(Codespace, 5, "amount overflows: the resulting balance or total exceeds 2^64-1 minor units")
	ErrWalletExists       = errcode.Register(Codespace, 6, "a wallet is already open for this owner")
	ErrWalletNotFound     = errcode.Register(Codespace, 7, "no wallet is open for this address")
	ErrWalletInactive     = errcode.Register(Codespace, 8, "wallet is not active")
	ErrUnknownDenom       = errcode.Register(Codespace, 9, "denomination is not carried by this ledger")
	ErrNotBankOfRecord    = errcode.Register(Codespace, 10, "signer's bank is not the wallet's bank of record")
	ErrDuplicateReference = errcode.Register(Codespace, 11, "this external reference was already credited")
	ErrSelfTransfer       = errcode.Register(Codespace, 12, "sender and recipient are the same wallet")
	ErrOwnerIsOperator    = errcode.Register(Codespace, 13, "owner address is a member's operator key; use a separate key for the wallet")
	ErrInvalidGenesis     = errcode.Register(Codespace, 14, "invalid wallet genesis")
	ErrBalanceCap         = errcode.Register(Codespace, 15, "the recipient's balance would exceed its balance cap")
	ErrPaymentLimit       = errcode.Register(Codespace, 16, "payment exceeds the sender's single-payment limit")
	ErrDailyLimit         = errcode.Register(Codespace, 17, "payment exceeds the sender's daily outflow limit")
	ErrAnnualLimit        = errcode.Register(Codespace, 18, "payment exceeds the sender's annual outflow limit")
	ErrWalletFrozen       = errcode.Register(Codespace, 19, "wallet is frozen: nothing in or out")
	ErrReceiveOnly        = errcode.Register(Codespace, 20, "wallet is under a debit freeze: it may only receive")
	ErrWalletClosed       = errcode.Register(Codespace, 21, "wallet is closed")
	ErrNonZeroBalance     = errcode.Register(Codespace, 22, "a wallet must hold nothing to be closed")
	ErrFreezeNotFound     = errcode.Register(Codespace, 23, "no such standing freeze order on this wallet")
	ErrNotAuthority       = errcode.Register(Codespace, 24, "only the order's authority or a regulator may release it; only the bank of record or a regulator may freeze")
	ErrTooManyFreezes     = errcode.Register(Codespace, 25, "too many standing freeze orders on this wallet")
	ErrIssuanceCap        = errcode.Register(Codespace, 26, "deposit exceeds the issuer's issuance cap")
	// Code 27 is retired: a redemption no longer stops at the bank's
	// outstanding issuance (docs/settlement.md); it stays registered so
	// that it keeps its meaning in old results.
	_              = errcode.Register(Codespace, 27, "retired, no longer returned: redemption exceeded the bank of record's outstanding issuance (before interbank settlement)")
	ErrTooManyLegs = errcode.Register(Codespace, 28, "batch transfer has too many legs")

	// Keys, recovery and the second factor.
	ErrKeyInUse             = errcode.Register(Codespace, 29, "this address signs, signed or will sign for a wallet: a key serves one wallet, once")
	ErrKeyReplaced          = errcode.Register(Codespace, 30, "this key was replaced by a key rotation or a recovery: it signs no more")
	ErrKeyNotInForce        = errcode.Register(Codespace, 31, "this key signs for its wallet only once the wallet's key recovery completes")
	ErrRecoveryPending      = errcode.Register(Codespace, 32, "a key recovery is pending: the wallet only receives until it completes or is cancelled")
	ErrNoRecovery           = errcode.Register(Codespace, 33, "no key recovery is pending on this wallet")
	ErrSecondFactorRequired = errcode.Register(Codespace, 34, "this needs the wallet's second factor's signature too (the envelope's second signature)")
	ErrWrongSecondSigner    = errcode.Register(Codespace, 35, "the second signature is not by the key this transaction needs")
	ErrNoSecondFactor       = errcode.Register(Codespace, 36, "the wallet has no second factor")
	ErrRemovalPending       = errcode.Register(Codespace, 37, "the second factor's removal is already pending")

	// Sub-wallets.
	ErrNotParent         = errcode.Register(Codespace, 38, "the signer's wallet is not this sub-wallet's parent")
	ErrSubOfSub          = errcode.Register(Codespace, 39, "a sub-wallet cannot have sub-wallets")
	ErrSubLimit          = errcode.Register(Codespace, 40, "a sub-wallet's limit must be within its parent's")
	ErrSubWalletFrozen   = errcode.Register(Codespace, 41, "the parent has stopped this sub-wallet's payments")
	ErrNotAPayee         = errcode.Register(Codespace, 42, "the recipient is not among the sub-wallet's payees")
	ErrHasSubWallets     = errcode.Register(Codespace, 43, "the wallet has sub-wallets: close them first")
	ErrTooManySubWallets = errcode.Register(Codespace, 44, "too many sub-wallets under this parent")

	// Closing.
	ErrCloseUnderFreeze = errcode.Register(Codespace, 45, "a wallet under a freeze order (full or debit) cannot be closed: the order's authority or a regulator must release it first")
)
