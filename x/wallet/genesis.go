package wallet

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/module"
)

// Genesis is the wallet module's part of the genesis file.
type Genesis struct {
	// Denoms the ledger carries, e.g. ["CNY"].
	Denoms []string `json:"denoms"`
	// Limits per denom and tier; a tier without an entry has none.
	Limits []GenesisDenomLimits `json:"limits,omitempty"`
	// UTCOffset is the consortium's time zone, "+08:00" by default: it
	// decides the calendar day of daily limits and AML aggregates.
	UTCOffset string `json:"utc_offset,omitempty"`
	// IssuanceCaps cap issuers' outstanding issuance; an issuer without one
	// is uncapped.
	IssuanceCaps []GenesisIssuanceCap `json:"issuance_caps,omitempty"`
	// MaxBatchLegs caps a BatchTransfer's recipients; default 1000.
	MaxBatchLegs uint32 `json:"max_batch_legs,omitempty"`
	// Decimals of a denom's major unit, where not DefaultDecimals (2):
	// {"JPY": 0}. The CLI reads and prints amounts in major units.
	Decimals map[string]uint32 `json:"decimals,omitempty"`
	// ProtectedMinimums is the balance a judicial deduction leaves, by
	// denom, in minor units.
	ProtectedMinimums map[string]uint64 `json:"protected_minimums,omitempty"`
	// RecoveryDelay is how long a key recovery, and the removal of a
	// second factor by the owner's key alone, wait (a Go duration, whole
	// seconds: "48h"); default DefaultRecoveryDelay.
	RecoveryDelay string `json:"recovery_delay,omitempty"`
	// Wallets open at genesis (migrations, test networks, benchmarks).
	Wallets []GenesisWallet `json:"wallets,omitempty"`
	// WalletsFile names a file of more wallets beside the genesis file,
	// opened after Wallets: one GenesisWallet JSON object per line (JSON
	// Lines), pinned by its SHA-256. A migration of millions of wallets
	// keeps them there, out of the genesis document, which CometBFT keeps
	// in memory (twice, with its RPC's copy) and parses at every start;
	// the node reads the file once, at InitChain, a wallet at a time.
	WalletsFile *module.GenesisFileRef `json:"wallets_file,omitempty"`
}

// GenesisDenomLimits are the tier limits of one denom.
type GenesisDenomLimits struct {
	Denom string              `json:"denom"`
	Tiers []GenesisTierLimits `json:"tiers"`
}

// GenesisTierLimits are one tier's limits, in minor units; 0 or absent
// means none.
type GenesisTierLimits struct {
	Tier               uint32 `json:"tier"`
	BalanceCap         uint64 `json:"balance_cap,string,omitempty"`
	PaymentLimit       uint64 `json:"payment_limit,string,omitempty"`
	DailyOutflowLimit  uint64 `json:"daily_outflow_limit,string,omitempty"`
	AnnualOutflowLimit uint64 `json:"annual_outflow_limit,string,omitempty"`
}

// GenesisIssuanceCap caps one issuer's outstanding issuance of a denom.
type GenesisIssuanceCap struct {
	Issuer string `json:"issuer"`
	Denom  string `json:"denom"`
	Cap    uint64 `json:"cap,string"`
}

// Defaults of the wallet parameters.
const (
	DefaultUTCOffset    = "+08:00"
	DefaultMaxBatchLegs = 1000
	// DefaultRecoveryDelay is how long a key recovery waits unless the
	// parameters say otherwise; MaxRecoveryDelay bounds them.
	DefaultRecoveryDelay = 48 * time.Hour
	MaxRecoveryDelay     = 90 * 24 * time.Hour
	// DefaultDecimals are the decimals of a denom the parameters do not
	// list: two, as for CNY, USD and EUR.
	DefaultDecimals = 2
	// MaxDecimals bounds a denom's decimals (arith.MaxDecimals).
	MaxDecimals = 18
	// MaxBatchLegsBound bounds max_batch_legs, and so one transaction's work.
	MaxBatchLegsBound = 10_000
)

