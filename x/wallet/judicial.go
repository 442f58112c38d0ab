package wallet

import (
	"slices"
	"strconv"

	"github.com/ethereum/go-ethereum/common"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
)

// Judicial deduction: courts are not members, so a wallet's bank of record
// carries out a court's enforcement notice.
var (
	ErrJudicialOrder    = errcode.Register(Codespace, 70, "the deduction needs the court's own freeze order on the wallet, whose legal basis is the notice, and no other order")
	ErrProtectedMinimum = errcode.Register(Codespace, 71, "the deduction would leave less than the protected minimum balance")
)

// ValidateJudicialDeduct applies the stateless checks.
func ValidateJudicialDeduct(m *walletv1.MsgJudicialDeduct) error {
	if err := checkAddress("wallet", m.Wallet); err != nil {
		return err
	}
	if err := checkAddress("to", m.To); err != nil {
		return err
	}
	if err := checkText("notice", m.Notice, 1, 128); err != nil {
		return err
	}
	return checkAmount(m.Denom, m.Amount)
}

// JudicialDeduct deducts the amount a court's enforcement notice names
// from a wallet and pays it to the wallet the notice names. The signer
// operates for the wallet's bank of record; the court's freeze order
// (order_id, whose legal basis is the notice's reference) lets the money
// out, and no other standing order may; the wallet keeps at least the
// protected minimum of the denom. The owner's limits do not apply (the
// owner does not pay); the recipient's do. Both wallets' history record
// the notice.
func (mod *Module) JudicialDeduct(ctx exec.Context, m *walletv1.MsgJudicialDeduct) error {
	k := NewKeeper(ctx.KV(StoreName))
	params := mod.paramsOf(ctx)
	if err := checkDenom(params, m.Denom); err != nil {
		return err
	}
	if _, err := mod.bankOfRecordWallet(ctx, k, m.Wallet); err != nil {
		return err
	}
	owner := common.BytesToAddress(m.Wallet)
	// Touched: an auto-debit due today is pulled before this outflow, as
	// before any other.
	w, err := mod.touched(ctx, k, owner)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(w.Freezes, func(o *walletv1.FreezeOrder) bool { return o.Id == m.OrderId })
	switch {
	case i < 0:
		return errcode.Wrap(ErrJudicialOrder, "wallet %s has no standing order %d", owner.Hex(), m.OrderId)
	case w.Freezes[i].LegalBasis != m.Notice:
		return errcode.Wrap(ErrJudicialOrder, "order %d's legal basis is %q, the notice %q", m.OrderId, w.Freezes[i].LegalBasis, m.Notice)
	case len(w.Freezes) > 1:
		return errcode.Wrap(ErrJudicialOrder, "wallet %s has %d standing orders: another authority's order stands", owner.Hex(), len(w.Freezes))
	}
	show := amountsOf(params, m.Denom)
	have, floor := Balance(w, m.Denom), ProtectedMinimum(params, m.Denom)
	if have < m.Amount || have-m.Amount < floor {
		return errcode.Wrap(ErrProtectedMinimum, "wallet %s has %s; deducting %s would leave less than %s", owner.Hex(), show(have), show(m.Amount), show(floor))
	}
	to := common.BytesToAddress(m.To)
	if to == owner {
		return errcode.Wrap(ErrSelfTransfer, "wallet %s", to.Hex())
	}
	recipient, err := mod.touchedRecipient(ctx, k, w, to)
	if err != nil {
		return err
	}
	if err := canReceive(recipient); err != nil {
		return err
	}
	setBalance(w, m.Denom, have-m.Amount)
	if err := mod.credit(ctx, params, recipient, m.Denom, m.Amount); err != nil {
		return err
	}
	why := Reason{Kind: "judicial_deduction", Reference: m.Notice}
	appendHistory(ctx, w, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_TRANSFER_OUT, Counterparty: to.Bytes(),
		Denom: m.Denom, Amount: m.Amount, BalanceAfter: have - m.Amount, Detail: "court enforcement notice " + m.Notice,
		Reason: why.Kind, Reference: why.Reference})
	appendHistory(ctx, recipient, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_TRANSFER_IN, Counterparty: owner.Bytes(),
		Denom: m.Denom, Amount: m.Amount, BalanceAfter: Balance(recipient, m.Denom), Detail: "court enforcement notice " + m.Notice,
		Reason: why.Kind, Reference: why.Reference})
	k.SetWallet(w)
	k.SetWallet(recipient)
	ctx.Emit("judicial_deduction", "wallet", exec.Hex(owner), "to", exec.Hex(to), "bank", w.Bank, "order", strconv.FormatUint(m.OrderId, 10),
		"notice", m.Notice, "denom", m.Denom, "amount", strconv.FormatUint(m.Amount, 10))
	return nil
}
