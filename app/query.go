package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	"google.golang.org/protobuf/proto"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/aml"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/gov"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// Query paths. Values are protobuf; with prove=true, /store answers carry
// the proof ops (ics23:iavl, ics23:simple) against the app hash of the
// answer's height, which is in the header of the next height.
const (
	// QueryStorePrefix + "<store>/key": the raw value of the key in Data.
	QueryStorePrefix = "/store/"
	// QueryMembers: consortiumv1.Members, all members by id.
	QueryMembers = "/consortium/members"
	// QueryIssuancesPrefix + "<issuer>": walletv1.Issuances of that issuer.
	QueryIssuancesPrefix = "/wallet/issuances/"
	// QueryInvariant: empty value if supply = sum of balances = sum of
	// issuance for every denom at the height, an error otherwise.
	QueryInvariant = "/wallet/invariant"
	// QueryHistory: Data is a walletv1.HistoryRequest; the answer is
	// walletv1.HistoryEntries from this node's off-consensus index, not
	// proven by itself: check it against a wallet's proven accumulator
	// (wallet.VerifyHistory).
	QueryHistory = "/history"
	// gov.QueryPrefix + "proposals[/<status>][/after/<id>]",
	// "votes/<id>", "tally/<id>": governance (see package gov); a missing
	// proposal is gov.ErrProposalNotFound.
	//
	// QueryPeerFilterID + "<node id>": CometBFT asks this (filter_peers =
	// true) before it accepts a peer; an OK answer admits it. Only nodes
	// declared by an active member are admitted.
	QueryPeerFilterID = "/p2p/filter/id/"
	// QueryPeerFilterAddr + "<ip:port>": CometBFT asks this for every
	// inbound connection before the handshake. Membership is decided by
	// node id, which the handshake authenticates, so every address is
	// admitted here.
	QueryPeerFilterAddr = "/p2p/filter/addr/"
)

// Query errors.
const queryCodespace = "query"

var (
	ErrUnknownQuery   = errcode.Register(queryCodespace, 2, "unknown query path")
	ErrHeightNotKept  = errcode.Register(queryCodespace, 3, "height not available: pruned, or not committed yet")
	ErrInvalidRequest = errcode.Register(queryCodespace, 4, "invalid query request")
	ErrInvariant      = errcode.Register(queryCodespace, 5, "invariant broken")
	ErrNoHistory      = errcode.Register(queryCodespace, 6, "this node keeps no history index (history.enabled = false)")
	ErrHistoryStopped = errcode.Register(queryCodespace, 7, "this node's history index stopped after a write failure; it catches up when the node restarts")
)

// Query answers from a committed version (the latest, or req.Height), never
// the working state. It is safe to call concurrently with block execution.
func (a *App) Query(_ context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	if req.Height < 0 {
		return queryError(errcode.Wrap(ErrInvalidRequest, "negative height")), nil
	}
	if req.Path == QueryHistory {
		return a.queryHistory(req), nil
	}
	if id, ok := strings.CutPrefix(req.Path, QueryPeerFilterID); ok {
		if err := a.admitPeer(id); err != nil {
			return queryError(err), nil
		}
		return &abci.ResponseQuery{}, nil
	}
	if strings.HasPrefix(req.Path, QueryPeerFilterAddr) {
		return &abci.ResponseQuery{}, nil
	}
	v, err := a.store.Version(req.Height)
	if err != nil {
		if errors.Is(err, store.ErrVersionPruned) {
			err = errcode.Wrap(ErrHeightNotKept, "%v", err)
		}
		return queryError(err), nil
	}
	resp, err := query(v, req)
	if err != nil {
		return queryError(err), nil
	}
	resp.Height = v.Height
	return resp, nil
}

