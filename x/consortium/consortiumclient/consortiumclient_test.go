package consortiumclient_test

import (
	"context"
	"errors"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	ics23 "github.com/cosmos/ics23/go"
	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/clienttest"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/consortium/consortiumclient"
)

const (
	active    = consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE
	suspended = consortiumv1.MemberStatus_MEMBER_STATUS_SUSPENDED
)

var operator = common.HexToAddress("0x00000000000000000000000000000000000000aa")

// newNode is a live fake node serving the consortium module, with its
// parameters, four members (bank-d suspended) and bank-a's operator.
func newNode(t *testing.T) *clienttest.FakeNode {
	f := clienttest.NewFakeNode(t, []string{consortium.StoreName})
	f.ServeModule(consortium.New(nil))
	f.SetProto(consortium.StoreName, consortium.ParamsKey(), &consortiumv1.Params{ChainNumericId: clienttest.NumericID})
	for _, id := range []string{"bank-a", "bank-b", "bank-c", "bank-d"} {
		status := active
		if id == "bank-d" {
			status = suspended
		}
		f.SetProto(consortium.StoreName, consortium.MemberKey(id), &consortiumv1.Member{Id: id, Name: "Bank " + id[5:], Status: status,
			Roles: []consortiumv1.Role{consortiumv1.Role_ROLE_ISSUER}})
	}
	f.SetProto(consortium.StoreName, consortium.OperatorKey(operator[:]), &consortiumv1.Operator{Address: operator[:], MemberId: "bank-a", Nonce: 4})
	f.Produce(2)
	f.StartBlocks(10 * time.Millisecond)
	return f
}

func TestPlain(t *testing.T) {
	f := newNode(t)
	c := consortiumclient.New(clienttest.NewClient(t, f))
	ctx := context.Background()
	if m, err := c.Member(ctx, "bank-a"); err != nil || m.Name != "Bank a" {
		t.Fatalf("Member = %v, %v", m, err)
	}
	var nf *client.NotFoundError
	if _, err := c.Member(ctx, "bank-z"); !errors.As(err, &nf) || nf.Proven {
		t.Fatalf("missing member: %v", err)
	}
	if _, err := c.Member(ctx, ""); err == nil {
		t.Fatal("Member accepted an empty id")
	}
	if ms, err := c.Members(ctx); err != nil || len(ms) != 4 || ms[3].Id != "bank-d" {
		t.Fatalf("Members = %v, %v", ms, err)
	}
	if op, err := c.Operator(ctx, operator); err != nil || op.MemberId != "bank-a" || op.Nonce != 4 {
		t.Fatalf("Operator = %v, %v", op, err)
	}
}

func TestVerified(t *testing.T) {
	f := newNode(t)
	c := consortiumclient.New(clienttest.NewClient(t, f))
	ctx := context.Background()

	m, p, err := c.VerifiedMember(ctx, "bank-a", 0)
	if err != nil || m.Name != "Bank a" || !p.Present() {
		t.Fatalf("VerifiedMember = %v, %v", m, err)
	}
	f.CheckProven(t, p)
	var nf *client.NotFoundError
	if _, p, err := c.VerifiedMember(ctx, "bank-z", 0); !errors.As(err, &nf) || !nf.Proven || p == nil || p.Present() {
		t.Fatalf("absent member: %v", err)
	}
	if op, p, err := c.VerifiedOperator(ctx, operator, 0); err != nil || op.MemberId != "bank-a" || !p.Present() {
		t.Fatalf("VerifiedOperator = %v, %v", op, err)
	}
	if _, _, err := c.VerifiedOperator(ctx, common.HexToAddress("0xbb"), 0); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("absent operator: %v", err)
	}

	members, proofs, err := c.VerifiedMembers(ctx, 0)
	if err != nil || len(members) != 4 || len(proofs) != 5 || members[3].Status != suspended {
		t.Fatalf("VerifiedMembers = %v, %d proofs, %v", members, len(proofs), err)
	}
	for _, p := range proofs {
		if p.Height != proofs[0].Height {
			t.Fatalf("proofs at heights %d and %d", proofs[0].Height, p.Height)
		}
		f.CheckProven(t, p)
	}

	// A node that hides a member, or shows it otherwise than it is, is
	// caught: the walk reaches bank-d as the proven neighbour of the probe
	// after bank-c.
	activeD, _ := proto.Marshal(&consortiumv1.Member{Id: "bank-d", Name: "Bank d", Status: active,
		Roles: []consortiumv1.Role{consortiumv1.Role_ROLE_ISSUER}})
	for name, lie := range map[string]func(q *abci.ResponseQuery){
		"member hidden": func(q *abci.ResponseQuery) {
			clienttest.EditNextKey(q, consortium.MemberKey("bank-d"), func(next *ics23.ExistenceProof) {
				next.Key = consortium.MemberKey("bank-e")
			})
		},
		"suspended member shown active": func(q *abci.ResponseQuery) {
			clienttest.EditNextKey(q, consortium.MemberKey("bank-d"), func(next *ics23.ExistenceProof) { next.Value = activeD })
		},
	} {
		t.Run(name, func(t *testing.T) {
			f.SetTamper(lie)
			defer f.SetTamper(nil)
			if ms, _, err := c.VerifiedMembers(ctx, 0); !errors.Is(err, client.ErrVerification) {
				t.Fatalf("lie accepted: %v, %v", ms, err)
			}
		})
	}
}

// TestVerifiedDomain: the signing domain's numeric id proven with the
// consortium's own chain parameters function.
func TestVerifiedDomain(t *testing.T) {
	f := newNode(t)
	c := clienttest.NewClient(t, f, client.WithVerifiedDomain(consortium.StoreName, consortium.ChainParams))
	want := auth.Domain{ChainID: clienttest.ChainID, NumericID: clienttest.NumericID}
	if d, err := c.Domain(context.Background()); err != nil || d != want {
		t.Fatalf("Domain = %+v, %v; want %+v", d, err, want)
	}
}
