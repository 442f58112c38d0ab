package history

import (
	"context"
	"fmt"
	"sync"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtlog "github.com/cometbft/cometbft/libs/log"
)

// recordQueue is how many committed blocks may wait for the index before
// Commit waits for it.
const recordQueue = 16

// Recorder is an ABCI application that feeds an Index from the outside of
// the app it wraps: it keeps each FinalizeBlock response and, once Commit
// has succeeded, hands it to a goroutine that extracts the block's history
// entries and applies them, in height order, behind consensus. The app's
// answers pass through unchanged.
//
// The index may therefore lag the state by a few blocks (at most
// recordQueue before Commit waits), and a crash loses what was queued:
// the node catches the index up when it next starts (see Index.CatchUp).
// A failure of the index never fails a block: the index stops (see
// Index.Stopped), the failure is logged, and the next start catches it up.
type Recorder struct {
	abci.Application
	x   *Index
	log cmtlog.Logger

	mu      sync.Mutex
	height  int64 // of the block finalized and not yet committed; 0: none
	resp    *abci.ResponseFinalizeBlock
	closed  bool
	queue   chan committed
	pending sync.WaitGroup
	done    chan struct{}
}

type committed struct {
	height int64
	resp   *abci.ResponseFinalizeBlock
}

// Record returns app recording into x. Close it after the last Commit.
func Record(app abci.Application, x *Index, logger cmtlog.Logger) *Recorder {
	r := &Recorder{Application: app, x: x, log: logger, queue: make(chan committed, recordQueue), done: make(chan struct{})}
	go r.run()
	return r
}

func (r *Recorder) FinalizeBlock(ctx context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	resp, err := r.Application.FinalizeBlock(ctx, req)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.height, r.resp = 0, nil
	if err == nil {
		r.height, r.resp = req.Height, resp
	}
	return resp, err
}

func (r *Recorder) Commit(ctx context.Context, req *abci.RequestCommit) (*abci.ResponseCommit, error) {
	resp, err := r.Application.Commit(ctx, req)
	if err != nil {
		return resp, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c := committed{height: r.height, resp: r.resp}
	r.height, r.resp = 0, nil
	if c.height == 0 || r.closed || r.x.Stopped() != nil {
		return resp, nil
	}
	r.pending.Add(1)
	r.queue <- c // waits while recordQueue blocks are ahead of it
	return resp, nil
}

func (r *Recorder) run() {
	defer close(r.done)
	for c := range r.queue {
		if r.x.Stopped() == nil {
			entries, err := BlockEntries(c.height, c.resp)
			if err == nil {
				err = r.x.Apply(c.height, entries)
			}
			if err != nil {
				r.x.stop(fmt.Errorf("height %d: %w", c.height, err))
				r.log.Error("history index stopped: /history queries fail until the node restarts and catches it up",
					"height", c.height, "err", err, "dir", r.x.Dir())
			}
		}
		r.pending.Done()
	}
}

// Sync waits until every block committed so far is applied (or dropped by a
// stopped index).
func (r *Recorder) Sync() { r.pending.Wait() }

// Close applies the blocks still queued and stops the recorder. Commits
// after Close are not recorded.
func (r *Recorder) Close() {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.queue)
	}
	r.mu.Unlock()
	<-r.done
}
