package keys

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/google/uuid"
)

// Known vector: private key and its Ethereum address.
const (
	vectorKeyHex  = "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291"
	vectorAddress = "0x71562b71999873DB5b286dF957af199Ec94617F7"
)

// Scrypt parameters for tests. Even keystore.LightScryptN/P costs about 0.3s
// per encryption or decryption under the race detector, so most tests use
// far cheaper (insecure) parameters; TestScryptOptions checks the real ones.
const testScryptN, testScryptP = 1 << 4, 1

func newKeyring(t *testing.T) *Keyring {
	t.Helper()
	kr, err := Open(filepath.Join(t.TempDir(), "keyring"), Options{LightScrypt: true})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	kr.scryptN, kr.scryptP = testScryptN, testScryptP
	return kr
}

// kdfParams returns the scrypt n and p recorded in a keystore file.
func kdfParams(t *testing.T, keyJSON []byte) (n, p int) {
	t.Helper()
	var f struct {
		Crypto struct {
			KDF       string `json:"kdf"`
			KDFParams struct {
				N int `json:"n"`
				P int `json:"p"`
			} `json:"kdfparams"`
		} `json:"crypto"`
	}
	if err := json.Unmarshal(keyJSON, &f); err != nil || f.Crypto.KDF != "scrypt" {
		t.Fatalf("not a scrypt keystore file (%v): %s", err, keyJSON)
	}
	return f.Crypto.KDFParams.N, f.Crypto.KDFParams.P
}

func TestScryptOptions(t *testing.T) {
	std, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Standard scrypt takes ~1s and 256 MiB per key, so only check the setting.
	if std.scryptN != keystore.StandardScryptN || std.scryptP != keystore.StandardScryptP {
		t.Errorf("default scrypt n=%d p=%d, want standard", std.scryptN, std.scryptP)
	}

	light, err := Open(t.TempDir(), Options{LightScrypt: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := light.Add("k", "pass"); err != nil {
		t.Fatal(err)
	}
	data, _ := light.ExportKeystore("k")
	if n, p := kdfParams(t, data); n != keystore.LightScryptN || p != keystore.LightScryptP {
		t.Errorf("LightScrypt file has n=%d p=%d, want %d, %d", n, p, keystore.LightScryptN, keystore.LightScryptP)
	}
	if _, err := light.Key("k", "pass"); err != nil {
		t.Fatal(err)
	}
}

// encryptForeign returns a keystore v3 file for key as geth would write it.
func encryptForeign(t *testing.T, key *ecdsa.PrivateKey, pass string) ([]byte, uuid.UUID) {
	t.Helper()
	id := uuid.New()
	k := &keystore.Key{Id: id, Address: crypto.PubkeyToAddress(key.PublicKey), PrivateKey: key}
	data, err := keystore.EncryptKey(k, pass, testScryptN, testScryptP)
	if err != nil {
		t.Fatalf("EncryptKey: %v", err)
	}
	return data, id
}

func mustVectorKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.HexToECDSA(vectorKeyHex)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestRoundTrip(t *testing.T) {
	kr := newKeyring(t)
	const pass = "correct horse"
	// File-name order ("a-b.json" < "a.json") differs from name order.
	names := []string{"bob", "a-b", "a", "alice"}
	added := map[string]Info{}
	for _, name := range names {
		info, err := kr.Add(name, pass)
		if err != nil {
			t.Fatalf("Add(%q): %v", name, err)
		}
		if info.Name != name || len(info.PublicKey) != 33 || info.Address == (common.Address{}) {
			t.Fatalf("Add(%q) = %+v", name, info)
		}
		added[name] = info
	}

	list, err := kr.List()
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	var got []string
	for _, info := range list {
		got = append(got, info.Name)
		if info.String() != added[info.Name].String() {
			t.Errorf("List entry %v, Add returned %v", info, added[info.Name])
		}
	}
	if want := "a a-b alice bob"; strings.Join(got, " ") != want {
		t.Errorf("List names = %q, want %q", got, want)
	}

	for _, name := range names {
		info, err := kr.Show(name)
		if err != nil {
			t.Fatalf("Show(%q): %v", name, err)
		}
		if info.String() != added[name].String() {
			t.Errorf("Show(%q) = %v, want %v", name, info, added[name])
		}
		key, err := kr.Key(name, pass)
		if err != nil {
			t.Fatalf("Key(%q): %v", name, err)
		}
		if a := crypto.PubkeyToAddress(key.PublicKey); a != info.Address {
			t.Errorf("Key(%q) has address %v, want %v", name, a, info.Address)
		}
	}

	if err := kr.Delete("bob", "wrong"); !errors.Is(err, ErrBadPassphrase) {
		t.Fatalf("Delete with wrong passphrase: got %v, want ErrBadPassphrase", err)
	}
	if _, err := kr.Show("bob"); err != nil {
		t.Fatalf("key deleted despite wrong passphrase: %v", err)
	}
	if err := kr.Delete("bob", pass); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := kr.Show("bob"); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("Show after Delete: got %v, want ErrKeyNotFound", err)
	}
	if err := kr.Delete("bob", pass); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("second Delete: got %v, want ErrKeyNotFound", err)
	}
	if list, _ := kr.List(); len(list) != 3 {
		t.Errorf("List after Delete has %d keys, want 3", len(list))
	}
}

