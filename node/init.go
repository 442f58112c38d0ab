package node

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"
	cmttime "github.com/cometbft/cometbft/types/time"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/ledgerd/ledgerd/client/keys"
	"github.com/ledgerd/ledgerd/node/appstate"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/aml"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/credit"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// InitOptions says what Init writes.
type InitOptions struct {
	Home    string
	ChainID string
	Moniker string
	// MemberID and MemberName name this node's bank in genesis; MemberID
	// defaults to Moniker.
	MemberID, MemberName string
	// NumericID is the EIP-712 chain id; 0 derives one from ChainID.
	NumericID uint64
	// Passphrase encrypts the generated operator keys.
	Passphrase string
	// LightScrypt encrypts keys faster and weaker: development networks only.
	LightScrypt bool
	// Demo adds an auditor member, "demo-auditor", with its own operator
	// key, to make a demo consortium.
	Demo bool
	// Denoms the ledger carries; default CNY.
	Denoms []string
	// BlockInterval is CometBFT's timeout_commit; 0 keeps its default.
	BlockInterval time.Duration
	// Mempool is "flood" (CometBFT keeps the mempool; the default for "")
	// or "app" (the app keeps it); see SetMempool.
	Mempool string
}

// InitResult is what Init made.
type InitResult struct {
	NodeID          string `json:"node_id"`
	ValidatorPubKey string `json:"validator_pub_key"`
	// Operators maps key names in the keyring to their addresses.
	Operators map[string]string `json:"operators"`
	Genesis   string            `json:"genesis"`
}

// KeyringDir is where a home's keys live.
func KeyringDir(home string) string { return filepath.Join(home, "keyring") }

// DefaultNumericID derives an EIP-712 chain id from a chain id string: a
// 32-bit number above 2^31, safe as a JavaScript number, unlikely to clash
// with public Ethereum chain ids.
func DefaultNumericID(chainID string) uint64 {
	return 1<<31 | uint64(binary.BigEndian.Uint32(crypto.Keccak256([]byte(chainID))[:4]))>>1
}

// Init writes a new node home: CometBFT's config, node key and validator
// key, ledgerd.toml, operator keys in the keyring, and a genesis in which
// this node's bank is the only member (an issuer and lender) and validator,
// so that `ledgerd start` right after makes blocks. It refuses to overwrite
// an existing genesis.
func Init(o InitOptions) (*InitResult, error) {
	if o.ChainID == "" || o.Moniker == "" {
		return nil, errors.New("init: chain id and moniker are required")
	}
	if o.MemberID == "" {
		o.MemberID = o.Moniker
	}
	if o.MemberName == "" {
		o.MemberName = o.MemberID
	}
	if o.NumericID == 0 {
		o.NumericID = DefaultNumericID(o.ChainID)
	}
	if len(o.Denoms) == 0 {
		o.Denoms = []string{"CNY"}
	}
	cfg := cmtcfg.DefaultConfig().SetRoot(o.Home)
	if _, err := os.Stat(cfg.GenesisFile()); err == nil {
		return nil, fmt.Errorf("init: %s exists; this home is initialised already (remove it to start over)", cfg.GenesisFile())
	}
	cmtcfg.EnsureRoot(o.Home)
	cfg.Moniker = o.Moniker
	// A permissioned network: peers are admitted only if the ledger lists
	// their node id under an active member (app.QueryPeerFilterID).
	cfg.FilterPeers = true
	ProductionRPC(cfg.RPC)
	if err := SetMempool(cfg.Mempool, o.Mempool); err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	if o.BlockInterval > 0 {
		cfg.Consensus.TimeoutCommit = o.BlockInterval
	}
	def := DefaultConfig()
	cfg.Instrumentation.Prometheus = def.Metrics.Enabled
	cfg.Instrumentation.PrometheusListenAddr = def.Metrics.Listen
	cmtcfg.WriteConfigFile(filepath.Join(o.Home, "config", "config.toml"), cfg)
	if err := WriteConfig(o.Home, def); err != nil {
		return nil, err
	}

	nodeKey, err := p2p.LoadOrGenNodeKey(cfg.NodeKeyFile())
	if err != nil {
		return nil, fmt.Errorf("init: node key: %w", err)
	}
	pv := privval.LoadOrGenFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
	pub, err := pv.GetPubKey()
	if err != nil {
		return nil, err
	}

	kr, err := keys.Open(KeyringDir(o.Home), keys.Options{LightScrypt: o.LightScrypt})
	if err != nil {
		return nil, err
	}
	res := &InitResult{
		NodeID:          string(nodeKey.ID()),
		ValidatorPubKey: base64.StdEncoding.EncodeToString(pub.Bytes()),
		Operators:       map[string]string{},
		Genesis:         cfg.GenesisFile(),
	}
	operator, err := kr.Add(o.MemberID, o.Passphrase)
	if err != nil {
		return nil, fmt.Errorf("init: operator key: %w", err)
	}
	res.Operators[o.MemberID] = operator.Address.Hex()

	gen := &appstate.State{
		Consortium: consortium.Genesis{
			ChainNumericID: fmt.Sprint(o.NumericID),
			Members: []consortium.GenesisMember{{
				ID: o.MemberID, Name: o.MemberName, Roles: []string{"issuer", "lender"},
				Operators: []string{operator.Address.Hex()}, NodeIDs: []string{res.NodeID},
				Validator: &consortium.GenesisValidator{PubKey: res.ValidatorPubKey, Power: 10},
			}},
		},
		Wallet: walletGenesis(o.Denoms),
	}
	amlGen := aml.DefaultGenesis()
	gen.AML = &amlGen
	if o.Demo {
		auditor, err := kr.Add("demo-auditor", o.Passphrase)
		if err != nil {
			return nil, fmt.Errorf("init: auditor key: %w", err)
		}
		res.Operators["demo-auditor"] = auditor.Address.Hex()
		gen.Consortium.Members = append(gen.Consortium.Members, consortium.GenesisMember{
			ID: "demo-auditor", Name: "Demo Audit Office", Roles: []string{"auditor", "credit_bureau"},
			Operators: []string{auditor.Address.Hex()},
		})
	}
	if o.Demo && slices.Contains(o.Denoms, "CNY") {
		treasury, err := kr.Add(o.MemberID+"-treasury", o.Passphrase)
		if err != nil {
			return nil, fmt.Errorf("init: treasury key: %w", err)
		}
		res.Operators[o.MemberID+"-treasury"] = treasury.Address.Hex()
		demoLender(gen, o.MemberID, treasury.Address)
	}
	if err := ValidateAppState(gen, cmttime.Now(), nil); err != nil {
		return nil, fmt.Errorf("init: generated genesis is invalid: %w", err)
	}
	if err := WriteGenesis(cfg.GenesisFile(), o.ChainID, gen); err != nil {
		return nil, err
	}
	return res, nil
}

