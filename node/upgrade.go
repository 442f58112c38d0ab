package node

import (
	"context"
	"errors"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtlog "github.com/cometbft/cometbft/libs/log"

	"github.com/ledgerd/ledgerd/app"
)

// upgradeWatch passes the app's calls through and watches FinalizeBlock
// for the halt at a chain upgrade this binary does not have
// (app.UpgradeNeededError): it logs what the operator must do and reports
// the halt once on halted (Node.Halted). CometBFT itself stops consensus
// on the error ("CONSENSUS FAILURE"), having executed and committed
// nothing of the block.
type upgradeWatch struct {
	app.Application
	logger cmtlog.Logger
	halted chan *app.UpgradeNeededError
}

func newUpgradeWatch(a app.Application, logger cmtlog.Logger) *upgradeWatch {
	return &upgradeWatch{Application: a, logger: logger, halted: make(chan *app.UpgradeNeededError, 1)}
}

func (w *upgradeWatch) FinalizeBlock(ctx context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	resp, err := w.Application.FinalizeBlock(ctx, req)
	var need *app.UpgradeNeededError
	if errors.As(err, &need) {
		w.logger.Error("UPGRADE NEEDED: halting before the upgrade height", "upgrade", need.Name, "height", need.Height,
			"info", need.Info, "todo", "stop this node, install a ledgerd binary that has upgrade "+need.Name+
				" and start it with the same home; it runs the upgrade and goes on (docs/operations.md, Upgrading the chain)")
		select {
		case w.halted <- need:
		default:
		}
	}
	return resp, err
}
