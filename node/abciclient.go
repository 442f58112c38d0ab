package node

import (
	"context"
	"strings"

	abcicli "github.com/cometbft/cometbft/abci/client"
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/proxy"
)

// peerFilterPrefix is the path of CometBFT's peer filter queries
// (filter_peers): /p2p/filter/addr/<addr> and /p2p/filter/id/<id>.
const peerFilterPrefix = "/p2p/filter/"

// clientCreator is CometBFT's connection-synchronised local client creator
// (proxy.NewConnSyncLocalClientCreator: one lock per ABCI connection), but
// the query connection answers the peer filter's queries without taking its
// lock: an expensive query from an RPC caller holds that lock, and new peers
// (a member's validator coming back) must not wait behind it. The app's
// Query is safe for concurrent use (it reads committed versions only).
type clientCreator struct{ app abci.Application }

var _ proxy.ClientCreator = clientCreator{}

func (c clientCreator) NewABCIClient() (abcicli.Client, error) {
	return peerFilterClient{Client: abcicli.NewLocalClient(nil, c.app), app: c.app}, nil
}

// peerFilterClient is a local client whose peer filter queries bypass its
// lock.
type peerFilterClient struct {
	abcicli.Client
	app abci.Application
}

func (c peerFilterClient) Query(ctx context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	if strings.HasPrefix(req.Path, peerFilterPrefix) {
		return c.app.Query(ctx, req)
	}
	return c.Client.Query(ctx, req)
}
