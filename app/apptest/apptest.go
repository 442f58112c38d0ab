// Package apptest runs a ledgerd app in-process for tests and benchmarks:
// it builds a genesis with a fixed consortium, opens an app.App on an
// in-memory or on-disk store, runs InitChain, and then runs blocks
// (FinalizeBlock + Commit) of transactions it can also sign.
//
// Everything is deterministic: keys are derived from a seed, block times
// are BaseTime + height seconds, and transactions are encoded canonically.
//
// The consortium is
//
//   - "demo-bank", an issuer with operator key IssuerKey and the validator;
//   - "other-bank", an issuer with operator key OtherIssuerKey;
//   - "auditor", an auditor with operator key AuditorKey;
//   - "regulator", a regulator with operator key RegulatorKey;
//
// the wallet parameters of wallet.DefaultGenesis (CNY, the e-CNY tier
// limits, UTC+8, batches of up to 1000 legs), and Options.Wallets genesis
// wallets at demo-bank, the i-th owned by WalletKey(i), at Options.Tier
// (default 1, which has no limits) and holding Options.Balance CNY.
//
// Block times can be set (FinalizeBlockAt, BlockAt); a block finalized
// without one is at BaseTime + height seconds, or one second after the last
// committed block if that is later.
package apptest

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/node/appstate"
	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/module"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// The test chain.
const (
	ChainID        = "ledgerd-test"
	ChainNumericID = 4242
	Denom          = "CNY"
	Issuer         = "demo-bank"
	OtherIssuer    = "other-bank"
	Auditor        = "auditor"
	Regulator      = "regulator"
	// ValidUntil is the valid_until_height Sign puts in bodies.
	ValidUntil = 500
	// DefaultSeed derives the keys when Options.Seed is nil.
	DefaultSeed = "ledgerd-apptest"
)

// An in-memory harness (Options.Dir empty) is sized for short tests: a
// Badger memtable of InMemoryMemTableSize unless Options.Store sets one,
// and a signature cache of InMemorySigCacheSize unless Options.Config is
// set.
const (
	InMemoryMemTableSize = 4 << 20
	InMemorySigCacheSize = 10_000
)

// BaseTime is the genesis time; block h is at BaseTime + h seconds unless
// the clock was moved on (FinalizeBlockAt).
var BaseTime = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// T is what the harness needs of a test: *testing.T and *testing.B satisfy
// it, and Panic serves programs.
type T interface {
	Helper()
	Fatalf(format string, args ...any)
}

// Panic is a T for programs: Fatalf panics.
type Panic struct{}

// Helper implements T.
func (Panic) Helper() {}

// Fatalf implements T.
func (Panic) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

// Options configures New.
type Options struct {
	// Dir is the store directory; empty means in memory.
	Dir string
	// Store overrides the store options other than Dir and InMemory.
	Store store.Options
	// Config overrides app.DefaultConfig(ChainID) when not nil.
	Config *app.Config
	// EditGenesis, if set, changes the genesis before InitChain.
	EditGenesis func(*appstate.State)
	// AppState, if set, is the genesis app_state InitChain sends, instead
	// of the encoding of the built genesis: a frozen genesis file (golden
	// tests) or a deliberately malformed one.
	AppState []byte
	// Seed derives every key; nil means DefaultSeed.
	Seed []byte
	// Wallets is the number of genesis wallets, each holding Balance CNY
	// (none if Balance is 0).
	Wallets int
	Balance uint64
	// Tier of the genesis wallets; 0 means 1.
	Tier uint32
	// WalletsFile, if set, is where BuildGenesis writes the Wallets genesis
	// wallets, one JSON object a line, for the genesis to name (the wallet
	// section's wallets_file) instead of listing them; InitChain reads the
	// file's directory (Config.GenesisFiles).
	WalletsFile string
	// Genesis, if set, is the genesis to use instead of BuildGenesis(opts)
	// (a benchmark times building it apart from InitChain).
	Genesis *appstate.State
	// Upgrades are chain upgrades the app has beside app.Upgrades(): a
	// binary with an upgrade (Reopen with other Upgrades is a restart on
	// another binary).
	Upgrades []app.Upgrade
}

