package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/clienttest"
	"github.com/ledgerd/ledgerd/store"
)

// TestProvenReader runs code over proven reads: every read proven at the
// height of the first, a key proven once, ranges proven complete.
func TestProvenReader(t *testing.T) {
	f := liveNode(t)
	for _, k := range []string{"r/1", "r/2", "r/3"} {
		f.Set(testStore, []byte(k), []byte("v"+k))
	}
	f.Produce(1)
	c := clienttest.NewClient(t, f)
	ctx := context.Background()

	reads := c.ProvenReader(ctx, 0)
	var got []string
	var params, again []byte
	err := reads.Run(func() {
		r := reads.Reader(testStore)
		params = r.Get(paramsKey)
		store.EachPrefix(r, []byte("r/"), false, func(k, v []byte) bool {
			got = append(got, fmt.Sprintf("%s=%s", k, v))
			return true
		})
		again = r.Get(paramsKey)
		if r.Get(keyB) != nil {
			t.Error("an absent key read as present")
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[r/1=vr/1 r/2=vr/2 r/3=vr/3]" || !bytes.Equal(params, again) || len(params) != 8 {
		t.Fatalf("read %v, params %x then %x", got, params, again)
	}
	// The parameters once, the range's four probes, the absent key.
	if n := len(reads.Proofs()); n != 6 {
		t.Fatalf("%d proofs, want 6", n)
	}
	for _, p := range reads.Proofs() {
		if p.Height != reads.Height() {
			t.Fatalf("a proof at height %d, the reads at %d", p.Height, reads.Height())
		}
		f.CheckProven(t, p)
	}

	// At a given height: before record a.
	reads = c.ProvenReader(ctx, 1)
	if err := reads.Run(func() {
		if reads.Reader(testStore).Get(keyA) != nil {
			t.Error("record a read at height 1")
		}
	}); err != nil || reads.Height() != 1 {
		t.Fatalf("height 1: %v, height %d", err, reads.Height())
	}

	// Reverse iteration cannot be proven.
	reads = c.ProvenReader(ctx, 0)
	if err := reads.Run(func() { reads.Reader(testStore).Iterator(nil, nil, true) }); err == nil || !strings.Contains(err.Error(), "reverse") {
		t.Fatalf("reverse iteration: %v", err)
	}

	// A read that fails its proof fails the run, and the reads after it
	// return nothing.
	f.SetTamper(func(q *abci.ResponseQuery) { q.Value = append(bytes.Clone(q.Value), 0) })
	reads = c.ProvenReader(ctx, 0)
	if err := reads.Run(func() {
		r := reads.Reader(testStore)
		r.Get(paramsKey)
		if r.Get(paramsKey) != nil {
			t.Error("a read after a failure returned a value")
		}
	}); !errors.Is(err, client.ErrVerification) || !errors.Is(reads.Err(), client.ErrVerification) {
		t.Fatalf("tampered read: %v", err)
	}
	f.SetTamper(nil)

	// Code that panics on what it read (a record that does not decode) is a
	// verification failure.
	reads = c.ProvenReader(ctx, 0)
	if err := reads.Run(func() { _ = reads.Reader(testStore).Get(keyB)[0] }); !errors.Is(err, client.ErrVerification) {
		t.Fatalf("panic: %v", err)
	}
}
