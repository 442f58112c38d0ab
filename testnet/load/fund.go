package load

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/ledgerd/ledgerd/client"
	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/wallet"
	"github.com/ledgerd/ledgerd/x/wallet/walletclient"
)

// fundChunk is how many wallets a bank opens and funds per round: two
// transactions each, within the node's per-signer mempool cap (64).
const fundChunk = 32

// Prepare opens and funds every wallet that does not exist yet, bank by
// bank in parallel, and reads the nonce of those that do (a seed used
// before on this chain). It fails if any funding transaction fails.
func (g *Generator) Prepare(ctx context.Context) error {
	start := time.Now()
	var todo [][]*payer
	todo = make([][]*payer, len(g.cfg.Banks))
	for i, w := range g.wallets {
		c := g.clients[i%len(g.clients)]
		existing, err := walletclient.New(c).Wallet(ctx, w.addr)
		switch {
		case err == nil:
			w.nonce = existing.Nonce
			g.setInitial(w.addr, wallet.Balance(existing, g.cfg.Denom))
		case errors.Is(err, client.ErrNotFound):
			b := i % len(g.cfg.Banks)
			todo[b] = append(todo[b], w)
		default:
			return fmt.Errorf("load: wallet %s: %w", w.addr.Hex(), err)
		}
	}
	errs := make(chan error, len(g.cfg.Banks))
	for b, bank := range g.cfg.Banks {
		go func() { errs <- g.fundAll(ctx, bank, g.clients[b%len(g.clients)], todo[b]) }()
	}
	var first error
	for range g.cfg.Banks {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		return first
	}
	g.cfg.Logf("load: %d wallets ready in %s", len(g.wallets), time.Since(start).Round(time.Millisecond))
	return nil
}

// setInitial records a wallet's balance before the payments.
func (g *Generator) setInitial(addr common.Address, balance uint64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.initial[addr] = balance
}

func (g *Generator) fundAll(ctx context.Context, bank Bank, c *client.Client, ws []*payer) error {
	if len(ws) == 0 {
		return nil
	}
	bankAddr := crypto.PubkeyToAddress(bank.Key.PublicKey)
	nonce, err := c.Nonce(ctx, bankAddr)
	if err != nil {
		return fmt.Errorf("load: %s's operator %s: %w", bank.Member, bankAddr.Hex(), err)
	}
	for len(ws) > 0 {
		n := min(fundChunk, len(ws))
		if err := g.fundChunk(ctx, bank, c, ws[:n], &nonce); err != nil {
			return err
		}
		ws = ws[n:]
	}
	return nil
}

