package load

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

	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// Broadcaster sends broadcast_tx_sync requests over HTTP JSON-RPC, one
// request per call or several in one JSON-RPC batch. It writes the request
// bodies itself and decodes only the fields it needs, so that a load
// generator costs the machine as little as it can: its figures are meant
// to be the node's. Safe for concurrent use.
type Broadcaster struct {
	url string
	hc  *http.Client
}

// NewBroadcaster returns a Broadcaster to the node at rpcAddr
// ("tcp://host:port" or "http://host:port"), keeping up to conns idle
// connections.
func NewBroadcaster(rpcAddr string, conns int) *Broadcaster {
	return &Broadcaster{url: httpURL(rpcAddr), hc: newHTTPClient(conns, 30*time.Second)}
}

// httpURL turns a CometBFT RPC address into an http:// URL.
func httpURL(rpcAddr string) string {
	if rest, ok := strings.CutPrefix(rpcAddr, "tcp://"); ok {
		return "http://" + rest
	}
	if !strings.Contains(rpcAddr, "://") {
		return "http://" + rpcAddr
	}
	return rpcAddr
}

// newHTTPClient is an HTTP client for many goroutines sharing
// connections to a few nodes.
func newHTTPClient(conns int, timeout time.Duration) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 3 * time.Second}).DialContext,
		MaxIdleConns:        2 * conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
	}, Timeout: timeout}
}

// Outcome is what the node answered for one transaction.
type Outcome struct {
	// Code and Codespace are CheckTx's answer when the request reached the
	// app; RPCError is the RPC error otherwise (mempool full, ...).
	Code      uint32
	Codespace string
	RPCError  string
}

// Accepted reports whether CheckTx passed.
func (o Outcome) Accepted() bool { return o.RPCError == "" && o.Code == 0 }

// Held reports whether the node holds these bytes already (sent again):
// CometBFT's flood mempool cache says "tx already exists in cache", its app
// mempool "tx already seen" (it remembers an admitted transaction, and a
// refused one for mempool.check_tx_retry_delay), and the app's own mempool
// auth/22.
func (o Outcome) Held() bool {
	return strings.Contains(o.RPCError, "tx already exists in cache") || strings.Contains(o.RPCError, "tx already seen") ||
		o.Is(auth.ErrAlreadyPending)
}

// Is reports whether CheckTx refused the transaction with err.
func (o Outcome) Is(err *errcode.Error) bool {
	return o.RPCError == "" && o.Codespace == err.Codespace && o.Code == err.Code
}

// MempoolFull reports whether the node refused the transaction because
// its mempool was full or still rechecking after a block: worth sending
// again a moment later.
func (o Outcome) MempoolFull() bool {
	return strings.Contains(o.RPCError, "mempool is full") || strings.Contains(o.RPCError, "mempool is still rechecking") ||
		o.Is(auth.ErrMempoolFull)
}

// Reason names a refusal for reports: "codespace/code" (or "code N"
// without a codespace), or "rpc: mempool full", "rpc: mempool
// rechecking", "rpc: ..." for other RPC errors.
func (o Outcome) Reason() string {
	switch {
	case strings.Contains(o.RPCError, "mempool is full"):
		return "rpc: mempool full"
	case strings.Contains(o.RPCError, "mempool is still rechecking"):
		return "rpc: mempool rechecking"
	case o.RPCError != "":
		if len(o.RPCError) > 60 {
			return "rpc: " + o.RPCError[:60]
		}
		return "rpc: " + o.RPCError
	case o.Codespace == "":
		return "code " + strconv.FormatUint(uint64(o.Code), 10)
	}
	return o.Codespace + "/" + strconv.FormatUint(uint64(o.Code), 10)
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

// Send broadcasts txs with broadcast_tx_sync, in one HTTP request: a plain
// JSON-RPC request for one transaction, a JSON-RPC batch for more (the
// node runs a batch's requests in order). It returns each transaction's
// outcome, or an error if the request as a whole failed (the node may have
// admitted some of txs).
func (b *Broadcaster) Send(ctx context.Context, txs [][]byte) ([]Outcome, error) {
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
	out := make([]Outcome, len(txs))
	seen := 0
	for _, r := range rs {
		if r.ID < 0 || r.ID >= len(txs) {
			return nil, fmt.Errorf("broadcast_tx_sync: answer for id %d of a batch of %d", r.ID, len(txs))
		}
		switch {
		case r.Error != nil:
			out[r.ID].RPCError = r.Error.Data
			if out[r.ID].RPCError == "" {
				out[r.ID].RPCError = r.Error.Message
			}
		case r.Result != nil:
			out[r.ID].Code, out[r.ID].Codespace = r.Result.Code, r.Result.Codespace
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

// batcher sends transactions that many goroutines submit one at a time to
// one node, over a few connections: each of its senders takes the next
// transaction and whatever else is queued by then, up to max, and sends
// them as one JSON-RPC batch. Under light load a transaction goes alone
// and waits for nothing; under heavy load the node gets fewer, fuller
// requests and the generator makes fewer of them. A goroutine's own
// transactions stay in the order it submitted them, since it waits for
// each answer. Safe for concurrent use.
type batcher struct {
	b    *Broadcaster
	max  int
	reqs chan *sendReq
}

type sendReq struct {
	tx   []byte
	done chan sendResult
}

type sendResult struct {
	o   Outcome
	err error
}

// newBatcher starts senders goroutines sending to b until ctx ends.
func newBatcher(ctx context.Context, b *Broadcaster, senders, max int) *batcher {
	q := &batcher{b: b, max: max, reqs: make(chan *sendReq)}
	for range senders {
		go q.loop(ctx)
	}
	return q
}

// send broadcasts tx and returns the node's answer.
func (q *batcher) send(ctx context.Context, tx []byte) (Outcome, error) {
	r := &sendReq{tx: tx, done: make(chan sendResult, 1)}
	select {
	case q.reqs <- r:
	case <-ctx.Done():
		return Outcome{}, ctx.Err()
	}
	select {
	case res := <-r.done:
		return res.o, res.err
	case <-ctx.Done():
		return Outcome{}, ctx.Err()
	}
}

func (q *batcher) loop(ctx context.Context) {
	batch := make([]*sendReq, 0, q.max)
	txs := make([][]byte, 0, q.max)
	for {
		batch, txs = batch[:0], txs[:0]
		select {
		case r := <-q.reqs:
			batch = append(batch, r)
		case <-ctx.Done():
			return
		}
	more:
		for len(batch) < q.max {
			select {
			case r := <-q.reqs:
				batch = append(batch, r)
			default:
				break more
			}
		}
		for _, r := range batch {
			txs = append(txs, r.tx)
		}
		outs, err := q.b.Send(ctx, txs)
		for i, r := range batch {
			if err != nil {
				r.done <- sendResult{err: err}
			} else {
				r.done <- sendResult{o: outs[i]}
			}
		}
	}
}
