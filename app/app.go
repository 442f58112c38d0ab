// Package app is ledgerd's ABCI application: the transaction pipeline
// (decode, canonical encoding, stateless checks, signature, nonce,
// permission, execution), block execution and commit, and queries with
// proofs.
//
// Concurrency (CometBFT's connection-synchronised local client): the
// consensus connection (InitChain, PrepareProposal, ProcessProposal,
// FinalizeBlock, Commit), the mempool connection (CheckTx) and the query
// connection (Info, Query) call in concurrently.
//   - FinalizeBlock and Commit own the working trees.
//   - CheckTx works on its own branch over the last committed version, reset
//     by Commit; it holds checkMu.
//   - Queries read committed versions only and take no lock of the consensus
//     path.
package app

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"

	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/aml"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/gov"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// Version is the app's protocol version, reported in Info.
const Version uint64 = 1

// StoreNames are the module stores, in app-hash order.
var StoreNames = []string{consortium.StoreName, wallet.StoreName, aml.StoreName, gov.StoreName}

// App is the ledgerd ABCI application.
type App struct {
	abci.BaseApplication

	cfg    Config
	store  *store.Store
	wallet wallet.Module
	sigs   *sigCache

	// signer is set once the numeric chain id is known (InitChain or load);
	// CheckTx reads it concurrently.
	signer atomic.Pointer[auth.Signer]

	// block is the working state of the block being finalized; nil between
	// Commit and the next FinalizeBlock.
	block *store.Branch
	// genesis holds InitChain's writes until the first Commit: they are part
	// of the first block's state, and FinalizeBlock starts from the last
	// commit (Rollback), which would otherwise discard them.
	genesis *store.Branch
	// genesisMembers is the genesis consortium state, for the peer filter
	// to answer from before the first commit (when no version exists yet
	// and the validators must connect to make block 1). Written once by
	// InitChain, then only read.
	genesisMembers atomic.Pointer[consortium.View]

	// params are the chain parameters of the last commit (or genesis),
	// read by every connection.
	params atomic.Pointer[consortiumv1.Params]

	checkMu  sync.Mutex
	check    *store.Branch
	pending  map[common.Address]int
	checkTip int64
	// checkTime is the last block's time, the time CheckTx runs at.
	checkTime time.Time
	// blockTime is the time of the block being finalized, committed with it.
	blockTime time.Time
}

// New returns the app over st, which must have been opened with
// StoreNames.
func New(cfg Config, st *store.Store) (*App, error) {
	if cfg.ChainID == "" {
		return nil, fmt.Errorf("app: no chain id configured")
	}
	a := &App{cfg: cfg, store: st, sigs: newSigCache(cfg.SigCacheSize)}
	a.wallet = wallet.NewModule(func(ctx exec.Context) wallet.Members {
		return consortium.NewView(ctx.KV(consortium.StoreName))
	}, func(ctx exec.Context) wallet.Monitor {
		return aml.NewMonitor(ctx.KV(aml.StoreName))
	})
	if st.LastCommit().Height > 0 {
		v, err := st.Version(0)
		if err != nil {
			return nil, err
		}
		if err := a.loadParams(v); err != nil {
			return nil, err
		}
		a.resetCheckState()
	}
	return a, nil
}

// loadParams installs the chain parameters of a committed version.
func (a *App) loadParams(v *store.Version) error {
	r, err := v.Reader(consortium.StoreName)
	if err != nil {
		return err
	}
	a.setParams(consortium.NewView(r).Params())
	return nil
}

// setParams installs the chain parameters in force, and the signing domain
// they name.
func (a *App) setParams(p *consortiumv1.Params) {
	if s := a.signer.Load(); s == nil || s.Domain().NumericID != p.ChainNumericId {
		a.signer.Store(auth.NewSigner(auth.Domain{ChainID: a.cfg.ChainID, NumericID: p.ChainNumericId}))
	}
	a.params.Store(p)
}

// Domain returns the EIP-712 domain transactions are signed in; zero
// before InitChain.
func (a *App) Domain() auth.Domain {
	s := a.signer.Load()
	if s == nil {
		return auth.Domain{}
	}
	return s.Domain()
}

// Store returns the app's store, for queries and tests.
func (a *App) Store() *store.Store { return a.store }

// Info reports the last height whose state is durable on disk; CometBFT's
// handshake replays the blocks after it.
func (a *App) Info(context.Context, *abci.RequestInfo) (*abci.ResponseInfo, error) {
	height := a.store.Durable()
	var hash []byte
	if height > 0 {
		v, err := a.store.Version(height)
		if err != nil {
			return nil, err
		}
		hash = v.AppHash()
	}
	return &abci.ResponseInfo{
		Data:             "ledgerd",
		Version:          strconv.FormatUint(Version, 10),
		AppVersion:       Version,
		LastBlockHeight:  height,
		LastBlockAppHash: hash,
	}, nil
}

