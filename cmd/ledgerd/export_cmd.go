package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/ledgerd/ledgerd/node"
)

func newExportCmd() *cobra.Command {
	var (
		o   node.ExportOptions
		out string
	)
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write a genesis of the whole state at a height (hard fork, new chain id)",
		Long: `export reads the state of a stopped node at --height (default: its last
commit) and writes a genesis file holding all of it, every store key by key,
with the history index's entries: a chain started from it goes on at the next
height with exactly that state. The validators and consensus parameters are
those of the next height; --chain-id gives the new chain its id. The height
must still be kept (store.keep_recent). See docs/operations.md, Export.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			h := home(cmd)
			c, err := node.LoadConfig(h, nil)
			if err != nil {
				return err
			}
			cmt, err := node.LoadCometConfig(h)
			if err != nil {
				return err
			}
			doc, err := node.Export(h, cmt, c, o)
			if err != nil {
				return err
			}
			if out == "" {
				return fmt.Errorf("--out is required")
			}
			if err := doc.SaveAs(out); err != nil {
				return err
			}
			return printResult(cmd, map[string]any{"file": out, "chain_id": doc.ChainID, "initial_height": doc.InitialHeight,
				"genesis_time": doc.GenesisTime}, func(w io.Writer) {
				fmt.Fprintf(w, "exported height %d to %s: chain %s starts at height %d\n", doc.InitialHeight-1, out, doc.ChainID, doc.InitialHeight)
			})
		},
	}
	f := cmd.Flags()
	f.Int64Var(&o.Height, "height", 0, "height to export (default: the last commit)")
	f.StringVar(&o.ChainID, "chain-id", "", "chain id of the new genesis (default: the exported chain's)")
	f.StringVar(&out, "out", "", "genesis file to write (required)")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}
