package main

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/client"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	"github.com/ledgerd/ledgerd/x/gov"
	"github.com/ledgerd/ledgerd/x/gov/govclient"
)

// newQueryGovCmd is `ledgerd query gov`: proposals, votes, tallies and
// governance's parameters.
func newQueryGovCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "gov",
		Short: "Governance: proposals, votes, tallies and parameters; --prove verifies them",
	}

	proposals := &cobra.Command{
		Use:   "proposals [--status voting|executed|rejected|failed]",
		Short: "All proposals in id order, or those with a status",
		Long: `proposals lists every proposal in id order, or those with --status. With
--prove it proves, at one height, the last proposal id and every proposal up to
it (ids have no gaps), so the list is proven complete; that is one proof per
proposal ever made.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var status govv1.ProposalStatus
			if s := stringFlag(cmd, "status"); s != "" {
				var err error
				if status, err = gov.ParseStatus(s); err != nil {
					return fmt.Errorf("--status: %w", err)
				}
			}
			c, prove, height, err := queryClient(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			gc := govclient.New(c)
			view := &proposalListView{Proposals: []*proposalView{}}
			if prove {
				pp, err := gc.VerifiedProposals(cmd.Context(), status, height)
				if err != nil {
					return err
				}
				view.Height, view.LastID, view.Proof = pp.Height, pp.LastID, pp.LastIDProof
				for i, p := range pp.Proposals {
					v := newProposalView(p)
					v.Proof, v.Failure = pp.Proofs[i], gc.ProposalFailure(cmd.Context(), p)
					view.Proposals = append(view.Proposals, v)
				}
			} else {
				if height != 0 {
					return fmt.Errorf("--height needs --prove: the plain list is read at the latest height")
				}
				ps, err := gc.Proposals(cmd.Context(), status)
				if err != nil {
					return err
				}
				for _, p := range ps {
					v := newProposalView(p)
					v.Failure = gc.ProposalFailure(cmd.Context(), p)
					view.Proposals = append(view.Proposals, v)
				}
			}
			return printResult(cmd, view, func(out io.Writer) {
				if len(view.Proposals) == 0 {
					fmt.Fprintln(out, "no proposals")
				}
				for _, p := range view.Proposals {
					fmt.Fprintf(out, "%d  %-8s  %s  %q  by %s, voting until %s\n", p.ID, p.Status, p.Action.Summary, p.Title,
						p.Proposer, p.VotingEnd.Format(time.RFC3339))
				}
				if view.Proof != nil {
					fmt.Fprintf(out, "complete at height %d: proposals 1 to %d each proven, and the last id\n", view.Height, view.LastID)
					printProof(out, view.Proof)
				}
			})
		},
	}
	proposals.Flags().String("status", "", "only proposals with this status: voting, executed, rejected or failed")
	queryFlags(proposals)

	proposal := &cobra.Command{
		Use: "proposal ID", Short: "One proposal: its text, document hash, action, deadline, status and voters", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseProposalID(args[0])
			if err != nil {
				return err
			}
			c, prove, height, err := queryClient(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			gc := govclient.New(c)
			var p *govv1.Proposal
			var proof *client.Proven
			if prove {
				p, proof, err = gc.VerifiedProposal(cmd.Context(), id, height)
			} else {
				p = new(govv1.Proposal)
				err = c.Record(cmd.Context(), gov.StoreName, gov.ProposalKey(id), height, fmt.Sprintf("proposal %d", id), p)
			}
			if err != nil {
				return err
			}
			v := newProposalView(p)
			v.Proof, v.Failure = proof, gc.ProposalFailure(cmd.Context(), p)
			return printResult(cmd, v, func(out io.Writer) { v.print(out) })
		},
	}
	queryFlags(proposal)

	votes := &cobra.Command{
		Use:   "votes ID",
		Short: "Every member's current vote on a proposal, in member order",
		Long: `votes lists every member's current vote on proposal ID. With --prove it proves
the proposal, which names its voters, and each of their votes at one height:
the list is proven complete.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseProposalID(args[0])
			if err != nil {
				return err
			}
			c, prove, height, err := queryClient(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			gc := govclient.New(c)
			view := &votesView{Proposal: id, Votes: []*voteView{}}
			if prove {
				pv, err := gc.VerifiedVotes(cmd.Context(), id, height)
				if err != nil {
					return err
				}
				view.Height, view.Proof = pv.Height, pv.ProposalProof
				for i, v := range pv.Votes {
					view.Votes = append(view.Votes, newVoteView(v, pv.Proofs[i]))
				}
			} else {
				if height != 0 {
					return fmt.Errorf("--height needs --prove: the plain list is read at the latest height")
				}
				vs, err := gc.Votes(cmd.Context(), id)
				if err != nil {
					return err
				}
				for _, v := range vs {
					view.Votes = append(view.Votes, newVoteView(v, nil))
				}
			}
			return printResult(cmd, view, func(out io.Writer) {
				if len(view.Votes) == 0 {
					fmt.Fprintf(out, "no votes on proposal %d\n", id)
				}
				for _, v := range view.Votes {
					fmt.Fprintf(out, "%-20s %-7s by operator %s at height %d\n", v.Member, v.Option, v.Operator, v.Height)
				}
				if view.Proof != nil {
					fmt.Fprintf(out, "complete at height %d: the proposal names these voters, and each vote is proven\n", view.Height)
					printProof(out, view.Proof)
				}
			})
		},
	}
	queryFlags(votes)

	tally := &cobra.Command{
		Use:   "tally ID",
		Short: "A proposal's tally now: yes, no, abstain among active members, and the yes votes needed",
		Long: `tally counts proposal ID's votes as the chain would now: only voters that are
active members count, and the yes votes needed are the threshold of the active
members. A decided proposal also shows its final tally, recorded when it was
decided. With --prove the node's tally is not used: the proposal, the member
index, every member, every vote and the parameters are proven at one height and
the votes are recounted here with the chain's own rule.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseProposalID(args[0])
			if err != nil {
				return err
			}
			c, prove, height, err := queryClient(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			gc := govclient.New(c)
			var view *tallyView
			if prove {
				pt, err := gc.VerifiedTally(cmd.Context(), id, height)
				if err != nil {
					return err
				}
				view = newTallyView(pt.Proposal, pt.Tally)
				view.Height, view.Recounted, view.Proofs, view.Proof = pt.Height, true, len(pt.Proofs), pt.Proofs[0]
			} else {
				if height != 0 {
					return fmt.Errorf("--height needs --prove: the node tallies at the latest height")
				}
				p, err := gc.Proposal(cmd.Context(), id)
				if err != nil {
					return err
				}
				t, err := gc.Tally(cmd.Context(), id)
				if err != nil {
					return err
				}
				view = newTallyView(p, t)
			}
			return printResult(cmd, view, func(out io.Writer) { view.print(out) })
		},
	}
	queryFlags(tally)

	params := &cobra.Command{
		Use: "params", Short: "Threshold, voting period bounds and the limit of open proposals", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, prove, height, err := queryClient(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			gc := govclient.New(c)
			var p *govv1.Params
			var proof *client.Proven
			if prove {
				p, proof, err = gc.VerifiedParams(cmd.Context(), height)
			} else {
				p = gov.DefaultParams()
				err = c.Record(cmd.Context(), gov.StoreName, gov.ParamsKey(), height, "gov params", p)
				if isNotFound(err) {
					err = nil
				}
			}
			if err != nil {
				return err
			}
			v := newGovParamsView(p)
			v.Proof = proof
			return printResult(cmd, v, func(out io.Writer) {
				fmt.Fprintf(out, "a proposal passes with %s of the active members voting yes\n", v.Threshold)
				fmt.Fprintf(out, "voting period: %s to %s; at most %d proposals in voting at once\n",
					v.MinVotingPeriod, v.MaxVotingPeriod, v.MaxOpenProposals)
				printProof(out, proof)
			})
		},
	}
	queryFlags(params)
	cmd.AddCommand(proposals, proposal, votes, tally, params)
	return cmd
}

func parseProposalID(s string) (uint64, error) {
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id == 0 {
		return 0, fmt.Errorf("proposal id %q: want a positive number ('query gov proposals' lists them)", s)
	}
	return id, nil
}

func isNotFound(err error) bool { return errors.Is(err, client.ErrNotFound) }

// proposalView is a proposal as the CLI prints it.
type proposalView struct {
	ID               uint64         `json:"id"`
	Title            string         `json:"title"`
	Description      string         `json:"description"`
	DocumentHash     string         `json:"document_hash"`
	Proposer         string         `json:"proposer"`
	ProposerOperator string         `json:"proposer_operator"`
	Action           *actionView    `json:"action"`
	SubmitHeight     int64          `json:"submit_height"`
	SubmitTime       time.Time      `json:"submit_time"`
	VotingEnd        time.Time      `json:"voting_end"`
	Status           string         `json:"status"`
	DecidedHeight    int64          `json:"decided_height,omitempty"`
	FinalTally       *countView     `json:"final_tally,omitempty"`
	Failure          string         `json:"failure,omitempty"`
	Voters           []string       `json:"voters"`
	Proof            *client.Proven `json:"proof,omitempty"`
}

func newProposalView(p *govv1.Proposal) *proposalView {
	v := &proposalView{
		ID: p.Id, Title: p.Title, Description: p.Description, DocumentHash: hex.EncodeToString(p.DocumentHash),
		Proposer: p.Proposer, ProposerOperator: common.BytesToAddress(p.ProposerOperator).Hex(), Action: newActionView(p.Action),
		SubmitHeight: p.SubmitHeight, SubmitTime: unixUTC(p.SubmitTime), VotingEnd: unixUTC(p.VotingEnd),
		Status: gov.StatusName(p.Status), DecidedHeight: p.DecidedHeight, Voters: p.Voters,
	}
	if v.Voters == nil {
		v.Voters = []string{}
	}
	if p.FinalTally != nil {
		v.FinalTally = newCountView(p.FinalTally)
	}
	return v
}

func (v *proposalView) print(out io.Writer) {
	fmt.Fprintf(out, "proposal %d: %q\n", v.ID, v.Title)
	fmt.Fprintf(out, "  status:        %s", v.Status)
	if v.DecidedHeight > 0 {
		fmt.Fprintf(out, " at height %d", v.DecidedHeight)
	}
	fmt.Fprintln(out)
	if v.Failure != "" {
		fmt.Fprintf(out, "  failed:        %s\n", v.Failure)
	}
	fmt.Fprintf(out, "  action:        %s\n", v.Action.Summary)
	fmt.Fprintf(out, "  proposer:      %s (operator %s)\n", v.Proposer, v.ProposerOperator)
	fmt.Fprintf(out, "  submitted:     height %d, %s\n", v.SubmitHeight, v.SubmitTime.Format(time.RFC3339))
	fmt.Fprintf(out, "  voting end:    %s\n", v.VotingEnd.Format(time.RFC3339))
	fmt.Fprintf(out, "  document hash: %s (SHA-256)\n", v.DocumentHash)
	fmt.Fprintf(out, "  voters:        %s\n", listOrNone(v.Voters))
	if t := v.FinalTally; t != nil {
		fmt.Fprintf(out, "  final tally:   %s\n", t)
	}
	if v.Description != "" {
		fmt.Fprintf(out, "  description:\n    %s\n", strings.ReplaceAll(v.Description, "\n", "\n    "))
	}
	printProof(out, v.Proof)
}

type proposalListView struct {
	Proposals []*proposalView `json:"proposals"`
	// With --prove: the height, the proven last id, and its proof.
	Height int64          `json:"height,omitempty"`
	LastID uint64         `json:"last_id,omitempty"`
	Proof  *client.Proven `json:"last_id_proof,omitempty"`
}

// countView is a tally as the CLI prints it.
type countView struct {
	Yes      uint32 `json:"yes"`
	No       uint32 `json:"no"`
	Abstain  uint32 `json:"abstain"`
	Eligible uint32 `json:"eligible"`
	Needed   uint32 `json:"needed"`
}

func newCountView(t *govv1.Tally) *countView {
	return &countView{Yes: t.Yes, No: t.No, Abstain: t.Abstain, Eligible: t.Eligible, Needed: t.Needed}
}

func (c *countView) String() string {
	return fmt.Sprintf("%d yes, %d no, %d abstain of %d active members; %d yes needed", c.Yes, c.No, c.Abstain, c.Eligible, c.Needed)
}

type tallyView struct {
	Proposal   uint64     `json:"proposal"`
	Status     string     `json:"status"`
	VotingEnd  time.Time  `json:"voting_end"`
	Tally      *countView `json:"tally"`
	Passes     bool       `json:"passes"`
	FinalTally *countView `json:"final_tally,omitempty"`
	// With --prove: counted here from Proofs records proven at Height;
	// Proof is the proposal's.
	Recounted bool           `json:"recounted,omitempty"`
	Height    int64          `json:"height,omitempty"`
	Proofs    int            `json:"records_proven,omitempty"`
	Proof     *client.Proven `json:"proof,omitempty"`
}

func newTallyView(p *govv1.Proposal, t *govv1.Tally) *tallyView {
	v := &tallyView{Proposal: p.Id, Status: gov.StatusName(p.Status), VotingEnd: unixUTC(p.VotingEnd), Tally: newCountView(t), Passes: gov.Passes(t)}
	if p.FinalTally != nil {
		v.FinalTally = newCountView(p.FinalTally)
	}
	return v
}

func (v *tallyView) print(out io.Writer) {
	fmt.Fprintf(out, "proposal %d (%s, voting until %s)\n", v.Proposal, v.Status, v.VotingEnd.Format(time.RFC3339))
	fmt.Fprintf(out, "  now:   %s", v.Tally)
	if v.Passes {
		fmt.Fprint(out, " (reaches the threshold)")
	}
	fmt.Fprintln(out)
	if v.FinalTally != nil {
		fmt.Fprintf(out, "  final: %s\n", v.FinalTally)
	}
	if v.Recounted {
		fmt.Fprintf(out, "recounted here from %d records proven at height %d (proposal, member index, members, votes, parameters)\n", v.Proofs, v.Height)
		printProof(out, v.Proof)
	}
}

// voteView is a vote as the CLI prints it.
type voteView struct {
	Member   string         `json:"member"`
	Option   string         `json:"option"`
	Operator string         `json:"operator"`
	Height   int64          `json:"height"`
	Proof    *client.Proven `json:"proof,omitempty"`
}

func newVoteView(v *govv1.Vote, p *client.Proven) *voteView {
	return &voteView{Member: v.MemberId, Option: gov.OptionName(v.Option), Operator: common.BytesToAddress(v.Operator).Hex(), Height: v.Height, Proof: p}
}

type votesView struct {
	Proposal uint64      `json:"proposal"`
	Votes    []*voteView `json:"votes"`
	// With --prove: the height and the proposal's proof (it names the
	// voters).
	Height int64          `json:"height,omitempty"`
	Proof  *client.Proven `json:"proposal_proof,omitempty"`
}

// govParamsView is governance's parameters as the CLI prints them.
type govParamsView struct {
	Threshold        string         `json:"threshold"`
	MinVotingPeriod  string         `json:"min_voting_period"`
	MaxVotingPeriod  string         `json:"max_voting_period"`
	MaxOpenProposals uint32         `json:"max_open_proposals"`
	Proof            *client.Proven `json:"proof,omitempty"`
}

func newGovParamsView(p *govv1.Params) *govParamsView {
	return &govParamsView{
		Threshold:       fmt.Sprintf("%d/%d", p.ThresholdNumerator, p.ThresholdDenominator),
		MinVotingPeriod: formatPeriod(p.MinVotingPeriodSeconds), MaxVotingPeriod: formatPeriod(p.MaxVotingPeriodSeconds),
		MaxOpenProposals: p.MaxOpenProposals,
	}
}

// formatPeriod writes seconds as a Go duration without zero units ("1h",
// "720h", "90m").
func formatPeriod(seconds int64) string {
	s := (time.Duration(seconds) * time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// actionView is a proposal's action as the CLI prints it: its kind, the
// one-line summary of the module that executes it, and its fields.
type actionView struct {
	Kind    string          `json:"kind"`
	Summary string          `json:"summary"`
	Fields  json.RawMessage `json:"fields,omitempty"`
}

func newActionView(a *govv1.Action) *actionView {
	v := &actionView{Kind: gov.ActionName(a), Summary: describeAction(a)}
	fd := a.ProtoReflect().WhichOneof(a.ProtoReflect().Descriptor().Oneofs().ByName("kind"))
	if fd != nil {
		v.Fields = protoJSON(a.ProtoReflect().Get(fd).Message().Interface())
	}
	return v
}

// describeAction is the summary the module executing a gives of it.
func describeAction(a *govv1.Action) string {
	fd := a.ProtoReflect().WhichOneof(a.ProtoReflect().Descriptor().Oneofs().ByName("kind"))
	if fd == nil {
		return "no action"
	}
	r, ok := app.Modules().GovAction(string(fd.Name()))
	if !ok || r.Item.Describe == nil {
		return gov.ActionName(a)
	}
	return r.Item.Describe(a.ProtoReflect().Get(fd).Message().Interface())
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func unixUTC(seconds int64) time.Time { return time.Unix(seconds, 0).UTC() }
