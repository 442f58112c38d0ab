package app

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/module"
)

// Query paths. Values are protobuf; with prove=true, /store answers carry
// the proof ops (ics23:iavl, ics23:simple) against the app hash of the
// answer's height, which is in the header of the next height.
//
// Besides these, every module answers its own paths under /<module>/
// (module.Query; docs/operations.md lists them).
const (
	// QueryStorePrefix + "<store>/key": the raw value of the key in Data.
	QueryStorePrefix = "/store/"
	// QueryHistory: Data is a historyv1.Request; the answer is
	// historyv1.Entries from this node's off-consensus index, not proven by
	// itself: check them against the subject's proven accumulator
	// (history.Verify).
	QueryHistory = "/history"
	// QueryPeerFilterID + "<node id>": CometBFT asks this (filter_peers =
	// true) before it accepts a peer; an OK answer admits it. Every module
	// with a peer filter must admit it (the consortium admits only nodes
	// declared by an active member).
	QueryPeerFilterID = "/p2p/filter/id/"
	// QueryPeerFilterAddr + "<ip:port>": CometBFT asks this for every
	// inbound connection before the handshake. Membership is decided by
	// node id, which the handshake authenticates, so every address is
	// admitted here.
	QueryPeerFilterAddr = "/p2p/filter/addr/"
	// QueryReadPrefix + any other path: a signed read. Data is an
	// authv1.ReadRequest carrying the query's own data, its expiry and
	// the reader's signature over auth.Read; the node answers the path as
	// it would an unsigned one, to a reader the private module allows
	// (module.Module.Private). Public paths need no signature.
	QueryReadPrefix = "/read"
)

// Query errors (registered by package module, shared by every module's
// query handlers).
var (
	ErrUnknownQuery   = module.ErrUnknownQuery
	ErrHeightNotKept  = module.ErrHeightNotKept
	ErrInvalidRequest = module.ErrInvalidRequest
	ErrInvariant      = module.ErrInvariant
	ErrNoHistory      = module.ErrNoHistory
	ErrHistoryStopped = module.ErrHistoryStopped
)

// Query answers from a committed version (the latest, or req.Height), never
// the working state. It is safe to call concurrently with block execution.
func (a *App) Query(_ context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	if req.Height < 0 {
		return queryError(errcode.Wrap(ErrInvalidRequest, "negative height")), nil
	}
	if !utf8.ValidString(req.Path) {
		return queryError(errcode.Wrap(ErrInvalidRequest, "path %q is not UTF-8", req.Path)), nil
	}
	req, reader, err := a.readerOf(req)
	if err != nil {
		return queryError(err), nil
	}
	switch {
	case req.Path == QueryHistory:
		return a.queryHistory(req, reader), nil
	case strings.HasPrefix(req.Path, QueryPeerFilterID):
		if err := a.admitPeer(strings.TrimPrefix(req.Path, QueryPeerFilterID)); err != nil {
			return queryError(err), nil
		}
		return &abci.ResponseQuery{}, nil
	case strings.HasPrefix(req.Path, QueryPeerFilterAddr):
		return &abci.ResponseQuery{}, nil
	case strings.HasPrefix(req.Path, QueryAccountPrefix):
		return a.queryAccount(req), nil
	case req.Path == QueryMempool:
		return a.queryMempool(), nil
	}
	v, err := a.store.Version(req.Height)
	if err != nil {
		if errors.Is(err, store.ErrVersionPruned) {
			err = errcode.Wrap(ErrHeightNotKept, "%v", err)
		}
		return queryError(err), nil
	}
	resp, err := a.query(v, req, reader)
	if err != nil {
		return queryError(err), nil
	}
	resp.Height = v.Height
	return resp, nil
}

func (a *App) query(v *store.Version, req *abci.RequestQuery, reader *common.Address) (*abci.ResponseQuery, error) {
	stores := versionStores{v: v}
	if last := a.store.LastCommit(); last.Height == v.Height {
		stores.time = last.Time
	}
	access := module.ReadAccess{Stores: stores, Reader: reader, Now: a.store.LastCommit().Time}
	if rest, ok := strings.CutPrefix(req.Path, QueryStorePrefix); ok {
		name, ok := strings.CutSuffix(rest, "/key")
		m := a.reg.Module(name)
		if !ok || m == nil {
			return nil, errcode.Wrap(ErrUnknownQuery, "%q: want /store/<%s>/key", req.Path, strings.Join(a.reg.StoreNames(), "|"))
		}
		if len(req.Data) == 0 {
			return nil, errcode.Wrap(ErrInvalidRequest, "empty key")
		}
		if err := allowKeys(m, access, req.Data); err != nil {
			return nil, err
		}
		if !req.Prove {
			value, err := v.Get(name, req.Data)
			return &abci.ResponseQuery{Key: req.Data, Value: value}, err
		}
		value, ops, err := v.Prove(name, req.Data)
		if errors.Is(err, store.ErrNotMounted) {
			return nil, errcode.Wrap(ErrUnknownQuery, "%v: a chain upgrade adds it later", err)
		}
		if err != nil {
			return nil, err
		}
		if value == nil {
			// A proof of absence carries the keys on either side, with
			// their values: the reader must be allowed those too.
			if err := allowKeys(m, access, neighbours(ops)...); err != nil {
				return nil, errcode.Wrap(module.ErrReadRefused, "key %X is absent, and its proof of absence would show the keys on either side of it, "+
					"which this reader may not read (a private module's index ranges are bracketed by marks: walk from the opening mark "+
					"to the closing one, package x/index; a range never written has none): %v", req.Data, err)
			}
		}
		return &abci.ResponseQuery{Key: req.Data, Value: value, ProofOps: &cmtcrypto.ProofOps{Ops: ops}}, nil
	}
	name, rest, _ := strings.Cut(strings.TrimPrefix(req.Path, "/"), "/")
	m := a.reg.Module(name)
	if m == nil {
		return nil, errcode.Wrap(ErrUnknownQuery, "%q: no module %q (modules: %s)", req.Path, name, strings.Join(a.reg.StoreNames(), ", "))
	}
	if m.Private != nil {
		access.Path, access.Data = rest, req.Data
		if err := m.Private(access); err != nil {
			return nil, err
		}
	}
	if q, qrest, ok := m.Route(rest); ok && q.WholeState {
		return a.wholeState.answer(v.Height, req, a.store.LastCommit().Height, func() (*abci.ResponseQuery, error) {
			answer, err := q.Handle(stores, qrest, req.Data)
			if err != nil {
				return nil, err
			}
			return marshalAnswer(answer)
		})
	}
	answer, err := m.Answer(stores, rest, req.Data)
	if err != nil {
		return nil, err
	}
	return marshalAnswer(answer)
}

