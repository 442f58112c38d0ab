package verifier

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	ics23 "github.com/cosmos/ics23/go"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/client/busy"
	"github.com/ledgerd/ledgerd/store/commitinfo"
)

// Mark says what a shown value was proven against: the state at Height,
// whose app hash is in the verified header at HeaderHeight with hash
// HeaderHash. Every verified figure the console shows carries one.
type Mark struct {
	Height       int64     `json:"height"`
	HeaderHeight int64     `json:"header_height"`
	HeaderHash   string    `json:"header_hash"`
	HeaderTime   time.Time `json:"header_time"`
}

// query is the part of an ABCI query answer the verifier reads. It is
// decoded with encoding/json (CometBFT's JSON decoder is several times
// slower, which a long history feels in the browser).
type query struct {
	Codespace string `json:"codespace"`
	Code      uint32 `json:"code"`
	Log       string `json:"log"`
	Value     []byte `json:"value"`
	ProofOps  *struct {
		Ops []struct {
			Type string `json:"type"`
			Key  []byte `json:"key"`
			Data []byte `json:"data"`
		} `json:"ops"`
	} `json:"proofOps"`
	Height int64 `json:"height,string"`
}

// proofOps are the answer's proof ops in CometBFT's type.
func (q *query) proofOps() *cmtcrypto.ProofOps {
	if q.ProofOps == nil {
		return nil
	}
	ops := &cmtcrypto.ProofOps{}
	for _, o := range q.ProofOps.Ops {
		ops.Ops = append(ops.Ops, cmtcrypto.ProofOp{Type: o.Type, Key: o.Key, Data: o.Data})
	}
	return ops
}

// abciQuery asks the node; the answer is the node's word. A refusal over
// the node's query budget (query/10) is retried as the Go client does
// (package busy).
func (v *Verifier) abciQuery(ctx context.Context, path string, data []byte, height int64, prove bool) (*query, error) {
	p := map[string]any{"path": path, "data": hex.EncodeToString(data), "prove": prove, "height": itoa(height)}
	var r struct {
		Response query `json:"response"`
	}
	for try := 0; ; try++ {
		r.Response = query{}
		if err := v.rpc.callStd(ctx, "abci_query", p, &r); err != nil {
			return nil, err
		}
		if !busy.Is(r.Response.Codespace, r.Response.Code) || !busy.Wait(ctx, try) {
			break
		}
	}
	if r.Response.Code != 0 {
		return nil, fmt.Errorf("query %s: the node refused (code %d): %s", path, r.Response.Code, r.Response.Log)
	}
	return &r.Response, nil
}

// Read reads key of storeName at height (0: the newest state whose app
// hash is in a header the node has, one below its latest) and proves it as
// package client's Verified does: the ICS23 proof ops against the app hash
// of the verified header at H+1. It returns the value (nil: proven absent)
// and its mark; a failed proof is an error wrapping ErrNotVerified.
func (v *Verifier) Read(ctx context.Context, storeName string, key []byte, height int64) ([]byte, Mark, error) {
	value, mark, _, err := v.read(ctx, storeName, key, height)
	return value, mark, err
}

// kv is a key of a store with its value.
type kv struct{ key, value []byte }

// read is Read that also returns, for a proven absence, the next key of
// the store after key with its value (nil at the end of the store),
// proven by the same proof.
func (v *Verifier) read(ctx context.Context, storeName string, key []byte, height int64) ([]byte, Mark, *kv, error) {
	if height == 0 {
		// The newest state whose app hash is in a header the node already
		// has: no waiting for the next block.
		latest, err := v.LatestHeight(ctx)
		if err != nil {
			return nil, Mark{}, nil, err
		}
		height = max(latest-1, 1)
	}
	path, data, err := v.signRead(ctx, storeName, "/store/"+storeName+"/key", key, height)
	if err != nil {
		return nil, Mark{}, nil, err
	}
	r, err := v.abciQuery(ctx, path, data, height, true)
	if err != nil {
		return nil, Mark{}, nil, err
	}
	h := r.Height
	if h <= 0 || (height > 0 && h != height) {
		return nil, Mark{}, nil, fmt.Errorf("store %s: asked for height %d, the node answered for %d: %w", storeName, height, h, ErrNotVerified)
	}
	ops := r.proofOps()
	if ops == nil || len(ops.Ops) == 0 {
		return nil, Mark{}, nil, fmt.Errorf("store %s key %X: the node sent no proof: %w", storeName, key, ErrNotVerified)
	}
	first := new(ics23.CommitmentProof)
	if err := first.Unmarshal(ops.Ops[0].Data); err != nil {
		return nil, Mark{}, nil, fmt.Errorf("store %s key %X: proof does not decode: %w: %v", storeName, key, ErrNotVerified, err)
	}
	var value []byte
	if first.GetExist() != nil {
		value = r.Value
		if value == nil {
			value = []byte{}
		}
	} else if len(r.Value) != 0 {
		return nil, Mark{}, nil, fmt.Errorf("store %s key %X: a value with a proof of absence: %w", storeName, key, ErrNotVerified)
	}
	if err := v.waitFor(ctx, h+1); err != nil {
		return nil, Mark{}, nil, err
	}
	sh, _, err := v.light.Header(ctx, h+1)
	if err != nil {
		return nil, Mark{}, nil, err
	}
	if value == nil {
		err = commitinfo.VerifyAbsence(sh.AppHash, storeName, key, ops.Ops)
	} else {
		err = commitinfo.VerifyValue(sh.AppHash, storeName, key, value, ops.Ops)
	}
	if err != nil {
		return nil, Mark{}, nil, fmt.Errorf("store %s key %X at height %d does not match the app hash of verified header %d: %w: %w",
			storeName, key, h, sh.Height, ErrNotVerified, err)
	}
	mark := Mark{Height: h, HeaderHeight: sh.Height, HeaderHash: fmt.Sprintf("%X", sh.Hash()), HeaderTime: sh.Time}
	var after *kv
	if np := first.GetNonexist(); np != nil && np.Right != nil {
		// commitinfo.VerifyAbsence checked the neighbours against the app
		// hash, and that they are adjacent.
		after = &kv{key: np.Right.Key, value: np.Right.Value}
	}
	return value, mark, after, nil
}

