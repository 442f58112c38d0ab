package history

import (
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	"github.com/ledgerd/ledgerd/x/history"
)

// BlockEntries returns the history entries block height wrote, in the
// order it wrote them: those of its block-level events (begin- and
// end-block work, before and after the transactions), then those of each
// successful transaction. A failed transaction writes none. It fails on a
// malformed history event.
func BlockEntries(height int64, resp *abci.ResponseFinalizeBlock) ([]*historyv1.Entry, error) {
	var out []*historyv1.Entry
	add := func(events []abci.Event, where string) error {
		for _, ev := range events {
			if ev.Type != history.Event {
				continue
			}
			e, err := history.FromEvent(ev, height)
			if err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			out = append(out, e)
		}
		return nil
	}
	if err := add(resp.Events, "block events"); err != nil {
		return nil, err
	}
	for i, r := range resp.TxResults {
		if r == nil || r.Code != abci.CodeTypeOK {
			continue
		}
		if err := add(r.Events, fmt.Sprintf("tx %d", i)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ResultsLoader returns the FinalizeBlock response of a committed height:
// CometBFT's state store (state.Store.LoadFinalizeBlockResponse).
type ResultsLoader func(height int64) (*abci.ResponseFinalizeBlock, error)

// catchUpHeights is how many heights CatchUp writes per watermark step.
const catchUpHeights = 256

// CatchUp applies the heights after the watermark up to and including to,
// reading their entries from load, and returns how many heights it applied.
// It advances the watermark every few hundred heights, so that an
// interrupted catch-up resumes where it stopped. A height load cannot give
// is an error naming it: the index cannot be completed from these results.
func (x *Index) CatchUp(to int64, load ResultsLoader) (int64, error) {
	start := x.Watermark()
	applied := func() int64 { return x.Watermark() - start }
	for h := start + 1; h <= to; {
		var blocks []block
		for ; h <= to && len(blocks) < catchUpHeights; h++ {
			resp, err := load(h)
			if err != nil {
				return applied(), fmt.Errorf("history: FinalizeBlock results of height %d: %w", h, err)
			}
			entries, err := BlockEntries(h, resp)
			if err != nil {
				return applied(), fmt.Errorf("history: height %d: %w", h, err)
			}
			blocks = append(blocks, block{height: h, entries: entries})
		}
		if err := x.applyBlocks(blocks); err != nil {
			return applied(), err
		}
	}
	return applied(), nil
}