// Harness is an app under test. Its fields may be used directly.
type Harness struct {
	T       T
	App     *app.App
	Store   *store.Store
	Genesis *appstate.State
	Signer  *auth.Signer
	opts    Options
}

// New builds the genesis, opens the app and, if the store holds no commit
// yet, runs InitChain. A store that has commits is reopened as is: that is
// how a restart is tested.
func New(t T, opts Options) *Harness {
	t.Helper()
	if opts.Seed == nil {
		opts.Seed = []byte(DefaultSeed)
	}
	h := &Harness{T: t, opts: opts, Genesis: opts.Genesis}
	if h.Genesis == nil {
		h.Genesis = BuildGenesis(opts)
	}
	if opts.EditGenesis != nil {
		opts.EditGenesis(h.Genesis)
	}
	h.open()
	if h.Store.LastCommit().Height == 0 {
		h.InitChain()
	}
	h.Signer = auth.NewSigner(h.App.Domain())
	return h
}

func (h *Harness) open() {
	h.T.Helper()
	so := h.opts.Store
	so.Dir, so.InMemory = h.opts.Dir, h.opts.Dir == ""
	if so.InMemory && so.Badger.MemTableSize == 0 {
		// Badger allocates a whole memtable up front: the default 64 MiB
		// dominates the cost of a short test.
		so.Badger.MemTableSize = InMemoryMemTableSize
	}
	ups := append(app.Upgrades(), h.opts.Upgrades...)
	st, err := store.Open(so, app.StoreNamesWith(ups))
	if err != nil {
		h.T.Fatalf("apptest: open store: %v", err)
	}
	cfg := app.DefaultConfig(ChainID)
	if h.opts.Dir == "" {
		cfg.SigCacheSize = InMemorySigCacheSize
	}
	if h.opts.Config != nil {
		cfg = *h.opts.Config
	}
	if h.opts.WalletsFile != "" && cfg.GenesisFiles == nil {
		cfg.GenesisFiles = os.DirFS(filepath.Dir(h.opts.WalletsFile))
	}
	a, err := app.NewWithUpgrades(cfg, st, ups)
	if err != nil {
		st.Close()
		h.T.Fatalf("apptest: new app: %v", err)
	}
	h.Store, h.App = st, a
}

// BuildGenesis returns the genesis described in the package comment.
func BuildGenesis(opts Options) *appstate.State {
	seed := opts.Seed
	if seed == nil {
		seed = []byte(DefaultSeed)
	}
	op := func(label string) []string { return []string{Address(derive(seed, "operator/"+label)).Hex()} }
	vpub := ValidatorKey().Public().(ed25519.PublicKey)
	g := &appstate.State{
		Consortium: consortium.Genesis{
			ChainNumericID: strconv.FormatUint(ChainNumericID, 10),
			Members: []consortium.GenesisMember{
				{ID: Issuer, Name: "Demo Bank", Roles: []string{"issuer"}, Operators: op(Issuer),
					NodeIDs:   []string{"0123456789abcdef0123456789abcdef01234567"},
					Validator: &consortium.GenesisValidator{PubKey: base64.StdEncoding.EncodeToString(vpub), Power: 10}},
				{ID: OtherIssuer, Name: "Other Bank", Roles: []string{"issuer"}, Operators: op(OtherIssuer)},
				{ID: Auditor, Name: "Auditor", Roles: []string{"auditor"}, Operators: op(Auditor)},
				{ID: Regulator, Name: "Regulator", Roles: []string{"regulator"}, Operators: op(Regulator)},
			},
		},
		Wallet: wallet.DefaultGenesis(),
	}
	tier := opts.Tier
	if tier == 0 {
		tier = 1
	}
	if opts.WalletsFile != "" {
		ref, err := writeWalletsFile(opts.WalletsFile, seed, opts.Wallets, tier, opts.Balance)
		if err != nil {
			panic("apptest: " + err.Error())
		}
		g.Wallet.WalletsFile = &ref
		return g
	}
	first := len(g.Wallet.Wallets)
	g.Wallet.Wallets = append(g.Wallet.Wallets, make([]wallet.GenesisWallet, opts.Wallets)...)
	genesisWallets(g.Wallet.Wallets[first:], seed, 0, tier, opts.Balance)
	return g
}

