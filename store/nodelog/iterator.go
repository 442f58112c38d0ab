package nodelog

import (
	"bytes"
	"fmt"
	"slices"
	"sort"

	corestore "cosmossdk.io/core/store"
)

// Iterator returns an iterator over the keys in [start, end), ascending.
// A nil start begins at the first key and a nil end goes to the last; an
// empty bound is an error, and start >= end an empty domain.
func (l *Log) Iterator(start, end []byte) (corestore.Iterator, error) {
	return l.newIterator(start, end, false)
}

// ReverseIterator is Iterator in descending order.
func (l *Log) ReverseIterator(start, end []byte) (corestore.Iterator, error) {
	return l.newIterator(start, end, true)
}

// iterator walks the index lazily: the versions of each tree in its
// domain are listed when it is made, and each step finds the next record
// under the read lock. It is not safe for concurrent use.
type iterator struct {
	l          *Log
	start, end []byte
	reverse    bool

	trees []treeVersions // in iteration order
	ti    int            // current tree
	vi    int            // current version of trees[ti]
	// entered is set once the iterator is inside the current version;
	// nonce is the nonce to look at next there, in iteration order. The
	// position is a nonce, not a slot, because deletes made while the
	// iterator is open may renumber a version's slots (versionIndex.tidy):
	// IAVL deletes the nodes it iterates (DeleteVersionsFrom).
	entered bool
	nonce   int64

	valid bool
	key   []byte
	at    loc
	err   error
}

// treeVersions is a tree's versions in an iterator's domain, in
// iteration order.
type treeVersions struct {
	t        *treeIndex
	versions []uint64
}

var _ corestore.Iterator = (*iterator)(nil)

const maxNonceValue = 1<<32 - 1

func (l *Log) newIterator(start, end []byte, reverse bool) (*iterator, error) {
	if (start != nil && len(start) == 0) || (end != nil && len(end) == 0) {
		return nil, fmt.Errorf("nodelog: iterator bound is empty")
	}
	it := &iterator{l: l, start: bytes.Clone(start), end: bytes.Clone(end), reverse: reverse}
	if start != nil && end != nil && bytes.Compare(start, end) >= 0 {
		return it, nil // empty domain
	}
	// The write lock, since listing a tree's versions may sort them.
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil, ErrClosed
	}
	var scratch []byte
	for _, p := range l.prefixes {
		t := l.trees[p]
		vs := t.sortedVersions()
		// The versions with a key at or past start, and before end.
		i := 0
		if start != nil {
			i = sort.Search(len(vs), func(i int) bool {
				scratch = appendKey(scratch[:0], p, vs[i], maxNonceValue)
				return bytes.Compare(scratch, start) >= 0
			})
		}
		j := len(vs)
		if end != nil {
			j = sort.Search(len(vs), func(i int) bool {
				scratch = appendKey(scratch[:0], p, vs[i], 0)
				return bytes.Compare(scratch, end) >= 0
			})
		}
		if i < j {
			in := slices.Clone(vs[i:j])
			if reverse {
				slices.Reverse(in)
			}
			it.trees = append(it.trees, treeVersions{t: t, versions: in})
		}
	}
	l.mu.Unlock()
	if reverse {
		slices.Reverse(it.trees)
	}
	it.settle()
	return it, nil
}

// settle moves to the first record at or after the current position, in
// iteration order, or makes the iterator invalid when none is left.
func (it *iterator) settle() {
	it.l.mu.RLock()
	defer it.l.mu.RUnlock()
	if it.l.closed {
		it.valid, it.err = false, ErrClosed
		return
	}
	for it.ti < len(it.trees) {
		tv := it.trees[it.ti]
		if it.vi >= len(tv.versions) {
			it.ti, it.vi, it.entered = it.ti+1, 0, false
			continue
		}
		version := tv.versions[it.vi]
		if vx := tv.t.versions[version]; vx != nil {
			if !it.entered {
				it.enter(tv.t.prefix, version, vx)
			}
			if it.find(tv.t.prefix, version, vx) {
				return
			}
		}
		it.vi, it.entered = it.vi+1, false
	}
	it.valid = false
}

