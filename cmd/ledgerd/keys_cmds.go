package main

import (
	"encoding/base64"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/ledgerd/ledgerd/client/keys"
	"github.com/ledgerd/ledgerd/node"
)

func base64Std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func keyring(cmd *cobra.Command) (*keys.Keyring, error) {
	return keys.Open(node.KeyringDir(home(cmd)), keys.Options{})
}

// passphrase reads the keyring passphrase from --passphrase-file, or
// prompts for it (twice when confirm).
func passphrase(cmd *cobra.Command, confirm bool) (string, error) {
	if f := stringFlag(cmd, flagPassphraseFile); f != "" {
		return keys.PassphraseFromFile(f)
	}
	return keys.PromptPassphrase("Keyring passphrase: ", confirm)
}

func newKeysCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Manage secp256k1 keys (Ethereum keystore v3 files under <home>/keyring)",
	}
	printInfo := func(cmd *cobra.Command, info keys.Info) error {
		return printResult(cmd, info, func(w io.Writer) {
			fmt.Fprintf(w, "name:    %s\naddress: %s\npubkey:  %s\n", info.Name, info.Address.Hex(), info.PublicKey)
		})
	}
	add := &cobra.Command{
		Use: "add NAME", Short: "Generate a new key", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := keyring(cmd)
			if err != nil {
				return err
			}
			pass, err := passphrase(cmd, true)
			if err != nil {
				return err
			}
			info, err := kr.Add(args[0], pass)
			if err != nil {
				return err
			}
			return printInfo(cmd, info)
		},
	}
	list := &cobra.Command{
		Use: "list", Short: "List keys", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			kr, err := keyring(cmd)
			if err != nil {
				return err
			}
			infos, err := kr.List()
			if err != nil {
				return err
			}
			return printResult(cmd, infos, func(w io.Writer) {
				for _, i := range infos {
					fmt.Fprintf(w, "%-20s %s\n", i.Name, i.Address.Hex())
				}
			})
		},
	}
	show := &cobra.Command{
		Use: "show NAME", Short: "Show a key's address and public key", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := keyring(cmd)
			if err != nil {
				return err
			}
			info, err := kr.Show(args[0])
			if err != nil {
				return err
			}
			return printInfo(cmd, info)
		},
	}
	var keystoreFile, hexFile string
	imp := &cobra.Command{
		Use:   "import NAME (--keystore FILE | --private-key-file FILE)",
		Short: "Import a keystore v3 file (geth, ethkey, MetaMask export) or a hex private key",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := keyring(cmd)
			if err != nil {
				return err
			}
			var info keys.Info
			switch {
			case keystoreFile != "" && hexFile == "":
				raw, err := os.ReadFile(keystoreFile)
				if err != nil {
					return err
				}
				old, err := keys.PromptPassphrase("Passphrase of the file being imported: ", false)
				if err != nil {
					return err
				}
				pass, err := passphrase(cmd, true)
				if err != nil {
					return err
				}
				info, err = kr.ImportKeystore(args[0], raw, old, pass)
				if err != nil {
					return err
				}
			case hexFile != "" && keystoreFile == "":
				raw, err := os.ReadFile(hexFile)
				if err != nil {
					return err
				}
				pass, err := passphrase(cmd, true)
				if err != nil {
					return err
				}
				info, err = kr.ImportPrivateKeyHex(args[0], string(raw), pass)
				if err != nil {
					return err
				}
			default:
				return fmt.Errorf("give exactly one of --keystore or --private-key-file")
			}
			return printInfo(cmd, info)
		},
	}
	imp.Flags().StringVar(&keystoreFile, "keystore", "", "keystore v3 JSON file to import")
	imp.Flags().StringVar(&hexFile, "private-key-file", "", "file holding a hex private key")
	var unsafeHex bool
	export := &cobra.Command{
		Use:   "export NAME",
		Short: "Print a key's keystore v3 JSON (or, with --unsafe-hex, its raw private key)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := keyring(cmd)
			if err != nil {
				return err
			}
			if unsafeHex {
				pass, err := passphrase(cmd, false)
				if err != nil {
					return err
				}
				h, err := kr.ExportPrivateKeyHex(args[0], pass)
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), h)
				return nil
			}
			raw, err := kr.ExportKeystore(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), string(raw))
			return nil
		},
	}
	export.Flags().BoolVar(&unsafeHex, "unsafe-hex", false, "print the unencrypted private key in hex")
	del := &cobra.Command{
		Use: "delete NAME", Short: "Delete a key (asks for its passphrase)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr, err := keyring(cmd)
			if err != nil {
				return err
			}
			pass, err := passphrase(cmd, false)
			if err != nil {
				return err
			}
			if err := kr.Delete(args[0], pass); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "deleted %s\n", args[0])
			return nil
		},
	}
	cmd.AddCommand(add, list, show, imp, export, del)
	return cmd
}