// genesisWallets fills out with genesis wallets from, from+1, ...: each
// holds balance CNY (none if 0). Deriving a key is a scalar
// multiplication: the work is spread over the cores (each wallet is
// written to its own index).
func genesisWallets(out []wallet.GenesisWallet, seed []byte, from int, tier uint32, balance uint64) {
	var wg sync.WaitGroup
	workers := min(runtime.NumCPU(), max(len(out)/1000, 1))
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(out); i += workers {
				owner := Address(walletKey(seed, from+i))
				gw := wallet.GenesisWallet{Owner: owner.Hex(), Bank: Issuer, Tier: tier, KYCHash: hex.EncodeToString(KYCHash(owner))}
				if balance > 0 {
					gw.Balances = []wallet.GenesisCoin{{Denom: Denom, Amount: strconv.FormatUint(balance, 10)}}
				}
				out[i] = gw
			}
		}()
	}
	wg.Wait()
}

// writeWalletsFile writes n genesis wallets (genesisWallets) to path, one
// JSON object a line, a chunk at a time, and returns the reference a
// genesis names it by.
func writeWalletsFile(path string, seed []byte, n int, tier uint32, balance uint64) (module.GenesisFileRef, error) {
	f, err := os.Create(path)
	if err != nil {
		return module.GenesisFileRef{}, err
	}
	defer f.Close()
	digest := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(f, digest), 1<<20)
	enc := json.NewEncoder(bw) // one value a line
	chunk := make([]wallet.GenesisWallet, min(n, 10_000))
	for from := 0; from < n; from += len(chunk) {
		part := chunk[:min(len(chunk), n-from)]
		genesisWallets(part, seed, from, tier, balance)
		for i := range part {
			if err := enc.Encode(&part[i]); err != nil {
				return module.GenesisFileRef{}, err
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return module.GenesisFileRef{}, err
	}
	if err := f.Close(); err != nil {
		return module.GenesisFileRef{}, err
	}
	return module.GenesisFileRef{Path: filepath.Base(path), SHA256: hex.EncodeToString(digest.Sum(nil))}, nil
}

// ValidatorKey is the fixed Ed25519 key of demo-bank's validator.
func ValidatorKey() ed25519.PrivateKey {
	s := sha256.Sum256([]byte("ledgerd-apptest/validator"))
	return ed25519.NewKeyFromSeed(s[:])
}

// derive returns the secp256k1 key sha256(seed || label).
func derive(seed []byte, label string) *ecdsa.PrivateKey {
	return keyFromHash(sha256.Sum256(append(append([]byte(nil), seed...), label...)))
}

// walletKey returns the key sha256(seed || uint64be(i)).
func walletKey(seed []byte, i int) *ecdsa.PrivateKey {
	return keyFromHash(sha256.Sum256(binary.BigEndian.AppendUint64(append([]byte(nil), seed...), uint64(i))))
}

func keyFromHash(h [32]byte) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(h[:])
	if err != nil { // only if the hash is 0 or at least the curve order
		panic(fmt.Sprintf("apptest: derived key: %v", err))
	}
	return k
}

// KYCHash is the KYC hash the harness uses for owner.
func KYCHash(owner common.Address) []byte {
	h := sha256.Sum256(append([]byte("kyc/"), owner[:]...))
	return h[:]
}

// Address returns key's address.
func Address(key *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(key.PublicKey) }

// IssuerKey is the operator key of demo-bank.
func (h *Harness) IssuerKey() *ecdsa.PrivateKey { return derive(h.opts.Seed, "operator/"+Issuer) }

// OtherIssuerKey is the operator key of other-bank.
func (h *Harness) OtherIssuerKey() *ecdsa.PrivateKey {
	return derive(h.opts.Seed, "operator/"+OtherIssuer)
}

// AuditorKey is the operator key of the auditor.
func (h *Harness) AuditorKey() *ecdsa.PrivateKey { return derive(h.opts.Seed, "operator/"+Auditor) }

