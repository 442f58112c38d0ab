package walletclient

import (
	"context"
	"errors"
	"fmt"

	"github.com/ledgerd/ledgerd/client"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/arith"
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

// DenomSupply is one denom's proven supply, issuance and holdings.
type DenomSupply struct {
	Denom  string `json:"denom"`
	Supply uint64 `json:"supply,string"`
	// Issued is each bank's proven outstanding issuance (non-zero only),
	// signed ("-250": the bank paid out more than it issued, for money
	// issued elsewhere; see docs/settlement.md).
	Issued    map[string]string `json:"issued"`
	SumIssued uint64            `json:"sum_issued,string"`
	// Held is what each bank's wallets hold by its proven issuance record
	// (non-zero only); their sum equals the supply exactly when the banks'
	// positions (issued - held) sum to zero.
	Held    map[string]uint64 `json:"held"`
	SumHeld uint64            `json:"sum_held,string"`
}

// VerifiedSupplyInvariant proves, at one height, every denom's supply and
// every member's issuance record, and checks that they agree: supply =
// sum of the members' signed outstanding issuance = sum of what their
// wallets hold, so that the interbank positions sum to zero. What a bank's
// wallets hold is never negative, so a node that left out a member could
// only make the held sum fail, never pass; the list of members comes from
// the node (consortiumclient.Members). It also runs the node's invariant
// query, which adds sum of balances = supply and each bank's holdings =
// its wallets' balances on the node's word (proving them would take a
// proof per wallet). It fails with client.ErrVerification when a proof or
// the invariant does not hold.
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
		ds := &DenomSupply{Denom: denom, Supply: coin.Amount, Issued: map[string]string{}, Held: map[string]uint64{}}
		var issued arith.Signed
		for _, m := range members {
			is, _, err := c.VerifiedIssuance(ctx, m.Id, denom, h)
			if err != nil {
				return nil, err
			}
			if is.Outstanding != 0 {
				ds.Issued[m.Id] = wallet.Outstanding(is).String()
			}
			if is.Held != 0 {
				ds.Held[m.Id] = is.Held
			}
			var e1, e2 error
			issued, e1 = issued.Add(wallet.Outstanding(is))
			ds.SumHeld, e2 = arith.Add(ds.SumHeld, is.Held)
			if e1 != nil || e2 != nil {
				return nil, fmt.Errorf("%w: issuance or holdings of %s overflow", client.ErrVerification, denom)
			}
		}
		if issued.Cmp(arith.Plus(ds.Supply)) != 0 {
			return check, fmt.Errorf("%w: at height %d the proven supply of %s is %d but the issuers' proven outstanding issuance sums to %s",
				client.ErrVerification, h, denom, ds.Supply, issued)
		}
		ds.SumIssued = issued.Abs
		if ds.SumHeld != ds.Supply {
			return check, fmt.Errorf("%w: at height %d the proven supply of %s is %d but what the banks' wallets hold sums to %d by their proven records: positions do not sum to zero",
				client.ErrVerification, h, denom, ds.Supply, ds.SumHeld)
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