// InitChain writes the genesis state and returns the validators it names.
func (a *App) InitChain(_ context.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	if req.ChainId != a.cfg.ChainID {
		return nil, fmt.Errorf("app: InitChain for chain %q, configured for %q", req.ChainId, a.cfg.ChainID)
	}
	if req.InitialHeight > 1 {
		return nil, fmt.Errorf("app: initial height %d is not supported; use 1", req.InitialHeight)
	}
	gen, err := ParseGenesis(req.AppStateBytes)
	if err != nil {
		return nil, err
	}
	a.store.Rollback()
	branch := store.NewBranch(StoreNames, a.store.Working())
	ctx := exec.New(branch, 0, req.Time)
	consortium.NewKeeper(ctx.KV(consortium.StoreName)).InitGenesis(gen.Consortium)
	if err := wallet.NewKeeper(ctx.KV(wallet.StoreName)).InitGenesis(gen.Wallet); err != nil {
		return nil, err
	}
	aml.NewKeeper(ctx.KV(aml.StoreName)).InitGenesis(gen.AML)
	gov.NewKeeper(ctx.KV(gov.StoreName)).InitGenesis(gen.Gov)
	a.store.Apply(branch)
	a.genesis = branch
	members := store.NewOverlay(store.Empty)
	consortium.NewKeeper(members).InitGenesis(gen.Consortium)
	view := consortium.NewView(members)
	a.genesisMembers.Store(&view)
	a.setParams(gen.Consortium.Params)

	var vals []abci.ValidatorUpdate
	for _, m := range gen.Consortium.Members {
		if m.Validator != nil {
			vals = append(vals, abci.Ed25519ValidatorUpdate(m.Validator.PubKey, m.Validator.Power))
		}
	}
	return &abci.ResponseInitChain{Validators: vals, AppHash: a.store.WorkingHash()}, nil
}

// ProcessProposal rejects blocks over the transaction cap. Invalid
// transactions are not a reason to reject: they fail with their code.
func (a *App) ProcessProposal(_ context.Context, req *abci.RequestProcessProposal) (*abci.ResponseProcessProposal, error) {
	if uint64(len(req.Txs)) > a.params.Load().MaxBlockTxs {
		return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_REJECT}, nil
	}
	return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_ACCEPT}, nil
}

// FinalizeBlock checks every transaction's signature in parallel, then
// executes them in order, each on its own branch of the block's state, and
// returns one result per transaction and the app hash.
func (a *App) FinalizeBlock(_ context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	if a.signer.Load() == nil {
		return nil, fmt.Errorf("app: FinalizeBlock before InitChain")
	}
	// A block finalized again (crash recovery, or a round that did not
	// commit) starts from the last commit.
	a.store.Rollback()
	if a.genesis != nil {
		a.store.Apply(a.genesis)
	}
	a.block = store.NewBranch(StoreNames, a.store.Working())
	ctx := exec.New(a.block, req.Height, req.Time)
	ctx.ChainID = a.cfg.ChainID
	a.blockTime = req.Time

	// Freeze orders past their expiry lift before any transaction. The
	// block's branch is still empty, so the working trees are its state.
	if err := a.wallet.LiftExpired(ctx, func(start, end []byte, fn func(key []byte) bool) error {
		return a.store.IterateWorking(wallet.StoreName, start, end, fn)
	}); err != nil {
		return nil, fmt.Errorf("app: lift expired freezes at height %d: %w", req.Height, err)
	}
	blockEvents := ctx.Events()

	params := a.params.Load()
	// Signatures are recovered in the background while the transactions
	// execute in order, each as soon as its own signer is known.
	checked := a.checkAll(req.Txs, params)
	results := make([]*abci.ExecTxResult, len(req.Txs))
	for i := range req.Txs {
		events, err := a.deliver(ctx, a.block, checked.At(i), req.Height, params)
		results[i] = txResult(events, err)
	}
	// Proposals that passed in this block execute after its transactions;
	// validator changes take effect two blocks later (CometBFT).
	valUpdates := gov.EndBlock(ctx)
	blockEvents = ctx.Events()
	a.store.Apply(a.block)
	return &abci.ResponseFinalizeBlock{Events: blockEvents, TxResults: results, ValidatorUpdates: valUpdates,
		AppHash: a.store.WorkingHash()}, nil
}

// Commit makes the finalized block's state durable and resets the mempool's
// check state to it.
func (a *App) Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error) {
	if _, err := a.store.CommitAt(a.blockTime); err != nil {
		return nil, err
	}
	a.block = nil
	a.genesis = nil
	v, err := a.store.Version(0)
	if err != nil {
		return nil, err
	}
	if err := a.loadParams(v); err != nil {
		return nil, err
	}
	a.resetCheckState()
	// RetainHeight 0: CometBFT keeps every block; the history index and
	// replay after a crash need them.
	return &abci.ResponseCommit{}, nil
}

