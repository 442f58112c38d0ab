// Package creditclient reads the credit module's state through a ledgerd
// node, taking its word (Loan, Schedule, ...) or proving it (the Verified
// forms).
//
// What a Verified read proves: a record (a product, a line, a loan, a
// portfolio) is proven present or absent at a height against a header the
// light client verified. A computed answer (VerifiedSchedule) is computed
// here, by the credit module's own code, over records proven at one height:
// the node's arithmetic is not trusted. Lists (a borrower's loans) are
// proven complete: the index range they come from is walked with proofs of
// every key and of the keys on either side.
package creditclient

import (
	"context"
	"encoding/hex"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/client"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/credit"
	"github.com/ledgerd/ledgerd/x/credit/scorecard"
)

// Client reads the credit module's state through a ledgerd node. It is
// safe for concurrent use, as the client.Client it wraps.
type Client struct {
	*client.Client
	// mod runs the module's query code over proven reads.
	mod *credit.Module
}

// New returns a Client that reads through c.
func New(c *client.Client) Client { return Client{c, credit.New(nil, nil)} }

// Loan returns loan id as the node last brought it up to date, or a
// *client.NotFoundError.
func (c Client) Loan(ctx context.Context, id uint64) (*creditv1.Loan, error) {
	l := new(creditv1.Loan)
	if err := c.Record(ctx, credit.StoreName, credit.LoanKey(id), 0, fmt.Sprintf("loan %d", id), l); err != nil {
		return nil, err
	}
	return l, nil
}

// VerifiedLoan proves loan id at height (0: the latest).
func (c Client) VerifiedLoan(ctx context.Context, id uint64, height int64) (*creditv1.Loan, *client.Proven, error) {
	l := new(creditv1.Loan)
	p, err := c.VerifiedRecord(ctx, credit.StoreName, credit.LoanKey(id), height, fmt.Sprintf("loan %d", id), l)
	if err != nil {
		return nil, nil, err
	}
	return l, p, nil
}

// VerifiedLine proves line id at height (0: the latest).
func (c Client) VerifiedLine(ctx context.Context, id uint64, height int64) (*creditv1.Line, *client.Proven, error) {
	l := new(creditv1.Line)
	p, err := c.VerifiedRecord(ctx, credit.StoreName, credit.LineKey(id), height, fmt.Sprintf("line %d", id), l)
	if err != nil {
		return nil, nil, err
	}
	return l, p, nil
}

// VerifiedProduct proves lender's product id at height (0: the latest).
func (c Client) VerifiedProduct(ctx context.Context, lender, id string, height int64) (*creditv1.Product, *client.Proven, error) {
	p := new(creditv1.Product)
	pr, err := c.VerifiedRecord(ctx, credit.StoreName, credit.ProductKey(lender, id), height, "product "+lender+"/"+id, p)
	if err != nil {
		return nil, nil, err
	}
	return p, pr, nil
}

// VerifiedPortfolio proves lender's book in denom at height (0: the
// latest). A lender that never lent in denom has an empty one (proven
// absent).
func (c Client) VerifiedPortfolio(ctx context.Context, lender, denom string, height int64) (*creditv1.Portfolio, *client.Proven, error) {
	p, err := c.Verified(ctx, credit.StoreName, credit.PortfolioKey(lender, denom), height)
	if err != nil {
		return nil, nil, err
	}
	out := &creditv1.Portfolio{Lender: lender, Denom: denom}
	if p.Value != nil {
		if err := proto.Unmarshal(p.Value, out); err != nil {
			return nil, nil, fmt.Errorf("creditclient: portfolio %s/%s: proven record does not decode: %w", lender, denom, client.ErrVerification)
		}
	}
	return out, p, nil
}

// Schedule asks the node for loan id's schedule on day (0: the node's
// day).
func (c Client) Schedule(ctx context.Context, id uint64, day calendar.Day) (*creditv1.Schedule, error) {
	path := fmt.Sprintf("/credit/schedule/%d", id)
	if day != 0 {
		path += "/" + day.String()
	}
	out := new(creditv1.Schedule)
	if err := c.QueryProto(ctx, path, out); err != nil {
		return nil, err
	}
	return out, nil
}

