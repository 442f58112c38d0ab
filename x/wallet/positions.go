package wallet

import (
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
)

// Interbank positions (docs/settlement.md). Each bank's issuance record
// keeps, besides its signed outstanding issuance, what the wallets whose
// bank of record it is hold (Issuance.held). A payment between two wallets
// of one bank writes neither; one across banks writes both banks'
// records; a deposit or a redemption changes the issuance and what is
// held alike, in the one record it writes anyway. So a bank's position,
// outstanding - held, is one provable record at every height.

// IssueGuard may refuse bank's issuance of denom into one of its wallets
// (a deposit, a Mint), with a registered error; is is the bank's issuance
// record before it. Settlement refuses a bank past its net debit cap or
// its deadline.
type IssueGuard func(ctx exec.Context, bank, denom string, is *walletv1.Issuance) error

// AddIssueGuard adds g to the checks of every issuance. Wire guards when
// assembling the modules, before the first block.
func (mod *Module) AddIssueGuard(g IssueGuard) { mod.issueGuards = append(mod.issueGuards, g) }

// mayIssue runs the issue guards.
func (mod *Module) mayIssue(ctx exec.Context, k Keeper, bank, denom string) error {
	if len(mod.issueGuards) == 0 {
		return nil
	}
	is := k.Issuance(bank, denom)
	for _, g := range mod.issueGuards {
		if err := g(ctx, bank, denom, is); err != nil {
			return err
		}
	}
	return nil
}

// SettlementKeeper is what interbank settlement needs of the wallet
// module: every bank's issuance record, and moving issuance from one bank
// to another when a settlement payment is confirmed.
type SettlementKeeper interface {
	ViewKeeper
	// Issuances returns every bank's issuance record of denom (with what
	// its wallets hold), by bank id: one per bank that ever issued or held
	// denom.
	Issuances(ctx exec.Context, denom string) []*walletv1.Issuance
	// Reattribute moves amount of denom of outstanding issuance from bank
	// from to bank to: the supply and every balance stay; from's position
	// falls by amount, to's rises by it.
	Reattribute(ctx exec.Context, from, to, denom string, amount uint64) error
}

var _ SettlementKeeper = (*Module)(nil)

// Issuances implements SettlementKeeper.
func (mod *Module) Issuances(ctx exec.Context, denom string) []*walletv1.Issuance {
	return NewView(ctx.KV(StoreName)).IssuancesOf(denom)
}

// Reattribute implements SettlementKeeper.
func (mod *Module) Reattribute(ctx exec.Context, from, to, denom string, amount uint64) error {
	if amount == 0 {
		return ErrZeroAmount
	}
	if from == to {
		return errcode.Wrap(ErrInvalidMsg, "issuance moves from %q to itself", from)
	}
	return NewKeeper(ctx.KV(StoreName)).reattribute(from, to, denom, amount)
}

// IssuancesOf returns every bank's issuance record of denom, by bank id.
// Its work is the number of issuance records (banks times denoms).
func (v View) IssuancesOf(denom string) []*walletv1.Issuance {
	var out []*walletv1.Issuance
	store.EachPrefix(v.r, []byte{prefixIssuance}, false, func(k, val []byte) bool {
		is := new(walletv1.Issuance)
		store.DecodeProto(k, val, is)
		if is.Denom == denom {
			out = append(out, is)
		}
		return true
	})
	return out
}
