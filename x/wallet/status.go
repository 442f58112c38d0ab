package wallet

import (
	"github.com/ethereum/go-ethereum/common"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// MaxFreezes bounds the standing freeze orders of one wallet.
const MaxFreezes = 16

// effectiveStatus is the strictest of w's base state and its orders.
func effectiveStatus(w *walletv1.Wallet) walletv1.WalletStatus {
	if w.Closed {
		return walletv1.WalletStatus_WALLET_STATUS_CLOSED
	}
	status := walletv1.WalletStatus_WALLET_STATUS_ACTIVE
	if w.Recovery != nil {
		status = walletv1.WalletStatus_WALLET_STATUS_RECOVERING
	}
	for _, o := range w.Freezes {
		switch o.Kind {
		case walletv1.FreezeKind_FREEZE_KIND_FULL:
			return walletv1.WalletStatus_WALLET_STATUS_FROZEN
		case walletv1.FreezeKind_FREEZE_KIND_DEBIT:
			status = walletv1.WalletStatus_WALLET_STATUS_DEBIT_FROZEN
		}
	}
	return status
}

// canSend fails unless w may pay out.
func canSend(w *walletv1.Wallet) error {
	owner := common.BytesToAddress(w.Owner) // formatted only on failure
	switch w.Status {
	case walletv1.WalletStatus_WALLET_STATUS_ACTIVE:
		return nil
	case walletv1.WalletStatus_WALLET_STATUS_DEBIT_FROZEN:
		return errcode.Wrap(ErrReceiveOnly, "wallet %s is under a debit freeze", owner)
	case walletv1.WalletStatus_WALLET_STATUS_RECOVERING:
		return errcode.Wrap(ErrRecoveryPending, "wallet %s: its key recovery completes at %d", owner, w.Recovery.GetDue())
	case walletv1.WalletStatus_WALLET_STATUS_FROZEN:
		return errcode.Wrap(ErrWalletFrozen, "wallet %s", owner)
	case walletv1.WalletStatus_WALLET_STATUS_CLOSED:
		return errcode.Wrap(ErrWalletClosed, "wallet %s", owner)
	}
	return errcode.Wrap(ErrWalletInactive, "wallet %s is %s", owner, w.Status)
}

// canReceive fails unless w may be paid.
func canReceive(w *walletv1.Wallet) error {
	owner := common.BytesToAddress(w.Owner) // formatted only on failure
	switch w.Status {
	case walletv1.WalletStatus_WALLET_STATUS_ACTIVE, walletv1.WalletStatus_WALLET_STATUS_DEBIT_FROZEN,
		walletv1.WalletStatus_WALLET_STATUS_RECOVERING:
		return nil
	case walletv1.WalletStatus_WALLET_STATUS_FROZEN:
		return errcode.Wrap(ErrWalletFrozen, "wallet %s", owner)
	case walletv1.WalletStatus_WALLET_STATUS_CLOSED:
		return errcode.Wrap(ErrWalletClosed, "wallet %s", owner)
	}
	return errcode.Wrap(ErrWalletInactive, "wallet %s is %s", owner, w.Status)
}
