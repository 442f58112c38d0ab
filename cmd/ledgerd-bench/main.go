// Command ledgerd-bench measures the state machine in-process: W funded
// wallets on Badger on disk, then blocks of fresh signed transfers (never
// seen by CheckTx, so every signature is recovered in FinalizeBlock) through
// FinalizeBlock and Commit. It prints transfers per second and the p50/p99
// of block execution and commit, then CheckTx throughput on its own.
//
//	go run ./cmd/ledgerd-bench -wallets 100000 -block-txs 2000 -blocks 20
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"slices"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/app"
	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/wallet"
)

const chainID = "ledgerd-bench"

type result struct {
	Wallets         int     `json:"wallets"`
	BlockTxs        int     `json:"block_txs"`
	Blocks          int     `json:"blocks"`
	Cores           int     `json:"cores"`
	Secp256k1       string  `json:"secp256k1"`
	TransfersPerSec float64 `json:"transfers_per_sec"`
	ExecP50Ms       float64 `json:"exec_p50_ms"`
	ExecP99Ms       float64 `json:"exec_p99_ms"`
	CommitP50Ms     float64 `json:"commit_p50_ms"`
	CommitP99Ms     float64 `json:"commit_p99_ms"`
	CheckTxPerSec   float64 `json:"checktx_per_sec"`
	Failed          int     `json:"failed_txs"`
}

func main() {
	wallets := flag.Int("wallets", 100_000, "funded wallets in genesis")
	blockTxs := flag.Int("block-txs", 2000, "transfers per block")
	blocks := flag.Int("blocks", 20, "blocks measured")
	checkTxs := flag.Int("checktx", 10_000, "transactions for the CheckTx measurement")
	dir := flag.String("dir", "", "database directory (default: a temporary one, removed after)")
	asJSON := flag.Bool("json", false, "print the figures as JSON")
	flag.Parse()
	if *blocks**blockTxs+*checkTxs > *wallets {
		log.Fatalf("need at least blocks*block-txs+checktx = %d wallets so every sender is fresh", *blocks**blockTxs+*checkTxs)
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "ledgerd-bench-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(d)
		*dir = d
	}

	a, st, domain := setup(*dir, *wallets)
	defer st.Close()
	signer := auth.NewSigner(domain)

	log.Printf("signing %d transfers", *blocks**blockTxs+*checkTxs)
	next := 0
	sign := func(n int) [][]byte {
		out := make([][]byte, n)
		for i := range out {
			out[i] = transfer(signer, next, (next+1)%*wallets)
			next++
		}
		return out
	}
	var blockSets [][][]byte
	for range *blocks {
		blockSets = append(blockSets, sign(*blockTxs))
	}
	checkSet := sign(*checkTxs)

	log.Printf("running %d blocks of %d transfers", *blocks, *blockTxs)
	var execs, commits []time.Duration
	var total time.Duration
	failed := 0
	height := st.LastCommit().Height
	for _, txs := range blockSets {
		height++
		t0 := time.Now()
		resp, err := a.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{
			Txs: txs, Height: height, Time: time.Unix(1_700_000_000+height, 0)})
		if err != nil {
			log.Fatal(err)
		}
		t1 := time.Now()
		if _, err := a.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
			log.Fatal(err)
		}
		t2 := time.Now()
		for _, r := range resp.TxResults {
			if r.Code != 0 {
				failed++
				if failed == 1 {
					log.Printf("first failure: %s/%d %s", r.Codespace, r.Code, r.Log)
				}
			}
		}
		execs, commits = append(execs, t1.Sub(t0)), append(commits, t2.Sub(t1))
		total += t2.Sub(t0)
	}

	t0 := time.Now()
	for _, tx := range checkSet {
		if r, _ := a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: tx}); r.Code != 0 {
			log.Fatalf("CheckTx rejected a valid transfer: %s", r.Log)
		}
	}
	checkDur := time.Since(t0)

	r := result{
		Wallets: *wallets, BlockTxs: *blockTxs, Blocks: *blocks, Cores: runtime.NumCPU(), Secp256k1: backend,
		TransfersPerSec: float64(*blocks**blockTxs) / total.Seconds(),
		ExecP50Ms:       ms(percentile(execs, 50)), ExecP99Ms: ms(percentile(execs, 99)),
		CommitP50Ms: ms(percentile(commits, 50)), CommitP99Ms: ms(percentile(commits, 99)),
		CheckTxPerSec: float64(*checkTxs) / checkDur.Seconds(), Failed: failed,
	}
	if *asJSON {
		json.NewEncoder(os.Stdout).Encode(r)
	} else {
		fmt.Printf("ledgerd-bench: %d wallets, %d blocks x %d transfers, %d cores, secp256k1 %s\n",
			r.Wallets, r.Blocks, r.BlockTxs, r.Cores, r.Secp256k1)
		fmt.Printf("  transfers/s      %8.0f  (FinalizeBlock + Commit, %d failed)\n", r.TransfersPerSec, r.Failed)
		fmt.Printf("  block exec  p50 %7.1f ms   p99 %7.1f ms\n", r.ExecP50Ms, r.ExecP99Ms)
		fmt.Printf("  commit      p50 %7.1f ms   p99 %7.1f ms\n", r.CommitP50Ms, r.CommitP99Ms)
		fmt.Printf("  CheckTx/s        %8.0f  (one connection, signature verified)\n", r.CheckTxPerSec)
	}
	if failed > 0 {
		os.Exit(1)
	}
}

