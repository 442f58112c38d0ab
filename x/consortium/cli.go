package consortium

import (
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	"github.com/ledgerd/ledgerd/x/module"
)

// The commands of the governance actions on members, under
// `ledgerd tx gov propose`. Their Build functions run in the CLI.

// RoleList is every role's name, in role order. Role numbers have gaps
// (roles added on parallel branches take distant numbers).
func RoleList() []string {
	var out []string
	for _, i := range slices.Sorted(maps.Keys(consortiumv1.Role_name)) {
		if i != 0 {
			out = append(out, RoleName(consortiumv1.Role(i)))
		}
	}
	return out
}

// parseValidatorKey reads an Ed25519 public key in base64, as
// `ledgerd show-validator` prints it.
func parseValidatorKey(s string) ([]byte, error) {
	pk, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(pk) != 32 {
		return nil, fmt.Errorf("validator key %q: want a base64 32-byte Ed25519 public key (ledgerd show-validator)", s)
	}
	return pk, nil
}

func addMemberCLI() module.CLI {
	return module.CLI{
		Use:   "add-member ID --name NAME --roles ROLES [--operator ADDR]... [--node-id ID]... [--validator-key KEY --power N [--allow-concentration]]",
		Short: "Admit a new member, active at once",
		Args:  []string{"member.id"},
		Flags: []module.Flag{
			{Field: "member.name", Required: true, Usage: "the member's legal name"},
			{Field: "member.roles", Required: true, Repeated: true, Usage: "roles, comma-separated: " + strings.Join(RoleList(), ", ")},
			{Field: "member.operators", Name: "operator", Repeated: true, Usage: "an operator address, 0x... (repeat for several)"},
			{Field: "member.node_ids", Name: "node-id", Repeated: true, Usage: "a P2P node id the member runs (ledgerd show-node-id; repeat for several)"},
			{Name: "validator-key", Usage: "the member's validator public key, base64 (ledgerd show-validator)"},
			{Name: "power", Usage: "the validator's voting power"},
			{Field: "allow_concentration", Bool: true, Usage: "accept that the new validator holds a third or more of the voting power"},
		},
		Build: func(in module.Input) (proto.Message, error) {
			a := &govv1.AddMember{Member: &consortiumv1.Member{}}
			if err := setAll(in, a, map[string]string{"member.id": in.Arg(0), "member.name": in.Flag("name"),
				"member.roles": in.Flag("roles"), "member.operators": in.Flag("operator"), "member.node_ids": in.Flag("node-id"),
				"allow_concentration": in.Flag("allow-concentration")}); err != nil {
				return nil, err
			}
			slices.Sort(a.Member.Roles) // the chain keeps roles sorted
			key, power := in.Flag("validator-key"), in.Flag("power")
			if (key == "") != (power == "" || power == "0") {
				return nil, fmt.Errorf("--validator-key and --power go together: a validator needs both")
			}
			if key != "" {
				pk, err := parseValidatorKey(key)
				if err != nil {
					return nil, err
				}
				p, err := strconv.ParseInt(power, 10, 64)
				if err != nil {
					return nil, fmt.Errorf("--power %q: want a whole number", power)
				}
				a.Member.Validator = &consortiumv1.Validator{PubKey: pk, Power: p}
			}
			return a, nil
		},
	}
}

// statusCLIs are suspend-member, reinstate-member and remove-member.
func statusCLIs() []module.CLI {
	allow := module.Flag{Field: "allow_concentration", Bool: true, Usage: "accept that the validator change leaves a member with a third or more of the voting power"}
	cmd := func(verb string, to consortiumv1.MemberStatus, short string) module.CLI {
		c := module.CLI{Use: verb + "-member ID", Short: short, Args: []string{"member_id"},
			Build: func(in module.Input) (proto.Message, error) {
				a := &govv1.SetMemberStatus{MemberId: in.Arg(0), Status: to}
				return a, setAll(in, a, map[string]string{"allow_concentration": in.Flag("allow-concentration")})
			}}
		if to != consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE {
			c.Use += " [--allow-concentration]"
			c.Flags = []module.Flag{allow}
		}
		return c
	}
	return []module.CLI{
		cmd("suspend", consortiumv1.MemberStatus_MEMBER_STATUS_SUSPENDED,
			"Suspend a member: its operators cannot sign, its votes do not count, its validator power goes to 0, its nodes are refused"),
		cmd("reinstate", consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE,
			"Reinstate a suspended member (its validator power stays 0: set it with set-validator)"),
		cmd("remove", consortiumv1.MemberStatus_MEMBER_STATUS_REMOVED,
			"Remove a member for good: its operators and node ids are dropped; its wallets stay (move them with move-wallets)"),
	}
}