// DefaultGenesis carries CNY with limits modelled on the e-CNY wallet
// categories, in fen: tier 1 (in person, full KYC) no limits unless the bank
// sets them per wallet; tier 2 (ID and bank account) balance 500,000.00,
// payment 50,000.00, day 100,000.00; tier 3 (ID, no bank account) 20,000.00
// / 5,000.00 / 10,000.00; tier 4 (phone number only) 10,000.00 / 2,000.00 /
// 5,000.00.
func DefaultGenesis() Genesis {
	const yuan = 100
	return Genesis{
		Denoms: []string{"CNY"},
		Limits: []GenesisDenomLimits{{Denom: "CNY", Tiers: []GenesisTierLimits{
			{Tier: 2, BalanceCap: 500_000 * yuan, PaymentLimit: 50_000 * yuan, DailyOutflowLimit: 100_000 * yuan},
			{Tier: 3, BalanceCap: 20_000 * yuan, PaymentLimit: 5_000 * yuan, DailyOutflowLimit: 10_000 * yuan},
			{Tier: 4, BalanceCap: 10_000 * yuan, PaymentLimit: 2_000 * yuan, DailyOutflowLimit: 5_000 * yuan},
		}}},
		UTCOffset:    DefaultUTCOffset,
		MaxBatchLegs: DefaultMaxBatchLegs,
	}
}

