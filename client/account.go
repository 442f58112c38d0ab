package client

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	"github.com/ledgerd/ledgerd/x/auth"
)

// PathAccountPrefix is the query path of an account (see package app:
// QueryAccountPrefix).
const PathAccountPrefix = "/auth/account/"

// errNeitherAccountFmt is the error of an address without an account.
const errNeitherAccountFmt = "client: %s: address is neither an operator nor a wallet owner (no operator record and no wallet): " +
	"a wallet must be opened by its bank before its owner can sign: %w"

// Account asks the node, in one query, for what signing addr's next
// transaction needs: the kind of its nonce account ("operator", "wallet",
// or "" for an address that can sign nothing), its committed nonce and the
// next nonce counting its transactions in the node's mempool (a hint, the
// node's word), the height of the answer, and the signing domain. It is
// the node's word: the committed nonce is provable from the account's
// record, and a wrong nonce or domain only makes the transaction fail.
func (c *Client) Account(ctx context.Context, addr common.Address) (*authv1.Account, error) {
	r, err := c.Query(ctx, PathAccountPrefix+addr.Hex(), nil, 0)
	if err != nil {
		return nil, err
	}
	a := new(authv1.Account)
	if err := proto.Unmarshal(r.Value, a); err != nil {
		return nil, fmt.Errorf("client: account %s: answer does not decode: %w", addr.Hex(), err)
	}
	if common.BytesToAddress(a.Address) != addr {
		return nil, fmt.Errorf("client: account %s: %s answered for %x", addr.Hex(), c.url, a.Address)
	}
	return a, nil
}

// Nonce returns the committed nonce of addr's account (Account's): the
// nonce of the record through which addr signs (a member's operator
// record, a wallet). It fails with an error wrapping ErrNotFound if addr
// has no account.
// Transactions of addr still in the mempool are not counted: the next one
// needs Nonce + their number (Account's PendingNonce counts them).
func (c *Client) Nonce(ctx context.Context, addr common.Address) (uint64, error) {
	a, err := c.Account(ctx, addr)
	if err != nil {
		return 0, err
	}
	if a.Kind == "" {
		return 0, fmt.Errorf(errNeitherAccountFmt, addr.Hex(), ErrNotFound)
	}
	return a.Nonce, nil
}

// accountDomain is the signing domain an account answer names, unless the
// client's domain is pinned or is to be proven: then Domain's.
func (c *Client) accountDomain(ctx context.Context, a *authv1.Account) (auth.Domain, error) {
	c.mu.Lock()
	pinned := c.domain
	c.mu.Unlock()
	if pinned != nil || c.cfg.chainParams != nil {
		return c.Domain(ctx)
	}
	return c.domainOf(a)
}

// domainOf checks the signing domain an account answer names against the
// pinned chain id, and caches it.
func (c *Client) domainOf(a *authv1.Account) (auth.Domain, error) {
	if a.ChainId == "" || a.ChainNumericId == 0 {
		return auth.Domain{}, fmt.Errorf("client: %s names no signing domain: is the chain initialised?", c.url)
	}
	if c.cfg.chainID != "" && a.ChainId != c.cfg.chainID {
		return auth.Domain{}, fmt.Errorf("client: %s is on chain %q, expected %q: check the node URL", c.url, a.ChainId, c.cfg.chainID)
	}
	d := auth.Domain{ChainID: a.ChainId, NumericID: a.ChainNumericId}
	c.mu.Lock()
	c.chainID, c.domain = d.ChainID, &d
	c.mu.Unlock()
	return d, nil
}
