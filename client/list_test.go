package client_test

import (
	"context"
	"errors"
	"testing"

	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/clienttest"
)

func TestListChecks(t *testing.T) {
	if err := client.CheckPage("/l", 3, 2); !errors.Is(err, client.ErrVerification) {
		t.Fatalf("page of 3 of 2: %v", err)
	}
	if err := client.CheckPage("/l", 2, 2); err != nil {
		t.Fatal(err)
	}
	prev := uint64(4)
	if err := client.CheckListed("/l", true, 5, &prev); err != nil || prev != 5 {
		t.Fatalf("in order: %v, prev %d", err, prev)
	}
	for name, tc := range map[string]struct {
		match bool
		id    uint64
	}{"not matching": {false, 9}, "repeated": {true, 5}, "before the cursor": {true, 3}} {
		if err := client.CheckListed("/l", tc.match, tc.id, &prev); !errors.Is(err, client.ErrVerification) || prev != 5 {
			t.Errorf("%s: %v, prev %d", name, err, prev)
		}
	}
}

func TestListQueries(t *testing.T) {
	f := liveNode(t)
	c := clienttest.NewClient(t, f)
	ctx := context.Background()

	page := new(wrapperspb.StringValue)
	h, err := c.QueryProtoAt(ctx, "/"+testStore+"/echo/x", 2, page)
	if err != nil || h != 2 || page.Value != "x" {
		t.Fatalf("QueryProtoAt(2) = %d %v, %v", h, page, err)
	}
	if h, err := c.QueryProtoAt(ctx, "/"+testStore+"/echo/x", 0, page); err != nil || h < 3 {
		t.Fatalf("QueryProtoAt(latest) = %d, %v", h, err)
	}

	p, err := c.ProveListed(ctx, testStore, keyA, h, "record a", wrapperspb.String("alpha"))
	if err != nil || p.Height != h || !p.Present() {
		t.Fatalf("ProveListed = %+v, %v", p, err)
	}
	f.CheckProven(t, p)
	if _, err := c.ProveListed(ctx, testStore, keyA, h, "record a", wrapperspb.String("beta")); !errors.Is(err, client.ErrVerification) {
		t.Fatalf("an altered record: %v", err)
	}
	if _, err := c.ProveListed(ctx, testStore, keyB, h, "record b", wrapperspb.String("beta")); !errors.Is(err, client.ErrVerification) {
		t.Fatalf("an invented record: %v", err)
	}
}
