package collectclient

import (
	"context"
	"fmt"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/ledgerd/ledgerd/x/collect"
	"github.com/ledgerd/ledgerd/x/credit"
)

// WatchEvent is one of a bank's collection events, as `ledgerd collect
// watch` prints it (a JSON line): the height and the event's attributes.
type WatchEvent struct {
	Height int64             `json:"height"`
	Type   string            `json:"type"`
	Attrs  map[string]string `json:"attrs"`
}

// watched are the event types a bank's notification systems follow: the
// pre-due reminders (due), the first day past due (overdue), cases opening,
// moving stage and closing, promises.
var watched = map[string]bool{
	credit.EventReminder: true, credit.EventOverdueNotice: true,
	collect.EventCase: true, collect.EventPromise: true,
}

// BankEvents returns the events among evs, of the block at height, that
// concern lender bank, in their order.
func BankEvents(height int64, evs []abci.Event, bank string) []WatchEvent {
	var out []WatchEvent
	for _, e := range evs {
		if !watched[e.Type] {
			continue
		}
		attrs := make(map[string]string, len(e.Attributes))
		for _, a := range e.Attributes {
			attrs[a.Key] = a.Value
		}
		if attrs["lender"] != bank {
			continue
		}
		out = append(out, WatchEvent{Height: height, Type: e.Type, Attrs: attrs})
	}
	return out
}

// Watch sends to out the events that concern lender bank, block by block
// from height from (0: the next block), in order, until ctx ends or out
// fails. It reads each block's results (block and transaction events), so
// nothing is missed across restarts: resume with the height after the
// last one seen. New blocks are awaited through CometBFT's NewBlock
// event subscription when the node's WebSocket is reachable, else by
// polling every poll.
func (c Client) Watch(ctx context.Context, bank string, from int64, poll time.Duration, out func(WatchEvent) error) error {
	rpc := c.RPC()
	var wake <-chan struct{}
	if err := rpc.Start(); err == nil || rpc.IsRunning() {
		if evs, err := rpc.Subscribe(ctx, "ledgerd-collect-watch", "tm.event='NewBlock'"); err == nil {
			ch := make(chan struct{}, 1)
			go func() {
				for range evs {
					select {
					case ch <- struct{}{}:
					default:
					}
				}
			}()
			wake = ch
		}
	}
	next := from
	for {
		latest, err := c.LatestHeight(ctx)
		if err != nil {
			return err
		}
		if next == 0 {
			next = latest + 1
		}
		for ; next <= latest; next++ {
			h := next
			res, err := rpc.BlockResults(ctx, &h)
			if err != nil {
				return fmt.Errorf("block %d results: %w", h, err)
			}
			evs := append([]abci.Event{}, res.FinalizeBlockEvents...)
			for _, tx := range res.TxsResults {
				if tx.Code == 0 {
					evs = append(evs, tx.Events...)
				}
			}
			for _, e := range BankEvents(h, evs, bank) {
				if err := out(e); err != nil {
					return err
				}
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
		case <-time.After(poll):
		}
	}
}
