package client

import (
	"context"
	"fmt"
	"time"

	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	cmttypes "github.com/cometbft/cometbft/types"
)

const (
	// maxTxWatches bounds the event subscriptions one Client holds at once
	// (CometBFT's default max_subscriptions_per_client is 5); waits beyond
	// it poll.
	maxTxWatches = 4
	// subscribeTimeout bounds the sending of a subscription request.
	subscribeTimeout = 2 * time.Second
	// wsRetryAfter is how long a Client that could not open the node's
	// WebSocket polls before it tries again.
	wsRetryAfter = 30 * time.Second
	// backstopFactor times the poll interval is how often a wait with a
	// subscription still asks /tx and /status: for an event lost in a
	// reconnection and for the transaction's expiry.
	backstopFactor = 10
)

// txWatch is a subscription to the commit event of one transaction
// (CometBFT's tm.event='Tx' AND tx.hash='…', over the node's WebSocket).
type txWatch struct {
	c      *Client
	query  string
	events <-chan ctypes.ResultEvent
}

// watchTx subscribes to the commit of the transaction hash. It returns
// nil, and the caller polls, when the node's WebSocket cannot be reached
// (a browser build, a proxy that does not pass it, a node down), when the
// Client already holds maxTxWatches subscriptions, or when hash is already
// watched. Release the watch with close.
func (c *Client) watchTx(ctx context.Context, hash []byte) *txWatch {
	query := fmt.Sprintf("tm.event='Tx' AND tx.hash='%X'", hash)
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.watches == nil {
		c.watches = map[string]bool{}
	}
	if len(c.watches) >= maxTxWatches || c.watches[query] || time.Now().Before(c.wsRetryAt) {
		return nil
	}
	if !c.rpc.IsRunning() {
		if err := c.rpc.Start(); err != nil {
			c.wsRetryAt = time.Now().Add(wsRetryAfter)
			return nil
		}
	}
	sctx, cancel := context.WithTimeout(ctx, subscribeTimeout)
	defer cancel()
	events, err := c.rpc.Subscribe(sctx, "ledgerd-client", query)
	if err != nil {
		c.wsRetryAt = time.Now().Add(wsRetryAfter)
		return nil
	}
	c.watches[query] = true
	return &txWatch{c: c, query: query, events: events}
}

// close unsubscribes. A nil watch is a no-op.
func (w *txWatch) close() {
	if w == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), subscribeTimeout)
	defer cancel()
	_ = w.c.rpc.Unsubscribe(ctx, "ledgerd-client", w.query) // the node drops it with the connection anyway
	w.c.wmu.Lock()
	delete(w.c.watches, w.query)
	w.c.wmu.Unlock()
}

// eventChan is the watch's event channel; nil (never ready) for a nil
// watch.
func (w *txWatch) eventChan() <-chan ctypes.ResultEvent {
	if w == nil {
		return nil
	}
	return w.events
}

// txResultOfEvent is the result a commit event carries, or nil if ev is
// not the commit of hash.
func txResultOfEvent(ev ctypes.ResultEvent, hash []byte) *TxResult {
	data, ok := ev.Data.(cmttypes.EventDataTx)
	if !ok || string(TxHash(data.Tx)) != string(hash) {
		return nil
	}
	r := data.Result
	return &TxResult{Hash: hash, Height: data.Height, Code: r.Code, Codespace: r.Codespace, Log: r.Log, Events: r.Events}
}

// stopEvents closes the WebSocket if it was opened.
func (c *Client) stopEvents() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if !c.rpc.IsRunning() {
		return nil
	}
	return c.rpc.Stop()
}
