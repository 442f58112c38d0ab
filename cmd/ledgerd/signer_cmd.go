package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmtflags "github.com/cometbft/cometbft/libs/cli/flags"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"

	"github.com/ledgerd/ledgerd/node"
	"github.com/ledgerd/ledgerd/node/signer"
)

func newSignerCmd() *cobra.Command {
	var addr, chainID, logLevel string
	cmd := &cobra.Command{
		Use:   "signer",
		Short: "Serve a validator key to its node over CometBFT's remote signer protocol, until SIGINT or SIGTERM",
		Long: `signer keeps a validator key away from the node: it dials the node's signer
listen address (remote_signer.laddr in the node's ledgerd.toml, or
priv_validator_laddr in its config.toml) and signs the node's votes and
proposals, dialling again whenever the node restarts or the connection drops.

Its home (--home, a directory of its own, not a node's) holds the key
(config/priv_validator_key.json), the last height, round and step it signed
(data/priv_validator_state.json, written and synced before each signature
leaves: it never signs a height twice) and config/signer.toml (chain_id, addr),
written by 'ledgerd signer init'. --addr and --chain-id override signer.toml.
See docs/operations.md, Remote signing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			h := home(cmd)
			c, err := signer.LoadConfig(h)
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("addr") {
				c.Addr = addr
			}
			if cmd.Flags().Changed("chain-id") {
				c.ChainID = chainID
			}
			if c.Addr == "" || c.ChainID == "" {
				return fmt.Errorf("signer: the node's address and the chain id are required (addr and chain_id in %s, or --addr and --chain-id)", signer.ConfigFile(h))
			}
			logger, err := cmtflags.ParseLogLevel(logLevel, cmtlog.NewTMLogger(cmtlog.NewSyncWriter(cmd.OutOrStdout())), "info")
			if err != nil {
				return fmt.Errorf("--log_level %q: %w", logLevel, err)
			}
			pv, release, err := signer.Open(h)
			if err != nil {
				return err
			}
			defer release()
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return signer.Serve(ctx, signer.ServeOptions{Addr: c.Addr, ChainID: c.ChainID, PV: pv, StateFile: signer.StateFile(h),
				Logger: logger.With("module", "signer")})
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "", "the node's signer listen address to dial: tcp://NODE:PORT or unix:///path (default: addr in signer.toml)")
	f.StringVar(&chainID, "chain-id", "", "the chain to sign for (default: chain_id in signer.toml)")
	f.StringVar(&logLevel, "log_level", "info", "log level: info logs every signature, error only refusals and failures")
	cmd.AddCommand(newSignerInitCmd())
	return cmd
}

func newSignerInitCmd() *cobra.Command {
	var o signer.InitOptions
	var nodeHome string
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a signer home: signer.toml and a validator key, new, kept, or moved from a node's home",
		Long: `init writes a signer home (--home): config/signer.toml with the chain id and
the node's address, and a validator key with its last-signed state.

--from-node-home NODE_HOME moves the key and state of a node on this machine
(or a mounted home) into the signer home and deletes them from the node's; the
node must be stopped, and its chain id is the default. Otherwise init keeps a
key and state already copied into the home's config/ and data/, or generates a
new key. Then give the node a signer listen address (remote_signer.laddr in its
ledgerd.toml), start it, and run 'ledgerd signer --home DIR'.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Home = home(cmd)
			if nodeHome != "" {
				running, err := node.Running(nodeHome)
				if err != nil {
					return err
				}
				if running {
					return fmt.Errorf("the node at %s is running: stop it first, and start it again only with a signer listen address "+
						"(a node signing with the key while it moves could sign a height twice)", nodeHome)
				}
				cmt := cmtcfg.DefaultConfig()
				if c, err := node.LoadCometConfig(nodeHome); err == nil {
					cmt = c
				} else {
					cmt.SetRoot(nodeHome)
				}
				gen, err := cmttypes.GenesisDocFromFile(cmt.GenesisFile())
				if err != nil {
					return fmt.Errorf("node home %s: %w", nodeHome, err)
				}
				switch {
				case o.ChainID == "":
					o.ChainID = gen.ChainID
				case o.ChainID != gen.ChainID:
					return fmt.Errorf("--chain-id %s, but the node at %s runs chain %s", o.ChainID, nodeHome, gen.ChainID)
				}
				o.ImportKey, o.ImportState = cmt.PrivValidatorKeyFile(), cmt.PrivValidatorStateFile()
			}
			res, err := signer.Init(o)
			if err != nil {
				return err
			}
			return printResult(cmd, res, func(w io.Writer) {
				fmt.Fprintf(w, "Initialised signer home %s for chain %s\n  validator key:  %s (address %s), %s\n  key file:       %s\n  state file:     %s\n  config:         %s\n",
					o.Home, o.ChainID, res.PubKey, res.Address, res.Key, res.KeyFile, res.StateFile, res.Config)
				if nodeHome != "" {
					fmt.Fprintf(w, "The key is no longer in %s. Set remote_signer.laddr in %s before starting the node.\n", nodeHome, node.ConfigPath(nodeHome))
				}
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.ChainID, "chain-id", "", "the chain to sign for (required, unless --from-node-home gives it)")
	f.StringVar(&o.Addr, "addr", "", "the node's signer listen address to dial: tcp://NODE:PORT or unix:///path")
	f.StringVar(&nodeHome, "from-node-home", "", "move the validator key and its state out of this (stopped) node's home")
	return cmd
}