// RegulatorKey is the operator key of the regulator.
func (h *Harness) RegulatorKey() *ecdsa.PrivateKey {
	return derive(h.opts.Seed, "operator/"+Regulator)
}

// WalletKey is the key of the i-th genesis wallet for i < Options.Wallets,
// and of a wallet nobody opened yet beyond.
func (h *Harness) WalletKey(i int) *ecdsa.PrivateKey { return walletKey(h.opts.Seed, i) }

// DropGenesis releases the decoded genesis document (h.Genesis becomes
// nil) so that a benchmark's million wallets do not stay in memory beside
// the node's state. A harness whose store has no commit yet cannot run
// InitChain after it unless Options.AppState was given.
func (h *Harness) DropGenesis() { h.Genesis, h.opts.Genesis = nil, nil }

// InitChain runs InitChain with the genesis at BaseTime.
func (h *Harness) InitChain() *abci.ResponseInitChain {
	h.T.Helper()
	state := h.opts.AppState
	if state == nil {
		var err error
		if state, err = h.Genesis.JSON(); err != nil {
			h.T.Fatalf("apptest: genesis: %v", err)
		}
	}
	resp, err := h.App.InitChain(context.Background(), &abci.RequestInitChain{
		Time: BaseTime, ChainId: ChainID, AppStateBytes: state, InitialHeight: 1,
	})
	if err != nil {
		h.T.Fatalf("apptest: InitChain: %v", err)
	}
	return resp
}

// Height is the last committed height.
func (h *Harness) Height() int64 { return h.Store.LastCommit().Height }

// AppHash is the last committed app hash.
func (h *Harness) AppHash() []byte { return h.Store.LastCommit().AppHash }

// NextTime is the time FinalizeBlock gives the next block: BaseTime +
// height seconds, or one second after the last committed block if that is
// later (after FinalizeBlockAt moved the clock on).
func (h *Harness) NextTime() time.Time {
	t := BaseTime.Add(time.Duration(h.Height()+1) * time.Second)
	if next := h.LastTime().Add(time.Second); next.After(t) {
		return next
	}
	return t
}

// LastTime is the time of the last committed block, as the store recorded
// it (BaseTime before the first).
func (h *Harness) LastTime() time.Time {
	if c := h.Store.LastCommit(); c.Height > 0 && !c.Time.IsZero() {
		return c.Time
	}
	return BaseTime
}

// FinalizeBlock finalizes the next block (height Height()+1, at NextTime)
// without committing it.
func (h *Harness) FinalizeBlock(txs ...[]byte) *abci.ResponseFinalizeBlock {
	h.T.Helper()
	return h.FinalizeBlockAt(h.NextTime(), txs...)
}

// FinalizeBlockAt finalizes the next block at t, which must be after the
// last committed block's time, without committing it.
func (h *Harness) FinalizeBlockAt(t time.Time, txs ...[]byte) *abci.ResponseFinalizeBlock {
	h.T.Helper()
	height := h.Height() + 1
	if last := h.LastTime(); !t.After(last) {
		h.T.Fatalf("apptest: block %d at %s, not after the last block's time %s", height, t, last)
	}
	resp, err := h.App.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{
		Txs: txs, Height: height, Time: t,
	})
	if err != nil {
		h.T.Fatalf("apptest: FinalizeBlock %d: %v", height, err)
	}
	if len(resp.TxResults) != len(txs) {
		h.T.Fatalf("apptest: FinalizeBlock %d: %d results for %d txs", height, len(resp.TxResults), len(txs))
	}
	return resp
}

// Commit commits the finalized block.
func (h *Harness) Commit() {
	h.T.Helper()
	if _, err := h.App.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		h.T.Fatalf("apptest: Commit: %v", err)
	}
}

// Block finalizes and commits the next block and returns its results.
func (h *Harness) Block(txs ...[]byte) []*abci.ExecTxResult {
	h.T.Helper()
	resp := h.FinalizeBlock(txs...)
	h.Commit()
	return resp.TxResults
}

// BlockAt finalizes and commits the next block at t and returns its
// results.
func (h *Harness) BlockAt(t time.Time, txs ...[]byte) []*abci.ExecTxResult {
	h.T.Helper()
	resp := h.FinalizeBlockAt(t, txs...)
	h.Commit()
	return resp.TxResults
}

