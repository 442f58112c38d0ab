package client

import (
	"bytes"
	"context"
	"fmt"

	"google.golang.org/protobuf/proto"
)

// Paginated list queries. A module's list query answers one page: the
// records with ids greater than a cursor, in id order, at most a page of
// them (a full page may have more after it). The answer is the node's
// word. A module client reads a page with QueryProtoAt and checks it with
// CheckPage and CheckListed, which catch a node that answers more than a
// page, lists a record that does not match the query, or breaks the id
// order; ProveListed proves that a listed record is the one stored under
// its key. None of them can show that the node left no record out.

// QueryProtoAt runs the query path at height (0 = latest), decodes the
// node's answer into m and returns the height the node answered at, which
// is height unless that is 0. An answer for another height is an error; a
// query the node refuses is a *QueryError. The answer is the node's word.
func (c *Client) QueryProtoAt(ctx context.Context, path string, height int64, m proto.Message) (int64, error) {
	r, err := c.Query(ctx, path, nil, height)
	if err != nil {
		return 0, err
	}
	if r.Height <= 0 || (height > 0 && r.Height != height) {
		return 0, fmt.Errorf("client: query %s: asked for height %d, %s answered for height %d", path, height, c.url, r.Height)
	}
	if err := decodeAnswer(path, r.Value, m); err != nil {
		return 0, err
	}
	return r.Height, nil
}

// CheckPage fails with ErrVerification if the node answered the list query
// path with n records, more than a page of pageSize.
func CheckPage(path string, n, pageSize int) error {
	if n > pageSize {
		return fmt.Errorf("client: query %s: the node answered %d records, more than a page (%d): %w", path, n, pageSize, ErrVerification)
	}
	return nil
}

// CheckListed checks a record with id that the node listed in answer to
// path, after the record (or cursor) *prev: it must match the query
// (match, which the caller decides from the record) and come after *prev
// in id order. It then sets *prev to id. A record that fails either check
// is an error wrapping ErrVerification.
func CheckListed(path string, match bool, id uint64, prev *uint64) error {
	if !match {
		return fmt.Errorf("client: query %s: the node listed record %d, which does not match the query: %w", path, id, ErrVerification)
	}
	if id <= *prev {
		return fmt.Errorf("client: query %s: the node listed record %d after %d: not in id order after the cursor: %w", path, id, *prev, ErrVerification)
	}
	*prev = id
	return nil
}

// ProveListed proves key of storeName at height with Verified and checks
// that the proven value is, byte for byte, listed's canonical encoding: the
// record the node listed is the one stored. A record proven absent or
// different is an error wrapping ErrVerification (what names it in the
// message); other failures are Verified's.
func (c *Client) ProveListed(ctx context.Context, storeName string, key []byte, height int64, what string, listed proto.Message) (*Proven, error) {
	p, err := c.Verified(ctx, storeName, key, height)
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
