package verifier

import (
	"context"
	"fmt"

	"github.com/ledgerd/ledgerd/client/provenreads"
	"github.com/ledgerd/ledgerd/store"
)

// maxProvenRange bounds the keys of one range a module's code walks over
// proven reads (each costs a proof).
const maxProvenRange = 10000

// provenStores is the state at height (0: the newest whose app hash is in
// a header the node has) read through Read and rangeFrom: a module.Stores
// over which the console runs a module's own query code, as the CLI's
// --prove runs it over client.ProvenReads, so that the page's figures are
// the CLI's by construction. Reads of private stores are signed with the
// loaded key. Run the code with its Run; Mark is what the reads were
// proven against.
type provenStores struct {
	*provenreads.Reads
	p *storesProver
}

func (v *Verifier) provenStores(ctx context.Context, height int64) provenStores {
	p := &storesProver{v: v}
	return provenStores{Reads: provenreads.New(ctx, p, height, ErrNotVerified), p: p}
}

// Mark is the mark of the first read (every read is at its height and
// proven against the same header); the zero Mark before any.
func (s provenStores) Mark() Mark { return s.p.mark }

// storesProver proves provenStores' reads.
type storesProver struct {
	v    *Verifier
	mark Mark
	read bool
}

func (p *storesProver) at(m Mark) provenreads.At {
	if !p.read {
		p.mark, p.read = m, true
	}
	return provenreads.At{Height: m.Height, HeaderTime: m.HeaderTime}
}

func (p *storesProver) Get(ctx context.Context, storeName string, key []byte, height int64) ([]byte, provenreads.At, error) {
	value, mark, err := p.v.Read(ctx, storeName, key, height)
	if err != nil {
		return nil, provenreads.At{}, err
	}
	return value, p.at(mark), nil
}

func (p *storesProver) Range(ctx context.Context, storeName string, start, end []byte, height int64) ([]store.Write, provenreads.At, error) {
	if len(start) == 0 {
		start = []byte{0} // the smallest key a store can hold: keys are never empty
	}
	pairs, mark, complete, err := p.v.rangeFrom(ctx, storeName, start, nil, end, height, maxProvenRange)
	if err != nil {
		return nil, provenreads.At{}, err
	}
	if !complete {
		return nil, provenreads.At{}, fmt.Errorf("store %s: more than %d keys from %X", storeName, maxProvenRange, start)
	}
	out := make([]store.Write, len(pairs))
	for i, kv := range pairs {
		out[i] = store.Write{Key: kv.key, Value: kv.value}
	}
	return out, p.at(mark), nil
}
