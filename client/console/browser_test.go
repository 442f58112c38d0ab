package console_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/ledgerd/ledgerd/client/console"
	"github.com/ledgerd/ledgerd/client/console/consoletest"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
)

// TestConsoleInBrowser drives the console in headless Chromium against a
// devnet with a payment, through a relay that starts honest and then
// lies: the wallet page shows the verified balance and history, a changed
// balance and a dropped history entry show "not verified" in red, and a
// pinned root of trust that is not the chain's is refused. Screenshots go
// to build/console-*.png.
func TestConsoleInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a devnet and a browser")
	}
	root := moduleRoot(t)
	browser := findChromium(t, root)
	wasmDir := ""
	if !console.HasWasm() {
		wasmDir = BuildWasm(t, root)
	}
	d := consoletest.NewDevnet(t)
	relay := consoletest.NewTamper(t, d.RPC)
	h, err := console.Handler(console.Options{Node: relay.URL, WasmDir: wasmDir})
	if err != nil {
		t.Fatal(err)
	}
	// Every request the page makes to the console (pages, the relay),
	// recorded to check that the reader's key never leaves the browser.
	var seenMu sync.Mutex
	var seen bytes.Buffer
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		seenMu.Lock()
		seen.WriteString(r.URL.String() + "\n" + string(body) + "\n")
		seenMu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()

	ctx := newBrowser(t, browser)
	shots := filepath.Join(root, "build")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	alice := d.Alice.Hex()

	// The honest wallet page, in English then Chinese.
	open(t, ctx, srv.URL+"/#/wallet/"+alice)
	wantVerified(t, ctx, "#record-mark", true)
	wantVerified(t, ctx, "#history-mark", true)
	if got := text(t, ctx, "#balances"); !strings.Contains(got, "749.50 CNY") {
		t.Fatalf("balances: %q", got)
	}
	if got := count(t, ctx, "#history tr[data-seq]"); got != 3 {
		t.Fatalf("%d history rows, want 3", got)
	}
	if got := text(t, ctx, `#history tr[data-seq="3"]`); !strings.Contains(got, "250.50 CNY") || !strings.Contains(got, "749.50 CNY") || !strings.Contains(got, "dinner") {
		t.Fatalf("the payment's row: %q", got)
	}
	if got := text(t, ctx, "#limits"); !strings.Contains(got, "250.50 CNY / ") {
		t.Fatalf("limits: %q", got)
	}
	if got := text(t, ctx, "#root"); !strings.Contains(got, "trusted on first use") {
		t.Fatalf("root of trust: %q", got)
	}
	screenshot(t, ctx, filepath.Join(shots, "console-wallet.png"))
	run(t, ctx, chromedp.Click(chromedp.CSS("#lang-zh")))
	if got := text(t, ctx, "#wallet"); !strings.Contains(got, "余额") || !strings.Contains(got, "已验证") || !strings.Contains(got, "转出") {
		t.Fatalf("the page in Chinese: %q", got)
	}
	screenshot(t, ctx, filepath.Join(shots, "console-wallet-zh.png"))
	run(t, ctx, chromedp.Click(chromedp.CSS("#lang-en")))

	// The network and block pages.
	open(t, ctx, srv.URL+"/#/network")
	wantVerified(t, ctx, "#header-mark", true)
	wantVerified(t, ctx, "#members-mark", true)
	wantVerified(t, ctx, "#blocks-mark", true)
	if got := text(t, ctx, "#members"); !strings.Contains(got, "demo-bank") || !strings.Contains(got, "demo-auditor") {
		t.Fatalf("members: %q", got)
	}
	screenshot(t, ctx, filepath.Join(shots, "console-network.png"))
	open(t, ctx, srv.URL+"/#/bank")
	wantVerified(t, ctx, "#bank-mark", true)
	if got := text(t, ctx, "#invariant-CNY"); !strings.Contains(got, "holds") {
		t.Fatalf("the supply invariant: %q", got)
	}
	// The supply chart: each point proven against its own header.
	run(t, ctx, chromedp.WaitVisible(chromedp.CSS("#supply-mark")))
	wantVerified(t, ctx, "#supply-mark", true)
	if n := count(t, ctx, "#supply-chart .supply-point"); n < 2 {
		t.Fatalf("%d points on the supply chart", n)
	}
	screenshot(t, ctx, filepath.Join(shots, "console-bank.png"))
	carol := common.HexToAddress("0x00000000000000000000000000000000000Ca201")
	kyc := sha256.Sum256([]byte("carol"))
	d.Send(t, d.Bank, &walletv1.MsgOpenWallet{Owner: carol[:], KycHash: kyc[:], Tier: 1})
	d.Send(t, d.Bank, &walletv1.MsgDeposit{Wallet: carol[:], Denom: "CNY", Amount: 50_000_000, Reference: "CASH-2"})
	doc := sha256.Sum256([]byte("agreement"))
	d.Send(t, d.Bank, &govv1.MsgSubmitProposal{Title: "Auditor also regulator", DocumentHash: doc[:], VotingEnd: time.Now().Add(2 * time.Hour).Unix(),
		Action: &govv1.Action{Kind: &govv1.Action_SetRoles{SetRoles: &govv1.SetRoles{MemberId: "demo-auditor",
			Roles: []consortiumv1.Role{consortiumv1.Role_ROLE_AUDITOR, consortiumv1.Role_ROLE_REGULATOR}}}}})
	d.Send(t, d.Bank, &govv1.MsgVote{ProposalId: 1, Option: govv1.VoteOption_VOTE_OPTION_YES})
	time.Sleep(time.Second) // the console proves the state one block below the latest
	open(t, ctx, srv.URL+"/#/gov")
	wantVerified(t, ctx, "#gov-mark", true)
	if got := text(t, ctx, "#proposal-1"); !strings.Contains(got, "Tally (yes / needed): 1 / 2") || !strings.Contains(got, "recounted here") {
		t.Fatalf("the proposal: %q", got)
	}
	screenshot(t, ctx, filepath.Join(shots, "console-gov.png"))
	open(t, ctx, srv.URL+"/#/aml")
	wantVerified(t, ctx, "#aml-mark", true)
	if got := text(t, ctx, "#reports"); !strings.Contains(got, carol.Hex()) || !strings.Contains(got, "500000.00 CNY") || !strings.Contains(got, "inflow") {
		t.Fatalf("the large-value report: %q", got)
	}
	screenshot(t, ctx, filepath.Join(shots, "console-aml.png"))
	// A lookup by wallet from the page's form: the node's index walked as
	// a proven complete range, with a linkable URL.
	run(t, ctx, chromedp.SetValue(chromedp.CSS("#aml-by"), "wallet"), chromedp.SetValue(chromedp.CSS("#aml-value"), carol.Hex()),
		chromedp.Click(chromedp.CSS("#af button")), chromedp.WaitVisible(chromedp.CSS("#aml-scope")))
	wantVerified(t, ctx, "#aml-mark", true)
	if got := get(t, ctx, chromedp.Evaluate[string](`location.hash`)); got != "#/aml/reports/wallet/"+carol.Hex() {
		t.Fatalf("the lookup's URL: %q", got)
	}
	if got := text(t, ctx, "#reports"); !strings.Contains(got, "500000.00 CNY") || !strings.Contains(text(t, ctx, "#aml-scope"), "proven complete") {
		t.Fatalf("the lookup by wallet: %q", got)
	}
	screenshot(t, ctx, filepath.Join(shots, "console-aml-lookup.png"))
	run(t, ctx, chromedp.Click(chromedp.CSS("#lang-zh")))
	if got := text(t, ctx, "#page"); !strings.Contains(got, "按钱包") || !strings.Contains(got, "索引已证明完整") {
		t.Fatalf("the lookup in Chinese: %q", got)
	}
	screenshot(t, ctx, filepath.Join(shots, "console-aml-lookup-zh.png"))
	run(t, ctx, chromedp.Click(chromedp.CSS("#lang-en")))
	// A relay hiding the index's entries is caught.
	relay.Set(consoletest.DropAMLEntry)
	open(t, ctx, srv.URL+"/#/aml/reports/bank/demo-bank")
	wantVerified(t, ctx, "#aml-mark", false)
	wantRed(t, ctx, "#aml-mark")
	if count(t, ctx, "#reports") != 0 {
		t.Fatal("the tampered lookup shows records")
	}
	screenshot(t, ctx, filepath.Join(shots, "console-tampered-aml.png"))
	relay.Set(consoletest.Honest)

	w, err := d.Client.TxHistory(context.Background(), mustTxHash(t, d))
	if err != nil || len(w) == 0 {
		t.Fatalf("the payment's history entries: %v", err)
	}
	open(t, ctx, fmt.Sprintf("%s/#/block/%d", srv.URL, w[0].Height))
	wantVerified(t, ctx, "#block-mark", true)
	wantVerified(t, ctx, "#results-mark", true)
	if got := text(t, ctx, "#txs"); !strings.Contains(got, "transfer") || !strings.Contains(got, "dinner") {
		t.Fatalf("the payment's block: %q", got)
	}
	screenshot(t, ctx, filepath.Join(shots, "console-block.png"))

	// The credit page: Alice borrows 6000.00 CNY; her report is refused
	// unsigned and to a stranger's key, verified with the auditor's key.
	d.Loan(t)
	open(t, ctx, srv.URL+"/#/credit/"+alice)
	run(t, ctx, chromedp.WaitVisible(chromedp.CSS("#credit-refused")))
	if got := text(t, ctx, "#credit-refused"); !strings.Contains(got, "refused") || !strings.Contains(got, "query/8") {
		t.Fatalf("unsigned credit read: %q", got)
	}
	wantRed(t, ctx, "#credit-refused")
	stranger, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	loadKey(t, ctx, hex.EncodeToString(crypto.FromECDSA(stranger)), "#credit-refused")
	if got := text(t, ctx, "#reader"); !strings.Contains(got, crypto.PubkeyToAddress(stranger.PublicKey).Hex()) {
		t.Fatalf("the loaded key's address: %q", got)
	}
	screenshot(t, ctx, filepath.Join(shots, "console-credit-refused.png"))
	loadKey(t, ctx, hex.EncodeToString(crypto.FromECDSA(d.Auditor)), "#credit-mark")
	wantVerified(t, ctx, "#credit-mark", true)
	if got := text(t, ctx, "#loans"); !strings.Contains(got, "6000.00 CNY") || !strings.Contains(got, "demo-bank") || !strings.Contains(got, "normal") {
		t.Fatalf("the report's loans: %q", got)
	}
	if got := count(t, ctx, "#month-grid tr[data-loan] td.code"); got != 24 {
		t.Fatalf("%d month cells, want 24", got)
	}
	if got := text(t, ctx, "#score"); !strings.HasSuffix(got, "/ 1000") {
		t.Fatalf("score: %q", got)
	}
	if got := text(t, ctx, "#computed"); !strings.Contains(got, "ledgerd query credit report --prove") {
		t.Fatalf("the report's provenance: %q", got)
	}
	if key := get(t, ctx, chromedp.Evaluate[string](`document.getElementById("key").value + (localStorage.getItem("ledgerd-key") || "")`)); key != "" {
		t.Fatalf("the key is left in the page's input or storage: %q", key)
	}
	screenshot(t, ctx, filepath.Join(shots, "console-credit.png"))
	run(t, ctx, chromedp.Click(chromedp.CSS("#lang-zh")))
	if got := text(t, ctx, "#credit"); !strings.Contains(got, "信用评分") || !strings.Contains(got, "已验证") {
		t.Fatalf("the credit page in Chinese: %q", got)
	}
	screenshot(t, ctx, filepath.Join(shots, "console-credit-zh.png"))
	run(t, ctx, chromedp.Click(chromedp.CSS("#lang-en")))
	relay.Set(consoletest.ChangeMonthCode)
	loadKey(t, ctx, hex.EncodeToString(crypto.FromECDSA(d.Auditor)), "#credit-mark")
	wantVerified(t, ctx, "#credit-mark", false)
	if got := text(t, ctx, "#credit-mark"); !strings.Contains(got, "not verified") || !strings.Contains(got, "does not match the app hash") {
		t.Fatalf("changed month code: %q", got)
	}
	wantRed(t, ctx, "#credit-mark")
	if n := count(t, ctx, "#score"); n != 0 {
		t.Fatal("a score over an unverified report is shown")
	}
	screenshot(t, ctx, filepath.Join(shots, "console-tampered-credit.png"))
	relay.Set(consoletest.Honest)
	// The written-off loan's collection case: refused unsigned, verified
	// with the auditor's key; a dropped timeline entry is caught.
	d.WriteOff(t, 2)
	open(t, ctx, srv.URL+"/#/case/1")
	run(t, ctx, chromedp.WaitVisible(chromedp.CSS("#case-refused")))
	wantRed(t, ctx, "#case-refused")
	loadKey(t, ctx, hex.EncodeToString(crypto.FromECDSA(d.Auditor)), "#case-mark")
	wantVerified(t, ctx, "#case-mark", true)
	wantVerified(t, ctx, "#timeline-mark", true)
	wantVerified(t, ctx, "#complaints-mark", true)
	if got := text(t, ctx, "#case-record"); !strings.Contains(got, "demo-bank") || !strings.Contains(got, alice) || !strings.Contains(got, "write off") {
		t.Fatalf("the case: %q", got)
	}
	if got := text(t, ctx, `#timeline tr[data-seq="1"]`); !strings.Contains(got, "opened") {
		t.Fatalf("the timeline's first entry: %q", got)
	}
	screenshot(t, ctx, filepath.Join(shots, "console-case.png"))
	relay.Set(consoletest.DropHistory)
	loadKey(t, ctx, hex.EncodeToString(crypto.FromECDSA(d.Auditor)), "#case-mark")
	wantVerified(t, ctx, "#case-mark", true)
	wantVerified(t, ctx, "#timeline-mark", false)
	wantRed(t, ctx, "#timeline-mark")
	if n := count(t, ctx, "#timeline"); n != 0 {
		t.Fatal("an unverified timeline is shown")
	}
	screenshot(t, ctx, filepath.Join(shots, "console-tampered-case.png"))
	relay.Set(consoletest.Honest)

	seenMu.Lock()
	sent := strings.ToLower(seen.String())
	seenMu.Unlock()
	if key := hex.EncodeToString(crypto.FromECDSA(d.Auditor)); !strings.Contains(sent, "/read/store/credit/key") || strings.Contains(sent, key) {
		t.Fatalf("signed reads sent: %v; the key sent: %v", strings.Contains(sent, "/read/store/credit/key"), strings.Contains(sent, key))
	}

	// A relay that changes the balance, then one that drops an entry.
	relay.Set(consoletest.ChangeBalance)
	open(t, ctx, srv.URL+"/#/wallet/"+alice)
	wantVerified(t, ctx, "#record-mark", false)
	if got := text(t, ctx, "#record-mark"); !strings.Contains(got, "not verified") || !strings.Contains(got, "does not match the app hash") {
		t.Fatalf("changed balance: %q", got)
	}
	wantRed(t, ctx, "#record-mark")
	if n := count(t, ctx, "#balances"); n != 0 {
		t.Fatal("the unverified balance is shown")
	}
	screenshot(t, ctx, filepath.Join(shots, "console-tampered-balance.png"))

	relay.Set(consoletest.DropHistory)
	open(t, ctx, srv.URL+"/#/wallet/"+alice)
	wantVerified(t, ctx, "#record-mark", true)
	wantVerified(t, ctx, "#history-mark", false)
	if got := text(t, ctx, "#history-mark"); !strings.Contains(got, "not verified") || !strings.Contains(got, "does not match the accumulator") {
		t.Fatalf("dropped entry: %q", got)
	}
	wantRed(t, ctx, "#history-mark")
	screenshot(t, ctx, filepath.Join(shots, "console-tampered-history.png"))
	relay.Set(consoletest.Honest)

	// A pinned root of trust that is not the chain's.
	open(t, ctx, srv.URL+"/?trust_height=1&trust_hash="+strings.Repeat("AB", 32)+"#/wallet/"+alice)
	run(t, ctx, chromedp.WaitVisible(chromedp.CSS("#root-refused")))
	if got := text(t, ctx, "#root-refused"); !strings.Contains(got, "root of trust refused") {
		t.Fatalf("wrong root: %q", got)
	}
	wantRed(t, ctx, "#root-refused")
	screenshot(t, ctx, filepath.Join(shots, "console-wrong-root.png"))
}

