package app

import (
	"context"
	"errors"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/ledgerd/ledgerd/app/txpool"
	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// QueryMempool: authv1.Mempool, the transactions this node holds for
// coming blocks (the node's word, not state).
const QueryMempool = "/mempool"

// InsertTx admits a transaction a peer gossiped, as CheckTx does; CometBFT
// calls it only when the app keeps the mempool. A refusal that may pass
// later (a full pool, a nonce ahead of what this node holds, a signer at
// its pending cap) is answered with CometBFT's retry code, so that its
// mempool forgets the transaction at once and checks it again when a peer
// gossips it again (txpool.Pool.Retain gossips what stays pending); any
// other refusal keeps it remembered as seen, so it is not checked again.
func (a *App) InsertTx(_ context.Context, req *abci.RequestInsertTx) (*abci.ResponseInsertTx, error) {
	if a.pool == nil {
		return nil, fmt.Errorf("app: InsertTx, but this app does not keep the mempool (mempool.type is not \"app\")")
	}
	err := a.checkAndAdmit(req.Tx)
	switch {
	case err == nil:
		return &abci.ResponseInsertTx{Code: abci.CodeTypeOK}, nil
	case errors.Is(err, auth.ErrMempoolFull), errors.Is(err, auth.ErrNonceTooHigh), errors.Is(err, auth.ErrTooManyPending):
		return &abci.ResponseInsertTx{Code: abci.CodeTypeRetry}, nil
	}
	_, code, _ := errcode.ABCIInfo(err)
	return &abci.ResponseInsertTx{Code: code}, nil
}

// ReapTxs hands CometBFT the transactions admitted since its last call, for
// gossip to peers, up to req.MaxBytes of them (0: all).
func (a *App) ReapTxs(_ context.Context, req *abci.RequestReapTxs) (*abci.ResponseReapTxs, error) {
	if a.pool == nil {
		return &abci.ResponseReapTxs{}, nil
	}
	a.checkMu.Lock()
	defer a.checkMu.Unlock()
	return &abci.ResponseReapTxs{Txs: a.pool.Gossip(req.MaxBytes)}, nil
}

// poolFull is the refusal of a full pool. The caller holds checkMu.
func (a *App) poolFull() error {
	return errcode.Wrap(auth.ErrMempoolFull, "%d transactions, %d bytes pending", a.pool.Len(), a.pool.Bytes())
}

// recheckPool drops from the pool the transactions the last finalized
// block included and checks the others again on the new check branch, in
// the order they were admitted, dropping each that now fails (and so
// every later one of its signer, whose nonce no longer follows). The
// caller holds checkMu, with the check branch just reset.
func (a *App) recheckPool() {
	params := a.params.Load()
	included := a.included
	a.included = nil
	a.pool.Retain(func(tx *txpool.Tx[checkedTx]) bool {
		if _, ok := included[tx.Hash]; ok {
			return false
		}
		if a.checkOnBranch(&tx.Data, params) != nil {
			a.poolDropped++
			return false
		}
		a.pending[tx.Data.signer]++
		return true
	})
}

func (a *App) queryMempool() *abci.ResponseQuery {
	out := &authv1.Mempool{KeptBy: "cometbft"}
	if a.pool != nil {
		a.checkMu.Lock()
		out = &authv1.Mempool{KeptBy: "app", Txs: uint64(a.pool.Len()), Bytes: uint64(a.pool.Bytes()),
			MaxTxs: uint64(a.cfg.Mempool.MaxTxs), MaxBytes: uint64(a.cfg.Mempool.MaxBytes), Height: a.checkTip, Dropped: a.poolDropped}
		a.checkMu.Unlock()
	}
	resp, err := marshalAnswer(out)
	if err != nil {
		return queryError(err)
	}
	return resp
}
