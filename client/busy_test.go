package client_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/clienttest"
	"github.com/ledgerd/ledgerd/x/module"
)

// TestBusyRetried: a query the node refuses as over its query budget
// (query/10) is retried, and answered once the node answers; a node that
// stays busy gets its refusal returned after the last retry. (The fake
// node rewrites proven answers only, so the reads are proven ones.)
func TestBusyRetried(t *testing.T) {
	defer client.ShortBusyBackoff()()
	f := liveNode(t)
	c := clienttest.NewClient(t, f)
	ctx := context.Background()
	var mu sync.Mutex
	busy, refused := 0, 0
	f.SetTamper(func(q *abci.ResponseQuery) {
		mu.Lock()
		defer mu.Unlock()
		if refused < busy {
			refused++
			*q = abci.ResponseQuery{Codespace: module.ErrBusy.Codespace, Code: module.ErrBusy.Code, Log: "busy"}
		}
	})
	rec := new(wrapperspb.StringValue)
	busy = 3
	if _, err := c.VerifiedRecord(ctx, testStore, keyA, 0, "record a", rec); err != nil || rec.Value != "alpha" || refused != 3 {
		t.Fatalf("after 3 busy answers: %v, %v (%d refused)", rec, err, refused)
	}
	busy, refused = 1000, 0
	var qe *client.QueryError
	if _, err := c.VerifiedRecord(ctx, testStore, keyA, 0, "record a", rec); !errors.As(err, &qe) || qe.Code != module.ErrBusy.Code || refused != 6 {
		t.Fatalf("always busy: %v (%d refused)", err, refused)
	}
}