func query(v *store.Version, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	switch {
	case strings.HasPrefix(req.Path, QueryStorePrefix):
		name, ok := strings.CutSuffix(strings.TrimPrefix(req.Path, QueryStorePrefix), "/key")
		if !ok || !isStore(name) {
			return nil, errcode.Wrap(ErrUnknownQuery, "%q: want /store/<%s>/key", req.Path, strings.Join(StoreNames, "|"))
		}
		if len(req.Data) == 0 {
			return nil, errcode.Wrap(ErrInvalidRequest, "empty key")
		}
		if !req.Prove {
			value, err := v.Get(name, req.Data)
			return &abci.ResponseQuery{Key: req.Data, Value: value}, err
		}
		value, ops, err := v.Prove(name, req.Data)
		if err != nil {
			return nil, err
		}
		return &abci.ResponseQuery{Key: req.Data, Value: value, ProofOps: &cmtcrypto.ProofOps{Ops: ops}}, nil

	case req.Path == QueryMembers:
		out := new(consortiumv1.Members)
		err := v.Iterate(consortium.StoreName, consortium.MemberPrefix(), func(k, val []byte) bool {
			m := new(consortiumv1.Member)
			store.DecodeProto(k, val, m)
			out.Members = append(out.Members, m)
			return true
		})
		return marshalAnswer(out, err)

	case strings.HasPrefix(req.Path, QueryIssuancesPrefix):
		issuer := strings.TrimPrefix(req.Path, QueryIssuancesPrefix)
		if issuer == "" || len(issuer) > 32 {
			return nil, errcode.Wrap(ErrInvalidRequest, "issuer id %q", issuer)
		}
		out := new(walletv1.Issuances)
		err := v.Iterate(wallet.StoreName, wallet.IssuancePrefix(issuer), func(k, val []byte) bool {
			is := new(walletv1.Issuance)
			store.DecodeProto(k, val, is)
			out.Issuances = append(out.Issuances, is)
			return true
		})
		return marshalAnswer(out, err)

	case strings.HasPrefix(req.Path, aml.QueryPrefix):
		b, err := aml.Query(v, req.Path)
		if err != nil {
			return nil, err
		}
		return &abci.ResponseQuery{Value: b}, nil

	case strings.HasPrefix(req.Path, gov.QueryPrefix):
		return queryGov(v, req.Path)

	case req.Path == QueryInvariant:
		err := wallet.Invariant(func(prefix []byte, fn func(k, v []byte) bool) error {
			return v.Iterate(wallet.StoreName, prefix, fn)
		})
		if err != nil {
			return nil, errcode.Wrap(ErrInvariant, "%v", err)
		}
		return &abci.ResponseQuery{}, nil
	}
	return nil, errcode.Wrap(ErrUnknownQuery, "%q", req.Path)
}

// queryGov answers the governance paths (package gov documents them).
func queryGov(v *store.Version, path string) (*abci.ResponseQuery, error) {
	gr, err := v.Reader(gov.StoreName)
	if err != nil {
		return nil, err
	}
	g := gov.NewView(gr)
	kind, rest, _ := strings.Cut(strings.TrimPrefix(path, gov.QueryPrefix), "/")
	if kind == "proposals" {
		status, after, err := parseProposalsPath(path, rest)
		if err != nil {
			return nil, err
		}
		out := new(govv1.Proposals)
		last := g.LastID()
		for id := after; id < last && len(out.Proposals) < gov.MaxPage; {
			id++
			p, ok := g.Proposal(id)
			if !ok {
				return nil, fmt.Errorf("gov: corrupted state: proposal %d of %d does not exist", id, last)
			}
			if status == govv1.ProposalStatus_PROPOSAL_STATUS_UNSPECIFIED || p.Status == status {
				out.Proposals = append(out.Proposals, p)
			}
		}
		return marshalAnswer(out, nil)
	}
	if kind != "votes" && kind != "tally" {
		return nil, errcode.Wrap(ErrUnknownQuery, "%q: want %sproposals[/<status>][/after/<id>], %svotes/<id> or %stally/<id>",
			path, gov.QueryPrefix, gov.QueryPrefix, gov.QueryPrefix)
	}
	id, err := strconv.ParseUint(rest, 10, 64)
	if err != nil || id == 0 {
		return nil, errcode.Wrap(ErrInvalidRequest, "%q: proposal id %q: want a positive number", path, rest)
	}
	p, ok := g.Proposal(id)
	if !ok {
		return nil, errcode.Wrap(gov.ErrProposalNotFound, "proposal %d", id)
	}
	if kind == "tally" {
		cr, err := v.Reader(consortium.StoreName)
		if err != nil {
			return nil, err
		}
		return marshalAnswer(gov.TallyOf(consortium.NewView(cr), g, p), nil)
	}
	out := new(govv1.Votes)
	err = v.Iterate(gov.StoreName, gov.VotePrefix(id), func(k, val []byte) bool {
		vote := new(govv1.Vote)
		store.DecodeProto(k, val, vote)
		out.Votes = append(out.Votes, vote)
		return true
	})
	return marshalAnswer(out, err)
}

