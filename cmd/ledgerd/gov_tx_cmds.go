package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ledgerd/ledgerd/client"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/aml"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/gov"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// defaultVotingPeriod is --voting-period's default.
const defaultVotingPeriod = 72 * time.Hour

// newTxGovCmd is `ledgerd tx gov`: propose and vote.
func newTxGovCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "gov",
		Short: "Governance: propose a change to the consortium or its rules (an operator of an active member), vote on proposals",
	}
	propose := &cobra.Command{
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
	}
	propose.AddCommand(newProposeCmds()...)
	cmd.AddCommand(propose, newVoteCmd())
	return cmd
}

func newProposeCmds() []*cobra.Command {
	addMember := proposeCmd("add-member ID --name NAME --roles ROLES [--operator ADDR]... [--node-id ID]... [--validator-key KEY --power N [--allow-concentration]]",
		"Admit a new member, active at once", cobra.ExactArgs(1),
		func(cmd *cobra.Command, args []string) (*govv1.Action, error) {
			roles, err := parseRoles(stringSlice(cmd, "roles"))
			if err != nil {
				return nil, err
			}
			ops, err := parseOperators(stringSlice(cmd, "operator"))
			if err != nil {
				return nil, err
			}
			m := &consortiumv1.Member{Id: args[0], Name: stringFlag(cmd, "name"), Roles: roles, Operators: ops, NodeIds: stringSlice(cmd, "node-id")}
			key, power := stringFlag(cmd, "validator-key"), int64Flag(cmd, "power")
			if (key == "") != (power == 0) {
				return nil, fmt.Errorf("--validator-key and --power go together: a validator needs both")
			}
			if key != "" {
				pk, err := parseValidatorKey(key)
				if err != nil {
					return nil, err
				}
				m.Validator = &consortiumv1.Validator{PubKey: pk, Power: power}
			}
			allow, _ := cmd.Flags().GetBool("allow-concentration")
			return &govv1.Action{Kind: &govv1.Action_AddMember{AddMember: &govv1.AddMember{Member: m, AllowConcentration: allow}}}, nil
		})
	addMember.Flags().String("name", "", "the member's legal name (required)")
	addMember.Flags().StringSlice("roles", nil, "roles: issuer, lender, auditor, regulator (comma-separated, required)")
	addMember.Flags().StringSlice("operator", nil, "an operator address, 0x... (repeat for several)")
	addMember.Flags().StringSlice("node-id", nil, "a P2P node id the member runs (ledgerd show-node-id; repeat for several)")
	addMember.Flags().String("validator-key", "", "the member's validator public key, base64 (ledgerd show-validator)")
	addMember.Flags().Int64("power", 0, "the validator's voting power")
	addMember.Flags().Bool("allow-concentration", false, "accept that the new validator holds a third or more of the voting power")
	_ = addMember.MarkFlagRequired("name")
	_ = addMember.MarkFlagRequired("roles")

	status := func(verb string, to consortiumv1.MemberStatus, short string) *cobra.Command {
		cmd := proposeCmd(verb+"-member ID", short, cobra.ExactArgs(1),
			func(cmd *cobra.Command, args []string) (*govv1.Action, error) {
				allow, _ := cmd.Flags().GetBool("allow-concentration")
				return &govv1.Action{Kind: &govv1.Action_SetMemberStatus{SetMemberStatus: &govv1.SetMemberStatus{
					MemberId: args[0], Status: to, AllowConcentration: allow}}}, nil
			})
		if to != consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE {
			cmd.Flags().Bool("allow-concentration", false, "accept that the validator change leaves a member with a third or more of the voting power")
		}
		return cmd
	}
	suspend := status("suspend", consortiumv1.MemberStatus_MEMBER_STATUS_SUSPENDED,
		"Suspend a member: its operators cannot sign, its votes do not count, its validator power goes to 0, its nodes are refused")
	reinstate := status("reinstate", consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE,
		"Reinstate a suspended member (its validator power stays 0: set it with set-validator)")
	remove := status("remove", consortiumv1.MemberStatus_MEMBER_STATUS_REMOVED,
		"Remove a member for good: its operators and node ids are dropped; its wallets stay (move them with move-wallets)")

	setRoles := proposeCmd("set-roles ID --roles ROLES", "Replace a member's roles", cobra.ExactArgs(1),
		func(cmd *cobra.Command, args []string) (*govv1.Action, error) {
			roles, err := parseRoles(stringSlice(cmd, "roles"))
			if err != nil {
				return nil, err
			}
			return &govv1.Action{Kind: &govv1.Action_SetRoles{SetRoles: &govv1.SetRoles{MemberId: args[0], Roles: roles}}}, nil
		})
	setRoles.Flags().StringSlice("roles", nil, "roles: issuer, lender, auditor, regulator (comma-separated, required)")
	_ = setRoles.MarkFlagRequired("roles")

	setOperators := proposeCmd("set-operators ID --operator ADDR...", "Replace a member's operator addresses (key rotation)", cobra.ExactArgs(1),
		func(cmd *cobra.Command, args []string) (*govv1.Action, error) {
			ops, err := parseOperators(stringSlice(cmd, "operator"))
			if err != nil {
				return nil, err
			}
			if len(ops) == 0 {
				return nil, fmt.Errorf("give at least one --operator: a member without operators cannot act (suspend or remove it instead)")
			}
			return &govv1.Action{Kind: &govv1.Action_SetOperators{SetOperators: &govv1.SetOperators{MemberId: args[0], Operators: ops}}}, nil
		})
	setOperators.Flags().StringSlice("operator", nil, "an operator address, 0x... (repeat for several; the list replaces the current one)")

	setNodeIDs := proposeCmd("set-node-ids ID (--node-id ID... | --none)", "Replace a member's P2P node ids: nodes not listed are refused as peers",
		cobra.ExactArgs(1),
		func(cmd *cobra.Command, args []string) (*govv1.Action, error) {
			nodes := stringSlice(cmd, "node-id")
			none, _ := cmd.Flags().GetBool("none")
			if none == (len(nodes) > 0) {
				return nil, fmt.Errorf("give the member's node ids with --node-id (repeat for several), or --none for a member that runs no node")
			}
			for _, n := range nodes {
				if !consortium.ValidNodeID(n) {
					return nil, fmt.Errorf("node id %q: want 40 lowercase hex characters (ledgerd show-node-id)", n)
				}
			}
			return &govv1.Action{Kind: &govv1.Action_SetNodeIds{SetNodeIds: &govv1.SetNodeIds{MemberId: args[0], NodeIds: nodes}}}, nil
		})
	setNodeIDs.Flags().StringSlice("node-id", nil, "a P2P node id, 40 hex characters (ledgerd show-node-id; repeat for several)")
	setNodeIDs.Flags().Bool("none", false, "the member runs no node")

	setValidator := proposeCmd("set-validator ID --power N [--validator-key KEY] [--allow-concentration]",
		"Set a member's validator key and power; power 0 removes its validator", cobra.ExactArgs(1),
		func(cmd *cobra.Command, args []string) (*govv1.Action, error) {
			if !cmd.Flags().Changed("power") {
				return nil, fmt.Errorf("--power is required (0 removes the validator)")
			}
			var pk []byte
			if key := stringFlag(cmd, "validator-key"); key != "" {
				var err error
				if pk, err = parseValidatorKey(key); err != nil {
					return nil, err
				}
			} else {
				m, err := nodeMember(cmd, args[0])
				if err != nil {
					return nil, err
				}
				if pk = m.GetValidator().GetPubKey(); len(pk) == 0 {
					return nil, fmt.Errorf("member %s has no validator key yet: give --validator-key", args[0])
				}
			}
			allow, _ := cmd.Flags().GetBool("allow-concentration")
			return &govv1.Action{Kind: &govv1.Action_SetValidator{SetValidator: &govv1.SetValidator{
				MemberId: args[0], PubKey: pk, Power: int64Flag(cmd, "power"), AllowConcentration: allow}}}, nil
		})
	setValidator.Flags().String("validator-key", "", "the validator's Ed25519 public key, base64 (ledgerd show-validator); default: the member's current key")
	setValidator.Flags().Int64("power", 0, "voting power; 0 removes the validator")
	setValidator.Flags().Bool("allow-concentration", false, "accept that the change leaves a member with a third or more of the voting power")

	setWalletParams := proposeCmd("set-wallet-params --file FILE",
		"Replace the wallet parameters (denoms, tier limits, issuance caps, time zone, batch size)", cobra.NoArgs,
		func(cmd *cobra.Command, _ []string) (*govv1.Action, error) {
			var g wallet.Genesis
			if err := readJSONFile(stringFlag(cmd, "file"), &g); err != nil {
				return nil, err
			}
			if len(g.Wallets) > 0 {
				return nil, fmt.Errorf("%s: wallets cannot be set by governance; leave them out", stringFlag(cmd, "file"))
			}
			p, err := validWalletParams(cmd, &g)
			if err != nil {
				return nil, err
			}
			return &govv1.Action{Kind: &govv1.Action_SetWalletParams{SetWalletParams: &govv1.SetWalletParams{Params: p}}}, nil
		})
	setWalletParams.Flags().String("file", "", `JSON in the genesis "wallet" section's format, without wallets (required)`)
	_ = setWalletParams.MarkFlagRequired("file")

	setAMLParams := proposeCmd("set-aml-params --file FILE", "Replace the AML parameters (large-value thresholds, velocity limit)", cobra.NoArgs,
		func(cmd *cobra.Command, _ []string) (*govv1.Action, error) {
			var g aml.Genesis
			if err := readJSONFile(stringFlag(cmd, "file"), &g); err != nil {
				return nil, err
			}
			st, err := g.Validate()
			if err != nil {
				return nil, err
			}
			return &govv1.Action{Kind: &govv1.Action_SetAmlParams{SetAmlParams: &govv1.SetAMLParams{Params: st.Params}}}, nil
		})
	setAMLParams.Flags().String("file", "", `JSON in the genesis "aml" section's format (required)`)
	_ = setAMLParams.MarkFlagRequired("file")

	setGovParams := proposeCmd("set-gov-params [--threshold N/D] [--min-voting-period D] [--max-voting-period D] [--max-open N]",
		"Change governance's own parameters; those not given keep the chain's current values", cobra.NoArgs,
		func(cmd *cobra.Command, _ []string) (*govv1.Action, error) {
			p, err := newGovParams(cmd)
			if err != nil {
				return nil, err
			}
			return &govv1.Action{Kind: &govv1.Action_SetGovParams{SetGovParams: &govv1.SetGovParams{Params: p}}}, nil
		})
	setGovParams.Flags().String("threshold", "", "share of the active members whose yes passes a proposal, N/D (more than 1/2, at most 1)")
	setGovParams.Flags().Duration("min-voting-period", 0, "shortest time from submission to the deadline, whole seconds, at least 1m")
	setGovParams.Flags().Duration("max-voting-period", 0, "longest time from submission to the deadline, at most 8760h")
	setGovParams.Flags().Uint32("max-open", 0, "most proposals in voting at once (1 to 1000)")

	moveWallets := proposeCmd("move-wallets --to BANK WALLET...", "Move wallets to another bank of record (an active issuer); balances stay",
		cobra.MinimumNArgs(1),
		func(cmd *cobra.Command, args []string) (*govv1.Action, error) {
			mv := &govv1.MoveWallets{ToBank: stringFlag(cmd, "to")}
			for _, a := range args {
				addr, err := parseAddress("wallet", a)
				if err != nil {
					return nil, err
				}
				mv.Wallets = append(mv.Wallets, addr.Bytes())
			}
			return &govv1.Action{Kind: &govv1.Action_MoveWallets{MoveWallets: mv}}, nil
		})
	moveWallets.Flags().String("to", "", "member id of the new bank of record (required)")
	_ = moveWallets.MarkFlagRequired("to")

	return []*cobra.Command{addMember, suspend, reinstate, remove, setRoles, setOperators, setNodeIDs, setValidator,
		setWalletParams, setAMLParams, setGovParams, moveWallets}
}

