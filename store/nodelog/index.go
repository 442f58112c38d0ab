package nodelog

import (
	"encoding/binary"
	"fmt"
	"slices"
)

const (
	// suffixLen is a key's version and nonce.
	suffixLen = 8 + 4
	// maxNonce bounds a nonce: the index keeps a version's records in a
	// slice by nonce, and IAVL numbers a version's nodes from 1 (a
	// genesis of ten million wallets makes about twenty million).
	maxNonce = 1 << 27
)

// splitKey splits key into its prefix, version and nonce.
func splitKey(key []byte) (prefix []byte, version uint64, nonce uint32, err error) {
	if len(key) <= suffixLen || len(key) > maxKeyLen {
		return nil, 0, 0, fmt.Errorf("%w: %d bytes, want a prefix and 12 bytes of version and nonce, at most %d in all", ErrKeyShape, len(key), maxKeyLen)
	}
	p := len(key) - suffixLen
	version = binary.BigEndian.Uint64(key[p:])
	nonce = binary.BigEndian.Uint32(key[p+8:])
	if nonce > maxNonce {
		return nil, 0, 0, fmt.Errorf("%w: nonce %d above %d", ErrKeyShape, nonce, maxNonce)
	}
	return key[:p], version, nonce, nil
}

// appendKey appends the key of prefix, version and nonce to dst.
func appendKey(dst []byte, prefix string, version uint64, nonce uint32) []byte {
	dst = append(dst, prefix...)
	dst = binary.BigEndian.AppendUint64(dst, version)
	return binary.BigEndian.AppendUint32(dst, nonce)
}

// loc is where a live record is: its segment, its offset there and its
// length. n == 0: no record.
type loc struct{ seg, off, n uint32 }

// versionIndex holds one version's records by nonce.
type versionIndex struct {
	locs []loc
	live int
}

// treeIndex holds the records of one prefix.
type treeIndex struct {
	prefix   string
	versions map[uint64]*versionIndex
	// sorted lists the versions in ascending order when !unsorted; while
	// unsorted (a version inserted out of order or emptied) it is rebuilt
	// on the next sortedVersions.
	sorted   []uint64
	unsorted bool
}

func newTreeIndex(prefix string) *treeIndex {
	return &treeIndex{prefix: prefix, versions: make(map[uint64]*versionIndex)}
}

func (t *treeIndex) get(version uint64, nonce uint32) loc {
	v := t.versions[version]
	if v == nil || int(nonce) >= len(v.locs) {
		return loc{}
	}
	return v.locs[nonce]
}

// set records l for (version, nonce) and returns the location it
// replaces (n == 0: none).
func (t *treeIndex) set(version uint64, nonce uint32, l loc) loc {
	v := t.versions[version]
	if v == nil {
		v = &versionIndex{}
		t.versions[version] = v
		if n := len(t.sorted); !t.unsorted && (n == 0 || t.sorted[n-1] < version) {
			t.sorted = append(t.sorted, version)
		} else {
			t.unsorted = true
		}
	}
	if int(nonce) >= len(v.locs) {
		v.locs = slices.Grow(v.locs, int(nonce)+1-len(v.locs))[:nonce+1]
	}
	old := v.locs[nonce]
	v.locs[nonce] = l
	if old.n == 0 {
		v.live++
	}
	return old
}

// remove drops (version, nonce) and returns the location it held.
func (t *treeIndex) remove(version uint64, nonce uint32) loc {
	v := t.versions[version]
	if v == nil || int(nonce) >= len(v.locs) || v.locs[nonce].n == 0 {
		return loc{}
	}
	old := v.locs[nonce]
	v.locs[nonce] = loc{}
	if v.live--; v.live == 0 {
		delete(t.versions, version)
		t.unsorted = true
	}
	return old
}

// sortedVersions returns the versions holding records, ascending. The
// slice is the index's own: callers copy what they keep past the lock.
func (t *treeIndex) sortedVersions() []uint64 {
	if t.unsorted {
		t.sorted = t.sorted[:0]
		for v := range t.versions {
			t.sorted = append(t.sorted, v)
		}
		slices.Sort(t.sorted)
		t.unsorted = false
	}
	return t.sorted
}
