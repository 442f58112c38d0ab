package walletclient

import (
	"context"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/client"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// Query paths of the wallet module.
const (
	// PathIssuancesPrefix + issuer is the query of the issuer's outstanding
	// issuance per denom.
	PathIssuancesPrefix = "/wallet/issuances/"
	// PathInvariant is the query that checks the supply invariant on the
	// node.
	PathInvariant = "/wallet/invariant"
)

// Client reads the wallet module's state through a ledgerd node. It is safe
// for concurrent use, as the client.Client it wraps.
type Client struct{ *client.Client }

// New returns a Client that reads through c.
func New(c *client.Client) Client { return Client{c} }

// Wallet returns the wallet owned by addr at the latest height, or a
// *client.NotFoundError.
func (c Client) Wallet(ctx context.Context, addr common.Address) (*walletv1.Wallet, error) {
	w := new(walletv1.Wallet)
	if err := c.Record(ctx, wallet.StoreName, wallet.WalletKey(addr[:]), 0, "wallet "+addr.Hex(), w); err != nil {
		return nil, err
	}
	return w, nil
}

// Issuances returns issuer's outstanding issuance per denom at the latest
// height, ordered by denom. The list is the node's word; VerifiedIssuance
// proves one denom.
func (c Client) Issuances(ctx context.Context, issuer string) ([]*walletv1.Issuance, error) {
	if issuer == "" || len(issuer) > wallet.MaxMemberIDLen {
		return nil, fmt.Errorf("walletclient: issuances: issuer id %q must be 1 to %d bytes", issuer, wallet.MaxMemberIDLen)
	}
	out := new(walletv1.Issuances)
	if err := c.QueryProto(ctx, PathIssuancesPrefix+issuer, out); err != nil {
		return nil, err
	}
	return out.Issuances, nil
}

// Supply returns the total supply of denom at the latest height (zero if
// none was ever issued).
func (c Client) Supply(ctx context.Context, denom string) (*walletv1.Coin, error) {
	if denom == "" {
		return nil, fmt.Errorf("walletclient: supply: empty denom")
	}
	coin := &walletv1.Coin{Denom: denom}
	err := c.Record(ctx, wallet.StoreName, wallet.SupplyKey(denom), 0, "supply of "+denom, coin)
	if errors.Is(err, client.ErrNotFound) {
		return &walletv1.Coin{Denom: denom}, nil
	}
	if err != nil {
		return nil, err
	}
	return coin, nil
}

// Invariant asks the node to check, at its latest height, that for every
// denom the supply equals the sum of balances and the sum of outstanding
// issuance. It returns nil if the node says so, and a *client.QueryError
// otherwise. The check runs on the node: an auditor that does not trust
// the node must recompute it from verified records
// (VerifiedSupplyInvariant).
func (c Client) Invariant(ctx context.Context) error {
	_, err := c.Query(ctx, PathInvariant, nil, 0)
	return err
}

// VerifiedWallet returns addr's wallet at height (0 = latest) with its
// proof. A proven absence returns the proof and a *client.NotFoundError.
func (c Client) VerifiedWallet(ctx context.Context, addr common.Address, height int64) (*walletv1.Wallet, *client.Proven, error) {
	w := new(walletv1.Wallet)
	p, err := c.VerifiedRecord(ctx, wallet.StoreName, wallet.WalletKey(addr[:]), height, "wallet "+addr.Hex(), w)
	if err != nil {
		return nil, p, err
	}
	return w, p, nil
}

// VerifiedIssuance returns issuer's outstanding issuance of denom at height
// (0 = latest) with its proof. A proven absence is zero issuance (and
// Proven.Value is nil).
func (c Client) VerifiedIssuance(ctx context.Context, issuer, denom string, height int64) (*walletv1.Issuance, *client.Proven, error) {
	if issuer == "" || len(issuer) > wallet.MaxMemberIDLen || denom == "" {
		return nil, nil, fmt.Errorf("walletclient: verified issuance: issuer id %q must be 1 to %d bytes and denom %q non-empty", issuer, wallet.MaxMemberIDLen, denom)
	}
	is := new(walletv1.Issuance)
	p, err := c.VerifiedRecord(ctx, wallet.StoreName, wallet.IssuanceKey(issuer, denom), height, "issuance", is)
	if errors.Is(err, client.ErrNotFound) {
		return &walletv1.Issuance{Issuer: issuer, Denom: denom}, p, nil
	}
	if err != nil {
		return nil, p, err
	}
	return is, p, nil
}

// VerifiedSupply returns the total supply of denom at height (0 = latest)
// with its proof. A proven absence is zero supply (and Proven.Value is
// nil).
func (c Client) VerifiedSupply(ctx context.Context, denom string, height int64) (*walletv1.Coin, *client.Proven, error) {
	if denom == "" {
		return nil, nil, errors.New("walletclient: verified supply: empty denom")
	}
	coin := new(walletv1.Coin)
	p, err := c.VerifiedRecord(ctx, wallet.StoreName, wallet.SupplyKey(denom), height, "supply", coin)
	if errors.Is(err, client.ErrNotFound) {
		return &walletv1.Coin{Denom: denom}, p, nil
	}
	if err != nil {
		return nil, p, err
	}
	return coin, p, nil
}
