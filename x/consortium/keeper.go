package consortium

import (
	"fmt"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// View reads consortium state. It is as safe for concurrent use as its
// Reader.
type View struct{ r store.Reader }

// NewView returns a View over r, the consortium store.
func NewView(r store.Reader) View { return View{r} }

// Member returns member id, or ErrMemberNotFound.
func (v View) Member(id string) (*consortiumv1.Member, error) {
	m := new(consortiumv1.Member)
	if !get(v.r, MemberKey(id), m) {
		return nil, errcode.Wrap(ErrMemberNotFound, "member %q", id)
	}
	return m, nil
}

// Operator returns the operator account of addr, or false.
func (v View) Operator(addr common.Address) (*consortiumv1.Operator, bool) {
	op := new(consortiumv1.Operator)
	return op, get(v.r, OperatorKey(addr[:]), op)
}

// Params returns the parameters.
func (v View) Params() *consortiumv1.Params {
	p := new(consortiumv1.Params)
	get(v.r, ParamsKey(), p)
	return p
}

// NodeMember returns the member that runs P2P node nodeID, or false if no
// member declared it.
func (v View) NodeMember(nodeID string) (*consortiumv1.Member, bool) {
	owner := new(consortiumv1.NodeOwner)
	if !get(v.r, NodeKey(nodeID), owner) {
		return nil, false
	}
	m, err := v.Member(owner.MemberId)
	return m, err == nil
}

// AdmitPeer decides whether this node accepts P2P node nodeID as a peer:
// only nodes of active members are admitted (ErrNodeNotMember,
// ErrMemberInactive).
func (v View) AdmitPeer(nodeID string) error {
	m, ok := v.NodeMember(nodeID)
	if !ok {
		return errcode.Wrap(ErrNodeNotMember, "node %s", nodeID)
	}
	if m.Status != consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE {
		return errcode.Wrap(ErrMemberInactive, "node %s belongs to member %q, which is %s", nodeID, m.Id, m.Status)
	}
	return nil
}

// Acting returns the active member addr operates for: ErrNotOperator,
// ErrMemberInactive.
func (v View) Acting(addr common.Address) (*consortiumv1.Member, error) {
	op, ok := v.Operator(addr)
	if !ok || op.MemberId == "" { // "": rotated out, its nonce kept
		return nil, errcode.Wrap(ErrNotOperator, "address %s", addr.Hex())
	}
	m, err := v.Member(op.MemberId)
	if err != nil {
		return nil, err
	}
	if m.Status != consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE {
		return nil, errcode.Wrap(ErrMemberInactive, "member %q is %s", m.Id, m.Status)
	}
	return m, nil
}

// ActingMember returns the active member addr operates for, and checks it
// holds role: ErrNotOperator, ErrMemberInactive, ErrMissingRole.
func (v View) ActingMember(addr common.Address, role consortiumv1.Role) (*consortiumv1.Member, error) {
	m, err := v.Acting(addr)
	if err != nil {
		return nil, err
	}
	if !HasRole(m, role) {
		return nil, errcode.Wrap(ErrMissingRole, "member %q is not %s", m.Id, RoleName(role))
	}
	return m, nil
}

// HasRole reports whether m holds role.
func HasRole(m *consortiumv1.Member, role consortiumv1.Role) bool {
	return slices.Contains(m.Roles, role)
}

// Keeper reads and writes consortium state.
type Keeper struct {
	View
	kv store.KV
}

// NewKeeper returns a Keeper over kv, the consortium store.
func NewKeeper(kv store.KV) Keeper { return Keeper{View{kv}, kv} }

// SetMember stores m.
func (k Keeper) SetMember(m *consortiumv1.Member) { set(k.kv, MemberKey(m.Id), m) }

// SetNode records that member runs P2P node nodeID.
func (k Keeper) SetNode(nodeID, member string) {
	set(k.kv, NodeKey(nodeID), &consortiumv1.NodeOwner{MemberId: member})
}

// DeleteNode forgets P2P node nodeID.
func (k Keeper) DeleteNode(nodeID string) { k.kv.Delete(NodeKey(nodeID)) }

// MemberIDs returns every member's id, in id order: the keys under
// MemberPrefix. The consortium is tens of members; the walk is bounded by
// its size.
func (v View) MemberIDs() []string {
	var ids []string
	store.EachPrefix(v.r, MemberPrefix(), false, func(k, _ []byte) bool {
		ids = append(ids, string(k[len(MemberPrefix()):]))
		return true
	})
	return ids
}

// SetOperator stores op.
func (k Keeper) SetOperator(op *consortiumv1.Operator) { set(k.kv, OperatorKey(op.Address), op) }

// SetParams stores p.
func (k Keeper) SetParams(p *consortiumv1.Params) { set(k.kv, ParamsKey(), p) }

// IncrementNonce adds one to the nonce of operator addr, which must exist.
func (k Keeper) IncrementNonce(addr common.Address) {
	op, ok := k.Operator(addr)
	if !ok {
		panic(fmt.Sprintf("consortium: IncrementNonce of unknown operator %s", addr.Hex()))
	}
	op.Nonce++
	k.SetOperator(op)
}

func get(r store.Reader, key []byte, m proto.Message) bool { return store.GetProto(r, key, m) }

func set(kv store.KV, key []byte, m proto.Message) { store.SetProto(kv, key, m) }
