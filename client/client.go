package client

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/tmhash"
	"github.com/cometbft/cometbft/light"
	rpcclient "github.com/cometbft/cometbft/rpc/client"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/client/busy"
	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/module"
)

// Defaults of the options.
const (
	// DefaultTrustPeriod is the light client's trusting period: how old the
	// newest trusted header may be and still anchor the verification of a
	// new one. Two weeks suits a permissioned chain whose validators are
	// long-lived members; it must stay below the time in which a former
	// validator's key could be abused without consequence.
	DefaultTrustPeriod = 14 * 24 * time.Hour
	// DefaultPollInterval is how often Verified polls the node for a
	// header, and WaitForTx for the transaction when it cannot subscribe
	// to its commit event (with a subscription it asks ten times less
	// often, as a backstop).
	DefaultPollInterval = 500 * time.Millisecond
	// DefaultHeaderTimeout is how long Verified waits for the header that
	// carries the app hash of the queried height.
	DefaultHeaderTimeout = 30 * time.Second
	// DefaultWaitTimeout is WaitForTx's timeout when none is given.
	DefaultWaitTimeout = time.Minute
	// DefaultValidFor is TxOptions.ValidFor's default, in blocks.
	DefaultValidFor = 100
)

// Option configures New.
type Option func(*config) error

type config struct {
	trustDir    string
	trustPeriod time.Duration
	trustHeight int64
	trustHash   []byte
	witnesses   []string
	chainID     string
	domain      *auth.Domain
	// paramsStore and chainParams read the chain parameters for a
	// verified domain (WithVerifiedDomain); nil: the node's word.
	paramsStore   string
	chainParams   func(store.Reader) module.ChainParams
	pollInterval  time.Duration
	headerTimeout time.Duration
	lightOpts     []light.Option
	httpClient    *http.Client
	// reader signs every query (WithReader); nil: unsigned queries.
	reader *ecdsa.PrivateKey
}

// WithHTTPClient sends the RPC requests with hc instead of CometBFT's default
// client, for example one whose transport keeps more idle connections per
// host when many goroutines share the Client.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("WithHTTPClient: nil client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithTrustDir persists the light client's trusted headers in dir (created
// with mode 0700 if missing), so that later runs continue from the newest
// verified header instead of establishing trust again. Without it the
// trusted headers live in memory for the life of the Client. A directory may
// be used by one process at a time.
func WithTrustDir(dir string) Option {
	return func(c *config) error {
		if dir == "" {
			return errors.New("WithTrustDir: empty directory")
		}
		c.trustDir = dir
		return nil
	}
}

// WithTrust sets the root of trust: the height and hash of a header the
// caller obtained from a source it trusts (another member's node, the
// consortium's published checkpoints). Everything Verified proves is then
// anchored at that header. Without it, and with an empty trust store, the
// node's own earliest header is trusted on first use (see Proven.TrustNote).
//
// If the trust store already holds a header at height, its hash must equal
// hash or verified queries fail with ErrTrust: the store or the hash is
// wrong, and the caller must find out which. If it does not, the header is
// fetched and checked against hash, and, as CometBFT's light client does
// when reset to an older header, stored headers above height are dropped.
func WithTrust(height int64, hash []byte) Option {
	return func(c *config) error {
		if height <= 0 {
			return fmt.Errorf("WithTrust: height must be positive, got %d", height)
		}
		if len(hash) != tmhash.Size {
			return fmt.Errorf("WithTrust: header hash must be %d bytes, got %d", tmhash.Size, len(hash))
		}
		c.trustHeight, c.trustHash = height, append([]byte(nil), hash...)
		return nil
	}
}

// WithTrustPeriod sets the trusting period (default DefaultTrustPeriod).
func WithTrustPeriod(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("WithTrustPeriod: period must be positive, got %s", d)
		}
		c.trustPeriod = d
		return nil
	}
}

