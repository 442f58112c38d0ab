package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	"github.com/cometbft/cometbft/light"
	"github.com/cometbft/cometbft/light/provider"
	lphttp "github.com/cometbft/cometbft/light/provider/http"
	lightstore "github.com/cometbft/cometbft/light/store"
	lightdb "github.com/cometbft/cometbft/light/store/db"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"
)

const (
	// lightPrefix is the light store's key prefix in the trust database.
	lightPrefix = "ledgerd"
	// providerTimeoutSec bounds each RPC call of the light client's
	// providers; they retry timeouts themselves.
	providerTimeoutSec = 10
	// maxBackwardsHeaders bounds the hash-chain walk Verified falls back to
	// for a historical height whose nearest trusted header below it has
	// expired.
	maxBackwardsHeaders = 20_000
	// blockchainInfoPage is how many headers /blockchain returns per call.
	blockchainInfoPage = 20
)

// rootKey holds the rootRecord in the trust database (outside the light
// store's "lb/" and "size" keys).
var rootKey = []byte("ledgerd/root")

// rootRecord says where the trust in the store came from.
type rootRecord struct {
	Height     int64     `json:"height"`
	Hash       string    `json:"hash"`
	TOFU       bool      `json:"tofu"`
	Node       string    `json:"node"`
	AcceptedAt time.Time `json:"accepted_at"`
}

// trustState is the light client's persistent part: the database of
// trusted headers and where the trust came from. Guarded by Client.lmu.
type trustState struct {
	db      dbm.DB
	store   lightstore.Store
	chainID string
	// where names the store in messages.
	where string
	// note is Proven.TrustNote: set while the root of trust is a header
	// trusted on first use.
	note string
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// trustLocked opens the trust store and establishes the root of trust on
// first use. c.lmu must be held.
func (c *Client) trustLocked(ctx context.Context) (*trustState, error) {
	if c.trust != nil {
		return c.trust, nil
	}
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	ts := &trustState{chainID: chainID, where: "memory"}
	if dir := c.cfg.trustDir; dir == "" {
		ts.db = dbm.NewMemDB()
	} else {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("client: trust directory: %w", err)
		}
		// One database per chain: the light store's size counter is not
		// prefixed, so chains must not share one.
		name := "light-" + unsafeName.ReplaceAllString(chainID, "_")
		if ts.db, err = dbm.NewGoLevelDB(name, dir); err != nil {
			return nil, fmt.Errorf("client: open trust store %s in %s (is another process using it?): %w", name, dir, err)
		}
		ts.where = dir
	}
	ts.store = lightdb.New(ts.db, lightPrefix)
	if err := c.establishTrust(ctx, ts); err != nil {
		ts.db.Close()
		return nil, err
	}
	c.trust = ts
	return ts, nil
}

