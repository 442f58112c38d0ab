package consortiumclient

import (
	"context"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/client"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/consortium"
)

// PathMembers is the query path of every member (the module's "members"
// query).
const PathMembers = "/consortium/members"

// Client reads the consortium's state through a ledgerd node. It is safe
// for concurrent use, as the client.Client it wraps.
type Client struct{ *client.Client }

// New returns a Client that reads through c.
func New(c *client.Client) Client { return Client{c} }

// Operator returns the operator record of addr at the latest height, or a
// *client.NotFoundError.
func (c Client) Operator(ctx context.Context, addr common.Address) (*consortiumv1.Operator, error) {
	op := new(consortiumv1.Operator)
	if err := c.Record(ctx, consortium.StoreName, consortium.OperatorKey(addr[:]), 0, "operator "+addr.Hex(), op); err != nil {
		return nil, err
	}
	return op, nil
}

// Member returns the member with id at the latest height, or a
// *client.NotFoundError.
func (c Client) Member(ctx context.Context, id string) (*consortiumv1.Member, error) {
	if id == "" {
		return nil, fmt.Errorf("consortiumclient: member: empty id")
	}
	m := new(consortiumv1.Member)
	if err := c.Record(ctx, consortium.StoreName, consortium.MemberKey(id), 0, fmt.Sprintf("member %q", id), m); err != nil {
		return nil, err
	}
	return m, nil
}

// Members returns all members at the latest height, ordered by id. The list
// is the node's word: it may leave members out (VerifiedMembers proves it
// complete).
func (c Client) Members(ctx context.Context) ([]*consortiumv1.Member, error) {
	out := new(consortiumv1.Members)
	if err := c.QueryProto(ctx, PathMembers, out); err != nil {
		return nil, err
	}
	return out.Members, nil
}

// VerifiedOperator returns the operator record of addr at height (0 =
// latest) with its proof. A proven absence returns the proof and a
// *client.NotFoundError.
func (c Client) VerifiedOperator(ctx context.Context, addr common.Address, height int64) (*consortiumv1.Operator, *client.Proven, error) {
	op := new(consortiumv1.Operator)
	p, err := c.VerifiedRecord(ctx, consortium.StoreName, consortium.OperatorKey(addr[:]), height, "operator "+addr.Hex(), op)
	if err != nil {
		return nil, p, err
	}
	return op, p, nil
}

// VerifiedMember returns member id at height (0 = latest) with its proof.
// A proven absence returns the proof and a *client.NotFoundError.
func (c Client) VerifiedMember(ctx context.Context, id string, height int64) (*consortiumv1.Member, *client.Proven, error) {
	if id == "" {
		return nil, nil, errors.New("consortiumclient: verified member: empty id")
	}
	m := new(consortiumv1.Member)
	p, err := c.VerifiedRecord(ctx, consortium.StoreName, consortium.MemberKey(id), height, fmt.Sprintf("member %q", id), m)
	if err != nil {
		return nil, p, err
	}
	return m, p, nil
}

// VerifiedMembers proves, at height (0 = latest), every member record and
// that there is no other (client.VerifiedRange over the members' keys): all
// members, in id order, provably complete. proofs prove the walk. A record
// proven under a member's key that does not decode, or is another member,
// fails with client.ErrVerification.
func (c Client) VerifiedMembers(ctx context.Context, height int64) (members []*consortiumv1.Member, proofs []*client.Proven, err error) {
	prefix := consortium.MemberPrefix()
	r, err := c.VerifiedRange(ctx, consortium.StoreName, prefix, store.PrefixEnd(prefix), height, 0)
	if err != nil {
		return nil, nil, err
	}
	members = []*consortiumv1.Member{}
	for _, kv := range r.Pairs {
		id := string(kv.Key[len(prefix):])
		m := new(consortiumv1.Member)
		if err := proto.Unmarshal(kv.Value, m); err != nil {
			return nil, nil, fmt.Errorf("consortiumclient: the record proven under member %q's key does not decode: %v: %w", id, err, client.ErrVerification)
		}
		if m.Id != id {
			return nil, nil, fmt.Errorf("consortiumclient: the record proven under member %q's key is member %q: %w", id, m.Id, client.ErrVerification)
		}
		members = append(members, m)
	}
	return members, r.Proofs, nil
}
