package client

import (
	"context"
	"fmt"

	"google.golang.org/protobuf/proto"
)

// Record decodes the value of key in storeName at height (0: the latest)
// into m, taking the node's word for it (VerifiedRecord proves it). An
// absent key is a *NotFoundError naming what (what names the record in
// messages: "wallet 0xAb…"); a value that does not decode as m is an error
// saying so.
func (c *Client) Record(ctx context.Context, storeName string, key []byte, height int64, what string, m proto.Message) error {
	value, err := c.get(ctx, storeName, key, height)
	if err != nil {
		return err
	}
	if value == nil {
		return &NotFoundError{What: what, Store: storeName, Key: key}
	}
	if err := proto.Unmarshal(value, m); err != nil {
		return fmt.Errorf("client: %s: record does not decode as %T: %w", what, m, err)
	}
	return nil
}

// QueryProto runs the query path at the latest height and decodes the
// node's answer into m. The answer is the node's word; a query the node
// refuses is a *QueryError.
func (c *Client) QueryProto(ctx context.Context, path string, m proto.Message) error {
	r, err := c.Query(ctx, path, nil, 0)
	if err != nil {
		return err
	}
	return decodeAnswer(path, r.Value, m)
}

// decodeAnswer decodes the answer of the query path into m.
func decodeAnswer(path string, value []byte, m proto.Message) error {
	if err := proto.Unmarshal(value, m); err != nil {
		return fmt.Errorf("client: query %s: answer does not decode as %T: %w", path, m, err)
	}
	return nil
}
