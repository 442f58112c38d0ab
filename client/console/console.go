// Package console is the server of the auditor console (ledgerd console):
// a web app embedded in the binary whose figures are verified in the
// browser by the WebAssembly build of package verifier (client/console/wasm,
// built by make into static/). The server only hands out files and relays
// read-only JSON-RPC calls to a node; it is not trusted by the page, and
// neither is the node.
package console

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"
	"time"
)

//go:embed static
var static embed.FS

// Files the page needs that make generates (not in the repository).
const (
	WasmFile     = "console.wasm"
	WasmExecFile = "wasm_exec.js"
)

// maxRelayBody bounds a relayed request and answer.
const (
	maxRelayRequest = 1 << 20
	maxRelayAnswer  = 64 << 20
)

// relayed are the JSON-RPC methods the relay passes on: reads only, so
// that the console cannot be used to submit transactions through a node
// that trusts it.
var relayed = map[string]bool{
	"status": true, "commit": true, "validators": true, "abci_query": true,
	"block": true, "block_results": true, "blockchain": true,
}

// Options configure a console server.
type Options struct {
	// Node is the RPC URL of the node the relay passes calls to.
	Node string
	// TrustHeight and TrustHash pin the root of trust the page starts
	// with (0 and "": the node's earliest header, trusted on first use and
	// shown as such). The page can change them.
	TrustHeight int64
	TrustHash   string
	// WasmDir, if set, serves console.wasm and wasm_exec.js from that
	// directory instead of the embedded ones.
	WasmDir string
}

// Handler serves the console: / the page, /static/ its files, /rpc the
// relay.
func Handler(o Options) (http.Handler, error) {
	if o.Node == "" {
		return nil, errors.New("console: no node RPC URL")
	}
	node := strings.Replace(strings.TrimRight(o.Node, "/"), "tcp://", "http://", 1)
	files, err := fs.Sub(static, "static")
	if err != nil {
		return nil, err
	}
	page, err := template.ParseFS(files, "index.html")
	if err != nil {
		return nil, err
	}
	cfg, err := json.Marshal(map[string]any{"trust_height": o.TrustHeight, "trust_hash": o.TrustHash})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := page.Execute(w, map[string]any{"Config": template.JS(cfg)}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	fileServer := http.FileServerFS(files)
	mux.HandleFunc("GET /static/{name}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if o.WasmDir != "" && (name == WasmFile || name == WasmExecFile) {
			http.ServeFile(w, r, filepath.Join(o.WasmDir, name))
			return
		}
		if _, err := fs.Stat(files, name); errors.Is(err, fs.ErrNotExist) && (name == WasmFile || name == WasmExecFile) {
			http.Error(w, "console: "+name+" is not in this build: build ledgerd with make (it compiles the verifier to WebAssembly first)", http.StatusNotFound)
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + name
		fileServer.ServeHTTP(w, r2)
	})
	hc := &http.Client{Timeout: time.Minute}
	mux.HandleFunc("POST /rpc", func(w http.ResponseWriter, r *http.Request) { relay(w, r, hc, node) })
	mux.HandleFunc("POST /rpc/", func(w http.ResponseWriter, r *http.Request) { relay(w, r, hc, node) })
	return mux, nil
}

// relay passes one read-only JSON-RPC call to the node and its answer
// back, unchanged.
func relay(w http.ResponseWriter, r *http.Request, hc *http.Client, node string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRelayRequest+1))
	if err != nil || len(body) > maxRelayRequest {
		http.Error(w, "console relay: request too large or unreadable", http.StatusBadRequest)
		return
	}
	var req struct {
		Method string `json:"method"`
	}
	if err := json.Unmarshal(body, &req); err != nil || !relayed[req.Method] {
		http.Error(w, fmt.Sprintf("console relay: only the read-only JSON-RPC methods are relayed, not %q", req.Method), http.StatusForbidden)
		return
	}
	out, err := http.NewRequestWithContext(r.Context(), http.MethodPost, node+"/", bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(out)
	if err != nil {
		http.Error(w, "console relay: "+err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, io.LimitReader(resp.Body, maxRelayAnswer))
}

// HasWasm reports whether this binary embeds the WebAssembly verifier.
func HasWasm() bool {
	_, err := fs.Stat(static, "static/"+WasmFile)
	return err == nil
}
