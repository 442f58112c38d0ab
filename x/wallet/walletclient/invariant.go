package walletclient

import (
	"context"
	"errors"
	"fmt"
	"math/bits"

	"github.com/ledgerd/ledgerd/client"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/consortium/consortiumclient"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// SupplyCheck is the supply invariant of every denom, proven at one height.
type SupplyCheck struct {
	Height int64          `json:"height"`
	Denoms []*DenomSupply `json:"denoms"`
	// BalancesChecked is true when the node's own scan found the sum of
	// balances equal to the supply; that part is the node's word.
	BalancesChecked bool `json:"balances_checked_by_node"`
}

// DenomSupply is one denom's proven supply and issuance.
type DenomSupply struct {
	Denom  string `json:"denom"`
	Supply uint64 `json:"supply,string"`
	// Issued is each issuer's proven outstanding issuance (non-zero only).
	Issued    map[string]uint64 `json:"issued"`
	SumIssued uint64            `json:"sum_issued,string"`
}

// VerifiedSupplyInvariant proves, at one height, every denom's supply and
// every member's outstanding issuance, and checks that they agree: supply =
// sum of issuers' outstanding issuance. Because the supply is proven and
// issuance is never negative, a node that left out an issuer could only
// make the check fail, never pass; the list of members comes from the
// node (consortiumclient.Members). It also runs the node's invariant query,
// which adds sum of balances = supply on the node's word (proving it would
// take a proof per wallet). It fails with client.ErrVerification when a
// proof or the invariant does not hold.
func (c Client) VerifiedSupplyInvariant(ctx context.Context, height int64) (*SupplyCheck, error) {
	params := new(walletv1.Params)
	paramsProof, err := c.VerifiedRecord(ctx, wallet.StoreName, wallet.ParamsKey(), height, "wallet params", params)
	if err != nil {
		return nil, err
	}
	h := paramsProof.Height
	members, err := consortiumclient.New(c.Client).Members(ctx)
	if err != nil {
		return nil, err
	}
	check := &SupplyCheck{Height: h}
	for _, denom := range params.Denoms {
		coin, _, err := c.VerifiedSupply(ctx, denom, h)
		if err != nil {
			return nil, err
		}
		ds := &DenomSupply{Denom: denom, Supply: coin.Amount, Issued: map[string]uint64{}}
		for _, m := range members {
			is, _, err := c.VerifiedIssuance(ctx, m.Id, denom, h)
			if err != nil {
				return nil, err
			}
			if is.Outstanding == 0 {
				continue
			}
			ds.Issued[m.Id] = is.Outstanding
			var carry uint64
			if ds.SumIssued, carry = bits.Add64(ds.SumIssued, is.Outstanding, 0); carry != 0 {
				return nil, fmt.Errorf("%w: outstanding issuance of %s overflows", client.ErrVerification, denom)
			}
		}
		if ds.SumIssued != ds.Supply {
			return check, fmt.Errorf("%w: at height %d the proven supply of %s is %d but the issuers' proven outstanding issuance sums to %d",
				client.ErrVerification, h, denom, ds.Supply, ds.SumIssued)
		}
		check.Denoms = append(check.Denoms, ds)
	}
	if err := c.Invariant(ctx); err != nil {
		var qe *client.QueryError
		if errors.As(err, &qe) {
			return check, fmt.Errorf("%w: the node reports: %v", client.ErrVerification, err)
		}
		return check, err
	}
	check.BalancesChecked = true
	return check, nil
}
