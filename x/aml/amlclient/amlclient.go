package amlclient

import (
	"context"
	"errors"
	"fmt"

	"github.com/ledgerd/ledgerd/client"
	amlv1 "github.com/ledgerd/ledgerd/proto/ledgerd/aml/v1"
	"github.com/ledgerd/ledgerd/x/aml"
)

// Client reads the AML module's records through a ledgerd node. It is safe
// for concurrent use, as the client.Client it wraps.
type Client struct{ *client.Client }

// New returns a Client that reads through c.
func New(c *client.Client) Client { return Client{c} }

// Reports returns a page of large-value reports at the latest height (by,
// value and after: see the package documentation).
func (c Client) Reports(ctx context.Context, by, value string, after uint64) ([]*amlv1.Report, error) {
	out, _, err := c.reports(ctx, by, value, after, 0)
	return out, err
}

// Alerts returns a page of velocity alerts at the latest height.
func (c Client) Alerts(ctx context.Context, by, value string, after uint64) ([]*amlv1.Alert, error) {
	out, _, err := c.alerts(ctx, by, value, after, 0)
	return out, err
}

// VerifiedReports returns a page of reports at height (0 = latest) and a
// proof of each, in order, all at the height the node answered the list
// at. It checks that each listed report is the record stored under its id
// (aml.ReportKey), byte for byte, and belongs in the list (filter, order,
// ids after the cursor); a node that lists a record it does not hold, or
// alters one, fails with client.ErrVerification. A node can still omit
// records.
func (c Client) VerifiedReports(ctx context.Context, by, value string, after uint64, height int64) ([]*amlv1.Report, []*client.Proven, error) {
	out, h, err := c.reports(ctx, by, value, after, height)
	if err != nil {
		return nil, nil, err
	}
	proofs := make([]*client.Proven, len(out))
	for i, r := range out {
		if proofs[i], err = c.ProveListed(ctx, aml.StoreName, aml.ReportKey(r.Id), h, fmt.Sprintf("report %d", r.Id), r); err != nil {
			return nil, nil, err
		}
	}
	return out, proofs, nil
}

// VerifiedAlerts is VerifiedReports for alerts (aml.AlertKey).
func (c Client) VerifiedAlerts(ctx context.Context, by, value string, after uint64, height int64) ([]*amlv1.Alert, []*client.Proven, error) {
	out, h, err := c.alerts(ctx, by, value, after, height)
	if err != nil {
		return nil, nil, err
	}
	proofs := make([]*client.Proven, len(out))
	for i, a := range out {
		if proofs[i], err = c.ProveListed(ctx, aml.StoreName, aml.AlertKey(a.Id), h, fmt.Sprintf("alert %d", a.Id), a); err != nil {
			return nil, nil, err
		}
	}
	return out, proofs, nil
}

// VerifiedReport returns report id at height (0 = latest) with its proof.
// A proven absence returns the proof and a *client.NotFoundError.
func (c Client) VerifiedReport(ctx context.Context, id uint64, height int64) (*amlv1.Report, *client.Proven, error) {
	r := new(amlv1.Report)
	p, err := c.VerifiedRecord(ctx, aml.StoreName, aml.ReportKey(id), height, fmt.Sprintf("aml report %d", id), r)
	if err != nil {
		return nil, p, err
	}
	return r, p, nil
}

// VerifiedAlert returns alert id at height (0 = latest) with its proof. A
// proven absence returns the proof and a *client.NotFoundError.
func (c Client) VerifiedAlert(ctx context.Context, id uint64, height int64) (*amlv1.Alert, *client.Proven, error) {
	a := new(amlv1.Alert)
	p, err := c.VerifiedRecord(ctx, aml.StoreName, aml.AlertKey(id), height, fmt.Sprintf("aml alert %d", id), a)
	if err != nil {
		return nil, p, err
	}
	return a, p, nil
}

// Params returns the AML parameters at the latest height.
func (c Client) Params(ctx context.Context) (*amlv1.Params, error) {
	p := new(amlv1.Params)
	if err := c.QueryProto(ctx, aml.ParamsPath, p); err != nil {
		return nil, err
	}
	return p, nil
}

// VerifiedParams returns the AML parameters at height (0 = latest) with
// their proof. Proven absent (a chain without the AML module's genesis)
// is no parameters: no rule applies.
func (c Client) VerifiedParams(ctx context.Context, height int64) (*amlv1.Params, *client.Proven, error) {
	params := new(amlv1.Params)
	p, err := c.VerifiedRecord(ctx, aml.StoreName, aml.ParamsKey(), height, "aml params", params)
	if errors.Is(err, client.ErrNotFound) {
		return params, p, nil
	}
	if err != nil {
		return nil, p, err
	}
	return params, p, nil
}

// NextAfter returns the cursor of the page after one of n records whose
// last id is lastID, or 0 when the page was the last.
func NextAfter(n int, lastID uint64) uint64 {
	if n < aml.MaxPage {
		return 0
	}
	return lastID
}

// filter parses by and value; a day may be a date.
func filter(by, value string) (aml.Filter, error) {
	if by == aml.ByDay && len(value) == 10 && value[4] == '-' {
		day, err := aml.ParseDay(value)
		if err != nil {
			return aml.Filter{}, fmt.Errorf("amlclient: list by day: %w", err)
		}
		return aml.Filter{By: aml.ByDay, Day: day}, nil
	}
	f, err := aml.ParseFilter(by, value)
	if err != nil {
		return f, fmt.Errorf("amlclient: list: %w", err)
	}
	return f, nil
}

func (c Client) reports(ctx context.Context, by, value string, after uint64, height int64) ([]*amlv1.Report, int64, error) {
	f, err := filter(by, value)
	if err != nil {
		return nil, 0, err
	}
	path := aml.ReportsPath(f, after)
	out := new(amlv1.Reports)
	h, err := c.QueryProtoAt(ctx, path, height, out)
	if err != nil {
		return nil, 0, err
	}
	if err := client.CheckPage(path, len(out.Reports), aml.MaxPage); err != nil {
		return nil, 0, err
	}
	prev := after
	for _, r := range out.Reports {
		if err := client.CheckListed(path, f.MatchReport(r), r.Id, &prev); err != nil {
			return nil, 0, err
		}
	}
	return out.Reports, h, nil
}

func (c Client) alerts(ctx context.Context, by, value string, after uint64, height int64) ([]*amlv1.Alert, int64, error) {
	f, err := filter(by, value)
	if err != nil {
		return nil, 0, err
	}
	path := aml.AlertsPath(f, after)
	out := new(amlv1.Alerts)
	h, err := c.QueryProtoAt(ctx, path, height, out)
	if err != nil {
		return nil, 0, err
	}
	if err := client.CheckPage(path, len(out.Alerts), aml.MaxPage); err != nil {
		return nil, 0, err
	}
	prev := after
	for _, a := range out.Alerts {
		if err := client.CheckListed(path, f.MatchAlert(a), a.Id, &prev); err != nil {
			return nil, 0, err
		}
	}
	return out.Alerts, h, nil
}
