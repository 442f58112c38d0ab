package app

import (
	"bytes"
	"crypto/sha256"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	"google.golang.org/protobuf/reflect/protoreflect"

	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/module"
)

// checkedTx is a transaction that passed, or failed, the checks that do not
// depend on state: size, decoding, canonical encoding, stateless message
// checks, chain id and signature.
type checkedTx struct {
	hash   [32]byte
	tx     *authv1.Tx
	signer common.Address
	// cosigner made the second signature (zero: none).
	cosigner common.Address
	// msg is the body's message, field the TxBody field carrying it, route
	// its registration.
	msg   proto.Message
	field protoreflect.FieldDescriptor
	route module.Registered[module.Msg]
	err   error
	// cached: the signers came from the signature cache.
	cached bool
}

var (
	decodeOptions = proto.UnmarshalOptions{DiscardUnknown: true}
	encodeOptions = proto.MarshalOptions{Deterministic: true}
)

// canonicalBuffers are the arrays decodeTx re-encodes transactions into,
// to compare with what was received and drop.
var canonicalBuffers = sync.Pool{New: func() any { return new([]byte) }}

// decodeTx applies the cheap checks to raw, in order: size, decoding,
// canonical re-encoding (which rejects unknown fields, fields out of order,
// non-minimal varints and explicit default values), stateless checks of
// the body and message, and the chain id.
func (a *App) decodeTx(raw []byte, maxBytes uint64, c *checkedTx) error {
	if uint64(len(raw)) > maxBytes {
		return errcode.Wrap(auth.ErrTxTooLarge, "%d bytes, limit %d", len(raw), maxBytes)
	}
	tx := new(authv1.Tx)
	if err := decodeOptions.Unmarshal(raw, tx); err != nil {
		return errcode.Wrap(auth.ErrTxDecode, "%v", err)
	}
	buf := canonicalBuffers.Get().(*[]byte)
	canonical, err := encodeOptions.MarshalAppend((*buf)[:0], tx)
	same := err == nil && bytes.Equal(canonical, raw)
	*buf = canonical[:0]
	canonicalBuffers.Put(buf)
	if !same {
		return auth.ErrNonCanonical
	}
	if err := a.validateBody(tx.Body, c); err != nil {
		return err
	}
	if tx.Body.ChainId != a.cfg.ChainID {
		return errcode.Wrap(auth.ErrWrongChainID, "tx is for %q, this is %q", tx.Body.ChainId, a.cfg.ChainID)
	}
	c.tx = tx
	return nil
}

// validateBody applies the stateless checks of the envelope and of the
// message (its registration's Validate), and finds its route.
func (a *App) validateBody(body *authv1.TxBody, c *checkedTx) error {
	if body == nil {
		return errcode.Wrap(auth.ErrInvalidTx, "no body")
	}
	if len(body.Signer) != common.AddressLength {
		return errcode.Wrap(auth.ErrInvalidTx, "signer must be a 20-byte address, got %d bytes", len(body.Signer))
	}
	if body.ValidUntilHeight == 0 {
		return errcode.Wrap(auth.ErrInvalidTx, "valid_until_height must be set")
	}
	msg, field := auth.MsgOf(body)
	if msg == nil {
		return errcode.Wrap(auth.ErrInvalidTx, "no message")
	}
	route, ok := a.msgs[field.Number()]
	if !ok {
		return errcode.Wrap(auth.ErrInvalidTx, "unknown message %s", field.Name())
	}
	if v := route.Item.Validate; v != nil {
		if err := v(msg); err != nil {
			return err
		}
	}
	c.msg, c.field, c.route = msg, field, route
	return nil
}

// checkTx decodes raw and verifies its signature, using the signature cache
// when it can and filling it when it verified: a mempool check, whose
// transaction a block is expected to carry later.
func (a *App) checkTx(raw []byte, p *module.ChainParams) checkedTx {
	c := a.verifyTx(raw, p)
	if c.err == nil && !c.cached {
		a.sigs.add(c.hash, signers{c.signer, c.cosigner})
	}
	return c
}

