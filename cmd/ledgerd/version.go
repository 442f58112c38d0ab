package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Set at build time: -ldflags "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = "unknown"
)

type versionInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	CometBFT  string `json:"cometbft"`
	Secp256k1 string `json:"secp256k1"`
	Go        string `json:"go"`
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the ledgerd and CometBFT versions and the linked secp256k1 backend",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := versionInfo{version, commit, cometBFTVersion(), secp256k1Backend, runtime.Version()}
			return printResult(cmd, v, func(w io.Writer) {
				fmt.Fprintf(w, "ledgerd %s (commit %s)\nCometBFT %s\nsecp256k1: %s\n%s\n",
					v.Version, v.Commit, v.CometBFT, v.Secp256k1, v.Go)
			})
		},
	}
}

// cometBFTVersion is the linked CometBFT module's version, from the build
// information (CometBFT's own version constant lags its releases).
func cometBFTVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/cometbft/cometbft" {
				if d.Replace != nil {
					return d.Replace.Version
				}
				return d.Version
			}
		}
	}
	return "unknown"
}