// CheckTx submits tx to the mempool check.
func (h *Harness) CheckTx(tx []byte) *abci.ResponseCheckTx {
	h.T.Helper()
	return h.checkTx(tx, abci.CheckTxType_New)
}

// Recheck re-checks tx as CometBFT does for the mempool after a commit.
func (h *Harness) Recheck(tx []byte) *abci.ResponseCheckTx {
	h.T.Helper()
	return h.checkTx(tx, abci.CheckTxType_Recheck)
}

func (h *Harness) checkTx(tx []byte, typ abci.CheckTxType) *abci.ResponseCheckTx {
	h.T.Helper()
	resp, err := h.App.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: tx, Type: typ})
	if err != nil {
		h.T.Fatalf("apptest: CheckTx: %v", err)
	}
	return resp
}

// Query runs an ABCI query.
func (h *Harness) Query(path string, data []byte, height int64, prove bool) *abci.ResponseQuery {
	h.T.Helper()
	resp, err := h.App.Query(context.Background(), &abci.RequestQuery{Path: path, Data: data, Height: height, Prove: prove})
	if err != nil {
		h.T.Fatalf("apptest: Query %s: %v", path, err)
	}
	return resp
}

// SignedQuery runs an ABCI query as a signed read by key (auth.Read, on
// the path "/read" + path), valid for five minutes after the last block.
func (h *Harness) SignedQuery(key *ecdsa.PrivateKey, path string, data []byte, height int64, prove bool) *abci.ResponseQuery {
	h.T.Helper()
	r := auth.Read{Path: path, Data: data, Height: height, Prove: prove, ValidUntil: h.Store.LastCommit().Time.Unix() + 300}
	sig, err := r.Sign(h.App.Domain(), key)
	if err != nil {
		h.T.Fatalf("apptest: sign read %s: %v", path, err)
	}
	b, err := proto.Marshal(&authv1.ReadRequest{Data: data, ValidUntil: r.ValidUntil, Signature: sig})
	if err != nil {
		h.T.Fatalf("apptest: %v", err)
	}
	return h.Query("/read"+path, b, height, prove)
}

// Close closes the store.
func (h *Harness) Close() {
	h.T.Helper()
	if err := h.Store.Close(); err != nil {
		h.T.Fatalf("apptest: close store: %v", err)
	}
}

// Reopen closes the store and opens it again with a new App, as a restarted
// node does. It needs an on-disk store.
func (h *Harness) Reopen() { h.ReopenWith(h.opts.Upgrades) }

// ReopenWith is Reopen on a binary with the upgrades ups (beside
// app.Upgrades()).
func (h *Harness) ReopenWith(ups []app.Upgrade) {
	h.opts.Upgrades = ups
	h.T.Helper()
	if h.opts.Dir == "" {
		h.T.Fatalf("apptest: Reopen needs Options.Dir")
	}
	h.Close()
	h.open()
	if h.Store.LastCommit().Height == 0 {
		h.InitChain()
	}
}

// Msg is a transaction message: a walletv1.Msg* or a govv1.Msg* (see
// client.SetMsg).
type Msg = proto.Message

// Body returns the body of msg signed by key's address at nonce, valid
// until ValidUntil.
func Body(key *ecdsa.PrivateKey, nonce uint64, msg Msg) *authv1.TxBody {
	b := &authv1.TxBody{ChainId: ChainID, Signer: Address(key).Bytes(), Nonce: nonce, ValidUntilHeight: ValidUntil}
	if err := client.SetMsg(b, msg); err != nil {
		panic(fmt.Sprintf("apptest: %v", err))
	}
	return b
}

// SignTx signs body with key (EIP-712).
func (h *Harness) SignTx(key *ecdsa.PrivateKey, body *authv1.TxBody) *authv1.Tx {
	h.T.Helper()
	tx, err := h.Signer.Sign(body, authv1.SignMode_SIGN_MODE_EIP712, key)
	if err != nil {
		h.T.Fatalf("apptest: sign: %v", err)
	}
	return tx
}

