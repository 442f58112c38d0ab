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
)
