package app_test

import (
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/ledgerd/ledgerd/app/apptest"
)

// A mempool check fills the signature cache and the block that carries the
// transaction reads it; a transaction the block brings unchecked is
// verified there and leaves the cache as it was.
func TestSignatureCacheIsFilledByChecksNotByBlocks(t *testing.T) {
	h := apptest.New(t, apptest.Options{Wallets: 3, Balance: 100})
	h.Block()
	to := apptest.Address(h.WalletKey(2))
	checked := h.Sign(h.WalletKey(0), 0, apptest.Transfer(to, 10))
	unchecked := h.Sign(h.WalletKey(1), 0, apptest.Transfer(to, 10))

	before := h.App.SigCacheLen()
	if res := h.CheckTx(checked); res.Code != abci.CodeTypeOK {
		t.Fatalf("CheckTx: %v", res)
	}
	if got := h.App.SigCacheLen(); got != before+1 {
		t.Fatalf("after CheckTx the cache holds %d entries, want %d", got, before+1)
	}
	for i, r := range h.Block(checked, unchecked) {
		if r.Code != abci.CodeTypeOK {
			t.Fatalf("tx %d: %v", i, r)
		}
	}
	if got := h.App.SigCacheLen(); got != before+1 {
		t.Fatalf("after the block the cache holds %d entries, want %d: the block's unchecked transaction was added", got, before+1)
	}
}