// mustTxHash is the hash of Alice's payment, from her verified history.
func mustTxHash(t *testing.T, d *consoletest.Devnet) []byte {
	t.Helper()
	es, err := d.Client.History(context.Background(), &historyv1.Request{Subject: "wallet", Id: d.Alice[:], Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Seq == 3 {
			return e.TxHash
		}
	}
	t.Fatal("alice has no third history entry")
	return nil
}

// loadKey loads key on the credit page and waits until the report is
// shown again (want: its mark or the refusal).
func loadKey(t *testing.T, ctx context.Context, key, want string) {
	t.Helper()
	get(t, ctx, chromedp.Evaluate[bool](`((document.getElementById("credit") || document.getElementById("case")).innerHTML = "", true)`))
	run(t, ctx, chromedp.SetValue(chromedp.CSS("#key"), key), chromedp.Click(chromedp.CSS("#load-key")),
		chromedp.WaitVisible(chromedp.CSS(want)), chromedp.WaitVisible(chromedp.CSS(`#status[data-state="done"]`)))
}

// open loads url and waits until the page has verified and rendered.
func open(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	run(t, ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS(`#status[data-state="done"], #status[data-state="error"]`)))
}

func wantVerified(t *testing.T, ctx context.Context, sel string, want bool) {
	t.Helper()
	v := get(t, ctx, chromedp.AttributeValue(chromedp.CSS(sel), "data-verified")).Value
	if v != fmt.Sprint(want) {
		t.Fatalf("%s: data-verified=%q, want %v; it says %q", sel, v, want, text(t, ctx, sel))
	}
}

