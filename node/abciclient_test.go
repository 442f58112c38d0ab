package node

import (
	"context"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
)

// slowQueries blocks a query of /slow until release is closed.
type slowQueries struct {
	abci.BaseApplication
	started, release chan struct{}
}

func (s *slowQueries) Query(_ context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	if req.Path == "/slow" {
		close(s.started)
		<-s.release
	}
	return &abci.ResponseQuery{Log: req.Path}, nil
}

// TestPeerFilterDoesNotWaitBehindQueries: while a slow query holds the
// query connection, the peer filter's query is answered, and another
// query waits.
func TestPeerFilterDoesNotWaitBehindQueries(t *testing.T) {
	app := &slowQueries{started: make(chan struct{}), release: make(chan struct{})}
	c, err := clientCreator{app: app}.NewABCIClient()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	go c.Query(ctx, &abci.RequestQuery{Path: "/slow"})
	<-app.started
	filtered := make(chan struct{})
	go func() {
		c.Query(ctx, &abci.RequestQuery{Path: "/p2p/filter/id/abc"})
		close(filtered)
	}()
	other := make(chan struct{})
	go func() {
		c.Query(ctx, &abci.RequestQuery{Path: "/other"})
		close(other)
	}()
	select {
	case <-filtered:
	case <-time.After(5 * time.Second):
		t.Fatal("the peer filter waited behind a query")
	}
	select {
	case <-other:
		t.Fatal("an ordinary query did not wait for the connection")
	case <-time.After(100 * time.Millisecond):
	}
	close(app.release)
	<-other
}
