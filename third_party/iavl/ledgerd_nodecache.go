package iavl

import (
	"encoding/binary"
	"math"
)

// nodeCache is the LRU of saved nodes a nodeDB keeps (ledgerd's patch 5),
// in place of upstream's cache.Cache for them. Upstream's generic cache
// keys a map by the string of the node key and keeps its order in a
// container/list: each Add converts the key to a string and allocates a
// list element, and each Add, Remove and eviction first allocates the
// node's key (Node.GetKey). A block of ledgerd's adds and removes tens of
// thousands of nodes, serially, in the block's commit. This cache keys its
// map by the fixed-size key itself and threads its order through the nodes
// (Node.lruPrev, Node.lruNext), so that nothing is allocated but the map's
// own growth.
//
// A node is in at most one nodeCache, and its lru fields are read and
// written only by that cache, under the nodeDB's mutex. Legacy nodes (whose
// key is their 32-byte hash) are kept by hash in a map of their own,
// sharing the one order.
//
// A node linked in the order is the one its key maps to (Add unlinks the
// node it replaces), so that dropping a cached node, or the least recently
// used, is one map operation. And while a version later than any cached
// before is being saved (openVersion), none of its keys was in the map
// before the save and the save adds each once, so that caching a saved
// node is one map operation too. On a large map each costs a memory miss
// or more.
type nodeCache struct {
	// byKey holds the nodes whose key packs into one word (packKey), in a
	// table of its own (nodeTable). byWide holds the others (versions past
	// 2^32), byHash the legacy nodes.
	byKey  nodeTable
	byWide map[[12]byte]*Node
	byHash map[[hashSize]byte]*Node
	// head is the most recently used node, tail the least.
	head, tail *Node
	size       int
	// newest is the highest version of a node key added or opened so far:
	// every key in byKey has a version no later.
	newest int64
	// open is the version being saved, if it was later than newest when
	// its save began, or 0.
	open int64
}

func newNodeCache(size int) *nodeCache {
	return &nodeCache{byWide: make(map[[12]byte]*Node), byHash: make(map[[hashSize]byte]*Node), size: size}
}

// packKey is nk in one word, the version above the nonce, when the
// version fits in 32 bits (136 years of a block a second) and the word is
// not 0 (nodeTable's empty slot; no saved node has version 0).
func packKey(nk NodeKey) (uint64, bool) {
	if nk.version < 0 || nk.version > math.MaxUint32 {
		return 0, false
	}
	k := uint64(nk.version)<<32 | uint64(nk.nonce)
	return k, k != 0
}

// lookup, store and remove are byKey's and byWide's operations by node
// key.
func (c *nodeCache) lookup(nk NodeKey) *Node {
	if k, ok := packKey(nk); ok {
		return c.byKey.get(k)
	}
	return c.byWide[nk.array()]
}

func (c *nodeCache) store(nk NodeKey, n *Node) {
	if k, ok := packKey(nk); ok {
		c.byKey.set(k, n)
	} else {
		c.byWide[nk.array()] = n
	}
}

func (c *nodeCache) remove(nk NodeKey) {
	if k, ok := packKey(nk); ok {
		c.byKey.delete(k)
	} else {
		delete(c.byWide, nk.array())
	}
}

// Len is the number of nodes cached.
func (c *nodeCache) Len() int { return c.byKey.len() + len(c.byWide) + len(c.byHash) }

// Get returns the node whose key is nk and makes it the most recently
// used, or nil if it is not cached.
func (c *nodeCache) Get(nk []byte) *Node {
	var n *Node
	if len(nk) == hashSize {
		n = c.byHash[[hashSize]byte(nk)]
	} else if len(nk) == 12 {
		n = c.lookup(NodeKey{version: int64(binary.BigEndian.Uint64(nk)), nonce: binary.BigEndian.Uint32(nk[8:])})
	}
	if n != nil {
		c.unlink(n)
		c.pushFront(n)
	}
	return n
}

