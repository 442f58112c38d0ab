package history

import (
	"fmt"
	"strconv"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// BlockEntries returns the history entries a block wrote, in the order it
// wrote them: those of its block-level events (freeze orders lifted at
// expiry, before any transaction), then those of each successful
// transaction. A failed transaction writes none. It fails on a malformed
// wallet.EventHistory event, whose attributes must agree with its entry.
func BlockEntries(resp *abci.ResponseFinalizeBlock) ([]*walletv1.HistoryEntry, error) {
	var out []*walletv1.HistoryEntry
	add := func(events []abci.Event, where string) error {
		for _, ev := range events {
			if ev.Type != wallet.EventHistory {
				continue
			}
			attrs := make(map[string]string, len(ev.Attributes))
			for _, a := range ev.Attributes {
				attrs[a.Key] = a.Value
			}
			e, err := wallet.HistoryFromEvent(ev.Type, attrs)
			if err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			if len(e.Wallet) != addressLen || !common.IsHexAddress(attrs["wallet"]) ||
				common.HexToAddress(attrs["wallet"]) != common.BytesToAddress(e.Wallet) ||
				attrs["seq"] != strconv.FormatUint(e.Seq, 10) {
				return fmt.Errorf("%s: history event says wallet %s seq %s, its entry is of %x seq %d",
					where, attrs["wallet"], attrs["seq"], e.Wallet, e.Seq)
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
			entries, err := BlockEntries(resp)
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
