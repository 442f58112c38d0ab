package benchrpc

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ledgerd/ledgerd/x/errcode"
)

// broadcaster sends broadcast_tx_sync requests over HTTP JSON-RPC, one
// request per call or several in one JSON-RPC batch. It writes the request
// bodies itself and decodes only the fields it needs, so that the client
// costs the machine as little as it can: the figure is meant to be the
// node's. Safe for concurrent use.
type broadcaster struct {
	url string
	hc  *http.Client
}

func newBroadcaster(rpcAddr string, conns int) *broadcaster {
	return &broadcaster{
		url: "http://" + strings.TrimPrefix(rpcAddr, "tcp://"),
		hc: &http.Client{Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 3 * time.Second}).DialContext,
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			DisableCompression:  true,
		}, Timeout: 30 * time.Second},
	}
}

// outcome is what the node answered for one transaction.
type outcome struct {
	// code and codespace are CheckTx's answer when the request reached the
	// app; rpcErr is the RPC error otherwise (mempool full, ...).
	code      uint32
	codespace string
	rpcErr    string
}

// accepted: CheckTx passed.
func (o outcome) accepted() bool { return o.rpcErr == "" && o.code == 0 }

// held: the node's mempool cache holds these bytes already (sent again).
func (o outcome) held() bool { return strings.Contains(o.rpcErr, "tx already exists in cache") }

// is reports whether CheckTx refused the transaction with err.
func (o outcome) is(err *errcode.Error) bool {
	return o.rpcErr == "" && o.codespace == err.Codespace && o.code == err.Code
}

// mempoolFull reports whether the node refused the transaction because
// its mempool was full or still rechecking after a block: worth sending
// again a moment later.
func (o outcome) mempoolFull() bool {
	return strings.Contains(o.rpcErr, "mempool is full") || strings.Contains(o.rpcErr, "mempool is still rechecking")
}

// reason names a refusal for the report: "codespace/code" (or "code N"
// without a codespace), or "rpc: ..." for an RPC error.
func (o outcome) reason() string {
	switch {
	case strings.Contains(o.rpcErr, "mempool is full"):
		return "rpc: mempool full"
	case strings.Contains(o.rpcErr, "mempool is still rechecking"):
		return "rpc: mempool rechecking"
	case o.rpcErr != "":
		if len(o.rpcErr) > 60 {
			return "rpc: " + o.rpcErr[:60]
		}
		return "rpc: " + o.rpcErr
	case o.codespace == "":
		return "code " + strconv.FormatUint(uint64(o.code), 10)
	}
	return o.codespace + "/" + strconv.FormatUint(uint64(o.code), 10)
}

type rpcResponse struct {
	ID     int `json:"id"`
	Result *struct {
		Code      uint32 `json:"code"`
		Codespace string `json:"codespace"`
	} `json:"result"`
	Error *struct {
		Message string `json:"message"`
		Data    string `json:"data"`
	} `json:"error"`
}

// send broadcasts txs with broadcast_tx_sync, in one HTTP request: a plain
// JSON-RPC request for one transaction, a JSON-RPC batch for more (the
// node runs a batch's requests in order). It returns each transaction's
// outcome, or an error if the request as a whole failed.
func (b *broadcaster) send(ctx context.Context, txs [][]byte) ([]outcome, error) {
	var body bytes.Buffer
	if len(txs) > 1 {
		body.WriteByte('[')
	}
	for i, tx := range txs {
		if i > 0 {
			body.WriteByte(',')
		}
		body.WriteString(`{"jsonrpc":"2.0","id":`)
		body.WriteString(strconv.Itoa(i))
		body.WriteString(`,"method":"broadcast_tx_sync","params":{"tx":"`)
		body.Write(base64.StdEncoding.AppendEncode(body.AvailableBuffer(), tx))
		body.WriteString(`"}}`)
	}
	if len(txs) > 1 {
		body.WriteByte(']')
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.url, &body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var rs []rpcResponse
	if len(txs) > 1 {
		err = json.Unmarshal(raw, &rs)
	} else {
		rs = make([]rpcResponse, 1)
		err = json.Unmarshal(raw, &rs[0])
	}
	if err != nil {
		return nil, fmt.Errorf("broadcast_tx_sync: HTTP %d, undecodable answer %.200q: %w", resp.StatusCode, raw, err)
	}
	out := make([]outcome, len(txs))
	seen := 0
	for _, r := range rs {
		if r.ID < 0 || r.ID >= len(txs) {
			return nil, fmt.Errorf("broadcast_tx_sync: answer for id %d of a batch of %d", r.ID, len(txs))
		}
		switch {
		case r.Error != nil:
			out[r.ID].rpcErr = r.Error.Data
			if out[r.ID].rpcErr == "" {
				out[r.ID].rpcErr = r.Error.Message
			}
		case r.Result != nil:
			out[r.ID].code, out[r.ID].codespace = r.Result.Code, r.Result.Codespace
		default:
			return nil, fmt.Errorf("broadcast_tx_sync: answer %d has neither result nor error: %.200q", r.ID, raw)
		}
		seen++
	}
	if seen != len(txs) {
		return nil, fmt.Errorf("broadcast_tx_sync: %d answers for %d transactions", seen, len(txs))
	}
	return out, nil
}