// WriteGenesis writes a CometBFT genesis file whose app_state is gen and
// whose validators are gen's (InitChain returns the same set).
func WriteGenesis(path, chainID string, gen *appstate.State) error {
	appState, err := gen.JSON()
	if err != nil {
		return err
	}
	doc := &cmttypes.GenesisDoc{
		ChainID:         chainID,
		GenesisTime:     cmttime.Now(),
		InitialHeight:   1,
		ConsensusParams: cmttypes.DefaultConsensusParams(),
		AppState:        appState,
	}
	vals, err := genesisValidators(gen)
	if err != nil {
		return err
	}
	doc.Validators = vals
	if err := doc.ValidateAndComplete(); err != nil {
		return fmt.Errorf("genesis: %w", err)
	}
	return doc.SaveAs(path)
}

// genesisValidators is CometBFT's genesis validator list: the members'
// validators, in member order.
func genesisValidators(gen *appstate.State) ([]cmttypes.GenesisValidator, error) {
	var vals []cmttypes.GenesisValidator
	for _, m := range gen.Consortium.Members {
		if m.Validator == nil {
			continue
		}
		pk, err := base64.StdEncoding.DecodeString(m.Validator.PubKey)
		if err != nil || len(pk) != ed25519.PubKeySize {
			return nil, fmt.Errorf("member %q: validator pub_key must be a base64 32-byte Ed25519 key (ledgerd show-validator)", m.ID)
		}
		vu := ed25519.PubKey(pk)
		vals = append(vals, cmttypes.GenesisValidator{Address: vu.Address(), PubKey: vu, Power: m.Validator.Power, Name: m.ID})
	}
	return vals, nil
}

// walletGenesis is the default wallet genesis (e-CNY tier limits for CNY,
// UTC+8) carrying denoms; limits of denoms not carried are dropped.
func walletGenesis(denoms []string) wallet.Genesis {
	g := wallet.DefaultGenesis()
	g.Denoms = denoms
	var limits []wallet.GenesisDenomLimits
	for _, l := range g.Limits {
		if slices.Contains(denoms, l.Denom) {
			limits = append(limits, l)
		}
	}
	g.Limits = limits
	return g
}

// demoLender makes the demo bank a lender: a treasury wallet of its own
// holding 1,000,000.00 CNY of e-money it issued, and one product, an
// instant loan of 100.00 to 50,000.00 over 3 to 24 months (12 by
// default), equal installments at 18% a year with 5% more on overdue
// principal (23% a year over a 360-day basis: 23.32% over 365, within the
// 24% cap), 3 grace days, auto-debit retried for 3 days.
func demoLender(gen *appstate.State, bank string, treasury common.Address) {
	kyc := sha256.Sum256([]byte("demo treasury " + treasury.Hex()))
	gen.Wallet.Wallets = append(gen.Wallet.Wallets, wallet.GenesisWallet{
		Owner: treasury.Hex(), Bank: bank, Tier: 1, KYCHash: hex.EncodeToString(kyc[:]),
		Balances: []wallet.GenesisCoin{{Denom: "CNY", Amount: "100000000"}},
	})
	product := &creditv1.Product{
		Lender: bank, Id: "instant-12m", Name: "Instant loan",
		Terms: &creditv1.Terms{
			Kind: creditv1.LineKind_LINE_KIND_INSTALLMENT, Denom: "CNY", RateBps: 1800, PenaltyRateBps: 500,
			Method: creditv1.Method_METHOD_EQUAL_INSTALLMENTS, Accrual: creditv1.Accrual_ACCRUAL_MONTHLY, Basis: 360,
			TermMonths: 12, GraceDays: 3, AutodebitRetryDays: 3, PrepayMode: creditv1.PrepayMode_PREPAY_MODE_SHORTEN_TERM,
			Treasury: treasury.Bytes(),
		},
		MinLimit: 10_000, MaxLimit: 5_000_000, MinTermMonths: 3, MaxTermMonths: 24, MaxRateBps: 1800,
	}
	b, err := protojson.Marshal(product)
	if err != nil {
		panic("init: demo product: " + err.Error()) // a valid message always encodes
	}
	gen.Credit = &credit.Genesis{Products: []json.RawMessage{b}}
}