// proposeCmd makes a `tx gov propose` subcommand: action builds the action
// from the arguments and flags.
func proposeCmd(use, short string, args cobra.PositionalArgs, action func(*cobra.Command, []string) (*govv1.Action, error)) *cobra.Command {
	cmd := &cobra.Command{
		Use:   use + " --title TITLE (--document FILE | --document-hash HEX) [--voting-period D | --voting-end TIME] --from OPERATOR",
		Short: short,
		Args:  args,
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := action(cmd, args)
			if err != nil {
				return err
			}
			msg, err := proposalMsg(cmd, a)
			if err != nil {
				return err
			}
			res, err := submitTx(cmd, msg)
			if err != nil || res == nil {
				return err
			}
			return printTxResult(cmd, res, proposedExtra(res))
		},
	}
	f := cmd.Flags()
	f.String("title", "", "the proposal's title, at most 200 characters (required)")
	f.String("description", "", "what the proposal does and why, at most 10,000 characters")
	f.String("document", "", "file of the agreement the proposal implements: its SHA-256 is recorded")
	f.String("document-hash", "", "SHA-256 of the agreement, 64 hex characters (instead of --document)")
	f.Duration("voting-period", defaultVotingPeriod, "voting closes this long from now (this machine's clock)")
	f.String("voting-end", "", "voting closes at this time: RFC 3339, YYYY-MM-DD (midnight UTC) or Unix seconds (instead of --voting-period)")
	_ = cmd.MarkFlagRequired("title")
	txFlags(cmd)
	return cmd
}

