package benchrpc

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/node"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/testnet"
	"github.com/ledgerd/ledgerd/testnet/load"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/wallet"
	"github.com/ledgerd/ledgerd/x/wallet/walletclient"
)

const (
	// chainID is the ledgerd bench chain's; the signing domain follows
	// from it, so the payments can be signed before the node exists.
	chainID = "ledgerd-bench-rpc"
	// validUntil is every payment's valid_until_height: within the chain's
	// default max_tx_validity_blocks (1000) of its first blocks. A run must
	// end before the chain reaches it (at 2 blocks a second, 7 minutes).
	validUntil = 900
	denom      = "CNY"
	// funding is each genesis wallet's balance, far above what it pays.
	funding = 1_000_000_000
)

func domain() auth.Domain {
	return auth.Domain{ChainID: chainID, NumericID: node.DefaultNumericID(chainID)}
}

// payments are the pre-signed transfers of the ledgerd run.
type payments struct {
	wallets []common.Address
	// perSigner holds each wallet's transfers, in nonce order from 0.
	perSigner [][][]byte
	// size is the median transaction's size in bytes.
	size int
}

// signPayments signs perWallet transfers for each of n wallets (keys
// derived from seed as testnet/load derives them), nonces 0, 1, ..., each
// of 1 to 100 minor units to a random other wallet, on every core.
func signPayments(n, perWallet int, seed uint64) (*payments, error) {
	if n < 2 {
		return nil, fmt.Errorf("at least 2 wallets, not %d", n)
	}
	p := &payments{wallets: make([]common.Address, n), perSigner: make([][][]byte, n)}
	keys := make([]*ecdsa.PrivateKey, n)
	for i := range n {
		keys[i] = load.WalletKey(seed, i)
		p.wallets[i] = crypto.PubkeyToAddress(keys[i].PublicKey)
	}
	d := domain()
	var (
		wg   sync.WaitGroup
		errs = make(chan error, runtime.NumCPU())
		next = make(chan int)
	)
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				rng := rand.New(rand.NewPCG(seed, uint64(i)))
				txs := make([][]byte, perWallet)
				for nonce := range txs {
					j := rng.IntN(n - 1)
					if j >= i {
						j++
					}
					msg := &walletv1.MsgTransfer{To: p.wallets[j].Bytes(), Denom: denom, Amount: 1 + rng.Uint64N(100)}
					b, err := load.Sign(d, keys[i], uint64(nonce), validUntil, msg)
					if err != nil {
						errs <- err
						return
					}
					txs[nonce] = b
				}
				p.perSigner[i] = txs
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range n {
			select {
			case next <- i:
			case err := <-errs:
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	select {
	case err := <-errs:
		return nil, fmt.Errorf("signing payments: %w", err)
	default:
	}
	sizes := make([]int, 0, n)
	for _, txs := range p.perSigner {
		sizes = append(sizes, len(txs[0]))
	}
	p.size = median(sizes)
	return p, nil
}

func median(xs []int) int {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// setupLedgerd writes a one-validator ledgerd network into dir, as
// `ledgerd testnet init --validators 1` does, whose genesis opens the
// payers' wallets funded, with config.toml per s. It returns the node's
// home.
func setupLedgerd(dir string, wallets []common.Address, s Settings, p ports) (string, error) {
	net, err := testnet.Generate(testnet.GenOptions{Dir: dir, Validators: 1, ChainID: chainID, BasePort: p.p2p,
		Passphrase: "bench-rpc", LightScrypt: true, BlockInterval: s.TimeoutCommit})
	if err != nil {
		return "", err
	}
	home := net.Nodes[0].Home
	g, err := node.ReadGenesisFile(filepath.Join(home, "config", "genesis.json"))
	if err != nil {
		return "", err
	}
	for _, a := range wallets {
		kyc := sha256.Sum256(a.Bytes())
		g.App.Wallet.Wallets = append(g.App.Wallet.Wallets, wallet.GenesisWallet{
			Owner: a.Hex(), Bank: net.Nodes[0].Member, Tier: 1, KYCHash: hex.EncodeToString(kyc[:]),
			Balances: []wallet.GenesisCoin{{Denom: denom, Amount: fmt.Sprint(funding)}},
		})
	}
	if err := g.Write(); err != nil {
		return "", err
	}
	return home, s.writeConfig(home, "ledgerd", true, p)
}

// checkLedgerd checks that the node signs in the domain the payments were
// signed in and holds the first payer's wallet.
func checkLedgerd(ctx context.Context, rpc string, first common.Address) error {
	c, err := client.New(rpc)
	if err != nil {
		return err
	}
	defer c.Close()
	got, err := c.Domain(ctx)
	if err != nil {
		return err
	}
	if got != domain() {
		return fmt.Errorf("the node's signing domain is %+v, the payments were signed for %+v", got, domain())
	}
	w, err := walletclient.New(c).Wallet(ctx, first)
	if err != nil {
		return fmt.Errorf("payer %s: %w", first.Hex(), err)
	}
	if b := wallet.Balance(w, denom); b != funding || w.Nonce != 0 {
		return fmt.Errorf("payer %s: balance %d, nonce %d; want %d and 0", first.Hex(), b, w.Nonce, uint64(funding))
	}
	return nil
}

// paymentStream sends pre-signed payments of several signers, each
// signer's in nonce order, taking the signers in turn.
type paymentStream struct {
	signers []*signerTxs
	cursor  int
	// nonce returns signer i's committed nonce, from the node.
	nonce   func(i int) (uint64, error)
	rewound int
}

type signerTxs struct {
	index   int // among all signers, for nonce
	txs     [][]byte
	next    int
	dropped bool
}

// paymentStreams deals the signers' payments out to workers: worker w gets
// signers w, w+workers, ...
func paymentStreams(perSigner [][][]byte, workers int, nonce func(i int) (uint64, error)) []stream {
	out := make([]stream, workers)
	for w := range workers {
		s := &paymentStream{nonce: nonce}
		for i := w; i < len(perSigner); i += workers {
			s.signers = append(s.signers, &signerTxs{index: i, txs: perSigner[i]})
		}
		out[w] = s
	}
	return out
}

func (s *paymentStream) take(n int) []item {
	var out []item
	start := s.cursor
	for k := 0; k < len(s.signers) && len(out) < n; k++ {
		i := (start + k) % len(s.signers)
		sg := s.signers[i]
		if sg.dropped || sg.next >= len(sg.txs) {
			continue
		}
		out = append(out, item{key: i, tx: sg.txs[sg.next]})
		s.cursor = i + 1
	}
	return out
}

func (s *paymentStream) accepted(key int) { s.signers[key].next++ }

// refused handles ledgerd's refusals:
//   - auth/16, the signer's pending cap: the same payment again, later;
//   - auth/14, nonce too high: a payment with a lower nonce that the node
//     admitted is gone. CometBFT answers broadcast_tx_sync with the app's
//     CheckTx result but drops an admitted transaction if its mempool
//     filled meanwhile (CListMempool.resCbFirstTime checks isFull again),
//     and the payments after it then fail the recheck. The signer is sent
//     again from its committed nonce; those still held come back as held;
//   - auth/13, nonce too low: the payment is committed already (sent again
//     after a rewind); on to the next;
//   - anything else: the signer's remaining payments are skipped.
func (s *paymentStream) refused(key int, o load.Outcome) bool {
	sg := s.signers[key]
	switch {
	case o.Is(auth.ErrTooManyPending):
		return true
	case o.Is(auth.ErrNonceTooHigh):
		n, err := s.nonce(sg.index)
		if err != nil || n > uint64(sg.next) {
			sg.dropped = true
			return false
		}
		sg.next = int(n)
		s.rewound++
		return false
	case o.Is(auth.ErrNonceTooLow):
		sg.next++
		return false
	}
	sg.dropped = true
	return false
}

func (s *paymentStream) skipped() int {
	n := 0
	for _, sg := range s.signers {
		if sg.dropped {
			n += len(sg.txs) - sg.next
		}
	}
	return n
}

func (s *paymentStream) rewinds() int { return s.rewound }
