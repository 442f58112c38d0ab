package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/clienttest"
	"github.com/ledgerd/ledgerd/store"
)

func TestVerifiedRange(t *testing.T) {
	f := newNode(t)
	for _, k := range []string{"p/a", "p/b", "p/c", "q"} {
		f.Set(testStore, []byte(k), []byte("v"+k))
	}
	f.Produce(2)
	f.StartBlocks(10e6)
	ctx := context.Background()
	c := clienttest.NewClient(t, f)

	keys := func(r *client.ProvenRange) string {
		var b bytes.Buffer
		for _, kv := range r.Pairs {
			fmt.Fprintf(&b, "%s=%s ", string(kv.Key), string(kv.Value))
		}
		return b.String()
	}
	prefix := []byte("p/")
	r, err := c.VerifiedRange(ctx, testStore, prefix, store.PrefixEnd(prefix), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(r); got != "p/a=vp/a p/b=vp/b p/c=vp/c " || !r.Complete {
		t.Fatalf("range = %q, complete %v", got, r.Complete)
	}
	// Paged: two, then the rest from Next.
	r, err = c.VerifiedRange(ctx, testStore, prefix, store.PrefixEnd(prefix), r.Height, 2)
	if err != nil || keys(r) != "p/a=vp/a p/b=vp/b " || r.Complete {
		t.Fatalf("first page: %q complete %v, %v", keys(r), r.Complete, err)
	}
	r, err = c.VerifiedRange(ctx, testStore, r.Next, store.PrefixEnd(prefix), r.Height, 2)
	if err != nil || keys(r) != "p/c=vp/c " || !r.Complete {
		t.Fatalf("second page: %q complete %v, %v", keys(r), r.Complete, err)
	}
	// An empty range, and one running off the end of the store.
	if r, err = c.VerifiedRange(ctx, testStore, []byte("p/d"), []byte("p/z"), 0, 0); err != nil || len(r.Pairs) != 0 || !r.Complete {
		t.Fatalf("empty range: %q, %v", keys(r), err)
	}
	if r, err = c.VerifiedRange(ctx, testStore, []byte("q"), nil, 0, 0); err != nil || keys(r) != "q=vq " || !r.Complete {
		t.Fatalf("to the end: %q, %v", keys(r), err)
	}

	// A node that hides p/b answers the probe after p/a with the proof of
	// the probe after p/b (absent, neighbours p/b and p/c): refused.
	afterB := f.Query(client.StorePath(testStore), []byte("p/b\x00"), 0, true)
	f.SetTamper(func(q *abci.ResponseQuery) {
		if bytes.Equal(q.Key, []byte("p/a\x00")) {
			q.Value, q.ProofOps = nil, afterB.ProofOps
		}
	})
	if r, err := c.VerifiedRange(ctx, testStore, prefix, store.PrefixEnd(prefix), 0, 0); !errors.Is(err, client.ErrVerification) {
		t.Fatalf("a range with p/b hidden was accepted: %q, %v", keys(r), err)
	}
}
