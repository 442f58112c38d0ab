package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ledgerd/ledgerd/store"
)

// ProvenReads is the state at one height read through proofs: every key
// read through its readers is proven with Verified, and every range walked
// with VerifiedRange, so that state machine code (a module's views and
// rules, such as x/gov's tally or the chain parameters) runs on the client
// over proven records only instead of taking the node's word for its
// result.
//
// A key is proven once and then served from memory. The first failure is
// kept (Err) and every later read returns nothing, so whatever the code
// computed is garbage once Err is set: run the code with Run, or check Err
// before using its result. It is not safe for concurrent use.
type ProvenReads struct {
	ctx    context.Context
	c      *Client
	height int64
	values map[string][]byte // by store name and key; nil: proven absent
	proofs []*Proven
	err    error
}

// ProvenReader returns proven reads of the state at height. Height 0 is
// the height the node answers the first read at; every later read is
// proven at that same height, so that the code sees one consistent state.
func (c *Client) ProvenReader(ctx context.Context, height int64) *ProvenReads {
	return &ProvenReads{ctx: ctx, c: c, height: height, values: map[string][]byte{}}
}

// Reader returns a store.Reader of the named store whose reads are
// proven. Get returns the proven value (nil: proven absent). Iterator
// proves every key in [start, end) and that there is no other; reverse
// iteration cannot be proven and fails (recorded in Err).
func (r *ProvenReads) Reader(storeName string) store.Reader { return provenReader{r, storeName} }

// Height is the height of the state read: the one given, or, for 0, the
// one the node answered the first read at (0 before any read).
func (r *ProvenReads) Height() int64 { return r.height }

// Time is the time of the header the reads were proven against (that of
// the block after the state's height, which carries its app hash): the
// clock of the state, for code that asks for its block's time. Zero before
// the first read.
func (r *ProvenReads) Time() time.Time {
	if len(r.proofs) == 0 {
		return time.Time{}
	}
	return r.proofs[0].HeaderTime
}

// Proofs are the proofs of every read so far, in the order of the reads
// (a range walk adds one per probe).
func (r *ProvenReads) Proofs() []*Proven { return r.proofs }

// Err is the first failure of a read, nil if every read was proven.
func (r *ProvenReads) Err() error { return r.err }

// Run runs fn, which reads through r's readers, and returns the first
// failure: Err if a read failed, else an error wrapping ErrVerification if
// fn panicked. The state machine's decoders panic on a record that does not
// decode, which in proven state means that the chain stored garbage.
func (r *ProvenReads) Run(fn func()) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if err = r.err; err == nil {
				err = fmt.Errorf("client: a proven record does not decode (%v): %w", p, ErrVerification)
			}
		}
	}()
	fn()
	return r.err
}

// errReverseProven is what a proven reader's reverse iterator fails with.
var errReverseProven = errors.New("client: proven reads cannot iterate in reverse: a proof of absence names the key after a probe, but there is no largest key before an existing one to probe")

type provenReader struct {
	r         *ProvenReads
	storeName string
}

// Get returns the proven value of key (nil: proven absent, or a failure
// recorded in err).
func (pr provenReader) Get(key []byte) []byte {
	r := pr.r
	if r.err != nil {
		return nil
	}
	k := pr.storeName + "/" + string(key)
	if v, ok := r.values[k]; ok {
		return v
	}
	p, err := r.c.Verified(r.ctx, pr.storeName, key, r.height)
	if err != nil {
		r.err = err
		return nil
	}
	r.height = p.Height
	r.values[k] = p.Value
	r.proofs = append(r.proofs, p)
	return p.Value
}

// Iterator proves every key in [start, end) and that there is no other
// (VerifiedRange), so state machine code that walks a range runs over a
// provably complete one. Reverse iteration fails (recorded in err).
func (pr provenReader) Iterator(start, end []byte, reverse bool) store.Iterator {
	r := pr.r
	if r.err != nil {
		return store.SliceIterator(nil)
	}
	if reverse {
		r.err = errReverseProven
		return store.SliceIterator(nil)
	}
	rng, err := r.c.VerifiedRange(r.ctx, pr.storeName, start, end, r.height, 0)
	if err != nil {
		r.err = err
		return store.SliceIterator(nil)
	}
	r.height = rng.Height
	r.proofs = append(r.proofs, rng.Proofs...)
	pairs := make([]store.Write, len(rng.Pairs))
	for i, kv := range rng.Pairs {
		pairs[i] = store.Write{Key: kv.Key, Value: kv.Value}
		r.values[pr.storeName+"/"+string(kv.Key)] = kv.Value
	}
	return store.SliceIterator(pairs)
}
