// Package collectclient reads the collection module's state through a
// ledgerd node, taking its word (Case, Coverage) or proving it (the
// Verified forms).
//
// What a Verified read proves: a record (a case, a permit, a complaint, a
// member's statistics) is proven present or absent at a height against a
// header the light client verified. VerifiedCoverage runs the module's
// own coverage code here over the index range of the permits that could
// cover the moment, proven complete: "no permit covered it" is proven as
// firmly as "permit 7 did". A case's history is proven complete with
// client.VerifiedHistory (subject "case").
package collectclient

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/client"
	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	"github.com/ledgerd/ledgerd/x/collect"
)

// Client reads the collection module's state through a ledgerd node. It
// is safe for concurrent use, as the client.Client it wraps.
type Client struct{ *client.Client }

// New returns a Client that reads through c.
func New(c *client.Client) Client { return Client{c} }

// Case returns case id as the node has it, or a *client.NotFoundError.
func (c Client) Case(ctx context.Context, id uint64) (*collectv1.Case, error) {
	k := new(collectv1.Case)
	if err := c.Record(ctx, collect.StoreName, collect.CaseKey(id), 0, fmt.Sprintf("case %d", id), k); err != nil {
		return nil, err
	}
	return k, nil
}

// VerifiedCase proves case id at height (0: the latest).
func (c Client) VerifiedCase(ctx context.Context, id uint64, height int64) (*collectv1.Case, *client.Proven, error) {
	k := new(collectv1.Case)
	p, err := c.VerifiedRecord(ctx, collect.StoreName, collect.CaseKey(id), height, fmt.Sprintf("case %d", id), k)
	if err != nil {
		return nil, nil, err
	}
	return k, p, nil
}

// VerifiedPermit proves permit id at height (0: the latest).
func (c Client) VerifiedPermit(ctx context.Context, id uint64, height int64) (*collectv1.Permit, *client.Proven, error) {
	p := new(collectv1.Permit)
	pr, err := c.VerifiedRecord(ctx, collect.StoreName, collect.PermitKey(id), height, fmt.Sprintf("permit %d", id), p)
	if err != nil {
		return nil, nil, err
	}
	return p, pr, nil
}

// VerifiedComplaint proves complaint id at height (0: the latest).
func (c Client) VerifiedComplaint(ctx context.Context, id uint64, height int64) (*collectv1.Complaint, *client.Proven, error) {
	cp := new(collectv1.Complaint)
	pr, err := c.VerifiedRecord(ctx, collect.StoreName, collect.ComplaintKey(id), height, fmt.Sprintf("complaint %d", id), cp)
	if err != nil {
		return nil, nil, err
	}
	return cp, pr, nil
}

// VerifiedStats proves member's statistics at height (0: the latest): a
// member with none has zero counts, proven absent.
func (c Client) VerifiedStats(ctx context.Context, member string, height int64) (*collectv1.Stats, *client.Proven, error) {
	p, err := c.Verified(ctx, collect.StoreName, collect.StatsKey(member), height)
	if err != nil {
		return nil, nil, err
	}
	out := &collectv1.Stats{Member: member}
	if p.Value != nil {
		if err := proto.Unmarshal(p.Value, out); err != nil {
			return nil, nil, fmt.Errorf("collectclient: stats of %s: proven record does not decode: %w", member, client.ErrVerification)
		}
	}
	return out, p, nil
}

// VerifiedCoverage answers, over reads proven at height (0: the latest),
// whether a permit of lender for ch covered a contact of borrower at the
// Unix time t: the permits index range that holds every permit that could
// cover t is proven complete, and each permit in it proven.
func (c Client) VerifiedCoverage(ctx context.Context, lender string, borrower common.Address, ch collectv1.Channel, t int64,
	height int64) (*collectv1.Coverage, *client.ProvenReads, error) {
	reads := c.ProvenReader(ctx, height)
	var out *collectv1.Coverage
	var cerr error
	if err := reads.Run(func() {
		out, cerr = collect.CoverageOf(reads.Reader(collect.StoreName), borrower.Bytes(), lender, ch, t)
	}); err != nil {
		return nil, nil, err
	}
	if cerr != nil {
		return nil, nil, cerr
	}
	return out, reads, nil
}