// VerifiedSchedule computes loan id's schedule on day (0: the day of the
// proven state's header) here, with the credit module's own code, over the
// loan's record and the wallet parameters proven at height (0: the
// latest). It returns the proofs of every read.
func (c Client) VerifiedSchedule(ctx context.Context, id uint64, day calendar.Day, height int64) (*creditv1.Schedule, *client.ProvenReads, error) {
	rest := fmt.Sprint(id)
	if day != 0 {
		rest += "/" + day.String()
	}
	out := new(creditv1.Schedule)
	reads, err := c.runProven(ctx, "schedule/", rest, height, out)
	if err != nil {
		return nil, nil, err
	}
	return out, reads, nil
}

// runProven runs the credit module's query path over reads proven at
// height (0: the latest) and sets out to its answer.
func (c Client) runProven(ctx context.Context, path, rest string, height int64, out proto.Message) (*client.ProvenReads, error) {
	reads := c.ProvenReader(ctx, height)
	var answer proto.Message
	herr := fmt.Errorf("creditclient: the credit module has no query %q", path)
	if err := reads.Run(func() {
		for _, q := range c.mod.Module().Queries {
			if q.Path == path {
				answer, herr = q.Handle(reads, rest, nil)
			}
		}
	}); err != nil {
		return nil, err
	}
	if herr != nil {
		return nil, herr
	}
	proto.Merge(out, answer)
	return reads, nil
}

// VerifiedReport computes subject's credit report on day (0: the day of
// the proven state's header) here, with the credit module's own code,
// over records proven at height (0: the latest). It proves every loan of
// the subject's and that none is missing: the subject's loan index is
// walked as a proven-complete range (its marks bracket it, so that the
// proofs name only the subject's own keys) and must hold exactly the loans
// the subject's proven record counts (credit.ErrIncomplete otherwise); a
// node that hides a key fails a proof (client.ErrVerification). The
// client must read as someone the node lets read the subject
// (client.WithReader): the subject's wallet, a lender holding an enquiry,
// an auditor, a regulator or the credit bureau.
func (c Client) VerifiedReport(ctx context.Context, subject []byte, day calendar.Day, height int64) (*creditv1.Report, *client.ProvenReads, error) {
	rest := hex.EncodeToString(subject)
	if day != 0 {
		rest += "/" + day.String()
	}
	out := new(creditv1.Report)
	reads, err := c.runProven(ctx, "report/", rest, height, out)
	if err != nil {
		return nil, nil, err
	}
	return out, reads, nil
}

// Score is the credit score of a report (package scorecard documents
// the scorecard): recompute it from a proven report.
func Score(r *creditv1.Report) *creditv1.Score { return scorecard.Of(r) }

// VerifiedScore scores subject's VerifiedReport: nobody's number is
// trusted.
func (c Client) VerifiedScore(ctx context.Context, subject []byte, day calendar.Day, height int64) (*creditv1.Score, *creditv1.Report, *client.ProvenReads, error) {
	r, reads, err := c.VerifiedReport(ctx, subject, day, height)
	if err != nil {
		return nil, nil, nil, err
	}
	return Score(r), r, reads, nil
}

// VerifiedLoansOf proves every loan of borrower at height (0: the latest):
// the index of the borrower's loans is walked with proofs that no key is
// left out, then each loan is proven.
func (c Client) VerifiedLoansOf(ctx context.Context, borrower common.Address, height int64) ([]*creditv1.Loan, []*client.Proven, error) {
	prefix := credit.BorrowerLoansPrefix(borrower.Bytes())
	r, err := c.VerifiedRange(ctx, credit.StoreName, credit.RangeStart(prefix), credit.RangeEnd(prefix), height, 0)
	if err != nil {
		return nil, nil, err
	}
	proofs := append([]*client.Proven{}, r.Proofs...)
	var loans []*creditv1.Loan
	for _, kv := range r.Pairs {
		id := idOf(kv.Key)
		if id == 0 {
			continue // the range's opening mark
		}
		l, p, err := c.VerifiedLoan(ctx, id, r.Height)
		if err != nil {
			return nil, nil, err
		}
		if common.BytesToAddress(l.Borrower) != borrower {
			return nil, nil, fmt.Errorf("creditclient: loan %d is indexed under %s but is %x's: %w", id, borrower.Hex(), l.Borrower, client.ErrVerification)
		}
		loans = append(loans, l)
		proofs = append(proofs, p)
	}
	return loans, proofs, nil
}

func idOf(key []byte) uint64 {
	var id uint64
	for _, b := range key[len(key)-8:] {
		id = id<<8 | uint64(b)
	}
	return id
}
