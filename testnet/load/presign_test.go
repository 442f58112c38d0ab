package load

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/x/auth"
)

// TestPresign: presign gives every wallet its next payments, with
// consecutive nonces from its own, signed by it, each to another wallet,
// valid for the window stretched by the step's length.
func TestPresign(t *testing.T) {
	domain := auth.Domain{ChainID: "presign-test", NumericID: 7}
	g := &Generator{cfg: Config{ValidFor: 20, Denom: "CNY"}, domain: domain, signer: auth.NewSigner(domain),
		watch: newWatcher(nil, 100)}
	for i := range 5 {
		g.wallets = append(g.wallets, newWallet(1, i))
	}
	g.wallets[2].nonce = 9
	rngs := make([]*rand.Rand, len(g.wallets))
	for i := range rngs {
		rngs[i] = rand.New(rand.NewPCG(1, uint64(i)))
	}
	n, err := g.presign(context.Background(), Step{Duration: 10 * time.Second, Presign: 3}, rngs)
	if err != nil || n != 15 {
		t.Fatalf("presign: %d, %v; want 15", n, err)
	}
	const validUntil = 100 + 20 + 40 // tip, ValidFor, 10 s at a block per 250 ms
	for i, w := range g.wallets {
		if len(w.presigned) != 3 {
			t.Fatalf("wallet %d: %d presigned, want 3", i, len(w.presigned))
		}
		for k, p := range w.presigned {
			if p.nonce != w.nonce+uint64(k) || p.validUntil != validUntil || p.to == w.addr || p.amount < 1 || p.amount > 100 {
				t.Fatalf("wallet %d payment %d: nonce %d valid until %d to %s amount %d", i, k, p.nonce, p.validUntil, p.to.Hex(), p.amount)
			}
			tx, err := client.DecodeTx(p.raw)
			if err != nil {
				t.Fatal(err)
			}
			signer, _, err := g.signer.Signers(tx)
			if err != nil || signer != w.addr {
				t.Fatalf("wallet %d payment %d: signed by %s (%v)", i, k, signer.Hex(), err)
			}
			msg := tx.Body.GetTransfer()
			if tx.Body.Nonce != p.nonce || tx.Body.ValidUntilHeight != validUntil || msg == nil || msg.Amount != p.amount || string(msg.To) != string(p.to.Bytes()) {
				t.Fatalf("wallet %d payment %d: body %v", i, k, tx.Body)
			}
		}
	}
}