// WithWitnesses adds RPC URLs of other nodes of the same chain (ideally run
// by other members) that the light client cross-checks every verified
// header with, to detect a forked or lying primary. Without witnesses the
// node is its own witness, which CometBFT's light client requires but which
// detects nothing.
func WithWitnesses(urls ...string) Option {
	return func(c *config) error {
		for _, u := range urls {
			if u == "" {
				return errors.New("WithWitnesses: empty URL")
			}
			c.witnesses = append(c.witnesses, normalizeURL(u))
		}
		return nil
	}
}

// WithChainID pins the chain id: ChainID (and everything built on it) fails
// if the node reports another chain, instead of signing for whatever chain
// the node claims to be.
func WithChainID(chainID string) Option {
	return func(c *config) error {
		if chainID == "" {
			return errors.New("WithChainID: empty chain id")
		}
		c.chainID = chainID
		return nil
	}
}

// WithDomain pins the signing domain; Domain returns it without asking the
// node. Its ChainID also pins the chain id as WithChainID does.
func WithDomain(d auth.Domain) Option {
	return func(c *config) error {
		if d.ChainID == "" || d.NumericID == 0 {
			return fmt.Errorf("WithDomain: chain id and numeric id must be set, got %+v", d)
		}
		c.domain = &d
		c.chainID = d.ChainID
		return nil
	}
}

// WithVerifiedDomain makes Domain prove the chain parameters instead of
// taking the node's word for the signing domain: it runs chainParams, the
// function of the module that keeps them (module.Module.ChainParams, e.g.
// consortium.ChainParams), over a ProvenReader of that module's store
// storeName at the latest height. It costs a light client verification
// (and waiting for the next block) the first time a domain is needed.
func WithVerifiedDomain(storeName string, chainParams func(store.Reader) module.ChainParams) Option {
	return func(c *config) error {
		if storeName == "" || chainParams == nil {
			return errors.New("WithVerifiedDomain: store name and chain parameters function must be set")
		}
		c.paramsStore, c.chainParams = storeName, chainParams
		return nil
	}
}

// WithReader signs every query with key (auth.Read, sent on the path
// "/read" + path), so that a node answers the reads of private stores
// (the credit module's) that the key's address may make. A request is
// valid for ReadValidFor after it is made. Public reads need no key.
func WithReader(key *ecdsa.PrivateKey) Option {
	return func(c *config) error {
		if key == nil {
			return errors.New("WithReader: nil key")
		}
		c.reader = key
		return nil
	}
}

// ReadValidFor is how long a signed read is valid for (its valid_until
// after the client's clock).
const ReadValidFor = 5 * time.Minute

// PathRead prefixes a signed read's path.
const PathRead = "/read"

// unsignedKey marks a context whose queries go unsigned: the signing
// domain's own reads, which a signed read needs first.
type unsignedKey struct{}

// signRead wraps a query as a signed read by the client's reader, unless
// it has none or ctx asks for an unsigned query.
func (c *Client) signRead(ctx context.Context, path string, data []byte, height int64, prove bool) (string, []byte, error) {
	if c.cfg.reader == nil || ctx.Value(unsignedKey{}) != nil {
		return path, data, nil
	}
	d, err := c.Domain(context.WithValue(ctx, unsignedKey{}, true))
	if err != nil {
		return "", nil, err
	}
	r := auth.Read{Path: path, Data: data, Height: height, Prove: prove, ValidUntil: time.Now().Add(ReadValidFor).Unix()}
	sig, err := r.Sign(d, c.cfg.reader)
	if err != nil {
		return "", nil, fmt.Errorf("client: signing the read of %s: %w", path, err)
	}
	b, err := proto.Marshal(&authv1.ReadRequest{Data: data, ValidUntil: r.ValidUntil, Signature: sig})
	if err != nil {
		return "", nil, err
	}
	return PathRead + path, b, nil
}

// WithPollInterval sets how often the node is polled while waiting for a
// transaction or a header (default DefaultPollInterval).
func WithPollInterval(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("WithPollInterval: interval must be positive, got %s", d)
		}
		c.pollInterval = d
		return nil
	}
}

// WithHeaderTimeout sets how long Verified waits for the header at H+1
// after a query answered at height H (default DefaultHeaderTimeout).
func WithHeaderTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("WithHeaderTimeout: timeout must be positive, got %s", d)
		}
		c.headerTimeout = d
		return nil
	}
}

