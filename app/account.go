package app

import (
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"

	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
)

// QueryAccountPrefix + "<0x address>": authv1.Account, the signer's
// account kind and committed nonce at the last commit (or req.Height),
// the next nonce counting its transactions in this node's mempool, and
// the signing domain: what a client needs to sign, in one round trip. The
// committed nonce is provable from the account's record; the pending one
// is the node's word.
const QueryAccountPrefix = "/auth/account/"

func (a *App) queryAccount(req *abci.RequestQuery) *abci.ResponseQuery {
	hexAddr := strings.TrimPrefix(req.Path, QueryAccountPrefix)
	if !common.IsHexAddress(hexAddr) || !strings.HasPrefix(hexAddr, "0x") {
		return queryError(errcode.Wrap(ErrInvalidRequest, "account %q: want a 0x-prefixed 20-byte hex address", hexAddr))
	}
	addr := common.HexToAddress(hexAddr)
	v, err := a.store.Version(req.Height)
	if err != nil {
		return queryError(errcode.Wrap(ErrHeightNotKept, "%v", err))
	}
	d := a.Domain()
	out := &authv1.Account{Address: addr.Bytes(), Height: v.Height, ChainId: d.ChainID, ChainNumericId: d.NumericID}
	ctx := exec.ReadOnly(v.Height, versionStores{v: v}.Reader)
	// The latest state is judged at its block's time, as CheckTx judges
	// it; an older one as stored (a key change due by then but not yet
	// applied shows as pending).
	if last := a.store.LastCommit(); last.Height == v.Height {
		ctx.Time = last.Time
	}
	acct, err := a.account(ctx, addr)
	if err == nil {
		out.Kind, out.Nonce = acct.src.Kind, acct.Nonce
		if acct.ID != addr {
			out.Account = acct.ID.Bytes()
		}
	} else {
		out.Refused = err.Error()
	}
	out.PendingNonce = out.Nonce
	if req.Height == 0 || req.Height == v.Height {
		a.checkMu.Lock()
		if a.checkTip == v.Height {
			out.PendingNonce += uint64(a.pending[addr])
		}
		a.checkMu.Unlock()
	}
	resp, err := marshalAnswer(out)
	if err != nil {
		return queryError(err)
	}
	resp.Height = v.Height
	return resp
}
