package client

import (
	"bytes"
	"context"
	"fmt"
)

// ProvenRange is every key of a store in a range at one height, proven
// present, and proven to be all of them.
type ProvenRange struct {
	Store      string
	Start, End []byte
	Height     int64
	// Pairs are the keys in [Start, End) in ascending order with their
	// values.
	Pairs []KeyValue
	// Proofs prove the walk: each either proves a key present, or proves
	// a probe absent together with its neighbours, the next key after it.
	Proofs []*Proven
	// Complete is false when the walk stopped at the limit; Next is then
	// the key to continue from (the start of the next page).
	Complete bool
	Next     []byte
}

// VerifiedRange proves, at height (0 = latest), every key of storeName in
// [start, end) (a nil end is the end of the store) and that there is no
// other, at most limit keys (limit <= 0: no limit).
//
// It walks the IAVL tree with single-key proofs: a probe at start, and after
// each key k found a probe at k followed by a zero byte, the smallest key
// greater than k. A probe either proves its key present, or proves it
// absent together with the adjacent keys on either side, so the next key
// in the store after the probe is proven, and nothing lies between the two.
// A node cannot hide a key in the range without failing a proof. It costs
// one verified query per key, plus one.
func (c *Client) VerifiedRange(ctx context.Context, storeName string, start, end []byte, height int64, limit int) (*ProvenRange, error) {
	if end != nil && bytes.Compare(start, end) >= 0 {
		return nil, fmt.Errorf("client: verified range of %q: start %X is not before end %X", storeName, start, end)
	}
	out := &ProvenRange{Store: storeName, Start: bytes.Clone(start), End: bytes.Clone(end), Height: height}
	probe := start
	if len(probe) == 0 {
		probe = []byte{0} // the smallest key a store can hold: keys are never empty
	}
	for {
		if limit > 0 && len(out.Pairs) == limit {
			out.Next = probe
			return out, nil
		}
		p, err := c.Verified(ctx, storeName, probe, out.Height)
		if err != nil {
			return nil, err
		}
		out.Height = p.Height
		out.Proofs = append(out.Proofs, p)
		var key, value []byte
		switch {
		case p.Value != nil:
			key, value = p.Key, p.Value
		case p.After != nil:
			key, value = p.After.Key, p.After.Value
			if bytes.Compare(key, probe) <= 0 {
				return nil, fmt.Errorf("client: verified range of %q: the key after %X is proven to be %X, not greater: %w", storeName, probe, key, ErrVerification)
			}
		default:
			out.Complete = true // nothing after the probe in the store
			return out, nil
		}
		if end != nil && bytes.Compare(key, end) >= 0 {
			out.Complete = true
			return out, nil
		}
		out.Pairs = append(out.Pairs, KeyValue{Key: bytes.Clone(key), Value: bytes.Clone(value)})
		probe = append(bytes.Clone(key), 0)
	}
}
