package store

import (
	"bytes"
	"fmt"
	"slices"
	"sort"

	corestore "cosmossdk.io/core/store"
)

// Iterator walks the keys of one store in [start, end) in ascending order,
// or descending for a reverse iterator, with their values. A new iterator
// is positioned at its first key. Keys and values it returns must not be
// modified. Close must be called when done (Each does it).
//
// An iterator sees the state of its store when it was made: writes made
// while it is open, to the store it iterates or to any store below it, may
// or may not be seen, so state-machine code that changes what it walks
// collects the keys first (Keys) and writes after. A store that cannot be
// read panics, as Get does.
type Iterator interface {
	Valid() bool
	Next()
	Key() []byte
	Value() []byte
	Close()
}

// Each calls fn for every key of r in [start, end), ascending (descending
// if reverse), until fn returns false. nil start and end are unbounded.
func Each(r Reader, start, end []byte, reverse bool, fn func(key, value []byte) bool) {
	it := r.Iterator(start, end, reverse)
	defer it.Close()
	for ; it.Valid(); it.Next() {
		if !fn(it.Key(), it.Value()) {
			return
		}
	}
}

// EachPrefix calls fn for every key of r with prefix, ascending (or
// descending), until fn returns false.
func EachPrefix(r Reader, prefix []byte, reverse bool, fn func(key, value []byte) bool) {
	Each(r, prefix, PrefixEnd(prefix), reverse, fn)
}

// Keys returns up to limit keys of r in [start, end) in order (copies, so
// the caller may write to r while using them); limit <= 0 means all.
func Keys(r Reader, start, end []byte, reverse bool, limit int) [][]byte {
	var out [][]byte
	Each(r, start, end, reverse, func(k, _ []byte) bool {
		out = append(out, bytes.Clone(k))
		return limit <= 0 || len(out) < limit
	})
	return out
}

// First returns the first key of r in [start, end) and its value, or
// false if there is none.
func First(r Reader, start, end []byte) (key, value []byte, ok bool) {
	Each(r, start, end, false, func(k, v []byte) bool {
		key, value, ok = k, v, true
		return false
	})
	return key, value, ok
}

// PrefixEnd returns the smallest key greater than every key with prefix,
// or nil (unbounded) if there is none.
func PrefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// inRange reports whether key is in [start, end).
func inRange(key, start, end []byte) bool {
	return (start == nil || bytes.Compare(key, start) >= 0) && (end == nil || bytes.Compare(key, end) < 0)
}

// emptyIterator is an iterator with no keys.
type emptyIterator struct{}

func (emptyIterator) Valid() bool   { return false }
func (emptyIterator) Next()         { panic("store: Next on an exhausted iterator") }
func (emptyIterator) Key() []byte   { panic("store: Key on an exhausted iterator") }
func (emptyIterator) Value() []byte { panic("store: Value on an exhausted iterator") }
func (emptyIterator) Close()        {}

// SliceIterator iterates pairs that are already in order; readers that hold
// their keys in memory (tests, snapshots) build their Iterator with it.
func SliceIterator(pairs []Write) Iterator { return &sliceIterator{pairs: pairs} }

type sliceIterator struct {
	pairs []Write
	i     int
}

func (s *sliceIterator) Valid() bool   { return s.i < len(s.pairs) }
func (s *sliceIterator) Next()         { s.i++ }
func (s *sliceIterator) Key() []byte   { return s.pairs[s.i].Key }
func (s *sliceIterator) Value() []byte { return s.pairs[s.i].Value }
func (s *sliceIterator) Close()        {}

// SortedIterator returns an iterator over the pairs of m in [start, end),
// for readers that keep their state in a map.
func SortedIterator(m map[string][]byte, start, end []byte, reverse bool) Iterator {
	pairs := make([]Write, 0, len(m))
	for k, v := range m { // nolint:determinism: sorted below
		if v != nil && inRange([]byte(k), start, end) {
			pairs = append(pairs, Write{Key: []byte(k), Value: v})
		}
	}
	sort.Slice(pairs, func(i, j int) bool { return bytes.Compare(pairs[i].Key, pairs[j].Key) < 0 })
	if reverse {
		slices.Reverse(pairs)
	}
	return SliceIterator(pairs)
}

// mergeIterator merges an overlay's writes (in order, nil values being
// deletions) over its parent's iterator: the overlay wins on equal keys and
// deleted keys are skipped.
type mergeIterator struct {
	top     []Write
	i       int
	parent  Iterator
	reverse bool
	// cur is where the current pair comes from: 0 top, 1 parent, -1 none.
	cur int
}

func newMergeIterator(top []Write, parent Iterator, reverse bool) *mergeIterator {
	m := &mergeIterator{top: top, parent: parent, reverse: reverse}
	m.settle()
	return m
}

// cmp orders keys in iteration order.
func (m *mergeIterator) cmp(a, b []byte) int {
	if m.reverse {
		return bytes.Compare(b, a)
	}
	return bytes.Compare(a, b)
}

// settle positions cur on the next pair to return, skipping deletions and
// parent keys the overlay shadows.
func (m *mergeIterator) settle() {
	for {
		topOK, parentOK := m.i < len(m.top), m.parent.Valid()
		switch {
		case !topOK && !parentOK:
			m.cur = -1
			return
		case !topOK:
			m.cur = 1
			return
		case parentOK && m.cmp(m.parent.Key(), m.top[m.i].Key) < 0:
			m.cur = 1
			return
		}
		// The overlay's key comes first or equals the parent's.
		if parentOK && bytes.Equal(m.parent.Key(), m.top[m.i].Key) {
			m.parent.Next()
		}
		if m.top[m.i].Value != nil {
			m.cur = 0
			return
		}
		m.i++ // deleted in the overlay
	}
}

func (m *mergeIterator) Valid() bool { return m.cur >= 0 }

func (m *mergeIterator) Next() {
	switch m.cur {
	case 0:
		m.i++
	case 1:
		m.parent.Next()
	default:
		panic("store: Next on an exhausted iterator")
	}
	m.settle()
}

func (m *mergeIterator) Key() []byte {
	if m.cur == 0 {
		return m.top[m.i].Key
	}
	return m.parent.Key()
}

func (m *mergeIterator) Value() []byte {
	if m.cur == 0 {
		return m.top[m.i].Value
	}
	return m.parent.Value()
}

func (m *mergeIterator) Close() { m.parent.Close() }

// treeIterator adapts an IAVL iterator; a read error panics, as Get does,
// since the node cannot compute the same result as its peers without it.
type treeIterator struct{ it corestore.Iterator }

func newTreeIterator(it corestore.Iterator, err error) Iterator {
	if err != nil {
		panic(fmt.Sprintf("store: iterate failed, state unreadable: %v", err))
	}
	t := treeIterator{it}
	t.check()
	return t
}

func (t treeIterator) check() {
	if err := t.it.Error(); err != nil {
		panic(fmt.Sprintf("store: iterate failed, state unreadable: %v", err))
	}
}

func (t treeIterator) Valid() bool   { return t.it.Valid() }
func (t treeIterator) Next()         { t.it.Next(); t.check() }
func (t treeIterator) Key() []byte   { return t.it.Key() }
func (t treeIterator) Value() []byte { return t.it.Value() }
func (t treeIterator) Close() {
	if err := t.it.Close(); err != nil {
		panic(fmt.Sprintf("store: close iterator: %v", err))
	}
}
