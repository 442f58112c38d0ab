package clienttest

import (
	"bytes"
	"testing"
	"time"

	"github.com/ledgerd/ledgerd/client"
)

// NewClient returns a client of f that polls every 5 ms and waits at most
// 5 s for a header (before opts), closed when the test ends.
func NewClient(t testing.TB, f *FakeNode, opts ...client.Option) *client.Client {
	t.Helper()
	c, err := client.New(f.URL(), append([]client.Option{client.WithPollInterval(5 * time.Millisecond), client.WithHeaderTimeout(5 * time.Second)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// CheckProven fails t unless p was checked against f's own header at
// p.Height+1: its hash, app hash and validators.
func (f *FakeNode) CheckProven(t testing.TB, p *client.Proven) {
	t.Helper()
	if p.HeaderHeight != p.Height+1 {
		t.Fatalf("header height %d for state height %d", p.HeaderHeight, p.Height)
	}
	hdr := f.Header(p.HeaderHeight)
	if !bytes.Equal(p.HeaderHash, hdr.Hash()) || !bytes.Equal(p.AppHash, hdr.AppHash) || !bytes.Equal(p.ValidatorsHash, hdr.ValidatorsHash) {
		t.Fatalf("proof is not against header %d", p.HeaderHeight)
	}
}
