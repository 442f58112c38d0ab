package app_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/app/apptest"
	"github.com/ledgerd/ledgerd/x/module"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// TestWalletsFileOpensTheSameState: a genesis whose wallets are in a
// wallets file gives the state, app hash included, of the same wallets
// listed in the document, and they are usable.
func TestWalletsFileOpensTheSameState(t *testing.T) {
	const n = 300
	inline := apptest.New(t, apptest.Options{Wallets: n, Balance: 5_000})
	defer inline.Close()
	file := filepath.Join(t.TempDir(), "wallets.jsonl")
	fromFile := apptest.New(t, apptest.Options{Wallets: n, Balance: 5_000, WalletsFile: file})
	defer fromFile.Close()
	if fromFile.Genesis.Wallet.WalletsFile == nil || len(fromFile.Genesis.Wallet.Wallets) != 0 {
		t.Fatalf("the genesis lists %d wallets and names file %v: want none listed, the file named", len(fromFile.Genesis.Wallet.Wallets), fromFile.Genesis.Wallet.WalletsFile)
	}
	for _, h := range []*apptest.Harness{inline, fromFile} {
		to := apptest.Address(h.WalletKey(7))
		h.Block(h.Sign(h.WalletKey(n-1), 0, apptest.Transfer(to, 100)))
		if got := h.Balance(to); got != 5_100 {
			t.Fatalf("balance of wallet 7 after a payment from the last genesis wallet: %d, want 5100", got)
		}
	}
	if !bytes.Equal(inline.AppHash(), fromFile.AppHash()) {
		t.Fatalf("app hash %X from the wallets file, %X from the same wallets in the document", fromFile.AppHash(), inline.AppHash())
	}
	if got, want := fromFile.Supply(), uint64(n*5_000); got != want {
		t.Fatalf("supply %d, want %d", got, want)
	}
}

// TestWalletsFileRefused: a wallets file is read only if it is the one the
// genesis pins, and each of its wallets is checked as a listed one is.
func TestWalletsFileRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "wallets.jsonl")
	st := apptest.BuildGenesis(apptest.Options{Wallets: 3, Balance: 10, WalletsFile: path})
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	listed := apptest.BuildGenesis(apptest.Options{Wallets: 2, Balance: 10, Seed: []byte("listed in the document")}).Wallet.Wallets
	line := func(gw wallet.GenesisWallet) string {
		b, err := json.Marshal(gw)
		if err != nil {
			t.Fatal(err)
		}
		return string(b) + "\n"
	}
	validate := func(content string, edit func(*module.GenesisFileRef), files bool) error {
		t.Helper()
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		g := *st
		g.Wallet.Wallets = listed
		sum := sha256.Sum256([]byte(content))
		ref := module.GenesisFileRef{Path: "wallets.jsonl", SHA256: hex.EncodeToString(sum[:])}
		if edit != nil {
			edit(&ref)
		}
		g.Wallet.WalletsFile = &ref
		b, err := g.JSON()
		if err != nil {
			t.Fatal(err)
		}
		fsys := os.DirFS(dir)
		if !files {
			fsys = nil
		}
		_, err = app.ValidateGenesis(b, apptest.BaseTime, fsys)
		return err
	}
	if err := validate(string(good), nil, true); err != nil {
		t.Fatalf("the file as written: %v", err)
	}
	otherDigest := strings.Repeat("ab", 32)
	var first wallet.GenesisWallet
	if err := json.Unmarshal([]byte(strings.SplitAfter(string(good), "\n")[0]), &first); err != nil {
		t.Fatal(err)
	}
	// A wallet whose balance takes the supply past what a uint64 holds.
	rich := apptest.BuildGenesis(apptest.Options{Wallets: 1, Balance: math.MaxUint64, Seed: []byte("rich")}).Wallet.Wallets[0]
	for _, c := range []struct {
		name, content string
		edit          func(*module.GenesisFileRef)
		noFiles       bool
		code          error // default wallet.ErrInvalidGenesis
		want          string
	}{
		{name: "content changed", content: string(good) + line(listed[0]), edit: func(r *module.GenesisFileRef) { r.SHA256 = otherDigest }, want: "not the file this genesis was made with"},
		{name: "no directory", content: string(good), noFiles: true, want: "no genesis directory"},
		{name: "missing", content: string(good), edit: func(r *module.GenesisFileRef) { r.Path = "other.jsonl" }, want: "other.jsonl"},
		{name: "outside the directory", content: string(good), edit: func(r *module.GenesisFileRef) { r.Path = "../wallets.jsonl" }, want: "without \"..\""},
		{name: "digest not hex", content: string(good), edit: func(r *module.GenesisFileRef) { r.SHA256 = "xyz" }, want: "64 lowercase hex digits"},
		{name: "owner listed in the document too", content: string(good) + line(listed[1]), want: "wallets_file wallets.jsonl: wallet 4 (" + listed[1].Owner + "): owner already has a wallet"},
		{name: "owner twice in the file", content: string(good) + strings.SplitAfter(string(good), "\n")[0], want: "wallets_file wallets.jsonl: wallet 4 (" + first.Owner + "): owner already has a wallet"},
		{name: "supply overflows", content: string(good) + line(rich), code: wallet.ErrAmountOverflow, want: "wallets_file wallets.jsonl: wallet 4 (" + rich.Owner + "): "},
		{name: "unknown field", content: string(good) + `{"owner":"0x01","colour":"red"}` + "\n", want: "wallets_file wallets.jsonl: wallet 4: json: unknown field \"colour\""},
		{name: "bank not an issuer", content: strings.Replace(string(good), apptest.Issuer, apptest.Auditor, 1), want: "wallet 1 ("},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := validate(c.content, c.edit, !c.noFiles)
			if err == nil {
				t.Fatal("accepted")
			}
			code := c.code
			if code == nil {
				code = wallet.ErrInvalidGenesis
			}
			if !errors.Is(err, code) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q: want %v saying %q", err, code, c.want)
			}
		})
	}
}
