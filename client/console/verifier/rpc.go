package verifier

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	cmtjson "github.com/cometbft/cometbft/libs/json"
)

// maxAnswer bounds the size of one RPC answer the verifier reads.
const maxAnswer = 64 << 20

// RPC calls a CometBFT node's JSON-RPC over HTTP POST. Nothing it returns is
// trusted: the Light verifier checks what it uses.
type RPC struct {
	// Base is the RPC's URL, for example http://127.0.0.1:26657 or the
	// console's relay, /rpc.
	Base string
	HTTP *http.Client
}

// rpcError is a JSON-RPC error.
type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    string `json:"data"`
}

// call runs method with params and decodes the result into out with
// CometBFT's JSON encoding (int64 as strings, amino-style types).
// Integers in params go as decimal strings, as CometBFT's JSON has them.
func (r *RPC) call(ctx context.Context, method string, params map[string]any, out any) error {
	return r.do(ctx, method, params, out, cmtjson.Unmarshal)
}

// callStd is call decoding the result with encoding/json, for results
// without CometBFT's own types.
func (r *RPC) callStd(ctx context.Context, method string, params map[string]any, out any) error {
	return r.do(ctx, method, params, out, json.Unmarshal)
}

func (r *RPC) do(ctx context.Context, method string, params map[string]any, out any, decode func([]byte, any) error) error {
	if params == nil {
		params = map[string]any{}
	}
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(r.Base, "/")+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	hc := r.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("rpc %s: %w", method, err)
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("rpc %s: %w", method, err)
	}
	var env struct {
		Result json.RawMessage `json:"result"`
		Error  *rpcError       `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("rpc %s: answer is not JSON-RPC (HTTP %d): %w", method, resp.StatusCode, err)
	}
	if env.Error != nil {
		return fmt.Errorf("rpc %s: %s %s", method, env.Error.Message, env.Error.Data)
	}
	if err := decode(env.Result, out); err != nil {
		return fmt.Errorf("rpc %s: result does not decode: %w", method, err)
	}
	return nil
}

// itoa is an integer parameter.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