// walletKey derives wallet i's key deterministically.
func walletKey(i int) *ecdsa.PrivateKey {
	var seed [8]byte
	binary.BigEndian.PutUint64(seed[:], uint64(i))
	h := sha256.Sum256(append([]byte("ledgerd-bench-wallet/"), seed[:]...))
	k, err := crypto.ToECDSA(h[:])
	if err != nil {
		log.Fatal(err)
	}
	return k
}

// addrs holds every wallet's address, derived once in setup.
var addrs []common.Address

func setup(dir string, n int) (*app.App, *store.Store, auth.Domain) {
	st, err := store.Open(store.Options{Dir: dir, CacheNodes: 500_000}, app.StoreNames)
	if err != nil {
		log.Fatal(err)
	}
	a, err := app.New(app.DefaultConfig(chainID), st)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("deriving %d wallet keys", n)
	bankKey := walletKey(-1)
	gen := app.Genesis{
		Consortium: consortium.Genesis{ChainNumericID: "7", Members: []consortium.GenesisMember{{
			ID: "bench-bank", Name: "Bench Bank", Roles: []string{"issuer"},
			Operators: []string{crypto.PubkeyToAddress(bankKey.PublicKey).Hex()},
			Validator: &consortium.GenesisValidator{PubKey: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", Power: 1},
		}}},
		Wallet: wallet.Genesis{Denoms: []string{"CNY"}},
	}
	kyc := fmt.Sprintf("%x", sha256.Sum256([]byte("bench")))
	addrs = make([]common.Address, n)
	for i := range n {
		addrs[i] = crypto.PubkeyToAddress(walletKey(i).PublicKey)
		gen.Wallet.Wallets = append(gen.Wallet.Wallets, wallet.GenesisWallet{
			Owner: addrs[i].Hex(), Bank: "bench-bank", Tier: 1, KYCHash: kyc,
			Balances: []wallet.GenesisCoin{{Denom: "CNY", Amount: "100000000"}},
		})
	}
	appState, err := json.Marshal(gen)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("InitChain and first commit")
	if _, err := a.InitChain(context.Background(), &abci.RequestInitChain{
		ChainId: chainID, InitialHeight: 1, AppStateBytes: appState, Time: time.Unix(1_700_000_000, 0)}); err != nil {
		log.Fatal(err)
	}
	if _, err := a.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: 1, Time: time.Unix(1_700_000_001, 0)}); err != nil {
		log.Fatal(err)
	}
	if _, err := a.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		log.Fatal(err)
	}
	return a, st, a.Domain()
}

func transfer(s *auth.Signer, from, to int) []byte {
	key := walletKey(from)
	body := &authv1.TxBody{
		ChainId: chainID, Signer: crypto.PubkeyToAddress(key.PublicKey).Bytes(), Nonce: 0, ValidUntilHeight: 1000,
		Msg: &authv1.TxBody_Transfer{Transfer: &walletv1.MsgTransfer{
			To: addrBytes(to), Denom: "CNY", Amount: 100}},
	}
	tx, err := s.Sign(body, authv1.SignMode_SIGN_MODE_EIP712, key)
	if err != nil {
		log.Fatal(err)
	}
	raw, err := proto.MarshalOptions{Deterministic: true}.Marshal(tx)
	if err != nil {
		log.Fatal(err)
	}
	return raw
}

func addrBytes(i int) []byte { return addrs[i].Bytes() }

func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
