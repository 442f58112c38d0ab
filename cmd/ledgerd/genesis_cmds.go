package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ledgerd/ledgerd/node"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/module"
)

func newGenesisCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "genesis",
		Short: "Assemble a consortium's genesis by hand: add members, set parameters, validate",
		Long: `A consortium that does not use 'ledgerd testnet init' builds its genesis by
hand. Each bank runs 'ledgerd init' and shares its node id (show-node-id), its
validator key (show-validator) and its operator address (keys show). One bank
adds the others to its own genesis with 'genesis add-member', sets parameters
with 'genesis set-param', checks it with 'genesis validate', and sends the file
to the others. Every bank copies it to <home>/config/genesis.json and compares
the hash that 'genesis validate' prints. See docs/consortium-setup.md.

Every command edits <home>/config/genesis.json, or --genesis FILE, and
refuses to write a genesis that a node would not start from.`,
	}
	cmd.PersistentFlags().String("genesis", "", "genesis file (default <home>/config/genesis.json)")
	cmd.AddCommand(newGenesisAddMemberCmd(), newGenesisRemoveMemberCmd(), newGenesisSetParamCmd(), newGenesisSetWalletsFileCmd(), newGenesisValidateCmd())
	return cmd
}

func genesisPath(cmd *cobra.Command) string {
	if p, _ := cmd.Flags().GetString("genesis"); p != "" {
		return p
	}
	return filepath.Join(home(cmd), "config", "genesis.json")
}

func newGenesisAddMemberCmd() *cobra.Command {
	var m consortium.GenesisMember
	var validatorKey string
	var power int64
	cmd := &cobra.Command{
		Use:   "add-member ID --name NAME --roles issuer,lender --operator 0x... [--node-id ID] [--validator-key KEY --power N]",
		Short: "Add a member bank (or auditor, regulator) to the genesis",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m.ID = args[0]
			if (validatorKey == "") != (power == 0) {
				return fmt.Errorf("--validator-key and --power go together: a validator needs both")
			}
			if validatorKey != "" {
				m.Validator = &consortium.GenesisValidator{PubKey: validatorKey, Power: power}
			}
			g, err := node.ReadGenesisFile(genesisPath(cmd))
			if err != nil {
				return err
			}
			if err := g.AddMember(m); err != nil {
				return err
			}
			if err := g.Write(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "added member %s to %s\n", m.ID, g.Path)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&m.Name, "name", "", "the member's legal name (required)")
	f.StringSliceVar(&m.Roles, "roles", nil, "roles: issuer, lender, auditor, regulator, credit_bureau (comma-separated, required)")
	f.StringSliceVar(&m.Operators, "operator", nil, "an operator address, 0x... (repeat for several)")
	f.StringSliceVar(&m.NodeIDs, "node-id", nil, "a P2P node id the member runs (ledgerd show-node-id; repeat for several)")
	f.StringVar(&validatorKey, "validator-key", "", "the member's validator public key, base64 (ledgerd show-validator)")
	f.Int64Var(&power, "power", 0, "the validator's voting power")
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.MarkFlagRequired("roles")
	return cmd
}

func newGenesisRemoveMemberCmd() *cobra.Command {
	return &cobra.Command{
		Use: "remove-member ID", Short: "Remove a member from the genesis", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := node.ReadGenesisFile(genesisPath(cmd))
			if err != nil {
				return err
			}
			if err := g.RemoveMember(args[0]); err != nil {
				return err
			}
			if err := g.Write(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed member %s from %s\n", args[0], g.Path)
			return nil
		},
	}
}

func newGenesisSetParamCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "set-param PATH VALUE",
		Short: "Set one parameter of the app state by its JSON path",
		Long: `PATH is the setting's place in app_state, keys and list indexes separated by
dots; VALUE is JSON (a bare word is a string). Examples:

  ledgerd genesis set-param consortium.max_block_txs 4000
  ledgerd genesis set-param wallet.utc_offset +08:00
  ledgerd genesis set-param wallet.limits.0.tiers.1.balance_cap 3000000
  ledgerd genesis set-param aml.velocity_limit 200

The genesis is validated before it is written: an unknown key or a value out
of range is refused with the reason.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := node.ReadGenesisFile(genesisPath(cmd))
			if err != nil {
				return err
			}
			if err := g.SetParam(args[0], args[1]); err != nil {
				return err
			}
			if err := g.Write(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "set %s = %s in %s\n", args[0], args[1], g.Path)
			return nil
		},
	}
}

func newGenesisSetWalletsFileCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "set-wallets-file FILE",
		Short: "Name a file of genesis wallets beside the genesis, pinned by its SHA-256",
		Long: `A migration of many wallets (a bank's existing customers) keeps them out of
the genesis document, which CometBFT keeps in memory and parses at every
start: they go in FILE, one JSON object a line, each in the form of the
wallet section's "wallets" entries:

  {"owner":"0x...","bank":"demo-bank","tier":2,"kyc_hash":"<64 hex>","balances":[{"denom":"CNY","amount":"150000"}]}

FILE must be in the genesis file's directory (<home>/config). The genesis
names it by its path there and its SHA-256 (app_state.wallet.wallets_file);
InitChain checks its SHA-256, then reads it a wallet at a time, after the
wallets the document lists, and refuses a file whose content differs. Every bank copies FILE
beside its genesis.json; a node joining by state sync does not need it.
Running the command again after FILE changed pins the new content;
'ledgerd genesis set-param wallet.wallets_file null' drops the reference.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := node.ReadGenesisFile(genesisPath(cmd))
			if err != nil {
				return err
			}
			ref, err := genesisFileRef(g, args[0])
			if err != nil {
				return err
			}
			g.App.Wallet.WalletsFile = &ref
			if err := g.Write(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s names wallets file %s, sha256 %s: copy it beside every bank's genesis.json\n", g.Path, ref.Path, ref.SHA256)
			return nil
		},
	}
}

