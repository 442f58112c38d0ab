// Command ledgerd is the ledgerd node and its client: node commands (init,
// start), key management (keys) and client commands (tx, query) that work
// against any node over RPC.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}
