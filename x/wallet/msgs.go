package wallet

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/common"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
)

// Limits on message fields.
const (
	MinTier          = 1
	MaxTier          = 4
	MaxReferenceLen  = 128
	MaxMemoLen       = 256
	MaxLegalBasisLen = 256
)

var denomPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]{2,15}$`)

// Module is the wallet module: its message handlers, and the keepers other
// modules move money through (see keepers.go). Its methods are
// deterministic functions of the context and their input. A method that
// fails may have written to the context's stores: the app runs each
// transaction on a branch it discards on failure.
type Module struct {
	members func(exec.Context) Members
	monitor func(exec.Context) Monitor
	// params caches the decoded parameters, which every payment reads.
	params *store.ProtoCache[*walletv1.Params]
	// hooks run before balance changes, zoneGuards before a change of the
	// time zone (touch.go).
	hooks       []BalanceHook
	zoneGuards  []ZoneGuard
	issueGuards []IssueGuard
}

// New returns the wallet module; members gives it the consortium's view
// and monitor the AML monitor in a context (nil: NoMonitor).
func New(members func(exec.Context) Members, monitor func(exec.Context) Monitor) *Module {
	if monitor == nil {
		monitor = func(exec.Context) Monitor { return NoMonitor{} }
	}
	return &Module{members: members, monitor: monitor, params: new(store.ProtoCache[*walletv1.Params])}
}

// paramsOf returns the parameters in ctx, decoded once while they do not
// change. The result is shared: callers must not modify it.
func (mod *Module) paramsOf(ctx exec.Context) *walletv1.Params {
	return mod.params.Get(ctx.KV(StoreName), ParamsKey(), func() *walletv1.Params { return new(walletv1.Params) })
}

// ---- stateless checks, run before the signature ----

// ValidateOpenWallet and the other Validate functions are the stateless
// checks of each message (ErrInvalidMsg, ErrZeroAmount).
func ValidateOpenWallet(m *walletv1.MsgOpenWallet) error {
	if err := checkAddress("owner", m.Owner); err != nil {
		return err
	}
	if err := checkKYC(m.KycHash); err != nil {
		return err
	}
	return checkTier(m.Tier)
}

// ValidateDeposit: see ValidateOpenWallet.
func ValidateDeposit(m *walletv1.MsgDeposit) error {
	if err := checkAddress("wallet", m.Wallet); err != nil {
		return err
	}
	if err := checkAmount(m.Denom, m.Amount); err != nil {
		return err
	}
	return checkText("reference", m.Reference, 1, MaxReferenceLen)
}

// ValidateTransfer: see ValidateOpenWallet.
func ValidateTransfer(m *walletv1.MsgTransfer) error {
	if err := checkAddress("to", m.To); err != nil {
		return err
	}
	if err := checkAmount(m.Denom, m.Amount); err != nil {
		return err
	}
	return checkText("memo", m.Memo, 0, MaxMemoLen)
}

// ValidateRedeem: see ValidateOpenWallet.
func ValidateRedeem(m *walletv1.MsgRedeem) error {
	if err := checkAmount(m.Denom, m.Amount); err != nil {
		return err
	}
	return checkText("payout_reference", m.PayoutReference, 1, MaxReferenceLen)
}

// ValidateBatchTransfer: see ValidateOpenWallet. The number of legs is
// checked against the parameter when executed.
func ValidateBatchTransfer(m *walletv1.MsgBatchTransfer) error {
	if len(m.Legs) == 0 {
		return errcode.Wrap(ErrInvalidMsg, "batch transfer has no legs")
	}
	for i, l := range m.Legs {
		if err := checkAddress(fmt.Sprintf("legs[%d].to", i), l.To); err != nil {
			return err
		}
		if err := checkAmount(m.Denom, l.Amount); err != nil {
			return fmt.Errorf("legs[%d]: %w", i, err)
		}
	}
	return checkText("memo", m.Memo, 0, MaxMemoLen)
}

// ValidateFreeze: see ValidateOpenWallet.
func ValidateFreeze(m *walletv1.MsgFreeze) error {
	if err := checkAddress("wallet", m.Wallet); err != nil {
		return err
	}
	if m.Kind != walletv1.FreezeKind_FREEZE_KIND_FULL && m.Kind != walletv1.FreezeKind_FREEZE_KIND_DEBIT {
		return errcode.Wrap(ErrInvalidMsg, "freeze kind %d: want 1 (full) or 2 (debit)", m.Kind)
	}
	if m.Expires < 0 {
		return errcode.Wrap(ErrInvalidMsg, "expires %d: want 0 (none) or a Unix time", m.Expires)
	}
	return checkText("legal_basis", m.LegalBasis, 1, MaxLegalBasisLen)
}

// ValidateRelease: see ValidateOpenWallet.
func ValidateRelease(m *walletv1.MsgRelease) error {
	if err := checkAddress("wallet", m.Wallet); err != nil {
		return err
	}
	if m.OrderId == 0 {
		return errcode.Wrap(ErrInvalidMsg, "order_id must be set")
	}
	return checkText("reason", m.Reason, 0, MaxLegalBasisLen)
}

// ValidateSetTier: see ValidateOpenWallet.
func ValidateSetTier(m *walletv1.MsgSetTier) error {
	if err := checkAddress("wallet", m.Wallet); err != nil {
		return err
	}
	if err := checkKYC(m.KycHash); err != nil {
		return err
	}
	return checkTier(m.Tier)
}

// ValidateSetLimits: see ValidateOpenWallet.
func ValidateSetLimits(m *walletv1.MsgSetLimits) error {
	if err := checkAddress("wallet", m.Wallet); err != nil {
		return err
	}
	if !denomPattern.MatchString(m.Denom) {
		return errcode.Wrap(ErrInvalidMsg, "denom %q", m.Denom)
	}
	return nil
}

// ValidateCloseWallet: see ValidateOpenWallet.
func ValidateCloseWallet(m *walletv1.MsgCloseWallet) error { return checkAddress("wallet", m.Wallet) }

func checkAddress(field string, a []byte) error {
	if len(a) != common.AddressLength {
		return errcode.Wrap(ErrInvalidMsg, "%s must be a 20-byte address, got %d bytes", field, len(a))
	}
	if bytes.Equal(a, common.Address{}.Bytes()) {
		return errcode.Wrap(ErrInvalidMsg, "%s is the zero address", field)
	}
	return nil
}

func checkKYC(h []byte) error {
	if len(h) != 32 {
		return errcode.Wrap(ErrInvalidMsg, "kyc_hash must be 32 bytes, got %d", len(h))
	}
	return nil
}

func checkTier(t uint32) error {
	if t < MinTier || t > MaxTier {
		return errcode.Wrap(ErrInvalidMsg, "tier %d: want %d to %d", t, MinTier, MaxTier)
	}
	return nil
}

func checkText(field, s string, minLen, maxLen int) error {
	if len(s) < minLen || len(s) > maxLen || !utf8.ValidString(s) {
		return errcode.Wrap(ErrInvalidMsg, "%s must be %d-%d bytes of UTF-8", field, minLen, maxLen)
	}
	return nil
}

func checkAmount(denom string, amount uint64) error {
	if !denomPattern.MatchString(denom) {
		return errcode.Wrap(ErrInvalidMsg, "denom %q: want 3-16 characters of A-Z and 0-9, starting with a letter", denom)
	}
	if amount == 0 {
		return ErrZeroAmount
	}
	return nil
}

// ---- execution ----

// OpenWallet opens a wallet for msg.Owner with the signer's bank as bank of
// record. The signer must operate for an active issuer.
func (mod *Module) OpenWallet(ctx exec.Context, msg *walletv1.MsgOpenWallet) error {
	members := mod.members(ctx)
	bank, err := members.ActingMember(ctx.Signer, consortiumv1.Role_ROLE_ISSUER)
	if err != nil {
		return err
	}
	owner := common.BytesToAddress(msg.Owner)
	if _, isOperator := members.Operator(owner); isOperator {
		return errcode.Wrap(ErrOwnerIsOperator, "owner %s", owner.Hex())
	}
	k := NewKeeper(ctx.KV(StoreName))
	if _, err := k.Wallet(owner); err == nil {
		return errcode.Wrap(ErrWalletExists, "owner %s (a closed wallet is never reopened)", owner.Hex())
	}
	if k.KeyInUse(owner) {
		return errcode.Wrap(ErrKeyInUse, "owner %s is a wallet's key", owner.Hex())
	}
	w := &walletv1.Wallet{
		Owner:        owner.Bytes(),
		Bank:         bank.Id,
		Tier:         msg.Tier,
		Status:       walletv1.WalletStatus_WALLET_STATUS_ACTIVE,
		KycHash:      msg.KycHash,
		OpenedHeight: ctx.Height,
		OpenedTime:   ctx.Time.Unix(),
	}
	appendHistory(ctx, w, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_OPENED,
		Counterparty: []byte(bank.Id), Detail: "tier " + strconv.FormatUint(uint64(msg.Tier), 10)})
	k.SetWallet(w)
	ctx.Emit("wallet_opened", "owner", exec.Hex(owner), "bank", bank.Id, "tier", strconv.FormatUint(uint64(msg.Tier), 10))
	return nil
}

// Deposit issues msg.Amount into a wallet whose bank of record is the
// signer's bank, once per external reference, within the issuer's cap and
// the wallet's balance cap.
func (mod *Module) Deposit(ctx exec.Context, msg *walletv1.MsgDeposit) error {
	bank, err := mod.members(ctx).ActingMember(ctx.Signer, consortiumv1.Role_ROLE_ISSUER)
	if err != nil {
		return err
	}
	k := NewKeeper(ctx.KV(StoreName))
	params := mod.paramsOf(ctx)
	if err := checkDenom(params, msg.Denom); err != nil {
		return err
	}
	owner := common.BytesToAddress(msg.Wallet)
	w, err := mod.touched(ctx, k, owner)
	if err != nil {
		return err
	}
	if w.Bank != bank.Id {
		return errcode.Wrap(ErrNotBankOfRecord, "wallet %s is held at %q, signer acts for %q", owner.Hex(), w.Bank, bank.Id)
	}
	if err := canReceive(w); err != nil {
		return err
	}
	if k.HasDeposit(bank.Id, msg.Reference) {
		return errcode.Wrap(ErrDuplicateReference, "issuer %q reference %q", bank.Id, msg.Reference)
	}
	if err := mod.mayIssue(ctx, k, bank.Id, msg.Denom); err != nil {
		return err
	}
	if err := mod.credit(ctx, params, w, msg.Denom, msg.Amount); err != nil {
		return err
	}
	if err := k.mint(params, bank.Id, msg.Denom, msg.Amount); err != nil {
		return err
	}
	appendHistory(ctx, w, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_DEPOSIT,
		Counterparty: []byte(bank.Id), Denom: msg.Denom, Amount: msg.Amount, BalanceAfter: Balance(w, msg.Denom), Detail: msg.Reference})
	k.SetWallet(w)
	k.setDeposit(&walletv1.DepositRecord{
		Issuer: bank.Id, Reference: msg.Reference, Wallet: w.Owner,
		Amount: &walletv1.Coin{Denom: msg.Denom, Amount: msg.Amount}, Height: ctx.Height, TxHash: ctx.TxHash,
	})
	ctx.Emit("deposit", "wallet", exec.Hex(owner), "issuer", bank.Id, "denom", msg.Denom,
		"amount", strconv.FormatUint(msg.Amount, 10), "reference", msg.Reference)
	return nil
}

// Redeem burns msg.Amount from the signer's wallet, to be paid out in fiat
// by its bank of record, whoever issued the money: up to the balance,
// whatever the bank's outstanding issuance (it may go below zero; the
// bank's position does not change, and settlement restores it). Limits do
// not apply (cashing out is always allowed), freezes do; the amount counts
// in the day's outflow.
func (mod *Module) Redeem(ctx exec.Context, msg *walletv1.MsgRedeem) error {
	k := NewKeeper(ctx.KV(StoreName))
	params, w, err := mod.payer(ctx, k, msg.Denom)
	if err != nil {
		return err
	}
	have := Balance(w, msg.Denom)
	if have < msg.Amount {
		show := amountsOf(params, msg.Denom)
		return errcode.Wrap(ErrInsufficientFunds, "wallet %s has %s, redeems %s", ctx.AccountID.Hex(), show(have), show(msg.Amount))
	}
	large, err := checkSecondFactor(ctx, w, msg.Denom, msg.Amount)
	if err != nil {
		return err
	}
	if err := k.burn(w.Bank, msg.Denom, msg.Amount); err != nil {
		return err
	}
	setBalance(w, msg.Denom, have-msg.Amount)
	if err := mod.recordOutflow(ctx, params, w, msg.Denom, msg.Amount); err != nil {
		return err
	}
	appendHistory(ctx, w, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_REDEEM,
		Counterparty: []byte(w.Bank), Denom: msg.Denom, Amount: msg.Amount, BalanceAfter: have - msg.Amount, Detail: msg.PayoutReference})
	k.SetWallet(w)
	ctx.Emit("redeem", "wallet", exec.Hex(ctx.AccountID), "bank", w.Bank, "denom", msg.Denom,
		"amount", strconv.FormatUint(msg.Amount, 10), "payout_reference", msg.PayoutReference,
		"tx_hash", fmt.Sprintf("%X", ctx.TxHash), "height", strconv.FormatInt(ctx.Height, 10))
	if large {
		largePayment(ctx, w, msg.Denom, msg.Amount)
	}
	return nil
}

// Transfer pays msg.Amount from the signer's wallet to msg.To.
func (mod *Module) Transfer(ctx exec.Context, msg *walletv1.MsgTransfer) error {
	k := NewKeeper(ctx.KV(StoreName))
	params, from, err := mod.payer(ctx, k, msg.Denom)
	if err != nil {
		return err
	}
	large, err := checkSecondFactor(ctx, from, msg.Denom, msg.Amount)
	if err != nil {
		return err
	}
	if err := mod.pay(ctx, k, params, from, msg.To, msg.Denom, msg.Amount, msg.Memo, Reason{}); err != nil {
		return err
	}
	if err := mod.countPayments(ctx, params, from, 1); err != nil {
		return err
	}
	k.SetWallet(from)
	if large {
		largePayment(ctx, from, msg.Denom, msg.Amount)
	}
	return nil
}

// BatchTransfer pays every leg from the signer's wallet: all or none, each
// leg subject to the limits a single transfer is.
func (mod *Module) BatchTransfer(ctx exec.Context, msg *walletv1.MsgBatchTransfer) error {
	k := NewKeeper(ctx.KV(StoreName))
	params := mod.paramsOf(ctx)
	if max := params.MaxBatchLegs; max > 0 && uint32(len(msg.Legs)) > max {
		return errcode.Wrap(ErrTooManyLegs, "%d legs, limit %d", len(msg.Legs), max)
	}
	params, from, err := mod.payer(ctx, k, msg.Denom)
	if err != nil {
		return err
	}
	var total uint64
	for _, leg := range msg.Legs {
		if total, err = add(total, leg.Amount, "batch total of %s", ctx.AccountID); err != nil {
			return err
		}
	}
	large, err := checkSecondFactor(ctx, from, msg.Denom, total)
	if err != nil {
		return err
	}
	for i, leg := range msg.Legs {
		if err := mod.pay(ctx, k, params, from, leg.To, msg.Denom, leg.Amount, msg.Memo, Reason{}); err != nil {
			return fmt.Errorf("leg %d: %w", i, err)
		}
	}
	if err := mod.countPayments(ctx, params, from, uint32(len(msg.Legs))); err != nil {
		return err
	}
	k.SetWallet(from)
	if large {
		largePayment(ctx, from, msg.Denom, total)
	}
	return nil
}

// payer returns the parameters and the signer's wallet for a payment out
// of it in denom, once checked that the ledger carries denom and the
// wallet may pay.
func (mod *Module) payer(ctx exec.Context, k Keeper, denom string) (*walletv1.Params, *walletv1.Wallet, error) {
	params := mod.paramsOf(ctx)
	if err := checkDenom(params, denom); err != nil {
		return nil, nil, err
	}
	w, err := mod.touched(ctx, k, ctx.AccountID)
	if err != nil {
		return nil, nil, err
	}
	if err := canSend(w); err != nil {
		return nil, nil, err
	}
	return params, w, nil
}

// pay moves amount from from (held by the caller, stored by the caller) to
// the wallet at to, which it stores, applying both sides' rules and
// recording both sides' history.
func (mod *Module) pay(ctx exec.Context, k Keeper, params *walletv1.Params, from *walletv1.Wallet, toAddr []byte, denom string, amount uint64, memo string, why Reason) error {
	sender, to := common.BytesToAddress(from.Owner), common.BytesToAddress(toAddr)
	if to == sender {
		return errcode.Wrap(ErrSelfTransfer, "wallet %s", to.Hex())
	}
	recipient, err := mod.touchedRecipient(ctx, k, from, to)
	if err != nil {
		return err
	}
	if err := canReceive(recipient); err != nil {
		return err
	}
	have := Balance(from, denom)
	if have < amount {
		show := amountsOf(params, denom)
		return errcode.Wrap(ErrInsufficientFunds, "wallet %s has %s, needs %s", sender.Hex(), show(have), show(amount))
	}
	// Funding one's own sub-wallet is no outflow: the sub-wallet's own
	// payments count toward the parent's limits.
	funding := bytes.Equal(recipient.Parent, from.Owner)
	day := Day(ctx.Time.Unix(), params.UtcOffsetSeconds)
	if !funding {
		if err := checkPayment(sender, EffectiveLimits(params, from, denom), flowOf(from, denom, day), amountsOf(params, denom), amount); err != nil {
			return err
		}
	}
	var parent *walletv1.Wallet
	if len(from.Parent) > 0 {
		if parent, err = mod.subPayment(ctx, k, params, from, recipient, denom, amount); err != nil {
			return err
		}
	}
	setBalance(from, denom, have-amount)
	if !funding {
		if err := mod.recordOutflow(ctx, params, from, denom, amount); err != nil {
			return err
		}
	}
	if err := mod.credit(ctx, params, recipient, denom, amount); err != nil {
		return err
	}
	if err := k.crossed(from.Bank, recipient.Bank, denom, amount); err != nil {
		return err
	}
	appendHistory(ctx, from, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_TRANSFER_OUT,
		Counterparty: to.Bytes(), Denom: denom, Amount: amount, BalanceAfter: have - amount, Detail: memo,
		Reason: why.Kind, Reference: why.Reference})
	appendHistory(ctx, recipient, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_TRANSFER_IN,
		Counterparty: sender.Bytes(), Denom: denom, Amount: amount, BalanceAfter: Balance(recipient, denom), Detail: memo,
		Reason: why.Kind, Reference: why.Reference})
	k.SetWallet(recipient)
	if parent != nil && parent != recipient {
		k.SetWallet(parent)
	}
	ctx.Emit("transfer", "from", ctx.Hex(sender), "to", ctx.Hex(to), "denom", denom, "amount", strconv.FormatUint(amount, 10))
	return nil
}

// credit adds amount to w's balance within its balance cap and records the
// inflow (limits, AML). The caller stores w.
func (mod *Module) credit(ctx exec.Context, params *walletv1.Params, w *walletv1.Wallet, denom string, amount uint64) error {
	owner := common.BytesToAddress(w.Owner)
	balance, err := addOf(Balance(w, denom), amount, "balance of %s", owner)
	if err != nil {
		return err
	}
	if err := checkBalanceCap(owner, EffectiveLimits(params, w, denom), amountsOf(params, denom), balance); err != nil {
		return err
	}
	setBalance(w, denom, balance)
	day := Day(ctx.Time.Unix(), params.UtcOffsetSeconds)
	f := flowOf(w, denom, day)
	before := f.DayInflow
	if f.DayInflow, err = addOf(f.DayInflow, amount, "day inflow of %s", owner); err != nil {
		return err
	}
	return mod.monitor(ctx).ObserveFlow(ctx, Flow{Wallet: owner, Bank: w.Bank, Day: day, Denom: denom, Before: before, After: f.DayInflow})
}

// recordOutflow adds amount to w's outflow of the day and year and tells
// the monitor. The caller stores w.
func (mod *Module) recordOutflow(ctx exec.Context, params *walletv1.Params, w *walletv1.Wallet, denom string, amount uint64) error {
	owner := common.BytesToAddress(w.Owner)
	day := Day(ctx.Time.Unix(), params.UtcOffsetSeconds)
	f := flowOf(w, denom, day)
	before := f.DayOutflow
	var err error
	if f.DayOutflow, err = addOf(f.DayOutflow, amount, "day outflow of %s", owner); err != nil {
		return err
	}
	if f.YearOutflow, err = addOf(f.YearOutflow, amount, "year outflow of %s", owner); err != nil {
		return err
	}
	return mod.monitor(ctx).ObserveFlow(ctx, Flow{Wallet: owner, Bank: w.Bank, Day: day, Outflow: true, Denom: denom, Before: before, After: f.DayOutflow})
}

// countPayments adds n outgoing payments to w's count for the day (each leg
// of a batch is a payment) and tells the monitor.
func (mod *Module) countPayments(ctx exec.Context, params *walletv1.Params, w *walletv1.Wallet, n uint32) error {
	day := Day(ctx.Time.Unix(), params.UtcOffsetSeconds)
	if w.PaymentsDay != day {
		w.PaymentsDay, w.DayPayments = day, 0
	}
	if w.DayPayments > ^uint32(0)-n {
		return errcode.Wrap(ErrAmountOverflow, "payment count of %x", w.Owner)
	}
	w.DayPayments += n
	return mod.monitor(ctx).ObservePayments(ctx, Payments{Wallet: common.BytesToAddress(w.Owner), Bank: w.Bank, Day: day, Payments: w.DayPayments})
}

// SetTier changes a wallet's tier with the hash of the new verification.
// Signed by an operator of the bank of record.
func (mod *Module) SetTier(ctx exec.Context, msg *walletv1.MsgSetTier) error {
	k := NewKeeper(ctx.KV(StoreName))
	w, err := mod.bankOfRecordWallet(ctx, k, msg.Wallet)
	if err != nil {
		return err
	}
	old := w.Tier
	w.Tier, w.KycHash = msg.Tier, msg.KycHash
	appendHistory(ctx, w, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_TIER_CHANGE,
		Counterparty: []byte(w.Bank), Detail: fmt.Sprintf("tier %d -> %d", old, msg.Tier)})
	k.SetWallet(w)
	ctx.Emit("wallet_tier", "wallet", exec.Hex(common.BytesToAddress(w.Owner)), "from", strconv.FormatUint(uint64(old), 10),
		"to", strconv.FormatUint(uint64(msg.Tier), 10))
	return nil
}

// SetLimits sets a wallet's own limits in a denom; zero clears one.
// Signed by an operator of the bank of record.
func (mod *Module) SetLimits(ctx exec.Context, msg *walletv1.MsgSetLimits) error {
	k := NewKeeper(ctx.KV(StoreName))
	if err := checkDenom(mod.paramsOf(ctx), msg.Denom); err != nil {
		return err
	}
	w, err := mod.bankOfRecordWallet(ctx, k, msg.Wallet)
	if err != nil {
		return err
	}
	lim := msg.Limits
	setOwnLimits(w, msg.Denom, lim)
	appendHistory(ctx, w, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_LIMITS_CHANGE,
		Counterparty: []byte(w.Bank), Denom: msg.Denom, Detail: fmt.Sprintf("balance cap %d, payment %d, daily %d, annual %d",
			lim.GetBalanceCap(), lim.GetPaymentLimit(), lim.GetDailyOutflowLimit(), lim.GetAnnualOutflowLimit())})
	k.SetWallet(w)
	return nil
}

// CloseWallet closes a wallet that holds nothing and stands under no
// freeze. Signed by its owner, or by an operator of its bank of record.
func (mod *Module) CloseWallet(ctx exec.Context, msg *walletv1.MsgCloseWallet) error {
	k := NewKeeper(ctx.KV(StoreName))
	owner := common.BytesToAddress(msg.Wallet)
	var w, parent *walletv1.Wallet
	var err error
	switch {
	case owner == ctx.AccountID:
		w, err = mod.load(ctx, k, owner)
	case ctx.Account == AccountKind && k.isParent(owner, ctx.AccountID):
		if w, err = mod.parentOf(ctx, k, msg.Wallet); err == nil {
			if parent, err = mod.load(ctx, k, ctx.AccountID); err == nil {
				err = mod.closeSub(ctx, w, parent)
			}
		}
	default:
		w, err = mod.bankOfRecordWallet(ctx, k, msg.Wallet)
	}
	if err != nil {
		return err
	}
	if w.Closed {
		return errcode.Wrap(ErrWalletClosed, "wallet %s", owner.Hex())
	}
	if w.SubWallets > 0 {
		return errcode.Wrap(ErrHasSubWallets, "wallet %s has %d open sub-wallets", owner.Hex(), w.SubWallets)
	}
	if w.Recovery != nil {
		return errcode.Wrap(ErrRecoveryPending, "wallet %s: cancel the recovery first", owner.Hex())
	}
	if len(w.Freezes) > 0 {
		return errcode.Wrap(ErrCloseUnderFreeze, "wallet %s stands under %d freeze order(s) (first: %s, placed by %s); release them first: ledgerd tx wallet release WALLET ORDER_ID", owner.Hex(), len(w.Freezes), describeOrder(w.Freezes[0]), w.Freezes[0].Authority)
	}
	if len(w.Balances) > 0 {
		return errcode.Wrap(ErrNonZeroBalance, "wallet %s holds %d %s", owner.Hex(), w.Balances[0].Amount, w.Balances[0].Denom)
	}
	w.Closed = true
	w.Status = effectiveStatus(w)
	appendHistory(ctx, w, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_CLOSED, Counterparty: ctx.AccountID.Bytes()})
	k.SetWallet(w)
	if len(w.Parent) > 0 {
		if parent == nil {
			if parent, err = mod.load(ctx, k, common.BytesToAddress(w.Parent)); err != nil {
				return fmt.Errorf("parent of %s: %w", owner.Hex(), err)
			}
		}
		parent.SubWallets--
		appendHistory(ctx, parent, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_SUB_WALLET, Counterparty: w.Owner,
			Detail: "sub-wallet " + owner.Hex() + " closed"})
		k.SetWallet(parent)
		subEvent(ctx, w, "closed", "", 0)
	}
	ctx.Emit("wallet_closed", "wallet", exec.Hex(owner), "by", exec.Hex(ctx.AccountID))
	return nil
}

// bankOfRecordWallet loads the wallet at addr and checks that the signer
// operates for its bank of record, an active issuer, and that the wallet
// is not closed: a closed wallet's tier, limits and history are final.
func (mod *Module) bankOfRecordWallet(ctx exec.Context, k Keeper, addr []byte) (*walletv1.Wallet, error) {
	bank, err := mod.members(ctx).ActingMember(ctx.Signer, consortiumv1.Role_ROLE_ISSUER)
	if err != nil {
		return nil, err
	}
	owner := common.BytesToAddress(addr)
	w, err := mod.load(ctx, k, owner)
	if err != nil {
		return nil, err
	}
	if w.Bank != bank.Id {
		return nil, errcode.Wrap(ErrNotBankOfRecord, "wallet %s is held at %q, signer acts for %q", owner.Hex(), w.Bank, bank.Id)
	}
	if w.Closed {
		return nil, errcode.Wrap(ErrWalletClosed, "wallet %s", owner.Hex())
	}
	return w, nil
}

func checkDenom(p *walletv1.Params, denom string) error {
	if _, ok := slices.BinarySearch(p.Denoms, denom); !ok {
		return errcode.Wrap(ErrUnknownDenom, "%q (carried: %v)", denom, p.Denoms)
	}
	return nil
}

func (k Keeper) setDeposit(d *walletv1.DepositRecord) {
	store.SetProto(k.kv, DepositKey(d.Issuer, d.Reference), d)
}