// parseProposalsPath reads rest, "[<status>][/after/<id>]", of a
// proposals path.
func parseProposalsPath(path, rest string) (status govv1.ProposalStatus, after uint64, err error) {
	if rest == "" {
		return status, 0, nil
	}
	parts := strings.Split(rest, "/")
	if parts[0] != "after" {
		if status, err = gov.ParseStatus(parts[0]); err != nil {
			return 0, 0, errcode.Wrap(ErrInvalidRequest, "%q: %v", path, err)
		}
		parts = parts[1:]
	}
	switch {
	case len(parts) == 0:
		return status, 0, nil
	case len(parts) == 2 && parts[0] == "after":
		if after, err = strconv.ParseUint(parts[1], 10, 64); err != nil {
			return 0, 0, errcode.Wrap(ErrInvalidRequest, "%q: after %q: want a proposal id", path, parts[1])
		}
		return status, after, nil
	}
	return 0, 0, errcode.Wrap(ErrInvalidRequest, "%q: want %sproposals[/<status>][/after/<id>]", path, gov.QueryPrefix)
}

// admitPeer answers the peer filter from the last commit's members, or,
// before the first commit, from the genesis members.
func (a *App) admitPeer(nodeID string) error {
	if a.store.LastCommit().Height == 0 {
		genesis := a.genesisMembers.Load()
		if genesis == nil {
			return errcode.Wrap(ErrHeightNotKept, "no state yet: the chain is not initialised")
		}
		return genesis.AdmitPeer(nodeID)
	}
	v, err := a.store.Version(0)
	if err != nil {
		return err
	}
	r, err := v.Reader(consortium.StoreName)
	if err != nil {
		return err
	}
	return consortium.NewView(r).AdmitPeer(nodeID)
}

func isStore(name string) bool {
	for _, n := range StoreNames {
		if n == name {
			return true
		}
	}
	return false
}

func marshalAnswer(m proto.Message, err error) (*abci.ResponseQuery, error) {
	if err != nil {
		return nil, err
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
func (a *App) queryHistory(req *abci.RequestQuery) *abci.ResponseQuery {
	if a.cfg.History == nil {
		return queryError(ErrNoHistory)
	}
	hr := new(walletv1.HistoryRequest)
	if err := proto.Unmarshal(req.Data, hr); err != nil {
		return queryError(errcode.Wrap(ErrInvalidRequest, "history request: %v", err))
	}
	if (len(hr.Wallet) == 0) == (len(hr.TxHash) == 0) {
		return queryError(errcode.Wrap(ErrInvalidRequest, "history request: give a wallet or a tx hash"))
	}
	entries, err := a.cfg.History.Query(hr)
	if err != nil {
		return queryError(err)
	}
	resp, err := marshalAnswer(entries, nil)
	if err != nil {
		return queryError(err)
	}
	// The index may lag the state by a block or two: the answer is as of
	// the last height it indexed.
	resp.Height = a.cfg.History.Watermark()
	return resp
}
