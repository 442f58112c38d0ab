package wallet

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
)

// Sub-wallets: a wallet (the parent) authorises a sub-wallet with its own
// key, its own limits within the parent's and optional payees. A
// sub-wallet's payments count toward its parent's single-payment, daily
// and annual limits and need a parent that may pay; the parent may stop
// and resume its payments, change its limits and payees, sweep its money
// back, and close it (which sweeps everything back). A sub-wallet is held
// at its parent's bank, at its parent's tier and KYC record.

// Bounds on sub-wallets.
const (
	MaxSubWallets = 100
	MaxPayees     = 32
)

func cloneWallet(w *walletv1.Wallet) *walletv1.Wallet { return proto.Clone(w).(*walletv1.Wallet) }

// ValidateOpenSubWallet: see ValidateRecoverWallet.
func ValidateOpenSubWallet(m *walletv1.MsgOpenSubWallet) error {
	if err := checkAddress("owner", m.Owner); err != nil {
		return err
	}
	return checkSubTerms(m.Denom, m.Payees)
}

// ValidateSetSubWallet: see ValidateRecoverWallet.
func ValidateSetSubWallet(m *walletv1.MsgSetSubWallet) error {
	if err := checkAddress("wallet", m.Wallet); err != nil {
		return err
	}
	return checkSubTerms(m.Denom, m.Payees)
}

// ValidateFreezeSubWallet: see ValidateRecoverWallet.
func ValidateFreezeSubWallet(m *walletv1.MsgFreezeSubWallet) error {
	return checkAddress("wallet", m.Wallet)
}

// ValidateSweepSubWallet: see ValidateRecoverWallet. An amount of 0 sweeps
// the whole balance.
func ValidateSweepSubWallet(m *walletv1.MsgSweepSubWallet) error {
	if err := checkAddress("wallet", m.Wallet); err != nil {
		return err
	}
	if !denomPattern.MatchString(m.Denom) {
		return errcode.Wrap(ErrInvalidMsg, "denom %q", m.Denom)
	}
	return nil
}

func checkSubTerms(denom string, payees [][]byte) error {
	if !denomPattern.MatchString(denom) {
		return errcode.Wrap(ErrInvalidMsg, "denom %q", denom)
	}
	if len(payees) > MaxPayees {
		return errcode.Wrap(ErrInvalidMsg, "%d payees, at most %d", len(payees), MaxPayees)
	}
	for i, p := range payees {
		if err := checkAddress(fmt.Sprintf("payees[%d]", i), p); err != nil {
			return err
		}
	}
	return nil
}

// sortedPayees returns payees sorted, without duplicates.
func sortedPayees(payees [][]byte) [][]byte {
	out := slices.Clone(payees)
	slices.SortFunc(out, bytes.Compare)
	return slices.CompactFunc(out, bytes.Equal)
}

// checkSubLimits fails unless each of lim's limits is within parent's
// limit of the same kind in denom, where the parent has one (a sub-wallet
// limit of 0 means the parent's).
func checkSubLimits(p *walletv1.Params, parent *walletv1.Wallet, denom string, lim *walletv1.Limits) error {
	pl := EffectiveLimits(p, parent, denom)
	for _, c := range []struct {
		name       string
		sub, outer uint64
	}{
		{"balance cap", lim.GetBalanceCap(), pl.BalanceCap},
		{"payment limit", lim.GetPaymentLimit(), pl.PaymentLimit},
		{"daily limit", lim.GetDailyOutflowLimit(), pl.DailyOutflowLimit},
		{"annual limit", lim.GetAnnualOutflowLimit(), pl.AnnualOutflowLimit},
	} {
		if c.outer > 0 && c.sub > c.outer {
			return errcode.Wrap(ErrSubLimit, "%s %d %s above the parent's %d", c.name, c.sub, denom, c.outer)
		}
	}
	return nil
}

