// Package index keeps the index ranges of a private store bracketed, so
// that a reader allowed one range (a borrower's cases, a subject's loans)
// proves it complete without learning a key outside it.
//
// An index range is every key prefix | id, where id is a fixed number of
// bytes (an 8-byte big-endian id, or a time and an id). A proven walk of a
// range (client.VerifiedRange) probes keys one after another; a probe that
// is absent is proven absent with the keys on either side of it, which the
// proof shows, key and value. Next to an unbracketed range those are
// another party's keys (the next borrower's index), which a private
// store's read rule rightly refuses to show. So the first write into a
// range also writes its two marks, the smallest and the largest key it
// can hold (id all zero bytes, id all 0xff bytes), which stay: every probe
// of a walk from the opening mark to the closing one is then proven with
// the range's own keys only, and an emptied range stays provably empty.
// The marks are not entries: Each skips them.
//
// Deterministic; no state of its own.
package index

import (
	"bytes"
	"encoding/binary"

	"github.com/ledgerd/ledgerd/store"
)

// Mark is the value of an index key: one byte, not empty, because ICS23
// cannot prove a key with an empty value, nor the absence of a key next to
// one.
var Mark = []byte{1}

// Range is an index range: the keys prefix | id with ids of IDLen bytes.
type Range struct {
	Prefix []byte
	IDLen  int
}

// Of is the range of prefix with 8-byte ids.
func Of(prefix []byte) Range { return Range{Prefix: prefix, IDLen: 8} }

// Open is the range's opening mark: its smallest key.
func (r Range) Open() []byte { return append(bytes.Clone(r.Prefix), make([]byte, r.IDLen)...) }

// Close is the range's closing mark: its largest key.
func (r Range) Close() []byte {
	return append(bytes.Clone(r.Prefix), bytes.Repeat([]byte{0xff}, r.IDLen)...)
}

// After is where a page of an Of range after id starts (for Each): nil,
// the range's beginning, for 0; else the key of id+1 (the closing mark,
// where nothing follows, for the largest ids).
func (r Range) After(id uint64) []byte {
	if id == 0 {
		return nil
	}
	return binary.BigEndian.AppendUint64(bytes.Clone(r.Prefix), min(id, ^uint64(0)-1)+1)
}

// IsMark reports whether key is one of the range's marks.
func (r Range) IsMark(key []byte) bool {
	return bytes.Equal(key, r.Open()) || bytes.Equal(key, r.Close())
}

// Bracket writes the range's marks unless it has them. Call it before the
// first entry is written (Add does).
func (r Range) Bracket(kv store.KV) {
	if kv.Get(r.Open()) == nil {
		kv.Set(r.Open(), Mark)
		kv.Set(r.Close(), Mark)
	}
}

// Add brackets the range and sets the entry key (which must be in it).
func (r Range) Add(kv store.KV, key []byte) {
	r.Bracket(kv)
	kv.Set(key, Mark)
}

// Each calls fn for the range's entries from start (nil: the range's
// beginning) in ascending order, without its marks, until fn returns
// false. It iterates up to the closing mark (excluded), so that a proven
// walk of it ends on that mark.
func (r Range) Each(rd store.Reader, start []byte, fn func(key, value []byte) bool) {
	if start == nil {
		start = r.Open()
	}
	open := r.Open()
	store.Each(rd, start, r.Close(), false, func(k, v []byte) bool {
		if bytes.Equal(k, open) {
			return true
		}
		return fn(k, v)
	})
}
