package client

import (
	"context"

	"github.com/ledgerd/ledgerd/client/provenreads"
	"github.com/ledgerd/ledgerd/store"
)

// ProvenReads is the state at one height read through proofs: every key
// read through its readers is proven with Verified, and every range walked
// with VerifiedRange, so that state machine code (a module's views and
// rules, such as x/gov's tally or the chain parameters) runs on the client
// over proven records only instead of taking the node's word for its
// result. It is package provenreads' Reads (which the auditor console's
// verifier runs the same code over) with this client as the prover, and
// keeps every proof.
//
// A key is proven once and then served from memory. The first failure is
// kept (Err) and every later read returns nothing, so whatever the code
// computed is garbage once Err is set: run the code with Run (whose
// failure for a record that does not decode wraps ErrVerification), or
// check Err before using its result. It is not safe for concurrent use.
type ProvenReads struct {
	*provenreads.Reads
	p *prover
}

// ProvenReader returns proven reads of the state at height. Height 0 is
// the height the node answers the first read at; every later read is
// proven at that same height, so that the code sees one consistent state.
func (c *Client) ProvenReader(ctx context.Context, height int64) *ProvenReads {
	p := &prover{c: c}
	return &ProvenReads{Reads: provenreads.New(ctx, p, height, ErrVerification), p: p}
}

// Proofs are the proofs of every read so far, in the order of the reads
// (a range walk adds one per probe).
func (r *ProvenReads) Proofs() []*Proven { return r.p.proofs }

// prover proves reads with Verified and VerifiedRange, keeping the proofs.
type prover struct {
	c      *Client
	proofs []*Proven
}

func (p *prover) Get(ctx context.Context, storeName string, key []byte, height int64) ([]byte, provenreads.At, error) {
	pr, err := p.c.Verified(ctx, storeName, key, height)
	if err != nil {
		return nil, provenreads.At{}, err
	}
	p.proofs = append(p.proofs, pr)
	return pr.Value, provenreads.At{Height: pr.Height, HeaderTime: pr.HeaderTime}, nil
}

func (p *prover) Range(ctx context.Context, storeName string, start, end []byte, height int64) ([]store.Write, provenreads.At, error) {
	rng, err := p.c.VerifiedRange(ctx, storeName, start, end, height, 0)
	if err != nil {
		return nil, provenreads.At{}, err
	}
	p.proofs = append(p.proofs, rng.Proofs...)
	pairs := make([]store.Write, len(rng.Pairs))
	for i, kv := range rng.Pairs {
		pairs[i] = store.Write{Key: kv.Key, Value: kv.Value}
	}
	at := provenreads.At{Height: rng.Height}
	if len(rng.Proofs) > 0 {
		at.HeaderTime = rng.Proofs[0].HeaderTime
	}
	return pairs, at, nil
}
