package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/spf13/cobra"

	"github.com/ledgerd/ledgerd/node"
)

func newInitCmd() *cobra.Command {
	var o node.InitOptions
	var lightScrypt bool
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a node home: CometBFT config and keys, ledgerd.toml, an operator key, and a one-bank genesis",
		Long: `init writes a new node home (--home): CometBFT's config.toml, node key and
validator key, ledgerd.toml, an operator key for this node's bank in the keyring,
and a genesis in which that bank (--member-id, default the moniker) is the only
member, an issuer and lender, and the only validator, so that 'ledgerd start'
right after makes blocks. --demo adds an auditor member with its own key.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Home = home(cmd)
			o.LightScrypt = lightScrypt
			pass, err := passphrase(cmd, true)
			if err != nil {
				return err
			}
			o.Passphrase = pass
			res, err := node.Init(o)
			if err != nil {
				return err
			}
			return printResult(cmd, res, func(w io.Writer) {
				fmt.Fprintf(w, "Initialised %s for chain %s\n  node id:          %s\n  validator key:    %s\n  genesis:          %s\n",
					o.Home, o.ChainID, res.NodeID, res.ValidatorPubKey, res.Genesis)
				names := make([]string, 0, len(res.Operators))
				for n := range res.Operators {
					names = append(names, n)
				}
				sort.Strings(names)
				for _, n := range names {
					fmt.Fprintf(w, "  operator key %-12q %s\n", n, res.Operators[n])
				}
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.ChainID, "chain-id", "", "CometBFT chain id (required)")
	f.StringVar(&o.Moniker, "moniker", "", "node name (required)")
	f.StringVar(&o.MemberID, "member-id", "", "this bank's member id in genesis (default: the moniker)")
	f.StringVar(&o.MemberName, "member-name", "", "this bank's name in genesis (default: the member id)")
	f.Uint64Var(&o.NumericID, "chain-numeric-id", 0, "EIP-712 chainId (default: derived from the chain id)")
	f.StringSliceVar(&o.Denoms, "denoms", []string{"CNY"}, "denominations the ledger carries")
	f.BoolVar(&o.Demo, "demo", false, "add a demo auditor member with its own operator key")
	f.DurationVar(&o.BlockInterval, "block-interval", 0, "CometBFT timeout_commit (default: CometBFT's, 1s)")
	f.StringVar(&o.Mempool, "mempool", "flood", `who keeps the mempool: "flood" (CometBFT) or "app" (ledgerd; see docs/operations.md)`)
	f.BoolVar(&lightScrypt, "light-kdf", false, "encrypt keys with light scrypt parameters (development only)")
	_ = cmd.MarkFlagRequired("chain-id")
	_ = cmd.MarkFlagRequired("moniker")
	return cmd
}

func newStartCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Run the node until SIGINT or SIGTERM",
		Long: `start runs CometBFT in-process around the ledgerd app. Settings come from
<home>/config/ledgerd.toml, then LEDGERD_* environment variables, then flags
(flags win). CometBFT's own settings are in <home>/config/config.toml; --rpc.laddr,
--p2p.laddr and --log_level override the most common ones.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			h := home(cmd)
			c, err := node.LoadConfig(h, cmd.Flags())
			if err != nil {
				return err
			}
			cmt, err := node.LoadCometConfig(h)
			if err != nil {
				return err
			}
			if s := stringFlag(cmd, "rpc.laddr"); s != "" {
				cmt.RPC.ListenAddress = s
			}
			if s := stringFlag(cmd, "p2p.laddr"); s != "" {
				cmt.P2P.ListenAddress = s
			}
			if s := stringFlag(cmd, "log_level"); s != "" {
				cmt.LogLevel = s
			}
			// Catch signals before the handshake and block replay, so that a
			// stop requested during them is clean too.
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			n, err := node.NewContext(ctx, h, cmt, c) // a signal ends a wait for the remote signer too
			if err != nil {
				return err
			}
			if err := n.Start(); err != nil {
				n.Stop()
				return fmt.Errorf("start: %w", err)
			}
			var halt error
			select {
			case <-ctx.Done():
			case need := <-n.Halted():
				halt = need
			}
			fmt.Fprintln(cmd.ErrOrStderr(), "shutting down: stopping CometBFT, closing the store")
			done := make(chan error, 1)
			go func() { done <- n.Stop() }()
			select {
			case err := <-done:
				if halt != nil {
					return halt
				}
				return err
			case <-time.After(30 * time.Second):
				return fmt.Errorf("shutdown did not finish in 30s")
			}
		},
	}
	node.ConfigFlags(cmd.Flags())
	cmd.Flags().String("rpc.laddr", "", "RPC listen address (overrides config.toml)")
	cmd.Flags().String("p2p.laddr", "", "P2P listen address (overrides config.toml)")
	cmd.Flags().String("log_level", "", "log level, e.g. info or main:info,state:info,*:error")
	return cmd
}

func newShowNodeIDCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show-node-id",
		Short: "Print this node's p2p node id (for a member's node_ids in genesis)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := cmtcfg.DefaultConfig().SetRoot(home(cmd))
			key, err := p2p.LoadNodeKey(cfg.NodeKeyFile())
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), key.ID())
			return nil
		},
	}
}

func newShowValidatorCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show-validator",
		Short: "Print this node's validator public key, base64 (for a member's validator in genesis)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := cmtcfg.DefaultConfig().SetRoot(home(cmd))
			pv := privval.LoadFilePVEmptyState(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
			pub, err := pv.GetPubKey()
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), base64Std(pub.Bytes()))
			return nil
		},
	}
}
