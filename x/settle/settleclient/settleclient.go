// Package settleclient reads the settle module's state through a ledgerd
// node, taking its word (Cycle, Positions) or proving it (the Verified
// forms).
//
// What a Verified read proves: a cycle record is proven present or absent
// at a height against a header the light client verified. Positions,
// legs and breaches are computed here, by the settle module's own query
// code, over reads proven at one height: the banks' issuance records (with
// what their wallets hold) and the inflight sums are walked with proofs of
// every key and of the keys on either side, so a node can neither alter
// nor leave out a bank, a leg or a breach.
package settleclient

import (
	"context"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/client"
	settlev1 "github.com/ledgerd/ledgerd/proto/ledgerd/settle/v1"
	"github.com/ledgerd/ledgerd/x/settle"
)

// Client reads the settle module's state through a ledgerd node. It is
// safe for concurrent use, as the client.Client it wraps.
type Client struct {
	*client.Client
	mod *settle.Module
}

// New returns a Client that reads through c.
func New(c *client.Client) Client { return Client{c, settle.New(nil, nil)} }

// Cycle returns cycle id as the node has it, or a *client.NotFoundError.
func (c Client) Cycle(ctx context.Context, id uint64) (*settlev1.Cycle, error) {
	cy := new(settlev1.Cycle)
	if err := c.Record(ctx, settle.StoreName, settle.CycleKey(id), 0, fmt.Sprintf("cycle %d", id), cy); err != nil {
		return nil, err
	}
	return cy, nil
}

// VerifiedCycle proves cycle id at height (0: the latest).
func (c Client) VerifiedCycle(ctx context.Context, id uint64, height int64) (*settlev1.Cycle, *client.Proven, error) {
	cy := new(settlev1.Cycle)
	p, err := c.VerifiedRecord(ctx, settle.StoreName, settle.CycleKey(id), height, fmt.Sprintf("cycle %d", id), cy)
	if err != nil {
		return nil, nil, err
	}
	return cy, p, nil
}

// VerifiedPositions computes every bank's position in denom at height (0:
// the latest) over proven reads.
func (c Client) VerifiedPositions(ctx context.Context, denom string, height int64) (*settlev1.Positions, *client.ProvenReads, error) {
	m, reads, err := c.run(ctx, height, "positions/", denom)
	if err != nil {
		return nil, nil, err
	}
	return m.(*settlev1.Positions), reads, nil
}

// VerifiedLegs proves cycle id's legs at height (0: the latest), complete.
func (c Client) VerifiedLegs(ctx context.Context, id uint64, height int64) ([]*settlev1.Leg, *client.ProvenReads, error) {
	m, reads, err := c.run(ctx, height, "legs/", fmt.Sprint(id))
	if err != nil {
		return nil, nil, err
	}
	return m.(*settlev1.Legs).Legs, reads, nil
}

// VerifiedBreaches proves the breaches standing against bank ("": every
// bank) at height (0: the latest), complete.
func (c Client) VerifiedBreaches(ctx context.Context, bank string, height int64) ([]*settlev1.Breach, *client.ProvenReads, error) {
	path, rest := "breaches", ""
	if bank != "" {
		path, rest = "breaches/", bank
	}
	m, reads, err := c.run(ctx, height, path, rest)
	if err != nil {
		return nil, nil, err
	}
	return m.(*settlev1.Breaches).Breaches, reads, nil
}

// VerifiedInvariant checks the settle invariant (settle.Invariant: every
// settled leg matches a recorded payment, each cycle's sums match its legs,
// the inflight records are the open legs') over the whole settle store
// proven at height (0: the latest): the node's word is not taken. Its
// cost is a proof per record; it fails with client.ErrVerification when a
// proof does not hold, and with the invariant's own error when it is
// broken.
func (c Client) VerifiedInvariant(ctx context.Context, height int64) (*client.ProvenReads, error) {
	reads := c.ProvenReader(ctx, height)
	var ierr error
	if err := reads.Run(func() { ierr = settle.Invariant(reads.Reader(settle.StoreName)) }); err != nil {
		return nil, err
	}
	if ierr != nil {
		return reads, fmt.Errorf("settle invariant at height %d: %w", reads.Height(), ierr)
	}
	return reads, nil
}

// run answers the module's query path (with rest) over reads proven at
// height.
func (c Client) run(ctx context.Context, height int64, path, rest string) (proto.Message, *client.ProvenReads, error) {
	reads := c.ProvenReader(ctx, height)
	var out proto.Message
	var herr error
	if err := reads.Run(func() {
		for _, q := range c.mod.Module().Queries {
			if q.Path == path {
				out, herr = q.Handle(reads, rest, nil)
			}
		}
	}); err != nil {
		return nil, nil, err
	}
	if herr != nil {
		return nil, nil, herr
	}
	if out == nil {
		return nil, nil, fmt.Errorf("settleclient: no query %q", path)
	}
	return out, reads, nil
}
