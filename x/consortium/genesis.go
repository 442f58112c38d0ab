package consortium

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// Genesis is the consortium's part of the genesis file, in a form bank
// operators can read and edit: hex addresses, role names.
type Genesis struct {
	// ChainNumericID is the EIP-712 chainId, as a decimal string.
	ChainNumericID string `json:"chain_numeric_id"`
	// Limits every node applies; zero means the default.
	MaxTxBytes          uint64          `json:"max_tx_bytes,omitempty"`
	MaxBlockTxs         uint64          `json:"max_block_txs,omitempty"`
	MaxTxValidityBlocks uint64          `json:"max_tx_validity_blocks,omitempty"`
	Members             []GenesisMember `json:"members"`
}

// Defaults of the chain-wide limits.
const (
	// DefaultMaxTxBytes fits a batch transfer of 1,000 legs (about 32 KiB).
	DefaultMaxTxBytes          = 64 << 10
	DefaultMaxBlockTxs         = 5000
	DefaultMaxTxValidityBlocks = 1000
)

// GenesisMember is one member in genesis.
type GenesisMember struct {
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	Roles     []string          `json:"roles"`
	Operators []string          `json:"operators"`
	NodeIDs   []string          `json:"node_ids,omitempty"`
	Validator *GenesisValidator `json:"validator,omitempty"`
}

// GenesisValidator is a member's validator: its Ed25519 public key in
// base64 (as in CometBFT's priv_validator_key.json) and its power.
type GenesisValidator struct {
	PubKey string `json:"pub_key"`
	Power  int64  `json:"power"`
}

