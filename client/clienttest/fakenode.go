// Package clienttest is a fake ledgerd node for the tests of package client
// and of the module clients (x/<module>/<module>client): a one-validator
// chain behind CometBFT's JSON-RPC, with real signed headers, a real IAVL
// store with real proofs, a mempool, a transaction index and WebSocket
// subscriptions to transactions' commit events.
//
// It knows no module. A test names the stores, serves modules' query paths
// and accounts through their registrations (ServeModule), and any other
// path with HandleQuery. Block h commits store version h, and header h+1
// carries its app hash; writes (Set, SetProto) go into the next block. The
// chain starts with the first block a test produces, after it has written
// the genesis state (an empty store cannot prove anything absent).
package clienttest

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/crypto/tmhash"
	cmtbytes "github.com/cometbft/cometbft/libs/bytes"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmtversion "github.com/cometbft/cometbft/proto/tendermint/version"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	rpctypes "github.com/cometbft/cometbft/rpc/jsonrpc/types"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/cometbft/cometbft/version"
	"github.com/ethereum/go-ethereum/common"
	"github.com/gorilla/websocket"
	"google.golang.org/protobuf/proto"

	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/module"
)

// The chain the fake node runs: its CometBFT chain id, and the numeric id
// its account answers name as the signing domain's.
const (
	ChainID   = "ledgerd-test"
	NumericID = 4242
)

// accountPrefix is the app's account query path (app.QueryAccountPrefix).
const accountPrefix = "/auth/account/"

// Codes of the node's own query failures, in codespace "query".
const (
	codeStore         = 1 // the store failed
	codeUnknownPath   = 2
	codeHeightMissing = 3
)

// QueryHandler answers an ABCI query of path with data from the committed
// state v (the height asked for, or the latest). The node sets the answer's
// Height to v.Height where the handler leaves it 0. It runs without the
// node's lock, and may be called concurrently.
type QueryHandler func(v *store.Version, path string, data []byte) *abci.ResponseQuery

// FakeNode is a one-validator chain behind CometBFT's JSON-RPC. It is safe
// for concurrent use; it stops when the test ends.
type FakeNode struct {
	t     *testing.T
	names []string
	srv   *httptest.Server
	st    *store.Store

	mu       sync.Mutex
	priv     ed25519.PrivKey
	vals     *cmttypes.ValidatorSet
	headers  []*cmttypes.SignedHeader // headers[h-1] is height h
	blockIDs []cmttypes.BlockID
	valsets  []*cmttypes.ValidatorSet
	writes   []write
	mempool  [][]byte
	txs      map[string]*ctypes.ResultTx
	// pending is what the account answer adds to a signer's committed
	// nonce for its transactions in the mempool.
	pending   map[common.Address]uint64
	blockTime func(h int64) time.Time
	checkTx   func(tx []byte) *abci.ResponseCheckTx
	deliverTx func(tx []byte) *abci.ExecTxResult
	tamper    func(*abci.ResponseQuery)
	modules   []*module.Module
	handlers  []handler
	// noWebsocket refuses /websocket, as a proxy that does not pass it.
	noWebsocket bool
	subs        map[string]subscription // by query
	calls       map[string]int          // JSON-RPC calls by method

	stop chan struct{}
	done chan struct{}
}

type write struct {
	store      string
	key, value []byte
}

type handler struct {
	prefix string
	h      QueryHandler
}

// Option configures NewFakeNode.
type Option func(*FakeNode)

// WithBlockTime gives block h the time fn(h) (by default the time it is
// made), moved a millisecond past the previous block's if it is not later.
func WithBlockTime(fn func(h int64) time.Time) Option {
	return func(f *FakeNode) { f.blockTime = fn }
}