// establishTrust checks the configured root of trust against the store, or
// fetches and verifies it, or trusts the node's earliest header on first
// use, and records which.
func (c *Client) establishTrust(ctx context.Context, ts *trustState) error {
	root := readRoot(ts.db)
	if h, hash := c.cfg.trustHeight, c.cfg.trustHash; h > 0 {
		lb, err := ts.store.LightBlock(h)
		switch {
		case err == nil:
			if !bytes.Equal(lb.Hash(), hash) {
				return fmt.Errorf("client: the trust store in %s holds header %d with hash %X, but the configured root of trust says %X: "+
					"one of them is wrong; check the hash with a trusted source, and if the store is wrong delete it: %w",
					ts.where, h, lb.Hash(), hash, ErrTrust)
			}
		case errors.Is(err, lightstore.ErrLightBlockNotFound):
			if err := c.initLight(ctx, ts, h, hash); err != nil {
				return fmt.Errorf("client: cannot establish the configured root of trust (header %d, hash %X) with %s: %w: %w", h, hash, c.url, ErrTrust, err)
			}
		default:
			return fmt.Errorf("client: trust store in %s: %w", ts.where, err)
		}
		return writeRoot(ts.db, rootRecord{Height: h, Hash: fmt.Sprintf("%X", hash), Node: c.url, AcceptedAt: time.Now().UTC()})
	}

	last, err := ts.store.LastLightBlockHeight()
	if err != nil {
		return fmt.Errorf("client: trust store in %s: %w", ts.where, err)
	}
	if last > 0 {
		if root != nil && root.TOFU {
			ts.note = fmt.Sprintf("the root of trust is the header at height %d (hash %s) that %s gave on first use at %s, never checked against a trusted source: "+
				"compare it with another member's node and pin it with WithTrust (ledgerd --trust-height/--trust-hash)",
				root.Height, root.Hash, root.Node, root.AcceptedAt.Format(time.RFC3339))
		}
		return nil
	}

	// Trust on first use: the node's earliest header.
	st, err := c.rpc.Status(ctx)
	if err != nil {
		return fmt.Errorf("client: status of %s: %w", c.url, err)
	}
	first := max(st.SyncInfo.EarliestBlockHeight, 1)
	p, err := c.newProvider(ts.chainID, c.url)
	if err != nil {
		return err
	}
	lb, err := p.LightBlock(ctx, first)
	if err != nil {
		return fmt.Errorf("client: trust on first use: header %d from %s: %w", first, c.url, err)
	}
	if light.HeaderExpired(lb.SignedHeader, c.cfg.trustPeriod, time.Now()) {
		return fmt.Errorf("client: no root of trust is configured and the node's earliest header (height %d, %s) is older than the trusting period (%s), so it cannot anchor verification: "+
			"obtain the height and hash of a recent header from a source you trust and pass them with WithTrust (ledgerd --trust-height/--trust-hash), or lengthen WithTrustPeriod: %w",
			lb.Height, lb.Time.Format(time.RFC3339), c.cfg.trustPeriod, ErrTrust)
	}
	if err := c.initLight(ctx, ts, lb.Height, lb.Hash()); err != nil {
		return fmt.Errorf("client: trust on first use of header %d from %s: %w: %w", lb.Height, c.url, ErrTrust, err)
	}
	rec := rootRecord{Height: lb.Height, Hash: fmt.Sprintf("%X", lb.Hash()), TOFU: true, Node: c.url, AcceptedAt: time.Now().UTC()}
	if err := writeRoot(ts.db, rec); err != nil {
		return err
	}
	ts.note = fmt.Sprintf("trust on first use: no root of trust was configured, so the node's own header at height %d (hash %s) became the root of trust (kept in %s); "+
		"a proof is only as good as that header: compare its hash with a trusted source (another member's node) and pin it with WithTrust (ledgerd --trust-height/--trust-hash)",
		rec.Height, rec.Hash, ts.where)
	return nil
}

// initLight runs light.NewClient with the trust options (height, hash),
// which fetches that header, checks its hash and commit and the witnesses,
// and stores it.
func (c *Client) initLight(ctx context.Context, ts *trustState, height int64, hash []byte) error {
	primary, witnesses, err := c.providers(ts.chainID)
	if err != nil {
		return err
	}
	_, err = light.NewClient(ctx, ts.chainID,
		light.TrustOptions{Period: c.cfg.trustPeriod, Height: height, Hash: hash},
		primary, witnesses, ts.store, c.cfg.lightOpts...)
	return err
}

// providers returns the light client's primary (the node) and witnesses:
// the configured ones, or the node itself, because light.NewClient refuses
// to run without a witness (light.ErrNoWitnesses) in every verification
// mode. Fresh providers every time: the light client drops and reorders
// them as it meets failures.
func (c *Client) providers(chainID string) (provider.Provider, []provider.Provider, error) {
	primary, err := c.newProvider(chainID, c.url)
	if err != nil {
		return nil, nil, err
	}
	urls := c.cfg.witnesses
	if len(urls) == 0 {
		urls = []string{c.url}
	}
	witnesses := make([]provider.Provider, len(urls))
	for i, u := range urls {
		if witnesses[i], err = c.newProvider(chainID, u); err != nil {
			return nil, nil, err
		}
	}
	return primary, witnesses, nil
}

func (c *Client) newProvider(chainID, url string) (provider.Provider, error) {
	rpc, err := rpchttp.NewWithTimeout(url, "/websocket", providerTimeoutSec)
	if err != nil {
		return nil, fmt.Errorf("client: light client provider %q: %w", url, err)
	}
	return lphttp.NewWithClient(chainID, rpc), nil
}

