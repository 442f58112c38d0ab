package client

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
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// fakeNode is a one-validator chain behind CometBFT's JSON-RPC: real signed
// headers, a real IAVL store with real proofs, a mempool and a tx index.
// Block h commits store version h; header h+1 carries its app hash.
type fakeNode struct {
	t       *testing.T
	chainID string
	priv    ed25519.PrivKey
	vals    *cmttypes.ValidatorSet
	srv     *httptest.Server
	st      *store.Store

	mu       sync.Mutex
	headers  []*cmttypes.SignedHeader // headers[h-1] is height h
	blockIDs []cmttypes.BlockID
	valsets  []*cmttypes.ValidatorSet
	writes   []fakeWrite
	mempool  [][]byte
	txs      map[string]*ctypes.ResultTx
	// pendingNonces is what /auth/account adds to a signer's committed
	// nonce for its transactions in the mempool.
	pendingNonces map[common.Address]uint64
	// blockTime gives the time of block h (nil: now).
	blockTime func(h int64) time.Time
	// checkTx and deliverTx judge transactions (nil: accept).
	checkTx   func(tx []byte) *abci.ResponseCheckTx
	deliverTx func(tx []byte) *abci.ExecTxResult
	// tamper edits proven query answers.
	tamper func(*abci.ResponseQuery)

	// noWebsocket refuses /websocket, as a proxy that does not pass it.
	noWebsocket bool
	// subs are the WebSocket subscriptions by query.
	subs map[string]fakeSub
	// calls counts JSON-RPC calls by method (over HTTP and WebSocket).
	calls map[string]int

	stop chan struct{}
	done chan struct{}
}

type fakeWrite struct {
	store      string
	key, value []byte
}

var storeNames = []string{consortium.StoreName, wallet.StoreName}

const testNumericID = 4242

func newFakeNode(t *testing.T, blockTime func(int64) time.Time) *fakeNode {
	t.Helper()
	st, err := store.Open(store.Options{InMemory: true}, storeNames)
	if err != nil {
		t.Fatal(err)
	}
	priv := ed25519.GenPrivKey()
	f := &fakeNode{
		t: t, chainID: "ledgerd-test", priv: priv, st: st,
		vals:      cmttypes.NewValidatorSet([]*cmttypes.Validator{cmttypes.NewValidator(priv.PubKey(), 10)}),
		txs:       map[string]*ctypes.ResultTx{},
		subs:      map[string]fakeSub{},
		calls:     map[string]int{},
		blockTime: blockTime,
	}
	f.setProto(consortium.StoreName, consortium.ParamsKey(), &consortiumv1.Params{ChainNumericId: testNumericID})
	f.setProto(consortium.StoreName, consortium.MemberKey("bank-a"), &consortiumv1.Member{Id: "bank-a", Name: "Bank A"})
	f.setProto(wallet.StoreName, wallet.ParamsKey(), &walletv1.Params{Denoms: []string{"CNY"}})
	f.srv = httptest.NewServer(f)
	t.Cleanup(func() {
		f.stopBlocks()
		f.srv.Close()
		st.Close()
	})
	f.produce(1)
	return f
}

func (f *fakeNode) url() string { return f.srv.URL }

func (f *fakeNode) set(storeName string, key, value []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writes = append(f.writes, fakeWrite{storeName, key, value})
}

func (f *fakeNode) setProto(storeName string, key []byte, m proto.Message) {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		f.t.Fatal(err)
	}
	f.set(storeName, key, b)
}

// goRogue makes the following blocks signed by a new validator that the
// chain never handed over to: a forged chain.
func (f *fakeNode) goRogue() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.priv = ed25519.GenPrivKey()
	f.vals = cmttypes.NewValidatorSet([]*cmttypes.Validator{cmttypes.NewValidator(f.priv.PubKey(), 10)})
}

// height is the latest block.
func (f *fakeNode) height() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return int64(len(f.headers))
}

func (f *fakeNode) header(h int64) *cmttypes.SignedHeader {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.headers[h-1]
}

// produce makes n blocks, each with the mempool's transactions and the
// pending writes.
func (f *fakeNode) produce(n int) {
	for range n {
		f.mu.Lock()
		f.makeBlock()
		f.mu.Unlock()
	}
}

// startBlocks produces a block every interval until the test ends.
func (f *fakeNode) startBlocks(interval time.Duration) {
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
				f.produce(1)
			}
		}
	}()
}

func (f *fakeNode) stopBlocks() {
	if f.stop != nil {
		close(f.stop)
		<-f.done
		f.stop = nil
	}
}