func TestEmptyKeyring(t *testing.T) {
	kr := newKeyring(t)
	list, err := kr.List()
	if err != nil || len(list) != 0 {
		t.Fatalf("List = %v, %v; want empty", list, err)
	}
	for name, err := range map[string]error{
		"Show":   func() error { _, err := kr.Show("x"); return err }(),
		"Key":    func() error { _, err := kr.Key("x", "p"); return err }(),
		"Export": func() error { _, err := kr.ExportKeystore("x"); return err }(),
		"Delete": kr.Delete("x", "p"),
	} {
		if !errors.Is(err, ErrKeyNotFound) {
			t.Errorf("%s: got %v, want ErrKeyNotFound", name, err)
		}
	}
}

func TestDuplicateName(t *testing.T) {
	kr := newKeyring(t)
	orig, err := kr.Add("dup", "pass")
	if err != nil {
		t.Fatal(err)
	}
	before, _ := kr.ExportKeystore("dup")
	foreign, _ := encryptForeign(t, mustVectorKey(t), "old")

	for _, tc := range []struct {
		name string
		fn   func() (Info, error)
	}{
		{"Add", func() (Info, error) { return kr.Add("dup", "pass") }},
		{"ImportPrivateKey", func() (Info, error) { return kr.ImportPrivateKey("dup", mustVectorKey(t), "pass") }},
		{"ImportPrivateKeyHex", func() (Info, error) { return kr.ImportPrivateKeyHex("dup", vectorKeyHex, "pass") }},
		{"ImportKeystore", func() (Info, error) { return kr.ImportKeystore("dup", foreign, "old", "pass") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.fn(); !errors.Is(err, ErrKeyExists) {
				t.Fatalf("got %v, want ErrKeyExists", err)
			}
		})
	}
	after, _ := kr.ExportKeystore("dup")
	if string(before) != string(after) {
		t.Error("existing key file was modified")
	}
	if info, _ := kr.Show("dup"); info.Address != orig.Address {
		t.Error("existing key was replaced")
	}
}

func TestConcurrentAddSameName(t *testing.T) {
	kr := newKeyring(t)
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = kr.Add("racy", "pass")
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrKeyExists):
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d concurrent Adds succeeded, want exactly 1", ok)
	}
	entries, _ := os.ReadDir(kr.Dir())
	if len(entries) != 1 {
		t.Errorf("directory has %d entries, want 1 (temporary files left behind?)", len(entries))
	}
}

func TestBadPassphrase(t *testing.T) {
	kr := newKeyring(t)
	if _, err := kr.Add("k", "right"); err != nil {
		t.Fatal(err)
	}
	foreign, _ := encryptForeign(t, mustVectorKey(t), "old")
	for _, tc := range []struct {
		name string
		fn   func() error
	}{
		{"Key", func() error { _, err := kr.Key("k", "wrong"); return err }},
		{"ExportPrivateKeyHex", func() error { _, err := kr.ExportPrivateKeyHex("k", "wrong"); return err }},
		{"Delete", func() error { return kr.Delete("k", "wrong") }},
		{"Key/empty", func() error { _, err := kr.Key("k", ""); return err }},
		{"ImportKeystore", func() error { _, err := kr.ImportKeystore("new", foreign, "wrong", "new"); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.fn()
			if !errors.Is(err, ErrBadPassphrase) || !errors.Is(err, keystore.ErrDecrypt) {
				t.Fatalf("got %v, want ErrBadPassphrase wrapping keystore.ErrDecrypt", err)
			}
		})
	}
	if _, err := kr.Show("new"); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("failed import left a key behind: %v", err)
	}
}