// fundChunk sends an open and a deposit for each wallet, with consecutive
// nonces, to one node, then waits until all are committed.
func (g *Generator) fundChunk(ctx context.Context, bank Bank, c *client.Client, ws []*payer, nonce *uint64) error {
	type sent struct {
		hash   [32]byte
		raw    []byte
		funded common.Address
		what   string
		ch     <-chan inclusion
	}
	validUntil := uint64(g.watch.tip.Load()) + 50
	var all []sent
	for _, w := range ws {
		kyc := sha256.Sum256(w.addr.Bytes())
		for _, m := range []client.Msg{
			&walletv1.MsgOpenWallet{Owner: w.addr.Bytes(), KycHash: kyc[:], Tier: 1},
			&walletv1.MsgDeposit{Wallet: w.addr.Bytes(), Denom: g.cfg.Denom, Amount: g.cfg.Funding, Reference: "load-" + w.addr.Hex()},
		} {
			b, err := g.sign(bank.Key, *nonce, validUntil, m)
			if err != nil {
				return err
			}
			hash := g.track(b, Tx{})
			s := sent{hash: hash, raw: b, what: fmt.Sprintf("%T for %s", m, w.addr.Hex()), ch: g.watch.expect(hash, validUntil)}
			if _, ok := m.(*walletv1.MsgDeposit); ok {
				s.funded = w.addr
			}
			earlier := make([][]byte, len(all))
			for i, e := range all {
				earlier[i] = e.raw
			}
			if err := broadcastPatiently(ctx, c, b, earlier); err != nil {
				g.watch.forget(hash)
				return fmt.Errorf("load: %s funding through %s: %s: %w", bank.Member, c.URL(), s.what, err)
			}
			*nonce++
			all = append(all, s)
		}
	}
	var last int64
	for _, s := range all {
		select {
		case inc := <-s.ch:
			if inc.Expired {
				return fmt.Errorf("load: %s funding: %s not committed by its valid_until_height %d", bank.Member, s.what, validUntil)
			}
			last = max(last, inc.Height)
			if inc.Code != 0 {
				return fmt.Errorf("load: %s funding: %s failed in block %d: %s/%d", bank.Member, s.what, inc.Height, inc.Codespace, inc.Code)
			}
			if s.funded != (common.Address{}) {
				g.setInitial(s.funded, g.cfg.Funding)
			}
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Minute):
			return fmt.Errorf("load: %s funding: %s not committed within 2 minutes", bank.Member, s.what)
		}
	}
	// The next chunk goes to the same node, which counts the bank's
	// transactions as pending until it has committed them too.
	for {
		if h, err := c.LatestHeight(ctx); err == nil && h >= last {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// broadcastPatiently broadcasts b, retrying for up to 30 s while the node
// still counts the signer's last chunk as pending (auth/16): a node
// reports a new height before its mempool has caught up with it. If the
// node says earlier nonces are missing (auth/14: it dropped one of earlier,
// the same signer's transactions it had admitted, as CometBFT's mempool
// may), it sends earlier again, in order, and retries.
func broadcastPatiently(ctx context.Context, c *client.Client, b []byte, earlier [][]byte) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := c.Broadcast(ctx, b)
		if err == nil || errors.Is(err, client.ErrTxInMempool) {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		switch {
		case errors.Is(err, auth.ErrNonceTooHigh):
			for _, e := range earlier {
				// Committed ones are refused as used nonces, admitted ones
				// as already held: only the dropped one goes in again.
				_, _ = c.Broadcast(ctx, e)
			}
		case !errors.Is(err, auth.ErrTooManyPending):
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// sign makes the canonical bytes of msg signed by key with nonce. It does
// not check its own signature as Sign does: the node checks every one, and
// a bad signature would show in the report as auth/11 refusals.
func (g *Generator) sign(key *ecdsa.PrivateKey, nonce, validUntil uint64, msg client.Msg) ([]byte, error) {
	body, err := txBody(g.domain, key, nonce, validUntil, msg)
	if err != nil {
		return nil, err
	}
	tx, err := g.signer.Sign(body, authv1.SignMode_SIGN_MODE_EIP712, key)
	if err != nil {
		return nil, err
	}
	return client.EncodeTx(tx)
}

// Sign makes the canonical bytes of msg signed by key (EIP-712) in domain
// with nonce and valid_until_height validUntil, with client.SignTx, which
// checks the signature as the node will.
func Sign(domain auth.Domain, key *ecdsa.PrivateKey, nonce, validUntil uint64, msg client.Msg) ([]byte, error) {
	body, err := txBody(domain, key, nonce, validUntil, msg)
	if err != nil {
		return nil, err
	}
	_, b, err := client.SignTx(domain, body, key, authv1.SignMode_SIGN_MODE_EIP712)
	return b, err
}

func txBody(domain auth.Domain, key *ecdsa.PrivateKey, nonce, validUntil uint64, msg client.Msg) (*authv1.TxBody, error) {
	body := &authv1.TxBody{ChainId: domain.ChainID, Signer: crypto.PubkeyToAddress(key.PublicKey).Bytes(),
		Nonce: nonce, ValidUntilHeight: validUntil}
	return body, client.SetMsg(body, msg)
}
