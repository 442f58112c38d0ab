package client

import (
	"bytes"
	"context"
	"fmt"

	"google.golang.org/protobuf/proto"

	amlv1 "github.com/ledgerd/ledgerd/proto/ledgerd/aml/v1"
	"github.com/ledgerd/ledgerd/x/aml"
)

// AML records (package x/aml): large-value reports and velocity alerts,
// listed by day, by bank of record or by wallet.
//
// by is "day", "bank" or "wallet"; value is a day number or a YYYY-MM-DD
// date (days since 1970-01-01 in the consortium's time zone), a member id,
// or a 0x address. A list is one page: the records with ids greater than
// after, in id order, at most aml.MaxPage of them. A full page may have
// more after it: ask again with after = the last id (NextAfter). A plain
// list is the node's word; the Verified variants prove every record in it
// at one height, but not that the list is complete (see the package
// documentation).

// Reports returns a page of large-value reports at the latest height.
func (c *Client) Reports(ctx context.Context, by, value string, after uint64) ([]*amlv1.Report, error) {
	out, _, err := c.reports(ctx, by, value, after, 0)
	return out, err
}

// Alerts returns a page of velocity alerts at the latest height.
func (c *Client) Alerts(ctx context.Context, by, value string, after uint64) ([]*amlv1.Alert, error) {
	out, _, err := c.alerts(ctx, by, value, after, 0)
	return out, err
}

// VerifiedReports returns a page of reports at height (0 = latest) and a
// proof of each, in order, all at the height the node answered the list
// at. It checks that each listed report is the record stored under its id
// (aml.ReportKey), byte for byte, and belongs in the list (filter, order,
// ids after the cursor); a node that lists a record it does not hold, or
// alters one, fails with ErrVerification. A node can still omit records.
func (c *Client) VerifiedReports(ctx context.Context, by, value string, after uint64, height int64) ([]*amlv1.Report, []*Proven, error) {
	out, h, err := c.reports(ctx, by, value, after, height)
	if err != nil {
		return nil, nil, err
	}
	proofs := make([]*Proven, len(out))
	for i, r := range out {
		if proofs[i], err = c.proveListed(ctx, aml.ReportKey(r.Id), h, fmt.Sprintf("report %d", r.Id), r); err != nil {
			return nil, nil, err
		}
	}
	return out, proofs, nil
}

// VerifiedAlerts is VerifiedReports for alerts (aml.AlertKey).
func (c *Client) VerifiedAlerts(ctx context.Context, by, value string, after uint64, height int64) ([]*amlv1.Alert, []*Proven, error) {
	out, h, err := c.alerts(ctx, by, value, after, height)
	if err != nil {
		return nil, nil, err
	}
	proofs := make([]*Proven, len(out))
	for i, a := range out {
		if proofs[i], err = c.proveListed(ctx, aml.AlertKey(a.Id), h, fmt.Sprintf("alert %d", a.Id), a); err != nil {
			return nil, nil, err
		}
	}
	return out, proofs, nil
}

// VerifiedReport returns report id at height (0 = latest) with its proof.
// A proven absence returns the proof and a *NotFoundError.
func (c *Client) VerifiedReport(ctx context.Context, id uint64, height int64) (*amlv1.Report, *Proven, error) {
	r := new(amlv1.Report)
	p, err := c.verifiedRecord(ctx, aml.StoreName, aml.ReportKey(id), height, fmt.Sprintf("aml report %d", id), r)
	if err != nil {
		return nil, p, err
	}
	return r, p, nil
}

// VerifiedAlert returns alert id at height (0 = latest) with its proof. A
// proven absence returns the proof and a *NotFoundError.
func (c *Client) VerifiedAlert(ctx context.Context, id uint64, height int64) (*amlv1.Alert, *Proven, error) {
	a := new(amlv1.Alert)
	p, err := c.verifiedRecord(ctx, aml.StoreName, aml.AlertKey(id), height, fmt.Sprintf("aml alert %d", id), a)
	if err != nil {
		return nil, p, err
	}
	return a, p, nil
}

// AMLParams returns the AML parameters at the latest height.
func (c *Client) AMLParams(ctx context.Context) (*amlv1.Params, error) {
	p := new(amlv1.Params)
	if err := c.queryProto(ctx, aml.ParamsPath, p); err != nil {
		return nil, err
	}
	return p, nil
}