// deliver runs one checked transaction at height on a branch of parent and
// merges the branch only if it succeeds: a failed transaction changes
// nothing.
func (a *App) deliver(ctx exec.Context, parent *store.Branch, c *checkedTx, height int64, p *consortiumv1.Params) ([]abci.Event, error) {
	if c.err != nil {
		return nil, c.err
	}
	body := c.tx.Body
	if body.ValidUntilHeight < uint64(height) {
		return nil, errcode.Wrap(auth.ErrTxExpired, "valid until %d, block %d", body.ValidUntilHeight, height)
	}
	if limit := uint64(height) + p.MaxTxValidityBlocks; body.ValidUntilHeight > limit {
		return nil, errcode.Wrap(auth.ErrValidityTooLong, "valid until %d, block %d allows at most %d", body.ValidUntilHeight, height, limit)
	}
	branch := parent.Branch()
	ctx = ctx.WithStores(branch)
	ctx.Signer, ctx.TxHash = c.signer, c.hash[:]

	acct, err := resolveAccount(branch, c.signer)
	if err != nil {
		return nil, err
	}
	switch {
	case body.Nonce < acct.nonce:
		return nil, errcode.Wrap(auth.ErrNonceTooLow, "got %d, account nonce %d", body.Nonce, acct.nonce)
	case body.Nonce > acct.nonce:
		return nil, errcode.Wrap(auth.ErrNonceTooHigh, "got %d, account nonce %d", body.Nonce, acct.nonce)
	}
	if err := a.route(ctx, body); err != nil {
		return nil, err
	}
	acct.incrementNonce(branch, c.signer)
	parent.Merge(branch)
	ctx.Emit("tx", "signer", exec.Hex(c.signer), "nonce", strconv.FormatUint(body.Nonce, 10), "msg", msgName(body))
	return ctx.Events(), nil
}

// route executes the body's message.
func (a *App) route(ctx exec.Context, body *authv1.TxBody) error {
	switch m := body.Msg.(type) {
	case *authv1.TxBody_OpenWallet:
		return a.wallet.OpenWallet(ctx, m.OpenWallet)
	case *authv1.TxBody_Deposit:
		return a.wallet.Deposit(ctx, m.Deposit)
	case *authv1.TxBody_Transfer:
		return a.wallet.Transfer(ctx, m.Transfer)
	case *authv1.TxBody_Redeem:
		return a.wallet.Redeem(ctx, m.Redeem)
	case *authv1.TxBody_BatchTransfer:
		return a.wallet.BatchTransfer(ctx, m.BatchTransfer)
	case *authv1.TxBody_Freeze:
		return a.wallet.Freeze(ctx, m.Freeze)
	case *authv1.TxBody_Release:
		return a.wallet.Release(ctx, m.Release)
	case *authv1.TxBody_SetTier:
		return a.wallet.SetTier(ctx, m.SetTier)
	case *authv1.TxBody_SetLimits:
		return a.wallet.SetLimits(ctx, m.SetLimits)
	case *authv1.TxBody_CloseWallet:
		return a.wallet.CloseWallet(ctx, m.CloseWallet)
	case *authv1.TxBody_SubmitProposal:
		return gov.Submit(ctx, m.SubmitProposal)
	case *authv1.TxBody_Vote:
		return gov.Vote(ctx, m.Vote)
	default:
		return errcode.Wrap(auth.ErrInvalidTx, "unknown message %T", m)
	}
}

// msgName is the protobuf name of the body's message field ("transfer").
func msgName(body *authv1.TxBody) string {
	if od := body.ProtoReflect().WhichOneof(body.ProtoReflect().Descriptor().Oneofs().ByName("msg")); od != nil {
		return string(od.Name())
	}
	return "unknown"
}

// account is a signer's nonce, held by the consortium (operators) or by
// the signer's wallet.
type account struct {
	nonce    uint64
	operator bool
}

func resolveAccount(b *store.Branch, signer common.Address) (account, error) {
	if op, ok := consortium.NewView(b.KV(consortium.StoreName)).Operator(signer); ok {
		return account{nonce: op.Nonce, operator: true}, nil
	}
	if w, err := wallet.NewView(b.KV(wallet.StoreName)).Wallet(signer); err == nil {
		return account{nonce: w.Nonce}, nil
	}
	return account{}, errcode.Wrap(auth.ErrUnknownSigner, "%s", signer.Hex())
}

func (acct account) incrementNonce(b *store.Branch, signer common.Address) {
	if acct.operator {
		consortium.NewKeeper(b.KV(consortium.StoreName)).IncrementNonce(signer)
	} else {
		wallet.NewKeeper(b.KV(wallet.StoreName)).IncrementNonce(signer)
	}
}

func txResult(events []abci.Event, err error) *abci.ExecTxResult {
	codespace, code, log := errcode.ABCIInfo(err)
	return &abci.ExecTxResult{Code: code, Codespace: codespace, Log: log, Events: events}
}

// Application is the ABCI interface App implements.
type Application = abci.Application

var _ Application = (*App)(nil)
