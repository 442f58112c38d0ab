package app_test

import (
	"testing"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/app/apptest"
)

// TestWholeStateQueries: the invariants, whose cost grows with the whole
// state, are answered at the last height only, once per height.
func TestWholeStateQueries(t *testing.T) {
	h := apptest.New(t, apptest.Options{Wallets: 3, Balance: 100})
	h.Block()
	h.Block()
	last := h.Height()
	for _, path := range []string{"/wallet/invariant", "/settle/invariant"} {
		wantQuery(t, h.Query(path, nil, 0, false), ok)
		if r := h.Query(path, nil, last, false); r.Code != 0 || r.Height != last {
			t.Fatalf("%s at the last height: (%d) %s at %d", path, r.Code, r.Log, r.Height)
		}
		wantQuery(t, h.Query(path, nil, last-1, false), app.ErrInvalidRequest)
	}
	h.Block()
	if r := h.Query("/wallet/invariant", nil, 0, false); r.Code != 0 || r.Height != last+1 {
		t.Fatalf("after a block: (%d) %s at %d", r.Code, r.Log, r.Height)
	}
}
