package app_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"testing"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/mempool"
	rpccore "github.com/cometbft/cometbft/rpc/core"
	rpctypes "github.com/cometbft/cometbft/rpc/jsonrpc/types"

	_ "github.com/ledgerd/ledgerd/app" // registers every module's errors
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/errcode"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/errors.md from the error registry")

// TestErrorsDoc keeps docs/errors.md equal to the registered errors, so that
// a new code cannot ship undocumented. Regenerate with
// go test ./app -run TestErrorsDoc -update-docs.
func TestErrorsDoc(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`# Error codes

Every rejected transaction or query carries a codespace and a code in its ABCI
result (` + "`codespace`, `code`" + `, and a readable ` + "`log`" + `). They are stable: clients
may branch on them. Code 0 is success; code 1 in any codespace is an internal
error (a bug, never the caller's fault). This file is generated from the code
(` + "`go test ./app -run TestErrorsDoc -update-docs`" + `) and a test keeps it current.

| codespace | code | meaning |
|---|---|---|
`)
	for _, e := range errcode.All() {
		if e.Codespace == "errcode-test" || e.Codespace == "errcode-dup" {
			continue
		}
		fmt.Fprintf(&b, "| %s | %d | %s |\n", e.Codespace, e.Code, e.Desc)
	}
	writeRefusals(t, &b)
	const path = "../docs/errors.md"
	if *updateDocs {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./app -run TestErrorsDoc -update-docs)", err)
	}
	if !bytes.Equal(have, b.Bytes()) {
		t.Fatalf("docs/errors.md is out of date with the registered errors: run go test ./app -run TestErrorsDoc -update-docs")
	}
}

