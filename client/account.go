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

// accountDomain is the signing domain an account answer names, unless the
// client's domain is pinned or is to be read with a proof: then Domain's.
func (c *Client) accountDomain(ctx context.Context, a *authv1.Account) (auth.Domain, error) {
	c.mu.Lock()
	pinned := c.domain
	c.mu.Unlock()
	if pinned != nil || c.cfg.verifyDomain {
		return c.Domain(ctx)
	}
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