// NewFakeNode starts a node whose state has the named stores (their order
// is the app hash's) and no block yet: write the genesis state, then
// Produce the first block.
func NewFakeNode(t *testing.T, storeNames []string, opts ...Option) *FakeNode {
	t.Helper()
	st, err := store.Open(store.Options{InMemory: true}, storeNames)
	if err != nil {
		t.Fatal(err)
	}
	priv := ed25519.GenPrivKey()
	f := &FakeNode{
		t: t, names: slices.Clone(storeNames), st: st, priv: priv,
		vals:    cmttypes.NewValidatorSet([]*cmttypes.Validator{cmttypes.NewValidator(priv.PubKey(), 10)}),
		txs:     map[string]*ctypes.ResultTx{},
		pending: map[common.Address]uint64{},
		subs:    map[string]subscription{},
		calls:   map[string]int{},
	}
	for _, o := range opts {
		o(f)
	}
	f.srv = httptest.NewServer(f)
	t.Cleanup(func() {
		f.StopBlocks()
		f.srv.Close()
		st.Close()
	})
	return f
}

// URL is the node's RPC URL.
func (f *FakeNode) URL() string { return f.srv.URL }

// Set writes key = value in the named store in the next block.
func (f *FakeNode) Set(storeName string, key, value []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes = append(f.writes, write{storeName, key, value})
}

// SetProto writes key = m's canonical encoding in the next block.
func (f *FakeNode) SetProto(storeName string, key []byte, m proto.Message) {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		f.t.Fatal(err)
	}
	f.Set(storeName, key, b)
}

// ServeModule answers m's query paths (/<m.Name>/...) with its handlers,
// and, if m keeps accounts, resolves signers' accounts through it (in the
// order modules are served, as the app does). m's stores must be among
// the node's.
func (f *FakeNode) ServeModule(m *module.Module) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.modules = append(f.modules, m)
}

// HandleQuery answers the query paths that start with prefix with h. The
// first handler registered for a path answers it; the node's store and
// account paths, and served modules' paths, come first.
func (f *FakeNode) HandleQuery(prefix string, h QueryHandler) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handlers = append(f.handlers, handler{prefix, h})
}

// SetTamper makes fn edit every successful proven query answer before it is
// sent (nil: answer truthfully).
func (f *FakeNode) SetTamper(fn func(*abci.ResponseQuery)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tamper = fn
}

// SetCheckTx makes fn judge broadcast transactions (nil: accept).
func (f *FakeNode) SetCheckTx(fn func(tx []byte) *abci.ResponseCheckTx) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.checkTx = fn
}

// SetDeliverTx makes fn give committed transactions their results (nil:
// success without events).
func (f *FakeNode) SetDeliverTx(fn func(tx []byte) *abci.ExecTxResult) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deliverTx = fn
}

// SetNoWebsocket makes the node refuse (or accept again) WebSocket
// connections, as a proxy that does not pass them.
func (f *FakeNode) SetNoWebsocket(refuse bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.noWebsocket = refuse
}

// SetPendingNonce makes the account answer for addr count n transactions
// of addr waiting in the mempool.
func (f *FakeNode) SetPendingNonce(addr common.Address, n uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pending[addr] = n
}

// AddTxs puts txs in the mempool without CheckTx, for the next block.
func (f *FakeNode) AddTxs(txs ...[]byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mempool = append(f.mempool, txs...)
}

// GoRogue makes the following blocks signed by a new validator that the
// chain never handed over to: a forged chain.
func (f *FakeNode) GoRogue() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.priv = ed25519.GenPrivKey()
	f.vals = cmttypes.NewValidatorSet([]*cmttypes.Validator{cmttypes.NewValidator(f.priv.PubKey(), 10)})
}

// Height is the latest block's.
func (f *FakeNode) Height() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return int64(len(f.headers))
}

// Header is the signed header at h, which must exist.
func (f *FakeNode) Header(h int64) *cmttypes.SignedHeader {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.headers[h-1]
}

