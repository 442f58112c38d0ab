package consortium

import (
	"encoding/json"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/module"
)

// AccountKind is the kind of the operators' nonce accounts.
const AccountKind = "operator"

// ViewOf returns the consortium's state in ctx.
func ViewOf(ctx exec.Context) View { return NewView(ctx.KV(StoreName)) }

// New returns the consortium module. hasWallet tells whether an address
// owns a wallet, which an operator may not (an address is an operator or a
// wallet owner, never both).
func New(hasWallet func(ctx exec.Context, addr common.Address) bool) *module.Module {
	a := &actions{hasWallet: hasWallet}
	return &module.Module{
		Name: StoreName,
		Doc:  "members (banks, auditors, regulators), their roles, operator keys, nodes and validators; chain parameters",
		Genesis: &module.Genesis{
			Init: initGenesis,
		},
		Accounts: &module.Accounts{
			Kind: AccountKind,
			Lookup: func(ctx exec.Context, addr common.Address) (module.Account, bool, error) {
				op, ok := ViewOf(ctx).Operator(addr)
				return module.Account{ID: addr, Nonce: op.GetNonce()}, ok, nil
			},
			IncrementNonce: func(kv store.KV, addr common.Address) { NewKeeper(kv).IncrementNonce(addr) },
		},
		Queries: []module.Query{{
			Path: "members",
			Doc:  "every member, in id order (consortiumv1.Members); prove the list with the key range MemberPrefix",
			Handle: func(s module.Stores, _ string, _ []byte) (proto.Message, error) {
				out := new(consortiumv1.Members)
				store.EachPrefix(s.Reader(StoreName), MemberPrefix(), false, func(k, v []byte) bool {
					m := new(consortiumv1.Member)
					store.DecodeProto(k, v, m)
					out.Members = append(out.Members, m)
					return true
				})
				return out, nil
			},
		}},
		GovActions:  a.govActions(),
		PeerFilter:  func(r store.Reader, nodeID string) error { return NewView(r).AdmitPeer(nodeID) },
		ChainParams: ChainParams,
	}
}

// ChainParams reads the chain parameters (the signing domain's numeric
// chain id and the pipeline's limits) from the consortium's parameters
// record in r, the consortium store: the module's registration, exported
// for clients that run it over proven state. Deterministic.
func ChainParams(r store.Reader) module.ChainParams {
	p := NewView(r).Params()
	return module.ChainParams{NumericID: p.ChainNumericId, MaxTxBytes: p.MaxTxBytes, MaxBlockTxs: p.MaxBlockTxs,
		MaxTxValidityBlocks: p.MaxTxValidityBlocks}
}

// initGenesis writes the consortium section and returns the validators.
func initGenesis(ctx exec.Context, section json.RawMessage) ([]abci.ValidatorUpdate, error) {
	var g Genesis
	if err := decodeStrict(section, &g); err != nil {
		return nil, errcode.Wrap(ErrInvalidGenesis, "%v", err)
	}
	st, err := g.Validate()
	if err != nil {
		return nil, err
	}
	NewKeeper(ctx.KV(StoreName)).InitGenesis(st)
	var vals []abci.ValidatorUpdate
	for _, m := range st.Members {
		if m.Validator != nil {
			vals = append(vals, abci.Ed25519ValidatorUpdate(m.Validator.PubKey, m.Validator.Power))
		}
	}
	return vals, nil
}

// decodeStrict decodes JSON, refusing unknown fields: a misspelt setting
// is an error, not a default.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// Operator is the rule of messages signed by an operator of an active
// member holding one of roles (any active member if none is given). It
// fails with ErrNotOperator, ErrMemberInactive or ErrMissingRole.
func Operator(roles ...consortiumv1.Role) module.Signer { return operatorRule{roles} }

type operatorRule struct{ roles []consortiumv1.Role }

func (r operatorRule) Authorize(ctx exec.Context) error {
	m, err := ViewOf(ctx).Acting(ctx.Signer)
	if err != nil || len(r.roles) == 0 {
		return err
	}
	for _, role := range r.roles {
		if HasRole(m, role) {
			return nil
		}
	}
	return errcode.Wrap(ErrMissingRole, "member %q is not %s", m.Id, r.names(" or "))
}

func (r operatorRule) Describe() string {
	if len(r.roles) == 0 {
		return "an operator of an active member"
	}
	return "an operator of an active " + r.names(" or ")
}

func (r operatorRule) names(sep string) string {
	names := make([]string, len(r.roles))
	for i, role := range r.roles {
		names[i] = RoleName(role)
	}
	return strings.Join(names, sep)
}

// RoleNames formats roles as the CLI and genesis name them.
func RoleNames(roles []consortiumv1.Role) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = RoleName(r)
	}
	return strings.Join(names, ",")
}

// QueryMembers is the query path of every member, in id order
// (consortiumv1.Members).
const QueryMembers = "/" + StoreName + "/members"