// Sign returns the canonical encoding of msg signed by key at nonce.
func (h *Harness) Sign(key *ecdsa.PrivateKey, nonce uint64, msg Msg) []byte {
	h.T.Helper()
	return h.Encode(h.SignTx(key, Body(key, nonce, msg)))
}

// SignBoth returns the canonical encoding of msg signed by key at nonce
// with second's signature over the same digest as the second signature.
func (h *Harness) SignBoth(key, second *ecdsa.PrivateKey, nonce uint64, msg Msg) []byte {
	h.T.Helper()
	tx, err := h.Signer.Cosign(h.SignTx(key, Body(key, nonce, msg)), authv1.SignMode_SIGN_MODE_EIP712, second)
	if err != nil {
		h.T.Fatalf("apptest: cosign: %v", err)
	}
	return h.Encode(tx)
}

// Encode returns tx's canonical encoding.
func (h *Harness) Encode(tx *authv1.Tx) []byte {
	h.T.Helper()
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(tx)
	if err != nil {
		h.T.Fatalf("apptest: encode: %v", err)
	}
	return b
}

// OpenWallet is a message opening owner's wallet at tier 1.
func OpenWallet(owner common.Address) *walletv1.MsgOpenWallet {
	return &walletv1.MsgOpenWallet{Owner: owner.Bytes(), KycHash: KYCHash(owner), Tier: 1}
}

// Deposit is a message crediting amount CNY to w against reference.
func Deposit(w common.Address, amount uint64, reference string) *walletv1.MsgDeposit {
	return &walletv1.MsgDeposit{Wallet: w.Bytes(), Denom: Denom, Amount: amount, Reference: reference}
}

// Transfer is a message paying amount CNY to to.
func Transfer(to common.Address, amount uint64) *walletv1.MsgTransfer {
	return &walletv1.MsgTransfer{To: to.Bytes(), Denom: Denom, Amount: amount}
}

// OpenWalletTier is a message opening owner's wallet at tier.
func OpenWalletTier(owner common.Address, tier uint32) *walletv1.MsgOpenWallet {
	return &walletv1.MsgOpenWallet{Owner: owner.Bytes(), KycHash: KYCHash(owner), Tier: tier}
}

// Redeem is a message burning amount CNY from the signer's wallet, paid
// out against payoutReference.
func Redeem(amount uint64, payoutReference string) *walletv1.MsgRedeem {
	return &walletv1.MsgRedeem{Denom: Denom, Amount: amount, PayoutReference: payoutReference}
}

// Leg is one recipient of a batch transfer.
func Leg(to common.Address, amount uint64) *walletv1.BatchLeg {
	return &walletv1.BatchLeg{To: to.Bytes(), Amount: amount}
}

// BatchTransfer is a message paying every leg in CNY.
func BatchTransfer(legs ...*walletv1.BatchLeg) *walletv1.MsgBatchTransfer {
	return &walletv1.MsgBatchTransfer{Denom: Denom, Legs: legs}
}

// Freeze is a message placing a freeze order of kind on w, expiring at
// the Unix time expires (0: never).
func Freeze(w common.Address, kind walletv1.FreezeKind, legalBasis string, expires int64) *walletv1.MsgFreeze {
	return &walletv1.MsgFreeze{Wallet: w.Bytes(), Kind: kind, LegalBasis: legalBasis, Expires: expires}
}

// Release is a message lifting w's freeze order id.
func Release(w common.Address, id uint64, reason string) *walletv1.MsgRelease {
	return &walletv1.MsgRelease{Wallet: w.Bytes(), OrderId: id, Reason: reason}
}

// SetTier is a message moving w to tier, with TierKYCHash(w, tier).
func SetTier(w common.Address, tier uint32) *walletv1.MsgSetTier {
	return &walletv1.MsgSetTier{Wallet: w.Bytes(), Tier: tier, KycHash: TierKYCHash(w, tier)}
}

// TierKYCHash is the KYC hash SetTier records for owner's verification at
// tier.
func TierKYCHash(owner common.Address, tier uint32) []byte {
	h := sha256.Sum256(fmt.Appendf(append([]byte("kyc/"), owner[:]...), "/tier-%d", tier))
	return h[:]
}

