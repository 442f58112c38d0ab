package iavl

import (
	"encoding/binary"
	"sync"
)

// EncodedNodeCache keeps saved nodes in their encoded form, in pointer-free
// memory, below the trees' node caches (ledgerd's patch 6). A node the node
// cache misses is decoded from here (about a microsecond) instead of being
// read from the database (several). The node cache holds decoded nodes,
// each a handful of pointers that the garbage collector marks on every
// cycle; near the memory limit a million cached nodes cost the collector
// more than the reads they save. This cache costs the collector nothing to
// mark, and holds a node in a fraction of the memory.
//
// A node enters it when it is read from the database, when the node cache
// evicts it, and when a tree about to be dropped spills its node cache
// (MutableTree.SpillNodeCache). A node decoded from it serves its read and
// is not added to the node cache (nodeDB.GetNode). Entries are written at
// the head of a ring and overwritten when the head comes round again,
// oldest first; an entry read when it is in the older half of the ring is
// written again at the head, so that the nodes in use stay while the rest
// age out. The ring is made of chunks allocated as the head first reaches
// them, so that a cache little used takes little memory. Several trees
// share one cache, each under a space of its own (EncodedNodeCacheOption).
//
// A node key names the same encoding for as long as the node is saved, so
// entries are never stale while anything can ask for them: a version
// deleted from the top and saved again would reuse node keys, and deleting
// it empties the cache (nodeDB.DeleteVersionsFrom). Legacy nodes (keyed by
// hash) are not kept.
//
// It is safe for concurrent use.
type EncodedNodeCache struct {
	mu     sync.Mutex
	chunks [][]byte     // each encodedChunk bytes, or nil until the head first reaches it
	index  encodedIndex // entry's start, as an offset into the stream of bytes written
	// head is the count of bytes written since the cache was made: the next
	// entry starts at head % size. oldest is the start of the oldest entry
	// not yet overwritten.
	head, oldest uint64
	size         uint64
	stats        EncodedNodeCacheStats
}

// EncodedNodeCacheStats counts a cache's use since it was made.
type EncodedNodeCacheStats struct {
	Hits, Misses uint64
	// Entries is the number of nodes held, Bytes the memory their chunks
	// take.
	Entries, Bytes uint64
}

type encodedKey struct {
	space uint32
	nk    [12]byte
}

const (
	// An entry is the encoding's length (2 bytes), its space (4) and node
	// key (12), then the encoding. Entries do not cross chunks.
	encodedHeader = 18
	encodedChunk  = 1 << 20
	// skipMark in the length field marks the rest of a chunk as unused
	// until the head comes round.
	skipMark = 0xffff
	// maxEncoded is the largest encoding kept; larger nodes (a few large
	// records) are read from the database.
	maxEncoded = 8 << 10
)

// NewEncodedNodeCache returns a cache holding at most bytes (rounded up to
// a MiB) of encodings and their headers; its index (encodedIndex) takes
// 32 to 64 bytes a node, and for a while half as much again after it
// grows.
func NewEncodedNodeCache(bytes int) *EncodedNodeCache {
	n := max((bytes+encodedChunk-1)/encodedChunk, 1)
	return &EncodedNodeCache{
		chunks: make([][]byte, n),
		size:   uint64(n) * encodedChunk,
	}
}

// EncodedNodeCacheOption makes a tree keep its saved nodes in c, under
// space, which no other tree sharing c may use.
func EncodedNodeCacheOption(c *EncodedNodeCache, space uint32) Option {
	return func(opts *Options) {
		opts.encoded = c
		opts.encodedSpace = space
	}
}

// Stats returns the counts since the cache was made.
func (c *EncodedNodeCache) Stats() EncodedNodeCacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Entries = uint64(c.index.n)
	for _, ch := range c.chunks {
		s.Bytes += uint64(len(ch))
	}
	return s
}

// at returns the ring's bytes from stream offset off to the end of its
// chunk.
func (c *EncodedNodeCache) at(off uint64) []byte {
	p := off % c.size
	return c.chunks[p/encodedChunk][p%encodedChunk:]
}

