package client

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/tmhash"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"google.golang.org/protobuf/proto"

	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	"github.com/ledgerd/ledgerd/x/auth"
)

// Msg is a transaction message: any message TxBody's oneof msg carries
// (walletv1.MsgTransfer, govv1.MsgVote, ...).
type Msg = proto.Message

// SetMsg sets body's message oneof to msg. It fails on a nil message or a
// type the envelope does not carry.
func SetMsg(body *authv1.TxBody, msg Msg) error {
	if err := auth.SetMsg(body, msg); err != nil {
		return fmt.Errorf("client: %w", err)
	}
	return nil
}

// encodeOptions are the node's canonical encoding: it rejects any other
// bytes (auth.ErrNonCanonical).
var encodeOptions = proto.MarshalOptions{Deterministic: true}

// EncodeTx returns tx's canonical bytes, the only encoding the node accepts.
func EncodeTx(tx *authv1.Tx) ([]byte, error) {
	b, err := encodeOptions.Marshal(tx)
	if err != nil {
		return nil, fmt.Errorf("client: encode tx: %w", err)
	}
	return b, nil
}

// DecodeTx decodes transaction bytes and checks that they are canonical.
func DecodeTx(b []byte) (*authv1.Tx, error) {
	tx := new(authv1.Tx)
	// As the node decodes: unknown fields are dropped, so that bytes
	// carrying them fail the canonical comparison.
	if err := (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(b, tx); err != nil {
		return nil, fmt.Errorf("client: decode tx: %w", err)
	}
	again, err := encodeOptions.Marshal(tx)
	if err != nil || !bytes.Equal(again, b) {
		return nil, errors.New("client: decode tx: bytes are not the canonical encoding (the node would reject them)")
	}
	return tx, nil
}

// TxHash returns the transaction hash CometBFT indexes tx bytes under
// (SHA-256), as /tx?hash= expects.
func TxHash(txBytes []byte) []byte { return tmhash.Sum(txBytes) }

// SignTx signs body with key over domain in mode and returns the signed
// transaction and its canonical bytes. It is pure: body must be complete
// (chain id equal to domain.ChainID, signer equal to key's address, nonce,
// valid_until_height and message set) and is not modified. The signature is
// checked with auth.Signer.Verify before returning, as the node will.
func SignTx(domain auth.Domain, body *authv1.TxBody, key *ecdsa.PrivateKey, mode authv1.SignMode) (*authv1.Tx, []byte, error) {
	if body == nil || key == nil {
		return nil, nil, errors.New("client: SignTx: nil body or key")
	}
	if body.ChainId != domain.ChainID {
		return nil, nil, fmt.Errorf("client: SignTx: body is for chain %q, domain for %q", body.ChainId, domain.ChainID)
	}
	addr := crypto.PubkeyToAddress(key.PublicKey)
	if !bytes.Equal(body.Signer, addr[:]) {
		return nil, nil, fmt.Errorf("client: SignTx: body's signer is %x, the key's address is %s", body.Signer, addr.Hex())
	}
	if body.ValidUntilHeight == 0 {
		return nil, nil, errors.New("client: SignTx: valid_until_height is not set")
	}
	if body.Msg == nil {
		return nil, nil, errors.New("client: SignTx: no message (use SetMsg)")
	}
	signer := auth.NewSigner(domain)
	tx, err := signer.Sign(proto.Clone(body).(*authv1.TxBody), mode, key)
	if err != nil {
		return nil, nil, fmt.Errorf("client: SignTx: %w", err)
	}
	if _, err := signer.Verify(tx); err != nil {
		return nil, nil, fmt.Errorf("client: SignTx: own signature does not verify: %w", err)
	}
	b, err := EncodeTx(tx)
	if err != nil {
		return nil, nil, err
	}
	return tx, b, nil
}

// Cosign adds key's signature over tx's body, in mode, as tx's second
// signature (a wallet's second factor, or the key a message introduces)
// and returns the transaction and its canonical bytes. It is pure; tx is
// not modified. Both signatures are checked as the node will check them.
func Cosign(domain auth.Domain, tx *authv1.Tx, key *ecdsa.PrivateKey, mode authv1.SignMode) (*authv1.Tx, []byte, error) {
	if tx == nil || key == nil {
		return nil, nil, errors.New("client: Cosign: nil tx or key")
	}
	signer := auth.NewSigner(domain)
	out, err := signer.Cosign(tx, mode, key)
	if err != nil {
		return nil, nil, fmt.Errorf("client: Cosign: %w", err)
	}
	return withSecond(signer, out)
}

// AddSecondSignature sets sig, a 65-byte signature made elsewhere (a
// hardware key over the typed data of tx's body) in mode, as tx's second
// signature, and returns the transaction, its canonical bytes and the
// address that made sig, for the caller to check it is the key meant.
func AddSecondSignature(domain auth.Domain, tx *authv1.Tx, sig []byte, mode authv1.SignMode) (*authv1.Tx, []byte, common.Address, error) {
	out := proto.Clone(tx).(*authv1.Tx)
	out.SecondSignature, out.SecondSignMode = append([]byte(nil), sig...), mode
	if len(sig) == auth.SignatureLen && sig[64] >= 27 {
		out.SecondSignature[64] -= 27 // wallets' v is 27 or 28
	}
	signer := auth.NewSigner(domain)
	_, second, err := signer.Signers(out)
	if err != nil {
		return nil, nil, common.Address{}, fmt.Errorf("client: second signature: %w", err)
	}
	b, err := EncodeTx(out)
	return out, b, second, err
}

func withSecond(signer *auth.Signer, tx *authv1.Tx) (*authv1.Tx, []byte, error) {
	if _, _, err := signer.Signers(tx); err != nil {
		return nil, nil, fmt.Errorf("client: signatures do not verify: %w", err)
	}
	b, err := EncodeTx(tx)
	if err != nil {
		return nil, nil, err
	}
	return tx, b, nil
}

// TxOptions are BuildTx's choices; the zero value is usable.
type TxOptions struct {
	// Nonce is the signer's nonce; nil takes the node's pending nonce
	// (Account: the committed one plus the signer's transactions in that
	// node's mempool). Set it to sign offline, or when transactions go to
	// several nodes.
	Nonce *uint64
	// ValidFor is how many blocks past the latest height the transaction
	// stays valid (default DefaultValidFor). Ignored if ValidUntilHeight is
	// set.
	ValidFor uint64
	// ValidUntilHeight sets valid_until_height directly.
	ValidUntilHeight uint64
	// SignMode is EIP-712 (default) or EIP-191.
	SignMode authv1.SignMode
	// Cosigner, if set, adds its signature over the same digest as the
	// second signature, in SecondSignMode.
	Cosigner       *ecdsa.PrivateKey
	SecondSignMode authv1.SignMode
	// Timeout bounds Submit's wait for the commit (default
	// DefaultWaitTimeout).
	Timeout time.Duration
}

// BuildTx makes and signs a transaction of msg by key. One query
// (Account) gives the signer's nonce (opts.Nonce unless set), the latest
// height (valid_until_height is opts.ValidUntilHeight, or that height plus
// opts.ValidFor) and the signing domain (unless pinned, or read with a
// proof: WithDomain, WithVerifiedDomain). It returns the transaction and
// its canonical bytes, ready for Broadcast. An address that can sign
// nothing (no operator record, no wallet) fails with an error wrapping
// ErrNotFound.
func (c *Client) BuildTx(ctx context.Context, key *ecdsa.PrivateKey, msg Msg, opts TxOptions) (*authv1.Tx, []byte, error) {
	if key == nil {
		return nil, nil, errors.New("client: BuildTx: nil key")
	}
	body, err := c.Unsigned(ctx, crypto.PubkeyToAddress(key.PublicKey), msg, opts)
	if err != nil {
		return nil, nil, err
	}
	d := auth.Domain{ChainID: body.ChainId}
	c.mu.Lock()
	if c.domain != nil {
		d = *c.domain
	}
	c.mu.Unlock()
	tx, b, err := SignTx(d, body, key, opts.SignMode)
	if err != nil || opts.Cosigner == nil {
		return tx, b, err
	}
	return Cosign(d, tx, opts.Cosigner, opts.SecondSignMode)
}

// Unsigned fills a transaction body of msg by addr as BuildTx does, for
// signing elsewhere (an external wallet, with --print-typed-data).
func (c *Client) Unsigned(ctx context.Context, addr common.Address, msg Msg, opts TxOptions) (*authv1.TxBody, error) {
	body := new(authv1.TxBody)
	if err := SetMsg(body, msg); err != nil {
		return nil, err
	}
	acct, err := c.Account(ctx, addr)
	if err != nil {
		return nil, err
	}
	domain, err := c.accountDomain(ctx, acct)
	if err != nil {
		return nil, err
	}
	body.ChainId, body.Signer = domain.ChainID, addr.Bytes()
	switch {
	case opts.Nonce != nil:
		body.Nonce = *opts.Nonce
	case acct.Kind == "":
		return nil, fmt.Errorf(errNeitherAccountFmt, addr.Hex(), ErrNotFound)
	default:
		body.Nonce = max(acct.Nonce, acct.PendingNonce)
	}
	body.ValidUntilHeight = opts.ValidUntilHeight
	if body.ValidUntilHeight == 0 {
		validFor := opts.ValidFor
		if validFor == 0 {
			validFor = DefaultValidFor
		}
		body.ValidUntilHeight = uint64(acct.Height) + validFor
	}
	return body, nil
}

// TxResult is what the node reported about a transaction.
type TxResult struct {
	// Hash is the transaction hash, computed locally from its bytes.
	Hash []byte
	// Height is the block that committed it; 0 if only admitted to the
	// mempool (Broadcast).
	Height    int64
	Code      uint32
	Codespace string
	Log       string
	Events    []abci.Event
}

type txResultJSON struct {
	Hash      string       `json:"hash"`
	Height    int64        `json:"height"`
	Code      uint32       `json:"code"`
	Codespace string       `json:"codespace,omitempty"`
	Log       string       `json:"log,omitempty"`
	Events    []abci.Event `json:"events,omitempty"`
}

// MarshalJSON writes Hash as upper-case hex, as CometBFT does.
func (r TxResult) MarshalJSON() ([]byte, error) {
	return json.Marshal(txResultJSON{
		Hash: strings.ToUpper(hex.EncodeToString(r.Hash)), Height: r.Height,
		Code: r.Code, Codespace: r.Codespace, Log: r.Log, Events: r.Events,
	})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (r *TxResult) UnmarshalJSON(b []byte) error {
	var j txResultJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	h, err := hex.DecodeString(strings.TrimPrefix(strings.TrimPrefix(j.Hash, "0x"), "0X"))
	if err != nil {
		return fmt.Errorf("tx result hash: %w", err)
	}
	*r = TxResult{Hash: h, Height: j.Height, Code: j.Code, Codespace: j.Codespace, Log: j.Log, Events: j.Events}
	return nil
}

// Broadcast submits txBytes with broadcast_tx_sync and returns once the
// node's CheckTx answered. A rejection is a *TxError (Height 0); bytes the
// node already holds give an error wrapping ErrTxInMempool. Acceptance only
// means the node admitted the transaction to its mempool: use WaitForTx for
// the commit.
func (c *Client) Broadcast(ctx context.Context, txBytes []byte) (*TxResult, error) {
	hash := TxHash(txBytes)
	res, err := c.rpc.BroadcastTxSync(ctx, cmttypes.Tx(txBytes))
	if err != nil {
		if strings.Contains(err.Error(), "tx already exists in cache") {
			return &TxResult{Hash: hash}, fmt.Errorf("client: broadcast tx %X: %w", hash, ErrTxInMempool)
		}
		return nil, fmt.Errorf("client: broadcast tx %X to %s: %w", hash, c.url, err)
	}
	if res.Code != abci.CodeTypeOK {
		return nil, &TxError{Codespace: res.Codespace, Code: res.Code, Log: res.Log, Hash: hash}
	}
	return &TxResult{Hash: hash, Codespace: res.Codespace, Log: res.Log}, nil
}

// WaitForTx waits until the transaction with hash is committed, for at
// most timeout (DefaultWaitTimeout if timeout <= 0) or until ctx ends. It
// subscribes to the transaction's commit event on the node's WebSocket
// and asks /tx once, then again only as a backstop (every ten poll
// intervals); without a WebSocket it polls /tx every poll interval. A
// committed transaction that failed returns its result and a *TxError with
// its Height. Not finding it in time gives an error wrapping ErrTxTimeout:
// it may still be committed later. The backstop needs a node that indexes
// transactions ([tx_index] indexer = "kv"). The result is the node's word:
// to verify the transaction's effect, query the state it changed with
// Verified.
func (c *Client) WaitForTx(ctx context.Context, hash []byte, timeout time.Duration) (*TxResult, error) {
	if len(hash) != tmhash.Size {
		return nil, fmt.Errorf("client: wait for tx: hash must be %d bytes, got %d", tmhash.Size, len(hash))
	}
	w := c.watchTx(ctx, hash)
	defer w.close()
	return c.waitForTx(ctx, hash, timeout, 0, w)
}

// waitForTx is WaitForTx with the watch already made (nil: poll), that
// also gives up, with ErrTxExpired, once the chain is past validUntil (if
// not 0).
func (c *Client) waitForTx(ctx context.Context, hash []byte, timeout time.Duration, validUntil uint64, w *txWatch) (*TxResult, error) {
	if timeout <= 0 {
		timeout = DefaultWaitTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	interval := c.cfg.pollInterval
	if w != nil {
		interval *= backstopFactor
	}
	var lastErr error
	for pastExpiry := false; ; {
		res, err := c.lookupTx(ctx, hash)
		switch {
		case res != nil:
			return res, txOutcome(res)
		case errors.Is(err, errTxNotFound):
			lastErr = nil
		case errors.Is(err, errTxIndexOff) || errors.Is(err, errOtherTx):
			return nil, err
		default:
			lastErr = err // transient (connection) errors: keep trying
		}
		if pastExpiry {
			return nil, fmt.Errorf("client: tx %X: chain is past its valid_until_height %d: %w", hash, validUntil, ErrTxExpired)
		}
		if validUntil > 0 {
			if h, err := c.LatestHeight(ctx); err == nil && h > int64(validUntil) {
				pastExpiry = true // look once more: it may be in the last valid block
				continue
			}
		}
		select {
		case ev := <-w.eventChan():
			if res := txResultOfEvent(ev, hash); res != nil {
				return res, txOutcome(res)
			}
		case <-ctx.Done():
			if lastErr != nil {
				return nil, fmt.Errorf("client: tx %X not found committed within %s (last error: %v): %w", hash, timeout, lastErr, ErrTxTimeout)
			}
			return nil, fmt.Errorf("client: tx %X not found committed within %s; it may still be in the mempool, so wait again before re-sending it: %w", hash, timeout, ErrTxTimeout)
		case <-time.After(interval):
		}
	}
}

var (
	errTxNotFound = errors.New("not found")
	errTxIndexOff = errors.New("node does not index transactions")
	errOtherTx    = errors.New("node answered with another transaction")
)

// lookupTx asks /tx for the committed transaction hash: its result, or an
// error wrapping errTxNotFound, errTxIndexOff, errOtherTx or a transport
// error.
func (c *Client) lookupTx(ctx context.Context, hash []byte) (*TxResult, error) {
	r, err := c.rpc.Tx(ctx, hash, false)
	if err != nil {
		msg := err.Error()
		switch {
		case strings.Contains(msg, "indexing is disabled"):
			return nil, fmt.Errorf("client: wait for tx %X: %s: %w ([tx_index] indexer = \"null\"): use a node that does, or check the state the transaction changes", hash, c.url, errTxIndexOff)
		case strings.Contains(msg, "not found"):
			return nil, errTxNotFound
		}
		return nil, err
	}
	if !bytes.Equal(TxHash(r.Tx), hash) {
		return nil, fmt.Errorf("client: wait for tx %X: %s: %w (hash %X)", hash, c.url, errOtherTx, TxHash(r.Tx))
	}
	return &TxResult{
		Hash: hash, Height: r.Height, Code: r.TxResult.Code, Codespace: r.TxResult.Codespace,
		Log: r.TxResult.Log, Events: r.TxResult.Events,
	}, nil
}

// txOutcome is the *TxError of a committed transaction that failed, or nil.
func txOutcome(res *TxResult) error {
	if res.Code == abci.CodeTypeOK {
		return nil
	}
	return &TxError{Codespace: res.Codespace, Code: res.Code, Log: res.Log, Hash: res.Hash, Height: res.Height}
}

// BroadcastAndWait broadcasts txBytes and waits for the commit as
// WaitForTx does, subscribing before it broadcasts. If the node already
// holds the bytes it just waits. Once the chain passes the transaction's
// valid_until_height without committing it, it gives up with an error
// wrapping ErrTxExpired.
func (c *Client) BroadcastAndWait(ctx context.Context, txBytes []byte, timeout time.Duration) (*TxResult, error) {
	w := c.watchTx(ctx, TxHash(txBytes))
	defer w.close()
	res, err := c.Broadcast(ctx, txBytes)
	if err != nil && !errors.Is(err, ErrTxInMempool) {
		return nil, err
	}
	var validUntil uint64
	if tx, err := DecodeTx(txBytes); err == nil {
		validUntil = tx.GetBody().GetValidUntilHeight()
	}
	return c.waitForTx(ctx, res.Hash, timeout, validUntil, w)
}

// Submit builds and signs a transaction of msg by key (BuildTx) and
// broadcasts it; with wait it also waits for the commit (BroadcastAndWait,
// for at most opts.Timeout).
func (c *Client) Submit(ctx context.Context, key *ecdsa.PrivateKey, msg Msg, opts TxOptions, wait bool) (*TxResult, error) {
	_, b, err := c.BuildTx(ctx, key, msg, opts)
	if err != nil {
		return nil, err
	}
	if !wait {
		return c.Broadcast(ctx, b)
	}
	return c.BroadcastAndWait(ctx, b, opts.Timeout)
}