// SetLimits is a message setting w's own CNY limits (nil clears them).
func SetLimits(w common.Address, limits *walletv1.Limits) *walletv1.MsgSetLimits {
	return &walletv1.MsgSetLimits{Wallet: w.Bytes(), Denom: Denom, Limits: limits}
}

// CloseWallet is a message closing w.
func CloseWallet(w common.Address) *walletv1.MsgCloseWallet {
	return &walletv1.MsgCloseWallet{Wallet: w.Bytes()}
}

// get reads a store key at the last commit; nil if absent.
func (h *Harness) get(storeName string, key []byte) []byte {
	h.T.Helper()
	r := h.Query(app.QueryStorePrefix+storeName+"/key", key, 0, false)
	if r.Code != 0 {
		h.T.Fatalf("apptest: query %s %x: %s", storeName, key, r.Log)
	}
	return r.Value
}

func (h *Harness) decode(b []byte, m proto.Message) {
	h.T.Helper()
	if err := proto.Unmarshal(b, m); err != nil {
		h.T.Fatalf("apptest: decode %T: %v", m, err)
	}
}

// Wallet returns owner's wallet at the last commit, nil if none.
func (h *Harness) Wallet(owner common.Address) *walletv1.Wallet {
	h.T.Helper()
	b := h.get(wallet.StoreName, wallet.WalletKey(owner[:]))
	if b == nil {
		return nil
	}
	w := new(walletv1.Wallet)
	h.decode(b, w)
	return w
}

// Balance returns owner's CNY balance at the last commit.
func (h *Harness) Balance(owner common.Address) uint64 {
	h.T.Helper()
	w := h.Wallet(owner)
	if w == nil {
		return 0
	}
	return wallet.Balance(w, Denom)
}

// Nonce returns the next nonce of addr (an operator or a wallet owner) at
// the last commit; 0 for an unknown address, and before the first commit
// (genesis nonces are 0).
func (h *Harness) Nonce(addr common.Address) uint64 {
	h.T.Helper()
	if h.Height() == 0 {
		return 0
	}
	return h.Account(addr).Nonce
}

// Account is the node's answer to /auth/account/<addr> at the last commit:
// the account addr signs for (a wallet's key after a rotation too).
func (h *Harness) Account(addr common.Address) *authv1.Account {
	h.T.Helper()
	r := h.Query(app.QueryAccountPrefix+addr.Hex(), nil, 0, false)
	if r.Code != 0 {
		h.T.Fatalf("account %s: %s", addr.Hex(), r.Log)
	}
	a := new(authv1.Account)
	h.decode(r.Value, a)
	return a
}

// Supply returns the CNY supply at the last commit.
func (h *Harness) Supply() uint64 {
	h.T.Helper()
	c := new(walletv1.Coin)
	h.decode(h.get(wallet.StoreName, wallet.SupplyKey(Denom)), c)
	return c.Amount
}

// Issued returns issuer's outstanding CNY issuance at the last commit,
// failing the test if it is below zero (see Outstanding).
func (h *Harness) Issued(issuer string) uint64 {
	h.T.Helper()
	is := h.Issuance(issuer)
	if is.Negative {
		h.T.Fatalf("apptest: %s's issuance is -%d", issuer, is.Outstanding)
	}
	return is.Outstanding
}

// Issuance returns issuer's CNY issuance record at the last commit.
func (h *Harness) Issuance(issuer string) *walletv1.Issuance {
	h.T.Helper()
	is := &walletv1.Issuance{Issuer: issuer, Denom: Denom}
	h.decode(h.get(wallet.StoreName, wallet.IssuanceKey(issuer, Denom)), is)
	return is
}

// Outstanding returns issuer's signed outstanding CNY issuance at the last
// commit.
func (h *Harness) Outstanding(issuer string) arith.Signed {
	return wallet.Outstanding(h.Issuance(issuer))
}

// Position returns issuer's CNY position at the last commit.
func (h *Harness) Position(issuer string) arith.Signed {
	h.T.Helper()
	p, err := wallet.Position(h.Issuance(issuer))
	if err != nil {
		h.T.Fatalf("apptest: %v", err)
	}
	return p
}