func TestEmptyPassphraseRejected(t *testing.T) {
	kr := newKeyring(t)
	foreign, _ := encryptForeign(t, mustVectorKey(t), "")
	if _, err := kr.Add("k", ""); !errors.Is(err, ErrEmptyPassphrase) {
		t.Errorf("Add: got %v, want ErrEmptyPassphrase", err)
	}
	if _, err := kr.ImportKeystore("k", foreign, "", ""); !errors.Is(err, ErrEmptyPassphrase) {
		t.Errorf("ImportKeystore: got %v, want ErrEmptyPassphrase", err)
	}
	// An empty old passphrase (allowed by geth) is fine.
	if _, err := kr.ImportKeystore("k", foreign, "", "new"); err != nil {
		t.Errorf("ImportKeystore with empty old passphrase: %v", err)
	}
}

func TestNames(t *testing.T) {
	kr := newKeyring(t)
	for _, tc := range []struct {
		name  string
		valid bool
	}{
		{"a", true},
		{"Alice_2.backup-1", true},
		{strings.Repeat("x", 64), true},
		{"..", true}, // stored as "...json": no path separator, so harmless
		{"", false},
		{strings.Repeat("x", 65), false},
		{"a/b", false},
		{"../escape", false},
		{`a\b`, false},
		{"with space", false},
		{"tab\t", false},
		{"nul\x00", false},
		{"ünïcode", false},
		{"colon:", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateName(tc.name)
			if tc.valid {
				if err != nil {
					t.Fatalf("ValidateName: %v", err)
				}
				if _, err := kr.Add(tc.name, "p"); err != nil {
					t.Fatalf("Add: %v", err)
				}
				if _, err := kr.Show(tc.name); err != nil {
					t.Fatalf("Show: %v", err)
				}
				return
			}
			for op, err := range map[string]error{
				"ValidateName":        err,
				"Add":                 func() error { _, err := kr.Add(tc.name, "p"); return err }(),
				"ImportPrivateKeyHex": func() error { _, err := kr.ImportPrivateKeyHex(tc.name, vectorKeyHex, "p"); return err }(),
				"ImportKeystore":      func() error { _, err := kr.ImportKeystore(tc.name, []byte("{}"), "p", "p"); return err }(),
				"Show":                func() error { _, err := kr.Show(tc.name); return err }(),
				"Key":                 func() error { _, err := kr.Key(tc.name, "p"); return err }(),
				"ExportKeystore":      func() error { _, err := kr.ExportKeystore(tc.name); return err }(),
				"ExportPrivateKeyHex": func() error { _, err := kr.ExportPrivateKeyHex(tc.name, "p"); return err }(),
				"Delete":              kr.Delete(tc.name, "p"),
			} {
				if !errors.Is(err, ErrInvalidName) {
					t.Errorf("%s: got %v, want ErrInvalidName", op, err)
				}
			}
		})
	}
	// Nothing escaped the keyring directory.
	if entries, _ := os.ReadDir(filepath.Dir(kr.Dir())); len(entries) != 1 {
		t.Errorf("parent of keyring has %d entries, want 1", len(entries))
	}
}

