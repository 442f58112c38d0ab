package app

import (
	"cmp"
	"context"
	"slices"

	abci "github.com/cometbft/cometbft/abci/types"

	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
)

// PrepareProposal takes the mempool's transactions in order up to the
// block's transaction and byte caps, then puts each signer's transactions
// in nonce order (orderByNonce).
func (a *App) PrepareProposal(_ context.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	var txs [][]byte
	var size int64
	maxTxs := a.params.Load().MaxBlockTxs
	for _, tx := range req.Txs {
		if uint64(len(txs)) == maxTxs || size+int64(len(tx)) > req.MaxTxBytes {
			break
		}
		txs = append(txs, tx)
		size += int64(len(tx))
	}
	orderByNonce(txs)
	return &abci.ResponsePrepareProposal{Txs: txs}, nil
}

// orderByNonce sorts, in place, each signer's transactions by nonce within
// the positions they hold; other transactions keep theirs, and bytes that
// do not decode stay where they are (they fail in the block).
//
// The mempool can hold one signer's transactions out of nonce order:
// CometBFT checks transactions arriving from several peers concurrently and
// appends each to its list after the app admitted it, so two admitted in
// order can be listed the other way round. Executed in that order, the
// later nonce would fail with auth/14. The signer named in the body is
// trusted only for ordering: a transaction whose signature does not match
// fails in the block as it would anywhere.
func orderByNonce(txs [][]byte) {
	type entry struct {
		pos   int
		nonce uint64
		tx    []byte
	}
	bySigner := map[string][]entry{}
	var signers []string // in order of first appearance
	for i, raw := range txs {
		tx := new(authv1.Tx)
		if decodeOptions.Unmarshal(raw, tx) != nil || tx.Body == nil {
			continue
		}
		signer := string(tx.Body.Signer)
		if _, seen := bySigner[signer]; !seen {
			signers = append(signers, signer)
		}
		bySigner[signer] = append(bySigner[signer], entry{pos: i, nonce: tx.Body.Nonce, tx: raw})
	}
	for _, signer := range signers {
		es := bySigner[signer]
		if len(es) < 2 || slices.IsSortedFunc(es, func(a, b entry) int { return cmp.Compare(a.nonce, b.nonce) }) {
			continue
		}
		byNonce := slices.Clone(es)
		slices.SortStableFunc(byNonce, func(a, b entry) int { return cmp.Compare(a.nonce, b.nonce) })
		for k, e := range es {
			txs[e.pos] = byNonce[k].tx
		}
	}
}
