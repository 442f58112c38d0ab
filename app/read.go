package app

import (
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	ics23 "github.com/cosmos/ics23/go"
	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/module"
)

// readerOf unwraps a signed read (QueryReadPrefix): it returns the query
// as if unsigned, and the address that signed it; an unsigned query is
// returned as it is, with no reader. A signature that does not verify, or
// a request past its valid_until (judged against the node's last block
// time, not a clock), is refused.
func (a *App) readerOf(req *abci.RequestQuery) (*abci.RequestQuery, *common.Address, error) {
	path, ok := strings.CutPrefix(req.Path, QueryReadPrefix)
	if !ok || !strings.HasPrefix(path, "/") {
		return req, nil, nil
	}
	rr := new(authv1.ReadRequest)
	if err := proto.Unmarshal(req.Data, rr); err != nil {
		return nil, nil, errcode.Wrap(ErrInvalidRequest, "signed read: data is not a ReadRequest: %v", err)
	}
	if now := a.store.LastCommit().Time.Unix(); rr.ValidUntil < now {
		return nil, nil, errcode.Wrap(module.ErrReadExpired, "valid until %d, the last block is of %d", rr.ValidUntil, now)
	}
	read := auth.Read{Path: path, Data: rr.Data, Height: req.Height, Prove: req.Prove, ValidUntil: rr.ValidUntil}
	reader, err := read.Reader(a.Domain(), rr.Signature)
	if err != nil {
		return nil, nil, err
	}
	inner := *req
	inner.Path, inner.Data = path, rr.Data
	return &inner, &reader, nil
}

// allowKeys asks m's Private (if m is private) about a raw read of each
// key of its store.
func allowKeys(m *module.Module, access module.ReadAccess, keys ...[]byte) error {
	if m.Private == nil {
		return nil
	}
	for _, k := range keys {
		access.Key = k
		if err := m.Private(access); err != nil {
			return err
		}
	}
	return nil
}

// neighbours are the keys a proof of absence reveals: the existing keys on
// either side of the absent one, in the store's own proof op.
func neighbours(ops []cmtcrypto.ProofOp) [][]byte {
	if len(ops) == 0 {
		return nil
	}
	p := new(ics23.CommitmentProof)
	if p.Unmarshal(ops[0].Data) != nil || p.GetNonexist() == nil {
		return nil
	}
	var out [][]byte
	if l := p.GetNonexist().Left; l != nil {
		out = append(out, l.Key)
	}
	if r := p.GetNonexist().Right; r != nil {
		out = append(out, r.Key)
	}
	return out
}

// allowHistory asks the private module whose history subject is named
// subject, if any, about reading the history of id: as a raw read of the
// record that holds its accumulator, over the last commit.
func (a *App) allowHistory(reader *common.Address, subject string, id []byte) error {
	for _, m := range a.reg.Modules() {
		if m.Private == nil {
			continue
		}
		for _, h := range m.Histories {
			if h.Name != subject {
				continue
			}
			key := h.Key(id)
			if key == nil {
				return errcode.Wrap(ErrInvalidRequest, "history %s: bad id %x", subject, id)
			}
			v, err := a.store.Version(0)
			if err != nil {
				return err
			}
			last := a.store.LastCommit()
			return allowKeys(m, module.ReadAccess{Stores: versionStores{v: v, time: last.Time}, Reader: reader, Now: last.Time}, key)
		}
	}
	return nil
}
