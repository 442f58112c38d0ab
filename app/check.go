package app

import (
	"context"
	"errors"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/app/txpool"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/module"
)

// CheckTx admits a transaction to the mempool if it would succeed on top
// of the last commit and the transactions already admitted: it runs the
// whole pipeline on the check branch, so pending nonces and balances are
// accounted for. A recheck after a commit finds the signature in the cache.
// When the app keeps the mempool (Config.Mempool), an admitted transaction
// joins the pool; CometBFT then calls CheckTx concurrently.
func (a *App) CheckTx(_ context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	if err := a.checkAndAdmit(req.Tx); err != nil {
		return checkResult(err), nil
	}
	return &abci.ResponseCheckTx{Code: abci.CodeTypeOK}, nil
}

// checkAndAdmit is CheckTx and InsertTx: it checks raw and admits it, or
// says why not.
func (a *App) checkAndAdmit(raw []byte) error {
	// The check state exists once a block is committed (or the app was
	// loaded with one); before that there is no state to check against.
	// Reading it under checkMu also orders this after setDomain.
	// A full pool refuses before any work is spent on the transaction.
	a.checkMu.Lock()
	ready := a.check != nil
	var full error
	if a.pool != nil && a.pool.Full(len(raw)) {
		full = a.poolFull()
	}
	a.checkMu.Unlock()
	if !ready {
		return errcode.Wrap(auth.ErrInvalidTx, "chain not initialised yet: no block committed")
	}
	if full != nil {
		return full
	}
	params := a.params.Load()
	// Decoding and signature recovery, the costly part, run outside the
	// lock. CometBFT's flood mempool calls one CheckTx at a time on a
	// long-lived goroutine; an app-kept mempool's calls come concurrently,
	// each on a new goroutine, and go to the check workers (checkOnWorker).
	var c checkedTx
	if a.pool != nil {
		c = a.checkOnWorker(raw, params)
	} else {
		c = a.checkTx(raw, params)
	}
	a.checkMu.Lock()
	defer a.checkMu.Unlock()
	return a.admit(&c, raw, params)
}

// admit checks c, decoded and verified from raw, on the check branch and
// counts it pending (and adds it to the pool, if the app keeps one). A
// refused transaction leaves no trace. The caller holds checkMu.
func (a *App) admit(c *checkedTx, raw []byte, params *module.ChainParams) error {
	if c.err != nil {
		return c.err
	}
	if a.pool != nil {
		switch err := a.pool.Room(c.hash, len(raw)); {
		case errors.Is(err, txpool.ErrDuplicate):
			return auth.ErrAlreadyPending
		case err != nil:
			return a.poolFull()
		}
	}
	if a.pending[c.signer] >= a.cfg.MaxPendingPerSigner {
		return errcode.Wrap(auth.ErrTooManyPending, "%d pending, limit %d", a.pending[c.signer], a.cfg.MaxPendingPerSigner)
	}
	if err := a.checkOnBranch(c, params); err != nil {
		return err
	}
	a.pending[c.signer]++
	if a.pool != nil {
		// Room said there is room, and checkMu is held since.
		if err := a.pool.Add(&txpool.Tx[checkedTx]{Hash: c.hash, Raw: raw, Data: *c}); err != nil {
			panic(fmt.Sprintf("app: mempool refused a transaction it had room for: %v", err))
		}
	}
	return nil
}

// checkOnBranch runs c's pipeline on the check branch at the next height
// and the last block's time. The caller holds checkMu.
func (a *App) checkOnBranch(c *checkedTx, params *module.ChainParams) error {
	height := a.checkTip + 1
	// Quiet: a check answers without events (broadcast_tx_sync never
	// passed them on, and the mempool drops them); building them, a
	// history entry's hex and base64 above all, took about a seventh of
	// CheckTx's CPU in a node's profile under load.
	ctx := exec.New(a.check, height, a.checkTime).Quiet()
	ctx.ChainID = a.cfg.ChainID
	_, err := a.deliver(ctx, a.check, c, height, params)
	return err
}

// resetCheckState starts a new check branch over the last commit. When
// the app keeps the mempool, it drops the transactions the last block
// included and checks the rest again on the new branch, in the order they
// were admitted, dropping each that now fails (and so every later one of
// its signer, whose nonce no longer follows): what CometBFT's recheck does,
// without decoding or verifying a signature again. The pool's size bounds
// this work.
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
	if a.pool != nil {
		a.recheckPool()
	}
}

func checkResult(err error) *abci.ResponseCheckTx {
	codespace, code, log := errcode.ABCIInfo(err)
	return &abci.ResponseCheckTx{Code: code, Codespace: codespace, Log: log}
}

// checkJob is a transaction for a check worker: it sends the result on out.
type checkJob struct {
	raw    []byte
	params *module.ChainParams
	out    chan checkedTx
}

// checkOnWorker runs checkTx on one of Config.CheckWorkers long-lived
// goroutines, started at the first call. CometBFT calls an app that keeps
// the mempool on a new goroutine per transaction, whose stack would grow
// through the pipeline each time, and from every RPC and peer connection
// at once; the workers bound the cores checks take from block execution.
func (a *App) checkOnWorker(raw []byte, params *module.ChainParams) checkedTx {
	a.startCheckers.Do(func() {
		for range a.cfg.CheckWorkers {
			// nolint:determinism: a mempool check; its result goes back to its own caller, and state is untouched until admit.
			go func() {
				for job := range a.checkJobs {
					job.out <- a.checkTx(job.raw, job.params)
				}
			}()
		}
	})
	out := make(chan checkedTx, 1)
	a.checkJobs <- checkJob{raw: raw, params: params, out: out}
	return <-out
}
