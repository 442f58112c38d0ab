package node

import (
	"fmt"
	"sync"
	"time"

	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/module"
)

// queryBudget bounds the share of the machine that RPC callers' queries
// take from block production: a token bucket of query time, refilled at
// perSecond of query time per second of wall time up to burst, from which
// every answered query's own time (measured while it runs, not while it
// waits for the query connection) is taken, plus overhead: a fixed charge
// for the RPC layer's work on it (HTTP, JSON), which is not timed per query
// and on cheap queries costs more than the query; and a cap on the queries
// admitted at once (running, or waiting for the connection). A query that
// finds the bucket empty, or the cap reached, is neither run nor queued but
// refused with module.ErrBusy: the caller retries later. The refusal is
// sent after refusalDelay (refuse), so that a caller retrying at once, as a
// flood does, spends that time waiting rather than the node's CPU on a loop
// of refusals: the RPC layer's cost of refusals is then at most one per
// refusalDelay per open RPC connection.
//
// A query is admitted while any time is left, and then charged all the
// time it took, so the bucket can go below zero; it is refilled before
// the next query is admitted. Over any interval of length T, queries take
// at most burst + perSecond*T, plus the time of the queries admitted when
// the bucket ran out (at most maxPending of them).
//
// Safe for concurrent use. The clock is injected (now) so that tests are
// deterministic.
type queryBudget struct {
	perSecond  time.Duration
	burst      time.Duration
	maxPending int
	overhead   time.Duration
	// refusalDelay holds a refusal before it is sent; sleep waits.
	refusalDelay time.Duration
	now          func() time.Time
	sleep        func(time.Duration)

	mu      sync.Mutex
	tokens  time.Duration // query time left; negative: overspent
	last    time.Time     // when tokens was last refilled
	pending int           // admitted and not done
}

// newQueryBudget returns a full budget of c's settings, reading the time
// from now and waiting with sleep.
func newQueryBudget(c QueryConfig, now func() time.Time, sleep func(time.Duration)) *queryBudget {
	return &queryBudget{
		perSecond: c.TimePerSecond, burst: c.Burst, maxPending: c.MaxPending, overhead: c.RPCOverhead, refusalDelay: c.RefusalDelay,
		now: now, sleep: sleep, tokens: c.Burst, last: now(),
	}
}

// admit takes a place for one query, or refuses it with module.ErrBusy
// when the query time is spent or maxPending queries are admitted already.
// The caller runs the query and then calls done once, with the time the
// query itself took.
func (b *queryBudget) admit() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill()
	if b.tokens <= 0 {
		return errcode.Wrap(module.ErrBusy, "this node's queries have used their %s of every second ([query] time_per_second); retry in %s",
			b.perSecond, b.refillTime(-b.tokens+time.Millisecond).Round(time.Millisecond))
	}
	if b.pending >= b.maxPending {
		return errcode.Wrap(module.ErrBusy, "%d queries are being answered or waiting ([query] max_pending); retry in a moment", b.pending)
	}
	b.pending++
	return nil
}

// done releases an admitted query's place and charges the time it took,
// plus the RPC layer's overhead.
func (b *queryBudget) done(took time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill()
	b.pending--
	b.tokens -= took + b.overhead
}

// refuse waits refusalDelay before a refusal is sent. It holds no lock.
func (b *queryBudget) refuse() {
	if b.refusalDelay > 0 {
		b.sleep(b.refusalDelay)
	}
}

// refill adds the query time earned since the last refill, up to burst.
func (b *queryBudget) refill() {
	t := b.now()
	elapsed := t.Sub(b.last)
	if elapsed <= 0 {
		return
	}
	b.last = t
	// elapsed*perSecond/1s without overflow (perSecond is at most 1s).
	earned := (elapsed/time.Second)*b.perSecond + (elapsed%time.Second)*b.perSecond/time.Second
	b.tokens = min(b.tokens+earned, b.burst)
}

// refillTime is how long the bucket takes to earn d of query time.
func (b *queryBudget) refillTime(d time.Duration) time.Duration {
	// d*1s/perSecond without overflow.
	return (d/b.perSecond)*time.Second + (d%b.perSecond)*time.Second/b.perSecond
}

// String describes the budget's settings, for the node's log.
func (b *queryBudget) String() string {
	return fmt.Sprintf("%s of query time per second, burst %s, each query charged its time plus %s, at most %d queries at once, refusals sent after %s",
		b.perSecond, b.burst, b.overhead, b.maxPending, b.refusalDelay)
}
