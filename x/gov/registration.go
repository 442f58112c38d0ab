package gov

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/module"
)

// Members is what governance needs of the consortium: who an operator
// acts for, and every member's standing (the tally counts active ones).
type Members interface {
	Acting(addr common.Address) (*consortiumv1.Member, error)
	Member(id string) (*consortiumv1.Member, error)
	MemberIDs() []string
}

// Module is consortium governance: proposals of the actions other modules
// register (module.GovAction), votes, and their execution.
type Module struct {
	members func(exec.Context) Members
	reg     *module.Registry
}

// New returns the governance module. reg is the registry of every module
// on the chain, this one included, where proposals' actions are found; it
// may be filled after New returns, before the first block.
func New(members func(exec.Context) Members, reg *module.Registry) *Module {
	return &Module{members: members, reg: reg}
}

// Module returns governance's registration.
func (mod *Module) Module() *module.Module {
	m := &module.Module{
		Name: StoreName,
		Doc:  "proposals of changes to the consortium or its rules, the members' votes, their execution",
		Genesis: &module.Genesis{
			Default: func() json.RawMessage { return json.RawMessage("{}") },
			Init: func(ctx exec.Context, section json.RawMessage) ([]abci.ValidatorUpdate, error) {
				var g Genesis
				dec := json.NewDecoder(bytes.NewReader(section))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&g); err != nil {
					return nil, errcode.Wrap(ErrInvalidGenesis, "%v", err)
				}
				p, err := g.Validate()
				if err != nil {
					return nil, err
				}
				NewKeeper(ctx.KV(StoreName)).InitGenesis(p)
				return nil, nil
			},
		},
		Msgs: []module.Msg{
			module.NewMsg(module.AnySigner("an operator of an active member"), ValidateSubmit, mod.Submit, module.CLI{
				Use:   "propose ACTION",
				Short: "Submit a proposal: one action, a title, the hash of the agreement it implements, a deadline",
				Long: `propose submits a proposal of one action, signed by an operator of an active
member. Every proposal has a --title, an optional --description, the SHA-256 of
the off-chain document it implements (--document FILE hashes the file, or give
--document-hash HEX), and a deadline: --voting-end TIME, or --voting-period
(default 72h) from now on this machine's clock, which must fall within the
chain's voting period bounds ('ledgerd query gov params').

The chain checks the action against its state when the proposal is submitted
and again when it passes; the proposal's id is printed once it is committed.
See docs/governance.md.`,
				Flags: []module.Flag{
					{Field: "title", Required: true, Usage: "the proposal's title, at most 200 characters"},
					{Field: "description", Usage: "what the proposal does and why, at most 10,000 characters"},
					{Name: "document", File: true, Usage: "file of the agreement the proposal implements: its SHA-256 is recorded"},
					{Name: "document-hash", Usage: "SHA-256 of the agreement, 64 hex characters (instead of --document)"},
					{Name: "voting-period", Default: "72h", Usage: "voting closes this long from now (this machine's clock)"},
					{Field: "voting_end", Usage: "voting closes at this time: RFC 3339, YYYY-MM-DD (midnight UTC) or Unix seconds (instead of --voting-period)"},
				},
				Subcommands: mod.actionCommands,
				Build:       buildProposal,
				Report:      reportProposal,
			}),
			module.NewMsg(module.AnySigner("an operator of an active member"), ValidateVote, mod.Vote, module.CLI{
				Use:   "vote ID yes|no|abstain",
				Short: "Vote on a proposal for your member; a later vote replaces the earlier one until the deadline",
				Long: `vote casts your member's vote on proposal ID, signed by one of its operators.
Each active member has one vote; voting again before the deadline replaces it.
The proposal passes, and its action is executed, at the end of the block in
which its yes votes reach the threshold; the command prints where it stands
after the vote.`,
				Args:   []string{"proposal_id", "option"},
				Report: mod.reportVote,
			}),
		},
		EndBlock: mod.EndBlock,
		Queries:  queries(mod.members),
		Events: []module.Event{
			{Type: EventProposal, Doc: "a proposal was submitted, executed, failed or rejected",
				Attrs: []string{"id", "proposer", "action", "voting_end", "status", "reason"}, Indexed: []string{"id", "proposer", "status"}},
			{Type: EventVote, Doc: "a member voted", Attrs: []string{"id", "member", "option"}, Indexed: []string{"id", "member"}},
		},
	}
	m.Params = &module.Params{
		Key: ParamsKey(),
		New: func() proto.Message { return new(govv1.Params) },
		Doc: "the passing threshold, the voting period bounds, the most proposals in voting",
		Validate: func(_ exec.Context, next proto.Message) (proto.Message, error) {
			return next, ValidateParams(next.(*govv1.Params))
		},
	}
	m.GovActions = []module.GovAction{
		SetParamsAction(mod.reg),
		module.ParamsAction(m, "set_gov_params", "set-gov-params", setGovParamsCLI()),
	}
	m.GovActions = append(m.GovActions, upgradeActions()...)
	return m
}

