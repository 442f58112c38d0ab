package node

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/ledgerd/ledgerd/x/module"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)} }

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testBudget is a budget on clock whose refusals are held 50 ms of it.
func testBudget(clock *fakeClock, perSecond, burst time.Duration, maxPending int) *queryBudget {
	return newQueryBudget(QueryConfig{TimePerSecond: perSecond, Burst: burst, MaxPending: maxPending, RefusalDelay: 50 * time.Millisecond},
		clock.now, clock.advance)
}

func wantBusy(t *testing.T, err error, detail string) {
	t.Helper()
	if !errors.Is(err, module.ErrBusy) {
		t.Fatalf("admit: got %v, want query/10 (ErrBusy)", err)
	}
	if !strings.Contains(err.Error(), detail) {
		t.Fatalf("admit: %q does not say %q", err, detail)
	}
}

// TestQueryBudgetRefill: a query is admitted while query time is left,
// charged all it took (the bucket may go below zero), and the bucket
// refills at time_per_second, never past burst.
func TestQueryBudgetRefill(t *testing.T) {
	clock := newFakeClock()
	b := testBudget(clock, 200*time.Millisecond, time.Second, 8)
	if err := b.admit(); err != nil {
		t.Fatal(err)
	}
	b.done(time.Second) // the whole burst
	wantBusy(t, b.admit(), "retry in 5ms")
	clock.advance(4 * time.Millisecond) // earns 0.8 ms
	if err := b.admit(); err != nil {
		t.Fatalf("0.8 ms left: %v", err)
	}
	b.done(3 * time.Second) // overspent: -2.9992 s
	clock.advance(10 * time.Second)
	wantBusy(t, b.admit(), "retry in 5.001s") // earned 2 s: -0.9992 s
	clock.advance(4 * time.Second)            // +0.8 s: -0.1992 s
	wantBusy(t, b.admit(), "retry in 1.001s")
	clock.advance(time.Second) // +0.2 s: 0.0008 s
	if err := b.admit(); err != nil {
		t.Fatal(err)
	}
	b.done(0)
	clock.advance(time.Hour) // refills to burst, not beyond
	for i := range 5 {
		if err := b.admit(); err != nil {
			t.Fatalf("query %d of a full bucket: %v", i, err)
		}
		b.done(200 * time.Millisecond)
	}
	wantBusy(t, b.admit(), "time_per_second")
}

// TestQueryBudgetOverhead: every query is charged the RPC overhead on top
// of its own time, which caps the rate of cheap queries.
func TestQueryBudgetOverhead(t *testing.T) {
	clock := newFakeClock()
	b := newQueryBudget(QueryConfig{TimePerSecond: 100 * time.Millisecond, Burst: 100 * time.Millisecond, MaxPending: 8,
		RPCOverhead: time.Millisecond}, clock.now, clock.advance)
	answered := 0
	for b.admit() == nil {
		b.done(0)
		answered++
	}
	if answered != 100 {
		t.Fatalf("%d instant queries answered from 100 ms of budget at 1 ms each, want 100", answered)
	}
	clock.advance(time.Second)
	for b.admit() == nil {
		b.done(0)
		answered++
	}
	if answered != 200 {
		t.Fatalf("%d answered after another second, want 200", answered)
	}
}

// TestQueryBudgetMaxPending: at most max_pending queries are admitted at
// once, whatever time is left; a finished one frees its place.
func TestQueryBudgetMaxPending(t *testing.T) {
	clock := newFakeClock()
	b := testBudget(clock, time.Second, time.Minute, 2)
	for range 2 {
		if err := b.admit(); err != nil {
			t.Fatal(err)
		}
	}
	wantBusy(t, b.admit(), "max_pending")
	b.done(time.Millisecond)
	if err := b.admit(); err != nil {
		t.Fatalf("after one finished: %v", err)
	}
}

// TestQueryBudgetBoundsAFlood: a flood of 10 ms queries, each retried as
// soon as its refusal comes, over a minute: the queries answered take at
// most burst + time_per_second per second, plus the one admitted last, and
// use most of that; the refusals come at most one per refusal delay.
func TestQueryBudgetBoundsAFlood(t *testing.T) {
	clock := newFakeClock()
	const perSecond, burst, query = 200 * time.Millisecond, time.Second, 10 * time.Millisecond
	b := testBudget(clock, perSecond, burst, 8)
	var spent time.Duration
	refused := 0
	end := clock.now().Add(time.Minute)
	for clock.now().Before(end) {
		if err := b.admit(); err != nil {
			b.refuse() // held: the flood's next try comes 50 ms later
			refused++
			continue
		}
		clock.advance(query)
		b.done(query)
		spent += query
	}
	limit := burst + 60*perSecond + query
	if spent > limit || spent < limit-burst {
		t.Fatalf("a minute's flood took %s of query time; want at most %s and close to it", spent, limit)
	}
	if max := int((time.Minute - spent) / (50 * time.Millisecond)); refused > max {
		t.Fatalf("%d refusals in a minute, more than one per 50 ms of the time not spent answering (%d)", refused, max)
	}
}

// countingQueries counts the queries it answers; a query of /spend
// advances clock by a second while it runs.
type countingQueries struct {
	abci.BaseApplication
	clock   *fakeClock
	mu      sync.Mutex
	queries int
}

func (a *countingQueries) Query(_ context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	a.mu.Lock()
	a.queries++
	a.mu.Unlock()
	if req.Path == "/spend" {
		a.clock.advance(time.Second)
	}
	return &abci.ResponseQuery{}, nil
}

// TestQueryConnectionBudget: the query connection charges a query the time
// it ran, refuses the next one with query/10 after the refusal delay
// without asking the app, and still answers the peer filter at once.
func TestQueryConnectionBudget(t *testing.T) {
	clock := newFakeClock()
	app := &countingQueries{clock: clock}
	c, err := clientCreator{app: app, budget: testBudget(clock, 100*time.Millisecond, time.Second, 8)}.NewABCIClient()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if r, err := c.Query(ctx, &abci.RequestQuery{Path: "/spend"}); err != nil || r.Code != 0 {
		t.Fatalf("first query: %v %v", r, err)
	}
	before := clock.now()
	r, err := c.Query(ctx, &abci.RequestQuery{Path: "/wallet/denoms"})
	if held := clock.now().Sub(before); held != 50*time.Millisecond {
		t.Fatalf("the refusal was held %s, want the refusal delay of 50ms", held)
	}
	if err != nil || r.Codespace != module.ErrBusy.Codespace || r.Code != module.ErrBusy.Code {
		t.Fatalf("over budget: got %v %v, want %s/%d", r, err, module.ErrBusy.Codespace, module.ErrBusy.Code)
	}
	before = clock.now()
	for _, path := range []string{"/p2p/filter/id/abc", "/p2p/filter/addr/127.0.0.1:26656"} {
		if r, err := c.Query(ctx, &abci.RequestQuery{Path: path}); err != nil || r.Code != 0 {
			t.Fatalf("%s over budget: %v %v", path, r, err)
		}
	}
	if clock.now() != before {
		t.Fatal("the peer filter's queries were held")
	}
	if app.queries != 3 {
		t.Fatalf("the app answered %d queries, want 3 (the refused one never reached it)", app.queries)
	}
	clock.advance(time.Second) // 0.1 s earned (and the 50 ms refusal: 5 ms)
	if r, err := c.Query(ctx, &abci.RequestQuery{Path: "/wallet/denoms"}); err != nil || r.Code != 0 {
		t.Fatalf("after refill: %v %v", r, err)
	}
}
