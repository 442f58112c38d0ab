package consortium

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/module"
)

// Bounds of governance actions.
const (
	MaxValidatorPower = 1_000_000
	MaxListLen        = 64 // operators or node ids of one member
)

// actions are the governance actions on the members: who is in the
// consortium, what each may do, its keys, nodes and validator. Each is
// validated against the state when proposed and again when executed, and
// fails (governance wraps the error as gov's invalid action) without
// changing anything.
type actions struct {
	hasWallet func(ctx exec.Context, addr common.Address) bool
}

func (a *actions) govActions() []module.GovAction {
	return []module.GovAction{
		{
			Field: "add_member", Name: "add-member", Doc: "admit a new member, active at once",
			Apply: func(ctx exec.Context, m proto.Message) ([]abci.ValidatorUpdate, error) {
				am := m.(*govv1.AddMember)
				return a.run(ctx, func(e *env) error { return e.addMember(am.GetMember(), am.GetAllowConcentration()) })
			},
			Describe: func(m proto.Message) string {
				mem := m.(*govv1.AddMember).GetMember()
				return fmt.Sprintf("admit %s (%q) as %s", mem.GetId(), mem.GetName(), RoleNames(mem.GetRoles()))
			},
			Commands: []module.CLI{addMemberCLI()},
		},
		{
			Field: "set_member_status", Name: "set-member-status", Doc: "suspend, reinstate or remove a member",
			Apply: func(ctx exec.Context, m proto.Message) ([]abci.ValidatorUpdate, error) {
				return a.run(ctx, func(e *env) error { return e.setStatus(m.(*govv1.SetMemberStatus)) })
			},
			Describe: func(m proto.Message) string {
				s := m.(*govv1.SetMemberStatus)
				return fmt.Sprintf("make %s %s", s.GetMemberId(), StatusName(s.GetStatus()))
			},
			Commands: statusCLIs(),
		},
		{
			Field: "set_roles", Name: "set-roles", Doc: "replace a member's roles",
			Apply: func(ctx exec.Context, m proto.Message) ([]abci.ValidatorUpdate, error) {
				return a.run(ctx, func(e *env) error { return e.setRoles(m.(*govv1.SetRoles)) })
			},
			Describe: func(m proto.Message) string {
				s := m.(*govv1.SetRoles)
				return fmt.Sprintf("set the roles of %s to %s", s.GetMemberId(), RoleNames(s.GetRoles()))
			},
			Commands: []module.CLI{{Use: "set-roles ID --roles ROLES", Short: "Replace a member's roles",
				Args:  []string{"member_id"},
				Flags: []module.Flag{{Field: "roles", Required: true, Repeated: true, Usage: "roles, comma-separated: " + strings.Join(RoleList(), ", ")}},
				Build: func(in module.Input) (proto.Message, error) {
					a := new(govv1.SetRoles)
					if err := setAll(in, a, map[string]string{"member_id": in.Arg(0), "roles": in.Flag("roles")}); err != nil {
						return nil, err
					}
					slices.Sort(a.Roles) // the chain keeps roles sorted
					return a, nil
				}}},
		},
		{
			Field: "set_operators", Name: "set-operators", Doc: "replace a member's operator keys (rotation)",
			Apply: func(ctx exec.Context, m proto.Message) ([]abci.ValidatorUpdate, error) {
				s := m.(*govv1.SetOperators)
				return a.run(ctx, func(e *env) error { return e.setOperators(s.GetMemberId(), s.GetOperators()) })
			},
			Describe: func(m proto.Message) string {
				s := m.(*govv1.SetOperators)
				return fmt.Sprintf("set the operators of %s to %s", s.GetMemberId(), hexList(s.GetOperators()))
			},
			Commands: []module.CLI{{Use: "set-operators ID --operator ADDR...", Short: "Replace a member's operator addresses (key rotation)",
				Args:  []string{"member_id"},
				Flags: []module.Flag{{Field: "operators", Name: "operator", Required: true, Repeated: true, Usage: "an operator address, 0x... (repeat for several; the list replaces the current one)"}}}},
		},
		{
			Field: "set_node_ids", Name: "set-node-ids", Doc: "replace a member's P2P node ids",
			Apply: func(ctx exec.Context, m proto.Message) ([]abci.ValidatorUpdate, error) {
				s := m.(*govv1.SetNodeIds)
				return a.run(ctx, func(e *env) error { return e.setNodeIDs(s.GetMemberId(), s.GetNodeIds()) })
			},
			Describe: func(m proto.Message) string {
				s := m.(*govv1.SetNodeIds)
				if len(s.GetNodeIds()) == 0 {
					return fmt.Sprintf("remove every node id of %s", s.GetMemberId())
				}
				return fmt.Sprintf("set the node ids of %s to %s", s.GetMemberId(), strings.Join(s.GetNodeIds(), ", "))
			},
			Commands: []module.CLI{setNodeIDsCLI()},
		},
		{
			Field: "set_validator", Name: "set-validator", Doc: "set a member's validator key and power",
			Apply: func(ctx exec.Context, m proto.Message) ([]abci.ValidatorUpdate, error) {
				return a.run(ctx, func(e *env) error { return e.setValidator(m.(*govv1.SetValidator)) })
			},
			Describe: func(m proto.Message) string {
				s := m.(*govv1.SetValidator)
				if s.GetPower() == 0 {
					return fmt.Sprintf("remove the validator of %s", s.GetMemberId())
				}
				return fmt.Sprintf("set the validator of %s to key %s with power %d", s.GetMemberId(),
					base64.StdEncoding.EncodeToString(s.GetPubKey()), s.GetPower())
			},
			Commands: []module.CLI{setValidatorCLI()},
		},
	}
}