// actionCommands are the commands of every registered governance action,
// the subcommands of `tx gov propose`. A command without Build fills a new
// message of the action's type from its arguments and flags.
func (mod *Module) actionCommands() []module.CLI {
	var out []module.CLI
	for _, m := range mod.reg.Modules() {
		for _, a := range m.GovActions {
			fd := actionKind.Fields().ByName(protoreflect.Name(a.Field))
			for _, c := range a.Commands {
				if c.Build == nil && fd != nil {
					c.Build = func(in module.Input) (proto.Message, error) {
						msg := dynamicOf(fd)
						return msg, in.Fill(msg, c)
					}
				}
				out = append(out, c)
			}
		}
	}
	return out
}

// dynamicOf returns a new message of the type the Action field fd carries.
func dynamicOf(fd protoreflect.FieldDescriptor) proto.Message {
	return (&govv1.Action{}).ProtoReflect().NewField(fd).Message().Interface()
}

// buildProposal wraps the action the subcommand built into a proposal
// with the proposal flags.
func buildProposal(in module.Input) (proto.Message, error) {
	action, err := NewAction(in.Part())
	if err != nil {
		return nil, err
	}
	msg := &govv1.MsgSubmitProposal{Title: in.Flag("title"), Description: in.Flag("description"), Action: action}
	doc, hexHash := in.Flag("document"), in.Flag("document-hash")
	switch {
	case (doc == "") == (hexHash == ""):
		return nil, fmt.Errorf("give the agreement the proposal implements: --document FILE or --document-hash HEX (one of them)")
	case doc != "":
		b, err := in.File("document")
		if err != nil {
			return nil, err
		}
		h := sha256.Sum256(b)
		msg.DocumentHash = h[:]
	default:
		h, err := hex.DecodeString(strings.TrimPrefix(hexHash, "0x"))
		if err != nil || len(h) != sha256.Size {
			return nil, fmt.Errorf("--document-hash must be a SHA-256: 64 hex characters")
		}
		msg.DocumentHash = h
	}
	if end := in.Flag("voting-end"); end != "" {
		if in.Changed("voting-period") {
			return nil, fmt.Errorf("give --voting-end or --voting-period, not both")
		}
		if err := in.Set(msg, "voting_end", end); err != nil {
			return nil, fmt.Errorf("--voting-end: %w", err)
		}
		return msg, nil
	}
	period, err := time.ParseDuration(in.Flag("voting-period"))
	if err != nil {
		return nil, fmt.Errorf("--voting-period %q: %v", in.Flag("voting-period"), err)
	}
	msg.VotingEnd = in.Now().Add(period).Unix()
	return msg, nil
}

// reportProposal reads the new proposal's id from its event.
func reportProposal(r module.Result) module.Report {
	id := r.Attr(EventProposal, "id")
	if id == "" {
		return module.Report{}
	}
	n, _ := strconv.ParseUint(id, 10, 64)
	return module.Report{Fields: map[string]any{"proposal_id": n},
		Lines: []string{fmt.Sprintf("proposal %s submitted: members vote with 'ledgerd tx gov vote %s yes|no|abstain --from KEY'", id, id)}}
}

