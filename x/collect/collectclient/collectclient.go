// Package collectclient reads the collection module's state through a
// ledgerd node, taking its word (Case, Coverage) or proving it (the
// Verified forms).
//
// What a Verified read proves: a record (a permit, a complaint) is proven
// present or absent at a height against a header the light client
// verified. VerifiedCase and VerifiedStats run the module's own case and
// stats queries here over proven reads, since a case's stage and a
// member's open cases by stage depend on the day (of the header, or one
// given). VerifiedCoverage runs the module's
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
	"github.com/ledgerd/ledgerd/x/calendar"
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

// VerifiedCase computes case id with its stage on day (0: the day of the
// proven state's header) here, with the collection module's own case
// query, over the case's record and the parameters proven at height (0:
// the latest). It returns the proofs of every read.
func (c Client) VerifiedCase(ctx context.Context, id uint64, day calendar.Day, height int64) (*collectv1.Case, *client.ProvenReads, error) {
	out := new(collectv1.Case)
	reads, err := c.runProven(ctx, "case/", withDay(fmt.Sprint(id), day), height, out)
	if err != nil {
		return nil, nil, err
	}
	return out, reads, nil
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

// VerifiedStats computes member's statistics on day (0: the day of the
// proven state's header) here, with the collection module's own stats
// query, over reads proven at height (0: the latest): the member's stored
// counts (proven absent: all zero) and its counts of open cases by day
// overdue since over the last late_from days, that range proven complete.
func (c Client) VerifiedStats(ctx context.Context, member string, day calendar.Day, height int64) (*collectv1.Stats, *client.ProvenReads, error) {
	out := new(collectv1.Stats)
	reads, err := c.runProven(ctx, "stats/", withDay(member, day), height, out)
	if err != nil {
		return nil, nil, err
	}
	return out, reads, nil
}

func withDay(rest string, day calendar.Day) string {
	if day != 0 {
		rest += "/" + day.String()
	}
	return rest
}

// module is the collection module whose query handlers the Verified reads
// run: they read the stores only.
var module = collect.New(nil, nil).Module()

// runProven runs the collection module's query path over reads proven at
// height (0: the latest) and sets out to its answer.
func (c Client) runProven(ctx context.Context, path, rest string, height int64, out proto.Message) (*client.ProvenReads, error) {
	reads := c.ProvenReader(ctx, height)
	var answer proto.Message
	herr := fmt.Errorf("collectclient: the collection module has no query %q", path)
	if err := reads.Run(func() { answer, herr = module.Answer(reads, path+rest, nil) }); err != nil {
		return nil, err
	}
	if herr != nil {
		return nil, herr
	}
	proto.Merge(out, answer)
	return reads, nil
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
