package benchrpc

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"

	"github.com/ledgerd/ledgerd/testnet/load"
	"github.com/ledgerd/ledgerd/x/auth"
)

func txs(signer, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = []byte{byte(signer), byte(i)}
	}
	return out
}

func TestPaymentStream(t *testing.T) {
	committed := map[int]uint64{}
	streams := paymentStreams([][][]byte{txs(0, 3), txs(1, 3), txs(2, 3), txs(3, 3)}, 2,
		func(i int) (uint64, error) { return committed[i], nil })
	s := streams[1] // signers 1 and 3
	got := s.take(4)
	if len(got) != 2 || !bytes.Equal(got[0].tx, []byte{1, 0}) || !bytes.Equal(got[1].tx, []byte{3, 0}) {
		t.Fatalf("first take: %v, want signer 1's and 3's nonce 0, one each", got)
	}
	// Not settled (mempool full): the same items again.
	if again := s.take(4); len(again) != 2 || !bytes.Equal(again[0].tx, []byte{1, 0}) {
		t.Fatalf("unsettled items not taken again: %v", again)
	}
	s.accepted(0)
	s.accepted(1)
	want := func(what string, b ...byte) {
		t.Helper()
		if it := s.take(1); len(it) != 1 || !bytes.Equal(it[0].tx, b) {
			t.Fatalf("%s: %v, want %v", what, it, b)
		}
	}
	want("signer 1's turn", 1, 1)
	s.accepted(0)
	want("signer 3's turn", 3, 1)
	want("signer 1's turn", 1, 2)
	// Nonce too high: signer 1 rewinds to its committed nonce.
	committed[1] = 1
	s.refused(0, load.Outcome{Codespace: auth.Codespace, Code: auth.ErrNonceTooHigh.Code})
	want("signer 3's unsettled payment", 3, 1)
	want("signer 1 rewound", 1, 1)
	if s.rewinds() != 1 {
		t.Fatalf("rewinds %d, want 1", s.rewinds())
	}
	// Pending cap: pause, the same payment again.
	if !s.refused(0, load.Outcome{Codespace: auth.Codespace, Code: auth.ErrTooManyPending.Code}) {
		t.Fatal("auth/16 must pause the worker")
	}
	// Another refusal: the signer's remaining payments are skipped.
	s.refused(1, load.Outcome{Codespace: "wallet", Code: 7})
	if s.skipped() != 2 {
		t.Fatalf("skipped %d, want signer 3's last 2", s.skipped())
	}
	want("signer 1 alone", 1, 1)
	s.accepted(0)
	want("signer 1 alone", 1, 2)
	s.accepted(0)
	if it := s.take(4); len(it) != 0 {
		t.Fatalf("exhausted stream gave %v", it)
	}
}

func TestKVStreamTxs(t *testing.T) {
	s := newKVStream(1, 144)
	seen := map[string]bool{}
	for range 1000 {
		it := s.take(3)
		for _, x := range it {
			tx := x.tx
			if len(tx) != 144 || bytes.Count(tx, []byte("=")) != 1 || bytes.Contains(tx, []byte(":")) || tx[0] == '=' || tx[len(tx)-1] == '=' {
				t.Fatalf("not a kvstore key=value tx of 144 bytes: %q", tx)
			}
		}
		if seen[string(it[0].tx)] {
			t.Fatalf("repeated tx %q", it[0].tx)
		}
		seen[string(it[0].tx)] = true
		s.accepted(0)
	}
}

func TestWindow(t *testing.T) {
	t0 := time.Unix(1000, 0)
	blocks := map[int64]*block{
		10: {time: t0, txs: 5, ok: 5},
		11: {time: t0.Add(500 * time.Millisecond), txs: 100, ok: 99, failed: map[string]int{"wallet/3": 1}},
		12: {time: t0.Add(1500 * time.Millisecond), txs: 200, ok: 200},
		13: {time: t0.Add(2000 * time.Millisecond), txs: 0},
	}
	w, err := newWindow(blocks, 10, 13)
	if err != nil {
		t.Fatal(err)
	}
	if w.Committed != 299 || w.Seconds != 2 || w.TxPerSec != 149.5 || w.Failed["wallet/3"] != 1 {
		t.Fatalf("window %+v", w)
	}
	if _, err := newWindow(blocks, 12, 12); err == nil {
		t.Fatal("an empty window must fail")
	}
}

func TestCompareConfigs(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, h := range []string{a, b} {
		cmtcfg.EnsureRoot(h)
	}
	s := DefaultSettings()
	if err := s.writeConfig(a, "ledgerd", true, ports{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if err := s.writeConfig(b, "kvstore", false, ports{4, 5, 6}); err != nil {
		t.Fatal(err)
	}
	shown, err := compareConfigs(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(shown, "\n"), "consensus.timeout_commit = 500ms") {
		t.Fatalf("shown settings: %v", shown)
	}
	s.Recheck = false
	if err := s.writeConfig(b, "kvstore", false, ports{4, 5, 6}); err != nil {
		t.Fatal(err)
	}
	if _, err := compareConfigs(a, b); err == nil || !strings.Contains(err.Error(), "mempool.recheck") {
		t.Fatalf("a differing recheck: %v", err)
	}
}

func TestProcCPU(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); errors.Is(err, os.ErrNotExist) {
		t.Skip("no /proc")
	}
	p, err := startProc(filepath.Join(t.TempDir(), "log"), "sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for p.cpuTime() == 0 && p.exited() == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if p.exited() == nil && p.cpuTime() == 0 {
		t.Error("a busy process shows no CPU time")
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	if machineBusy() == 0 {
		t.Error("no busy time in /proc/stat")
	}
}
