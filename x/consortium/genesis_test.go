package consortium

import (
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/errcode"
)

const (
	op1 = "0x1111111111111111111111111111111111111111"
	op2 = "0x2222222222222222222222222222222222222222"
	op3 = "0x3333333333333333333333333333333333333333"
)

func pubKey(b byte) string {
	k := make([]byte, 32)
	k[0] = b
	return base64.StdEncoding.EncodeToString(k)
}

// validGenesis has members out of id order with unsorted lists, to check
// that Validate sorts them.
func validGenesis() *Genesis {
	return &Genesis{
		ChainNumericID: "4242",
		Members: []GenesisMember{
			{ID: "other-bank", Name: "Other Bank", Roles: []string{"lender", "issuer"}, Operators: []string{op3, op2},
				NodeIDs:   []string{"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
				Validator: &GenesisValidator{PubKey: pubKey(2), Power: 5}},
			{ID: "demo-bank", Name: "Demo Bank", Roles: []string{"issuer"}, Operators: []string{op1},
				Validator: &GenesisValidator{PubKey: pubKey(1), Power: 10}},
			{ID: "auditor", Name: "Auditor", Roles: []string{"auditor", "regulator"}},
		},
	}
}

func TestGenesisValid(t *testing.T) {
	st, err := validGenesis().Validate()
	if err != nil {
		t.Fatal(err)
	}
	if st.Params.ChainNumericId != 4242 {
		t.Fatalf("params %v", st.Params)
	}
	var ids []string
	for _, m := range st.Members {
		ids = append(ids, m.Id)
		if m.Status != consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE {
			t.Errorf("%s is %s", m.Id, m.Status)
		}
	}
	if !slices.Equal(ids, []string{"auditor", "demo-bank", "other-bank"}) {
		t.Fatalf("members %v, want sorted by id", ids)
	}
	other := st.Members[2]
	if !slices.Equal(other.Roles, []consortiumv1.Role{consortiumv1.Role_ROLE_ISSUER, consortiumv1.Role_ROLE_LENDER}) {
		t.Errorf("roles %v, want sorted", other.Roles)
	}
	if len(other.Operators) != 2 || common.BytesToAddress(other.Operators[0]) != common.HexToAddress(op2) {
		t.Errorf("operators not sorted: %x", other.Operators)
	}
	if other.NodeIds[0] != strings.Repeat("a", 40) {
		t.Errorf("node ids not sorted: %v", other.NodeIds)
	}
	if other.Validator.Power != 5 || len(other.Validator.PubKey) != 32 || st.Members[0].Validator != nil {
		t.Errorf("validators %v / %v", other.Validator, st.Members[0].Validator)
	}
}

func TestGenesisInvalid(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(g *Genesis)
		want   string // in the error message
	}{
		{"zero chain numeric id", func(g *Genesis) { g.ChainNumericID = "0" }, "chain_numeric_id"},
		{"non-numeric chain id", func(g *Genesis) { g.ChainNumericID = "0x10" }, "chain_numeric_id"},
		{"no members", func(g *Genesis) { g.Members = nil }, "no members"},
		{"bad id: upper case", func(g *Genesis) { g.Members[0].ID = "Other-Bank" }, "id must be"},
		{"bad id: one character", func(g *Genesis) { g.Members[0].ID = "a" }, "id must be"},
		{"bad id: leading dash", func(g *Genesis) { g.Members[0].ID = "-bank" }, "id must be"},
		{"bad id: too long", func(g *Genesis) { g.Members[0].ID = strings.Repeat("b", 33) }, "id must be"},
		{"duplicate id", func(g *Genesis) { g.Members[2].ID = "demo-bank" }, "duplicate id"},
		{"empty name", func(g *Genesis) { g.Members[1].Name = "  " }, "name"},
		{"no roles", func(g *Genesis) { g.Members[2].Roles = nil }, "no roles"},
		{"unknown role", func(g *Genesis) { g.Members[2].Roles = []string{"banker"} }, `unknown role "banker"`},
		{"role listed twice", func(g *Genesis) { g.Members[1].Roles = []string{"issuer", "issuer"} }, "listed twice"},
		{"operator not an address", func(g *Genesis) { g.Members[1].Operators = []string{"0x1234"} }, "not a 0x-prefixed"},
		{"duplicate operator across members", func(g *Genesis) { g.Members[2].Operators = []string{op2} }, "already operates"},
		{"duplicate operator within a member", func(g *Genesis) { g.Members[1].Operators = []string{op1, op1} }, "already operates"},
		{"bad node id: upper case", func(g *Genesis) { g.Members[1].NodeIDs = []string{strings.Repeat("A", 40)} }, "node id"},
		{"bad node id: short", func(g *Genesis) { g.Members[1].NodeIDs = []string{"abc"} }, "node id"},
		{"duplicate node id", func(g *Genesis) { g.Members[1].NodeIDs = []string{strings.Repeat("a", 40)} }, "already belongs"},
		{"validator key not base64", func(g *Genesis) { g.Members[1].Validator.PubKey = "not base64!" }, "pub_key"},
		{"validator key 31 bytes", func(g *Genesis) {
			g.Members[1].Validator.PubKey = base64.StdEncoding.EncodeToString(make([]byte, 31))
		}, "pub_key"},
		{"validator power zero", func(g *Genesis) { g.Members[1].Validator.Power = 0 }, "power"},
		{"duplicate validator key", func(g *Genesis) { g.Members[1].Validator.PubKey = pubKey(2) }, "validator pub_key"},
		{"no validators", func(g *Genesis) { g.Members[0].Validator, g.Members[1].Validator = nil, nil }, "no member has a validator"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := validGenesis()
			tc.mutate(g)
			_, err := g.Validate()
			if !errors.Is(err, ErrInvalidGenesis) {
				t.Fatalf("Validate = %v, want ErrInvalidGenesis", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not mention %q", err, tc.want)
			}
			if cs, code, _ := errcode.ABCIInfo(err); cs != Codespace || code != ErrInvalidGenesis.Code {
				t.Fatalf("code (%s, %d)", cs, code)
			}
		})
	}
}

