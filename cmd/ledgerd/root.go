package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Global flags; each also reads LEDGERD_<NAME> (LEDGERD_HOME, LEDGERD_NODE,
// LEDGERD_PASSPHRASE_FILE, LEDGERD_OUTPUT).
const (
	flagHome           = "home"
	flagNode           = "node"
	flagOutput         = "output"
	flagPassphraseFile = "passphrase-file"
)

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "ledgerd",
		Short: "ledgerd: a permissioned, blockchain-anchored ledger for a consortium of banks",
		Long: `ledgerd runs a consortium ledger node (CometBFT consensus, IAVL state with Merkle
proofs) and is the client for it: keys, signed transactions and verified queries
against any node.

Every flag can also be set with an environment variable LEDGERD_<FLAG>, e.g.
LEDGERD_HOME=.devnet or LEDGERD_NODE=tcp://10.0.0.5:26657.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	pf := root.PersistentFlags()
	pf.String(flagHome, defaultHome(), "node and keyring directory")
	pf.String(flagNode, "tcp://127.0.0.1:26657", "RPC address of the node client commands talk to")
	pf.StringP(flagOutput, "o", "text", "output format: text or json")
	pf.String(flagPassphraseFile, "", "file whose first line is the keyring passphrase (default: prompt)")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		bindEnv(cmd.Flags())
		if cmd.LocalNonPersistentFlags().Lookup(flagOutput) != nil {
			return nil // a command whose own --output names a directory (testnet init)
		}
		o := stringFlag(cmd, flagOutput)
		if o != "text" && o != "json" {
			return fmt.Errorf("--output %q: want text or json", o)
		}
		outputJSON = o == "json"
		return nil
	}
	root.AddCommand(newVersionCmd(), newInitCmd(), newGenesisCmd(), newStartCmd(), newShowNodeIDCmd(), newShowValidatorCmd(),
		newKeysCmd(), newTxCmd(), newQueryCmd(), newTestnetCmd(), newSignerCmd(), newCollectCmd(), newConsoleCmd(),
		newStateSyncCmd(), newExportCmd())
	return root
}

// outputJSON is --output json of the command being run: main prints its
// error as JSON too.
var outputJSON bool

func defaultHome() string {
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".ledgerd")
	}
	return ".ledgerd"
}

// bindEnv sets every flag not given on the command line from LEDGERD_<FLAG>
// when that variable is set: flags override the environment.
func bindEnv(fs *pflag.FlagSet) {
	v := viper.New()
	v.SetEnvPrefix("LEDGERD")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_", ".", "_"))
	v.AutomaticEnv()
	fs.VisitAll(func(f *pflag.Flag) {
		if !f.Changed && v.IsSet(f.Name) {
			_ = fs.Set(f.Name, v.GetString(f.Name))
		}
	})
}

func stringFlag(cmd *cobra.Command, name string) string {
	s, _ := cmd.Flags().GetString(name)
	return s
}

func home(cmd *cobra.Command) string { return stringFlag(cmd, flagHome) }

func jsonOutput(cmd *cobra.Command) bool { return stringFlag(cmd, flagOutput) == "json" }

// printResult writes v as indented JSON with --output json, else calls text.
func printResult(cmd *cobra.Command, v any, text func(w io.Writer)) error {
	if jsonOutput(cmd) {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	text(cmd.OutOrStdout())
	return nil
}