// reportVote says where the proposal stands after the vote's block: its
// status, and its tally if still in voting.
func (mod *Module) reportVote(r module.Result) module.Report {
	v, ok := r.Msg().(*govv1.MsgVote)
	if !ok {
		return module.Report{}
	}
	option := OptionName(v.Option)
	rep := module.Report{Fields: map[string]any{"proposal_id": v.ProposalId, "option": option}}
	if r.Height() == 0 {
		return rep
	}
	p := new(govv1.Proposal)
	if found, err := r.Record(StoreName, ProposalKey(v.ProposalId), p); err != nil || !found {
		return rep
	}
	status := StatusName(p.Status)
	rep.Fields["proposal_status"] = status
	line := fmt.Sprintf("voted %s on proposal %d, which is %s", option, v.ProposalId, status)
	switch {
	case p.Status == govv1.ProposalStatus_PROPOSAL_STATUS_FAILED:
		line += ": " + r.Explain(p.DecidedHeight, p.FailureCodespace, p.FailureCode, EventProposal, strconv.FormatUint(p.Id, 10))
	case p.Status == govv1.ProposalStatus_PROPOSAL_STATUS_VOTING:
		t := new(govv1.Tally)
		if found, err := r.Query(QueryPrefix+"tally/"+strconv.FormatUint(p.Id, 10), t); err == nil && found {
			line += ": " + TallyText(t)
		}
	case p.FinalTally != nil:
		line += ": " + TallyText(p.FinalTally)
	}
	rep.Lines = append(rep.Lines, line)
	return rep
}

// TallyText is a tally as the CLI prints it: "2 yes, 1 no, 0 abstain of 4
// active members; 3 needed".
func TallyText(t *govv1.Tally) string {
	return fmt.Sprintf("%d yes, %d no, %d abstain of %d active members; %d yes needed", t.Yes, t.No, t.Abstain, t.Eligible, t.Needed)
}

// setGovParamsCLI changes the parameters the flags name and keeps the
// chain's current values of the others.
func setGovParamsCLI() module.CLI {
	return module.CLI{
		Use:   "set-gov-params [--threshold N/D] [--min-voting-period D] [--max-voting-period D] [--max-open N]",
		Short: "Change governance's own parameters; those not given keep the chain's current values",
		Flags: []module.Flag{
			{Name: "threshold", Usage: "share of the active members whose yes passes a proposal, N/D (more than 1/2, at most 1)"},
			{Name: "min-voting-period", Usage: "shortest time from submission to the deadline, whole seconds, at least 1m (a Go duration: 90m)"},
			{Name: "max-voting-period", Usage: "longest time from submission to the deadline, at most 8760h"},
			{Name: "max-open", Usage: "most proposals in voting at once (1 to 1000)"},
		},
		Build: func(in module.Input) (proto.Message, error) {
			if !in.Changed("threshold") && !in.Changed("min-voting-period") && !in.Changed("max-voting-period") && !in.Changed("max-open") {
				return nil, fmt.Errorf("nothing to change: give --threshold, --min-voting-period, --max-voting-period or --max-open")
			}
			p := DefaultParams()
			if _, err := in.Record(StoreName, ParamsKey(), p); err != nil {
				return nil, err
			}
			if in.Changed("threshold") {
				num, den, ok := strings.Cut(in.Flag("threshold"), "/")
				n, err1 := strconv.ParseUint(num, 10, 32)
				d, err2 := strconv.ParseUint(den, 10, 32)
				if !ok || err1 != nil || err2 != nil {
					return nil, fmt.Errorf("--threshold %q: want N/D, e.g. 2/3", in.Flag("threshold"))
				}
				p.ThresholdNumerator, p.ThresholdDenominator = uint32(n), uint32(d)
			}
			for name, field := range map[string]*int64{"min-voting-period": &p.MinVotingPeriodSeconds, "max-voting-period": &p.MaxVotingPeriodSeconds} { // nolint:determinism: CLI only; each flag sets its own field
				if !in.Changed(name) {
					continue
				}
				d, err := time.ParseDuration(in.Flag(name))
				if err != nil || d%time.Second != 0 {
					return nil, fmt.Errorf("--%s %q: want a duration of whole seconds (90m, 72h)", name, in.Flag(name))
				}
				*field = int64(d / time.Second)
			}
			if in.Changed("max-open") {
				n, err := strconv.ParseUint(in.Flag("max-open"), 10, 32)
				if err != nil {
					return nil, fmt.Errorf("--max-open %q: want a whole number", in.Flag("max-open"))
				}
				p.MaxOpenProposals = uint32(n)
			}
			if err := ValidateParams(p); err != nil {
				return nil, err
			}
			return &govv1.SetGovParams{Params: p}, nil
		},
	}
}
