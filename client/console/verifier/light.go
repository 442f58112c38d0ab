package verifier

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	cmtmath "github.com/cometbft/cometbft/libs/math"
	"github.com/cometbft/cometbft/types"
)

// Defaults of the light verification, as package client's.
const (
	// TrustPeriod is how long a verified header may serve to verify newer
	// ones (client.WithTrustPeriod's default).
	TrustPeriod = 14 * 24 * time.Hour
	// maxClockDrift is how far a header's time may be ahead of the clock.
	maxClockDrift = 10 * time.Second
	// validatorsPage is the page size of /validators.
	validatorsPage = 100
	// maxBisections bounds the headers fetched to verify one.
	maxBisections = 64
)

// ErrNotVerified is wrapped by every error that means an answer failed
// verification (as opposed to a failure to fetch it): show it in red.
var ErrNotVerified = errors.New("not verified")

// trustLevel is the fraction of a trusted validator set that must have
// signed a header to skip to it (light.DefaultTrustLevel).
var trustLevel = cmtmath.Fraction{Numerator: 1, Denominator: 3}

// Root is the root of trust: the header verification starts from.
type Root struct {
	Height int64  `json:"height"`
	Hash   string `json:"hash"`
	// Pinned is true when the height and hash were given (--trust-height,
	// --trust-hash), false when the node's earliest header was trusted on
	// first use.
	Pinned bool `json:"pinned"`
}

// trusted is a verified header with the validator set that signed it.
type trusted struct {
	sh   *types.SignedHeader
	vals *types.ValidatorSet
}

// Light verifies headers as CometBFT's light client does (light.Verify:
// adjacent headers by the next-validators hash, others by skipping with a
// 1/3 trust level and bisection), from a root of trust, with the
// signature checks of package types. It keeps what it verified in memory.
// Safe for concurrent use.
type Light struct {
	rpc     *RPC
	chainID string
	root    Root
	now     func() time.Time

	mu      sync.Mutex
	headers map[int64]trusted
}

// NewLight establishes the root of trust: the header at trustHeight whose
// hash must be trustHash, or, with trustHeight 0, the node's earliest header
// trusted on first use. The header's commit must be signed by more than
// 2/3 of its validator set, whose hash must be the header's. A root that
// does not match is an error wrapping ErrNotVerified.
func NewLight(ctx context.Context, rpc *RPC, trustHeight int64, trustHash []byte, now func() time.Time) (*Light, error) {
	var st struct {
		NodeInfo struct {
			Network string `json:"network"`
		} `json:"node_info"`
		SyncInfo struct {
			EarliestBlockHeight int64 `json:"earliest_block_height"`
		} `json:"sync_info"`
	}
	if err := rpc.call(ctx, "status", nil, &st); err != nil {
		return nil, err
	}
	l := &Light{rpc: rpc, chainID: st.NodeInfo.Network, now: now, headers: map[int64]trusted{}}
	pinned := trustHeight > 0
	if !pinned {
		trustHeight = max(st.SyncInfo.EarliestBlockHeight, 1)
	}
	t, err := l.fetch(ctx, trustHeight)
	if err != nil {
		return nil, err
	}
	if err := t.sh.ValidateBasic(l.chainID); err != nil {
		return nil, fmt.Errorf("root of trust: header %d: %w: %w", trustHeight, ErrNotVerified, err)
	}
	if pinned && !bytes.Equal(t.sh.Hash(), trustHash) {
		return nil, fmt.Errorf("root of trust refused: the node's header %d has hash %X, the pinned root says %X: %w",
			trustHeight, t.sh.Hash(), trustHash, ErrNotVerified)
	}
	if !bytes.Equal(t.vals.Hash(), t.sh.ValidatorsHash) {
		return nil, fmt.Errorf("root of trust: the validators of header %d do not hash to its validators hash: %w", trustHeight, ErrNotVerified)
	}
	if err := t.vals.VerifyCommitLight(l.chainID, t.sh.Commit.BlockID, t.sh.Height, t.sh.Commit); err != nil {
		return nil, fmt.Errorf("root of trust: header %d is not signed by its validators: %w: %w", trustHeight, ErrNotVerified, err)
	}
	l.headers[trustHeight] = t
	l.root = Root{Height: trustHeight, Hash: fmt.Sprintf("%X", t.sh.Hash()), Pinned: pinned}
	return l, nil
}

// Root is the root of trust.
func (l *Light) Root() Root { return l.root }

// ChainID is the chain's id, as the node's status said and the root's
// header confirmed.
func (l *Light) ChainID() string { return l.chainID }