// wantRed checks that sel is shown in the console's red.
func wantRed(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	color := get(t, ctx, chromedp.Evaluate[string](fmt.Sprintf(`getComputedStyle(document.querySelector(%q)).color`, sel)))
	if color != "rgb(196, 16, 29)" {
		t.Fatalf("%s is %s, not red", sel, color)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return get(t, ctx, chromedp.Text(chromedp.CSS(sel)))
}

func count(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	return get(t, ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
}

func screenshot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	png := get(t, ctx, chromedp.FullScreenshot(100))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// timeout bounds each step in the browser (the machine may be loaded).
const timeout = 90 * time.Second

func run(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := chromedp.Do(actx, steps...); err != nil {
		t.Fatal(err)
	}
}

func get[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	v, err := chromedp.Run(actx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// newBrowser starts headless Chromium; it stops when the test ends.
func newBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.WindowSize(1280, 900), chromedp.Flag("disable-gpu", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

// findChromium returns Chromium's path, installing Debian's chromium with
// scripts/chromium.sh when there is none.
func findChromium(t *testing.T, root string) string {
	t.Helper()
	out, err := exec.Command(filepath.Join(root, "scripts", "chromium.sh")).Output()
	if err != nil {
		t.Fatalf("scripts/chromium.sh: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// BuildWasm compiles the verifier to WebAssembly as make does, into a
// directory with the Go installation's wasm_exec.js.
func BuildWasm(t testing.TB, root string) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, console.WasmFile), "./client/console/wasm")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the wasm verifier: %v\n%s", err, out)
	}
	exe, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "lib", "wasm", console.WasmExecFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, console.WasmExecFile), exe, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// lastRenderMs is the page's own measure of its last view: from
// the call into the verifier to the rendered page.
func lastRenderMs() chromedp.Action[int] { return chromedp.Evaluate[int](`window.lastRenderMs`) }

// pageMs is the time from navigation to the rendered view.
func pageMs() chromedp.Action[int] { return chromedp.Evaluate[int](`Math.round(window.doneAt)`) }
