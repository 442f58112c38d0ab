package iavl

import "encoding/binary"

// encodedIndex finds an EncodedNodeCache's entries by key (ledgerd's patch
// 7). It is an open-addressed table with linear probing, kept at most half
// full, whose slots hold a key's 64-bit hash and its entry's offset in the
// cache's stream; the key itself is the one in the entry's header, which a
// read of the entry touches anyway. A lookup in a table of millions of
// entries then costs one memory miss for the slot (the slots a probe goes
// on to share its cache line) against the three or four of a Go map, whose
// groups hold the 16-byte keys and sit below a directory and its tables.
// The hash is a fixed function of the key, so that the table's layout is
// the same on every node; nothing read from it depends on the layout.
//
// A table that would pass half full is doubled, and its slots move to the
// new one a few at a time, with each entry set, so that no single call
// pays for moving millions of them (355 ms at two million). Until the old
// table is empty a lookup may probe both.
type encodedIndex struct {
	table encodedTable
	// old is the table being drained into table since the last growth, nil
	// when none. Its slots are drained a cluster (a run of slots in use) at
	// a time, in order from an empty slot, so that every slot old still
	// holds is found from its home as before: the slots from a home to its
	// entry are one cluster, and a cluster moves whole.
	old     encodedTable
	next    uint64 // old's next slot to drain; the one before it is empty
	oldLeft int    // old's slots not yet drained
	n       int    // entries in table and old
}

// encodedTable is a table of slots, a power of two of them.
type encodedTable []encodedSlot

type encodedSlot struct {
	hash uint64
	off1 uint64 // the entry's stream offset plus one; 0: the slot is empty
}

const (
	// encodedIndexMinSlots is the size of the first table.
	encodedIndexMinSlots = 1 << 10
	// encodedDrainSlots is the least number of the old table's slots each
	// entry set drains. It must be at least 2: an old table of L slots grew
	// at L/2 entries, and L/2 more take the new one (2L slots) to half full
	// and to the next growth, by which the old one's L slots must be
	// drained (grow drains what is left, in one go, if they are not).
	encodedDrainSlots = 16
)

// encodedHash is key's hash: a fixed mix of its 16 bytes (MurmurHash3's
// finalizer), so that node keys, which count up by version and nonce,
// spread over the table.
func encodedHash(key encodedKey) uint64 {
	lo := binary.LittleEndian.Uint64(key.nk[:8])
	hi := uint64(binary.LittleEndian.Uint32(key.nk[8:])) | uint64(key.space)<<32
	return mix64(lo ^ mix64(hi))
}

func mix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// find returns the slot holding hash h whose entry is (is reports whether
// the entry at a stream offset is the one sought), or false.
func (t encodedTable) find(h uint64, is func(off uint64) bool) (int, bool) {
	if len(t) == 0 {
		return -1, false
	}
	mask := uint64(len(t) - 1)
	for i := h & mask; t[i].off1 != 0; i = (i + 1) & mask {
		if t[i].hash == h && is(t[i].off1-1) {
			return int(i), true
		}
	}
	return -1, false
}

// place puts s in the first empty slot from its home; t holds no slot for
// the same entry.
func (t encodedTable) place(s encodedSlot) {
	mask := uint64(len(t) - 1)
	i := s.hash & mask
	for t[i].off1 != 0 {
		i = (i + 1) & mask
	}
	t[i] = s
}

// remove empties slot i, moving back the slots after it in its cluster
// that would otherwise no longer be found from their home slots (deletion
// by backward shift: no tombstones, so probes stay short however many
// entries come and go, and clusters only shrink or split).
func (t encodedTable) remove(i int) {
	mask := uint64(len(t) - 1)
	hole := uint64(i)
	for j := (hole + 1) & mask; t[j].off1 != 0; j = (j + 1) & mask {
		home := t[j].hash & mask
		// The slot at j stays if its home lies cyclically in (hole, j]:
		// it is still found from there.
		if (j-home)&mask < (j-hole)&mask {
			continue
		}
		t[hole] = t[j]
		hole = j
	}
	t[hole] = encodedSlot{}
}