// env is the state an action is validated against and applied to.
type env struct {
	ctx     exec.Context
	members Keeper
	a       *actions
	// updates collects validator updates for CometBFT.
	updates []abci.ValidatorUpdate
}

func (a *actions) run(ctx exec.Context, f func(*env) error) ([]abci.ValidatorUpdate, error) {
	e := &env{ctx: ctx, members: NewKeeper(ctx.KV(StoreName)), a: a}
	if err := f(e); err != nil {
		return nil, err
	}
	return e.updates, nil
}

func invalid(format string, args ...any) error { return fmt.Errorf(format, args...) }

func (e *env) member(id string) (*consortiumv1.Member, error) {
	m, err := e.members.Member(id)
	if err != nil {
		return nil, invalid("member %q does not exist", id)
	}
	return m, nil
}

func (e *env) allMembers() ([]*consortiumv1.Member, error) {
	var out []*consortiumv1.Member
	for _, id := range e.members.MemberIDs() {
		m, err := e.member(id)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func (e *env) addMember(m *consortiumv1.Member, allowConcentration bool) error {
	if m == nil {
		return invalid("add-member: no member")
	}
	m = proto.Clone(m).(*consortiumv1.Member)
	if !ValidMemberID(m.Id) {
		return invalid("member id %q: 2-32 characters of a-z, 0-9 and '-'", m.Id)
	}
	if _, err := e.members.Member(m.Id); err == nil {
		return invalid("member %q already exists", m.Id)
	}
	if strings.TrimSpace(m.Name) == "" || len(m.Name) > 128 {
		return invalid("member %q: name must be 1-128 characters", m.Id)
	}
	if err := checkRoles(m.Roles); err != nil {
		return err
	}
	m.Status = consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE
	ops, nodes, v := m.Operators, m.NodeIds, m.Validator
	m.Operators, m.NodeIds, m.Validator = nil, nil, nil
	e.members.SetMember(m)
	if err := e.setOperators(m.Id, ops); err != nil {
		return err
	}
	if err := e.setNodeIDs(m.Id, nodes); err != nil {
		return err
	}
	if v != nil && v.Power > 0 {
		return e.setValidator(&govv1.SetValidator{MemberId: m.Id, PubKey: v.PubKey, Power: v.Power, AllowConcentration: allowConcentration})
	}
	return nil
}

func checkRoles(roles []consortiumv1.Role) error {
	if len(roles) == 0 {
		return invalid("no roles")
	}
	for i, r := range roles {
		if _, ok := consortiumv1.Role_name[int32(r)]; !ok || r == consortiumv1.Role_ROLE_UNSPECIFIED {
			return invalid("unknown role %d", r)
		}
		if i > 0 && roles[i-1] >= r {
			return invalid("roles must be sorted and listed once")
		}
	}
	return nil
}

func (e *env) setStatus(a *govv1.SetMemberStatus) error {
	m, err := e.member(a.MemberId)
	if err != nil {
		return err
	}
	before, err := e.powers()
	if err != nil {
		return err
	}
	from, to := m.Status, a.Status
	const active, suspended, removed = consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE,
		consortiumv1.MemberStatus_MEMBER_STATUS_SUSPENDED, consortiumv1.MemberStatus_MEMBER_STATUS_REMOVED
	switch {
	case from == removed:
		return invalid("member %q is removed: removal is final", m.Id)
	case to == from:
		return invalid("member %q is %s already", m.Id, from)
	case to == active && from == suspended, to == suspended && from == active, to == removed:
	default:
		return invalid("member %q cannot go from %s to %s", m.Id, from, to)
	}
	m.Status = to
	if to != active && m.Validator.GetPower() > 0 {
		e.updates = append(e.updates, abci.Ed25519ValidatorUpdate(m.Validator.PubKey, 0))
		m.Validator.Power = 0
	}
	e.members.SetMember(m)
	if to == removed {
		// Its operators can never sign again, and its nodes never connect.
		if err := e.setOperators(m.Id, nil); err != nil {
			return err
		}
		if err := e.setNodeIDs(m.Id, nil); err != nil {
			return err
		}
	}
	return e.checkValidatorSet(before, a.AllowConcentration)
}

func (e *env) setRoles(a *govv1.SetRoles) error {
	m, err := e.member(a.MemberId)
	if err != nil {
		return err
	}
	if m.Status == consortiumv1.MemberStatus_MEMBER_STATUS_REMOVED {
		return invalid("member %q is removed", m.Id)
	}
	if err := checkRoles(a.Roles); err != nil {
		return err
	}
	m.Roles = slices.Clone(a.Roles)
	e.members.SetMember(m)
	return nil
}

// setOperators replaces member id's operators. Operators taken off keep
// their record and nonce with no member, so that a signed transaction of
// theirs cannot be replayed if they are given back later.
func (e *env) setOperators(id string, ops [][]byte) error {
	m, err := e.member(id)
	if err != nil {
		return err
	}
	if len(ops) > MaxListLen {
		return invalid("%d operators: at most %d", len(ops), MaxListLen)
	}
	next := make([][]byte, 0, len(ops))
	for _, op := range ops {
		if len(op) != common.AddressLength {
			return invalid("operator %x: want a 20-byte address", op)
		}
		addr := common.BytesToAddress(op)
		if rec, ok := e.members.Operator(addr); ok && rec.MemberId != "" && rec.MemberId != id {
			return invalid("operator %s already operates for %q", addr.Hex(), rec.MemberId)
		}
		if e.a.hasWallet(e.ctx, addr) {
			return invalid("operator %s owns a wallet: an address is either an operator or a wallet owner", addr.Hex())
		}
		next = append(next, addr.Bytes())
	}
	slices.SortFunc(next, bytes.Compare)
	if len(next) != len(slices.CompactFunc(slices.Clone(next), bytes.Equal)) {
		return invalid("an operator is listed twice")
	}
	for _, old := range m.Operators {
		if _, keep := slices.BinarySearchFunc(next, old, bytes.Compare); !keep {
			rec, _ := e.members.Operator(common.BytesToAddress(old))
			rec.Address, rec.MemberId = old, ""
			e.members.SetOperator(rec)
		}
	}
	for _, op := range next {
		rec, _ := e.members.Operator(common.BytesToAddress(op)) // nonce kept if it operated before
		rec.Address, rec.MemberId = op, id
		e.members.SetOperator(rec)
	}
	m.Operators = next
	e.members.SetMember(m)
	return nil
}

func (e *env) setNodeIDs(id string, nodes []string) error {
	m, err := e.member(id)
	if err != nil {
		return err
	}
	if len(nodes) > MaxListLen {
		return invalid("%d node ids: at most %d", len(nodes), MaxListLen)
	}
	next := slices.Clone(nodes)
	slices.Sort(next)
	for i, n := range next {
		if !ValidNodeID(n) {
			return invalid("node id %q: want 40 lowercase hex characters (ledgerd show-node-id)", n)
		}
		if i > 0 && next[i-1] == n {
			return invalid("node id %s listed twice", n)
		}
		if owner, ok := e.members.NodeMember(n); ok && owner.Id != id {
			return invalid("node id %s belongs to %q", n, owner.Id)
		}
	}
	for _, old := range m.NodeIds {
		if _, keep := slices.BinarySearch(next, old); !keep {
			e.members.DeleteNode(old)
		}
	}
	for _, n := range next {
		e.members.SetNode(n, id)
	}
	m.NodeIds = next
	e.members.SetMember(m)
	return nil
}

func (e *env) setValidator(a *govv1.SetValidator) error {
	m, err := e.member(a.MemberId)
	if err != nil {
		return err
	}
	if a.Power < 0 || a.Power > MaxValidatorPower {
		return invalid("power %d: want 0 to %d", a.Power, MaxValidatorPower)
	}
	if a.Power > 0 && m.Status != consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE {
		return invalid("member %q is %s: only active members validate", m.Id, m.Status)
	}
	if len(a.PubKey) != 32 {
		return invalid("validator pub_key: want a 32-byte Ed25519 key (ledgerd show-validator), got %d bytes", len(a.PubKey))
	}
	members, err := e.allMembers()
	if err != nil {
		return err
	}
	before, err := e.powers()
	if err != nil {
		return err
	}
	for _, other := range members {
		if other.Id != m.Id && bytes.Equal(other.Validator.GetPubKey(), a.PubKey) {
			return invalid("validator key belongs to %q", other.Id)
		}
	}
	if old := m.Validator; old.GetPower() > 0 && !bytes.Equal(old.PubKey, a.PubKey) {
		e.updates = append(e.updates, abci.Ed25519ValidatorUpdate(old.PubKey, 0)) // key rotated
	}
	e.updates = append(e.updates, abci.Ed25519ValidatorUpdate(a.PubKey, a.Power))
	m.Validator = &consortiumv1.Validator{PubKey: slices.Clone(a.PubKey), Power: a.Power}
	e.members.SetMember(m)
	return e.checkValidatorSet(before, a.AllowConcentration)
}

// powers returns each member's voting power.
func (e *env) powers() (map[string]int64, error) {
	members, err := e.allMembers()
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(members))
	for _, m := range members {
		out[m.Id] = m.Validator.GetPower()
	}
	return out, nil
}

// checkValidatorSet refuses a change that leaves no validator, or that
// raises a member's share of the voting power to a third or more (a
// member already there may keep or lower its share), unless allowed.
func (e *env) checkValidatorSet(before map[string]int64, allowConcentration bool) error {
	after, err := e.powers()
	if err != nil {
		return err
	}
	var totalBefore, totalAfter int64
	ids := e.members.MemberIDs()
	for _, id := range ids {
		totalBefore += before[id]
		totalAfter += after[id]
	}
	if totalAfter == 0 {
		return invalid("no validator would be left: the chain would stop")
	}
	if allowConcentration {
		return nil
	}
	for _, id := range ids { // id order: the first offender is reported
		p := after[id]
		if p == 0 || 3*p < totalAfter {
			continue
		}
		// Its share rises if p/totalAfter > before/totalBefore.
		if totalBefore == 0 || p*totalBefore > before[id]*totalAfter {
			return invalid("%q would hold %d of %d voting power, a third or more (allow_concentration accepts this)", id, p, totalAfter)
		}
	}
	return nil
}

func hexList(addrs [][]byte) string {
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = common.BytesToAddress(a).Hex()
	}
	return strings.Join(out, ", ")
}

// StatusName is the CLI name of a member status ("suspended").
func StatusName(s consortiumv1.MemberStatus) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "MEMBER_STATUS_"))
}
