package wallet

import (
	"fmt"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/module"
)

// MaxMemberIDLen is the longest member id (package consortium).
const MaxMemberIDLen = 32

// queryIssuances answers /wallet/issuances/<issuer>: the issuer's
// outstanding issuance per denom.
func queryIssuances(s module.Stores, issuer string, _ []byte) (proto.Message, error) {
	if issuer == "" || len(issuer) > MaxMemberIDLen {
		return nil, errcode.Wrap(module.ErrInvalidRequest, "issuer id %q: want 1 to %d bytes", issuer, MaxMemberIDLen)
	}
	out := new(walletv1.Issuances)
	store.EachPrefix(s.Reader(StoreName), IssuancePrefix(issuer), false, func(k, v []byte) bool {
		is := new(walletv1.Issuance)
		store.DecodeProto(k, v, is)
		out.Issuances = append(out.Issuances, is)
		return true
	})
	return out, nil
}

// queryInvariant answers /wallet/invariant: nothing if it holds.
func queryInvariant(s module.Stores, _ string, _ []byte) (proto.Message, error) {
	if err := Invariant(s.Reader(StoreName)); err != nil {
		return nil, errcode.Wrap(module.ErrInvariant, "%v", err)
	}
	return nil, nil
}

// MaxMoveWallets bounds the wallets one move-wallets action moves.
const MaxMoveWallets = 1000

// MoveWallets moves wallets to another bank of record, an active issuer
// (governance's move-wallets). Balances and the issuance behind them do
// not move: e-money stays the liability of the bank that issued it, so
// the old bank's position rises and the new one's falls by the balances
// until settlement re-attributes the issuance (docs/settlement.md).
func (mod *Module) MoveWallets(ctx exec.Context, a *govv1.MoveWallets) error {
	to, err := mod.members(ctx).Member(a.ToBank)
	if err != nil {
		return fmt.Errorf("member %q does not exist", a.ToBank)
	}
	if to.Status != consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE || !slices.Contains(to.Roles, consortiumv1.Role_ROLE_ISSUER) {
		return fmt.Errorf("%q is not an active issuer", to.Id)
	}
	if len(a.Wallets) == 0 || len(a.Wallets) > MaxMoveWallets {
		return fmt.Errorf("%d wallets: want 1 to %d", len(a.Wallets), MaxMoveWallets)
	}
	k := NewKeeper(ctx.KV(StoreName))
	for _, owner := range a.Wallets {
		if len(owner) != common.AddressLength {
			return fmt.Errorf("wallet %x: want a 20-byte address", owner)
		}
		w, err := mod.load(ctx, k, common.BytesToAddress(owner))
		if err != nil {
			return fmt.Errorf("wallet %s does not exist", common.BytesToAddress(owner).Hex())
		}
		if w.Status == walletv1.WalletStatus_WALLET_STATUS_CLOSED {
			return fmt.Errorf("wallet %s is closed", common.BytesToAddress(owner).Hex())
		}
		for _, c := range w.Balances {
			if err := k.crossed(w.Bank, to.Id, c.Denom, c.Amount); err != nil {
				return err
			}
		}
		w.Bank = to.Id
		k.SetWallet(w)
	}
	return nil
}

// Query paths, answered from committed state (see the module's Queries).
const (
	// QueryIssuancesPrefix + "<issuer>": walletv1.Issuances of that issuer.
	QueryIssuancesPrefix = "/" + StoreName + "/issuances/"
	// QueryInvariant: empty if supply = sum of balances = sum of issuance
	// for every denom at the height; query/5 otherwise.
	QueryInvariant = "/" + StoreName + "/invariant"
)