// fetch gets the signed header and the validator set at height, unverified.
func (l *Light) fetch(ctx context.Context, height int64) (trusted, error) {
	h := itoa(height)
	var c struct {
		SignedHeader types.SignedHeader `json:"signed_header"`
	}
	if err := l.rpc.call(ctx, "commit", map[string]any{"height": h}, &c); err != nil {
		return trusted{}, err
	}
	if c.SignedHeader.Header == nil || c.SignedHeader.Commit == nil || c.SignedHeader.Height != height {
		return trusted{}, fmt.Errorf("header %d: the node answered without a header or commit, or for another height: %w", height, ErrNotVerified)
	}
	var vals []*types.Validator
	for page := 1; ; page++ {
		var v struct {
			Validators []*types.Validator `json:"validators"`
			Total      int                `json:"total"`
		}
		if err := l.rpc.call(ctx, "validators", map[string]any{"height": h, "page": strconv.Itoa(page),
			"per_page": strconv.Itoa(validatorsPage)}, &v); err != nil {
			return trusted{}, err
		}
		vals = append(vals, v.Validators...)
		if len(vals) >= v.Total || len(v.Validators) == 0 || page > 100 {
			break
		}
	}
	vs, err := types.ValidatorSetFromExistingValidators(vals)
	if err != nil {
		return trusted{}, fmt.Errorf("validators of header %d: %w: %w", height, ErrNotVerified, err)
	}
	return trusted{sh: &c.SignedHeader, vals: vs}, nil
}

// Header returns the header at height, verified from the root of trust
// (heights below the root are verified by the hash chain down from it).
// A header that fails verification is an error wrapping ErrNotVerified.
func (l *Light) Header(ctx context.Context, height int64) (*types.SignedHeader, *types.ValidatorSet, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t, err := l.verify(ctx, height, 0)
	if err != nil {
		return nil, nil, err
	}
	return t.sh, t.vals, nil
}

// verify verifies the header at height. l.mu must be held.
func (l *Light) verify(ctx context.Context, height int64, depth int) (trusted, error) {
	if t, ok := l.headers[height]; ok {
		return t, nil
	}
	if height < l.root.Height {
		return l.verifyBelow(ctx, height)
	}
	if depth > maxBisections {
		return trusted{}, fmt.Errorf("header %d: too many bisection steps: %w", height, ErrNotVerified)
	}
	base := l.nearestBelow(height)
	u, err := l.fetch(ctx, height)
	if err != nil {
		return trusted{}, err
	}
	now := l.now()
	if base.sh.Time.Add(TrustPeriod).Before(now) {
		return trusted{}, fmt.Errorf("header %d: the trusted header %d is older than the trusting period (%s): pin a newer root of trust: %w",
			height, base.sh.Height, TrustPeriod, ErrNotVerified)
	}
	if err := u.sh.ValidateBasic(l.chainID); err != nil {
		return trusted{}, fmt.Errorf("header %d: %w: %w", height, ErrNotVerified, err)
	}
	if !u.sh.Time.After(base.sh.Time) || !u.sh.Time.Before(now.Add(maxClockDrift)) {
		return trusted{}, fmt.Errorf("header %d: time %s is not after the trusted header's (%s) or is in the future: %w",
			height, u.sh.Time, base.sh.Time, ErrNotVerified)
	}
	if !bytes.Equal(u.vals.Hash(), u.sh.ValidatorsHash) {
		return trusted{}, fmt.Errorf("header %d: the validators the node gave do not hash to the header's validators hash: %w", height, ErrNotVerified)
	}
	if height == base.sh.Height+1 {
		if !bytes.Equal(u.sh.ValidatorsHash, base.sh.NextValidatorsHash) {
			return trusted{}, fmt.Errorf("header %d: validators hash is not the next-validators hash of verified header %d: %w", height, base.sh.Height, ErrNotVerified)
		}
	} else if err := base.vals.VerifyCommitLightTrusting(l.chainID, u.sh.Commit, trustLevel); err != nil {
		var short types.ErrNotEnoughVotingPowerSigned
		if !errors.As(err, &short) {
			return trusted{}, fmt.Errorf("header %d: commit: %w: %w", height, ErrNotVerified, err)
		}
		// The validator set changed too much to skip: bisect.
		if _, err := l.verify(ctx, (base.sh.Height+height)/2, depth+1); err != nil {
			return trusted{}, err
		}
		return l.verify(ctx, height, depth+1)
	}
	if err := u.vals.VerifyCommitLight(l.chainID, u.sh.Commit.BlockID, height, u.sh.Commit); err != nil {
		return trusted{}, fmt.Errorf("header %d: not signed by more than 2/3 of its validators: %w: %w", height, ErrNotVerified, err)
	}
	l.headers[height] = u
	return u, nil
}

// verifyBelow verifies a header below the root by following LastBlockID
// down from the root, which needs no signatures.
func (l *Light) verifyBelow(ctx context.Context, height int64) (trusted, error) {
	next := l.headers[l.root.Height]
	for h := l.root.Height - 1; h >= height; h-- {
		if t, ok := l.headers[h]; ok {
			next = t
			continue
		}
		u, err := l.fetch(ctx, h)
		if err != nil {
			return trusted{}, err
		}
		if !bytes.Equal(u.sh.Hash(), next.sh.LastBlockID.Hash) {
			return trusted{}, fmt.Errorf("header %d: its hash is not the last block id of verified header %d: %w", h, h+1, ErrNotVerified)
		}
		l.headers[h] = u
		next = u
	}
	return next, nil
}

// nearestBelow is the highest verified header below height (the root at
// least). l.mu must be held.
func (l *Light) nearestBelow(height int64) trusted {
	hs := make([]int64, 0, len(l.headers))
	for h := range l.headers {
		if h < height {
			hs = append(hs, h)
		}
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i] < hs[j] })
	return l.headers[hs[len(hs)-1]]
}
