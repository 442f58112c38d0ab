//go:build !js

package store

import "sync"

// DefaultValueCacheEntries bounds each working tree's value cache when
// Options leaves it 0.
const DefaultValueCacheEntries = 100_000

// valueCache keeps values read from a working tree by key, so that a key
// read again (a wallet paying or paid in a later block) costs one map
// lookup instead of a walk down the tree, a node-cache lookup per level.
//
// It holds only what the tree holds: a read fills it, a write to a cached
// key updates it (writes of keys never read, such as history entries, stay
// out), a delete removes it. Writes not committed make it dirty: a
// rollback of the tree empties a dirty cache. Full, it is emptied and
// fills again: its contents change how fast reads are, never what they
// return. It is safe for concurrent use.
//
// While it is clean, the working tree holds exactly the last committed
// version (height), so readers of that version (the mempool's checks,
// queries at the last height) use and fill it too (getAt, fillAt); the
// first write of the next block makes it dirty, and they stop until the
// commit.
type valueCache struct {
	mu    sync.Mutex
	m     map[string][]byte
	max   int
	dirty bool
	// height is the committed version the tree holds while the cache is
	// clean; 0 when not known (a tree just mounted or restored).
	height int64
}

func newValueCache(max int) *valueCache {
	if max <= 0 {
		max = DefaultValueCacheEntries
	}
	return &valueCache{m: make(map[string][]byte), max: max}
}

// get returns the cached value of key; ok is false when it is not cached.
func (c *valueCache) get(key []byte) (value []byte, ok bool) {
	c.mu.Lock()
	value, ok = c.m[string(key)]
	c.mu.Unlock()
	return value, ok
}

// getAt is get for a reader of the committed version at height: ok is
// false unless the cache holds that version.
func (c *valueCache) getAt(height int64, key []byte) (value []byte, ok bool) {
	c.mu.Lock()
	if !c.dirty && c.height == height && height > 0 {
		value, ok = c.m[string(key)]
	}
	c.mu.Unlock()
	return value, ok
}

// fill caches value, just read from the tree under key; absent keys
// (nil) are not cached.
func (c *valueCache) fill(key, value []byte) {
	if value == nil {
		return
	}
	c.mu.Lock()
	c.put(key, value)
	c.mu.Unlock()
}

// fillAt is fill for a reader of the committed version at height: the
// value is cached only while the cache holds that version.
func (c *valueCache) fillAt(height int64, key, value []byte) {
	if value == nil {
		return
	}
	c.mu.Lock()
	if !c.dirty && c.height == height && height > 0 {
		c.put(key, value)
	}
	c.mu.Unlock()
}

// put caches value under key. Callers hold c.mu.
func (c *valueCache) put(key, value []byte) {
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[string(key)] = value
}

// set records a write of key to the tree.
func (c *valueCache) set(key, value []byte) {
	c.mu.Lock()
	c.dirty = true
	if _, ok := c.m[string(key)]; ok {
		c.m[string(key)] = value
	}
	c.mu.Unlock()
}

// remove records a delete of key from the tree.
func (c *valueCache) remove(key []byte) {
	c.mu.Lock()
	c.dirty = true
	delete(c.m, string(key))
	c.mu.Unlock()
}

// committed records that the tree saved its writes as the version at
// height (or, at Open, was loaded at it).
func (c *valueCache) committed(height int64) {
	c.mu.Lock()
	c.dirty = false
	c.height = height
	c.mu.Unlock()
}

// rolledBack records that the tree dropped its unsaved writes.
func (c *valueCache) rolledBack() {
	c.mu.Lock()
	if c.dirty {
		clear(c.m)
		c.dirty = false
	}
	c.mu.Unlock()
}

// reset empties the cache: its tree was replaced by one of other contents.
func (c *valueCache) reset() {
	c.mu.Lock()
	clear(c.m)
	c.dirty = false
	c.height = 0
	c.mu.Unlock()
}