// proposalMsg is the proposal of a with the proposal flags.
func proposalMsg(cmd *cobra.Command, a *govv1.Action) (*govv1.MsgSubmitProposal, error) {
	msg := &govv1.MsgSubmitProposal{Title: stringFlag(cmd, "title"), Description: stringFlag(cmd, "description"), Action: a}
	doc, hexHash := stringFlag(cmd, "document"), stringFlag(cmd, "document-hash")
	switch {
	case (doc == "") == (hexHash == ""):
		return nil, fmt.Errorf("give the agreement the proposal implements: --document FILE or --document-hash HEX (one of them)")
	case doc != "":
		b, err := os.ReadFile(doc)
		if err != nil {
			return nil, fmt.Errorf("--document: %w", err)
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
	if end := stringFlag(cmd, "voting-end"); end != "" {
		if cmd.Flags().Changed("voting-period") {
			return nil, fmt.Errorf("give --voting-end or --voting-period, not both")
		}
		t, err := parseTime(end)
		if err != nil {
			return nil, fmt.Errorf("--voting-end: %w", err)
		}
		msg.VotingEnd = t
	} else {
		period, _ := cmd.Flags().GetDuration("voting-period")
		msg.VotingEnd = time.Now().Add(period).Unix()
	}
	return msg, nil
}

// proposedExtra reads the new proposal's id from the gov_proposal event.
func proposedExtra(res *client.TxResult) *txExtra {
	id := eventAttr(res, "gov_proposal", "id")
	if id == "" {
		return nil
	}
	n, _ := strconv.ParseUint(id, 10, 64)
	return &txExtra{fields: map[string]any{"proposal_id": n},
		lines: []string{fmt.Sprintf("proposal %s submitted: members vote with 'ledgerd tx gov vote %s yes|no|abstain --from KEY'", id, id)}}
}

func eventAttr(res *client.TxResult, kind, key string) string {
	for _, e := range res.Events {
		if e.Type != kind {
			continue
		}
		for _, a := range e.Attributes {
			if a.Key == key {
				return a.Value
			}
		}
	}
	return ""
}

func newVoteCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "vote ID yes|no|abstain --from OPERATOR",
		Short: "Vote on a proposal for your member; a later vote replaces the earlier one until the deadline",
		Long: `vote casts your member's vote on proposal ID, signed by one of its operators.
Each active member has one vote; voting again before the deadline replaces it.
The proposal passes, and its action is executed, at the end of the block in
which its yes votes reach the threshold; the command prints where it stands
after the vote.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseProposalID(args[0])
			if err != nil {
				return err
			}
			option, err := gov.ParseOption(args[1])
			if err != nil {
				return err
			}
			res, err := submitTx(cmd, &govv1.MsgVote{ProposalId: id, Option: option})
			if err != nil || res == nil {
				return err
			}
			return printTxResult(cmd, res, votedExtra(cmd, id, args[1], res))
		},
	}
	txFlags(cmd)
	return cmd
}

// votedExtra says where the proposal stands after the vote's block: its
// status, and its tally if still in voting.
func votedExtra(cmd *cobra.Command, id uint64, option string, res *client.TxResult) *txExtra {
	extra := &txExtra{fields: map[string]any{"proposal_id": id, "option": option}}
	if res.Height == 0 {
		return extra
	}
	c, err := newClient(cmd)
	if err != nil {
		return extra
	}
	defer c.Close()
	p := new(govv1.Proposal)
	if err := c.RecordAt(cmd.Context(), gov.StoreName, gov.ProposalKey(id), res.Height, fmt.Sprintf("proposal %d", id), p); err != nil {
		return extra
	}
	status := gov.StatusName(p.Status)
	extra.fields["proposal_status"] = status
	line := fmt.Sprintf("voted %s on proposal %d, which is %s", option, id, status)
	switch {
	case p.Status == govv1.ProposalStatus_PROPOSAL_STATUS_FAILED:
		line += ": " + c.ProposalFailure(cmd.Context(), p)
	case p.Status == govv1.ProposalStatus_PROPOSAL_STATUS_VOTING:
		if t, err := c.Tally(cmd.Context(), id); err == nil {
			line += ": " + newCountView(t).String()
		}
	case p.FinalTally != nil:
		line += ": " + newCountView(p.FinalTally).String()
	}
	extra.lines = append(extra.lines, line)
	return extra
}

// printSignedAction writes what a SubmitProposal signature covers of the
// action, the kind and keccak256 that the typed data carries (action,
// actionHash), beside the action decoded.
func printSignedAction(w io.Writer, a *govv1.Action) error {
	kind, hash, err := auth.OneofDigest(a)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(map[string]any{"action": kind, "actionHash": "0x" + hex.EncodeToString(hash), "decoded": newActionView(a)}, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}

// parseRoles parses role names into the sorted list the chain wants.
func parseRoles(names []string) ([]consortiumv1.Role, error) {
	var roles []consortiumv1.Role
	for _, n := range names {
		r, err := consortium.ParseRole(strings.TrimSpace(n))
		if err != nil {
			return nil, err
		}
		if slices.Contains(roles, r) {
			return nil, fmt.Errorf("role %q listed twice", n)
		}
		roles = append(roles, r)
	}
	if len(roles) == 0 {
		return nil, fmt.Errorf("give at least one role: issuer, lender, auditor or regulator")
	}
	slices.Sort(roles)
	return roles, nil
}

func parseOperators(addrs []string) ([][]byte, error) {
	var out [][]byte
	for _, s := range addrs {
		a, err := parseAddress("operator", s)
		if err != nil {
			return nil, err
		}
		out = append(out, a.Bytes())
	}
	slices.SortFunc(out, bytes.Compare)
	return out, nil
}

func parseValidatorKey(s string) ([]byte, error) {
	pk, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(pk) != 32 {
		return nil, fmt.Errorf("validator key %q: want the base64 32-byte Ed25519 public key that 'ledgerd show-validator' prints", s)
	}
	return pk, nil
}

// nodeMember reads member id from the node.
func nodeMember(cmd *cobra.Command, id string) (*consortiumv1.Member, error) {
	c, err := newClient(cmd)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return c.Member(cmd.Context(), id)
}

// validWalletParams validates g against the chain's members and current
// parameters, as the chain will, and returns the parameters.
func validWalletParams(cmd *cobra.Command, g *wallet.Genesis) (*walletv1.Params, error) {
	c, err := newClient(cmd)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	members, err := c.Members(cmd.Context())
	if err != nil {
		return nil, err
	}
	st, err := g.Validate(members)
	if err != nil {
		return nil, err
	}
	current := new(walletv1.Params)
	if err := c.RecordAt(cmd.Context(), wallet.StoreName, wallet.ParamsKey(), 0, "wallet params", current); err != nil {
		return nil, err
	}
	return wallet.ValidateParams(st.Params, current, members)
}

// newGovParams returns the chain's governance parameters with the flags
// given changed, validated.
func newGovParams(cmd *cobra.Command) (*govv1.Params, error) {
	f := cmd.Flags()
	if !f.Changed("threshold") && !f.Changed("min-voting-period") && !f.Changed("max-voting-period") && !f.Changed("max-open") {
		return nil, fmt.Errorf("nothing to change: give --threshold, --min-voting-period, --max-voting-period or --max-open")
	}
	c, err := newClient(cmd)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	p, err := c.GovParams(cmd.Context())
	if err != nil {
		return nil, err
	}
	if f.Changed("threshold") {
		num, den, ok := strings.Cut(stringFlag(cmd, "threshold"), "/")
		n, err1 := strconv.ParseUint(num, 10, 32)
		d, err2 := strconv.ParseUint(den, 10, 32)
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("--threshold %q: want N/D, e.g. 2/3", stringFlag(cmd, "threshold"))
		}
		p.ThresholdNumerator, p.ThresholdDenominator = uint32(n), uint32(d)
	}
	for _, period := range []struct {
		name  string
		field *int64
	}{{"min-voting-period", &p.MinVotingPeriodSeconds}, {"max-voting-period", &p.MaxVotingPeriodSeconds}} {
		name, field := period.name, period.field
		if f.Changed(name) {
			d, _ := f.GetDuration(name)
			if d%time.Second != 0 {
				return nil, fmt.Errorf("--%s %s: want whole seconds", name, d)
			}
			*field = int64(d / time.Second)
		}
	}
	if f.Changed("max-open") {
		p.MaxOpenProposals, _ = f.GetUint32("max-open")
	}
	if err := gov.ValidateParams(p); err != nil {
		return nil, err
	}
	return p, nil
}

// readJSONFile decodes path into v, refusing unknown fields (a misspelt
// field would otherwise be dropped silently).
func readJSONFile(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func stringSlice(cmd *cobra.Command, name string) []string {
	s, _ := cmd.Flags().GetStringSlice(name)
	return s
}

func int64Flag(cmd *cobra.Command, name string) int64 {
	n, _ := cmd.Flags().GetInt64(name)
	return n
}
