package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// Query paths of the node (see package app).
const (
	PathMembers         = "/consortium/members"
	PathIssuancesPrefix = "/wallet/issuances/"
	PathInvariant       = "/wallet/invariant"
	maxMemberIDLen      = 32
)

// The plain queries below ask the node for the latest committed state and
// take its word for the answer. Use the Verified* counterparts when the
// answer matters.

// Operator returns the operator record of addr, or a *NotFoundError.
func (c *Client) Operator(ctx context.Context, addr common.Address) (*consortiumv1.Operator, error) {
	op := new(consortiumv1.Operator)
	if err := c.Record(ctx, consortium.StoreName, consortium.OperatorKey(addr[:]), 0, "operator "+addr.Hex(), op); err != nil {
		return nil, err
	}
	return op, nil
}

// Wallet returns the wallet owned by addr, or a *NotFoundError.
func (c *Client) Wallet(ctx context.Context, addr common.Address) (*walletv1.Wallet, error) {
	w := new(walletv1.Wallet)
	if err := c.Record(ctx, wallet.StoreName, wallet.WalletKey(addr[:]), 0, "wallet "+addr.Hex(), w); err != nil {
		return nil, err
	}
	return w, nil
}

// Member returns the member with id, or a *NotFoundError.
func (c *Client) Member(ctx context.Context, id string) (*consortiumv1.Member, error) {
	if id == "" {
		return nil, fmt.Errorf("client: member: empty id")
	}
	m := new(consortiumv1.Member)
	if err := c.Record(ctx, consortium.StoreName, consortium.MemberKey(id), 0, fmt.Sprintf("member %q", id), m); err != nil {
		return nil, err
	}
	return m, nil
}

// Members returns all members, ordered by id. The list is not provable:
// a node may omit members (see the package documentation).
func (c *Client) Members(ctx context.Context) ([]*consortiumv1.Member, error) {
	out := new(consortiumv1.Members)
	if err := c.QueryProto(ctx, PathMembers, out); err != nil {
		return nil, err
	}
	return out.Members, nil
}

// Issuances returns issuer's outstanding issuance per denom, ordered by
// denom. The list is not provable; VerifiedIssuance proves one denom.
func (c *Client) Issuances(ctx context.Context, issuer string) ([]*walletv1.Issuance, error) {
	if issuer == "" || len(issuer) > maxMemberIDLen {
		return nil, fmt.Errorf("client: issuances: issuer id %q must be 1 to %d bytes", issuer, maxMemberIDLen)
	}
	out := new(walletv1.Issuances)
	if err := c.QueryProto(ctx, PathIssuancesPrefix+issuer, out); err != nil {
		return nil, err
	}
	return out.Issuances, nil
}

// Supply returns the total supply of denom (zero if none was ever issued).
func (c *Client) Supply(ctx context.Context, denom string) (*walletv1.Coin, error) {
	if denom == "" {
		return nil, fmt.Errorf("client: supply: empty denom")
	}
	coin := &walletv1.Coin{Denom: denom}
	err := c.Record(ctx, wallet.StoreName, wallet.SupplyKey(denom), 0, "supply of "+denom, coin)
	if errors.Is(err, ErrNotFound) {
		return &walletv1.Coin{Denom: denom}, nil
	}
	if err != nil {
		return nil, err
	}
	return coin, nil
}

// Invariant asks the node to check, at its latest height, that for every
// denom the supply equals the sum of balances and the sum of outstanding
// issuance. It returns nil if the node says so, and a *QueryError otherwise.
// The check runs on the node: an auditor that does not trust the node must
// recompute it from verified records.
func (c *Client) Invariant(ctx context.Context) error {
	_, err := c.Query(ctx, PathInvariant, nil, 0)
	return err
}

// Record decodes the value of key in storeName at height (0: the latest)
// into m, taking the node's word for it (VerifiedRecord proves it). An
// absent key is a *NotFoundError naming what (what names the record in
// messages: "wallet 0xAb…"); a value that does not decode as m is an error
// saying so.
func (c *Client) Record(ctx context.Context, storeName string, key []byte, height int64, what string, m proto.Message) error {
	value, err := c.get(ctx, storeName, key, height)
	if err != nil {
		return err
	}
	if value == nil {
		return &NotFoundError{What: what, Store: storeName, Key: key}
	}
	if err := proto.Unmarshal(value, m); err != nil {
		return fmt.Errorf("client: %s: record does not decode as %T: %w", what, m, err)
	}
	return nil
}

// QueryProto runs the query path at the latest height and decodes the
// node's answer into m. The answer is the node's word; a query the node
// refuses is a *QueryError.
func (c *Client) QueryProto(ctx context.Context, path string, m proto.Message) error {
	r, err := c.Query(ctx, path, nil, 0)
	if err != nil {
		return err
	}
	return decodeAnswer(path, r.Value, m)
}

// decodeAnswer decodes the answer of the query path into m.
func decodeAnswer(path string, value []byte, m proto.Message) error {
	if err := proto.Unmarshal(value, m); err != nil {
		return fmt.Errorf("client: query %s: answer does not decode as %T: %w", path, m, err)
	}
	return nil
}