// makeBlock makes block h = len(headers)+1: header with the app hash of
// version h-1, signed; then executes it (version h). f.mu must be held.
func (f *fakeNode) makeBlock() {
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
		ChainID:            f.chainID,
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
	sig, err := f.priv.Sign(cmttypes.VoteSignBytes(f.chainID, vote.ToProto()))
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
		f.txs[string(TxHash(tx))] = &ctypes.ResultTx{Hash: TxHash(tx), Height: h, Index: uint32(i), TxResult: *res, Tx: tx}
		f.publishTx(abci.TxResult{Height: h, Index: uint32(i), Tx: tx, Result: *res})
	}
	f.mempool = nil
	b := store.NewBranch(storeNames, f.st.Working())
	for _, w := range f.writes {
		b.KV(w.store).Set(w.key, w.value)
	}
	f.writes = nil
	f.st.Apply(b)
	if _, err := f.st.Commit(); err != nil {
		panic(err)
	}
}

// fakeSub is a subscription: its connection and its request.
type fakeSub struct {
	conn *fakeConn
	req  rpctypes.RPCRequest // the subscribe request (its ID is unexported)
}

// fakeConn is a WebSocket connection to the fake node.
type fakeConn struct {
	mu   sync.Mutex // serialises writes
	conn *websocket.Conn
}

func (c *fakeConn) write(resp rpctypes.RPCResponse) {
	c.mu.Lock()
	defer c.mu.Unlock()
	_ = c.conn.WriteJSON(resp)
}

// serveWebsocket answers subscribe and unsubscribe as CometBFT does: a
// subscription's events come as responses to its request's id plus
// "#event".
func (f *fakeNode) serveWebsocket(w http.ResponseWriter, r *http.Request) {
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
	c := &fakeConn{conn: conn}
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
			f.subs[p.Query] = fakeSub{c, req}
		case "unsubscribe":
			delete(f.subs, p.Query)
		}
		f.mu.Unlock()
		c.write(rpctypes.NewRPCSuccessResponse(req.ID, struct{}{}))
	}
}

// publishTx sends the commit event of a transaction to its subscriber.
// f.mu must be held.
func (f *fakeNode) publishTx(r abci.TxResult) {
	query := fmt.Sprintf("tm.event='Tx' AND tx.hash='%X'", TxHash(r.Tx))
	sub, ok := f.subs[query]
	if !ok {
		return
	}
	ev := &ctypes.ResultEvent{Query: query, Data: cmttypes.EventDataTx{TxResult: r}, Events: map[string][]string{
		"tm.event": {"Tx"}, "tx.hash": {fmt.Sprintf("%X", TxHash(r.Tx))},
	}}
	sub.conn.write(rpctypes.NewRPCSuccessResponse(sub.req.ID, ev))
}

// subscriptions is the number of open subscriptions.
func (f *fakeNode) subscriptions() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

