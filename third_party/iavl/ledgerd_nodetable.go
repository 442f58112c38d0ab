package iavl

// nodeTable is nodeCache's index of the nodes whose key packs into one
// word (packKey), in place of a Go map (ledgerd's patch 5): an
// open-addressed table with linear probing, kept at most half full, whose
// slots hold the packed key and the node. A lookup, the node cache's most
// frequent operation (every child a walk of the tree loads from its key),
// costs one memory miss for the slot, as the slots a probe goes on to
// share its cache line, against the two or more of a Go map, which hashes
// the key with a seeded function and finds its group below a directory
// and a table. The slot's place is a fixed function of the key; nothing
// read from the table depends on its layout.
//
// Key 0 marks an empty slot: packKey gives no node that key.
type nodeTable struct {
	slots []nodeSlot // a power of two of them, or none
	n     int
}

type nodeSlot struct {
	key  uint64
	node *Node
}

// nodeTableMinSlots is the size of the first table.
const nodeTableMinSlots = 1 << 8

// home is the slot a probe for k starts at: k's hash (mix64, which
// spreads keys that count up by version and nonce) masked to the table.
func (t *nodeTable) home(k uint64) uint64 { return mix64(k) & uint64(len(t.slots)-1) }

// get returns the node of key k, or nil.
func (t *nodeTable) get(k uint64) *Node {
	if t.n == 0 {
		return nil
	}
	mask := uint64(len(t.slots) - 1)
	for i := t.home(k); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.key == k {
			return s.node
		}
		if s.key == 0 {
			return nil
		}
	}
}

// set makes node the node of key k, which must not be 0.
func (t *nodeTable) set(k uint64, node *Node) {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	for i := t.home(k); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.key == k {
			s.node = node
			return
		}
		if s.key == 0 {
			s.key, s.node = k, node
			t.n++
			return
		}
	}
}

// delete removes key k, if the table holds it. The slots after it in its
// run move back where their probes would otherwise stop at the emptied
// slot (backward-shift deletion), so that no marker of a deletion is
// left to lengthen later probes.
func (t *nodeTable) delete(k uint64) {
	if t.n == 0 {
		return
	}
	mask := uint64(len(t.slots) - 1)
	i := t.home(k)
	for ; t.slots[i].key != k; i = (i + 1) & mask {
		if t.slots[i].key == 0 {
			return
		}
	}
	// i is empty from here on; j walks the rest of the run. The entry at j
	// may fill i unless its home lies cyclically in (i, j], where a probe
	// for it starts after i.
	for j := (i + 1) & mask; t.slots[j].key != 0; j = (j + 1) & mask {
		h := t.home(t.slots[j].key)
		if (j-h)&mask >= (j-i)&mask {
			t.slots[i] = t.slots[j]
			i = j
		}
	}
	t.slots[i] = nodeSlot{}
	t.n--
}

// grow doubles the table (or makes the first one) and moves every entry
// into it.
func (t *nodeTable) grow() {
	old := t.slots
	t.slots = make([]nodeSlot, max(nodeTableMinSlots, 2*len(old)))
	mask := uint64(len(t.slots) - 1)
	for _, s := range old {
		if s.key == 0 {
			continue
		}
		i := t.home(s.key)
		for t.slots[i].key != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}

// len is the number of keys the table holds.
func (t *nodeTable) len() int { return t.n }