// verifyHeader returns the header at height, verified by the light client
// from the root of trust, and the trust note.
func (c *Client) verifyHeader(ctx context.Context, height int64) (*cmttypes.Header, string, error) {
	c.lmu.Lock()
	defer c.lmu.Unlock()
	ts, err := c.trustLocked(ctx)
	if err != nil {
		return nil, "", err
	}
	primary, witnesses, err := c.providers(ts.chainID)
	if err != nil {
		return nil, "", err
	}
	lc, err := light.NewClientFromTrustedStore(ts.chainID, c.cfg.trustPeriod, primary, witnesses, ts.store, c.cfg.lightOpts...)
	if err != nil {
		return nil, "", fmt.Errorf("client: light client: %w", err)
	}
	lb, err := lc.VerifyLightBlockAtHeight(ctx, height, time.Now())
	if err == nil {
		if lb.Height != height {
			return nil, "", fmt.Errorf("client: light client returned header %d for height %d: %w", lb.Height, height, ErrVerification)
		}
		return lb.Header, ts.note, nil
	}
	var expired light.ErrOldHeaderExpired
	if !errors.As(err, &expired) {
		return nil, "", fmt.Errorf("client: light client could not verify header %d from %s: %w: %w", height, c.url, ErrVerification, err)
	}
	last, lerr := ts.store.LastLightBlockHeight()
	if lerr != nil || height >= last {
		return nil, "", fmt.Errorf("client: the newest trusted header expired at %s (trusting period %s), so the light client cannot verify header %d from it: "+
			"obtain the height and hash of a recent header from a source you trust and pass them with WithTrust (ledgerd --trust-height/--trust-hash): %w",
			expired.At.Format(time.RFC3339), c.cfg.trustPeriod, height, ErrTrust)
	}
	// A historical height whose nearest trusted header below has expired:
	// walk the hash chain down from the nearest trusted header above.
	h, berr := c.verifyBackwards(ctx, ts, height)
	if berr != nil {
		return nil, "", fmt.Errorf("client: header %d: the trusted header below it expired (%v), and the hash chain from above failed: %w", height, err, berr)
	}
	return h, ts.note, nil
}

// verifyBackwards verifies the header at target < the newest trusted
// height by following LastBlockID hashes down from the nearest trusted
// header above it, as light.VerifyBackwards checks one step. No signatures
// are involved, so the trusting period does not limit it.
func (c *Client) verifyBackwards(ctx context.Context, ts *trustState, target int64) (*cmttypes.Header, error) {
	last, err := ts.store.LastLightBlockHeight()
	if err != nil {
		return nil, err
	}
	anchor, err := ts.store.LightBlock(last)
	if err != nil {
		return nil, err
	}
	for {
		prev, err := ts.store.LightBlockBefore(anchor.Height)
		if err != nil || prev.Height <= target {
			break
		}
		anchor = prev
	}
	if gap := anchor.Height - target; gap > maxBackwardsHeaders {
		return nil, fmt.Errorf("the nearest trusted header above is %d blocks away (limit %d): pass WithTrust with a header near height %d: %w",
			gap, maxBackwardsHeaders, target, ErrTrust)
	}
	trusted := anchor.Header
	for next := anchor.Height - 1; next >= target; {
		lo := max(target, next-blockchainInfoPage+1)
		res, err := c.rpc.BlockchainInfo(ctx, lo, next)
		if err != nil {
			return nil, fmt.Errorf("headers %d-%d from %s: %w", lo, next, c.url, err)
		}
		if len(res.BlockMetas) == 0 {
			return nil, fmt.Errorf("%s returned no headers for %d-%d", c.url, lo, next)
		}
		for _, m := range res.BlockMetas { // descending
			if m == nil || m.Header.Height != next {
				return nil, fmt.Errorf("%s returned headers out of order for %d-%d: %w", c.url, lo, next, ErrVerification)
			}
			h := m.Header
			if err := light.VerifyBackwards(&h, trusted); err != nil {
				return nil, fmt.Errorf("header %d does not link to trusted header %d: %w: %w", h.Height, trusted.Height, ErrVerification, err)
			}
			trusted = &h
			if next--; next < lo {
				break
			}
		}
	}
	return trusted, nil
}

func readRoot(db dbm.DB) *rootRecord {
	b, err := db.Get(rootKey)
	if err != nil || len(b) == 0 {
		return nil
	}
	r := new(rootRecord)
	if json.Unmarshal(b, r) != nil {
		return nil
	}
	return r
}

func writeRoot(db dbm.DB, r rootRecord) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := db.SetSync(rootKey, b); err != nil {
		return fmt.Errorf("client: record the root of trust: %w", err)
	}
	return nil
}