// callCount is how many times method was called.
func (f *fakeNode) callCount(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

// ServeHTTP answers JSON-RPC calls.
func (f *fakeNode) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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

func (f *fakeNode) call(method string, params json.RawMessage) (any, error) {
	var p struct {
		Height    *int64 `json:"height"`
		Path      string `json:"path"`
		Data      []byte
		Prove     bool   `json:"prove"`
		Hash      []byte `json:"hash"`
		Tx        []byte `json:"tx"`
		MinHeight int64  `json:"minHeight"`
		MaxHeight int64  `json:"maxHeight"`
	}
	var raw map[string]json.RawMessage
	if len(params) > 0 {
		if err := json.Unmarshal(params, &raw); err != nil {
			return nil, err
		}
	}
	dec := func(name string, v any) error {
		if m, ok := raw[name]; ok && string(m) != "null" {
			return cmtjson.Unmarshal(m, v)
		}
		return nil
	}
	var hexData struct {
		D cmtbytes.HexBytes
	}
	for _, e := range []error{
		dec("height", &p.Height), dec("path", &p.Path), dec("prove", &p.Prove),
		dec("hash", &p.Hash), dec("tx", &p.Tx), dec("minHeight", &p.MinHeight), dec("maxHeight", &p.MaxHeight),
		dec("data", &hexData.D),
	} {
		if e != nil {
			return nil, e
		}
	}
	p.Data = hexData.D

	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[method]++
	latest := int64(len(f.headers))
	tooHigh := func(h int64) error {
		return fmt.Errorf("height %d must be less than or equal to the current blockchain height %d", h, latest)
	}
	switch method {
	case "status":
		res := &ctypes.ResultStatus{}
		res.NodeInfo.Network = f.chainID
		res.SyncInfo.LatestBlockHeight = latest
		res.SyncInfo.EarliestBlockHeight = 1
		return res, nil
	case "commit":
		h := latest
		if p.Height != nil {
			h = *p.Height
		}
		if h > latest {
			return nil, tooHigh(h)
		}
		sh := f.headers[h-1]
		return ctypes.NewResultCommit(sh.Header, sh.Commit, h < latest), nil
	case "validators":
		h := latest
		if p.Height != nil {
			h = *p.Height
		}
		if h > latest {
			return nil, tooHigh(h)
		}
		return &ctypes.ResultValidators{BlockHeight: h, Validators: f.valsets[h-1].Validators, Count: 1, Total: 1}, nil
	case "blockchain":
		var metas []*cmttypes.BlockMeta
		for h := min(p.MaxHeight, latest); h >= p.MinHeight && len(metas) < 20; h-- {
			metas = append(metas, &cmttypes.BlockMeta{BlockID: f.blockIDs[h-1], Header: *f.headers[h-1].Header})
		}
		return &ctypes.ResultBlockchainInfo{LastHeight: latest, BlockMetas: metas}, nil
	case "abci_query":
		var h int64
		if p.Height != nil {
			h = *p.Height
		}
		q := f.query(p.Path, p.Data, h, p.Prove)
		if p.Prove && f.tamper != nil && q.Code == 0 {
			f.tamper(q)
		}
		return &ctypes.ResultABCIQuery{Response: *q}, nil
	case "broadcast_tx_sync":
		hash := TxHash(p.Tx)
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

func (f *fakeNode) query(path string, data []byte, height int64, prove bool) *abci.ResponseQuery {
	fail := func(code uint32, log string) *abci.ResponseQuery {
		return &abci.ResponseQuery{Code: code, Codespace: "query", Log: log}
	}
	v, err := f.st.Version(height)
	if err != nil {
		return fail(3, err.Error())
	}
	switch {
	case strings.HasPrefix(path, "/store/"):
		name, ok := strings.CutSuffix(strings.TrimPrefix(path, "/store/"), "/key")
		if !ok || !slices.Contains(storeNames, name) {
			return fail(2, "unknown query path")
		}
		if !prove {
			value, err := v.Get(name, data)
			if err != nil {
				return fail(1, err.Error())
			}
			return &abci.ResponseQuery{Key: data, Value: value, Height: v.Height}
		}
		value, ops, err := v.Prove(name, data)
		if err != nil {
			return fail(1, err.Error())
		}
		return &abci.ResponseQuery{Key: data, Value: value, ProofOps: &cmtcrypto.ProofOps{Ops: ops}, Height: v.Height}
	case path == PathMembers:
		out := new(consortiumv1.Members)
		_ = v.Iterate(consortium.StoreName, consortium.MemberPrefix(), func(_, val []byte) bool {
			m := new(consortiumv1.Member)
			_ = proto.Unmarshal(val, m)
			out.Members = append(out.Members, m)
			return true
		})
		b, _ := proto.Marshal(out)
		return &abci.ResponseQuery{Value: b, Height: v.Height}
	case strings.HasPrefix(path, PathIssuancesPrefix):
		out := new(walletv1.Issuances)
		_ = v.Iterate(wallet.StoreName, wallet.IssuancePrefix(strings.TrimPrefix(path, PathIssuancesPrefix)), func(_, val []byte) bool {
			is := new(walletv1.Issuance)
			_ = proto.Unmarshal(val, is)
			out.Issuances = append(out.Issuances, is)
			return true
		})
		b, _ := proto.Marshal(out)
		return &abci.ResponseQuery{Value: b, Height: v.Height}
	case path == PathInvariant:
		return &abci.ResponseQuery{Height: v.Height}
	case strings.HasPrefix(path, PathAccountPrefix):
		addr := common.HexToAddress(strings.TrimPrefix(path, PathAccountPrefix))
		out := &authv1.Account{Address: addr[:], Height: v.Height, ChainId: f.chainID, ChainNumericId: testNumericID}
		op, w := new(consortiumv1.Operator), new(walletv1.Wallet)
		if b, _ := v.Get(consortium.StoreName, consortium.OperatorKey(addr[:])); b != nil {
			_ = proto.Unmarshal(b, op)
			out.Kind, out.Nonce = "operator", op.Nonce
		} else if b, _ := v.Get(wallet.StoreName, wallet.WalletKey(addr[:])); b != nil {
			_ = proto.Unmarshal(b, w)
			out.Kind, out.Nonce = "wallet", w.Nonce
		}
		out.PendingNonce = out.Nonce + f.pendingNonces[addr]
		b, _ := proto.Marshal(out)
		return &abci.ResponseQuery{Value: b, Height: v.Height}
	}
	return fail(2, "unknown query path")
}
