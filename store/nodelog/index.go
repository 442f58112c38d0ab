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

// versionIndex holds one version's records. While most of its nonces
// have a record (a version just written: IAVL numbers its nodes from 1) it
// is dense, locs indexed by nonce. Once pruning has left fewer than a
// quarter of them it turns sparse: the nonces with a record, ascending, in
// nonces, and their locations in locs. A long chain keeps a few nodes of
// most of its versions (the records no later block changed), and dense
// slices would keep 12 bytes for each node those versions ever had.
type versionIndex struct {
	locs   []loc
	nonces []uint32 // nil while dense
	live   int
}

// sparseFrom is the fewest slots a version has before it may turn sparse.
const sparseFrom = 64

func (v *versionIndex) sparse() bool { return v.nonces != nil }

// slots is how many slots the version has: nonces while dense, entries
// (some of them perhaps deleted) while sparse. Slot order is nonce order.
func (v *versionIndex) slots() int { return len(v.locs) }

// slot returns the nonce and location of slot i (n == 0: no record).
func (v *versionIndex) slot(i int) (uint32, loc) {
	if v.sparse() {
		return v.nonces[i], v.locs[i]
	}
	return uint32(i), v.locs[i]
}

// find returns the slot of nonce, or -1.
func (v *versionIndex) find(nonce uint32) int {
	if !v.sparse() {
		if int(nonce) < len(v.locs) {
			return int(nonce)
		}
		return -1
	}
	if i, ok := slices.BinarySearch(v.nonces, nonce); ok {
		return i
	}
	return -1
}

// seek returns the slot of the first nonce at or after nonce (before it
// when reverse), or -1 when there is none.
func (v *versionIndex) seek(nonce uint32, reverse bool) int {
	var i int
	if v.sparse() {
		var found bool
		i, found = slices.BinarySearch(v.nonces, nonce)
		if reverse && !found {
			i--
		}
	} else {
		i = min(int(nonce), len(v.locs))
		if reverse && i == len(v.locs) {
			i--
		}
	}
	if i < 0 || i >= len(v.locs) {
		return -1
	}
	return i
}

func (v *versionIndex) get(nonce uint32) loc {
	if i := v.find(nonce); i >= 0 {
		return v.locs[i]
	}
	return loc{}
}

// set records l for nonce and returns the location it replaces.
func (v *versionIndex) set(nonce uint32, l loc) loc {
	i := v.find(nonce)
	switch {
	case i >= 0:
	case !v.sparse():
		v.locs = slices.Grow(v.locs, int(nonce)+1-len(v.locs))[:nonce+1]
		i = int(nonce)
	default: // a record for a sparse version: rare (a version written again)
		i, _ = slices.BinarySearch(v.nonces, nonce)
		v.nonces = slices.Insert(v.nonces, i, nonce)
		v.locs = slices.Insert(v.locs, i, loc{})
	}
	old := v.locs[i]
	v.locs[i] = l
	if old.n == 0 {
		v.live++
	}
	return old
}

// remove drops nonce's record and returns its location.
func (v *versionIndex) remove(nonce uint32) loc {
	i := v.find(nonce)
	if i < 0 || v.locs[i].n == 0 {
		return loc{}
	}
	old := v.locs[i]
	v.locs[i] = loc{}
	v.live--
	v.tidy()
	return old
}

// tidy turns a version mostly without records sparse, and drops a sparse
// version's deleted slots once they are half of them.
func (v *versionIndex) tidy() {
	if v.live == 0 || len(v.locs) < sparseFrom || (v.sparse() && 2*v.live > len(v.locs)) || (!v.sparse() && 4*v.live > len(v.locs)) {
		return
	}
	nonces, locs := make([]uint32, 0, v.live), make([]loc, 0, v.live)
	for i := range v.locs {
		if n, at := v.slot(i); at.n != 0 {
			nonces, locs = append(nonces, n), append(locs, at)
		}
	}
	v.nonces, v.locs = nonces, locs
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
	if v := t.versions[version]; v != nil {
		return v.get(nonce)
	}
	return loc{}
}

// set records l for (version, nonce) and returns the location it
// replaces (n == 0: none).
func (t *treeIndex) set(version uint64, nonce uint32, l loc) loc {
	v := t.versions[version]
	if v == nil {
		v = &versionIndex{}
		// A block's version has about as many nodes as the one before:
		// sized for those, its slots are not regrown from one.
		if n := len(t.sorted); !t.unsorted && n > 0 {
			if last := t.versions[t.sorted[n-1]]; last != nil && !last.sparse() && t.sorted[n-1] < version {
				v.locs = make([]loc, 0, len(last.locs))
			}
		}
		t.versions[version] = v
		if n := len(t.sorted); !t.unsorted && (n == 0 || t.sorted[n-1] < version) {
			t.sorted = append(t.sorted, version)
		} else {
			t.unsorted = true
		}
	}
	return v.set(nonce, l)
}

// remove drops (version, nonce) and returns the location it held.
func (t *treeIndex) remove(version uint64, nonce uint32) loc {
	v := t.versions[version]
	if v == nil {
		return loc{}
	}
	old := v.remove(nonce)
	if old.n != 0 && v.live == 0 {
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