// WithLightClientOptions passes options to CometBFT's light.NewClient, e.g.
// light.Logger, light.SequentialVerification or light.MaxClockDrift.
func WithLightClientOptions(opts ...light.Option) Option {
	return func(c *config) error {
		c.lightOpts = append(c.lightOpts, opts...)
		return nil
	}
}

// Client talks to one ledgerd node over CometBFT RPC. It is safe for
// concurrent use. Plain queries and transaction results are the node's word;
// Verified and the reads built on it check the node's answers with a light
// client and Merkle proofs (see the package documentation).
type Client struct {
	url string
	rpc *rpchttp.HTTP
	cfg config

	mu      sync.Mutex
	chainID string
	domain  *auth.Domain

	// lmu serialises the light client and guards trust.
	lmu   sync.Mutex
	trust *trustState

	// wmu guards the event subscriptions (watch.go).
	wmu       sync.Mutex
	watches   map[string]bool // queries subscribed to
	wsRetryAt time.Time       // the WebSocket failed: poll until then
}

// New returns a Client of the node at nodeURL (e.g. "http://127.0.0.1:26657";
// "http://" is assumed without a scheme). It does not contact the node.
func New(nodeURL string, opts ...Option) (*Client, error) {
	if nodeURL == "" {
		return nil, errors.New("client: empty node URL")
	}
	cfg := config{
		trustPeriod:   DefaultTrustPeriod,
		pollInterval:  DefaultPollInterval,
		headerTimeout: DefaultHeaderTimeout,
	}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, fmt.Errorf("client: %w", err)
		}
	}
	url := normalizeURL(nodeURL)
	var rpc *rpchttp.HTTP
	var err error
	if cfg.httpClient != nil {
		rpc, err = rpchttp.NewWithClient(url, "/websocket", cfg.httpClient)
	} else {
		rpc, err = rpchttp.New(url, "/websocket")
	}
	if err != nil {
		return nil, fmt.Errorf("client: node URL %q: %w", nodeURL, err)
	}
	return &Client{url: url, rpc: rpc, cfg: cfg, domain: cfg.domain}, nil
}

func normalizeURL(u string) string {
	if !strings.Contains(u, "://") {
		return "http://" + u
	}
	return u
}

// URL returns the node's RPC URL.
func (c *Client) URL() string { return c.url }

// RPC returns the underlying CometBFT RPC client, for calls this package
// does not wrap. Its answers are not verified.
func (c *Client) RPC() *rpchttp.HTTP { return c.rpc }

// Close releases the trust store and closes the node's WebSocket if a
// wait opened it. The Client must not be used afterwards.
func (c *Client) Close() error {
	err := c.stopEvents()
	c.lmu.Lock()
	defer c.lmu.Unlock()
	if c.trust == nil {
		return err
	}
	err = errors.Join(err, c.trust.db.Close())
	c.trust = nil
	return err
}

// ChainID returns the CometBFT chain id the node reports in /status, cached.
// With WithChainID or WithDomain it fails unless the node reports that id.
func (c *Client) ChainID(ctx context.Context) (string, error) {
	c.mu.Lock()
	id := c.chainID
	c.mu.Unlock()
	if id != "" {
		return id, nil
	}
	st, err := c.rpc.Status(ctx)
	if err != nil {
		return "", fmt.Errorf("client: status of %s: %w", c.url, err)
	}
	id = st.NodeInfo.Network
	if id == "" {
		return "", fmt.Errorf("client: %s reports an empty chain id", c.url)
	}
	if c.cfg.chainID != "" && id != c.cfg.chainID {
		return "", fmt.Errorf("client: %s is on chain %q, expected %q: check the node URL", c.url, id, c.cfg.chainID)
	}
	c.mu.Lock()
	c.chainID = id
	c.mu.Unlock()
	return id, nil
}

// LatestHeight returns the node's latest block height (/status). It is the
// node's word.
func (c *Client) LatestHeight(ctx context.Context) (int64, error) {
	st, err := c.rpc.Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("client: status of %s: %w", c.url, err)
	}
	return st.SyncInfo.LatestBlockHeight, nil
}