func setNodeIDsCLI() module.CLI {
	return module.CLI{
		Use:   "set-node-ids ID (--node-id ID... | --none)",
		Short: "Replace a member's P2P node ids: nodes not listed are refused as peers",
		Args:  []string{"member_id"},
		Flags: []module.Flag{
			{Field: "node_ids", Name: "node-id", Repeated: true, Usage: "a P2P node id, 40 hex characters (ledgerd show-node-id; repeat for several)"},
			{Name: "none", Bool: true, Usage: "the member runs no node"},
		},
		Build: func(in module.Input) (proto.Message, error) {
			a := &govv1.SetNodeIds{MemberId: in.Arg(0)}
			nodes, none := in.Flag("node-id"), in.Flag("none") == "true"
			if none == (nodes != "") {
				return nil, fmt.Errorf("give the member's node ids with --node-id (repeat for several), or --none for a member that runs no node")
			}
			if err := in.Set(a, "node_ids", nodes); err != nil {
				return nil, err
			}
			for _, n := range a.NodeIds {
				if !ValidNodeID(n) {
					return nil, fmt.Errorf("node id %q: want 40 lowercase hex characters (ledgerd show-node-id)", n)
				}
			}
			return a, nil
		},
	}
}

func setValidatorCLI() module.CLI {
	return module.CLI{
		Use:   "set-validator ID --power N [--validator-key KEY] [--allow-concentration]",
		Short: "Set a member's validator key and power; power 0 removes its validator",
		Args:  []string{"member_id"},
		Flags: []module.Flag{
			{Field: "power", Required: true, Usage: "voting power; 0 removes the validator"},
			{Name: "validator-key", Usage: "the validator's Ed25519 public key, base64 (ledgerd show-validator); default: the member's current key"},
			{Field: "allow_concentration", Bool: true, Usage: "accept that the change leaves a member with a third or more of the voting power"},
		},
		Build: func(in module.Input) (proto.Message, error) {
			a := &govv1.SetValidator{MemberId: in.Arg(0)}
			if err := setAll(in, a, map[string]string{"power": in.Flag("power"), "allow_concentration": in.Flag("allow-concentration")}); err != nil {
				return nil, err
			}
			if key := in.Flag("validator-key"); key != "" {
				pk, err := parseValidatorKey(key)
				if err != nil {
					return nil, err
				}
				a.PubKey = pk
				return a, nil
			}
			m := new(consortiumv1.Member)
			found, err := in.Record(StoreName, MemberKey(a.MemberId), m)
			if err != nil {
				return nil, err
			}
			if !found || len(m.GetValidator().GetPubKey()) == 0 {
				return nil, fmt.Errorf("member %s has no validator key yet: give --validator-key", a.MemberId)
			}
			a.PubKey = m.Validator.PubKey
			return a, nil
		},
	}
}

// setAll fills fields of msg from texts (empty texts are skipped), in
// field order so that errors come out in a stable order.
func setAll(in module.Input, msg proto.Message, texts map[string]string) error {
	fields := make([]string, 0, len(texts))
	for f := range texts { // nolint:determinism: CLI only; sorted below
		fields = append(fields, f)
	}
	slices.Sort(fields)
	for _, f := range fields {
		if texts[f] == "" {
			continue
		}
		if err := in.Set(msg, f, texts[f]); err != nil {
			return err
		}
	}
	return nil
}