// get returns a copy of the encoding of node key nk in space, or nil if
// the cache does not hold it.
func (c *EncodedNodeCache) get(space uint32, nk []byte) []byte {
	if len(nk) != 12 {
		return nil
	}
	key := encodedKey{space, [12]byte(nk)}
	c.mu.Lock()
	defer c.mu.Unlock()
	off, ok := c.offsetOf(key)
	if !ok {
		c.stats.Misses++
		return nil
	}
	c.stats.Hits++
	e := c.at(off)
	n := int(binary.BigEndian.Uint16(e))
	out := make([]byte, n)
	copy(out, e[encodedHeader:encodedHeader+n])
	if c.head-off > c.size/2 {
		c.putLocked(key, out)
	}
	return out
}

// holds reports whether the cache holds node key nk in space, so that a
// caller can skip encoding a node it would not keep (put).
func (c *EncodedNodeCache) holds(space uint32, nk []byte) bool {
	if len(nk) != 12 {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.offsetOf(encodedKey{space, [12]byte(nk)})
	return ok
}

// put keeps enc as the encoding of node key nk in space, unless the cache
// holds that node already: a node key names one encoding (see the type's
// comment), and a node the node cache evicts is often one it got from
// here, which writing again would only move up the ring at the cost of
// older entries.
func (c *EncodedNodeCache) put(space uint32, nk, enc []byte) {
	if len(nk) != 12 || len(enc) > maxEncoded {
		return
	}
	key := encodedKey{space, [12]byte(nk)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.offsetOf(key); ok {
		return
	}
	c.putLocked(key, enc)
}

func (c *EncodedNodeCache) putLocked(key encodedKey, enc []byte) {
	need := uint64(encodedHeader + len(enc))
	if left := encodedChunk - c.head%encodedChunk; need > left {
		// The entry does not fit in the rest of the chunk: mark it unused
		// and start at the next chunk.
		c.evictBefore(c.head + left)
		if left >= encodedHeader {
			binary.BigEndian.PutUint16(c.at(c.head), skipMark)
		}
		c.head += left
	}
	c.evictBefore(c.head + need)
	p := c.head % c.size
	if c.chunks[p/encodedChunk] == nil {
		c.chunks[p/encodedChunk] = make([]byte, encodedChunk)
	}
	e := c.at(c.head)
	binary.BigEndian.PutUint16(e, uint16(len(enc)))
	binary.BigEndian.PutUint32(e[2:], key.space)
	copy(e[6:], key.nk[:])
	copy(e[encodedHeader:], enc)
	c.setOffset(key, c.head)
	c.head += need
}

// evictBefore drops the entries that writing the stream up to end
// overwrites: those starting before end - size.
func (c *EncodedNodeCache) evictBefore(end uint64) {
	if end <= c.size {
		return
	}
	for c.oldest < c.head && c.oldest < end-c.size {
		e := c.at(c.oldest)
		if len(e) < encodedHeader {
			c.oldest += uint64(len(e))
			continue
		}
		n := binary.BigEndian.Uint16(e)
		if n == skipMark {
			c.oldest += uint64(len(e))
			continue
		}
		c.removeEntry(c.keyAt(c.oldest), c.oldest)
		c.oldest += encodedHeader + uint64(n)
	}
}

// clear drops every entry.
func (c *EncodedNodeCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.index.reset()
	c.oldest = c.head
}

// SpillNodeCache writes every node in the tree's node cache to its encoded
// cache (EncodedNodeCacheOption), the least recently used first, so that
// a tree loaded afresh to replace this one finds them there. It does
// nothing when the tree has no encoded cache.
func (tree *MutableTree) SpillNodeCache() { tree.ndb.spillNodeCache() }

// SaveToEncodedCache makes the tree's saves from now on keep the nodes
// they write in its encoded cache, in the encoding written to the
// database, instead of in its node cache. It is for a tree that will be
// dropped after its next save and loaded afresh (the store's first commit,
// which would otherwise spill the node cache there: SpillNodeCache): each
// node is then encoded once, not a second time when the node cache evicts
// or spills it, and the node cache's bookkeeping is skipped. The nodes
// saved last are the ones kept if the cache cannot hold them all. It does
// nothing when the tree has no encoded cache.
func (tree *MutableTree) SaveToEncodedCache() {
	tree.ndb.savesEncoded = tree.ndb.opts.encoded != nil
}
