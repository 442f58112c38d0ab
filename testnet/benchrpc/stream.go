package benchrpc

import (
	"math/rand/v2"

	"github.com/ledgerd/ledgerd/testnet/load"
)

// item is one transaction to send; key names its signer in the stream.
type item struct {
	key int
	tx  []byte
}

// A stream is one worker's transactions, in the order they must be sent,
// and what to do when the node refuses one. It is used by one goroutine.
type stream interface {
	// take returns up to n transactions, at most one per signer, so that a
	// batch never holds two transactions of one signer; none when the
	// stream is exhausted. An item taken comes again from the next take
	// until it is settled with accepted or refused (the driver sends an
	// item refused for a full mempool again that way).
	take(n int) []item
	// accepted: the node admitted the item, or already held it.
	accepted(key int)
	// refused: the node refused the item with o, for another reason than a
	// full mempool. The stream decides what comes next; it returns true if
	// the worker should pause before it sends again.
	refused(key int, o load.Outcome) (pause bool)
	// skipped counts the transactions given up after refusals; rewinds
	// counts signers sent again from their committed nonce.
	skipped() int
	rewinds() int
}

// kvStream makes fresh kvstore transactions, "key=value" of hex digits
// with a random 16-digit key, size bytes each, without end.
type kvStream struct {
	rng     *rand.Rand
	size    int
	pending []item
}

func newKVStream(seed uint64, size int) *kvStream {
	return &kvStream{rng: rand.New(rand.NewPCG(seed, 0x6b7673746f7265)), size: max(size, 20)}
}

func (s *kvStream) take(n int) []item {
	for len(s.pending) < n {
		s.pending = append(s.pending, item{key: len(s.pending), tx: s.tx()})
	}
	return s.pending[:n]
}

// tx makes a transaction of s.size hex digits with a "=" after the 16th.
func (s *kvStream) tx() []byte {
	const digits = "0123456789abcdef"
	tx := make([]byte, s.size)
	for i := 0; i < len(tx); i += 16 {
		u := s.rng.Uint64()
		for j := i; j < min(i+16, len(tx)); j++ {
			tx[j] = digits[u&15]
			u >>= 4
		}
	}
	tx[16] = '='
	return tx
}

func (s *kvStream) accepted(key int) { s.pending[key].tx = s.tx() }

// refused: the kvstore refuses only malformed transactions; make another.
func (s *kvStream) refused(key int, _ load.Outcome) bool {
	s.pending[key].tx = s.tx()
	return false
}

func (s *kvStream) skipped() int { return 0 }
func (s *kvStream) rewinds() int { return 0 }
