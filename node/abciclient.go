package node

import (
	"context"
	"strings"
	"time"

	abcicli "github.com/cometbft/cometbft/abci/client"
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/proxy"

	"github.com/ledgerd/ledgerd/x/errcode"
)

// peerFilterPrefix is the path of CometBFT's peer filter queries
// (filter_peers): /p2p/filter/addr/<addr> and /p2p/filter/id/<id>.
const peerFilterPrefix = "/p2p/filter/"

// clientCreator is CometBFT's connection-synchronised local client creator
// (proxy.NewConnSyncLocalClientCreator: one lock per ABCI connection), with
// two changes on the query connection:
//   - the peer filter's queries bypass its lock: an expensive query from an
//     RPC caller holds that lock, and new peers (a member's validator coming
//     back) must not wait behind it. The app's Query is safe for concurrent
//     use (it reads committed versions only).
//   - every other query, which on this connection comes from an RPC caller
//     (abci_query), is admitted by budget (nil: no limit), which bounds the
//     time queries take from block production; a refused query is not run
//     nor queued: it is answered with query/10 (module.ErrBusy) after the
//     budget's refusal delay. The node's own code queries the
//     app directly, not through this client, so it is never limited.
type clientCreator struct {
	app    abci.Application
	budget *queryBudget
}

var _ proxy.ClientCreator = clientCreator{}

func (c clientCreator) NewABCIClient() (abcicli.Client, error) {
	app := c.app
	if c.budget != nil {
		app = budgetedQueries{Application: app, budget: c.budget}
	}
	return peerFilterClient{Client: abcicli.NewLocalClient(nil, app), app: c.app, budget: c.budget}, nil
}

// peerFilterClient is a local client whose peer filter queries bypass its
// lock and its query budget, and whose other queries are first admitted by
// the budget.
type peerFilterClient struct {
	abcicli.Client
	app    abci.Application
	budget *queryBudget
}

func (c peerFilterClient) Query(ctx context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	if strings.HasPrefix(req.Path, peerFilterPrefix) {
		return c.app.Query(ctx, req)
	}
	if c.budget == nil {
		return c.Client.Query(ctx, req)
	}
	if err := c.budget.admit(); err != nil {
		c.budget.refuse()
		codespace, code, log := errcode.ABCIInfo(err)
		return &abci.ResponseQuery{Code: code, Codespace: codespace, Log: log}, nil
	}
	var took time.Duration
	defer func() { c.budget.done(took) }()
	return c.Client.Query(context.WithValue(ctx, queryTimeKey{}, &took), req)
}

// queryTimeKey is the context key under which peerFilterClient.Query asks
// budgetedQueries for the time the query took (a *time.Duration).
type queryTimeKey struct{}

// budgetedQueries is the app as the local client sees it: it times each
// query it runs under the connection's lock, for the budget that admitted
// it (the wait for the lock is not the query's time).
type budgetedQueries struct {
	abci.Application
	budget *queryBudget
}

func (a budgetedQueries) Query(ctx context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	if took, ok := ctx.Value(queryTimeKey{}).(*time.Duration); ok {
		start := a.budget.now()
		defer func() { *took = a.budget.now().Sub(start) }()
	}
	return a.Application.Query(ctx, req)
}
