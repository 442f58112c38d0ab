package testnet

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/keys"
	"github.com/ledgerd/ledgerd/node"
	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/wallet"
	"github.com/ledgerd/ledgerd/x/wallet/walletclient"
)

// committedTx is what the load generator saw committed.
type committedTx struct {
	hash   []byte
	height int64
	code   uint32
}

// TestCrashUnderLoad kills a node with SIGKILL while it commits blocks under
// a stream of signed payments, restarts it, and repeats (CRASH_KILLS times,
// default 3), for an archive node, a pruning one, and one that prunes and
// then, from its restart after the first half of the kills, keeps every
// version. Then it checks that the node lost nothing:
//   - every transaction the client saw committed is in its block, with the
//     same result;
//   - the state at every height kept is the one the chain's headers commit
//     to: a proof from the restarted node verifies against the
//     light-client verified header of the next height;
//   - replaying every block's successful transactions independently gives
//     the balances the node proves now, and supply equals their sum.
//
// The archive node keeps its trees' nodes in Badger. The pruning node
// keeps crashKeepRecent versions, prunes at every block and writes its
// trees' nodes to node-log segments of 8 KiB, so that the log compacts,
// checkpoints and deletes emptied segments every few blocks, among the
// kills (the test checks that it did, not that a kill fell in one). The
// third node starts as the pruning one and restarts as an archive node:
// from then on it writes its nodes to Badger and still reads those its
// node log holds.
func TestCrashUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a node for about a minute")
	}
	t.Run("archive", func(t *testing.T) { crashUnderLoad(t, false, false) })
	t.Run("pruning", func(t *testing.T) { crashUnderLoad(t, true, false) })
	t.Run("pruning-then-archive", func(t *testing.T) { crashUnderLoad(t, true, true) })
}

// crashKeepRecent is the versions the pruning node keeps: few, so that
// its node log compacts within a short run, and enough that the last
// heights can still be proven for a few seconds after the load stops.
const crashKeepRecent = 20

// crashProvenPruned is how many of its last heights the pruning node's
// state is proven at.
const crashProvenPruned = 3

