// Package load drives a running ledgerd network with fresh signed payments
// and measures what it commits: how many payments were submitted, admitted,
// committed and refused (by error code), the committed rate, and the commit
// latency from submission to the block that includes the payment.
//
// A Generator first opens and funds its wallets through the member banks
// (Prepare), then runs any number of load steps (Run). Each wallet has at
// most InFlight payments in flight, with consecutive nonces; a lost payment
// (a node killed before it gossiped the transaction) costs that wallet one
// validity window, after which it resumes from its committed nonce.
// Payments are spread over the nodes in turn, in JSON-RPC batches of those
// queued meanwhile; a node that does not answer is skipped, so the load goes
// on while nodes crash, pause or restart. The generator reports the CPU it
// used itself, so that a reader can tell its limits from the network's.
//
// Optionally it also sends bad transactions (malformed, oversized, replayed,
// badly signed) to the nodes during the load, and counts how each was
// refused: none may be admitted.
package load

import (
	"cmp"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/x/auth"
)

// Bank is a member bank that opens and funds wallets with its operator key.
type Bank struct {
	Member string
	Key    *ecdsa.PrivateKey
}

// Config describes the load. Zero values take the defaults given.
type Config struct {
	// Nodes are the RPC addresses payments are spread over, in turn.
	Nodes []string
	// Banks open and fund the wallets, in turn (each through one node).
	Banks []Bank
	// Wallets is the number of paying wallets (default 1000).
	Wallets int
	// Denom and Funding: each wallet is opened at tier 1 and funded with
	// Funding minor units of Denom (defaults CNY, 1,000,000,000).
	Denom   string
	Funding uint64
	// ValidFor is each payment's validity window in blocks (default 20): how
	// long a payment lost with a node is waited for before its wallet
	// resumes from the committed nonce.
	ValidFor uint64
	// InFlight is how many payments one wallet may have submitted and not
	// yet resolved (committed or expired), with consecutive nonces
	// (default 4): the wallets then bound the rate at about Wallets *
	// InFlight / latency. At most the node's max_pending_per_signer (64).
	InFlight int
	// Batch is the most payments sent to a node in one request, a JSON-RPC
	// batch of those queued up meanwhile (default 10, CometBFT's default
	// rpc.max_request_batch_size); 1 sends each alone.
	Batch int
	// BadEvery sends one bad transaction after every BadEvery payments; 0
	// sends none.
	BadEvery int
	// Seed derives the wallet keys and the payments' recipients and amounts:
	// the same seed gives the same wallets.
	Seed uint64
	// Logf receives progress lines (default: none).
	Logf func(format string, args ...any)
}

