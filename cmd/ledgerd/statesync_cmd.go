package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/ledgerd/ledgerd/node"
)

func newStateSyncCmd() *cobra.Command {
	var o node.StateSyncOptions
	cmd := &cobra.Command{
		Use:   "statesync",
		Short: "Configure a new node to join by state sync (config.toml's [statesync])",
		Long: `statesync sets up a new node (after init and the network's genesis.json are
in place, before its first start) to join from a recent snapshot instead of
replaying every block: it turns on [statesync] in config.toml with the RPC
servers the light client checks headers against, and the root of trust.

Give --trust-height and --trust-hash from a source you trust (another member,
out of band). Without them, the newest block all --rpc-servers agree on is
taken, which trusts those servers. See docs/operations.md, State sync.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			res, err := node.ConfigureStateSync(cmd.Context(), home(cmd), o)
			if err != nil {
				return err
			}
			return printResult(cmd, res, func(w io.Writer) {
				fmt.Fprintf(w, "state sync on: trust height %d, hash %s, period %s, rpc servers %v\n",
					res.TrustHeight, res.TrustHash, res.TrustPeriod, res.RPCServers)
			})
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.RPCServers, "rpc-servers", nil, "two or more RPC addresses of the network's nodes (tcp://host:26657)")
	f.Int64Var(&o.TrustHeight, "trust-height", 0, "height of the trusted block (default: the newest the servers agree on)")
	f.StringVar(&o.TrustHash, "trust-hash", "", "hash of the trusted block, hex")
	f.DurationVar(&o.TrustPeriod, "trust-period", 0, fmt.Sprintf("how old the trusted block may be (default CometBFT's, %s)", 168*time.Hour))
	_ = cmd.MarkFlagRequired("rpc-servers")
	return cmd
}
