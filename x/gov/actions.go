package gov

import (
	"bytes"
	"slices"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/aml"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// Bounds of actions.
const (
	MaxValidatorPower = 1_000_000
	MaxMoveWallets    = 1000
	MaxListLen        = 64 // operators or node ids of one member
)

// env is the state an action is validated against and applied to.
type env struct {
	members consortium.Keeper
	wallets wallet.Keeper
	aml     aml.Keeper
	gov     Keeper
	// updates collects validator updates for CometBFT.
	updates []abci.ValidatorUpdate
}

func newEnv(ctx interface{ KV(string) store.KV }) *env {
	return &env{
		members: consortium.NewKeeper(ctx.KV(consortium.StoreName)),
		wallets: wallet.NewKeeper(ctx.KV(wallet.StoreName)),
		aml:     aml.NewKeeper(ctx.KV(aml.StoreName)),
		gov:     NewKeeper(ctx.KV(StoreName)),
	}
}

func invalid(format string, args ...any) error {
	return errcode.Wrap(ErrInvalidAction, format, args...)
}

// ActionName is the action's kind as events, typed data and the CLI name it.
func ActionName(a *govv1.Action) string {
	switch a.GetKind().(type) {
	case *govv1.Action_AddMember:
		return "add-member"
	case *govv1.Action_SetMemberStatus:
		return "set-member-status"
	case *govv1.Action_SetRoles:
		return "set-roles"
	case *govv1.Action_SetOperators:
		return "set-operators"
	case *govv1.Action_SetNodeIds:
		return "set-node-ids"
	case *govv1.Action_SetValidator:
		return "set-validator"
	case *govv1.Action_SetWalletParams:
		return "set-wallet-params"
	case *govv1.Action_SetAmlParams:
		return "set-aml-params"
	case *govv1.Action_SetGovParams:
		return "set-gov-params"
	case *govv1.Action_MoveWallets:
		return "move-wallets"
	}
	return ""
}

// apply validates a against the state and, if valid, applies it. On error
// the caller discards the writes (the state is a branch).
func (e *env) apply(a *govv1.Action) error {
	switch k := a.GetKind().(type) {
	case *govv1.Action_AddMember:
		return e.addMember(k.AddMember.GetMember(), k.AddMember.GetAllowConcentration())
	case *govv1.Action_SetMemberStatus:
		return e.setStatus(k.SetMemberStatus)
	case *govv1.Action_SetRoles:
		return e.setRoles(k.SetRoles)
	case *govv1.Action_SetOperators:
		return e.setOperators(k.SetOperators.GetMemberId(), k.SetOperators.GetOperators())
	case *govv1.Action_SetNodeIds:
		return e.setNodeIDs(k.SetNodeIds.GetMemberId(), k.SetNodeIds.GetNodeIds())
	case *govv1.Action_SetValidator:
		return e.setValidator(k.SetValidator)
	case *govv1.Action_SetWalletParams:
		members, err := e.allMembers()
		if err != nil {
			return err
		}
		p, err := wallet.ValidateParams(k.SetWalletParams.GetParams(), e.wallets.Params(), members)
		if err != nil {
			return invalid("wallet parameters: %v", err)
		}
		e.wallets.SetParams(p)
		return nil
	case *govv1.Action_SetAmlParams:
		p, err := aml.ValidateParams(k.SetAmlParams.GetParams())
		if err != nil {
			return invalid("AML parameters: %v", err)
		}
		e.aml.SetParams(p)
		return nil
	case *govv1.Action_SetGovParams:
		p := k.SetGovParams.GetParams()
		if err := ValidateParams(p); err != nil {
			return err
		}
		e.gov.SetParams(proto.Clone(p).(*govv1.Params))
		return nil
	case *govv1.Action_MoveWallets:
		return e.moveWallets(k.MoveWallets)
	}
	return invalid("no action")
}

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
	if !consortium.ValidMemberID(m.Id) {
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
		if _, err := e.wallets.Wallet(addr); err == nil {
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
		if !consortium.ValidNodeID(n) {
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

// powers returns each member's voting power, in member id order.
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
	for _, id := range e.members.MemberIDs() {
		totalBefore += before[id]
		totalAfter += after[id]
	}
	if totalAfter == 0 {
		return invalid("no validator would be left: the chain would stop")
	}
	if allowConcentration {
		return nil
	}
	for _, id := range e.members.MemberIDs() { // id order: the first offender is reported
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

func (e *env) moveWallets(a *govv1.MoveWallets) error {
	to, err := e.member(a.ToBank)
	if err != nil {
		return err
	}
	if to.Status != consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE || !consortium.HasRole(to, consortiumv1.Role_ROLE_ISSUER) {
		return invalid("%q is not an active issuer", to.Id)
	}
	if len(a.Wallets) == 0 || len(a.Wallets) > MaxMoveWallets {
		return invalid("%d wallets: want 1 to %d", len(a.Wallets), MaxMoveWallets)
	}
	for _, owner := range a.Wallets {
		if len(owner) != common.AddressLength {
			return invalid("wallet %x: want a 20-byte address", owner)
		}
		w, err := e.wallets.Wallet(common.BytesToAddress(owner))
		if err != nil {
			return invalid("wallet %s does not exist", common.BytesToAddress(owner).Hex())
		}
		if w.Status == walletv1.WalletStatus_WALLET_STATUS_CLOSED {
			return invalid("wallet %s is closed", common.BytesToAddress(owner).Hex())
		}
		w.Bank = to.Id
		e.wallets.SetWallet(w)
	}
	return nil
}
