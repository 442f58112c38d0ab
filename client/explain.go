package client

import (
	"context"
	"fmt"

	"github.com/ledgerd/ledgerd/x/errcode"
)

// ExplainFailure describes a failure recorded in state as a registered
// error (codespace, code): the code and its description, and, when the
// node still has the results of the block at height, the "reason" of that
// block's event of type kind whose "id" is id (the failure's full text,
// which state does not keep). The text is the node's word.
func (c *Client) ExplainFailure(ctx context.Context, height int64, codespace string, code uint32, kind, id string) string {
	what := fmt.Sprintf("%s/%d", codespace, code)
	if e, ok := errcode.Lookup(codespace, code); ok {
		what += " (" + e.Desc + ")"
	}
	res, err := c.rpc.BlockResults(ctx, &height)
	if err != nil {
		return what
	}
	for _, ev := range res.FinalizeBlockEvents {
		if ev.Type != kind {
			continue
		}
		attrs := map[string]string{}
		for _, a := range ev.Attributes {
			attrs[a.Key] = a.Value
		}
		if attrs["id"] == id && attrs["reason"] != "" {
			return what + ": " + attrs["reason"]
		}
	}
	return what
}
