package testnet

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ledgerd/ledgerd/testnet/load"
)

// Schedule is a sequence of faults applied one after another while the
// load runs.
type Schedule []Fault

// ShortSchedule is the schedule `make test` runs on 4 validators: one kill,
// one restart, one pause, one disconnect (skipped where nodes cannot be cut
// off), then two validators (more than a third) killed at once.
func ShortSchedule() Schedule {
	return Schedule{
		{Kind: Kill, Nodes: []int{1}},
		{Kind: Restart, Nodes: []int{2}},
		{Kind: Pause, Nodes: []int{3}},
		{Kind: Disconnect, Nodes: []int{0}},
		{Kind: Kill, Nodes: []int{0, 1}, Hold: 10 * time.Second},
	}
}

// RandomSchedule draws faults from seed until their expected time reaches
// d: mostly one validator at a time, with every fifth fault or so taking
// more than a third of the validators down. kinds are the perturbations to
// draw from.
func RandomSchedule(seed uint64, d time.Duration, validators int, kinds []string) Schedule {
	rng := rand.New(rand.NewPCG(seed, 3))
	var s Schedule
	for total := time.Duration(0); total < d; {
		f := Fault{Kind: kinds[rng.IntN(len(kinds))]}
		n := 1
		if rng.IntN(5) == 0 {
			n = validators/3 + 1 // more than a third: the network must halt
		}
		f.Nodes = rng.Perm(validators)[:n]
		if f.Kind == Kill || f.Kind == Restart {
			f.Hold = time.Duration(rng.IntN(8)) * time.Second
		} else {
			f.Hold = time.Duration(5+rng.IntN(10)) * time.Second
		}
		s = append(s, f)
		total += f.Hold + 15*time.Second // recovery and the pause between faults
	}
	return s
}

// ScheduleResult is what a schedule run measured.
type ScheduleResult struct {
	Load    *load.Report
	Applied []Fault
	Skipped []Fault // perturbations the nodes do not support
	Height  int64   // the height up to which all nodes were compared
}

// RunSchedule runs g's payments at rate while it applies the faults of s
// one by one (with a few seconds between them), stops the payments, waits
// for those in flight, and checks the network: the same chain on every
// node (CheckSameChain) and the ledger the payments produced (CheckLedger).
func (c *Cluster) RunSchedule(ctx context.Context, g *load.Generator, s Schedule, rate float64, denom string, seed uint64) (*ScheduleResult, error) {
	stop := make(chan struct{})
	type outcome struct {
		r   *load.Report
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		r, err := g.Run(ctx, load.Step{Rate: rate, Duration: 24 * time.Hour, Until: stop, Drain: 90 * time.Second})
		done <- outcome{r, err}
	}()
	res := &ScheduleResult{}
	var faultErr error
	if err := sleep(ctx, 5*time.Second); err != nil { // the load settles first
		faultErr = err
	}
	for _, f := range s {
		if faultErr != nil {
			break
		}
		err := c.Apply(ctx, f)
		switch {
		case errors.Is(err, ErrUnsupported):
			c.Logf("fault: %s skipped: %v", f, err)
			res.Skipped = append(res.Skipped, f) // nodes of one kind: the first refused, none was touched
			continue
		case err != nil:
			faultErr = fmt.Errorf("fault %s: %w", f, err)
			continue
		}
		res.Applied = append(res.Applied, f)
		faultErr = sleep(ctx, 3*time.Second)
	}
	close(stop)
	out := <-done
	if faultErr != nil {
		return res, faultErr
	}
	if out.err != nil {
		return res, out.err
	}
	res.Load = out.r
	c.Logf("load: %s", out.r)
	if out.r.Bad != nil && out.r.Bad.Admitted > 0 {
		return res, fmt.Errorf("%d bad transactions were admitted: %v", out.r.Bad.Admitted, out.r.Bad.AdmittedKinds)
	}
	// Every payment is resolved, so none is committed past the tip. Compare
	// the chains up to a height past it, and check the ledger at the tip or
	// later, where the next header, which proves the state, exists on every
	// node.
	h, err := c.CheckSameChain(ctx, c.Tip(ctx)+1)
	if err != nil {
		return res, err
	}
	res.Height = h
	return res, c.CheckLedger(ctx, g, h-1, denom, 50, seed)
}
