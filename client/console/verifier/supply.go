package verifier

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"google.golang.org/protobuf/proto"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
)

// SupplyPoints is how many heights the supply chart samples.
const SupplyPoints = 24

// SupplySeries is the bank page's supply over time: the supply of every
// denom at a series of recent heights, each height's supply records proven
// as a complete range against the app hash of that height's own verified
// header.
type SupplySeries struct {
	// Proof is verified when every point is (its mark is the newest
	// point's); a point that fails verification makes it red with the
	// reason, and no point is shown.
	Proof     Section       `json:"proof"`
	UTCOffset int32         `json:"utc_offset"`
	Span      int64         `json:"span"` // in blocks, as sampled
	Points    []SupplyPoint `json:"points"`
	// Skipped are heights the node could not answer (a pruned state
	// version, a block no longer kept), with its reason: not shown.
	Skipped []SkippedHeight `json:"skipped"`
}

// SupplyPoint is the supply per denom at one height.
type SupplyPoint struct {
	Mark     Mark     `json:"mark"`
	Supplies []Amount `json:"supplies"`
}

// SkippedHeight is a height left out of the chart, and why.
type SkippedHeight struct {
	Height int64  `json:"height"`
	Reason string `json:"reason"`
}

// SupplyHistory proves the supply records at (at most) SupplyPoints
// heights spread evenly over the last span blocks of the proven state (the
// newest one the node has a header above; span shrinks to the chain's
// length), several heights at a time. A height the node cannot answer
// (pruned) is skipped and listed; a height whose answer fails its proof
// makes the whole series red.
func (v *Verifier) SupplyHistory(ctx context.Context, span int64) (*SupplySeries, error) {
	if span < 1 || span > 1_000_000 {
		return nil, fmt.Errorf("span %d: want 1 to 1000000 blocks", span)
	}
	out := &SupplySeries{Span: span, Points: []SupplyPoint{}, Skipped: []SkippedHeight{}}
	offset, dec, mark, err := v.units(ctx)
	if err != nil {
		out.Proof = failed(err)
		return out, nil
	}
	out.UTCOffset = offset
	// A chain shorter than span: spread the points over what there is.
	out.Span = min(span, max(1, mark.Height-1))
	step := max(1, out.Span/(SupplyPoints-1))
	var heights []int64
	for i := int64(SupplyPoints - 1); i >= 0; i-- {
		if h := mark.Height - i*step; h >= 1 {
			heights = append(heights, h)
		}
	}
	points := make([]*SupplyPoint, len(heights))
	errs := make([]error, len(heights))
	var wg sync.WaitGroup
	sem := make(chan struct{}, parallelPages)
	for i, h := range heights {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, h int64) {
			defer func() { <-sem; wg.Done() }()
			points[i], errs[i] = v.supplyAt(ctx, h, dec)
		}(i, h)
	}
	wg.Wait()
	for i, err := range errs {
		switch {
		case err == nil:
			out.Points = append(out.Points, *points[i])
		case errors.Is(err, ErrNotVerified) || ctx.Err() != nil:
			out.Points, out.Skipped = []SupplyPoint{}, []SkippedHeight{}
			out.Proof = failed(fmt.Errorf("supply at height %d: %w", heights[i], err))
			return out, nil
		default:
			out.Skipped = append(out.Skipped, SkippedHeight{Height: heights[i], Reason: err.Error()})
		}
	}
	if len(out.Points) == 0 {
		out.Proof = failed(errors.New("the node answered for none of the heights"))
		return out, nil
	}
	out.Proof = verified(out.Points[len(out.Points)-1].Mark)
	return out, nil
}

// supplyAt proves every supply record at height as a complete range.
func (v *Verifier) supplyAt(ctx context.Context, height int64, dec Decimals) (*SupplyPoint, error) {
	pairs, mark, complete, err := v.Range(ctx, walletStore, []byte{supplyPrefix}, height, maxIssuances)
	if err != nil {
		return nil, err
	}
	if !complete {
		return nil, fmt.Errorf("more than %d supply records: %w", maxIssuances, ErrNotVerified)
	}
	p := &SupplyPoint{Mark: mark, Supplies: []Amount{}}
	for _, kv := range pairs {
		c := new(walletv1.Coin)
		if err := proto.Unmarshal(kv.value, c); err != nil {
			return nil, fmt.Errorf("supply record %X does not decode: %w: %v", kv.key, ErrNotVerified, err)
		}
		p.Supplies = append(p.Supplies, dec.Amount(c.Amount, string(kv.key[1:])))
	}
	slices.SortFunc(p.Supplies, func(a, b Amount) int {
		if a.Denom < b.Denom {
			return -1
		}
		if a.Denom > b.Denom {
			return 1
		}
		return 0
	})
	return p, nil
}