// Version is the committed state at height h (0: the latest).
func (f *FakeNode) Version(h int64) (*store.Version, error) { return f.st.Version(h) }

// Subscriptions is the number of open event subscriptions.
func (f *FakeNode) Subscriptions() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

// CallCount is how many times the JSON-RPC method was called (over HTTP
// and WebSocket).
func (f *FakeNode) CallCount(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

// Produce makes n blocks, each with the mempool's transactions and the
// pending writes.
func (f *FakeNode) Produce(n int) {
	for range n {
		f.mu.Lock()
		f.makeBlock()
		f.mu.Unlock()
	}
}

// StartBlocks produces a block every interval until StopBlocks or the end
// of the test.
func (f *FakeNode) StartBlocks(interval time.Duration) {
	f.stop, f.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(f.done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-f.stop:
				return
			case <-tick.C:
				f.Produce(1)
			}
		}
	}()
}

// StopBlocks stops the blocks StartBlocks produces.
func (f *FakeNode) StopBlocks() {
	if f.stop != nil {
		close(f.stop)
		<-f.done
		f.stop = nil
	}
}

// makeBlock makes block h = len(headers)+1: header with the app hash of
// version h-1, signed; then executes it (version h). f.mu must be held.
func (f *FakeNode) makeBlock() {
	h := int64(len(f.headers)) + 1
	var appHash []byte
	if h == 1 {
		appHash = f.st.WorkingHash()
	} else {
		v, err := f.st.Version(h - 1)
		if err != nil {
			panic(err)
		}
		appHash = v.AppHash()
	}
	t := time.Now().UTC()
	if f.blockTime != nil {
		t = f.blockTime(h).UTC()
	}
	if h > 1 {
		if prev := f.headers[h-2].Time; !t.After(prev) {
			t = prev.Add(time.Millisecond)
		}
	}
	txs := make(cmttypes.Txs, len(f.mempool))
	for i, tx := range f.mempool {
		txs[i] = tx
	}
	hdr := &cmttypes.Header{
		Version:            cmtversion.Consensus{Block: version.BlockProtocol},
		ChainID:            ChainID,
		Height:             h,
		Time:               t,
		DataHash:           txs.Hash(),
		ValidatorsHash:     f.vals.Hash(),
		NextValidatorsHash: f.vals.Hash(),
		ConsensusHash:      make([]byte, 32),
		AppHash:            appHash,
		LastResultsHash:    make([]byte, 32),
		ProposerAddress:    f.vals.Validators[0].Address,
	}
	if h > 1 {
		hdr.LastBlockID = f.blockIDs[h-2]
		hdr.LastCommitHash = f.headers[h-2].Commit.Hash()
	}
	psh := make([]byte, 32)
	_, _ = rand.Read(psh)
	blockID := cmttypes.BlockID{Hash: hdr.Hash(), PartSetHeader: cmttypes.PartSetHeader{Total: 1, Hash: psh}}
	vote := &cmttypes.Vote{
		Type: cmtproto.PrecommitType, Height: h, BlockID: blockID, Timestamp: t,
		ValidatorAddress: f.vals.Validators[0].Address, ValidatorIndex: 0,
	}
	sig, err := f.priv.Sign(cmttypes.VoteSignBytes(ChainID, vote.ToProto()))
	if err != nil {
		panic(err)
	}
	commit := &cmttypes.Commit{Height: h, BlockID: blockID, Signatures: []cmttypes.CommitSig{{
		BlockIDFlag: cmttypes.BlockIDFlagCommit, ValidatorAddress: vote.ValidatorAddress, Timestamp: t, Signature: sig,
	}}}
	f.headers = append(f.headers, &cmttypes.SignedHeader{Header: hdr, Commit: commit})
	f.blockIDs = append(f.blockIDs, blockID)
	f.valsets = append(f.valsets, f.vals)

	for i, tx := range f.mempool {
		res := &abci.ExecTxResult{}
		if f.deliverTx != nil {
			res = f.deliverTx(tx)
		}
		hash := tmhash.Sum(tx)
		f.txs[string(hash)] = &ctypes.ResultTx{Hash: hash, Height: h, Index: uint32(i), TxResult: *res, Tx: tx}
		f.publishTx(abci.TxResult{Height: h, Index: uint32(i), Tx: tx, Result: *res})
	}
	f.mempool = nil
	b := store.NewBranch(f.names, f.st.Working())
	for _, w := range f.writes {
		b.KV(w.store).Set(w.key, w.value)
	}
	f.writes = nil
	f.st.Apply(b)
	if _, err := f.st.Commit(); err != nil {
		panic(err)
	}
}

