package client_test

import (
	"context"
	"errors"
	"testing"

	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/clienttest"
)

func TestPlainQueries(t *testing.T) {
	f := liveNode(t)
	c := clienttest.NewClient(t, f)
	ctx := context.Background()

	rec := new(wrapperspb.StringValue)
	if err := c.Record(ctx, testStore, keyA, 0, "record a", rec); err != nil || rec.Value != "alpha" {
		t.Fatalf("Record = %v, %v", rec, err)
	}
	var nf *client.NotFoundError
	if err := c.Record(ctx, testStore, keyA, 1, "record a", rec); !errors.As(err, &nf) || !errors.Is(err, client.ErrNotFound) || nf.Proven {
		t.Fatalf("record a at height 1: %v", err)
	}
	if err := c.Record(ctx, testStore, paramsKey, 0, "params", rec); err == nil || errors.Is(err, client.ErrNotFound) {
		t.Fatalf("undecodable record: %v", err)
	}
	if err := c.QueryProto(ctx, "/"+testStore+"/echo/hello", rec); err != nil || rec.Value != "hello" {
		t.Fatalf("QueryProto = %v, %v", rec, err)
	}
	var qe *client.QueryError
	if _, err := c.Query(ctx, "/nope", nil, 0); !errors.As(err, &qe) || qe.Code != 2 || qe.Codespace != "query" {
		t.Fatalf("unknown path: %v", err)
	}
	if err := c.QueryProto(ctx, "/nope", rec); !errors.As(err, &qe) {
		t.Fatalf("QueryProto of an unknown path: %v", err)
	}
}