// writeRefusals writes the section on what CometBFT refuses before the
// application sees a transaction. The texts are CometBFT's own (its error
// values, formatted with the defaults of the config.toml ledgerd init
// writes), so that they follow the pinned version.
func writeRefusals(t *testing.T, b *bytes.Buffer) {
	t.Helper()
	gomod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	cmtVersion := regexp.MustCompile(`(?m)^\s*github\.com/cometbft/cometbft (v\S+)`).FindSubmatch(gomod)
	if cmtVersion == nil {
		t.Fatal("go.mod: no github.com/cometbft/cometbft requirement")
	}
	cfg := cmtcfg.DefaultConfig()
	id := rpctypes.JSONRPCIntID(1)
	rpcError := func(r rpctypes.RPCResponse) string {
		j, err := json.Marshal(r.Error)
		if err != nil {
			t.Fatal(err)
		}
		return "`" + string(j) + "`"
	}
	// The JSON-RPC server wraps a body read error so
	// (rpc/jsonrpc/server/http_json_handler.go), without an id.
	bodyTooLarge := rpctypes.RPCInvalidRequestError(nil, fmt.Errorf("error reading request body: %w", &http.MaxBytesError{Limit: cfg.RPC.MaxBodyBytes}))
	// The handlers' errors become Internal error (-32603), their text the data.
	internal := func(err error) string { return rpcError(rpctypes.RPCInternalError(id, err)) }
	full := mempool.ErrMempoolIsFull{NumTxs: cfg.Mempool.Size, MaxTxs: cfg.Mempool.Size, TxsBytes: 2_500_000, MaxTxsBytes: cfg.Mempool.MaxTxsBytes}
	tooLarge := mempool.ErrTxTooLarge{Max: cfg.Mempool.MaxTxBytes, Actual: cfg.Mempool.MaxTxBytes + 1}
	// The largest transaction whose broadcast_tx_sync POST fits the body
	// limit: base64 makes 4 bytes of every 3.
	envelope := int64(len(`{"jsonrpc":"2.0","id":1,"method":"broadcast_tx_sync","params":{"tx":""}}`))
	maxPosted := (cfg.RPC.MaxBodyBytes - envelope) / 4 * 3
	code := func(e *errcode.Error) string { return fmt.Sprintf("`%s/%d`", e.Codespace, e.Code) }

	fmt.Fprintf(b, `
## Refusals before the application

A transaction sent to a node's RPC (`+"`broadcast_tx_sync`, `broadcast_tx_async`, `broadcast_tx_commit`"+`)
passes CometBFT's own checks before the application's CheckTx sees it. A refusal
there has no codespace and no code: the JSON-RPC answer has an `+"`error`"+` object
(`+"`code`, `message`, `data`"+`) instead of a `+"`result`"+`, and nothing reaches the
ledger or its mempool. CometBFT %s checks, in this order: the HTTP
request's size, whether the node is still catching up, whether the mempool is
full, the transaction's size, and whether the mempool's cache holds the same
bytes; only then does CheckTx run (where a transaction over the chain parameter
`+"`max_tx_bytes`"+`, default %d bytes, is %s). The figures below are the defaults
that `+"`ledgerd init`"+` writes to `+"`config.toml`"+`; an operator may change them.

| refusal | the client receives | what to do |
|---|---|---|
| request body over `+"`[rpc] max_body_bytes`"+` (%d bytes): a JSON-RPC POST carries the transaction in base64, a third larger than the transaction itself, so at the default any transaction over about %d bytes | HTTP 400, %s | nothing was submitted. Keep transactions within the chain's `+"`max_tx_bytes`"+` (a batch transfer of 1,000 legs is about 32 KiB); the chain parameter may be at most 1 MiB, more than this limit lets through, so a node serving such transactions needs a larger `+"`max_body_bytes`"+` |
| URI request (`+"`GET /broadcast_tx_sync?tx=0x...`"+`) over `+"`[rpc] max_header_bytes`"+` (%d bytes): the transaction in hex, twice its size | HTTP 431, `+"`431 Request Header Fields Too Large`"+` (Go's HTTP server; no JSON; the server may reset the connection before the client reads it) | send with a JSON-RPC POST instead |
| the node is catching up (block sync) | %s | wait until `+"`/status`"+` shows `+"`catching_up: false`"+`, or send to another node |
| mempool full: `+"`[mempool] size`"+` (%d transactions) or `+"`max_txs_bytes`"+` (%d bytes) reached | for example %s | not admitted, not cached: send the same bytes again after a block or two (back off); nothing is wrong with the transaction |
| mempool rechecking after a block, counted as full | %s | as for a full mempool |
| transaction over `+"`[mempool] max_tx_bytes`"+` (%d bytes) | for example %s | only reachable with a `+"`max_body_bytes`"+` above it: keep to the chain's `+"`max_tx_bytes`"+` |
| the same bytes again, while the node's cache holds them (`+"`[mempool] cache_size`"+`: the last %d transactions it received; those CheckTx refused or that failed in a block leave it, those committed stay) | %s | the node has the transaction already, pending or committed: do not sign it again with another nonce. Wait for it (`+"`/tx?hash=0x...`"+`, the hash being the SHA-256 of the bytes; `+"`ledgerd`"+`'s client gives `+"`client.ErrTxInMempool`"+`). Once out of the cache, the same bytes reach CheckTx and get %s (nonce too low) if committed. A transaction refused by CheckTx or failed in a block leaves the cache (`+"`keep-invalid-txs-in-cache = %t`"+`): it can be sent again once what refused it has changed |
`, cmtVersion[1], consortium.DefaultMaxTxBytes, code(auth.ErrTxTooLarge),
		cfg.RPC.MaxBodyBytes, maxPosted, rpcError(bodyTooLarge),
		cfg.RPC.MaxHeaderBytes,
		internal(rpccore.ErrEndpointClosedCatchingUp),
		cfg.Mempool.Size, cfg.Mempool.MaxTxsBytes, internal(full),
		internal(mempool.ErrRecheckFull),
		cfg.Mempool.MaxTxBytes, internal(tooLarge),
		cfg.Mempool.CacheSize, internal(mempool.ErrTxInCache), code(auth.ErrNonceTooLow), cfg.Mempool.KeepInvalidTxsInCache)
}