// VerifiedAMLParams returns the AML parameters at height (0 = latest) with
// their proof. Proven absent (a chain without the AML module's genesis)
// is no parameters: no rule applies.
func (c *Client) VerifiedAMLParams(ctx context.Context, height int64) (*amlv1.Params, *Proven, error) {
	params := new(amlv1.Params)
	p, err := c.verifiedRecord(ctx, aml.StoreName, aml.ParamsKey(), height, "aml params", params)
	if isNotFound(err) {
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

// amlFilter parses by and value; a day may be a date.
func amlFilter(by, value string) (aml.Filter, error) {
	if by == aml.ByDay && len(value) == 10 && value[4] == '-' {
		day, err := aml.ParseDay(value)
		if err != nil {
			return aml.Filter{}, fmt.Errorf("client: aml list by day: %w", err)
		}
		return aml.Filter{By: aml.ByDay, Day: day}, nil
	}
	f, err := aml.ParseFilter(by, value)
	if err != nil {
		return f, fmt.Errorf("client: aml list: %w", err)
	}
	return f, nil
}

func (c *Client) reports(ctx context.Context, by, value string, after uint64, height int64) ([]*amlv1.Report, int64, error) {
	f, err := amlFilter(by, value)
	if err != nil {
		return nil, 0, err
	}
	path := aml.ReportsPath(f, after)
	out := new(amlv1.Reports)
	h, err := c.listAt(ctx, path, height, out)
	if err != nil {
		return nil, 0, err
	}
	if err := checkPage(path, len(out.Reports)); err != nil {
		return nil, 0, err
	}
	prev := after
	for _, r := range out.Reports {
		if err := checkListed(path, f.MatchReport(r), r.Id, &prev); err != nil {
			return nil, 0, err
		}
	}
	return out.Reports, h, nil
}

func (c *Client) alerts(ctx context.Context, by, value string, after uint64, height int64) ([]*amlv1.Alert, int64, error) {
	f, err := amlFilter(by, value)
	if err != nil {
		return nil, 0, err
	}
	path := aml.AlertsPath(f, after)
	out := new(amlv1.Alerts)
	h, err := c.listAt(ctx, path, height, out)
	if err != nil {
		return nil, 0, err
	}
	if err := checkPage(path, len(out.Alerts)); err != nil {
		return nil, 0, err
	}
	prev := after
	for _, a := range out.Alerts {
		if err := checkListed(path, f.MatchAlert(a), a.Id, &prev); err != nil {
			return nil, 0, err
		}
	}
	return out.Alerts, h, nil
}

// listAt runs a list query at height and returns the height answered.
func (c *Client) listAt(ctx context.Context, path string, height int64, m proto.Message) (int64, error) {
	r, err := c.Query(ctx, path, nil, height)
	if err != nil {
		return 0, err
	}
	if r.Height <= 0 || (height > 0 && r.Height != height) {
		return 0, fmt.Errorf("client: query %s: asked for height %d, %s answered for height %d", path, height, c.url, r.Height)
	}
	if err := proto.Unmarshal(r.Value, m); err != nil {
		return 0, fmt.Errorf("client: query %s: answer does not decode as %T: %w", path, m, err)
	}
	return r.Height, nil
}

// checkListed checks that a listed record belongs in the list and comes
// after the previous one.
func checkListed(path string, match bool, id uint64, prev *uint64) error {
	if !match {
		return fmt.Errorf("client: query %s: the node listed record %d, which does not match the query: %w", path, id, ErrVerification)
	}
	if id <= *prev {
		return fmt.Errorf("client: query %s: the node listed record %d after %d: not in id order after the cursor: %w", path, id, *prev, ErrVerification)
	}
	*prev = id
	return nil
}

func checkPage(path string, n int) error {
	if n > aml.MaxPage {
		return fmt.Errorf("client: query %s: the node answered %d records, more than a page (%d): %w", path, n, aml.MaxPage, ErrVerification)
	}
	return nil
}

// proveListed proves key at height and checks that the proven value is
// listed's encoding.
func (c *Client) proveListed(ctx context.Context, key []byte, height int64, what string, listed proto.Message) (*Proven, error) {
	p, err := c.Verified(ctx, aml.StoreName, key, height)
	if err != nil {
		return nil, err
	}
	if p.Value == nil {
		return nil, fmt.Errorf("client: %s listed by %s is proven absent at height %d; do not use the list: %w", what, c.url, height, ErrVerification)
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(listed)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(b, p.Value) {
		return nil, fmt.Errorf("client: %s as listed by %s differs from the record proven at height %d; do not use the list: %w", what, c.url, height, ErrVerification)
	}
	return p, nil
}
