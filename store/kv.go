package store

import (
	"bytes"
	"sort"
)

// Reader reads one module's state. A nil value means absent. Reads of a
// store that cannot be read (disk failure, corruption) panic: the node must
// stop rather than compute a different result from its peers.
type Reader interface {
	Get(key []byte) []byte
}

// Empty is a Reader of an empty store.
var Empty Reader = empty{}

type empty struct{}

func (empty) Get([]byte) []byte { return nil }

// KV is one module's state as state-machine code sees it.
type KV interface {
	Reader
	// Set stores value under key; both must be non-empty and are retained,
	// so callers must not modify them afterwards.
	Set(key, value []byte)
	Delete(key []byte)
}

// Overlay buffers writes over a Reader. Reads see the overlay's own writes
// first. It is not safe for concurrent use.
type Overlay struct {
	parent Reader
	writes map[string][]byte // nil value: deleted
}

// NewOverlay returns an empty overlay over parent.
func NewOverlay(parent Reader) *Overlay {
	return &Overlay{parent: parent, writes: make(map[string][]byte)}
}

// Get implements Reader.
func (o *Overlay) Get(key []byte) []byte {
	if v, ok := o.writes[string(key)]; ok {
		return v
	}
	return o.parent.Get(key)
}

// Set implements KV.
func (o *Overlay) Set(key, value []byte) {
	if len(key) == 0 || value == nil {
		panic("store: Set with an empty key or nil value")
	}
	o.writes[string(key)] = value
}

// Delete implements KV.
func (o *Overlay) Delete(key []byte) { o.writes[string(key)] = nil }

// Len returns the number of keys written or deleted.
func (o *Overlay) Len() int { return len(o.writes) }

// Write is one buffered write in key order; a nil Value is a deletion.
type Write struct {
	Key, Value []byte
}

// Writes returns the buffered writes sorted by key.
func (o *Overlay) Writes() []Write {
	out := make([]Write, 0, len(o.writes))
	for k, v := range o.writes { // nolint:determinism: sorted below
		out = append(out, Write{Key: []byte(k), Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i].Key, out[j].Key) < 0 })
	return out
}

// WriteTo applies the buffered writes to kv in key order.
func (o *Overlay) WriteTo(kv KV) {
	for _, w := range o.Writes() {
		if w.Value == nil {
			kv.Delete(w.Key)
		} else {
			kv.Set(w.Key, w.Value)
		}
	}
}

// Branch is a set of overlays, one per store, over a set of parents: the
// unit of state a block, a transaction or the mempool check works on.
type Branch struct {
	names    []string
	overlays []*Overlay
}

// NewBranch returns a Branch over parents, which must have one Reader per
// name in the same order.
func NewBranch(names []string, parents []Reader) *Branch {
	if len(names) != len(parents) {
		panic("store: NewBranch with mismatched names and parents")
	}
	b := &Branch{names: names, overlays: make([]*Overlay, len(names))}
	for i, p := range parents {
		b.overlays[i] = NewOverlay(p)
	}
	return b
}

// KV returns the named store. It panics on an unknown name: module wiring is
// static, so that is a programming error.
func (b *Branch) KV(name string) KV {
	for i, n := range b.names {
		if n == name {
			return b.overlays[i]
		}
	}
	panic("store: no store named " + name)
}

// Branch returns a child branch whose reads fall through to b. Write merges
// the child into b; dropping the child discards it.
func (b *Branch) Branch() *Branch {
	parents := make([]Reader, len(b.overlays))
	for i, o := range b.overlays {
		parents[i] = o
	}
	return NewBranch(b.names, parents)
}

// WriteTo applies every store's writes to the matching KV of dst, in key
// order.
func (b *Branch) WriteTo(dst func(name string) KV) {
	for i, o := range b.overlays {
		if o.Len() > 0 {
			o.WriteTo(dst(b.names[i]))
		}
	}
}

// Merge writes the child branch c (made by b.Branch) into b.
func (b *Branch) Merge(c *Branch) {
	for i, o := range c.overlays {
		for k, v := range o.writes { // nolint:determinism: map-to-map copy, order-free
			b.overlays[i].writes[k] = v
		}
	}
}

// Overlay returns the overlay of the named store.
func (b *Branch) Overlay(name string) *Overlay { return b.KV(name).(*Overlay) }
