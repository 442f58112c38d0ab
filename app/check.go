package app

import (
	"context"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
)

// CheckTx admits a transaction to the mempool if it would succeed on top
// of the last commit and the transactions already admitted: it runs the
// whole pipeline on the check branch, so pending nonces and balances are
// accounted for. A recheck after a commit finds the signature in the cache.
func (a *App) CheckTx(_ context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	// The check state exists once a block is committed (or the app was
	// loaded with one); before that there is no state to check against.
	// Reading it under checkMu also orders this after setDomain.
	a.checkMu.Lock()
	ready := a.check != nil
	a.checkMu.Unlock()
	if !ready {
		return checkResult(errcode.Wrap(auth.ErrInvalidTx, "chain not initialised yet: no block committed")), nil
	}
	params := a.params.Load()
	c := a.checkTx(req.Tx, params)
	a.checkMu.Lock()
	defer a.checkMu.Unlock()
	if c.err == nil && a.pending[c.signer] >= a.cfg.MaxPendingPerSigner {
		c.err = errcode.Wrap(auth.ErrTooManyPending, "%d pending, limit %d", a.pending[c.signer], a.cfg.MaxPendingPerSigner)
	}
	height := a.checkTip + 1
	// Quiet: a check answers without events (broadcast_tx_sync never
	// passed them on, and the mempool drops them); building them, a
	// history entry's hex and base64 above all, took about a seventh of
	// CheckTx's CPU in a node's profile under load.
	ctx := exec.New(a.check, height, a.checkTime).Quiet()
	ctx.ChainID = a.cfg.ChainID
	if _, err := a.deliver(ctx, a.check, &c, height, params); err != nil {
		return checkResult(err), nil
	}
	a.pending[c.signer]++
	return &abci.ResponseCheckTx{Code: abci.CodeTypeOK}, nil
}

// resetCheckState starts a new check branch over the last commit.
func (a *App) resetCheckState() {
	v, err := a.store.Version(0)
	if err != nil {
		panic(fmt.Sprintf("app: last commit unreadable: %v", err))
	}
	a.checkMu.Lock()
	defer a.checkMu.Unlock()
	a.check = store.NewBranch(a.reg.StoreNames(), v.Readers())
	a.pending = map[common.Address]int{}
	a.checkTip = v.Height
	// CheckTx runs as if in the next block at the last block's time: the
	// day of limits and the expiry of freezes are judged then.
	a.checkTime = a.store.LastCommit().Time
}

func checkResult(err error) *abci.ResponseCheckTx {
	codespace, code, log := errcode.ABCIInfo(err)
	return &abci.ResponseCheckTx{Code: code, Codespace: codespace, Log: log}
}
