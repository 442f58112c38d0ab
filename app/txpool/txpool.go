// Package txpool holds the transactions a node admitted to its mempool
// when the application keeps the mempool itself (CometBFT's
// mempool.type = "app"): in admission order, bounded in count and bytes,
// indexed by hash, with the queue of those not yet gossiped to peers.
//
// Admission order is the order the app checked them in, one after another
// on its check state, so each signer's transactions are in nonce order and
// any prefix of the pool is a proposal without nonce gaps. The pool does
// not check anything itself and is not safe for concurrent use: its owner
// serialises every call (package app does so under its check lock).
package txpool

import "errors"

// Hash is a transaction's SHA-256.
type Hash = [32]byte

// Tx is an admitted transaction with what its owner keeps of it (the
// decoded transaction, so that it is not decoded again after each block).
type Tx[T any] struct {
	Hash Hash
	Raw  []byte
	Data T
	// kept counts the Retain calls it survived.
	kept int
}

// Re-gossip: a transaction still pending after regossipAfter blocks (Retain
// calls), and every regossipEvery blocks after that, is queued for gossip
// again. A peer that refused it for a passing reason (its pool was full,
// or the signer's previous transaction had not reached it yet), or that
// never received it, gets another chance; otherwise a proposer that lacks
// it would never include it, and it would wait for another proposer. A
// peer that holds it answers from its cache of seen transactions.
const (
	regossipAfter = 2
	regossipEvery = 8
)

// ErrFull is returned by Add when the pool holds its maximum count or
// bytes.
var ErrFull = errors.New("txpool: full")

// ErrDuplicate is returned by Add for a transaction the pool holds.
var ErrDuplicate = errors.New("txpool: already pending")

// Pool is the admitted transactions, oldest first.
type Pool[T any] struct {
	maxTxs   int
	maxBytes int64

	txs    []*Tx[T]
	byHash map[Hash]*Tx[T]
	bytes  int64
	// gossip are the transactions admitted (or due for re-gossip) since the
	// last Gossip, oldest first; bounded by maxTxs, since a node that never
	// gossips (mempool broadcast off) never drains it.
	gossip [][]byte
}

// New returns an empty pool holding at most maxTxs transactions and
// maxBytes bytes of them (maxBytes 0: no byte bound).
func New[T any](maxTxs int, maxBytes int64) *Pool[T] {
	return &Pool[T]{maxTxs: max(maxTxs, 1), maxBytes: maxBytes, byHash: map[Hash]*Tx[T]{}}
}

// Len is the number of pending transactions.
func (p *Pool[T]) Len() int { return len(p.txs) }

// Bytes is the size of the pending transactions.
func (p *Pool[T]) Bytes() int64 { return p.bytes }

// Has says whether the pool holds the transaction with hash h.
func (p *Pool[T]) Has(h Hash) bool {
	_, ok := p.byHash[h]
	return ok
}

// Get returns the pending transaction with hash h, if the pool holds it.
func (p *Pool[T]) Get(h Hash) (*Tx[T], bool) {
	tx, ok := p.byHash[h]
	return tx, ok
}

// Full says whether a transaction of size bytes would not fit.
func (p *Pool[T]) Full(size int) bool {
	return len(p.txs) >= p.maxTxs || p.maxBytes > 0 && p.bytes+int64(size) > p.maxBytes
}

// Room returns ErrFull if a transaction of size bytes would not fit,
// ErrDuplicate if the pool holds h, and nil otherwise. The owner asks
// before checking a transaction against its state, so that a refused one
// leaves no trace there.
func (p *Pool[T]) Room(h Hash, size int) error {
	switch {
	case p.Has(h):
		return ErrDuplicate
	case p.Full(size):
		return ErrFull
	}
	return nil
}

// Add appends tx as the newest pending transaction and queues it for
// gossip. It fails as Room does.
func (p *Pool[T]) Add(tx *Tx[T]) error {
	if err := p.Room(tx.Hash, len(tx.Raw)); err != nil {
		return err
	}
	p.txs = append(p.txs, tx)
	p.byHash[tx.Hash] = tx
	p.bytes += int64(len(tx.Raw))
	p.queueGossip(tx.Raw)
	return nil
}

// queueGossip queues raw for the next Gossip, dropping the oldest queued
// when maxTxs are.
func (p *Pool[T]) queueGossip(raw []byte) {
	if len(p.gossip) == p.maxTxs {
		p.gossip = p.gossip[1:]
	}
	p.gossip = append(p.gossip, raw)
}

// Reap returns the oldest pending transactions, in order, up to maxTxs of
// them and maxBytes of their bytes; the pool keeps them until Retain drops
// them.
func (p *Pool[T]) Reap(maxTxs int, maxBytes int64) [][]byte {
	var out [][]byte
	var size int64
	for _, tx := range p.txs {
		if len(out) >= maxTxs || size+int64(len(tx.Raw)) > maxBytes {
			break
		}
		out = append(out, tx.Raw)
		size += int64(len(tx.Raw))
	}
	return out
}

// Gossip returns the transactions admitted, or due for re-gossip
// (regossipAfter), since the last call, oldest first, up to maxBytes of
// them (0: all); the rest wait for the next call.
func (p *Pool[T]) Gossip(maxBytes uint64) [][]byte {
	n := len(p.gossip)
	if maxBytes > 0 {
		var size uint64
		for i, raw := range p.gossip {
			if size+uint64(len(raw)) > maxBytes {
				n = i
				break
			}
			size += uint64(len(raw))
		}
	}
	out := p.gossip[:n:n]
	p.gossip = p.gossip[n:]
	if len(p.gossip) == 0 {
		p.gossip = nil
	}
	return out
}

// Retain walks the pending transactions oldest first and keeps those for
// which keep returns true, in order; it returns how many it dropped. After
// a block, the owner drops those the block included and checks the others
// again on its new state. A transaction kept long enough is queued for
// gossip again (regossipAfter).
func (p *Pool[T]) Retain(keep func(*Tx[T]) bool) (dropped int) {
	kept := p.txs[:0]
	for _, tx := range p.txs {
		if keep(tx) {
			kept = append(kept, tx)
			tx.kept++
			if tx.kept == regossipAfter || tx.kept > regossipAfter && (tx.kept-regossipAfter)%regossipEvery == 0 {
				p.queueGossip(tx.Raw)
			}
			continue
		}
		delete(p.byHash, tx.Hash)
		p.bytes -= int64(len(tx.Raw))
		dropped++
	}
	clear(p.txs[len(kept):])
	p.txs = kept
	return dropped
}
