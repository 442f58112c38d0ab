package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/x/module"
)

// moduleQueryCmds are the `ledgerd query <module>` commands of the modules
// whose queries declare a CLI (module.QueryCLI), built from the
// registrations: nothing here knows a module.
func moduleQueryCmds() []*cobra.Command {
	var out []*cobra.Command
	for _, m := range app.Modules().Modules() {
		var subs []*cobra.Command
		for _, q := range m.Queries {
			if q.CLI != nil {
				subs = append(subs, queryCmdOf(m, q))
			}
		}
		if len(subs) == 0 {
			continue
		}
		parent := &cobra.Command{Use: m.Name, Short: "Read the " + m.Name + " module's state: " + m.Doc}
		parent.AddCommand(subs...)
		out = append(out, parent)
	}
	return out
}

// queryCmdOf is the command of query q of module m.
func queryCmdOf(m *module.Module, q module.Query) *cobra.Command {
	spec := q.CLI
	cmd := &cobra.Command{
		Use:   spec.Use,
		Short: spec.Short,
		Long:  spec.Long + "\n\nWith --prove the CLI does not take the node's word: it reads every record the\nanswer depends on with a Merkle proof against a light-client-verified header\nand computes the answer itself, with the module's own code.",
		Args:  cobra.MinimumNArgs(spec.Args),
		RunE: func(cmd *cobra.Command, args []string) error {
			in := newCLIInput(cmd, args, nil)
			rest := strings.Join(args, "/")
			if spec.Path != nil {
				var err error
				if rest, err = spec.Path(in); err != nil {
					return err
				}
			}
			c, prove, height, err := queryClient(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			answer := spec.Answer.ProtoReflect().New().Interface()
			var reads *client.ProvenReads
			if prove {
				reads = c.ProvenReader(cmd.Context(), height)
				var herr error
				if err := reads.Run(func() { answer, herr = q.Handle(reads, rest, nil) }); err != nil {
					return err
				}
				if herr != nil {
					return herr
				}
			} else {
				res, err := c.Query(cmd.Context(), "/"+m.Name+"/"+q.Path+rest, nil, height)
				if err != nil {
					return err
				}
				if err := proto.Unmarshal(res.Value, answer); err != nil {
					return fmt.Errorf("the node's answer does not decode as %s: %w", answer.ProtoReflect().Descriptor().FullName(), err)
				}
			}
			money := moneyOf(cmd, c)
			view := queryView{Answer: protoJSON(answer)}
			if reads != nil {
				view.Proven = provenSummary(reads)
			}
			return printResult(cmd, view, func(w io.Writer) {
				renderMessage(w, answer.ProtoReflect(), "", nil, money)
				if reads != nil {
					printReads(w, reads)
				}
			})
		},
	}
	queryFlags(cmd)
	addFlags(cmd, nil, spec.Flags)
	return cmd
}

type queryView struct {
	Answer any                `json:"answer"`
	Proven *provenSummaryView `json:"proven,omitempty"`
}

type provenSummaryView struct {
	Height  int64          `json:"height"`
	Records int            `json:"records"`
	Last    *client.Proven `json:"last,omitempty"`
}

func provenSummary(r *client.ProvenReads) *provenSummaryView {
	v := &provenSummaryView{Height: r.Height(), Records: len(r.Proofs())}
	if ps := r.Proofs(); len(ps) > 0 {
		v.Last = ps[len(ps)-1]
	}
	return v
}

// printReads says what was proven: how many reads, at which height,
// against which header.
func printReads(w io.Writer, r *client.ProvenReads) {
	ps := r.Proofs()
	fmt.Fprintf(w, "proven:   computed here from %d reads, each proven at height %d\n", len(ps), r.Height())
	if len(ps) > 0 {
		printProof(w, ps[len(ps)-1])
	}
}
