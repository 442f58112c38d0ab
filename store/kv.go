package store

import (
	"bytes"
	"slices"
	"sort"
)

// Reader reads one module's state. A nil value means absent. Reads of a
// store that cannot be read (disk failure, corruption) panic: the node must
// stop rather than compute a different result from its peers.
type Reader interface {
	Get(key []byte) []byte
	// Iterator walks the keys in [start, end) in order, descending if
	// reverse; a nil bound is unbounded. See Iterator.
	Iterator(start, end []byte, reverse bool) Iterator
}

// Empty is a Reader of an empty store.
var Empty Reader = empty{}

// EmptyReaders returns n readers of empty stores: the parents of a branch
// written on an empty state, such as a genesis.
func EmptyReaders(n int) []Reader {
	r := make([]Reader, n)
	for i := range r {
		r[i] = Empty
	}
	return r
}

type empty struct{}

func (empty) Get([]byte) []byte                      { return nil }
func (empty) Iterator([]byte, []byte, bool) Iterator { return emptyIterator{} }

// KV is one module's state as state-machine code sees it.
type KV interface {
	Reader
	// Set stores value under key; both must be non-empty and are retained,
	// so callers must not modify them afterwards.
	Set(key, value []byte)
	Delete(key []byte)
}

// Overlay buffers writes over a Reader. Reads and iterators see the
// overlay's own writes first. It is not safe for concurrent use.
type Overlay struct {
	parent Reader
	// writes is made at the first write: most of a transaction's
	// overlays (one per store) are never written.
	writes map[string][]byte // nil value: deleted
	// sorted are the written keys in order, up to date but for added,
	// the keys first written since the last iterator (merged in lazily,
	// so that writes stay O(1) and iterators cost what changed).
	sorted []string
	added  []string
}

// NewOverlay returns an empty overlay over parent.
func NewOverlay(parent Reader) *Overlay {
	return &Overlay{parent: parent}
}

// put records a write (nil value: a deletion).
func (o *Overlay) put(key string, value []byte) {
	if o.writes == nil {
		o.writes = make(map[string][]byte)
	}
	if _, seen := o.writes[key]; !seen {
		o.added = append(o.added, key)
	}
	o.writes[key] = value
}

// maxReusedWrites is the most writes an overlay's map may have held for
// reset to clear it rather than drop it: clearing costs what the map
// grew to, and a transaction that wrote thousands of keys should not tax
// every transaction after it.
const maxReusedWrites = 64

// reset empties o over the same parent, keeping the memory of its writes
// where that is small.
func (o *Overlay) reset() {
	if len(o.writes) > maxReusedWrites {
		o.writes, o.sorted, o.added = nil, nil, nil
		return
	}
	o.empty()
}

// empty drops o's writes, keeping the memory they took.
func (o *Overlay) empty() {
	clear(o.writes)
	clear(o.sorted)
	clear(o.added)
	o.sorted, o.added = o.sorted[:0], o.added[:0]
}

// Iterator implements Reader: the overlay's writes in [start, end) merged
// over the parent's keys. The writes in range are copied when it is made.
func (o *Overlay) Iterator(start, end []byte, reverse bool) Iterator {
	if len(o.added) > 0 {
		sort.Strings(o.added)
		o.sorted = mergeSorted(o.sorted, o.added)
		o.added = nil
	}
	lo := 0
	if start != nil {
		lo = sort.SearchStrings(o.sorted, string(start))
	}
	hi := len(o.sorted)
	if end != nil {
		hi = sort.SearchStrings(o.sorted, string(end))
	}
	var top []Write
	if lo < hi {
		top = make([]Write, 0, hi-lo)
		for _, k := range o.sorted[lo:hi] {
			top = append(top, Write{Key: []byte(k), Value: o.writes[k]})
		}
		if reverse {
			slices.Reverse(top)
		}
	}
	parent := o.parent.Iterator(start, end, reverse)
	if len(top) == 0 {
		return parent
	}
	return newMergeIterator(top, parent, reverse)
}

// mergeSorted merges two sorted lists of distinct keys.
func mergeSorted(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if a[i] < b[j] {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
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
	o.put(string(key), value)
}

// Delete implements KV.
func (o *Overlay) Delete(key []byte) { o.put(string(key), nil) }

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

// sortedWriter is a KV that applies a list of writes in key order itself
// (treeKV: it hashes behind them).
type sortedWriter interface {
	writeSorted([]Write)
}

// WriteTo applies the buffered writes to kv in key order.
func (o *Overlay) WriteTo(kv KV) {
	if sw, ok := kv.(sortedWriter); ok {
		sw.writeSorted(o.Writes())
		return
	}
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
	// spare is a child handed back by Recycle, which the next Branch
	// returns emptied instead of allocating one: a block makes a child
	// per transaction.
	spare *Branch
}

// NewBranch returns a Branch over parents, which must have one Reader per
// name in the same order.
func NewBranch(names []string, parents []Reader) *Branch {
	if len(names) != len(parents) {
		panic("store: NewBranch with mismatched names and parents")
	}
	b := &Branch{names: names, overlays: make([]*Overlay, len(names))}
	// One allocation for all the overlays: a branch is made per
	// transaction.
	backing := make([]Overlay, len(names))
	for i, p := range parents {
		backing[i].parent = p
		b.overlays[i] = &backing[i]
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
//
// A child that b.Recycle took back is reused, with the memory its
// overlays' writes had.
func (b *Branch) Branch() *Branch {
	if c := b.spare; c != nil {
		b.spare = nil
		return c
	}
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
			b.overlays[i].put(k, v)
		}
	}
}

// Reset empties b and puts it over parents (one per name, as NewBranch),
// keeping the memory its overlays' writes had however much they wrote:
// for a branch made afresh for each block, whose writes regrow to the
// same size every time. Nothing read through b before may be used after.
func (b *Branch) Reset(parents []Reader) {
	if len(parents) != len(b.overlays) {
		panic("store: Branch.Reset with mismatched parents")
	}
	for i, o := range b.overlays {
		o.empty()
		o.parent = parents[i]
	}
	b.spare = nil
}

// Recycle takes back c, a child made by b.Branch that is done with,
// merged or dropped, so that b's next Branch reuses it emptied. Neither c
// nor anything read through it (its KVs, their iterators) may be used
// after; the values written to it may, since Merge hands them on.
func (b *Branch) Recycle(c *Branch) {
	for _, o := range c.overlays {
		o.reset()
	}
	b.spare = c
}

// Overlay returns the overlay of the named store.
func (b *Branch) Overlay(name string) *Overlay { return b.KV(name).(*Overlay) }