// locate returns the slot of key (hash h), if the index holds it: in the
// current table, or in the old one (inOld).
func (c *EncodedNodeCache) locate(key encodedKey, h uint64) (t encodedTable, i int, inOld, ok bool) {
	is := func(off uint64) bool { return c.keyAt(off) == key }
	if i, ok := c.index.table.find(h, is); ok {
		return c.index.table, i, false, true
	}
	if i, ok := c.index.old.find(h, is); ok {
		return c.index.old, i, true, true
	}
	return nil, -1, false, false
}

// keyAt returns the key in the header of the entry at stream offset off.
// Every offset the index holds is that of an entry the ring still holds
// (evictBefore removes an entry's slot before its bytes are overwritten),
// so the header names the entry's key.
func (c *EncodedNodeCache) keyAt(off uint64) encodedKey {
	e := c.at(off)
	return encodedKey{space: binary.BigEndian.Uint32(e[2:]), nk: [12]byte(e[6:encodedHeader])}
}

// offsetOf returns the stream offset of key's entry, if the cache holds it.
func (c *EncodedNodeCache) offsetOf(key encodedKey) (uint64, bool) {
	t, i, _, ok := c.locate(key, encodedHash(key))
	if !ok {
		return 0, false
	}
	return t[i].off1 - 1, true
}

// setOffset records that key's entry starts at stream offset off, in
// place of the entry it had.
func (c *EncodedNodeCache) setOffset(key encodedKey, off uint64) {
	x := &c.index
	h := encodedHash(key)
	t, i, inOld, found := c.locate(key, h)
	switch {
	case found && !inOld:
		t[i].off1 = off + 1
	case found:
		// In the old table: move it to the current one.
		t.remove(i)
		x.table.place(encodedSlot{hash: h, off1: off + 1})
	default:
		if 2*(x.n+1) > len(x.table) {
			x.grow()
		}
		x.table.place(encodedSlot{hash: h, off1: off + 1})
		x.n++
	}
	x.drain(encodedDrainSlots)
}

// removeEntry drops key's slot if it holds the entry at stream offset off
// (and not a newer entry of the same key).
func (c *EncodedNodeCache) removeEntry(key encodedKey, off uint64) {
	t, i, _, ok := c.locate(key, encodedHash(key))
	if ok && t[i].off1-1 == off {
		t.remove(i)
		c.index.n--
	}
}

// grow makes a table twice the size (or the first one) and starts
// draining the current one into it.
func (x *encodedIndex) grow() {
	x.drain(len(x.old)) // finish the last growth's, if it is not done
	if len(x.table) == 0 {
		x.table = make(encodedTable, encodedIndexMinSlots)
		return
	}
	x.old, x.table = x.table, make(encodedTable, 2*len(x.table))
	// Start after an empty slot (one is: the table is at most half full).
	mask := uint64(len(x.old) - 1)
	start := uint64(0)
	for x.old[start].off1 != 0 {
		start++
	}
	x.next, x.oldLeft = (start+1)&mask, len(x.old)-1
}

// drain moves at least k of the old table's slots (whole clusters) to the
// new one, or all that are left.
func (x *encodedIndex) drain(k int) {
	if x.old == nil {
		return
	}
	mask := uint64(len(x.old) - 1)
	for moved := 0; x.oldLeft > 0; moved++ {
		s := x.old[x.next]
		if s.off1 == 0 && moved >= k {
			break // between clusters: a cluster moves whole (encodedIndex.old)
		}
		x.old[x.next] = encodedSlot{}
		x.next = (x.next + 1) & mask
		x.oldLeft--
		if s.off1 != 0 {
			x.table.place(s)
		}
	}
	if x.oldLeft == 0 {
		x.old = nil
	}
}

// reset empties the index, keeping its table.
func (x *encodedIndex) reset() {
	clear(x.table)
	x.old, x.next, x.oldLeft = nil, 0, 0
	x.n = 0
}
