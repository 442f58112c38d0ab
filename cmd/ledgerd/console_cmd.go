package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ledgerd/ledgerd/client/console"
)

// defaultConsoleAddr is where ledgerd console listens by default.
const defaultConsoleAddr = "127.0.0.1:26680"

func newConsoleCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "console",
		Short: "Serve the auditor console: a web app that verifies every figure in the browser",
		Long: `Serve the auditor console on --listen (default ` + defaultConsoleAddr + `): wallet, network and block
pages, each linkable by URL, in English and Chinese. The page runs ledgerd's
light-client and proof verification compiled to WebAssembly and talks to the
node at --node through this server, a relay it does not trust (read-only
JSON-RPC methods only): every figure shows the height and header hash it was
proven against, or a red "not verified" with the reason.

The root of trust is the node's earliest header on first use, shown as such;
pin it with --trust-height and --trust-hash (or in the page, or with
?trust_height=&trust_hash= in its URL) from a header another member gave you.
Everything is embedded in the binary; nothing is fetched from the internet.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			th, _ := cmd.Flags().GetInt64("trust-height")
			hash := strings.ToUpper(stringFlag(cmd, "trust-hash"))
			if th < 0 {
				return fmt.Errorf("--trust-height %d: must not be negative", th)
			}
			if b, err := hex.DecodeString(hash); (th > 0 || hash != "") && (err != nil || len(b) != 32 || th == 0) {
				return errors.New("--trust-height and --trust-hash go together: the height of a header and its 32-byte hex hash")
			}
			wasmDir := stringFlag(cmd, "wasm-dir")
			if wasmDir == "" && !console.HasWasm() {
				return errors.New("this ledgerd was built without the console's WebAssembly verifier: build it with make (or pass --wasm-dir)")
			}
			h, err := console.Handler(console.Options{Node: stringFlag(cmd, flagNode), TrustHeight: th, TrustHash: hash, WasmDir: wasmDir})
			if err != nil {
				return err
			}
			l, err := net.Listen("tcp", stringFlag(cmd, "listen"))
			if err != nil {
				return err
			}
			srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
			fmt.Fprintf(cmd.OutOrStdout(), "auditor console on http://%s/ (node %s); Ctrl-C stops it\n", l.Addr(), stringFlag(cmd, flagNode))
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			go func() {
				<-ctx.Done()
				sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = srv.Shutdown(sctx)
			}()
			if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.String("listen", defaultConsoleAddr, "address the console listens on")
	f.Int64("trust-height", 0, "height of a header you trust (with --trust-hash); default: trust the node's earliest header on first use")
	f.String("trust-hash", "", "hex hash of the header at --trust-height")
	f.String("wasm-dir", "", "serve console.wasm and wasm_exec.js from this directory instead of the embedded ones")
	return cmd
}