func crashUnderLoad(t *testing.T, pruning, toArchive bool) {
	kills := envInt(t, "CRASH_KILLS", 3)
	seed := uint64(envInt(t, "CRASH_SEED", int(time.Now().UnixNano()%1e9)))
	t.Logf("CRASH_KILLS=%d CRASH_SEED=%d", kills, seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	// A kill and restart takes a few seconds; a long run gets the time.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute+time.Duration(kills)*30*time.Second)
	defer cancel()

	dir := t.TempDir()
	bin := testBinary(ctx, t)
	home, passFile := filepath.Join(dir, "node"), filepath.Join(dir, "passphrase")
	if err := os.WriteFile(passFile, []byte("crash-test\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "init", "--home", home, "--chain-id", "ledgerd-crash", "--moniker", "demo-bank",
		"--light-kdf", "--passphrase-file", passFile, "--block-interval", "200ms").CombinedOutput(); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	rpcPort, _ := FreePort()
	p2pPort, _ := FreePort()
	p := &Process{Bin: bin, Home: home, RPCPort: rpcPort, P2PPort: p2pPort, Args: []string{"--log_level", "error"}}
	if pruning {
		p.Args = append(p.Args, "--store.keep_recent", strconv.Itoa(crashKeepRecent), "--store.prune_every", "1",
			"--store.node_log_segment_kib", "8")
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	if err := p.WaitForHeight(ctx, 2); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(p.RPC(), client.WithTrustDir(filepath.Join(dir, "light")))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	wc := walletclient.New(c)
	kr, err := keys.Open(filepath.Join(home, "keyring"), keys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	bank, err := kr.Key("demo-bank", "crash-test")
	if err != nil {
		t.Fatal(err)
	}

	// Wallets, each funded with 1,000,000 minor units.
	const walletCount = 6
	owners := make([]*ecdsa.PrivateKey, walletCount)
	for i := range owners {
		owners[i], _ = crypto.GenerateKey()
		addr := crypto.PubkeyToAddress(owners[i].PublicKey)
		kyc := sha256.Sum256(addr.Bytes())
		mustSubmit(ctx, t, c, bank, &walletv1.MsgOpenWallet{Owner: addr.Bytes(), KycHash: kyc[:], Tier: 1})
		mustSubmit(ctx, t, c, bank, &walletv1.MsgDeposit{Wallet: addr.Bytes(), Denom: "CNY", Amount: 1_000_000,
			Reference: fmt.Sprintf("fund-%d", i)})
	}

	// Load: each wallet pays the next one, one transaction at a time.
	var mu sync.Mutex
	var seen []committedTx
	loadCtx, stopLoad := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for i := range owners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			to := crypto.PubkeyToAddress(owners[(i+1)%walletCount].PublicKey)
			for loadCtx.Err() == nil {
				res, err := c.Submit(loadCtx, owners[i], &walletv1.MsgTransfer{To: to.Bytes(), Denom: "CNY", Amount: 1 + uint64(i)},
					client.TxOptions{Timeout: 5 * time.Second}, true)
				var txErr *client.TxError
				switch {
				case err == nil:
					mu.Lock()
					seen = append(seen, committedTx{res.Hash, res.Height, res.Code})
					mu.Unlock()
				case errors.As(err, &txErr) && txErr.Height > 0:
					mu.Lock()
					seen = append(seen, committedTx{txErr.Hash, txErr.Height, txErr.Code})
					mu.Unlock()
				default:
					// The node is down or restarting, or the tx was lost with
					// the mempool: try again with a fresh nonce.
					time.Sleep(100 * time.Millisecond)
				}
			}
		}()
	}

	committed := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(seen)
	}
	for k := range kills {
		// Kill only once the load has made progress since the last restart,
		// then at a random moment within the next block or so.
		for target := committed() + 10; committed() < target; {
			if ctx.Err() != nil {
				t.Fatalf("before kill %d: the load made no progress: %d transfers committed", k+1, committed())
			}
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
		before, _ := c.LatestHeight(ctx)
		if err := p.Kill(); err != nil {
			t.Fatal(err)
		}
		t.Logf("kill %d at about height %d", k+1, before)
		if toArchive && k == (kills-1)/2 {
			p.Args = []string{"--log_level", "error", "--store.node_log_segment_kib", "8"}
			t.Logf("restarting as an archive node over its node log")
		}
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
		if err := p.WaitForHeight(ctx, before+2); err != nil {
			t.Fatalf("after kill %d: %v", k+1, err)
		}
	}
	time.Sleep(time.Second)
	stopLoad()
	wg.Wait()
	final, err := c.LatestHeight(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) < 10*kills {
		t.Fatalf("only %d transfers committed for %d kills: the load did not run", len(seen), kills)
	}
	t.Logf("%d transfers seen committed, %d blocks", len(seen), final)

	// The last height's balances and supply, and a pruning node's last
	// heights, are proven now, before the node can prune them; the replay
	// below checks what was proven.
	provenEarly := map[int64]uint64{}
	if pruning {
		for h := final - crashProvenPruned; h < final; h++ {
			w, _, err := wc.VerifiedWallet(ctx, crypto.PubkeyToAddress(owners[0].PublicKey), h)
			if err != nil {
				t.Fatalf("height %d: state does not prove against the chain's header: %v", h, err)
			}
			provenEarly[h] = wallet.Balance(w, "CNY")
		}
	}
	provenFinal := map[common.Address]uint64{}
	for _, k := range owners {
		addr := crypto.PubkeyToAddress(k.PublicKey)
		w, _, err := wc.VerifiedWallet(ctx, addr, final-1)
		if err != nil {
			t.Fatalf("wallet %s at height %d: %v", addr.Hex(), final-1, err)
		}
		provenFinal[addr] = wallet.Balance(w, "CNY")
	}
	supply, _, err := wc.VerifiedSupply(ctx, "CNY", final-1)
	if err != nil {
		t.Fatalf("supply at height %d: %v", final-1, err)
	}

	// 1. Every transaction seen committed is in its block with its result.
	for _, s := range seen {
		r, err := c.RPC().Tx(ctx, s.hash, false)
		if err != nil {
			t.Fatalf("committed tx %X (height %d) lost: %v", s.hash, s.height, err)
		}
		if r.Height != s.height || r.TxResult.Code != s.code {
			t.Fatalf("tx %X: now at height %d code %d, was committed at %d code %d", s.hash, r.Height, r.TxResult.Code, s.height, s.code)
		}
	}

	// 2 and 3. Replay every block's successful transactions; at every
	// height kept the restarted node's state must prove against the
	// chain's header, and at the end the balances must be the replayed
	// ones. A pruning node is checked at the last heights it keeps.
	expect := map[common.Address]uint64{}
	watched := crypto.PubkeyToAddress(owners[0].PublicKey)
	for h := int64(1); h < final; h++ {
		block, err := c.RPC().Block(ctx, &h)
		if err != nil {
			t.Fatal(err)
		}
		results, err := c.RPC().BlockResults(ctx, &h)
		if err != nil {
			t.Fatal(err)
		}
		for i, raw := range block.Block.Txs {
			if results.TxsResults[i].Code != 0 {
				continue
			}
			tx, err := client.DecodeTx(raw)
			if err != nil {
				t.Fatalf("height %d tx %d: %v", h, i, err)
			}
			apply(expect, tx.Body)
		}
		if pruning {
			if got, ok := provenEarly[h]; ok && got != expect[watched] {
				t.Fatalf("height %d: proven balance %d, replay of the blocks gives %d", h, got, expect[watched])
			}
			continue
		}
		w, proven, err := wc.VerifiedWallet(ctx, watched, h)
		switch {
		case errors.Is(err, client.ErrNotFound):
			if expect[watched] != 0 {
				t.Fatalf("height %d: wallet proven absent, replay says balance %d", h, expect[watched])
			}
		case err != nil:
			t.Fatalf("height %d: state does not prove against the chain's header: %v", h, err)
		case wallet.Balance(w, "CNY") != expect[watched]:
			t.Fatalf("height %d: proven balance %d, replay of the blocks gives %d (app hash %X)",
				h, wallet.Balance(w, "CNY"), expect[watched], proven.AppHash)
		}
	}
	var sum uint64
	for addr, got := range provenFinal {
		if got != expect[addr] {
			t.Fatalf("wallet %s: proven %d, replay %d", addr.Hex(), got, expect[addr])
		}
		sum += expect[addr]
	}
	if supply.Amount != sum || sum != walletCount*1_000_000 {
		t.Fatalf("supply %d, sum of balances %d, issued %d", supply.Amount, sum, walletCount*1_000_000)
	}
	if err := wc.Invariant(ctx); err != nil {
		t.Fatal(err)
	}
	if pruning && !toArchive {
		checkNodeLogCompacted(t, filepath.Join(node.StoreDir(home), "nodes"))
	}
}

// checkNodeLogCompacted fails unless the node log in dir has written a
// checkpoint and deleted its first segment, which compaction does once
// pruning has emptied it: otherwise the pruning run's kills never met a
// compaction.
func checkNodeLogCompacted(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "checkpoint.idx")); err != nil {
		t.Fatalf("the node log wrote no checkpoint: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var segments []string
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".seg" {
			segments = append(segments, e.Name())
		}
	}
	if len(segments) == 0 || segments[0] == "00000001.seg" {
		t.Fatalf("the node log's first segment was never reclaimed: segments %v", segments)
	}
	t.Logf("node log: %d segments, from %s to %s", len(segments), segments[0], segments[len(segments)-1])
}

// apply replays one successful transaction's effect on balances.
func apply(balances map[common.Address]uint64, body *authv1.TxBody) {
	switch m := body.Msg.(type) {
	case *authv1.TxBody_Deposit:
		balances[common.BytesToAddress(m.Deposit.Wallet)] += m.Deposit.Amount
	case *authv1.TxBody_Transfer:
		balances[common.BytesToAddress(body.Signer)] -= m.Transfer.Amount
		balances[common.BytesToAddress(m.Transfer.To)] += m.Transfer.Amount
	}
}

func mustSubmit(ctx context.Context, t *testing.T, c *client.Client, key *ecdsa.PrivateKey, msg client.Msg) {
	t.Helper()
	if _, err := c.Submit(ctx, key, msg, client.TxOptions{}, true); err != nil {
		t.Fatalf("%T: %v", msg, err)
	}
}

func envInt(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, s, err)
	}
	return n
}