// setOwnLimits sets w's own limits in denom to lim (all zero: none).
func setOwnLimits(w *walletv1.Wallet, denom string, lim *walletv1.Limits) {
	if lim == nil {
		lim = &walletv1.Limits{}
	}
	i, ok := findWalletLimits(w.Limits, denom)
	switch {
	case lim.BalanceCap == 0 && lim.PaymentLimit == 0 && lim.DailyOutflowLimit == 0 && lim.AnnualOutflowLimit == 0:
		if ok {
			w.Limits = slices.Delete(w.Limits, i, i+1)
		}
	case ok:
		w.Limits[i].Limits = lim
	default:
		w.Limits = slices.Insert(w.Limits, i, &walletv1.WalletLimits{Denom: denom, Limits: lim})
	}
}

// OpenSubWallet opens a sub-wallet for msg.Owner under the signer's
// wallet, which must be a wallet of its own that may pay.
func (mod *Module) OpenSubWallet(ctx exec.Context, msg *walletv1.MsgOpenSubWallet) error {
	k := NewKeeper(ctx.KV(StoreName))
	params := mod.paramsOf(ctx)
	if err := checkDenom(params, msg.Denom); err != nil {
		return err
	}
	parent, err := mod.load(ctx, k, ctx.AccountID)
	if err != nil {
		return err
	}
	if len(parent.Parent) > 0 {
		return errcode.Wrap(ErrSubOfSub, "wallet %x is a sub-wallet of %x", parent.Owner, parent.Parent)
	}
	if err := canSend(parent); err != nil {
		return err
	}
	if parent.SubWallets >= MaxSubWallets {
		return errcode.Wrap(ErrTooManySubWallets, "wallet %x has %d, at most %d", parent.Owner, parent.SubWallets, MaxSubWallets)
	}
	owner := common.BytesToAddress(msg.Owner)
	if k.KeyInUse(owner) {
		return errcode.Wrap(ErrWalletExists, "owner %s (or a wallet's key)", owner.Hex())
	}
	if _, isOperator := mod.members(ctx).Operator(owner); isOperator {
		return errcode.Wrap(ErrOwnerIsOperator, "owner %s", owner.Hex())
	}
	if err := checkSubLimits(params, parent, msg.Denom, msg.Limits); err != nil {
		return err
	}
	sub := &walletv1.Wallet{
		Owner: owner.Bytes(), Bank: parent.Bank, Tier: parent.Tier, Status: walletv1.WalletStatus_WALLET_STATUS_ACTIVE,
		KycHash: parent.KycHash, OpenedHeight: ctx.Height, OpenedTime: ctx.Time.Unix(), Parent: parent.Owner,
		Payees: sortedPayees(msg.Payees),
	}
	setOwnLimits(sub, msg.Denom, msg.Limits)
	appendHistory(ctx, sub, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_OPENED, Counterparty: parent.Owner,
		Detail: fmt.Sprintf("sub-wallet of %x, tier %d", parent.Owner, parent.Tier)})
	parent.SubWallets++
	appendHistory(ctx, parent, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_SUB_WALLET, Counterparty: sub.Owner,
		Detail: "opened sub-wallet " + owner.Hex()})
	k.SetWallet(sub)
	k.SetWallet(parent)
	ctx.Emit("wallet_opened", "owner", exec.Hex(owner), "bank", sub.Bank, "tier", strconv.FormatUint(uint64(sub.Tier), 10))
	subEvent(ctx, sub, "opened", "", 0)
	return nil
}

// isParent reports whether parent is the parent of the wallet at sub.
func (v View) isParent(sub, parent common.Address) bool {
	w, err := v.Wallet(sub)
	return err == nil && bytes.Equal(w.Parent, parent[:])
}

// parentOf loads the sub-wallet at addr for the signer, which must be its
// parent; the sub-wallet must not be closed.
func (mod *Module) parentOf(ctx exec.Context, k Keeper, addr []byte) (*walletv1.Wallet, error) {
	sub, err := mod.load(ctx, k, common.BytesToAddress(addr))
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(sub.Parent, ctx.AccountID[:]) {
		return nil, errcode.Wrap(ErrNotParent, "wallet %x, parent %x, signer's wallet %s", sub.Owner, sub.Parent, ctx.AccountID.Hex())
	}
	if sub.Closed {
		return nil, errcode.Wrap(ErrWalletClosed, "wallet %x", sub.Owner)
	}
	return sub, nil
}

