package wallet

import (
	"github.com/ethereum/go-ethereum/common"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
)

// The wallet module's keepers, in layers. Other modules move money only
// through these, and declare on their side the narrowest one they need
// (see package module's docs and docs/modules.md); no module writes the
// wallet store. *Module implements all three.
//
//	ViewKeeper   reads wallets, balances, parameters and the calendar
//	SendKeeper   + moves money between wallets under every wallet rule
//	IssuerKeeper + issues e-money into a wallet and redeems it

// ViewKeeper reads wallet state in a context.
type ViewKeeper interface {
	// Wallet returns owner's wallet, or ErrWalletNotFound.
	Wallet(ctx exec.Context, owner common.Address) (*walletv1.Wallet, error)
	// Balance returns owner's balance of denom (0 without a wallet).
	Balance(ctx exec.Context, owner common.Address, denom string) uint64
	// Params returns the parameters; shared, not to be modified.
	Params(ctx exec.Context) *walletv1.Params
	// Zone is the consortium's time zone: its days and months decide
	// daily limits, due dates and month ends.
	Zone(ctx exec.Context) calendar.Zone
}

// SendKeeper moves money between wallets.
type SendKeeper interface {
	ViewKeeper
	// Send pays amount of denom from one wallet to another under every
	// rule a payment by the owner meets (both wallets' status; the
	// sender's balance, tier and own limits, daily and annual outflow; the
	// recipient's balance cap; AML observation of both flows and of the
	// payment count), and records an entry in both wallets' history with
	// why. It writes nothing if it fails, with the wallet error that says
	// why (ErrInsufficientFunds, ErrWalletFrozen, ...).
	Send(ctx exec.Context, from, to common.Address, denom string, amount uint64, why Reason) error
}

// IssuerKeeper issues and redeems e-money against a bank's issuance.
type IssuerKeeper interface {
	SendKeeper
	// Mint issues amount of denom into owner's wallet for bank, its bank
	// of record, within the wallet's balance cap and the bank's issuance
	// cap; the bank's outstanding issuance and the supply grow by amount.
	Mint(ctx exec.Context, bank string, owner common.Address, denom string, amount uint64, why Reason) error
	// Burn removes amount of denom from owner's wallet, to be paid out in
	// fiat by its bank of record, which is bank; the issuance and the
	// supply shrink by amount. The wallet must be able to pay out.
	Burn(ctx exec.Context, bank string, owner common.Address, denom string, amount uint64, why Reason) error
}

var _ IssuerKeeper = (*Module)(nil)

// Reason says why a module moved money: what kind of movement
// ("credit.repayment") and on what ("loan 17"). Both wallets' history
// entries carry it.
type Reason struct {
	Kind      string
	Reference string
	// Memo is free text for the wallets' owners.
	Memo string
}

// Wallet implements ViewKeeper.
func (mod *Module) Wallet(ctx exec.Context, owner common.Address) (*walletv1.Wallet, error) {
	w, err := NewView(ctx.KV(StoreName)).Wallet(owner)
	if err != nil {
		return nil, err
	}
	return Effective(w, ctx.Time.Unix()), nil
}

// Balance implements ViewKeeper.
func (mod *Module) Balance(ctx exec.Context, owner common.Address, denom string) uint64 {
	w, err := mod.Wallet(ctx, owner)
	if err != nil {
		return 0
	}
	return Balance(w, denom)
}

// Params implements ViewKeeper.
func (mod *Module) Params(ctx exec.Context) *walletv1.Params { return mod.paramsOf(ctx) }

// Zone implements ViewKeeper.
func (mod *Module) Zone(ctx exec.Context) calendar.Zone {
	return calendar.Zone{UTCOffset: mod.paramsOf(ctx).UtcOffsetSeconds}
}

// Send implements SendKeeper.
func (mod *Module) Send(ctx exec.Context, from, to common.Address, denom string, amount uint64, why Reason) error {
	if amount == 0 {
		return ErrZeroAmount
	}
	sc, commit := exec.Scratch(ctx)
	k := NewKeeper(sc.KV(StoreName))
	params := mod.paramsOf(sc)
	if err := checkDenom(params, denom); err != nil {
		return err
	}
	w, err := mod.touched(sc, k, from)
	if err != nil {
		return err
	}
	if err := canSend(w); err != nil {
		return err
	}
	if err := mod.pay(sc, k, params, w, to.Bytes(), denom, amount, why.Memo, why); err != nil {
		return err
	}
	if err := mod.countPayments(sc, params, w, 1); err != nil {
		return err
	}
	k.SetWallet(w)
	commit()
	return nil
}

// Mint implements IssuerKeeper.
func (mod *Module) Mint(ctx exec.Context, bank string, owner common.Address, denom string, amount uint64, why Reason) error {
	if amount == 0 {
		return ErrZeroAmount
	}
	sc, commit := exec.Scratch(ctx)
	k := NewKeeper(sc.KV(StoreName))
	params := mod.paramsOf(sc)
	if err := checkDenom(params, denom); err != nil {
		return err
	}
	w, err := mod.touched(sc, k, owner)
	if err != nil {
		return err
	}
	if w.Bank != bank {
		return errcode.Wrap(ErrNotBankOfRecord, "wallet %s is held at %q, not %q", owner.Hex(), w.Bank, bank)
	}
	if err := canReceive(w); err != nil {
		return err
	}
	if err := mod.mayIssue(sc, k, bank, denom); err != nil {
		return err
	}
	if err := mod.credit(sc, params, w, denom, amount); err != nil {
		return err
	}
	if err := k.mint(params, bank, denom, amount); err != nil {
		return err
	}
	appendHistory(sc, w, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_DEPOSIT, Counterparty: []byte(bank),
		Denom: denom, Amount: amount, BalanceAfter: Balance(w, denom), Detail: why.Memo, Reason: why.Kind, Reference: why.Reference})
	k.SetWallet(w)
	commit()
	return nil
}

// Burn implements IssuerKeeper.
func (mod *Module) Burn(ctx exec.Context, bank string, owner common.Address, denom string, amount uint64, why Reason) error {
	if amount == 0 {
		return ErrZeroAmount
	}
	sc, commit := exec.Scratch(ctx)
	k := NewKeeper(sc.KV(StoreName))
	params := mod.paramsOf(sc)
	if err := checkDenom(params, denom); err != nil {
		return err
	}
	w, err := mod.touched(sc, k, owner)
	if err != nil {
		return err
	}
	if w.Bank != bank {
		return errcode.Wrap(ErrNotBankOfRecord, "wallet %s is held at %q, not %q", owner.Hex(), w.Bank, bank)
	}
	if err := canSend(w); err != nil {
		return err
	}
	have := Balance(w, denom)
	if have < amount {
		show := amountsOf(params, denom)
		return errcode.Wrap(ErrInsufficientFunds, "wallet %s has %s, needs %s", owner.Hex(), show(have), show(amount))
	}
	if err := k.burn(bank, denom, amount); err != nil {
		return err
	}
	setBalance(w, denom, have-amount)
	if err := mod.recordOutflow(sc, params, w, denom, amount); err != nil {
		return err
	}
	appendHistory(sc, w, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_REDEEM, Counterparty: []byte(bank),
		Denom: denom, Amount: amount, BalanceAfter: have - amount, Detail: why.Memo, Reason: why.Kind, Reference: why.Reference})
	k.SetWallet(w)
	commit()
	return nil
}
