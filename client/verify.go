package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	cmtbytes "github.com/cometbft/cometbft/libs/bytes"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	ics23 "github.com/cosmos/ics23/go"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/store/commitinfo"
)

// Proven is a value (or the absence of a key) proven against a header that
// the light client verified.
type Proven struct {
	// Store and Key are what was asked.
	Store string
	Key   []byte
	// Height is the height of the state the value was read from.
	Height int64
	// Value is the proven value; nil means the key is proven absent.
	Value []byte
	// AppHash is the app hash the proof was checked against, from the
	// verified header at HeaderHeight = Height+1.
	AppHash      []byte
	HeaderHeight int64
	HeaderHash   []byte
	HeaderTime   time.Time
	// ValidatorsHash is the hash of the validator set that signed the
	// header (its own, not the next).
	ValidatorsHash []byte
	// TrustNote is non-empty while the root of trust is a header accepted
	// on first use rather than given with WithTrust. Show it to the user.
	TrustNote string
	// Before and After are, for a proven absence, the keys of the store
	// just before and just after Key with their values (nil at either end
	// of the store), proven by the same proof: no key lies between them.
	// VerifiedRange walks a range with them.
	Before, After *KeyValue
}

// KeyValue is a key of a store and its value.
type KeyValue struct {
	Key   cmtbytes.HexBytes `json:"key"`
	Value cmtbytes.HexBytes `json:"value"`
}

// Present reports whether the value exists (rather than being proven
// absent).
func (p *Proven) Present() bool { return p.Value != nil }

type provenJSON struct {
	Store          string            `json:"store"`
	Key            cmtbytes.HexBytes `json:"key"`
	Height         int64             `json:"height"`
	Present        bool              `json:"present"`
	Value          cmtbytes.HexBytes `json:"value,omitempty"`
	AppHash        cmtbytes.HexBytes `json:"app_hash"`
	HeaderHeight   int64             `json:"header_height"`
	HeaderHash     cmtbytes.HexBytes `json:"header_hash"`
	HeaderTime     time.Time         `json:"header_time"`
	ValidatorsHash cmtbytes.HexBytes `json:"validators_hash"`
	TrustNote      string            `json:"trust_note,omitempty"`
	Before         *KeyValue         `json:"before,omitempty"`
	After          *KeyValue         `json:"after,omitempty"`
}

// MarshalJSON writes byte fields as upper-case hex.
func (p Proven) MarshalJSON() ([]byte, error) {
	return json.Marshal(provenJSON{
		Store: p.Store, Key: p.Key, Height: p.Height, Present: p.Value != nil, Value: p.Value,
		AppHash: p.AppHash, HeaderHeight: p.HeaderHeight, HeaderHash: p.HeaderHash,
		HeaderTime: p.HeaderTime, ValidatorsHash: p.ValidatorsHash, TrustNote: p.TrustNote, Before: p.Before, After: p.After,
	})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (p *Proven) UnmarshalJSON(b []byte) error {
	var j provenJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	var value []byte
	if j.Present {
		value = append([]byte{}, j.Value...)
	}
	*p = Proven{
		Store: j.Store, Key: j.Key, Height: j.Height, Value: value, AppHash: j.AppHash, HeaderHeight: j.HeaderHeight,
		HeaderHash: j.HeaderHash, HeaderTime: j.HeaderTime, ValidatorsHash: j.ValidatorsHash, TrustNote: j.TrustNote,
		Before: j.Before, After: j.After,
	}
	return nil
}

// VerifyProof checks that ops prove key = value in store storeName under
// appHash, or, if value is nil, that key is absent (a non-nil empty value
// is an empty value). appHash must come from a verified header: the one at
// height H+1 for state at height H. The error wraps ErrVerification and
// the commitinfo error that says which step failed.
func VerifyProof(appHash []byte, storeName string, key, value []byte, ops *cmtcrypto.ProofOps) error {
	if err := verifyProof(appHash, storeName, key, value, ops); err != nil {
		return fmt.Errorf("client: %w", err)
	}
	return nil
}

func verifyProof(appHash []byte, storeName string, key, value []byte, ops *cmtcrypto.ProofOps) error {
	if ops == nil {
		return fmt.Errorf("%w: no proof ops", ErrVerification)
	}
	var err error
	if value == nil {
		err = commitinfo.VerifyAbsence(appHash, storeName, key, ops.Ops)
	} else {
		err = commitinfo.VerifyValue(appHash, storeName, key, value, ops.Ops)
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrVerification, err)
	}
	return nil
}