// ReadProto is Read decoding a present value into m; found is false for a
// proven absence.
func (v *Verifier) ReadProto(ctx context.Context, storeName string, key []byte, height int64, m proto.Message) (found bool, mark Mark, err error) {
	value, mark, err := v.Read(ctx, storeName, key, height)
	if err != nil || value == nil {
		return false, mark, err
	}
	if err := proto.Unmarshal(value, m); err != nil {
		return false, mark, fmt.Errorf("store %s key %X: the proven value does not decode as %T: %w", storeName, key, m, err)
	}
	return true, mark, nil
}

// LatestHeight is the node's latest height: its word.
func (v *Verifier) LatestHeight(ctx context.Context) (int64, error) {
	var st struct {
		SyncInfo struct {
			LatestBlockHeight int64 `json:"latest_block_height"`
		} `json:"sync_info"`
	}
	if err := v.rpc.call(ctx, "status", nil, &st); err != nil {
		return 0, err
	}
	return st.SyncInfo.LatestBlockHeight, nil
}

// waitFor waits (at most 15 s) until the node has the block at height.
func (v *Verifier) waitFor(ctx context.Context, height int64) error {
	deadline := time.Now().Add(15 * time.Second)
	for {
		latest, err := v.LatestHeight(ctx)
		if err == nil && latest >= height {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("header %d did not appear on the node within 15 s (last error: %v)", height, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Range proves every key of storeName that starts with prefix, at height,
// and that there is no other, as client.VerifiedRange does: a probe at the
// prefix, and after each key k a probe at k followed by a zero byte; each
// probe proves its key present, or absent together with the next key.
// It stops after limit keys with complete false.
func (v *Verifier) Range(ctx context.Context, storeName string, prefix []byte, height int64, limit int) (pairs []kv, mark Mark, complete bool, err error) {
	return v.rangeFrom(ctx, storeName, prefix, prefix, nil, height, limit)
}

// rangeFrom walks from the probe start the keys that start with prefix
// and, with end set, are before end.
func (v *Verifier) rangeFrom(ctx context.Context, storeName string, start, prefix, end []byte, height int64, limit int) (pairs []kv, mark Mark, complete bool, err error) {
	probe := append([]byte(nil), start...)
	for len(pairs) < limit {
		value, m, after, err := v.read(ctx, storeName, probe, height)
		if err != nil {
			return nil, Mark{}, false, err
		}
		mark, height = m, m.Height
		next := kv{key: probe, value: value}
		if value == nil {
			if after == nil {
				return pairs, mark, true, nil
			}
			if string(after.key) <= string(probe) {
				return nil, Mark{}, false, fmt.Errorf("store %s: the key after %X is proven to be %X, not greater: %w", storeName, probe, after.key, ErrNotVerified)
			}
			next = *after
		}
		if !strings.HasPrefix(string(next.key), string(prefix)) {
			return pairs, mark, true, nil
		}
		if end != nil && string(next.key) >= string(end) {
			return pairs, mark, true, nil
		}
		pairs = append(pairs, kv{key: append([]byte(nil), next.key...), value: append([]byte(nil), next.value...)})
		probe = append(append([]byte(nil), next.key...), 0)
	}
	return pairs, mark, false, nil
}