// subAndParent returns the parameters, the sub-wallet at addr and its
// parent, the signer's wallet, for a message on the sub-wallet in denom.
func (mod *Module) subAndParent(ctx exec.Context, k Keeper, addr []byte, denom string) (*walletv1.Params, *walletv1.Wallet, *walletv1.Wallet, error) {
	params := mod.paramsOf(ctx)
	if err := checkDenom(params, denom); err != nil {
		return nil, nil, nil, err
	}
	sub, err := mod.parentOf(ctx, k, addr)
	if err != nil {
		return nil, nil, nil, err
	}
	parent, err := mod.load(ctx, k, ctx.AccountID)
	if err != nil {
		return nil, nil, nil, err
	}
	return params, sub, parent, nil
}

// SetSubWallet replaces a sub-wallet's limits in a denom and its payees.
func (mod *Module) SetSubWallet(ctx exec.Context, msg *walletv1.MsgSetSubWallet) error {
	k := NewKeeper(ctx.KV(StoreName))
	params, sub, parent, err := mod.subAndParent(ctx, k, msg.Wallet, msg.Denom)
	if err != nil {
		return err
	}
	if err := checkSubLimits(params, parent, msg.Denom, msg.Limits); err != nil {
		return err
	}
	setOwnLimits(sub, msg.Denom, msg.Limits)
	sub.Payees = sortedPayees(msg.Payees)
	lim := msg.Limits
	appendHistory(ctx, sub, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_LIMITS_CHANGE, Counterparty: parent.Owner, Denom: msg.Denom,
		Detail: fmt.Sprintf("by the parent: balance cap %d, payment %d, daily %d, annual %d; %d payees", lim.GetBalanceCap(),
			lim.GetPaymentLimit(), lim.GetDailyOutflowLimit(), lim.GetAnnualOutflowLimit(), len(sub.Payees))})
	k.SetWallet(sub)
	subEvent(ctx, sub, "limits", msg.Denom, 0)
	return nil
}

// FreezeSubWallet stops a sub-wallet's payments, or resumes them.
func (mod *Module) FreezeSubWallet(ctx exec.Context, msg *walletv1.MsgFreezeSubWallet) error {
	k := NewKeeper(ctx.KV(StoreName))
	sub, err := mod.parentOf(ctx, k, msg.Wallet)
	if err != nil {
		return err
	}
	if sub.SubFrozen != msg.Unfreeze {
		return errcode.Wrap(ErrInvalidMsg, "sub-wallet %x is already %s", sub.Owner, map[bool]string{true: "stopped", false: "paying"}[sub.SubFrozen])
	}
	sub.SubFrozen = !msg.Unfreeze
	change, detail := "frozen", "payments stopped by the parent"
	if msg.Unfreeze {
		change, detail = "unfrozen", "payments resumed by the parent"
	}
	appendHistory(ctx, sub, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_SUB_WALLET, Counterparty: sub.Parent, Detail: detail})
	k.SetWallet(sub)
	subEvent(ctx, sub, change, "", 0)
	return nil
}

// SweepSubWallet moves msg.Amount (0: all) of a denom from a sub-wallet to
// its parent. Neither's limits apply (the money stays the customer's);
// legal freezes of either and the parent's balance cap do.
func (mod *Module) SweepSubWallet(ctx exec.Context, msg *walletv1.MsgSweepSubWallet) error {
	k := NewKeeper(ctx.KV(StoreName))
	params, sub, parent, err := mod.subAndParent(ctx, k, msg.Wallet, msg.Denom)
	if err != nil {
		return err
	}
	amount := msg.Amount
	if amount == 0 {
		amount = Balance(sub, msg.Denom)
	}
	if err := mod.sweep(ctx, params, sub, parent, msg.Denom, amount); err != nil {
		return err
	}
	k.SetWallet(sub)
	k.SetWallet(parent)
	return nil
}