// Verified reads key from store storeName at height (0 = latest) and
// proves the answer:
//
//  1. an ABCI query /store/<storeName>/key with a proof, answered at a
//     height H (the requested one, or the node's latest);
//  2. wait (at most WithHeaderTimeout) until the node has the header at
//     H+1, which carries the app hash of the state at H;
//  3. verify that header with CometBFT's light client, from the root of
//     trust (see WithTrust and Proven.TrustNote) by skipping verification,
//     cross-checked with the witnesses;
//  4. check the proof ops (ics23:iavl, then ics23:simple) against the
//     header's app hash, as a value or as an absence.
//
// An answer that fails step 3 or 4 is an error wrapping ErrVerification
// and must not be used; a missing or expired root of trust wraps ErrTrust.
// A query the node refuses is a *QueryError.
func (c *Client) Verified(ctx context.Context, storeName string, key []byte, height int64) (*Proven, error) {
	if storeName == "" || len(key) == 0 {
		return nil, errors.New("client: verified query: store name and key must be set")
	}
	if height < 0 {
		return nil, fmt.Errorf("client: verified query: negative height %d", height)
	}
	path := StorePath(storeName)
	r, err := c.abciQuery(ctx, path, key, height, true)
	if err != nil {
		return nil, err
	}
	h := r.Height
	if h <= 0 || (height > 0 && h != height) {
		return nil, fmt.Errorf("client: verified query %s: asked for height %d, %s answered for height %d", path, height, c.url, h)
	}
	if r.ProofOps == nil || len(r.ProofOps.Ops) == 0 {
		return nil, fmt.Errorf("client: verified query %s key %X at height %d: %s returned no proof: %w", path, key, h, c.url, ErrVerification)
	}
	// Whether the proof is of presence or absence decides how the value is
	// read, so that an empty value is told from a missing one.
	first := new(ics23.CommitmentProof)
	if err := first.Unmarshal(r.ProofOps.Ops[0].Data); err != nil {
		return nil, fmt.Errorf("client: verified query %s key %X at height %d: first proof op does not decode: %w: %v", path, key, h, ErrVerification, err)
	}
	var value []byte
	if first.GetExist() != nil {
		value = r.Value
		if value == nil {
			value = []byte{}
		}
	} else if len(r.Value) != 0 {
		return nil, fmt.Errorf("client: verified query %s key %X at height %d: %s returned a value with a proof of absence: %w", path, key, h, c.url, ErrVerification)
	}

	if err := c.waitForHeight(ctx, h+1); err != nil {
		return nil, err
	}
	hdr, note, err := c.verifyHeader(ctx, h+1)
	if err != nil {
		return nil, err
	}
	if err := verifyProof(hdr.AppHash, storeName, key, value, r.ProofOps); err != nil {
		return nil, fmt.Errorf("client: the answer of %s for store %q key %X at height %d does not match the app hash of verified header %d; do not use it: %w",
			c.url, storeName, key, h, hdr.Height, err)
	}
	proven := &Proven{
		Store: storeName, Key: append([]byte(nil), key...), Height: h, Value: value,
		AppHash: hdr.AppHash, HeaderHeight: hdr.Height, HeaderHash: hdr.Hash(), HeaderTime: hdr.Time,
		ValidatorsHash: hdr.ValidatorsHash, TrustNote: note,
	}
	if np := first.GetNonexist(); np != nil {
		// verifyProof checked the neighbours against the app hash, and
		// that they are adjacent.
		if np.Left != nil {
			proven.Before = &KeyValue{Key: np.Left.Key, Value: np.Left.Value}
		}
		if np.Right != nil {
			proven.After = &KeyValue{Key: np.Right.Key, Value: np.Right.Value}
		}
	}
	return proven, nil
}

// waitForHeight waits until the node's latest block is at least h.
func (c *Client) waitForHeight(ctx context.Context, h int64) error {
	wctx, cancel := context.WithTimeout(ctx, c.cfg.headerTimeout)
	defer cancel()
	var lastErr error
	for {
		latest, err := c.LatestHeight(wctx)
		if err == nil && latest >= h {
			return nil
		}
		lastErr = err
		select {
		case <-wctx.Done():
			if ctx.Err() != nil {
				return fmt.Errorf("client: waiting for header %d: %w", h, ctx.Err())
			}
			msg := fmt.Sprintf("client: header %d, which carries the app hash of height %d, did not appear on %s within %s: "+
				"the chain may be halted or make blocks only for transactions (create_empty_blocks = false); retry later or query an older height",
				h, h-1, c.url, c.cfg.headerTimeout)
			if lastErr != nil {
				msg += fmt.Sprintf(" (last error: %v)", lastErr)
			}
			return errors.New(msg)
		case <-time.After(c.cfg.pollInterval):
		}
	}
}

// VerifiedRecord reads key from storeName at height (0 = latest) with
// Verified and decodes the proven value into m. A proven absence returns the
// proof and a *NotFoundError naming what (with Proven set); a proven value
// that does not decode as m returns the proof and an error saying so. Other
// failures are Verified's.
func (c *Client) VerifiedRecord(ctx context.Context, storeName string, key []byte, height int64, what string, m proto.Message) (*Proven, error) {
	p, err := c.Verified(ctx, storeName, key, height)
	if err != nil {
		return nil, err
	}
	if p.Value == nil {
		return p, &NotFoundError{What: what, Store: storeName, Key: key, Proven: true, Height: p.Height}
	}
	if err := proto.Unmarshal(p.Value, m); err != nil {
		return p, fmt.Errorf("client: %s: proven record does not decode as %T: %w", what, m, err)
	}
	return p, nil
}