// subscription is a WebSocket subscription: its connection and its
// request.
type subscription struct {
	conn *wsConn
	req  rpctypes.RPCRequest // the subscribe request (its ID is unexported)
}

// wsConn is a WebSocket connection to the node.
type wsConn struct {
	mu   sync.Mutex // serialises writes
	conn *websocket.Conn
}

func (c *wsConn) write(resp rpctypes.RPCResponse) {
	c.mu.Lock()
	defer c.mu.Unlock()
	_ = c.conn.WriteJSON(resp)
}

// serveWebsocket answers subscribe and unsubscribe as CometBFT does: a
// subscription's events come as responses to its request's id plus
// "#event".
func (f *FakeNode) serveWebsocket(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	refuse := f.noWebsocket
	f.mu.Unlock()
	if refuse {
		http.Error(w, "no websocket here", http.StatusNotFound)
		return
	}
	conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &wsConn{conn: conn}
	defer func() {
		f.mu.Lock()
		for q, s := range f.subs {
			if s.conn == c {
				delete(f.subs, q)
			}
		}
		f.mu.Unlock()
		conn.Close()
	}()
	for {
		var req rpctypes.RPCRequest
		if err := conn.ReadJSON(&req); err != nil {
			return
		}
		var p struct {
			Query string `json:"query"`
		}
		_ = json.Unmarshal(req.Params, &p)
		f.mu.Lock()
		f.calls[req.Method]++
		switch req.Method {
		case "subscribe":
			f.subs[p.Query] = subscription{c, req}
		case "unsubscribe":
			delete(f.subs, p.Query)
		}
		f.mu.Unlock()
		c.write(rpctypes.NewRPCSuccessResponse(req.ID, struct{}{}))
	}
}

// publishTx sends the commit event of a transaction to its subscriber.
// f.mu must be held.
func (f *FakeNode) publishTx(r abci.TxResult) {
	hash := fmt.Sprintf("%X", tmhash.Sum(r.Tx))
	query := fmt.Sprintf("tm.event='Tx' AND tx.hash='%s'", hash)
	sub, ok := f.subs[query]
	if !ok {
		return
	}
	ev := &ctypes.ResultEvent{Query: query, Data: cmttypes.EventDataTx{TxResult: r}, Events: map[string][]string{
		"tm.event": {"Tx"}, "tx.hash": {hash},
	}}
	sub.conn.write(rpctypes.NewRPCSuccessResponse(sub.req.ID, ev))
}

