package app

import (
	"cmp"
	"context"
	"slices"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/exec"

	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
)

// PrepareProposal takes the mempool's transactions in order up to the
// block's transaction and byte caps, puts each signer's transactions in
// nonce order (orderByNonce), and leaves out those that would fail with a
// nonce gap (dropNonceGaps).
//
// When the app keeps the mempool, CometBFT passes no transactions: the
// proposal is the pool's oldest up to the caps. The pool is in the order
// its transactions were admitted to the check state, one after another,
// so each signer's are in nonce order and any prefix has no nonce gap.
func (a *App) PrepareProposal(_ context.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	maxTxs := a.params.Load().MaxBlockTxs
	if a.pool != nil {
		a.checkMu.Lock()
		defer a.checkMu.Unlock()
		return &abci.ResponsePrepareProposal{Txs: a.pool.Reap(int(min(maxTxs, uint64(a.pool.Len()))), req.MaxTxBytes)}, nil
	}
	var txs [][]byte
	var size int64
	for _, tx := range req.Txs {
		if uint64(len(txs)) == maxTxs || size+int64(len(tx)) > req.MaxTxBytes {
			break
		}
		txs = append(txs, tx)
		size += int64(len(tx))
	}
	bySigner := groupBySigner(txs)
	orderByNonce(txs, bySigner)
	if nonce, ok := a.committedNonces(); ok {
		txs = dropNonceGaps(txs, bySigner, nonce)
	}
	return &abci.ResponsePrepareProposal{Txs: txs}, nil
}

// signerTxs are one signer's transactions in a proposal, in the order
// they are listed.
type signerTxs struct {
	signer common.Address
	txs    []proposedTx
}

type proposedTx struct {
	pos   int
	nonce uint64
}

// groupBySigner groups the decodable transactions of txs by the signer
// their body names, signers in order of first appearance. The signer is
// trusted only for ordering: a transaction whose signature does not match
// fails in the block as it would anywhere. Bytes that do not decode belong
// to no group and stay where they are (they fail in the block).
func groupBySigner(txs [][]byte) []*signerTxs {
	index := map[common.Address]*signerTxs{}
	var groups []*signerTxs
	for i, raw := range txs {
		tx := new(authv1.Tx)
		if decodeOptions.Unmarshal(raw, tx) != nil || tx.Body == nil || len(tx.Body.Signer) != common.AddressLength {
			continue
		}
		signer := common.BytesToAddress(tx.Body.Signer)
		g := index[signer]
		if g == nil {
			g = &signerTxs{signer: signer}
			index[signer] = g
			groups = append(groups, g)
		}
		g.txs = append(g.txs, proposedTx{pos: i, nonce: tx.Body.Nonce})
	}
	return groups
}

// orderByNonce sorts, in place, each signer's transactions by nonce within
// the positions they hold; other transactions keep theirs. It leaves each
// group's entries in nonce order too.
//
// The mempool can hold one signer's transactions out of nonce order:
// CometBFT checks transactions arriving from several peers concurrently and
// appends each to its list after the app admitted it, so two admitted in
// order can be listed the other way round. Executed in that order, the
// later nonce would fail with auth/14.
func orderByNonce(txs [][]byte, groups []*signerTxs) {
	byNonce := func(a, b proposedTx) int { return cmp.Compare(a.nonce, b.nonce) }
	for _, g := range groups {
		if len(g.txs) < 2 || slices.IsSortedFunc(g.txs, byNonce) {
			continue
		}
		positions := make([]int, len(g.txs))
		raw := make([][]byte, len(g.txs))
		for k, e := range g.txs {
			positions[k], raw[k] = e.pos, txs[e.pos]
		}
		order := make([]int, len(g.txs))
		for k := range order {
			order[k] = k
		}
		slices.SortStableFunc(order, func(x, y int) int { return byNonce(g.txs[x], g.txs[y]) })
		sorted := make([]proposedTx, len(g.txs))
		for k, from := range order {
			txs[positions[k]] = raw[from]
			sorted[k] = proposedTx{pos: positions[k], nonce: g.txs[from].nonce}
		}
		g.txs = sorted
	}
}

// dropNonceGaps leaves out of txs every transaction that cannot succeed
// for its nonce alone: those of a signer after the first one whose nonce
// is not the next the signer's account expects (nonce: the committed
// account nonce, and false for a signer with no account, whose
// transactions are kept and fail in the block as they would anywhere).
// groups must be in nonce order (orderByNonce). The transactions left out
// stay in the mempool for a later block.
//
// A proposal cut at the block's caps can hold a signer's nonce n+1 while
// n lies past the cut, when the mempool lists them the other way round;
// and a mempool can drop n while keeping n+1. Proposed anyway, n+1 would
// fail in the block with auth/14, and a client that was told its payment
// was admitted would see it refused.
func dropNonceGaps(txs [][]byte, groups []*signerTxs, nonce func(common.Address) (uint64, bool)) [][]byte {
	drop := map[int]bool{}
	for _, g := range groups {
		next, ok := nonce(g.signer)
		if !ok {
			continue
		}
		for k, e := range g.txs {
			if e.nonce != next {
				for _, d := range g.txs[k:] {
					drop[d.pos] = true
				}
				break
			}
			next++
		}
	}
	if len(drop) == 0 {
		return txs
	}
	kept := txs[:0]
	for i, tx := range txs {
		if !drop[i] {
			kept = append(kept, tx)
		}
	}
	return kept
}

// committedNonces returns the account nonce of a signer in the last
// committed state, or false before the first commit.
func (a *App) committedNonces() (func(common.Address) (uint64, bool), bool) {
	if a.store.LastCommit().Height == 0 {
		return nil, false
	}
	v, err := a.store.Version(0)
	if err != nil {
		return nil, false
	}
	ctx := exec.New(store.NewBranch(a.reg.StoreNames(), v.Readers()), v.Height+1, time.Time{})
	return func(signer common.Address) (uint64, bool) {
		acct, err := a.account(ctx, signer)
		if err != nil {
			return 0, false
		}
		return acct.Nonce, true
	}, true
}