// enter starts the iterator at the first nonce of version vx in the
// domain, in iteration order. A version's slots are in nonce order, so
// their keys ascend.
func (it *iterator) enter(prefix string, version uint64, vx *versionIndex) {
	var scratch []byte
	keyAt := func(i int) []byte {
		nonce, _ := vx.slot(i)
		scratch = appendKey(scratch[:0], prefix, version, nonce)
		return scratch
	}
	it.entered = true
	if !it.reverse {
		it.nonce = 0
		if it.start != nil {
			i := sort.Search(vx.slots(), func(i int) bool { return bytes.Compare(keyAt(i), it.start) >= 0 })
			if i == vx.slots() {
				it.nonce = maxNonceValue + 1 // nothing in the domain
				return
			}
			n, _ := vx.slot(i)
			it.nonce = int64(n)
		}
		return
	}
	it.nonce = maxNonceValue
	if it.end != nil {
		i := sort.Search(vx.slots(), func(i int) bool { return bytes.Compare(keyAt(i), it.end) >= 0 })
		if i == 0 {
			it.nonce = -1
			return
		}
		n, _ := vx.slot(i - 1)
		it.nonce = int64(n)
	}
}

// find moves to the first record of version vx at or after it.nonce in
// iteration order and within the domain, and reports whether there is one.
func (it *iterator) find(prefix string, version uint64, vx *versionIndex) bool {
	for it.nonce >= 0 && it.nonce <= maxNonceValue {
		i := vx.seek(uint32(it.nonce), it.reverse)
		if i < 0 {
			return false
		}
		nonce, at := vx.slot(i)
		it.key = appendKey(it.key[:0], prefix, version, nonce)
		if (it.start != nil && bytes.Compare(it.key, it.start) < 0) || (it.end != nil && bytes.Compare(it.key, it.end) >= 0) {
			return false // past the domain's edge in this direction
		}
		if at.n != 0 {
			it.valid, it.at, it.nonce = true, at, int64(nonce)
			return true
		}
		it.nonce = int64(nonce)
		it.step()
	}
	return false
}

func (it *iterator) step() {
	if it.reverse {
		it.nonce--
	} else {
		it.nonce++
	}
}

// Domain returns the iterator's bounds.
func (it *iterator) Domain() (start, end []byte) { return it.start, it.end }

// Valid reports whether the iterator is at a record.
func (it *iterator) Valid() bool { return it.valid }

// Next moves to the next record. It panics if the iterator is not valid.
func (it *iterator) Next() {
	if !it.valid {
		panic("nodelog: Next on an invalid iterator")
	}
	it.step()
	it.settle()
}

// Key returns a copy of the current key. It panics if the iterator is not valid.
func (it *iterator) Key() []byte {
	if !it.valid {
		panic("nodelog: Key on an invalid iterator")
	}
	return bytes.Clone(it.key)
}

// Value reads the current record's value; a failed read returns nil and
// is reported by Error. It panics if the iterator is not valid.
func (it *iterator) Value() []byte {
	if !it.valid {
		panic("nodelog: Value on an invalid iterator")
	}
	it.l.mu.RLock()
	defer it.l.mu.RUnlock()
	if it.l.closed {
		it.valid, it.err = false, ErrClosed
		return nil
	}
	// The record may have moved (Compact) since the iterator reached it.
	prefix, version, nonce, _ := splitKey(it.key)
	at := it.l.trees[string(prefix)].get(version, nonce)
	if at.n == 0 {
		it.err = fmt.Errorf("nodelog: %x was deleted while an iterator was at it", it.key)
		return nil
	}
	r, err := it.l.read(at)
	if err != nil {
		it.err = err
		return nil
	}
	return r.value
}

// Error returns the error that ended the iteration, if any.
func (it *iterator) Error() error { return it.err }

// Close ends the iteration.
func (it *iterator) Close() error {
	it.valid = false
	return nil
}