// Add caches node, a saved node, as the most recently used, in place of any
// node cached under the same key, and evicts the least recently used if
// the cache is then over its size. It returns the node evicted, or nil.
func (c *nodeCache) Add(node *Node) (evicted *Node) {
	if !node.isLegacy && c.open != 0 && node.nodeKey.version == c.open {
		c.store(*node.nodeKey, node) // nothing to replace
	} else {
		if !node.isLegacy {
			c.newest = max(c.newest, node.nodeKey.version)
		}
		if old := c.swap(node, node); old != nil {
			c.unlink(old)
		}
	}
	c.pushFront(node)
	if c.Len() > c.size {
		evicted = c.tail
		c.drop(evicted)
	}
	return evicted
}

// openVersion tells the cache that the nodes of version are about to be
// saved, each added once, until closeVersion. If no key of that version
// can be cached yet (it is later than every version added or opened so
// far), Add caches them without looking their keys up; otherwise (a
// version saved again after DeleteVersionsFrom) it looks each up as it
// does any other node's.
func (c *nodeCache) openVersion(version int64) {
	if version > c.newest {
		c.newest, c.open = version, version
	}
}

// closeVersion ends what openVersion began.
func (c *nodeCache) closeVersion() { c.open = 0 }

// Remove drops the node cached under node's key, if any. node itself need
// not be the one cached.
func (c *nodeCache) Remove(node *Node) {
	if c.holds(node) {
		c.drop(node)
		return
	}
	if old := c.swap(node, nil); old != nil {
		c.unlink(old)
	}
}

// holds reports whether node itself is linked in the cache's order, and
// so is the node its key maps to.
func (c *nodeCache) holds(node *Node) bool {
	return node.lruPrev != nil || node.lruNext != nil || c.head == node
}

// drop removes node, which the cache holds, from its map and its order.
func (c *nodeCache) drop(node *Node) {
	if node.isLegacy {
		delete(c.byHash, [hashSize]byte(node.hash))
	} else {
		c.remove(*node.nodeKey)
	}
	c.unlink(node)
}

// swap sets the map entry of key's node key to node (nil: deletes it) and
// returns the node it held.
func (c *nodeCache) swap(key, node *Node) *Node {
	if key.isLegacy {
		k := [hashSize]byte(key.hash)
		old := c.byHash[k]
		if node != nil {
			c.byHash[k] = node
		} else if old != nil {
			delete(c.byHash, k)
		}
		return old
	}
	old := c.lookup(*key.nodeKey)
	if node != nil {
		c.store(*key.nodeKey, node)
	} else if old != nil {
		c.remove(*key.nodeKey)
	}
	return old
}

func (c *nodeCache) pushFront(n *Node) {
	n.lruPrev, n.lruNext = nil, c.head
	if c.head != nil {
		c.head.lruPrev = n
	} else {
		c.tail = n
	}
	c.head = n
}

func (c *nodeCache) unlink(n *Node) {
	if n.lruPrev != nil {
		n.lruPrev.lruNext = n.lruNext
	} else {
		c.head = n.lruNext
	}
	if n.lruNext != nil {
		n.lruNext.lruPrev = n.lruPrev
	} else {
		c.tail = n.lruPrev
	}
	n.lruPrev, n.lruNext = nil, nil
}

// array returns nk's 12-byte encoding (GetKey's) without allocating.
func (nk *NodeKey) array() (k [12]byte) {
	binary.BigEndian.PutUint64(k[:], uint64(nk.version))
	binary.BigEndian.PutUint32(k[8:], nk.nonce)
	return k
}

// appendNodeKey appends nk's 12-byte encoding to dst and returns the
// result, capped at its length so that an append to it copies.
func appendNodeKey(dst []byte, nk NodeKey) []byte {
	k := nk.array()
	dst = append(dst, k[:]...)
	return dst[:len(dst):len(dst)]
}