// ServeHTTP answers JSON-RPC calls, and WebSocket connections at
// /websocket.
func (f *FakeNode) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/websocket" {
		f.serveWebsocket(w, r)
		return
	}
	var req rpctypes.RPCRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	res, err := f.call(req.Method, req.Params)
	var resp rpctypes.RPCResponse
	if err != nil {
		resp = rpctypes.RPCInternalError(req.ID, err)
	} else {
		resp = rpctypes.NewRPCSuccessResponse(req.ID, res)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// rpcParams are the parameters of the methods the node answers.
type rpcParams struct {
	Height    *int64
	Path      string
	Data      cmtbytes.HexBytes
	Prove     bool
	Hash      []byte
	Tx        []byte
	MinHeight int64
	MaxHeight int64
}

func decodeParams(params json.RawMessage) (rpcParams, error) {
	var p rpcParams
	var raw map[string]json.RawMessage
	if len(params) > 0 {
		if err := json.Unmarshal(params, &raw); err != nil {
			return p, err
		}
	}
	dec := func(name string, v any) error {
		if m, ok := raw[name]; ok && string(m) != "null" {
			return cmtjson.Unmarshal(m, v)
		}
		return nil
	}
	return p, errors.Join(
		dec("height", &p.Height), dec("path", &p.Path), dec("prove", &p.Prove), dec("data", &p.Data),
		dec("hash", &p.Hash), dec("tx", &p.Tx), dec("minHeight", &p.MinHeight), dec("maxHeight", &p.MaxHeight),
	)
}

func (f *FakeNode) call(method string, params json.RawMessage) (any, error) {
	p, err := decodeParams(params)
	if err != nil {
		return nil, err
	}
	if method == "abci_query" {
		f.mu.Lock()
		f.calls[method]++
		tamper := f.tamper
		f.mu.Unlock()
		var h int64
		if p.Height != nil {
			h = *p.Height
		}
		q := f.Query(p.Path, p.Data, h, p.Prove)
		if p.Prove && tamper != nil && q.Code == 0 {
			tamper(q)
		}
		return &ctypes.ResultABCIQuery{Response: *q}, nil
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[method]++
	latest := int64(len(f.headers))
	at := func() (int64, error) {
		h := latest
		if p.Height != nil {
			h = *p.Height
		}
		if h > latest {
			return 0, fmt.Errorf("height %d must be less than or equal to the current blockchain height %d", h, latest)
		}
		return h, nil
	}
	switch method {
	case "status":
		res := &ctypes.ResultStatus{}
		res.NodeInfo.Network = ChainID
		res.SyncInfo.LatestBlockHeight = latest
		res.SyncInfo.EarliestBlockHeight = 1
		return res, nil
	case "commit":
		h, err := at()
		if err != nil {
			return nil, err
		}
		sh := f.headers[h-1]
		return ctypes.NewResultCommit(sh.Header, sh.Commit, h < latest), nil
	case "validators":
		h, err := at()
		if err != nil {
			return nil, err
		}
		return &ctypes.ResultValidators{BlockHeight: h, Validators: f.valsets[h-1].Validators, Count: 1, Total: 1}, nil
	case "blockchain":
		var metas []*cmttypes.BlockMeta
		for h := min(p.MaxHeight, latest); h >= p.MinHeight && len(metas) < 20; h-- {
			metas = append(metas, &cmttypes.BlockMeta{BlockID: f.blockIDs[h-1], Header: *f.headers[h-1].Header})
		}
		return &ctypes.ResultBlockchainInfo{LastHeight: latest, BlockMetas: metas}, nil
	case "broadcast_tx_sync":
		hash := tmhash.Sum(p.Tx)
		if _, ok := f.txs[string(hash)]; ok {
			return nil, errors.New("tx already exists in cache")
		}
		for _, tx := range f.mempool {
			if string(tx) == string(p.Tx) {
				return nil, errors.New("tx already exists in cache")
			}
		}
		res := &abci.ResponseCheckTx{}
		if f.checkTx != nil {
			res = f.checkTx(p.Tx)
		}
		if res.Code == 0 {
			f.mempool = append(f.mempool, p.Tx)
		}
		return &ctypes.ResultBroadcastTx{Code: res.Code, Codespace: res.Codespace, Log: res.Log, Hash: hash}, nil
	case "tx":
		r, ok := f.txs[string(p.Hash)]
		if !ok {
			return nil, fmt.Errorf("tx (%X) not found", p.Hash)
		}
		return r, nil
	}
	return nil, fmt.Errorf("fake node: method %q not implemented", method)
}

// Query answers an ABCI query as the node does, truthfully (SetTamper
// edits only what goes over RPC): /store/<name>/key (proven if prove), the
// account path, served modules' paths, then HandleQuery's. A path nothing
// answers fails with code 2 in codespace "query".
func (f *FakeNode) Query(path string, data []byte, height int64, prove bool) *abci.ResponseQuery {
	fail := func(code uint32, log string) *abci.ResponseQuery {
		return &abci.ResponseQuery{Code: code, Codespace: "query", Log: log}
	}
	v, err := f.st.Version(height)
	if err != nil {
		return fail(codeHeightMissing, err.Error())
	}
	f.mu.Lock()
	modules, handlers := slices.Clone(f.modules), slices.Clone(f.handlers)
	f.mu.Unlock()

	if rest, ok := strings.CutPrefix(path, "/store/"); ok {
		name, ok := strings.CutSuffix(rest, "/key")
		if !ok || !slices.Contains(f.names, name) {
			return fail(codeUnknownPath, "unknown query path")
		}
		if !prove {
			value, err := v.Get(name, data)
			if err != nil {
				return fail(codeStore, err.Error())
			}
			return &abci.ResponseQuery{Key: data, Value: value, Height: v.Height}
		}
		value, ops, err := v.Prove(name, data)
		if err != nil {
			return fail(codeStore, err.Error())
		}
		return &abci.ResponseQuery{Key: data, Value: value, ProofOps: &cmtcrypto.ProofOps{Ops: ops}, Height: v.Height}
	}
	if hexAddr, ok := strings.CutPrefix(path, accountPrefix); ok {
		addr := common.HexToAddress(hexAddr)
		out := &authv1.Account{Address: addr[:], Height: v.Height, ChainId: ChainID, ChainNumericId: NumericID}
		ctx := exec.ReadOnly(v.Height, Stores(v).Reader)
		for _, m := range modules {
			if m.Accounts == nil {
				continue
			}
			acct, ok, err := m.Accounts.Lookup(ctx, addr)
			if err != nil {
				return fail(codeStore, err.Error())
			}
			if ok {
				out.Kind, out.Nonce = m.Accounts.Kind, acct.Nonce
				break
			}
		}
		f.mu.Lock()
		out.PendingNonce = out.Nonce + f.pending[addr]
		f.mu.Unlock()
		return answer(out, v.Height)
	}
	for _, m := range modules {
		if rest, ok := strings.CutPrefix(path, "/"+m.Name+"/"); ok {
			msg, err := m.Answer(Stores(v), rest, data)
			if err != nil {
				codespace, code, log := errcode.ABCIInfo(err)
				return &abci.ResponseQuery{Code: code, Codespace: codespace, Log: log}
			}
			return answer(msg, v.Height)
		}
	}
	for _, h := range handlers {
		if strings.HasPrefix(path, h.prefix) {
			q := h.h(v, path, data)
			if q.Height == 0 {
				q.Height = v.Height
			}
			return q
		}
	}
	return fail(codeUnknownPath, "unknown query path")
}

// answer is m's canonical encoding at height; nil is an empty answer.
func answer(m proto.Message, height int64) *abci.ResponseQuery {
	q := &abci.ResponseQuery{Height: height}
	if m == nil {
		return q
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return &abci.ResponseQuery{Code: 1, Codespace: "query", Log: err.Error()}
	}
	q.Value = b
	return q
}

// versionStores are a committed version's stores for module query
// handlers.
type versionStores struct{ v *store.Version }

func (s versionStores) Reader(name string) store.Reader {
	r, err := s.v.Reader(name)
	if err != nil {
		panic(err) // handlers name their own module's stores, which the test gave the node
	}
	return r
}

func (s versionStores) Height() int64 { return s.v.Height }

// Stores are the stores of the committed state v, as module query handlers
// read them.
func Stores(v *store.Version) module.Stores { return versionStores{v} }
