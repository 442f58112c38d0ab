// Package app is ledgerd's ABCI application: the transaction pipeline
// (decode, canonical encoding, stateless checks, signature, nonce, signer
// rule, execution), block execution and commit, and queries with proofs.
// It drives the modules of a module.Registry (Modules) through their
// registrations only: it has no code for any module or message.
//
// Concurrency (CometBFT's connection-synchronised local client): the
// consensus connection (InitChain, PrepareProposal, ProcessProposal,
// FinalizeBlock, Commit), the mempool connection (CheckTx) and the query
// connection (Info, Query) call in concurrently.
//   - FinalizeBlock and Commit own the working trees.
//   - CheckTx works on its own branch over the last committed version, reset
//     by Commit; it holds checkMu. When the app keeps the mempool
//     (Config.Mempool), CometBFT calls CheckTx, InsertTx and ReapTxs
//     concurrently and without its mempool lock, also during Commit: the
//     pool is guarded by checkMu too, and the check branch reads a
//     committed version only.
//   - Queries read committed versions only and take no lock of the consensus
//     path.
package app

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ledgerd/ledgerd/app/txpool"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/gov"
	"github.com/ledgerd/ledgerd/x/history"
	"github.com/ledgerd/ledgerd/x/module"
)

// Version is the app's protocol version, reported in Info.
const Version uint64 = 1

// App is the ledgerd ABCI application.
type App struct {
	abci.BaseApplication

	cfg   Config
	store *store.Store
	reg   *module.Registry
	// msgs routes a TxBody oneof field to its registration.
	msgs map[protoreflect.FieldNumber]module.Registered[module.Msg]
	// indexed lists, by event type, the attributes CometBFT indexes.
	indexed map[string]map[string]bool
	// chain is the module keeping the chain parameters.
	chain *module.Module
	// upgrades are the chain upgrades this binary has, by name.
	upgrades map[string]Upgrade
	sigs     *sigCache
	// snapshots takes and serves state-sync snapshots, off consensus, and
	// restores one on a state-syncing node.
	snapshots *snapshots

	// signer is set once the numeric chain id is known (InitChain or load);
	// CheckTx reads it concurrently.
	signer atomic.Pointer[auth.Signer]

	// block is the working state of the block being finalized; nil between
	// Commit and the next FinalizeBlock.
	block *store.Branch
	// checked is the transactions of the block being finalized, checked in
	// the background; the next block reuses it (checkAll).
	checked *checkedBlock
	// lastBlock is the last committed block's branch, which the next
	// FinalizeBlock empties and reuses (store.Branch.Reset).
	lastBlock *store.Branch
	// genesis holds InitChain's writes until the first Commit: they are part
	// of the first block's state, and FinalizeBlock starts from the last
	// commit (Rollback), which would otherwise discard them. The peer filter
	// reads it (Get only) until then: the validators must connect to make
	// block 1.
	genesis       *store.Branch
	genesisPublic atomic.Pointer[store.Branch]
	// workingIsGenesis says the working trees hold InitChain's writes and
	// nothing else, so the first FinalizeBlock starts from them as they
	// are: rolling back and applying the genesis again would rebuild every
	// tree node (two million at a million wallets) and hash them again.
	workingIsGenesis bool
	// bootstrap is the genesis state the peer filter of a state-syncing
	// node reads (bootstrapGenesis).
	bootstrap struct {
		once    sync.Once
		genesis *store.Branch
	}

	// params are the chain parameters of the last commit (or genesis),
	// read by every connection.
	params atomic.Pointer[module.ChainParams]

	// wholeState caches the answers of whole-state queries (invariants)
	// at the last height.
	wholeState wholeStateCache

	// checkJobs feeds the CheckWorkers goroutines that decode and verify
	// for CheckTx (checkOnWorker), started once.
	checkJobs     chan checkJob
	startCheckers sync.Once
	checkMu       sync.Mutex
	check         *store.Branch
	pending       map[common.Address]int
	checkTip      int64
	// checkTime is the last block's time, the time CheckTx runs at.
	checkTime time.Time
	// pool is the mempool the app keeps (Config.Mempool), in the order its
	// transactions were admitted to the check state; nil when CometBFT
	// keeps the mempool. Guarded by checkMu.
	pool *txpool.Pool[checkedTx]
	// included are the hashes of the last finalized block's transactions,
	// which Commit drops from the pool. Consensus connection only.
	included map[[32]byte]struct{}
	// poolDropped counts the pending transactions dropped at a recheck
	// (recheckPool). Guarded by checkMu.
	poolDropped uint64
	// blockTime is the time of the block being finalized, committed with it.
	blockTime time.Time
}