var (
	memberIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,31}$`)
	nodeIDPattern   = regexp.MustCompile(`^[0-9a-f]{40}$`)
	roleByName      = map[string]consortiumv1.Role{
		"issuer":           consortiumv1.Role_ROLE_ISSUER,
		"lender":           consortiumv1.Role_ROLE_LENDER,
		"auditor":          consortiumv1.Role_ROLE_AUDITOR,
		"regulator":        consortiumv1.Role_ROLE_REGULATOR,
		"settlement_agent": consortiumv1.Role_ROLE_SETTLEMENT_AGENT,
		"credit_bureau":    consortiumv1.Role_ROLE_CREDIT_BUREAU,
		"collector":        consortiumv1.Role_ROLE_COLLECTOR,
	}
)

// RoleName returns the genesis and CLI name of role ("issuer", ...).
func RoleName(role consortiumv1.Role) string {
	return strings.ToLower(strings.TrimPrefix(role.String(), "ROLE_"))
}

// ParseRole returns the role named name.
func ParseRole(name string) (consortiumv1.Role, error) {
	r, ok := roleByName[name]
	if !ok {
		return 0, fmt.Errorf("unknown role %q: want one of %s", name, strings.Join(RoleList(), ", "))
	}
	return r, nil
}

// State is the validated genesis: parameters and members, members sorted by
// id, each member's lists sorted.
type State struct {
	Params  *consortiumv1.Params
	Members []*consortiumv1.Member
}

// Validate checks g and returns its state form. Every problem is reported
// with the member and field it concerns (ErrInvalidGenesis).
func (g *Genesis) Validate() (*State, error) {
	bad := func(format string, args ...any) (*State, error) {
		return nil, errcode.Wrap(ErrInvalidGenesis, format, args...)
	}
	numeric, err := strconv.ParseUint(g.ChainNumericID, 10, 64)
	if err != nil || numeric == 0 {
		return bad("chain_numeric_id %q must be a positive decimal integer", g.ChainNumericID)
	}
	if len(g.Members) == 0 {
		return bad("no members")
	}
	st := &State{Params: &consortiumv1.Params{
		ChainNumericId:      numeric,
		MaxTxBytes:          orDefault(g.MaxTxBytes, DefaultMaxTxBytes),
		MaxBlockTxs:         orDefault(g.MaxBlockTxs, DefaultMaxBlockTxs),
		MaxTxValidityBlocks: orDefault(g.MaxTxValidityBlocks, DefaultMaxTxValidityBlocks),
	}}
	if st.Params.MaxTxBytes < 256 || st.Params.MaxTxBytes > 1<<20 {
		return bad("max_tx_bytes %d: want 256 to 1 MiB", st.Params.MaxTxBytes)
	}
	if st.Params.MaxBlockTxs > 100_000 {
		return bad("max_block_txs %d: at most 100000", st.Params.MaxBlockTxs)
	}
	ids, operators, nodes := map[string]bool{}, map[common.Address]string{}, map[string]string{}
	validatorKeys := map[string]string{}
	var validators int
	for i, gm := range g.Members {
		where := fmt.Sprintf("member %d (%q)", i, gm.ID)
		if !memberIDPattern.MatchString(gm.ID) {
			return bad("%s: id must be 2-32 characters of a-z, 0-9 and '-', starting with a letter or digit", where)
		}
		if ids[gm.ID] {
			return bad("%s: duplicate id", where)
		}
		ids[gm.ID] = true
		if strings.TrimSpace(gm.Name) == "" || len(gm.Name) > 128 {
			return bad("%s: name must be 1-128 characters", where)
		}
		m := &consortiumv1.Member{Id: gm.ID, Name: gm.Name, Status: consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE}
		if len(gm.Roles) == 0 {
			return bad("%s: no roles", where)
		}
		for _, name := range gm.Roles {
			r, err := ParseRole(name)
			if err != nil {
				return bad("%s: %v", where, err)
			}
			if slices.Contains(m.Roles, r) {
				return bad("%s: role %q listed twice", where, name)
			}
			m.Roles = append(m.Roles, r)
		}
		slices.Sort(m.Roles)
		for _, hex := range gm.Operators {
			if !common.IsHexAddress(hex) {
				return bad("%s: operator %q is not a 0x-prefixed 20-byte hex address", where, hex)
			}
			a := common.HexToAddress(hex)
			if other, dup := operators[a]; dup {
				return bad("%s: operator %s already operates for %q", where, a.Hex(), other)
			}
			operators[a] = gm.ID
			m.Operators = append(m.Operators, a.Bytes())
		}
		slices.SortFunc(m.Operators, func(a, b []byte) int { return strings.Compare(string(a), string(b)) })
		for _, id := range gm.NodeIDs {
			if !nodeIDPattern.MatchString(id) {
				return bad("%s: node id %q must be 40 lowercase hex characters (ledgerd show-node-id)", where, id)
			}
			if other, dup := nodes[id]; dup {
				return bad("%s: node id %s already belongs to %q", where, id, other)
			}
			nodes[id] = gm.ID
			m.NodeIds = append(m.NodeIds, id)
		}
		slices.Sort(m.NodeIds)
		if v := gm.Validator; v != nil {
			pk, err := base64.StdEncoding.DecodeString(v.PubKey)
			if err != nil || len(pk) != 32 {
				return bad("%s: validator pub_key must be a base64 32-byte Ed25519 key", where)
			}
			// CometBFT rejects a validator set with a key twice, and would not
			// start from this genesis.
			if other, dup := validatorKeys[string(pk)]; dup {
				return bad("%s: validator pub_key already belongs to %q", where, other)
			}
			validatorKeys[string(pk)] = gm.ID
			if v.Power <= 0 {
				return bad("%s: validator power must be positive", where)
			}
			m.Validator = &consortiumv1.Validator{PubKey: pk, Power: v.Power}
			validators++
		}
		st.Members = append(st.Members, m)
	}
	if validators == 0 {
		return bad("no member has a validator: the chain could not make blocks")
	}
	slices.SortFunc(st.Members, func(a, b *consortiumv1.Member) int { return strings.Compare(a.Id, b.Id) })
	return st, nil
}

// InitGenesis writes st into the store.
func (k Keeper) InitGenesis(st *State) {
	k.SetParams(st.Params)
	for _, m := range st.Members {
		k.SetMember(m)
		for _, a := range m.Operators {
			k.SetOperator(&consortiumv1.Operator{Address: a, MemberId: m.Id})
		}
		for _, id := range m.NodeIds {
			k.SetNode(id, m.Id)
		}
	}
}

func orDefault(v, def uint64) uint64 {
	if v == 0 {
		return def
	}
	return v
}

// ValidMemberID reports whether id is a well-formed member id.
func ValidMemberID(id string) bool { return memberIDPattern.MatchString(id) }

// ValidNodeID reports whether id is a well-formed P2P node id (40
// lowercase hex characters).
func ValidNodeID(id string) bool { return nodeIDPattern.MatchString(id) }
