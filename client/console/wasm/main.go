//go:build js && wasm

// Command wasm is the auditor console's verifier in the browser: built
// with GOOS=js GOARCH=wasm (make builds it into client/console/static), it
// puts an object "ledgerd" on the page whose methods return Promises of
// JSON views (package verifier) of what they proved:
//
//	ledgerd.connect(rpcURL, trustHeight, trustHashHex) -> {chain_id, root}
//	ledgerd.wallet(address)                            -> WalletView
//	ledgerd.historyPage(address, page)                 -> HistoryPage
//	ledgerd.network()                                  -> NetworkView
//	ledgerd.bank()                                     -> BankView
//	ledgerd.supplyHistory(span)                        -> SupplySeries
//	ledgerd.gov()                                      -> GovView
//	ledgerd.aml()                                      -> AMLView
//	ledgerd.amlIndex(kind, by, value, after)           -> AMLIndexView
//	ledgerd.block(height)                              -> BlockView
//	ledgerd.setKey(key, passphrase)                    -> {reader}
//	ledgerd.credit(address)                            -> CreditView
//	ledgerd.collectionCase(id)                         -> CaseView
//
// setKey loads the key that signs reads of the private credit and
// collection stores: hex,
// or a keystore JSON file with its passphrase ("" unloads it). It is held in this WebAssembly instance's memory only and
// never sent: only the signatures of reads leave the page.
//
// A Promise rejects with the reason when the node cannot be reached or
// the root of trust is refused; a view's sections carry their own
// verification failures.
package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"syscall/js"
	"time"

	"github.com/ledgerd/ledgerd/client/console/verifier"
)

// callTimeout bounds one call from the page.
const callTimeout = 2 * time.Minute

var (
	mu sync.Mutex
	v  *verifier.Verifier
)

func main() {
	api := js.Global().Get("Object").New()
	api.Set("connect", promise(func(ctx context.Context, args []js.Value) (any, error) {
		if len(args) < 3 {
			return nil, errors.New("connect(rpcURL, trustHeight, trustHash)")
		}
		height, err := strconv.ParseInt(args[1].String(), 10, 64)
		if args[1].String() == "" {
			height, err = 0, nil
		}
		if err != nil || height < 0 {
			return nil, errors.New("the trust height must be a height (or empty to trust on first use)")
		}
		hash, err := hex.DecodeString(args[2].String())
		if err != nil || (height > 0 && len(hash) != 32) {
			return nil, errors.New("the trust hash must be 64 hex digits, given with the trust height")
		}
		nv, err := verifier.New(ctx, args[0].String(), height, hash, time.Now)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		v = nv
		mu.Unlock()
		return map[string]any{"chain_id": nv.ChainID(), "root": nv.Root()}, nil
	}))
	api.Set("wallet", promise(func(ctx context.Context, args []js.Value) (any, error) {
		c, err := connected()
		if err != nil || len(args) < 1 {
			return nil, errors.Join(err, errors.New("wallet(address)"))
		}
		return c.Wallet(ctx, args[0].String())
	}))
	api.Set("historyPage", promise(func(ctx context.Context, args []js.Value) (any, error) {
		c, err := connected()
		if err != nil || len(args) < 2 {
			return nil, errors.Join(err, errors.New("historyPage(address, page)"))
		}
		return c.HistoryPage(args[0].String(), args[1].Int())
	}))
	api.Set("network", promise(func(ctx context.Context, _ []js.Value) (any, error) {
		c, err := connected()
		if err != nil {
			return nil, err
		}
		return c.Network(ctx)
	}))
	api.Set("bank", promise(func(ctx context.Context, _ []js.Value) (any, error) {
		c, err := connected()
		if err != nil {
			return nil, err
		}
		return c.Bank(ctx)
	}))
	api.Set("supplyHistory", promise(func(ctx context.Context, args []js.Value) (any, error) {
		c, err := connected()
		if err != nil || len(args) < 1 {
			return nil, errors.Join(err, errors.New("supplyHistory(span)"))
		}
		span, err := strconv.ParseInt(args[0].String(), 10, 64)
		if err != nil {
			return nil, errors.New("the span must be a number of blocks")
		}
		return c.SupplyHistory(ctx, span)
	}))
	api.Set("gov", promise(func(ctx context.Context, _ []js.Value) (any, error) {
		c, err := connected()
		if err != nil {
			return nil, err
		}
		return c.Gov(ctx)
	}))
	api.Set("aml", promise(func(ctx context.Context, _ []js.Value) (any, error) {
		c, err := connected()
		if err != nil {
			return nil, err
		}
		return c.AML(ctx)
	}))
	api.Set("amlIndex", promise(func(ctx context.Context, args []js.Value) (any, error) {
		c, err := connected()
		if err != nil || len(args) < 4 {
			return nil, errors.Join(err, errors.New("amlIndex(kind, by, value, after)"))
		}
		after, err := strconv.ParseUint(args[3].String(), 10, 64)
		if err != nil {
			return nil, errors.New("after must be a record id")
		}
		return c.AMLIndex(ctx, args[0].String(), args[1].String(), args[2].String(), after)
	}))
	api.Set("block", promise(func(ctx context.Context, args []js.Value) (any, error) {
		c, err := connected()
		if err != nil || len(args) < 1 {
			return nil, errors.Join(err, errors.New("block(height)"))
		}
		h, err := strconv.ParseInt(args[0].String(), 10, 64)
		if err != nil || h < 1 {
			return nil, errors.New("the block height must be a positive number")
		}
		return c.Block(ctx, h)
	}))
	api.Set("setKey", promise(func(ctx context.Context, args []js.Value) (any, error) {
		c, err := connected()
		if err != nil || len(args) < 2 {
			return nil, errors.Join(err, errors.New("setKey(key, passphrase)"))
		}
		addr, err := c.SetReader(args[0].String(), args[1].String())
		if err != nil {
			return nil, err
		}
		return map[string]any{"reader": addr}, nil
	}))
	api.Set("credit", promise(func(ctx context.Context, args []js.Value) (any, error) {
		c, err := connected()
		if err != nil || len(args) < 1 {
			return nil, errors.Join(err, errors.New("credit(address)"))
		}
		return c.Credit(ctx, args[0].String())
	}))
	api.Set("collectionCase", promise(func(ctx context.Context, args []js.Value) (any, error) {
		c, err := connected()
		if err != nil || len(args) < 1 {
			return nil, errors.Join(err, errors.New("collectionCase(id)"))
		}
		return c.Case(ctx, args[0].String())
	}))
	js.Global().Set("ledgerd", api)
	js.Global().Call("dispatchEvent", js.Global().Get("Event").New("ledgerd-ready"))
	select {}
}

func connected() (*verifier.Verifier, error) {
	mu.Lock()
	defer mu.Unlock()
	if v == nil {
		return nil, errors.New("not connected: call connect first")
	}
	return v, nil
}

// promise wraps fn as a JavaScript function returning a Promise of fn's
// result as JSON text; fn runs on its own goroutine, since it blocks on
// fetch.
func promise(fn func(context.Context, []js.Value) (any, error)) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) any {
		args = append([]js.Value(nil), args...)
		return js.Global().Get("Promise").New(js.FuncOf(func(_ js.Value, pr []js.Value) any {
			resolve, reject := pr[0], pr[1]
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
				defer cancel()
				out, err := fn(ctx, args)
				if err == nil {
					var b []byte
					if b, err = json.Marshal(out); err == nil {
						resolve.Invoke(string(b))
						return
					}
				}
				reject.Invoke(err.Error())
			}()
			return nil
		}))
	})
}