func TestRoles(t *testing.T) {
	for name, role := range roleByName {
		if RoleName(role) != name {
			t.Errorf("RoleName(%v) = %q, want %q", role, RoleName(role), name)
		}
		if r, err := ParseRole(name); err != nil || r != role {
			t.Errorf("ParseRole(%q) = %v, %v", name, r, err)
		}
	}
	if _, err := ParseRole("unspecified"); err == nil {
		t.Error(`ParseRole("unspecified") succeeded`)
	}
}

func TestKeeper(t *testing.T) {
	st, err := validGenesis().Validate()
	if err != nil {
		t.Fatal(err)
	}
	kv := store.NewOverlay(store.Empty)
	k := NewKeeper(kv)
	k.InitGenesis(st)

	if p := k.Params(); p.ChainNumericId != 4242 {
		t.Fatalf("params %v", p)
	}
	a1, a2 := common.HexToAddress(op1), common.HexToAddress(op2)
	if op, ok := k.Operator(a2); !ok || op.MemberId != "other-bank" || op.Nonce != 0 {
		t.Fatalf("operator %v %v", op, ok)
	}
	k.IncrementNonce(a2)
	k.IncrementNonce(a2)
	if op, _ := k.Operator(a2); op.Nonce != 2 {
		t.Fatalf("nonce %d", op.Nonce)
	}
	if op, _ := k.Operator(common.HexToAddress(op3)); op.Nonce != 0 {
		t.Fatal("nonce of another operator changed")
	}

	if m, err := k.ActingMember(a1, consortiumv1.Role_ROLE_ISSUER); err != nil || m.Id != "demo-bank" {
		t.Fatalf("ActingMember = %v, %v", m, err)
	}
	nobody := common.HexToAddress("0x4444444444444444444444444444444444444444")
	for _, tc := range []struct {
		name string
		addr common.Address
		role consortiumv1.Role
		want error
	}{
		{"not an operator", nobody, consortiumv1.Role_ROLE_ISSUER, ErrNotOperator},
		{"missing role", a1, consortiumv1.Role_ROLE_LENDER, ErrMissingRole},
	} {
		if _, err := k.ActingMember(tc.addr, tc.role); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	m, _ := k.Member("demo-bank")
	m.Status = consortiumv1.MemberStatus_MEMBER_STATUS_SUSPENDED
	k.SetMember(m)
	if _, err := k.ActingMember(a1, consortiumv1.Role_ROLE_ISSUER); !errors.Is(err, ErrMemberInactive) {
		t.Errorf("suspended member: %v", err)
	}
	k.SetOperator(&consortiumv1.Operator{Address: nobody.Bytes(), MemberId: "gone"})
	if _, err := k.ActingMember(nobody, consortiumv1.Role_ROLE_ISSUER); !errors.Is(err, ErrMemberNotFound) {
		t.Errorf("operator of a missing member: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("IncrementNonce of an unknown operator did not panic")
		}
	}()
	k.IncrementNonce(common.HexToAddress("0x5555555555555555555555555555555555555555"))
}

// TestAdmitPeer: only nodes declared by an active member are admitted as
// peers.
func TestAdmitPeer(t *testing.T) {
	st, err := validGenesis().Validate()
	if err != nil {
		t.Fatal(err)
	}
	k := NewKeeper(store.NewOverlay(store.Empty))
	k.InitGenesis(st)
	a, b := strings.Repeat("a", 40), strings.Repeat("b", 40)
	for _, id := range []string{a, b} {
		if err := k.AdmitPeer(id); err != nil {
			t.Errorf("other-bank's node %s: %v", id, err)
		}
	}
	if err := k.AdmitPeer(strings.Repeat("c", 40)); !errors.Is(err, ErrNodeNotMember) {
		t.Errorf("undeclared node: %v", err)
	}
	m, _ := k.Member("other-bank")
	m.Status = consortiumv1.MemberStatus_MEMBER_STATUS_SUSPENDED
	k.SetMember(m)
	if err := k.AdmitPeer(a); !errors.Is(err, ErrMemberInactive) {
		t.Errorf("suspended member's node: %v", err)
	}
}