// verifyTx decodes raw and verifies its signature, using the signature
// cache when it can, and leaves the cache as it was.
func (a *App) verifyTx(raw []byte, p *module.ChainParams) checkedTx {
	c := checkedTx{hash: sha256.Sum256(raw)}
	c.err = a.decodeTx(raw, p.MaxTxBytes, &c)
	if c.err != nil {
		return c
	}
	if s, ok := a.sigs.get(c.hash); ok {
		c.signer, c.cosigner, c.cached = s.signer, s.cosigner, true
		return c
	}
	c.signer, c.cosigner, c.err = a.signer.Load().Signers(c.tx)
	return c
}

// checkBlockTx is checkTx for a block's transaction: when the app's
// mempool holds it, its check there (decoded, canonical, valid, signers
// recovered: all a function of the bytes and the chain id) is taken
// instead of decoding it again, after the one check that depends on the
// block's parameters, the size. A transaction verified here is not added
// to the signature cache: the block executes it once, and nothing checks
// it again (a copy sent later fails on its nonce), so an entry would only
// push out one the mempool's transactions need.
func (a *App) checkBlockTx(raw []byte, p *module.ChainParams) checkedTx {
	if a.pool != nil && uint64(len(raw)) <= p.MaxTxBytes {
		hash := sha256.Sum256(raw)
		a.checkMu.Lock()
		tx, ok := a.pool.Get(hash)
		a.checkMu.Unlock()
		if ok {
			return tx.Data
		}
	}
	return a.verifyTx(raw, p)
}

// checkedBlock is a block's transactions being checked in the background:
// At(i) waits for transaction i's result. Workers take transactions in
// index order, so the block can be executed in order while later
// signatures are still being recovered.
type checkedBlock struct {
	out  []checkedTx
	done []sync.WaitGroup
}

// At returns transaction i's result, waiting until it is ready.
func (b *checkedBlock) At(i int) *checkedTx {
	b.done[i].Wait()
	return &b.out[i]
}

// reset makes b ready for n transactions, reusing its memory: the last
// block's results must all have been read (At) by then.
func (b *checkedBlock) reset(n int) {
	if cap(b.out) < n {
		b.out, b.done = make([]checkedTx, n), make([]sync.WaitGroup, n)
	} else {
		b.out, b.done = b.out[:n], b.done[:n]
		clear(b.out)
	}
	for i := range b.done {
		b.done[i].Add(1)
	}
}

// checkAll starts checkTx over a block's transactions on the configured
// number of workers. Each result is written to its own index and read only
// after its Done, so results do not depend on scheduling. The block it
// returns is the last block's, reused: FinalizeBlock reads every result
// before it calls checkAll again.
//
// A worker yields its core after each transaction (runtime.Gosched), so
// that the executor, which runs the checked transactions in order and is
// made runnable by a Done, gets a core at once. Without it, with as many
// workers as cores, the workers kept every core through their signature
// recoveries (calls into C, which the Go scheduler takes a core back from
// only after a while) and the executor waited for one: a third of the
// block's time on 2 cores, and it then ran the block's last transactions
// alone with the other core idle (docs/performance.md).
func (a *App) checkAll(txs [][]byte, p *module.ChainParams) *checkedBlock {
	if a.checked == nil {
		a.checked = new(checkedBlock)
	}
	b := a.checked
	b.reset(len(txs))
	var next atomic.Int64
	for range min(max(a.cfg.Workers, 1), len(txs)) {
		// nolint:determinism: each result is written to its own index and published by its Done.
		go func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(txs) {
					return
				}
				b.out[i] = a.checkBlockTx(txs[i], p)
				b.done[i].Done()
				runtime.Gosched()
			}
		}()
	}
	return b
}