// ParseUTCOffset parses "+08:00" or "-05:30" into seconds east of UTC.
func ParseUTCOffset(s string) (int32, error) {
	if len(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' {
		return 0, fmt.Errorf("utc_offset %q: want ±HH:MM", s)
	}
	h, err1 := strconv.Atoi(s[1:3])
	m, err2 := strconv.Atoi(s[4:6])
	if err1 != nil || err2 != nil || h > 14 || m > 59 {
		return 0, fmt.Errorf("utc_offset %q: want ±HH:MM, at most ±14:00", s)
	}
	off := int32(h*3600 + m*60)
	if s[0] == '-' {
		off = -off
	}
	return off, nil
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

// MemberLookup is what the wallet genesis and parameter checks read of the
// consortium.
type MemberLookup interface {
	Member(id string) (*consortiumv1.Member, error)
	Operator(addr common.Address) (*consortiumv1.Operator, bool)
}

// MemberList is a MemberLookup over a list of members (tests, tools).
type MemberList []*consortiumv1.Member

// Member implements MemberLookup.
func (l MemberList) Member(id string) (*consortiumv1.Member, error) {
	for _, m := range l {
		if m.Id == id {
			return m, nil
		}
	}
	return nil, fmt.Errorf("member %q not found", id)
}

// Operator implements MemberLookup.
func (l MemberList) Operator(addr common.Address) (*consortiumv1.Operator, bool) {
	for _, m := range l {
		for _, op := range m.Operators {
			if common.BytesToAddress(op) == addr {
				return &consortiumv1.Operator{Address: op, MemberId: m.Id}, true
			}
		}
	}
	return nil, false
}

// isIssuer reports whether member id exists and holds the issuer role.
func isIssuer(members MemberLookup, id string) bool {
	m, err := members.Member(id)
	return err == nil && slices.Contains(m.Roles, consortiumv1.Role_ROLE_ISSUER)
}

// Validate checks g against the consortium's members (banks of record must
// be issuers; owners must not be operators) and returns its state form.
func (g *Genesis) Validate(members MemberLookup) (*State, error) {
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
	st := &State{Params: &walletv1.Params{Denoms: denoms, MaxBatchLegs: g.MaxBatchLegs}}
	if st.Params.MaxBatchLegs == 0 {
		st.Params.MaxBatchLegs = DefaultMaxBatchLegs
	}
	if st.Params.MaxBatchLegs > MaxBatchLegsBound {
		return bad("max_batch_legs %d: at most %d", st.Params.MaxBatchLegs, MaxBatchLegsBound)
	}
	if g.RecoveryDelay != "" {
		d, err := time.ParseDuration(g.RecoveryDelay)
		if err != nil || d < time.Minute || d%time.Second != 0 || d > MaxRecoveryDelay {
			return bad("recovery_delay %q: want whole seconds from 1m to %s (\"48h\")", g.RecoveryDelay, MaxRecoveryDelay)
		}
		// The default is stored as 0, so that chains that never set it
		// keep their parameter record.
		if d != DefaultRecoveryDelay {
			st.Params.RecoveryDelaySeconds = int64(d / time.Second)
		}
	}
	offset := g.UTCOffset
	if offset == "" {
		offset = DefaultUTCOffset
	}
	var err error
	if st.Params.UtcOffsetSeconds, err = ParseUTCOffset(offset); err != nil {
		return bad("%v", err)
	}
	for _, dl := range g.Limits {
		if _, ok := slices.BinarySearch(denoms, dl.Denom); !ok {
			return bad("limits for denom %q, which is not in denoms", dl.Denom)
		}
		if slices.ContainsFunc(st.Params.Limits, func(x *walletv1.DenomLimits) bool { return x.Denom == dl.Denom }) {
			return bad("limits for denom %q listed twice", dl.Denom)
		}
		out := &walletv1.DenomLimits{Denom: dl.Denom}
		for _, tl := range dl.Tiers {
			if tl.Tier < MinTier || tl.Tier > MaxTier {
				return bad("limits of %s: tier %d: want %d to %d", dl.Denom, tl.Tier, MinTier, MaxTier)
			}
			if slices.ContainsFunc(out.Tiers, func(x *walletv1.TierLimits) bool { return x.Tier == tl.Tier }) {
				return bad("limits of %s: tier %d listed twice", dl.Denom, tl.Tier)
			}
			out.Tiers = append(out.Tiers, &walletv1.TierLimits{Tier: tl.Tier, Limits: &walletv1.Limits{
				BalanceCap: tl.BalanceCap, PaymentLimit: tl.PaymentLimit,
				DailyOutflowLimit: tl.DailyOutflowLimit, AnnualOutflowLimit: tl.AnnualOutflowLimit,
			}})
		}
		slices.SortFunc(out.Tiers, func(a, b *walletv1.TierLimits) int { return int(a.Tier) - int(b.Tier) })
		st.Params.Limits = append(st.Params.Limits, out)
	}
	slices.SortFunc(st.Params.Limits, func(a, b *walletv1.DenomLimits) int { return strings.Compare(a.Denom, b.Denom) })
	for _, c := range g.IssuanceCaps {
		if !isIssuer(members, c.Issuer) {
			return bad("issuance cap for %q, which is not an issuer member", c.Issuer)
		}
		if _, ok := slices.BinarySearch(denoms, c.Denom); !ok {
			return bad("issuance cap of %q in %q, which is not in denoms", c.Issuer, c.Denom)
		}
		if _, dup := IssuanceCapOf(st.Params, c.Issuer, c.Denom); dup {
			return bad("issuance cap of %q in %s listed twice", c.Issuer, c.Denom)
		}
		st.Params.IssuanceCaps = append(st.Params.IssuanceCaps, &walletv1.IssuanceCap{Issuer: c.Issuer, Denom: c.Denom, Cap: c.Cap})
	}
	for _, d := range slices.Sorted(maps.Keys(g.Decimals)) {
		if _, ok := slices.BinarySearch(denoms, d); !ok {
			return bad("decimals of %q, which is not in denoms", d)
		}
		if g.Decimals[d] > MaxDecimals {
			return bad("decimals of %s: %d, at most %d", d, g.Decimals[d], MaxDecimals)
		}
		if g.Decimals[d] != DefaultDecimals {
			st.Params.Decimals = append(st.Params.Decimals, &walletv1.DenomDecimals{Denom: d, Decimals: g.Decimals[d]})
		}
	}
	for _, d := range slices.Sorted(maps.Keys(g.ProtectedMinimums)) {
		if _, ok := slices.BinarySearch(denoms, d); !ok {
			return bad("protected minimum of %q, which is not in denoms", d)
		}
		if g.ProtectedMinimums[d] > 0 {
			st.Params.ProtectedMinimums = append(st.Params.ProtectedMinimums, &walletv1.ProtectedMinimum{Denom: d, Amount: g.ProtectedMinimums[d]})
		}
	}
	slices.SortFunc(st.Params.IssuanceCaps, func(a, b *walletv1.IssuanceCap) int {
		if c := strings.Compare(a.Issuer, b.Issuer); c != 0 {
			return c
		}
		return strings.Compare(a.Denom, b.Denom)
	})
	if g.WalletsFile != nil {
		if err := g.WalletsFile.Check(); err != nil {
			return bad("wallets_file: %v", err)
		}
	}
	owners := make(map[common.Address]bool, len(g.Wallets))
	check := newWalletCheck(st.Params, members)
	st.Wallets = make([]*walletv1.Wallet, 0, len(g.Wallets))
	for i, gw := range g.Wallets {
		w, err := check.wallet(lazyWhere{index: i, owner: gw.Owner}, &gw)
		if err != nil {
			return nil, err
		}
		owner := common.BytesToAddress(w.Owner)
		if owners[owner] {
			return bad("%s: owner already has a wallet", lazyWhere{index: i, owner: gw.Owner})
		}
		owners[owner] = true
		st.Wallets = append(st.Wallets, w)
	}
	return st, nil
}

// walletCheck checks genesis wallets, one at a time, against the
// parameters and the members.
type walletCheck struct {
	params  *walletv1.Params
	members MemberLookup
	// A genesis may hold millions of wallets at a few banks: each bank is
	// looked up once.
	issuers map[string]bool
}

func newWalletCheck(params *walletv1.Params, members MemberLookup) *walletCheck {
	return &walletCheck{params: params, members: members, issuers: map[string]bool{}}
}

// wallet checks gw, named where in errors, and returns its record. That
// its owner has no wallet yet is the caller's to check.
func (c *walletCheck) wallet(where lazyWhere, gw *GenesisWallet) (*walletv1.Wallet, error) {
	bad := func(format string, args ...any) (*walletv1.Wallet, error) {
		return nil, errcode.Wrap(ErrInvalidGenesis, "%s: "+format, append([]any{where}, args...)...)
	}
	if !common.IsHexAddress(gw.Owner) {
		return bad("owner is not a 0x-prefixed 20-byte hex address")
	}
	owner := common.HexToAddress(gw.Owner)
	if _, isOperator := c.members.Operator(owner); isOperator {
		return bad("owner is an operator")
	}
	issuer, seen := c.issuers[gw.Bank]
	if !seen {
		issuer = isIssuer(c.members, gw.Bank)
		c.issuers[gw.Bank] = issuer
	}
	if !issuer {
		return bad("bank %q is not an issuer member", gw.Bank)
	}
	kyc, err := hex.DecodeString(strings.TrimPrefix(gw.KYCHash, "0x"))
	if err != nil || len(kyc) != 32 {
		return bad("kyc_hash must be 32 bytes of hex")
	}
	w := &walletv1.Wallet{Owner: owner.Bytes(), Bank: gw.Bank, Tier: gw.Tier, KycHash: kyc,
		Status: walletv1.WalletStatus_WALLET_STATUS_ACTIVE}
	if err := ValidateOpenWallet(&walletv1.MsgOpenWallet{Owner: w.Owner, KycHash: kyc, Tier: gw.Tier}); err != nil {
		return bad("%v", err)
	}
	for _, coin := range gw.Balances {
		amount, err := strconv.ParseUint(coin.Amount, 10, 64)
		if err != nil || amount == 0 {
			return bad("amount %q of %s must be a positive integer of minor units", coin.Amount, coin.Denom)
		}
		if _, ok := slices.BinarySearch(c.params.Denoms, coin.Denom); !ok {
			return bad("denom %q is not in denoms", coin.Denom)
		}
		if Balance(w, coin.Denom) != 0 {
			return bad("denom %q listed twice", coin.Denom)
		}
		setBalance(w, coin.Denom, amount)
	}
	return w, nil
}

// lazyWhere names a genesis wallet in an error ("wallet 3 (0x...)", or
// "wallets_file w.jsonl: wallet 3 (0x...)"), formatted only if there is one.
type lazyWhere struct {
	file  string
	index int
	owner string
}

func (w lazyWhere) String() string {
	if w.file != "" {
		return fmt.Sprintf("wallets_file %s: wallet %d (%s)", w.file, w.index, w.owner)
	}
	return fmt.Sprintf("wallet %d (%s)", w.index, w.owner)
}

// InitGenesis writes st: parameters, wallets, and the issuance and supply
// their balances imply. It fails with ErrAmountOverflow if a total does not
// fit in uint64.
func (k Keeper) InitGenesis(st *State) error { return k.initGenesis(st, nil) }

// initGenesis is InitGenesis, with more wallets opened through more (if
// not nil) after st's and before the issuance and supply are written.
func (k Keeper) initGenesis(st *State, more func(*genesisMinter) error) error {
	m := k.genesisMint(st.Params)
	for i, w := range st.Wallets {
		if err := m.open(w); err != nil {
			return fmt.Errorf("%s: %w", lazyWhere{index: i, owner: common.BytesToAddress(w.Owner).Hex()}, err)
		}
	}
	if more != nil {
		if err := more(m); err != nil {
			return err
		}
	}
	m.finish()
	return nil
}

// genesisMinter opens genesis wallets and mints their balances into the
// issuance and supply records, which it keeps in memory and writes once
// (finish): the same records as a mint per balance would leave.
type genesisMinter struct {
	k        Keeper
	params   *walletv1.Params
	issued   map[issuanceOf]*walletv1.Issuance
	supplies map[string]*walletv1.Coin
	order    []issuanceOf
}

type issuanceOf struct{ issuer, denom string }

// genesisMint writes params and returns a minter for the wallets.
func (k Keeper) genesisMint(params *walletv1.Params) *genesisMinter {
	k.SetParams(params)
	return &genesisMinter{k: k, params: params, issued: map[issuanceOf]*walletv1.Issuance{}, supplies: map[string]*walletv1.Coin{}}
}

// open writes w and mints its balances.
func (m *genesisMinter) open(w *walletv1.Wallet) error {
	for _, c := range w.Balances {
		key := issuanceOf{w.Bank, c.Denom}
		is, ok := m.issued[key]
		if !ok {
			is = m.k.Issuance(w.Bank, c.Denom)
			m.issued[key] = is
			m.order = append(m.order, key)
		}
		supply, ok := m.supplies[c.Denom]
		if !ok {
			supply = m.k.Supply(c.Denom)
			m.supplies[c.Denom] = supply
		}
		if err := mintInto(m.params, is, supply, c.Amount); err != nil {
			return err
		}
	}
	m.k.SetWallet(w)
	return nil
}

// finish writes the issuance and supply records, in the order their
// first wallets came.
func (m *genesisMinter) finish() {
	for _, key := range m.order {
		store.SetProto(m.k.kv, IssuanceKey(key.issuer, key.denom), m.issued[key])
		store.SetProto(m.k.kv, SupplyKey(key.denom), m.supplies[key.denom])
	}
}

// openWalletsFile opens the wallets of the file ref names, after those of
// the document (already opened through m), each checked as the document's
// are and refused if its owner already has a wallet. The file is read a
// wallet at a time: a million wallets never stand in memory at once.
func openWalletsFile(files exec.GenesisFiles, ref module.GenesisFileRef, check *walletCheck, k Keeper, m *genesisMinter) error {
	f, err := module.OpenGenesisFile(files, ref)
	if err != nil {
		return errcode.Wrap(ErrInvalidGenesis, "wallets_file: %v", err)
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	dec.DisallowUnknownFields()
	// Wallets of the file are counted from 1: with one a line, the line.
	for n := 1; ; n++ {
		var gw GenesisWallet
		if err := dec.Decode(&gw); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return errcode.Wrap(ErrInvalidGenesis, "wallets_file %s: wallet %d: %v", ref.Path, n, err)
		}
		where := lazyWhere{file: ref.Path, index: n, owner: gw.Owner}
		w, err := check.wallet(where, &gw)
		if err != nil {
			return err
		}
		if k.kv.Get(WalletKey(w.Owner)) != nil {
			return errcode.Wrap(ErrInvalidGenesis, "%s: owner already has a wallet", where)
		}
		if err := m.open(w); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
	}
}

// Invariant checks, over a whole state r (the wallet store at one
// height), that for every denom supply = sum of balances = sum of the
// banks' signed outstanding issuance; that what each bank's wallets hold
// (Issuance.held) is the sum of the balances of the wallets whose bank of
// record it is, so that the banks' positions (outstanding - held) sum to
// zero; and that no zero balance is stored. It is for tests and auditors:
// its cost is linear in the state.
func Invariant(r store.Reader) error {
	type bankDenom struct{ bank, denom string }
	balances, supply := map[string]uint64{}, map[string]uint64{}
	issued := map[string]arith.Signed{}
	heldByWallets, heldRecorded := map[bankDenom]uint64{}, map[bankDenom]uint64{}
	var err error
	sum := func(m map[string]uint64, denom string, amount uint64) {
		if err == nil {
			m[denom], err = add(m[denom], amount, "invariant sum of %s", denom)
		}
	}
	walk := func(prefix byte, decode func(k, v []byte)) {
		store.EachPrefix(r, []byte{prefix}, false, func(k, v []byte) bool { decode(k, v); return err == nil })
	}
	walk(prefixWallet, func(k, v []byte) {
		w := new(walletv1.Wallet)
		store.DecodeProto(k, v, w)
		for _, c := range w.Balances {
			if c.Amount == 0 {
				err = fmt.Errorf("wallet %x stores a zero %s balance", w.Owner, c.Denom)
			}
			sum(balances, c.Denom, c.Amount)
			if err == nil {
				bd := bankDenom{w.Bank, c.Denom}
				heldByWallets[bd], err = add(heldByWallets[bd], c.Amount, "invariant sum of %s at %s", c.Denom, w.Bank)
			}
		}
	})
	walk(prefixIssuance, func(k, v []byte) {
		is := new(walletv1.Issuance)
		store.DecodeProto(k, v, is)
		if is.Negative && is.Outstanding == 0 {
			err = fmt.Errorf("issuance of %q in %s is a negative zero", is.Issuer, is.Denom)
			return
		}
		heldRecorded[bankDenom{is.Issuer, is.Denom}] = is.Held
		var e error
		if issued[is.Denom], e = issued[is.Denom].Add(Outstanding(is)); e != nil {
			err = fmt.Errorf("invariant sum of %s issuance: %v", is.Denom, e)
		}
	})
	walk(prefixSupply, func(k, v []byte) {
		c := new(walletv1.Coin)
		store.DecodeProto(k, v, c)
		sum(supply, c.Denom, c.Amount)
	})
	if err != nil {
		return err
	}
	denoms := map[string]bool{}
	for _, m := range []map[string]uint64{balances, supply} {
		for d := range m { // nolint:determinism: set of keys, sorted below
			denoms[d] = true
		}
	}
	for d := range issued { // nolint:determinism: set of keys, sorted below
		denoms[d] = true
	}
	for _, d := range slices.Sorted(maps.Keys(denoms)) {
		if balances[d] != supply[d] || issued[d].Cmp(arith.Plus(supply[d])) != 0 {
			return fmt.Errorf("invariant broken for %s: supply %d, sum of balances %d, sum of issuance %s",
				d, supply[d], balances[d], issued[d])
		}
	}
	// Positions sum to zero exactly when what the banks' wallets hold sums
	// to the supply: check each bank's against its wallets.
	bds := map[bankDenom]bool{}
	for bd := range heldByWallets { // nolint:determinism: set of keys, sorted below
		bds[bd] = true
	}
	for bd := range heldRecorded { // nolint:determinism: set of keys, sorted below
		bds[bd] = true
	}
	for _, bd := range slices.SortedFunc(maps.Keys(bds), func(a, b bankDenom) int {
		if c := strings.Compare(a.bank, b.bank); c != 0 {
			return c
		}
		return strings.Compare(a.denom, b.denom)
	}) {
		if heldByWallets[bd] != heldRecorded[bd] {
			return fmt.Errorf("invariant broken for %s at %q: its wallets hold %d, its issuance record says %d",
				bd.denom, bd.bank, heldByWallets[bd], heldRecorded[bd])
		}
	}
	return nil
}
