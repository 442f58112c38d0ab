package load

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"

	"github.com/ledgerd/ledgerd/client"
	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
)

// Kinds of bad transactions, sent in this order, over and over.
var badKinds = []string{"malformed", "oversized", "replayed", "bad-signature", "other-chain"}

// BadReport is what became of the bad transactions sent during a step.
type BadReport struct {
	Sent int `json:"sent"`
	// Refused by kind and "codespace/code" (or "mempool cache" for a
	// replay the node's cache caught).
	Refused map[string]int `json:"refused"`
	// Admitted must stay 0: a bad transaction a node admitted.
	Admitted int `json:"admitted"`
	// Unsent could not reach any node (all down at that moment).
	Unsent int `json:"unsent"`
	// AdmittedKinds lists what was admitted, for the error message.
	AdmittedKinds []string `json:"admitted_kinds,omitempty"`
}

// badSender sends one bad transaction per trigger, to the nodes in turn.
type badSender struct {
	g    *Generator
	ctx  context.Context
	reqs chan struct{}
	wg   sync.WaitGroup
	r    BadReport
}

func (g *Generator) newBadSender(ctx context.Context) *badSender {
	b := &badSender{g: g, ctx: ctx, reqs: make(chan struct{}, 16), r: BadReport{Refused: map[string]int{}}}
	b.wg.Add(1)
	go b.loop()
	return b
}

// trigger asks for one more bad transaction; it drops the request if the
// sender is behind.
func (b *badSender) trigger() {
	select {
	case b.reqs <- struct{}{}:
	default:
	}
}

func (b *badSender) finish() *BadReport {
	b.wg.Wait()
	return &b.r
}

func (b *badSender) loop() {
	defer b.wg.Done()
	for n := 0; ; n++ {
		select {
		case <-b.ctx.Done():
			return
		case <-b.reqs:
		}
		kind := badKinds[n%len(badKinds)]
		c := b.g.clients[n%len(b.g.clients)]
		var tx []byte
		var err error
		if kind == "replayed" {
			c, tx, err = b.replay(n)
		} else {
			tx, err = b.make(kind)
		}
		if err != nil {
			continue // nothing to replay yet, or no node has caught up with it
		}
		_, err = c.Broadcast(b.ctx, tx)
		var txErr *client.TxError
		b.r.Sent++
		switch {
		case err == nil:
			b.r.Admitted++
			b.r.AdmittedKinds = append(b.r.AdmittedKinds, fmt.Sprintf("%s via %s", kind, c.URL()))
		case errors.As(err, &txErr):
			b.r.Refused[fmt.Sprintf("%s %s/%d", kind, txErr.Codespace, txErr.Code)]++
		case errors.Is(err, client.ErrTxInMempool):
			b.r.Refused[kind+" mempool cache"]++
		default:
			b.r.Sent--
			b.r.Unsent++
		}
	}
}

// replay picks a committed payment and a node, starting with the n-th,
// that has committed it too: a node still catching up (restarted, cut off)
// has not seen the payment yet and rightly admits it, to drop it once it
// catches up; that is not a replay. A node counts as having committed the
// payment's block only once it reports the next one: CometBFT stores a
// block, and reports its height, before the app has executed it and reset
// the mempool's check state, so a replay sent in that window was admitted
// (seed 106 of the fault runs).
func (b *badSender) replay(n int) (*client.Client, []byte, error) {
	last := b.g.lastCommitted.Load()
	if last == nil {
		return nil, nil, errors.New("nothing committed yet")
	}
	for k := range len(b.g.clients) {
		c := b.g.clients[(n+k)%len(b.g.clients)]
		if h, err := c.LatestHeight(b.ctx); err == nil && h > last.height {
			return c, last.raw, nil
		}
	}
	return nil, nil, errors.New("no node has caught up with the payment")
}

// make builds a bad transaction of kind.
func (b *badSender) make(kind string) ([]byte, error) {
	g := b.g
	w := g.wallets[0]
	valid := uint64(g.watch.tip.Load()) + g.cfg.ValidFor
	payment := &walletv1.MsgTransfer{To: g.wallets[1].addr.Bytes(), Denom: g.cfg.Denom, Amount: 1}
	switch kind {
	case "malformed":
		junk := make([]byte, 97)
		_, _ = rand.Read(junk)
		return junk, nil
	case "oversized":
		// A well-formed transaction padded past max_tx_bytes (64 KiB).
		tx, err := g.sign(w.key, 1<<40, valid, &walletv1.MsgTransfer{To: payment.To, Denom: g.cfg.Denom, Amount: 1,
			Memo: string(make([]byte, 70_000))})
		if err != nil {
			return nil, err
		}
		return tx, nil
	case "bad-signature":
		raw, err := g.sign(w.key, 1<<40, valid, payment)
		if err != nil {
			return nil, err
		}
		tx, err := client.DecodeTx(raw)
		if err != nil {
			return nil, err
		}
		tx.Signature[5] ^= 0xff
		return client.EncodeTx(tx)
	case "other-chain":
		body := &authv1.TxBody{ChainId: g.domain.ChainID + "-other", Signer: w.addr.Bytes(), Nonce: 1 << 40, ValidUntilHeight: valid}
		if err := client.SetMsg(body, payment); err != nil {
			return nil, err
		}
		domain := g.domain
		domain.ChainID = body.ChainId
		_, tx, err := client.SignTx(domain, body, w.key, authv1.SignMode_SIGN_MODE_EIP712)
		return tx, err
	}
	return nil, fmt.Errorf("unknown kind %q", kind)
}