func (c *Config) defaults() error {
	if len(c.Nodes) == 0 {
		return errors.New("load: no nodes")
	}
	if len(c.Banks) == 0 {
		return errors.New("load: no banks to open and fund the wallets")
	}
	if c.Wallets == 0 {
		c.Wallets = 1000
	}
	if c.Wallets < 2 {
		return errors.New("load: at least 2 wallets")
	}
	if c.Denom == "" {
		c.Denom = "CNY"
	}
	if c.Funding == 0 {
		c.Funding = 1_000_000_000
	}
	if c.ValidFor == 0 {
		c.ValidFor = 20
	}
	if c.InFlight == 0 {
		c.InFlight = 4
	}
	if c.Batch == 0 {
		c.Batch = 10
	}
	if c.Batch < 1 {
		return fmt.Errorf("load: batch %d: at least 1", c.Batch)
	}
	if c.InFlight < 1 || c.InFlight > 64 {
		return fmt.Errorf("load: %d payments in flight per wallet: 1 to 64 (the node's max_pending_per_signer)", c.InFlight)
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
	return nil
}

// sendersPerNode is how many requests the generator has under way at a
// node at most (each a JSON-RPC batch of up to Config.Batch payments).
const sendersPerNode = 16

// Generator holds the funded wallets and follows the chain.
type Generator struct {
	cfg     Config
	clients []*client.Client
	// senders broadcast the payments, one per node, as clients.
	senders []*batcher
	signer  *auth.Signer
	domain  auth.Domain
	watch   *watcher
	stop    context.CancelFunc
	done    chan struct{}
	wallets []*payer
	// runs counts the steps run, to vary the payments between steps.
	runs uint64
	// lastCommitted is a committed payment, for replays.
	lastCommitted atomic.Pointer[committedBytes]

	mu sync.Mutex
	// signed is every transaction this generator signed, by hash: whatever
	// happened to its broadcast, the watcher's record of the chain says
	// whether it was committed.
	signed  map[[32]byte]Tx
	initial map[common.Address]uint64 // balances before the payments
}

// New connects to the nodes and starts following the chain from its current
// height. Close it when done.
func New(ctx context.Context, cfg Config) (*Generator, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	// Many goroutines share one connection pool per node.
	hc := newHTTPClient(512, 10*time.Second)
	g := &Generator{cfg: cfg, done: make(chan struct{}), signed: map[[32]byte]Tx{}, initial: map[common.Address]uint64{}}
	for _, n := range cfg.Nodes {
		c, err := client.New(n, client.WithHTTPClient(hc))
		if err != nil {
			return nil, err
		}
		g.clients = append(g.clients, c)
	}
	var height int64
	var err error
	for _, c := range g.clients {
		if g.domain, err = c.Domain(ctx); err == nil {
			if height, err = c.LatestHeight(ctx); err == nil {
				break
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("load: no node answers: %w", err)
	}
	g.signer = auth.NewSigner(g.domain)
	g.watch = newWatcher(g.clients, height)
	wctx, stop := context.WithCancel(context.Background())
	g.stop = stop
	for _, n := range cfg.Nodes {
		g.senders = append(g.senders, newBatcher(wctx, NewBroadcaster(n, sendersPerNode), sendersPerNode, cfg.Batch))
	}
	go func() { g.watch.run(wctx); close(g.done) }()
	for i := range cfg.Wallets {
		g.wallets = append(g.wallets, newWallet(cfg.Seed, i))
	}
	return g, nil
}

// Close stops following the chain.
func (g *Generator) Close() {
	g.stop()
	<-g.done
	for _, c := range g.clients {
		c.Close()
	}
}

// Addresses returns the wallets' addresses, in order.
func (g *Generator) Addresses() []common.Address {
	out := make([]common.Address, len(g.wallets))
	for i, w := range g.wallets {
		out[i] = w.addr
	}
	return out
}

// committedBytes is a committed transaction's bytes and height.
type committedBytes struct {
	raw    []byte
	height int64
}

// Tx is a transaction the generator saw committed.
type Tx struct {
	Hash      []byte
	Height    int64
	Code      uint32
	Codespace string
	// Payment fields (zero for funding transactions).
	From, To common.Address
	Amount   uint64

	index int // position in its block
}

// Committed returns every transaction this generator signed that the chain
// committed up to the latest height it has followed, successful or not, in
// chain order. Payments lost with a node or refused are not in it; one
// whose broadcast failed but that a node had admitted is.
func (g *Generator) Committed() []Tx {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []Tx
	for hash, tx := range g.signed {
		if inc, ok := g.watch.lookup(hash); ok {
			tx.Height, tx.Code, tx.Codespace = inc.Height, inc.Code, inc.Codespace
			tx.index = inc.Index
			out = append(out, tx)
		}
	}
	slices.SortFunc(out, func(a, b Tx) int {
		if c := cmp.Compare(a.Height, b.Height); c != 0 {
			return c
		}
		return cmp.Compare(a.index, b.index)
	})
	return out
}

// WaitFollowed waits until the generator has followed the chain up to
// height h (its transactions are then in Committed).
func (g *Generator) WaitFollowed(ctx context.Context, h int64) error {
	for g.watch.tip.Load() < h {
		select {
		case <-ctx.Done():
			return fmt.Errorf("load: followed the chain to height %d, not %d: %w", g.watch.tip.Load(), h, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

// ExpectedBalances returns each wallet's balance implied by its balance
// after Prepare and the payments committed: what every node must prove at
// the height the generator followed the chain to, once no payment is in
// flight.
func (g *Generator) ExpectedBalances() map[common.Address]uint64 {
	committed := g.Committed()
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make(map[common.Address]uint64, len(g.initial))
	for a, b := range g.initial {
		out[a] = b
	}
	for _, tx := range committed {
		if tx.Code == 0 && tx.Amount > 0 {
			out[tx.From] -= tx.Amount
			out[tx.To] += tx.Amount
		}
	}
	return out
}

// track records a transaction about to be broadcast and returns its hash.
func (g *Generator) track(raw []byte, tx Tx) [32]byte {
	var hash [32]byte
	copy(hash[:], client.TxHash(raw))
	tx.Hash = hash[:]
	g.mu.Lock()
	g.signed[hash] = tx
	g.mu.Unlock()
	return hash
}

// payer is one paying wallet: its key, and its next nonce as this
// generator knows it.
type payer struct {
	key   *ecdsa.PrivateKey
	addr  common.Address
	nonce uint64
	// presigned are its next payments, signed before the step (in nonce
	// order from nonce): only its own goroutine touches them during a step.
	presigned []presigned
}

// newWallet derives wallet i's key from seed.
func newWallet(seed uint64, i int) *payer {
	key := WalletKey(seed, i)
	return &payer{key: key, addr: crypto.PubkeyToAddress(key.PublicKey)}
}

// WalletKey derives the key of wallet i from seed: the same seed and index
// give the same key.
func WalletKey(seed uint64, i int) *ecdsa.PrivateKey {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], seed)
	binary.BigEndian.PutUint64(b[8:], uint64(i))
	for ctr := byte(0); ; ctr++ {
		h := sha256.Sum256(append(b[:], ctr))
		if key, err := crypto.ToECDSA(h[:]); err == nil {
			return key
		}
	}
}