// genesisFileRef names file, which must be in the directory of g's file,
// by its path there and its content's digest.
func genesisFileRef(g *node.GenesisFile, file string) (module.GenesisFileRef, error) {
	dir, err := filepath.Abs(filepath.Dir(g.Path))
	if err != nil {
		return module.GenesisFileRef{}, err
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return module.GenesisFileRef{}, err
	}
	rel, err := filepath.Rel(dir, abs)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return module.GenesisFileRef{}, fmt.Errorf("%s is not in %s: a genesis names files beside it; move it there and run again", file, dir)
	}
	ref := module.GenesisFileRef{Path: filepath.ToSlash(rel)}
	if ref.SHA256, err = module.GenesisFileDigest(g.Files(), ref.Path); err != nil {
		return module.GenesisFileRef{}, err
	}
	return ref, nil
}

// genesisSummary is what `genesis validate` reports.
type genesisSummary struct {
	File       string          `json:"file"`
	SHA256     string          `json:"sha256"`
	ChainID    string          `json:"chain_id"`
	Members    []memberSummary `json:"members"`
	TotalPower int64           `json:"total_power"`
	// WalletsFile is the wallets file the genesis names, if any.
	WalletsFile *module.GenesisFileRef `json:"wallets_file,omitempty"`
	Warnings    []string               `json:"warnings,omitempty"`
}

type memberSummary struct {
	ID        string   `json:"id"`
	Roles     []string `json:"roles"`
	Nodes     int      `json:"node_ids"`
	Power     int64    `json:"power"`
	Operators int      `json:"operators"`
}

func newGenesisValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "Check the genesis as a node would, and print its members, voting power and SHA-256",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			g, err := node.ReadGenesisFile(genesisPath(cmd))
			if err != nil {
				return err
			}
			if err := g.Validate(); err != nil {
				return fmt.Errorf("%s is not valid: %w", g.Path, err)
			}
			hash, err := g.Hash()
			if err != nil {
				return err
			}
			s := genesisSummary{File: g.Path, SHA256: hex.EncodeToString(hash[:]), ChainID: g.Doc.ChainID, WalletsFile: g.App.Wallet.WalletsFile}
			for _, m := range g.App.Consortium.Members {
				ms := memberSummary{ID: m.ID, Roles: m.Roles, Nodes: len(m.NodeIDs), Operators: len(m.Operators)}
				if m.Validator != nil {
					ms.Power = m.Validator.Power
				}
				s.TotalPower += ms.Power
				s.Members = append(s.Members, ms)
			}
			for _, m := range s.Members {
				if m.Power > 0 && 3*m.Power >= s.TotalPower {
					s.Warnings = append(s.Warnings, fmt.Sprintf("%s holds %d of %d voting power (a third or more): it alone can halt the chain", m.ID, m.Power, s.TotalPower))
				}
				if m.Power > 0 && m.Nodes == 0 {
					s.Warnings = append(s.Warnings, fmt.Sprintf("%s declares no node id: with filter_peers on, no node of it can connect", m.ID))
				}
			}
			return printResult(cmd, s, func(w io.Writer) {
				fmt.Fprintf(w, "%s is valid: chain %s, %d members, total voting power %d\n", s.File, s.ChainID, len(s.Members), s.TotalPower)
				for _, m := range s.Members {
					fmt.Fprintf(w, "  %-12s %-24s power %-4d operators %d  nodes %d\n", m.ID, strings.Join(m.Roles, ","), m.Power, m.Operators, m.Nodes)
				}
				for _, warn := range s.Warnings {
					fmt.Fprintf(w, "warning: %s\n", warn)
				}
				fmt.Fprintf(w, "sha256 %s (every bank must have this same file)\n", s.SHA256)
				if f := s.WalletsFile; f != nil {
					fmt.Fprintf(w, "wallets file %s, sha256 %s (every bank must have it beside genesis.json)\n", f.Path, f.SHA256)
				}
			})
		},
	}
}
