package badgerdb

import (
	"bytes"
	"fmt"

	corestore "cosmossdk.io/core/store"
	badger "github.com/dgraph-io/badger/v4"
)

// iterator is a corestore.Iterator over [start, end) in a read-only Badger
// transaction (a consistent snapshot) that is discarded on Close. It is not
// safe for concurrent use.
type iterator struct {
	txn        *badger.Txn      // nil for an empty range
	it         *badger.Iterator // nil for an empty range
	start, end []byte
	reverse    bool
	valid      bool
	err        error
	closed     bool
}

var _ corestore.Iterator = (*iterator)(nil)

func (db *DB) newIterator(start, end []byte, reverse bool) (*iterator, error) {
	if (start != nil && len(start) == 0) || (end != nil && len(end) == 0) {
		return nil, fmt.Errorf("badgerdb: iterator bound: %w", ErrEmptyKey)
	}
	if err := db.checkOpen(); err != nil {
		return nil, err
	}
	itr := &iterator{start: cloneBound(start), end: cloneBound(end), reverse: reverse}
	if start != nil && end != nil && bytes.Compare(start, end) >= 0 {
		return itr, nil // empty domain
	}

	itr.txn = db.bdb.NewTransaction(false)
	itr.it = itr.txn.NewIterator(badger.IteratorOptions{
		Reverse: reverse,
		// Every key in [start, end) shares the common prefix of start and
		// end; telling Badger lets it skip SSTables outside the range.
		Prefix: commonPrefix(itr.start, itr.end),
	})
	switch {
	case !reverse && start == nil, reverse && end == nil:
		// Rewind goes to the smallest key forward and to the largest key in
		// reverse, so no sentinel key (e.g. 0xFF...) is needed.
		itr.it.Rewind()
	case !reverse:
		itr.it.Seek(itr.start) // first key >= start
	default:
		// In reverse Seek lands on the largest key <= end; end is exclusive.
		itr.it.Seek(itr.end)
		if itr.it.Valid() && bytes.Equal(itr.it.Item().Key(), itr.end) {
			itr.it.Next()
		}
	}
	itr.valid = true
	itr.checkBounds()
	return itr, nil
}

// checkBounds invalidates the iterator once Badger is exhausted or the
// current key has left the domain.
func (itr *iterator) checkBounds() {
	if !itr.valid {
		return
	}
	if !itr.it.Valid() {
		itr.valid = false
		return
	}
	key := itr.it.Item().Key()
	if itr.reverse {
		itr.valid = itr.start == nil || bytes.Compare(key, itr.start) >= 0
	} else {
		itr.valid = itr.end == nil || bytes.Compare(key, itr.end) < 0
	}
}

// Domain returns the bounds the iterator was created with.
func (itr *iterator) Domain() (start, end []byte) { return itr.start, itr.end }

// Valid reports whether the iterator is positioned on a key. Once false it
// stays false.
func (itr *iterator) Valid() bool { return itr.valid && !itr.closed && itr.err == nil }

// Next moves to the next key in iteration order. It panics if !Valid(), as
// corestore.Iterator specifies.
func (itr *iterator) Next() {
	itr.assertValid("Next")
	itr.it.Next()
	itr.checkBounds()
}

// Key returns a copy of the current key. It panics if !Valid().
func (itr *iterator) Key() []byte {
	itr.assertValid("Key")
	return itr.it.Item().KeyCopy(nil)
}

// Value returns a copy of the current value. It panics if !Valid(). If the
// value cannot be read, Value returns nil, the iterator becomes invalid and
// Error reports why.
func (itr *iterator) Value() []byte {
	itr.assertValid("Value")
	v, err := copyValue(itr.it.Item())
	if err != nil {
		itr.err = fmt.Errorf("badgerdb: iterator value of %x: %w", itr.it.Item().Key(), err)
		itr.valid = false
		return nil
	}
	return v
}

// Error returns the error that invalidated the iterator, if any.
func (itr *iterator) Error() error { return itr.err }

// Close releases the iterator and its transaction. It is idempotent.
func (itr *iterator) Close() error {
	if itr.closed {
		return nil
	}
	itr.closed = true
	itr.valid = false
	if itr.it != nil {
		itr.it.Close() // must precede Discard, which panics on open iterators
		itr.txn.Discard()
	}
	return nil
}

func (itr *iterator) assertValid(method string) {
	if !itr.Valid() {
		panic("badgerdb: iterator." + method + " called on an invalid iterator")
	}
}

func cloneBound(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

// commonPrefix returns the longest common prefix of a and b, or nil if
// either is nil.
func commonPrefix(a, b []byte) []byte {
	if a == nil || b == nil {
		return nil
	}
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	if n == 0 {
		return nil
	}
	return a[:n]
}