func TestImportPrivateKeyVector(t *testing.T) {
	want := common.HexToAddress(vectorAddress)
	for _, tc := range []struct {
		name string
		fn   func(kr *Keyring) (Info, error)
	}{
		{"ecdsa", func(kr *Keyring) (Info, error) { return kr.ImportPrivateKey("v", mustVectorKey(t), "p") }},
		{"hex", func(kr *Keyring) (Info, error) { return kr.ImportPrivateKeyHex("v", vectorKeyHex, "p") }},
		{"0x-hex", func(kr *Keyring) (Info, error) { return kr.ImportPrivateKeyHex("v", "0x"+vectorKeyHex, "p") }},
		{"upper-hex+newline", func(kr *Keyring) (Info, error) {
			return kr.ImportPrivateKeyHex("v", "0X"+strings.ToUpper(vectorKeyHex)+"\n", "p")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kr := newKeyring(t)
			info, err := tc.fn(kr)
			if err != nil {
				t.Fatal(err)
			}
			if info.Address != want || info.Address.Hex() != vectorAddress {
				t.Errorf("address = %s, want %s", info.Address.Hex(), vectorAddress)
			}
			if !strings.Contains(info.String(), vectorAddress) || !strings.HasPrefix(info.String(), "v ") {
				t.Errorf("String() = %q", info.String())
			}
			if shown, _ := kr.Show("v"); shown.Address != want {
				t.Errorf("Show address = %s, want %s", shown.Address.Hex(), vectorAddress)
			}
			exported, err := kr.ExportPrivateKeyHex("v", "p")
			if err != nil || exported != vectorKeyHex {
				t.Errorf("ExportPrivateKeyHex = %q, %v; want %q", exported, err, vectorKeyHex)
			}
		})
	}
}

func TestImportPrivateKeyInvalid(t *testing.T) {
	kr := newKeyring(t)
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, hex string }{
		{"empty", ""},
		{"short", vectorKeyHex[:62]},
		{"long", vectorKeyHex + "00"},
		{"not-hex", "zz" + vectorKeyHex[2:]},
		{"zero", strings.Repeat("0", 64)},
		{"curve-order", "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kr.ImportPrivateKeyHex("bad", tc.hex, "p")
			if err == nil {
				t.Fatal("want error")
			}
			if len(tc.hex) > 8 && strings.Contains(err.Error(), tc.hex[2:10]) {
				t.Errorf("error message leaks key material: %v", err)
			}
		})
	}
	for name, key := range map[string]*ecdsa.PrivateKey{"nil": nil, "no-D": {}, "P-256": p256} {
		if _, err := kr.ImportPrivateKey("bad", key, "p"); err == nil {
			t.Errorf("ImportPrivateKey(%s): want error", name)
		}
	}
	if _, err := kr.Show("bad"); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("invalid import left a key behind: %v", err)
	}
}

func TestImportKeystore(t *testing.T) {
	kr := newKeyring(t)
	data, id := encryptForeign(t, mustVectorKey(t), "old pass")
	info, err := kr.ImportKeystore("imported", data, "old pass", "new pass")
	if err != nil {
		t.Fatal(err)
	}
	if info.Address.Hex() != vectorAddress {
		t.Errorf("address = %s, want %s", info.Address.Hex(), vectorAddress)
	}
	if _, err := kr.Key("imported", "old pass"); !errors.Is(err, ErrBadPassphrase) {
		t.Errorf("old passphrase still works after re-encryption: %v", err)
	}
	stored, _ := kr.ExportKeystore("imported")
	k, err := keystore.DecryptKey(stored, "new pass")
	if err != nil {
		t.Fatalf("DecryptKey with new passphrase: %v", err)
	}
	if k.Id != id {
		t.Errorf("UUID = %v, want the imported file's %v", k.Id, id)
	}

	for name, bad := range map[string][]byte{
		"not-json": []byte("not json"),
		"empty":    []byte("{}"),
		"v4":       []byte(strings.Replace(string(data), `"version":3`, `"version":4`, 1)),
		// keystore.DecryptKey panics on this one; it must be an error.
		"no-kdfparams": []byte(`{"version":3,"id":"` + id.String() + `","crypto":{"cipher":"aes-128-ctr",` +
			`"ciphertext":"00","cipherparams":{"iv":"00"},"kdf":"scrypt","kdfparams":{},"mac":"00"}}`),
	} {
		_, err := kr.ImportKeystore("bad-"+name, bad, "old pass", "new")
		if err == nil || errors.Is(err, ErrBadPassphrase) {
			t.Errorf("%s: got %v, want a format error", name, err)
		}
	}
}

func TestPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	dir := filepath.Join(t.TempDir(), "a", "keyring")
	kr, err := Open(dir, Options{LightScrypt: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kr.Add("k", "p"); err != nil {
		t.Fatal(err)
	}
	if _, err := kr.ImportPrivateKeyHex("v", vectorKeyHex, "p"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"k.json", "v.json"} {
		st, err := os.Stat(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode = %v, want 0600", p, st.Mode().Perm())
		}
	}
	st, _ := os.Stat(dir)
	if st.Mode().Perm() != 0o700 {
		t.Errorf("dir mode = %v, want 0700", st.Mode().Perm())
	}

	// An existing, too permissive directory is tightened.
	loose := filepath.Join(t.TempDir(), "loose")
	if err := os.Mkdir(loose, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(loose, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(loose, Options{}); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(loose); st.Mode().Perm() != 0o700 {
		t.Errorf("loose dir mode = %v, want 0700", st.Mode().Perm())
	}

	// A file is not a keyring directory.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(file, Options{}); err == nil {
		t.Error("Open(file): want error")
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	src := newKeyring(t)
	orig, err := src.Add("k", "pass1")
	if err != nil {
		t.Fatal(err)
	}
	ks, err := src.ExportKeystore("k")
	if err != nil {
		t.Fatal(err)
	}
	hexKey, err := src.ExportPrivateKeyHex("k", "pass1")
	if err != nil {
		t.Fatal(err)
	}
	if len(hexKey) != 64 {
		t.Fatalf("ExportPrivateKeyHex length = %d, want 64", len(hexKey))
	}

	dst := newKeyring(t)
	for _, tc := range []struct {
		name string
		fn   func() (Info, error)
	}{
		{"keystore-same-pass", func() (Info, error) { return dst.ImportKeystore("a", ks, "pass1", "pass1") }},
		{"keystore-new-pass", func() (Info, error) { return dst.ImportKeystore("b", ks, "pass1", "pass2") }},
		{"hex", func() (Info, error) { return dst.ImportPrivateKeyHex("c", hexKey, "pass2") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, err := tc.fn()
			if err != nil {
				t.Fatal(err)
			}
			if info.Address != orig.Address || string(info.PublicKey) != string(orig.PublicKey) {
				t.Errorf("imported %v, want %v", info, orig)
			}
		})
	}
	for name, pass := range map[string]string{"a": "pass1", "b": "pass2", "c": "pass2"} {
		if got, err := dst.ExportPrivateKeyHex(name, pass); err != nil || got != hexKey {
			t.Errorf("key %s: ExportPrivateKeyHex = %q, %v; want the original key", name, got, err)
		}
	}
}

func TestInteroperability(t *testing.T) {
	kr := newKeyring(t)
	info, err := kr.Add("k", "pass")
	if err != nil {
		t.Fatal(err)
	}

	// Our files are standard keystore v3 files.
	raw, err := os.ReadFile(filepath.Join(kr.Dir(), "k.json"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := keystore.DecryptKey(raw, "pass")
	if err != nil {
		t.Fatalf("keystore.DecryptKey: %v", err)
	}
	if k.Address != info.Address || string(crypto.CompressPubkey(&k.PrivateKey.PublicKey)) != string(info.PublicKey) {
		t.Errorf("geth decrypted address %v, keyring reports %v", k.Address, info)
	}
	var fields struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(raw, &fields); err != nil || fields.Version != 3 {
		t.Errorf("file is not a keystore v3 file: %s", raw)
	}
	kdfParams(t, raw)
	if _, err := keystore.DecryptKey(raw, "wrong"); !errors.Is(err, keystore.ErrDecrypt) {
		t.Errorf("DecryptKey with wrong passphrase: %v", err)
	}

	// A keystore file copied in by hand (no public key field) is usable.
	foreign, _ := encryptForeign(t, mustVectorKey(t), "geth")
	if err := os.WriteFile(filepath.Join(kr.Dir(), "copied.json"), foreign, 0o600); err != nil {
		t.Fatal(err)
	}
	shown, err := kr.Show("copied")
	if err != nil {
		t.Fatal(err)
	}
	if shown.Address.Hex() != vectorAddress || shown.PublicKey != nil {
		t.Errorf("Show(copied) = %v", shown)
	}
	if hexKey, err := kr.ExportPrivateKeyHex("copied", "geth"); err != nil || hexKey != vectorKeyHex {
		t.Errorf("ExportPrivateKeyHex(copied) = %q, %v", hexKey, err)
	}
}

func TestListSkipsForeignFilesAndReportsCorrupt(t *testing.T) {
	kr := newKeyring(t)
	if _, err := kr.Add("good", "p"); err != nil {
		t.Fatal(err)
	}
	dir := kr.Dir()
	for name, content := range map[string]string{
		"README.txt":            "not a key",
		"bad name.json":         "{}",
		".good.tmp-123":         "partial",
		"UTC--2024-01-01--abcd": "{}",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	list, err := kr.List()
	if err != nil || len(list) != 1 || list[0].Name != "good" {
		t.Fatalf("List = %v, %v; want just \"good\"", list, err)
	}

	good, _ := kr.ExportKeystore("good")
	var fields map[string]any
	if err := json.Unmarshal(good, &fields); err != nil {
		t.Fatal(err)
	}
	other, _ := crypto.GenerateKey()
	fields["publickey"] = common.Bytes2Hex(crypto.CompressPubkey(&other.PublicKey))
	swapped, _ := json.Marshal(fields)
	for name, content := range map[string][]byte{
		"garbage":    []byte("garbage"),
		"no-address": []byte(`{"version":3}`),
		"swapped":    swapped,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name+".json")
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			defer os.Remove(path)
			_, err := kr.Show(name)
			if err == nil || errors.Is(err, ErrKeyNotFound) || !strings.Contains(err.Error(), path) {
				t.Errorf("Show: got %v, want a corrupt-file error naming %s", err, path)
			}
			if _, err := kr.List(); err == nil {
				t.Error("List: want error")
			}
		})
	}
}

func TestPassphraseFromFile(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content, want string
		wantErr             error
	}{
		{"newline", "secret\n", "secret", nil},
		{"no-newline", "secret", "secret", nil},
		{"crlf+more", "secret\r\nsecond line\n", "secret", nil},
		{"spaces-kept", " pass word \n", " pass word ", nil},
		{"empty", "", "", ErrEmptyPassphrase},
		{"empty-line", "\nsecret\n", "", ErrEmptyPassphrase},
		{"cr-only", "\r\n", "", ErrEmptyPassphrase},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := PassphraseFromFile(path)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("got %q, %v; want %v", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	if _, err := PassphraseFromFile(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: got %v, want fs.ErrNotExist", err)
	}
}

// TestPassphraseFilePermissions: a passphrase file that its group or others
// may read or write is refused, and the error says how to fix it.
func TestPassphraseFilePermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits")
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		mode fs.FileMode
		ok   bool
	}{
		{0o600, true}, {0o400, true}, {0o700, true},
		{0o644, false}, {0o640, false}, {0o604, false}, {0o620, false}, {0o602, false}, {0o666, false},
	} {
		path := filepath.Join(dir, fmt.Sprintf("pass-%04o", tc.mode))
		if err := os.WriteFile(path, []byte("secret\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, tc.mode); err != nil { // not subject to the umask
			t.Fatal(err)
		}
		got, err := PassphraseFromFile(path)
		switch {
		case tc.ok && (err != nil || got != "secret"):
			t.Errorf("mode %04o: got %q, %v; want the passphrase", tc.mode, got, err)
		case !tc.ok && !errors.Is(err, ErrPassphraseFilePermissions):
			t.Errorf("mode %04o: got %q, %v; want ErrPassphraseFilePermissions", tc.mode, got, err)
		case !tc.ok && !strings.Contains(err.Error(), "chmod 600 "+path):
			t.Errorf("mode %04o: error %q does not say chmod 600 %s", tc.mode, err, path)
		}
	}
}

func TestPromptPassphraseNonTerminal(t *testing.T) {
	for _, tc := range []struct {
		name, input, want, rest string
		wantErr                 error
	}{
		{"line", "secret\r\nrest", "secret", "rest", nil},
		{"eof", "secret", "secret", "", nil},
		{"empty", "\nrest", "", "rest", ErrEmptyPassphrase},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if _, err := w.WriteString(tc.input); err != nil {
				t.Fatal(err)
			}
			w.Close()
			var out strings.Builder
			got, err := promptPassphrase(r, &out, "Passphrase: ", true)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("got %q, %v; want %v", got, err, tc.wantErr)
				}
			} else if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
			if out.Len() != 0 {
				t.Errorf("prompted %q on non-terminal input", out.String())
			}
			rest, _ := readLine(r)
			if rest != tc.rest {
				t.Errorf("input after the passphrase = %q, want %q", rest, tc.rest)
			}
		})
	}
}
