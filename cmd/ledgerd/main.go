// Command ledgerd is the ledgerd node and its client: node commands (init,
// start), key management (keys) and client commands (tx, query) that work
// against any node over RPC.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/ledgerd/ledgerd/client"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		if outputJSON {
			printErrorJSON(err)
		} else {
			fmt.Fprintln(os.Stderr, "Error:", err)
		}
		os.Exit(1)
	}
}

// errorView is an error as --output json prints it, on stdout, so scripts
// can read the code of a rejected transaction or query.
type errorView struct {
	Error     string `json:"error"`
	Codespace string `json:"codespace,omitempty"`
	Code      uint32 `json:"code,omitempty"`
	TxHash    string `json:"tx_hash,omitempty"`
	Height    int64  `json:"height,omitempty"`
	NotFound  bool   `json:"not_found,omitempty"`
	Proven    bool   `json:"proven,omitempty"`
}

func printErrorJSON(err error) {
	v := errorView{Error: err.Error()}
	var txErr *client.TxError
	var qErr *client.QueryError
	var nf *client.NotFoundError
	switch {
	case errors.As(err, &txErr):
		v.Codespace, v.Code, v.Height = txErr.Codespace, txErr.Code, txErr.Height
		v.TxHash = fmt.Sprintf("%X", txErr.Hash)
	case errors.As(err, &qErr):
		v.Codespace, v.Code, v.Height = qErr.Codespace, qErr.Code, qErr.Height
	case errors.As(err, &nf):
		v.NotFound, v.Proven, v.Height = true, nf.Proven, nf.Height
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