// New returns the app over st, which must have been opened with the
// registry's store names (StoreNames), driving the modules of Modules()
// and able to run the chain upgrades of Upgrades().
func New(cfg Config, st *store.Store) (*App, error) { return NewWithUpgrades(cfg, st, Upgrades()) }

// NewWithUpgrades is New with the upgrades ups instead of Upgrades(): st
// must have been opened with StoreNamesWith(ups). Tests use it to run a
// binary with and without an upgrade.
func NewWithUpgrades(cfg Config, st *store.Store, ups []Upgrade) (*App, error) {
	if cfg.ChainID == "" {
		return nil, fmt.Errorf("app: no chain id configured")
	}
	reg := modulesWith(ups)
	a := &App{cfg: cfg, store: st, reg: reg, sigs: newSigCache(cfg.SigCacheSize), upgrades: map[string]Upgrade{},
		snapshots: newSnapshots(cfg.Snapshots, st),
		msgs:      map[protoreflect.FieldNumber]module.Registered[module.Msg]{}, indexed: map[string]map[string]bool{}}
	if cfg.CheckWorkers < 1 {
		cfg.CheckWorkers = max(1, runtime.NumCPU()/2)
	}
	a.cfg.CheckWorkers = cfg.CheckWorkers
	a.checkJobs = make(chan checkJob)
	if cfg.Mempool.MaxTxs > 0 {
		a.pool = txpool.New[checkedTx](cfg.Mempool.MaxTxs, cfg.Mempool.MaxBytes)
	}
	for _, u := range ups {
		if _, dup := a.upgrades[u.Name]; dup || u.Name == "" {
			return nil, fmt.Errorf("app: upgrade name %q empty or registered twice", u.Name)
		}
		a.upgrades[u.Name] = u
	}
	for _, fd := range auth.MsgFields() {
		r, ok := reg.Msg(fd.Message().FullName())
		if !ok {
			return nil, fmt.Errorf("app: TxBody carries %s, which no module registers", fd.Message().FullName())
		}
		a.msgs[fd.Number()] = r
	}
	for _, e := range PipelineEvents {
		a.indexed[e.Type] = indexSet(e)
	}
	for _, m := range reg.Modules() {
		for _, e := range m.Events {
			a.indexed[e.Type] = indexSet(e)
		}
		if m.ChainParams != nil {
			if a.chain != nil {
				return nil, fmt.Errorf("app: modules %s and %s both keep the chain parameters", a.chain.Name, m.Name)
			}
			a.chain = m
		}
	}
	if a.chain == nil {
		return nil, fmt.Errorf("app: no module keeps the chain parameters")
	}
	if st.LastCommit().Height == 0 {
		if err := a.restoreExportedHistory(); err != nil {
			return nil, err
		}
	}
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

// Registry returns the app's modules.
func (a *App) Registry() *module.Registry { return a.reg }

// loadParams installs the chain parameters of a committed version.
func (a *App) loadParams(v *store.Version) error {
	r, err := v.Reader(a.chain.Name)
	if err != nil {
		return err
	}
	a.setParams(a.chain.ChainParams(r))
	return nil
}

// setParams installs the chain parameters in force, and the signing domain
// they name.
func (a *App) setParams(p module.ChainParams) {
	if s := a.signer.Load(); s == nil || s.Domain().NumericID != p.NumericID {
		a.signer.Store(auth.NewSigner(auth.Domain{ChainID: a.cfg.ChainID, NumericID: p.NumericID}))
	}
	a.params.Store(&p)
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

// WaitSnapshots waits for the snapshot being written, if any.
func (a *App) WaitSnapshots() { a.snapshots.Wait() }

// StopSnapshots makes a snapshot being written give up (its partial files
// are removed) and waits for it; no snapshot is taken after. Call it
// before closing the store.
func (a *App) StopSnapshots() {
	a.snapshots.stopping.Store(true)
	a.snapshots.Wait()
}

// Store returns the app's store, for queries and tests.
func (a *App) Store() *store.Store { return a.store }

// Info reports the last height whose state is durable on disk; CometBFT's
// handshake replays the blocks after it. The app version is the one in
// that height's state (gov.View.AppVersion); CometBFT reads it only at
// height 0, and later from FinalizeBlock's consensus parameter updates.
func (a *App) Info(context.Context, *abci.RequestInfo) (*abci.ResponseInfo, error) {
	height := a.store.Durable()
	var hash []byte
	appVersion := Version
	if height > 0 {
		v, err := a.store.Version(height)
		if err != nil {
			return nil, err
		}
		hash = v.AppHash()
		r, err := v.Reader(gov.StoreName)
		if err != nil {
			return nil, err
		}
		appVersion = gov.NewView(r).AppVersion()
	}
	return &abci.ResponseInfo{
		Data:             "ledgerd",
		Version:          strconv.FormatUint(appVersion, 10),
		AppVersion:       appVersion,
		LastBlockHeight:  height,
		LastBlockAppHash: hash,
	}, nil
}

// InitChain writes every module's genesis section, in module order, and
// returns the validators they name.
func (a *App) InitChain(_ context.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	if req.ChainId != a.cfg.ChainID {
		return nil, fmt.Errorf("app: InitChain for chain %q, configured for %q", req.ChainId, a.cfg.ChainID)
	}
	// The document is parsed once: at a million wallets parsing it is
	// seconds.
	g, err := parseGenesis(req.AppStateBytes)
	if err != nil {
		return nil, err
	}
	exp, err := exported(g)
	if err != nil {
		return nil, err
	}
	from := int64(0)
	if exp != nil {
		from = exp.Height
	}
	// A chain from an exported state goes on from the height after it, so
	// that the heights in its state keep their meaning; any other starts
	// at 1.
	if want := max(from+1, 1); req.InitialHeight != want && !(from == 0 && req.InitialHeight == 0) {
		if from > 0 {
			return nil, fmt.Errorf("app: genesis holds the state exported at height %d: its initial_height must be %d, not %d", from, want, req.InitialHeight)
		}
		return nil, fmt.Errorf("app: initial height %d is not supported; use 1 (only a genesis exported at height H starts at H+1)", req.InitialHeight)
	}
	if from > 0 {
		if err := a.store.SetInitialVersion(from + 1); err != nil {
			return nil, err
		}
	}
	a.store.Rollback()
	// The genesis is written on empty trees (nothing is committed before
	// InitChain, and Rollback dropped an earlier InitChain's writes), so
	// its branch reads nothing beneath its own writes, and never the
	// working trees: the first block writes those in place while the peer
	// filter may still be reading this branch (admitPeer).
	branch := store.NewBranch(a.reg.StoreNames(), store.EmptyReaders(len(a.reg.StoreNames())))
	vals, err := writeGenesis(a.reg, branch, req.Time, g, exp, exec.GenesisFiles{FS: a.cfg.GenesisFiles})
	if err != nil {
		return nil, err
	}
	a.store.Apply(branch)
	a.genesis = branch
	a.workingIsGenesis = true
	a.genesisPublic.Store(branch)
	r := branch.KV(a.chain.Name)
	a.setParams(a.chain.ChainParams(r))
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

// FinalizeBlock runs the chain upgrade scheduled for its height, if any
// (or fails with UpgradeNeededError, executing nothing, if this binary
// does not have it), then every module's begin-block work, then checks every
// transaction's signature in parallel and executes them in order, each on
// its own branch of the block's state, then every module's end-block
// work; it returns one result per transaction and the app hash.
func (a *App) FinalizeBlock(_ context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	if a.signer.Load() == nil {
		return nil, fmt.Errorf("app: FinalizeBlock before InitChain")
	}
	// A block finalized again (crash recovery, or a round that did not
	// commit) starts from the last commit, and the first block from the
	// genesis state.
	if !a.workingIsGenesis {
		a.store.Rollback()
		if a.genesis != nil {
			a.store.Apply(a.genesis)
		}
	}
	a.workingIsGenesis = false
	if a.block = a.lastBlock; a.block != nil {
		a.lastBlock = nil
		a.block.Reset(a.store.Working())
	} else {
		a.block = store.NewBranch(a.reg.StoreNames(), a.store.Working())
	}
	ctx := exec.New(a.block, req.Height, req.Time)
	ctx.ChainID = a.cfg.ChainID
	a.blockTime = req.Time

	appVersion, err := a.upgrade(ctx)
	if err != nil {
		a.block = nil
		a.store.Rollback()
		return nil, err
	}
	for _, m := range a.reg.Modules() {
		if m.BeginBlock == nil || !a.live(m) {
			continue
		}
		if err := m.BeginBlock(ctx); err != nil {
			return nil, fmt.Errorf("app: begin block %d, module %s: %w", req.Height, m.Name, err)
		}
	}

	params := a.params.Load()
	// Signatures are recovered in the background while the transactions
	// execute in order, each as soon as its own signer is known.
	checked := a.checkAll(req.Txs, params)
	results := make([]*abci.ExecTxResult, len(req.Txs))
	for i := range req.Txs {
		events, err := a.deliver(ctx, a.block, checked.At(i), req.Height, params)
		results[i] = txResult(a.index(events), err)
	}
	if a.pool != nil {
		a.included = make(map[[32]byte]struct{}, len(req.Txs))
		for i := range req.Txs {
			a.included[checked.At(i).hash] = struct{}{}
		}
	}
	var valUpdates []abci.ValidatorUpdate
	for _, m := range a.reg.Modules() {
		if m.EndBlock == nil || !a.live(m) {
			continue
		}
		updates, err := m.EndBlock(ctx)
		if err != nil {
			return nil, fmt.Errorf("app: end block %d, module %s: %w", req.Height, m.Name, err)
		}
		valUpdates = append(valUpdates, updates...)
	}
	blockEvents := a.index(ctx.Events())
	a.store.Apply(a.block)
	return &abci.ResponseFinalizeBlock{Events: blockEvents, TxResults: results, ValidatorUpdates: valUpdates,
		ConsensusParamUpdates: appVersionUpdate(appVersion), AppHash: a.store.WorkingHash()}, nil
}

// PipelineEvents are the events the app emits itself, beside those the
// modules declare: one per executed transaction, and one per history entry
// any module appends (package history).
var PipelineEvents = []module.Event{
	{Type: "tx", Doc: "a transaction executed: its signer, nonce and message field",
		Attrs: []string{"signer", "nonce", "msg"}, Indexed: []string{"signer", "msg"}},
	{Type: EventUpgrade, Doc: "a chain upgrade was applied at the start of this block: its name, the height, the app version from now on",
		Attrs: []string{"name", "height", "app_version"}, Indexed: []string{"name"}},
	// None of history's attributes is indexed: the node's own history
	// index serves a subject's entries (and subscriptions match every
	// attribute anyway), and CometBFT indexing subject and id cost two
	// index writes per entry, four per transfer.
	{Type: history.Event, Doc: "an entry appended to a history chain: the subject and id whose chain, its seq, block time and tx, and the entry (base64 of its canonical bytes)",
		Attrs: []string{"subject", "id", "seq", "time", "tx", "entry"}},
}

func indexSet(e module.Event) map[string]bool {
	set := make(map[string]bool, len(e.Indexed))
	for _, k := range e.Indexed {
		set[k] = true
	}
	return set
}

// index marks the attributes the modules declared indexed; CometBFT's
// indexer keeps only those.
func (a *App) index(events []abci.Event) []abci.Event {
	for i := range events {
		set := a.indexed[events[i].Type]
		for j := range events[i].Attributes {
			events[i].Attributes[j].Index = set[events[i].Attributes[j].Key]
		}
	}
	return events
}

// Commit makes the finalized block's state durable and resets the mempool's
// check state to it (and, when the app keeps the mempool, checks the
// transactions still pending again on it).
func (a *App) Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error) {
	id, err := a.store.CommitAt(a.blockTime)
	if err != nil {
		return nil, err
	}
	a.lastBlock, a.block = a.block, nil
	a.genesis = nil
	a.genesisPublic.Store(nil)
	v, err := a.store.Version(0)
	if err != nil {
		return nil, err
	}
	if err := a.loadParams(v); err != nil {
		return nil, err
	}
	a.resetCheckState()
	a.snapshots.committed(id.Height, id.Time)
	// RetainHeight 0: CometBFT keeps every block; the history index and
	// replay after a crash need them.
	return &abci.ResponseCommit{}, nil
}

// deliver runs one checked transaction at height on a branch of parent and
// merges the branch only if it succeeds: a failed transaction changes
// nothing. Its checks, in order: validity window, nonce, the message's
// signer rule; then the module executes it.
func (a *App) deliver(ctx exec.Context, parent *store.Branch, c *checkedTx, height int64, p *module.ChainParams) ([]abci.Event, error) {
	if c.err != nil {
		return nil, c.err
	}
	body := c.tx.Body
	if !a.live(c.route.Module) {
		return nil, errcode.Wrap(auth.ErrInvalidTx, "%s is a message of the %s module, which a chain upgrade not yet applied adds", c.field.Name(), c.route.Module.Name)
	}
	if body.ValidUntilHeight < uint64(height) {
		return nil, errcode.Wrap(auth.ErrTxExpired, "valid until %d, block %d", body.ValidUntilHeight, height)
	}
	if limit := uint64(height) + p.MaxTxValidityBlocks; body.ValidUntilHeight > limit {
		return nil, errcode.Wrap(auth.ErrValidityTooLong, "valid until %d, block %d allows at most %d", body.ValidUntilHeight, height, limit)
	}
	branch := parent.Branch()
	defer parent.Recycle(branch) // merged or dropped, and not read after
	ctx = ctx.WithStores(branch)
	ctx = ctx.WithTx(c.hash[:])
	ctx.Signer = c.signer

	acct, err := a.account(ctx, c.signer)
	if err != nil {
		return nil, err
	}
	switch {
	case body.Nonce < acct.Nonce:
		return nil, errcode.Wrap(auth.ErrNonceTooLow, "got %d, account nonce %d", body.Nonce, acct.Nonce)
	case body.Nonce > acct.Nonce:
		return nil, errcode.Wrap(auth.ErrNonceTooHigh, "got %d, account nonce %d", body.Nonce, acct.Nonce)
	}
	if c.cosigner != (common.Address{}) && !acct.src.SecondSignature {
		return nil, errcode.Wrap(auth.ErrNoSecondSignature, "%s signs for a %s account", c.signer.Hex(), acct.src.Kind)
	}
	ctx.Account, ctx.AccountID, ctx.Cosigner = acct.src.Kind, acct.ID, c.cosigner
	if err := c.route.Item.Signer.Authorize(ctx); err != nil {
		return nil, err
	}
	if err := c.route.Item.Execute(ctx, c.msg); err != nil {
		return nil, err
	}
	acct.src.IncrementNonce(branch.KV(acct.module), acct.ID)
	parent.Merge(branch)
	ctx.Emit("tx", "signer", ctx.Hex(c.signer), "nonce", strconv.FormatUint(body.Nonce, 10), "msg", string(c.field.Name()))
	return ctx.Events(), nil
}

// account is the nonce account a signer signs for, held by the first
// module in order that has one for it (the consortium's operators, then
// the wallets).
type account struct {
	module.Account
	module string
	src    *module.Accounts
}

// account resolves signer in ctx (its stores and time): the first module
// that has an account for it, or refuses it, decides.
func (a *App) account(ctx exec.Context, signer common.Address) (account, error) {
	for _, m := range a.reg.Modules() {
		if m.Accounts == nil {
			continue
		}
		acct, found, err := m.Accounts.Lookup(ctx, signer)
		if err != nil {
			return account{}, err
		}
		if found {
			return account{Account: acct, module: m.Name, src: m.Accounts}, nil
		}
	}
	return account{}, errcode.Wrap(auth.ErrUnknownSigner, "%s", signer.Hex())
}

func txResult(events []abci.Event, err error) *abci.ExecTxResult {
	codespace, code, log := errcode.ABCIInfo(err)
	return &abci.ExecTxResult{Code: code, Codespace: codespace, Log: log, Events: events}
}

// Application is the ABCI interface App implements.
type Application = abci.Application

var _ Application = (*App)(nil)
