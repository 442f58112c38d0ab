package wallet

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// Genesis is the wallet module's part of the genesis file.
type Genesis struct {
	// Denoms the ledger carries, e.g. ["CNY"].
	Denoms []string `json:"denoms"`
	// Wallets open at genesis (migrations, test networks, benchmarks).
	Wallets []GenesisWallet `json:"wallets,omitempty"`
}

// GenesisWallet is a wallet open at genesis. Its balances count as issued by
// its bank.
type GenesisWallet struct {
	Owner    string        `json:"owner"`
	Bank     string        `json:"bank"`
	Tier     uint32        `json:"tier"`
	KYCHash  string        `json:"kyc_hash"`
	Balances []GenesisCoin `json:"balances,omitempty"`
}

// GenesisCoin is an amount in minor units, as a decimal string.
type GenesisCoin struct {
	Denom  string `json:"denom"`
	Amount string `json:"amount"`
}

// State is the validated genesis.
type State struct {
	Params  *walletv1.Params
	Wallets []*walletv1.Wallet
}

// Validate checks g against the consortium's members (banks of record must
// be issuers; owners must not be operators) and returns its state form.
func (g *Genesis) Validate(members []*consortiumv1.Member) (*State, error) {
	bad := func(format string, args ...any) (*State, error) {
		return nil, errcode.Wrap(ErrInvalidGenesis, format, args...)
	}
	denoms := slices.Clone(g.Denoms)
	slices.Sort(denoms)
	if len(denoms) == 0 {
		return bad("no denoms")
	}
	for i, d := range denoms {
		if !denomPattern.MatchString(d) {
			return bad("denom %q: want 3-16 characters of A-Z and 0-9, starting with a letter", d)
		}
		if i > 0 && denoms[i-1] == d {
			return bad("denom %q listed twice", d)
		}
	}
	issuers, operators := map[string]bool{}, map[common.Address]bool{}
	for _, m := range members {
		if slices.Contains(m.Roles, consortiumv1.Role_ROLE_ISSUER) {
			issuers[m.Id] = true
		}
		for _, op := range m.Operators {
			operators[common.BytesToAddress(op)] = true
		}
	}
	st := &State{Params: &walletv1.Params{Denoms: denoms}}
	owners := map[common.Address]bool{}
	for i, gw := range g.Wallets {
		where := fmt.Sprintf("wallet %d (%s)", i, gw.Owner)
		if !common.IsHexAddress(gw.Owner) {
			return bad("%s: owner is not a 0x-prefixed 20-byte hex address", where)
		}
		owner := common.HexToAddress(gw.Owner)
		if owners[owner] || operators[owner] {
			return bad("%s: owner already has a wallet or is an operator", where)
		}
		owners[owner] = true
		if !issuers[gw.Bank] {
			return bad("%s: bank %q is not an issuer member", where, gw.Bank)
		}
		kyc, err := hex.DecodeString(strings.TrimPrefix(gw.KYCHash, "0x"))
		if err != nil || len(kyc) != 32 {
			return bad("%s: kyc_hash must be 32 bytes of hex", where)
		}
		w := &walletv1.Wallet{Owner: owner.Bytes(), Bank: gw.Bank, Tier: gw.Tier, KycHash: kyc,
			Status: walletv1.WalletStatus_WALLET_STATUS_ACTIVE}
		if err := ValidateOpenWallet(&walletv1.MsgOpenWallet{Owner: w.Owner, KycHash: kyc, Tier: gw.Tier}); err != nil {
			return bad("%s: %v", where, err)
		}
		for _, c := range gw.Balances {
			amount, err := strconv.ParseUint(c.Amount, 10, 64)
			if err != nil || amount == 0 {
				return bad("%s: amount %q of %s must be a positive integer of minor units", where, c.Amount, c.Denom)
			}
			if _, ok := slices.BinarySearch(denoms, c.Denom); !ok {
				return bad("%s: denom %q is not in denoms", where, c.Denom)
			}
			if Balance(w, c.Denom) != 0 {
				return bad("%s: denom %q listed twice", where, c.Denom)
			}
			setBalance(w, c.Denom, amount)
		}
		st.Wallets = append(st.Wallets, w)
	}
	return st, nil
}

// InitGenesis writes st: parameters, wallets, and the issuance and supply
// their balances imply. It fails with ErrAmountOverflow if a total does not
// fit in uint64.
func (k Keeper) InitGenesis(st *State) error {
	k.SetParams(st.Params)
	for _, w := range st.Wallets {
		for _, c := range w.Balances {
			if err := k.mint(w.Bank, c.Denom, c.Amount); err != nil {
				return err
			}
		}
		k.SetWallet(w)
	}
	return nil
}

// Invariant checks, over a whole committed version, that for every denom
// supply = sum of balances = sum of outstanding issuance, and that no zero
// balance is stored. iterate walks the wallet store's keys with a prefix in
// order. It is for tests and auditors: its cost is linear in the state.
func Invariant(iterate func(prefix []byte, fn func(key, value []byte) bool) error) error {
	balances, issued, supply := map[string]uint64{}, map[string]uint64{}, map[string]uint64{}
	var err error
	sum := func(m map[string]uint64, denom string, amount uint64) {
		if err == nil {
			m[denom], err = add(m[denom], amount, "invariant sum of %s", denom)
		}
	}
	walk := func(prefix byte, decode func(k, v []byte)) error {
		return iterate([]byte{prefix}, func(k, v []byte) bool { decode(k, v); return err == nil })
	}
	if e := walk(prefixWallet, func(k, v []byte) {
		w := new(walletv1.Wallet)
		store.DecodeProto(k, v, w)
		for _, c := range w.Balances {
			if c.Amount == 0 {
				err = fmt.Errorf("wallet %x stores a zero %s balance", w.Owner, c.Denom)
			}
			sum(balances, c.Denom, c.Amount)
		}
	}); e != nil {
		return e
	}
	if e := walk(prefixIssuance, func(k, v []byte) {
		is := new(walletv1.Issuance)
		store.DecodeProto(k, v, is)
		sum(issued, is.Denom, is.Outstanding)
	}); e != nil {
		return e
	}
	if e := walk(prefixSupply, func(k, v []byte) {
		c := new(walletv1.Coin)
		store.DecodeProto(k, v, c)
		sum(supply, c.Denom, c.Amount)
	}); e != nil {
		return e
	}
	if err != nil {
		return err
	}
	denoms := map[string]bool{}
	for _, m := range []map[string]uint64{balances, issued, supply} {
		for d := range m { // nolint:determinism: set of keys, sorted below
			denoms[d] = true
		}
	}
	sorted := make([]string, 0, len(denoms))
	for d := range denoms { // nolint:determinism: sorted below
		sorted = append(sorted, d)
	}
	slices.Sort(sorted)
	for _, d := range sorted {
		if balances[d] != supply[d] || issued[d] != supply[d] {
			return fmt.Errorf("invariant broken for %s: supply %d, sum of balances %d, sum of issuance %d",
				d, supply[d], balances[d], issued[d])
		}
	}
	return nil
}