// sweep moves amount of denom from sub to parent; the caller stores both.
func (mod *Module) sweep(ctx exec.Context, params *walletv1.Params, sub, parent *walletv1.Wallet, denom string, amount uint64) error {
	if sub.Status == walletv1.WalletStatus_WALLET_STATUS_FROZEN || sub.Status == walletv1.WalletStatus_WALLET_STATUS_DEBIT_FROZEN {
		return canSend(sub)
	}
	if err := canReceive(parent); err != nil {
		return err
	}
	have := Balance(sub, denom)
	if amount == 0 || have < amount {
		show := amountsOf(params, denom)
		return errcode.Wrap(ErrInsufficientFunds, "sub-wallet %x has %s, sweep of %s", sub.Owner, show(have), show(amount))
	}
	setBalance(sub, denom, have-amount)
	if err := mod.credit(ctx, params, parent, denom, amount); err != nil {
		return err
	}
	if err := NewKeeper(ctx.KV(StoreName)).crossed(sub.Bank, parent.Bank, denom, amount); err != nil {
		return err
	}
	why := Reason{Kind: "wallet.sub-sweep"}
	appendHistory(ctx, sub, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_TRANSFER_OUT, Counterparty: parent.Owner,
		Denom: denom, Amount: amount, BalanceAfter: have - amount, Reason: why.Kind})
	appendHistory(ctx, parent, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_TRANSFER_IN, Counterparty: sub.Owner,
		Denom: denom, Amount: amount, BalanceAfter: Balance(parent, denom), Reason: why.Kind})
	subEvent(ctx, sub, "swept", denom, amount)
	return nil
}

// closeSub sweeps every balance of sub back to parent and closes sub, for
// its parent; the caller stores both.
func (mod *Module) closeSub(ctx exec.Context, sub, parent *walletv1.Wallet) error {
	params := mod.paramsOf(ctx)
	for len(sub.Balances) > 0 {
		c := sub.Balances[0]
		if err := mod.sweep(ctx, params, sub, parent, c.Denom, c.Amount); err != nil {
			return err
		}
	}
	return nil
}

// subPayment applies a sub-wallet's own rules and its parent's to a
// payment of amount to to: the parent's stop, the payees, the parent's
// ability to pay and its limits, counting the payment in the parent's
// outflow. It returns the parent, which the caller stores (it is recipient
// itself when the sub-wallet pays its parent).
func (mod *Module) subPayment(ctx exec.Context, k Keeper, params *walletv1.Params, from, recipient *walletv1.Wallet, denom string, amount uint64) (*walletv1.Wallet, error) {
	if from.SubFrozen {
		return nil, errcode.Wrap(ErrSubWalletFrozen, "sub-wallet %x", from.Owner)
	}
	if bytes.Equal(recipient.Owner, from.Parent) {
		return recipient, nil // back to the parent: the customer's money stays the customer's
	}
	if len(from.Payees) > 0 {
		if _, ok := slices.BinarySearchFunc(from.Payees, recipient.Owner, bytes.Compare); !ok {
			return nil, errcode.Wrap(ErrNotAPayee, "sub-wallet %x may pay %d payees and its parent, not %x", from.Owner, len(from.Payees), recipient.Owner)
		}
	}
	parent, err := mod.load(ctx, k, common.BytesToAddress(from.Parent))
	if err != nil {
		return nil, fmt.Errorf("parent of %x: %w", from.Owner, err)
	}
	if err := canSend(parent); err != nil {
		return nil, fmt.Errorf("parent of %x: %w", from.Owner, err)
	}
	owner := common.BytesToAddress(parent.Owner)
	f := flowOf(parent, denom, Day(ctx.Time.Unix(), params.UtcOffsetSeconds))
	if err := checkPayment(owner, EffectiveLimits(params, parent, denom), f, amountsOf(params, denom), amount); err != nil {
		return nil, fmt.Errorf("parent's limits: %w", err)
	}
	if f.DayOutflow, err = addOf(f.DayOutflow, amount, "day outflow of %s", owner); err != nil {
		return nil, err
	}
	if f.YearOutflow, err = addOf(f.YearOutflow, amount, "year outflow of %s", owner); err != nil {
		return nil, err
	}
	return parent, nil
}

func subEvent(ctx exec.Context, sub *walletv1.Wallet, change, denom string, amount uint64) {
	attrs := []string{"wallet", exec.Hex(common.BytesToAddress(sub.Owner)), "parent", exec.Hex(common.BytesToAddress(sub.Parent)), "change", change}
	if denom != "" {
		attrs = append(attrs, "denom", denom, "amount", strconv.FormatUint(amount, 10))
	}
	ctx.Emit("wallet_sub", attrs...)
}
