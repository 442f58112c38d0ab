package main

import (
	"encoding/json"
	"time"

	"github.com/spf13/cobra"

	"github.com/ledgerd/ledgerd/x/collect/collectclient"
)

// newCollectCmd is `ledgerd collect`: the collection commands that are
// neither transactions nor queries.
func newCollectCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "collect", Short: "Collection tools for banks and agencies"}
	watch := &cobra.Command{
		Use:   "watch --bank B [--from HEIGHT]",
		Short: "Stream a lender's due, overdue, case-stage and promise events as JSON lines, for its notification systems",
		Long: `watch prints, one JSON object a line, every event that concerns the lender B:
credit_reminder (an installment falls due soon), credit_overdue_notice (the
first day past due), collect_case (opened, stage, followed a sale, closed) and
collect_promise (proposed, confirmed, kept, broken), with the block height.
It reads every block's results from --from (default: the next block), so a
restarted watcher resumes with --from set to the height after the last line it
handled; new blocks are awaited through the node's event subscription.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			bank, _ := cmd.Flags().GetString("bank")
			from, _ := cmd.Flags().GetInt64("from")
			enc := json.NewEncoder(cmd.OutOrStdout())
			return collectclient.New(c).Watch(cmd.Context(), bank, from, 2*time.Second, func(e collectclient.WatchEvent) error {
				return enc.Encode(e)
			})
		},
	}
	watch.Flags().String("bank", "", "the lender's member id")
	watch.Flags().Int64("from", 0, "the first height to read (0: the next block)")
	_ = watch.MarkFlagRequired("bank")
	cmd.AddCommand(watch)
	return cmd
}
