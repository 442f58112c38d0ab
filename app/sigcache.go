package app

import (
	"sync"

	"github.com/ethereum/go-ethereum/common"
)

// signers are a transaction's verified signer and second signer (zero:
// none).
type signers struct{ signer, cosigner common.Address }

// sigCache remembers the verified signers of transactions by hash, so that a
// transaction CheckTx verified is not verified again in FinalizeBlock. It is
// bounded (oldest entries are evicted first) and safe for concurrent use. It
// only saves time: a miss recomputes, so results never depend on it.
type sigCache struct {
	mu    sync.Mutex
	byTx  map[[32]byte]signers
	order [][32]byte // ring of insertion order
	next  int
}

func newSigCache(size int) *sigCache {
	if size < 1 {
		size = 1
	}
	return &sigCache{byTx: make(map[[32]byte]signers, size), order: make([][32]byte, size)}
}

func (c *sigCache) get(hash [32]byte) (signers, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.byTx[hash]
	return a, ok
}

func (c *sigCache) add(hash [32]byte, s signers) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byTx[hash]; ok {
		return
	}
	if old := c.order[c.next]; old != ([32]byte{}) {
		delete(c.byTx, old)
	}
	c.order[c.next] = hash
	c.next = (c.next + 1) % len(c.order)
	c.byTx[hash] = s
}

func (c *sigCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byTx)
}