// Domain returns the EIP-712 signing domain of the chain: its chain id and
// numeric chain id. The result is cached. With WithDomain it is returned as
// given; with WithVerifiedDomain the numeric id is proven from the chain
// parameters in state, and the chain id is ChainID's; otherwise both are
// the node's answer to an account query (Account, which names the domain
// for any address).
//
// A node that lies about the domain can only make signatures void on the
// real chain, or valid on the chain it names: pin the chain (WithChainID,
// WithDomain) where a key is used on more than one chain.
func (c *Client) Domain(ctx context.Context) (auth.Domain, error) {
	c.mu.Lock()
	d := c.domain
	c.mu.Unlock()
	if d != nil {
		return *d, nil
	}
	if c.cfg.chainParams == nil {
		a, err := c.Account(ctx, common.Address{})
		if err != nil {
			return auth.Domain{}, fmt.Errorf("client: signing domain: %w", err)
		}
		return c.domainOf(a)
	}
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return auth.Domain{}, err
	}
	reads := c.ProvenReader(ctx, 0)
	var params module.ChainParams
	if err := reads.Run(func() { params = c.cfg.chainParams(reads.Reader(c.cfg.paramsStore)) }); err != nil {
		return auth.Domain{}, fmt.Errorf("client: signing domain: %w", err)
	}
	if params.NumericID == 0 {
		return auth.Domain{}, fmt.Errorf("client: signing domain: the chain parameters proven in store %q at height %d on %s have no numeric chain id: is the chain initialised?",
			c.cfg.paramsStore, reads.Height(), c.url)
	}
	dom := auth.Domain{ChainID: chainID, NumericID: params.NumericID}
	c.mu.Lock()
	c.domain = &dom
	c.mu.Unlock()
	return dom, nil
}

// Query runs an ABCI query at height (0 = latest) without a proof and
// returns the node's answer; a non-zero code is returned as *QueryError.
// A refusal over the node's query budget (query/10) is retried a few times
// first, with growing waits (about 3 s in all).
// The answer is the node's word.
func (c *Client) Query(ctx context.Context, path string, data []byte, height int64) (*abci.ResponseQuery, error) {
	return c.abciQuery(ctx, path, data, height, false)
}

func (c *Client) abciQuery(ctx context.Context, path string, data []byte, height int64, prove bool) (*abci.ResponseQuery, error) {
	if height < 0 {
		return nil, fmt.Errorf("client: query %s: negative height %d", path, height)
	}
	sent, sentData, err := c.signRead(ctx, path, data, height, prove)
	if err != nil {
		return nil, err
	}
	var r abci.ResponseQuery
	for try := 0; ; try++ {
		res, err := c.rpc.ABCIQueryWithOptions(ctx, sent, sentData, rpcclient.ABCIQueryOptions{Height: height, Prove: prove})
		if err != nil {
			return nil, fmt.Errorf("client: query %s on %s: %w", path, c.url, err)
		}
		r = res.Response
		if !busy.Is(r.Codespace, r.Code) {
			break
		}
		// The node's query budget is spent: retry a little later.
		if !busy.Wait(ctx, try) {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("client: query %s on %s: %w (the node was busy: %s)", path, c.url, ctx.Err(), r.Log)
			}
			break
		}
	}
	if r.Code != abci.CodeTypeOK {
		return nil, &QueryError{Path: path, Height: height, Codespace: r.Codespace, Code: r.Code, Log: r.Log}
	}
	return &r, nil
}

// StorePath is the query path of a key in the named store.
func StorePath(storeName string) string { return "/store/" + storeName + "/key" }

// get returns the value of key in storeName at height (0: latest), nil if
// absent.
func (c *Client) get(ctx context.Context, storeName string, key []byte, height int64) ([]byte, error) {
	r, err := c.Query(ctx, StorePath(storeName), key, height)
	if err != nil {
		return nil, err
	}
	if len(r.Value) == 0 {
		return nil, nil
	}
	return r.Value, nil
}
