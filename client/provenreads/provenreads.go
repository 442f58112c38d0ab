// Package provenreads runs state machine code over proven reads: a
// module.Stores whose every Get is a value or an absence proven against a
// verified header, and whose every range walk is proven complete, all at
// one height. A module's query handlers read through module.Stores only,
// so a client runs them over Reads to compute their answers itself rather
// than take a node's word for them.
//
// The proving is a Prover's: package client's (the CLI's, through
// CometBFT's RPC client) or the auditor console's verifier (in the
// browser). This package holds what both share, and builds for js/wasm.
package provenreads

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ledgerd/ledgerd/store"
)

// At says what a read was proven against: the state's height, and the
// time of the verified header that carries its app hash (the block after
// it).
type At struct {
	Height     int64
	HeaderTime time.Time
}

// Prover proves reads of a chain's state. Height 0 asks for the prover's
// choice of a recent height; a non-zero height must be the one proven.
// Failures wrap the prover's verification error when a proof fails.
type Prover interface {
	// Get proves key of storeName: its value, or nil if proven absent.
	Get(ctx context.Context, storeName string, key []byte, height int64) ([]byte, At, error)
	// Range proves every key of storeName in [start, end) (a nil end:
	// the end of the store) and that there is no other, ascending.
	Range(ctx context.Context, storeName string, start, end []byte, height int64) ([]store.Write, At, error)
}

// ErrReverse is what a reverse iterator of proven reads fails with.
var ErrReverse = errors.New("proven reads cannot iterate in reverse: a proof of absence names the key after a probe, but there is no largest key before an existing one to probe")

// Reads is the state at one height read through a Prover. A key is
// proven once and then served from memory. The first failure is kept
// (Err) and every later read returns nothing, so whatever code computed is
// garbage once Err is set: run the code with Run, or check Err before
// using its result. It is not safe for concurrent use.
type Reads struct {
	ctx     context.Context
	p       Prover
	invalid error
	at      At
	started bool              // a read was proven: at is its
	values  map[string][]byte // by store name and key; nil: proven absent
	err     error
}

// New returns proven reads of the state at height through p. Height 0 is
// the height the first read is proven at; every later read is proven at
// that same height, so that the code sees one consistent state. invalid is
// the error that Run's failure for a record that does not decode wraps
// (the prover's verification error).
func New(ctx context.Context, p Prover, height int64, invalid error) *Reads {
	return &Reads{ctx: ctx, p: p, invalid: invalid, at: At{Height: height}, values: map[string][]byte{}}
}

// Reader returns a store.Reader of the named store whose reads are
// proven. Get returns the proven value (nil: proven absent). Iterator
// proves every key in [start, end) and that there is no other; reverse
// iteration cannot be proven and fails (ErrReverse, recorded in Err).
func (r *Reads) Reader(storeName string) store.Reader { return reader{r, storeName} }

// Height is the height of the state read: the one given, or, for 0, the
// one the first read was proven at (0 before any read).
func (r *Reads) Height() int64 { return r.at.Height }

// Time is the time of the header the reads were proven against (that of
// the block after the state's height, which carries its app hash): the
// clock of the state, for code that asks for its block's time. Zero before
// the first read.
func (r *Reads) Time() time.Time { return r.at.HeaderTime }

// Err is the first failure of a read, nil if every read was proven.
func (r *Reads) Err() error { return r.err }

// Run runs fn, which reads through r's readers, and returns the first
// failure: Err if a read failed, else an error wrapping the verification
// error New was given if fn panicked. The state machine's decoders panic
// on a record that does not decode, which in proven state means that the
// chain stored garbage.
func (r *Reads) Run(fn func()) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if err = r.err; err == nil {
				err = fmt.Errorf("a proven record does not decode (%v): %w", p, r.invalid)
			}
		}
	}()
	fn()
	return r.err
}

// proven records a read's height and header time, or its failure.
func (r *Reads) proven(at At, err error) bool {
	if err != nil {
		r.err = err
		return false
	}
	if !r.started {
		r.at, r.started = at, true
	}
	return true
}

type reader struct {
	r         *Reads
	storeName string
}

// Get returns the proven value of key (nil: proven absent, or a failure
// recorded in Err).
func (pr reader) Get(key []byte) []byte {
	r := pr.r
	if r.err != nil {
		return nil
	}
	k := pr.storeName + "/" + string(key)
	if v, ok := r.values[k]; ok {
		return v
	}
	v, at, err := r.p.Get(r.ctx, pr.storeName, key, r.at.Height)
	if !r.proven(at, err) {
		return nil
	}
	r.values[k] = v
	return v
}

// Iterator proves every key in [start, end) and that there is no other,
// so state machine code that walks a range runs over a provably complete
// one. Reverse iteration fails (recorded in Err).
func (pr reader) Iterator(start, end []byte, reverse bool) store.Iterator {
	r := pr.r
	if r.err != nil {
		return store.SliceIterator(nil)
	}
	if reverse {
		r.err = ErrReverse
		return store.SliceIterator(nil)
	}
	pairs, at, err := r.p.Range(r.ctx, pr.storeName, start, end, r.at.Height)
	if !r.proven(at, err) {
		return store.SliceIterator(nil)
	}
	for _, kv := range pairs {
		r.values[pr.storeName+"/"+string(kv.Key)] = kv.Value
	}
	return store.SliceIterator(pairs)
}
