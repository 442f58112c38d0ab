package wallet

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// View reads wallet state.
type View struct{ r store.Reader }

// NewView returns a View over r, the wallet store.
func NewView(r store.Reader) View { return View{r} }

// Wallet returns owner's wallet, or ErrWalletNotFound.
func (v View) Wallet(owner common.Address) (*walletv1.Wallet, error) {
	w := new(walletv1.Wallet)
	if !store.GetProto(v.r, WalletKey(owner[:]), w) {
		return nil, errcode.Wrap(ErrWalletNotFound, "owner %s", owner.Hex())
	}
	return w, nil
}

// Issuance returns issuer's outstanding issuance of denom (zero if none).
func (v View) Issuance(issuer, denom string) *walletv1.Issuance {
	is := &walletv1.Issuance{Issuer: issuer, Denom: denom}
	store.GetProto(v.r, IssuanceKey(issuer, denom), is)
	return is
}

// Supply returns the total supply of denom.
func (v View) Supply(denom string) *walletv1.Coin {
	c := &walletv1.Coin{Denom: denom}
	store.GetProto(v.r, SupplyKey(denom), c)
	return c
}

// Params returns the module parameters.
func (v View) Params() *walletv1.Params {
	p := new(walletv1.Params)
	store.GetProto(v.r, ParamsKey(), p)
	return p
}

// HasDeposit reports whether issuer already credited reference.
func (v View) HasDeposit(issuer, reference string) bool {
	return v.r.Get(DepositKey(issuer, reference)) != nil
}

// Keeper reads and writes wallet state.
type Keeper struct {
	View
	kv store.KV
}

// NewKeeper returns a Keeper over kv, the wallet store.
func NewKeeper(kv store.KV) Keeper { return Keeper{View{kv}, kv} }

// SetWallet stores w.
func (k Keeper) SetWallet(w *walletv1.Wallet) { store.SetProto(k.kv, WalletKey(w.Owner), w) }

// SetParams stores p.
func (k Keeper) SetParams(p *walletv1.Params) { store.SetProto(k.kv, ParamsKey(), p) }

// IncrementNonce adds one to the nonce of owner's wallet, which must exist.
func (k Keeper) IncrementNonce(owner common.Address) {
	key := WalletKey(owner[:])
	if next, ok := withNextNonce(k.kv.Get(key)); ok {
		k.kv.Set(key, next)
		return
	}
	w, err := k.Wallet(owner)
	if err != nil {
		panic(fmt.Sprintf("wallet: IncrementNonce: %v", err))
	}
	w.Nonce++
	k.SetWallet(w)
}

// mint adds amount of denom to issuer's outstanding issuance, to what its
// wallets hold and to the supply, within the issuer's cap: money issued
// into a wallet of the issuer, which leaves its position unchanged.
// Nothing is written unless every sum fits.
func (k Keeper) mint(params *walletv1.Params, issuer, denom string, amount uint64) error {
	is, supply := k.Issuance(issuer, denom), k.Supply(denom)
	if err := mintInto(params, is, supply, amount); err != nil {
		return err
	}
	store.SetProto(k.kv, IssuanceKey(issuer, denom), is)
	store.SetProto(k.kv, SupplyKey(denom), supply)
	return nil
}

// mintInto is mint on the records is (the issuer's issuance of the denom)
// and supply, in memory: it changes neither unless every sum fits.
func mintInto(params *walletv1.Params, is *walletv1.Issuance, supply *walletv1.Coin, amount uint64) error {
	issuer, denom := is.Issuer, is.Denom
	outstanding, err := Outstanding(is).Add(arith.Plus(amount))
	if err != nil {
		return errcode.Wrap(ErrAmountOverflow, "issuer %q outstanding %s: %s + %d", issuer, denom, Outstanding(is), amount)
	}
	if limit, capped := IssuanceCapOf(params, issuer, denom); capped && !outstanding.Neg && outstanding.Abs > limit {
		show := amountsOf(params, denom)
		return errcode.Wrap(ErrIssuanceCap, "issuer %q: outstanding %s + %s exceeds its cap %s", issuer, show(is.Outstanding), show(amount), show(limit))
	}
	held, err := add(is.Held, amount, "held at issuer %q in %s", issuer, denom)
	if err != nil {
		return err
	}
	total, err := add(supply.Amount, amount, "supply of %s", denom)
	if err != nil {
		return err
	}
	setOutstanding(is, outstanding)
	is.Held, supply.Amount = held, total
	return nil
}

// burn takes amount of denom off issuer's outstanding issuance, off what
// its wallets hold and off the supply: a redemption paid out in fiat by
// issuer, the bank of record of the wallet it comes from. The issuance may
// go below zero (the bank paid fiat for money issued elsewhere): the
// position is unchanged, and settlement restores it.
func (k Keeper) burn(issuer, denom string, amount uint64) error {
	is, supply := k.Issuance(issuer, denom), k.Supply(denom)
	if is.Held < amount || supply.Amount < amount {
		panic(fmt.Sprintf("wallet: %s's wallets hold %d %s, the supply is %d, below a balance of theirs (%d): state corrupted",
			issuer, is.Held, denom, supply.Amount, amount))
	}
	outstanding, err := Outstanding(is).Sub(arith.Plus(amount))
	if err != nil {
		return errcode.Wrap(ErrAmountOverflow, "issuer %q outstanding %s: %s - %d", issuer, denom, Outstanding(is), amount)
	}
	setOutstanding(is, outstanding)
	is.Held -= amount
	supply.Amount -= amount
	store.SetProto(k.kv, IssuanceKey(issuer, denom), is)
	store.SetProto(k.kv, SupplyKey(denom), supply)
	return nil
}

