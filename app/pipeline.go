package app

import (
	"bytes"
	"crypto/sha256"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/gov"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// checkedTx is a transaction that passed, or failed, the checks that do not
// depend on state: size, decoding, canonical encoding, stateless message
// checks, chain id and signature.
type checkedTx struct {
	hash   [32]byte
	tx     *authv1.Tx
	signer common.Address
	err    error
}

var (
	decodeOptions = proto.UnmarshalOptions{DiscardUnknown: true}
	encodeOptions = proto.MarshalOptions{Deterministic: true}
)

// decodeTx applies the cheap checks to raw, in order: size, decoding,
// canonical re-encoding (which rejects unknown fields, fields out of order,
// non-minimal varints and explicit default values), stateless checks of
// the body and message, and the chain id.
func (a *App) decodeTx(raw []byte, maxBytes uint64) (*authv1.Tx, error) {
	if uint64(len(raw)) > maxBytes {
		return nil, errcode.Wrap(auth.ErrTxTooLarge, "%d bytes, limit %d", len(raw), maxBytes)
	}
	tx := new(authv1.Tx)
	if err := decodeOptions.Unmarshal(raw, tx); err != nil {
		return nil, errcode.Wrap(auth.ErrTxDecode, "%v", err)
	}
	canonical, err := encodeOptions.Marshal(tx)
	if err != nil || !bytes.Equal(canonical, raw) {
		return nil, auth.ErrNonCanonical
	}
	if err := validateBody(tx.Body); err != nil {
		return nil, err
	}
	if tx.Body.ChainId != a.cfg.ChainID {
		return nil, errcode.Wrap(auth.ErrWrongChainID, "tx is for %q, this is %q", tx.Body.ChainId, a.cfg.ChainID)
	}
	return tx, nil
}

// validateBody applies the stateless checks of the envelope and message.
func validateBody(body *authv1.TxBody) error {
	if body == nil {
		return errcode.Wrap(auth.ErrInvalidTx, "no body")
	}
	if len(body.Signer) != common.AddressLength {
		return errcode.Wrap(auth.ErrInvalidTx, "signer must be a 20-byte address, got %d bytes", len(body.Signer))
	}
	if body.ValidUntilHeight == 0 {
		return errcode.Wrap(auth.ErrInvalidTx, "valid_until_height must be set")
	}
	switch m := body.Msg.(type) {
	case *authv1.TxBody_OpenWallet:
		return wallet.ValidateOpenWallet(m.OpenWallet)
	case *authv1.TxBody_Deposit:
		return wallet.ValidateDeposit(m.Deposit)
	case *authv1.TxBody_Transfer:
		return wallet.ValidateTransfer(m.Transfer)
	case *authv1.TxBody_Redeem:
		return wallet.ValidateRedeem(m.Redeem)
	case *authv1.TxBody_BatchTransfer:
		return wallet.ValidateBatchTransfer(m.BatchTransfer)
	case *authv1.TxBody_Freeze:
		return wallet.ValidateFreeze(m.Freeze)
	case *authv1.TxBody_Release:
		return wallet.ValidateRelease(m.Release)
	case *authv1.TxBody_SetTier:
		return wallet.ValidateSetTier(m.SetTier)
	case *authv1.TxBody_SetLimits:
		return wallet.ValidateSetLimits(m.SetLimits)
	case *authv1.TxBody_CloseWallet:
		return wallet.ValidateCloseWallet(m.CloseWallet)
	case *authv1.TxBody_SubmitProposal:
		return gov.ValidateSubmit(m.SubmitProposal)
	case *authv1.TxBody_Vote:
		return gov.ValidateVote(m.Vote)
	case nil:
		return errcode.Wrap(auth.ErrInvalidTx, "no message")
	default:
		return errcode.Wrap(auth.ErrInvalidTx, "unknown message %T", m)
	}
}

// checkTx decodes raw and verifies its signature, using the signature cache
// when it can and filling it when it verified.
func (a *App) checkTx(raw []byte, p *consortiumv1.Params) checkedTx {
	c := checkedTx{hash: sha256.Sum256(raw)}
	c.tx, c.err = a.decodeTx(raw, p.MaxTxBytes)
	if c.err != nil {
		return c
	}
	if signer, ok := a.sigs.get(c.hash); ok {
		c.signer = signer
		return c
	}
	c.signer, c.err = a.signer.Load().Verify(c.tx)
	if c.err == nil {
		a.sigs.add(c.hash, c.signer)
	}
	return c
}

// checkedBlock is a block's transactions being checked in the background:
// At(i) waits for transaction i's result. Workers take transactions in
// index order, so the block can be executed in order while later
// signatures are still being recovered.
type checkedBlock struct {
	out   []checkedTx
	ready []chan struct{}
}

// At returns transaction i's result, waiting until it is ready.
func (b *checkedBlock) At(i int) *checkedTx {
	<-b.ready[i]
	return &b.out[i]
}

// checkAll starts checkTx over a block's transactions on the configured
// number of workers. Each result is written to its own index and read only
// after its channel closes, so results do not depend on scheduling.
func (a *App) checkAll(txs [][]byte, p *consortiumv1.Params) *checkedBlock {
	b := &checkedBlock{out: make([]checkedTx, len(txs)), ready: make([]chan struct{}, len(txs))}
	for i := range b.ready {
		b.ready[i] = make(chan struct{})
	}
	var next atomic.Int64
	for range min(max(a.cfg.Workers, 1), len(txs)) {
		// nolint:determinism: each result is written to its own index and published by closing its channel.
		go func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(txs) {
					return
				}
				b.out[i] = a.checkTx(txs[i], p)
				close(b.ready[i])
			}
		}()
	}
	return b
}