// wholeStateCache holds the answers of module.Query.WholeState queries at
// one height: each is computed at most once per height, callers of the
// same query waiting for the first.
type wholeStateCache struct {
	mu      sync.Mutex
	height  int64
	answers map[string]wholeStateAnswer
}

type wholeStateAnswer struct {
	resp *abci.ResponseQuery
	err  error
}

// answer returns the answer of req at height, computing it with compute
// the first time. req must ask for the latest height (0, which height is
// then) or name the last committed height last.
func (c *wholeStateCache) answer(height int64, req *abci.RequestQuery, last int64, compute func() (*abci.ResponseQuery, error)) (*abci.ResponseQuery, error) {
	if req.Height != 0 && req.Height != last {
		return nil, errcode.Wrap(ErrInvalidRequest, "%s is answered at the last committed height (%d) only, not %d: its cost grows with the whole state", req.Path, last, req.Height)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if height > c.height {
		c.height, c.answers = height, map[string]wholeStateAnswer{}
	}
	key := req.Path + "\x00" + string(req.Data)
	got, ok := c.answers[key]
	if !ok {
		got.resp, got.err = compute()
		if height == c.height { // not a version a commit just superseded
			c.answers[key] = got
		}
	}
	if got.err != nil {
		return nil, got.err
	}
	resp := *got.resp // the caller sets its height
	return &resp, nil
}

// versionStores are a committed version's stores for query handlers, and
// the version's block time when known (the last commit's).
type versionStores struct {
	v    *store.Version
	time time.Time
}

// Time is the block time of the version, zero if not known.
func (s versionStores) Time() time.Time { return s.time }

func (s versionStores) Reader(name string) store.Reader {
	r, err := s.v.Reader(name)
	if err != nil {
		panic(err) // handlers name their own module's stores, which exist
	}
	return r
}

func (s versionStores) Height() int64 { return s.v.Height }

// admitPeer asks every module's peer filter, over the last commit or,
// before the first commit, over the genesis state.
func (a *App) admitPeer(nodeID string) error {
	reader := func(name string) (store.Reader, error) {
		if a.store.LastCommit().Height == 0 {
			g := a.genesisPublic.Load()
			if g == nil {
				g = a.bootstrapGenesis()
			}
			if g == nil {
				return nil, errcode.Wrap(ErrHeightNotKept, "no state yet: the chain is not initialised")
			}
			return g.KV(name), nil
		}
		v, err := a.store.Version(0)
		if err != nil {
			return nil, err
		}
		return v.Reader(name)
	}
	for _, m := range a.reg.Modules() {
		if m.PeerFilter == nil {
			continue
		}
		r, err := reader(m.Name)
		if err != nil {
			return err
		}
		if err := m.PeerFilter(r, nodeID); err != nil {
			return err
		}
	}
	return nil
}

// marshalAnswer is m's deterministic encoding; nil is an empty answer.
func marshalAnswer(m proto.Message) (*abci.ResponseQuery, error) {
	if m == nil {
		return &abci.ResponseQuery{}, nil
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	return &abci.ResponseQuery{Value: b}, err
}

func queryError(err error) *abci.ResponseQuery {
	codespace, code, log := errcode.ABCIInfo(err)
	return &abci.ResponseQuery{Code: code, Codespace: codespace, Log: log}
}

// queryHistory answers from the node's history index, which is off
// consensus: the answer's height is the last commit's.
func (a *App) queryHistory(req *abci.RequestQuery, reader *common.Address) *abci.ResponseQuery {
	if a.cfg.History == nil {
		return queryError(ErrNoHistory)
	}
	hr := new(historyv1.Request)
	if err := proto.Unmarshal(req.Data, hr); err != nil {
		return queryError(errcode.Wrap(ErrInvalidRequest, "history request: %v", err))
	}
	if (len(hr.Id) == 0) == (len(hr.TxHash) == 0) {
		return queryError(errcode.Wrap(ErrInvalidRequest, "history request: give a subject and id, or a tx hash"))
	}
	if err := a.allowHistory(reader, hr.Subject, hr.Id); err != nil {
		return queryError(err)
	}
	entries, err := a.cfg.History.Query(hr)
	if err != nil {
		return queryError(err)
	}
	for _, e := range entries.GetEntries() {
		if err := a.allowHistory(reader, e.Subject, e.Id); err != nil {
			return queryError(err)
		}
	}
	resp, err := marshalAnswer(entries)
	if err != nil {
		return queryError(err)
	}
	// The index may lag the state by a block or two: the answer is as of
	// the last height it indexed.
	resp.Height = a.cfg.History.Watermark()
	return resp
}