// crossed records that amount of denom moved from a wallet of bank from to
// a wallet of bank to: what each bank's wallets hold changes, and so do
// both positions. A payment within one bank writes nothing here.
func (k Keeper) crossed(from, to, denom string, amount uint64) error {
	if from == to {
		return nil
	}
	src, dst := k.Issuance(from, denom), k.Issuance(to, denom)
	if src.Held < amount {
		panic(fmt.Sprintf("wallet: %s's wallets hold %d %s, less than a payment out of one (%d): state corrupted", from, src.Held, denom, amount))
	}
	held, err := add(dst.Held, amount, "held at issuer %q in %s", to, denom)
	if err != nil {
		return err
	}
	src.Held -= amount
	dst.Held = held
	store.SetProto(k.kv, IssuanceKey(from, denom), src)
	store.SetProto(k.kv, IssuanceKey(to, denom), dst)
	return nil
}

// reattribute moves amount of denom of outstanding issuance from bank from
// to bank to: a settlement leg confirmed. The supply and what the banks'
// wallets hold do not change; from's position falls by amount and to's
// rises by it.
func (k Keeper) reattribute(from, to, denom string, amount uint64) error {
	src, dst := k.Issuance(from, denom), k.Issuance(to, denom)
	a, err := Outstanding(src).Sub(arith.Plus(amount))
	if err != nil {
		return errcode.Wrap(ErrAmountOverflow, "issuer %q outstanding %s: %s - %d", from, denom, Outstanding(src), amount)
	}
	b, err := Outstanding(dst).Add(arith.Plus(amount))
	if err != nil {
		return errcode.Wrap(ErrAmountOverflow, "issuer %q outstanding %s: %s + %d", to, denom, Outstanding(dst), amount)
	}
	setOutstanding(src, a)
	setOutstanding(dst, b)
	store.SetProto(k.kv, IssuanceKey(from, denom), src)
	store.SetProto(k.kv, IssuanceKey(to, denom), dst)
	return nil
}

// Outstanding is is's outstanding issuance, signed.
func Outstanding(is *walletv1.Issuance) arith.Signed { return arith.Of(is.Outstanding, is.Negative) }

func setOutstanding(is *walletv1.Issuance, s arith.Signed) {
	is.Outstanding, is.Negative = s.Abs, s.Neg
}

// Position is is's bank's interbank position: its signed outstanding
// issuance less what its wallets hold. Positive, the bank owes (it holds
// fiat for money held at other banks); negative, it is owed. It fails with
// ErrAmountOverflow only if the difference does not fit 64 bits.
func Position(is *walletv1.Issuance) (arith.Signed, error) {
	p, err := Outstanding(is).Sub(arith.Plus(is.Held))
	if err != nil {
		return arith.Signed{}, errcode.Wrap(ErrAmountOverflow, "position of %q in %s", is.Issuer, is.Denom)
	}
	return p, nil
}

// IssuanceCapOf returns issuer's cap on outstanding denom, if it has one.
func IssuanceCapOf(p *walletv1.Params, issuer, denom string) (uint64, bool) {
	for _, c := range p.IssuanceCaps {
		if c.Issuer == issuer && c.Denom == denom {
			return c.Cap, true
		}
	}
	return 0, false
}

// Balance returns w's balance of denom.
func Balance(w *walletv1.Wallet, denom string) uint64 {
	if i, ok := findDenom(w.Balances, denom); ok {
		return w.Balances[i].Amount
	}
	return 0
}

// setBalance sets w's balance of denom, keeping balances sorted by denom and
// dropping zero balances.
func setBalance(w *walletv1.Wallet, denom string, amount uint64) {
	i, ok := findDenom(w.Balances, denom)
	switch {
	case ok && amount == 0:
		w.Balances = slices.Delete(w.Balances, i, i+1)
	case ok:
		w.Balances[i].Amount = amount
	case amount > 0:
		w.Balances = slices.Insert(w.Balances, i, &walletv1.Coin{Denom: denom, Amount: amount})
	}
}

func findDenom(coins []*walletv1.Coin, denom string) (int, bool) {
	return slices.BinarySearchFunc(coins, denom, func(c *walletv1.Coin, d string) int { return strings.Compare(c.Denom, d) })
}

// add returns a+b, or ErrAmountOverflow naming what overflowed.
func add(a, b uint64, what string, args ...any) (uint64, error) {
	sum, carry := bits.Add64(a, b, 0)
	if carry != 0 {
		return 0, errcode.Wrap(ErrAmountOverflow, "%s: %d + %d", fmt.Sprintf(what, args...), a, b)
	}
	return sum, nil
}

// addOf is add for an amount of owner's (what is a format with one %s,
// for owner). add's variadic arguments are boxed on every call, which on a
// payment's path is six allocations; here owner is boxed only for the
// error.
func addOf(a, b uint64, what string, owner common.Address) (uint64, error) {
	sum, carry := bits.Add64(a, b, 0)
	if carry != 0 {
		return 0, errcode.Wrap(ErrAmountOverflow, "%s: %d + %d", fmt.Sprintf(what, owner), a, b)
	}
	return sum, nil
}
