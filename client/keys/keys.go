// Package keys is a local keyring of secp256k1 keys for the ledgerd CLI and
// light clients. Accounts are identified by Ethereum-style addresses.
//
// A keyring is a directory holding one Ethereum keystore v3 file (scrypt +
// AES-128-CTR, as written by go-ethereum's accounts/keystore package) per key.
// The file name is the key's name plus ".json", so the directory itself is the
// name index. Every file can be decrypted by geth, ethers, web3 and other
// keystore v3 readers; the only addition to the standard layout is an
// unencrypted "publickey" field (33-byte compressed, hex) so that List and Show
// work without a passphrase. Readers of the standard format ignore it.
//
// Files are written with mode 0600 and never modified in place: a key file is
// created by writing a temporary file and linking it into place, so a reader
// sees either no file or the complete file, and an existing key is never
// overwritten. The directory is created with mode 0700.
package keys

import (
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/google/uuid"
)

// Sentinel errors. Errors returned by this package wrap one of these (test
// with errors.Is) and add the key name and a hint on what to do.
var (
	// ErrKeyNotFound means no key with the given name exists in the keyring.
	ErrKeyNotFound = errors.New("key not found")
	// ErrKeyExists means a key with the given name already exists; keys are
	// never overwritten.
	ErrKeyExists = errors.New("key already exists")
	// ErrBadPassphrase means the passphrase does not decrypt the key. It wraps
	// keystore.ErrDecrypt, so errors.Is(err, keystore.ErrDecrypt) also holds.
	ErrBadPassphrase = fmt.Errorf("wrong passphrase: %w", keystore.ErrDecrypt)
	// ErrInvalidName means a key name is not 1-64 characters of [a-zA-Z0-9._-].
	ErrInvalidName = errors.New("invalid key name")
	// ErrEmptyPassphrase means an empty passphrase was given for encrypting a
	// key (or entered at a prompt, or read from a passphrase file).
	ErrEmptyPassphrase = errors.New("empty passphrase")
)

// MaxNameLen is the maximum length of a key name.
const MaxNameLen = 64

const fileExt = ".json"

// Options configures a Keyring.
type Options struct {
	// LightScrypt encrypts new key files with keystore.LightScryptN/P
	// (fast, weak) instead of keystore.StandardScryptN/P. Use it only for
	// tests and development networks. Decryption always uses the parameters
	// recorded in each file, so keyrings may mix both kinds of file.
	LightScrypt bool
}

// Info describes a key without exposing secret material.
type Info struct {
	Name    string         `json:"name"`
	Address common.Address `json:"address"`
	// PublicKey is the 33-byte compressed secp256k1 public key. It is nil
	// for a keystore file copied into the directory by another tool
	// (such files carry only the address); re-import the key to record it.
	PublicKey hexutil.Bytes `json:"pubkey"`
}

// String formats the key for display, e.g.
// "alice 0x71562b71999873DB5b286dF957af199Ec94617F7 0x02...".
func (i Info) String() string {
	pub := "(public key unknown)"
	if i.PublicKey != nil {
		pub = i.PublicKey.String()
	}
	return fmt.Sprintf("%s %s %s", i.Name, i.Address.Hex(), pub)
}

// Keyring is a directory of encrypted keys. Its methods are safe for
// concurrent use, also by several processes sharing the directory: each key
// file is created atomically, and creating a name that exists fails.
type Keyring struct {
	dir              string
	scryptN, scryptP int
}

// Open opens the keyring in dir, creating the directory (mode 0700, with
// parents) if needed. If dir exists with group or other permission bits set,
// they are removed: the directory should hold nothing but keys.
func Open(dir string, opts Options) (*Keyring, error) {
	if dir == "" {
		return nil, errors.New("open keyring: empty directory path")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open keyring: %w", err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("open keyring: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("open keyring: %s is not a directory", dir)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return nil, fmt.Errorf("open keyring: restrict permissions of %s to 0700: %w", dir, err)
		}
	}
	kr := &Keyring{dir: dir, scryptN: keystore.StandardScryptN, scryptP: keystore.StandardScryptP}
	if opts.LightScrypt {
		kr.scryptN, kr.scryptP = keystore.LightScryptN, keystore.LightScryptP
	}
	return kr, nil
}

// Dir returns the keyring directory.
func (kr *Keyring) Dir() string { return kr.dir }

// ValidateName returns an error wrapping ErrInvalidName unless name is 1-64
// characters, each an ASCII letter, digit, '.', '_' or '-'.
func ValidateName(name string) error {
	if name == "" || len(name) > MaxNameLen {
		return fmt.Errorf("%w %q: must be 1-%d characters long", ErrInvalidName, name, MaxNameLen)
	}
	for _, c := range []byte(name) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return fmt.Errorf("%w %q: only letters, digits, '.', '_' and '-' are allowed", ErrInvalidName, name)
		}
	}
	return nil
}

// Add generates a new random key, stores it under name encrypted with
// passphrase and returns its Info. It fails with ErrInvalidName,
// ErrEmptyPassphrase or ErrKeyExists without touching the keyring.
func (kr *Keyring) Add(name, passphrase string) (Info, error) {
	if err := checkNew(name, passphrase); err != nil {
		return Info{}, err
	}
	key, err := crypto.GenerateKey()
	if err != nil {
		return Info{}, fmt.Errorf("add key %q: generate key: %w", name, err)
	}
	return kr.store(name, key, uuid.Nil, passphrase)
}

// ImportPrivateKey stores an existing secp256k1 private key under name,
// encrypted with passphrase. It fails with ErrInvalidName,
// ErrEmptyPassphrase or ErrKeyExists without touching the keyring, and with
// an error if key is not a valid secp256k1 private key.
func (kr *Keyring) ImportPrivateKey(name string, key *ecdsa.PrivateKey, passphrase string) (Info, error) {
	if err := checkNew(name, passphrase); err != nil {
		return Info{}, err
	}
	k, err := normalizeKey(key)
	if err != nil {
		return Info{}, fmt.Errorf("import key %q: %w", name, err)
	}
	return kr.store(name, k, uuid.Nil, passphrase)
}

// ImportPrivateKeyHex is ImportPrivateKey for a key given as 64 hex digits
// (32 bytes), optionally 0x-prefixed and surrounded by white space, as
// printed by ExportPrivateKeyHex or by wallets. Error messages never contain
// the key.
func (kr *Keyring) ImportPrivateKeyHex(name, hexKey, passphrase string) (Info, error) {
	if err := checkNew(name, passphrase); err != nil {
		return Info{}, err
	}
	s := strings.TrimSpace(hexKey)
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		s = s[2:]
	}
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return Info{}, fmt.Errorf("import key %q: invalid private key: want 64 hex digits (32 bytes), optionally 0x-prefixed", name)
	}
	key, err := crypto.ToECDSA(b)
	if err != nil {
		return Info{}, fmt.Errorf("import key %q: invalid secp256k1 private key (out of range)", name)
	}
	return kr.store(name, key, uuid.Nil, passphrase)
}

// ImportKeystore decrypts keyJSON, an Ethereum keystore file (v3, or the
// legacy v1 format, as written by geth, clef, ethkey or wallet exports) with
// oldPassphrase, and stores the key under name re-encrypted with
// newPassphrase using this keyring's scrypt parameters. A wrong oldPassphrase
// yields ErrBadPassphrase; it also fails with ErrInvalidName,
// ErrEmptyPassphrase (for newPassphrase) or ErrKeyExists. The keystore's
// UUID is kept.
func (kr *Keyring) ImportKeystore(name string, keyJSON []byte, oldPassphrase, newPassphrase string) (Info, error) {
	if err := checkNew(name, newPassphrase); err != nil {
		return Info{}, err
	}
	key, err := decryptKey(keyJSON, oldPassphrase)
	if errors.Is(err, keystore.ErrDecrypt) {
		return Info{}, fmt.Errorf("import key %q: %w (give the passphrase the imported file is encrypted with)", name, ErrBadPassphrase)
	}
	if err != nil {
		return Info{}, fmt.Errorf("import key %q: not a readable keystore file: %w", name, err)
	}
	return kr.store(name, key.PrivateKey, key.Id, newPassphrase)
}

// List returns all keys, sorted by name. Files in the directory that are not
// named <valid name>.json are ignored; an unreadable key file is an error
// naming the file.
func (kr *Keyring) List() ([]Info, error) {
	entries, err := os.ReadDir(kr.dir)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	infos := []Info{}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), fileExt)
		if !ok || !e.Type().IsRegular() || ValidateName(name) != nil {
			continue
		}
		data, err := os.ReadFile(kr.path(name))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted concurrently
		}
		if err != nil {
			return nil, fmt.Errorf("list keys: %w", err)
		}
		info, err := kr.parseInfo(name, data)
		if err != nil {
			return nil, fmt.Errorf("list keys: %w", err)
		}
		infos = append(infos, info)
	}
	// ReadDir sorts by file name, which is not quite name order ('.' < 'j').
	sort.Slice(infos, func(i, j int) bool { return infos[i].Name < infos[j].Name })
	return infos, nil
}

// Show returns the Info of the named key, or an error wrapping
// ErrKeyNotFound or ErrInvalidName. It does not need the passphrase.
func (kr *Keyring) Show(name string) (Info, error) {
	data, err := kr.read(name)
	if err != nil {
		return Info{}, err
	}
	return kr.parseInfo(name, data)
}

// Key decrypts and returns the named private key, e.g. to sign with it.
// It fails with ErrKeyNotFound, ErrInvalidName or ErrBadPassphrase.
// The caller should drop the key as soon as it is no longer needed.
func (kr *Keyring) Key(name, passphrase string) (*ecdsa.PrivateKey, error) {
	data, err := kr.read(name)
	if err != nil {
		return nil, err
	}
	info, err := kr.parseInfo(name, data)
	if err != nil {
		return nil, err
	}
	key, err := decryptKey(data, passphrase)
	if errors.Is(err, keystore.ErrDecrypt) {
		return nil, fmt.Errorf("key %q: %w", name, ErrBadPassphrase)
	}
	if err != nil {
		return nil, fmt.Errorf("key %q: cannot decrypt %s: %w", name, kr.path(name), err)
	}
	if key.Address != info.Address {
		return nil, fmt.Errorf("key %q: %s is corrupt: it decrypts to address %s but records %s; restore it from a backup",
			name, kr.path(name), key.Address.Hex(), info.Address.Hex())
	}
	return key.PrivateKey, nil
}

// Delete removes the named key after checking passphrase against it, so that
// a key is not deleted by mistake. It fails with ErrKeyNotFound,
// ErrInvalidName or ErrBadPassphrase, leaving the key in place. Deletion is
// permanent: export the key first if it may be needed again.
func (kr *Keyring) Delete(name, passphrase string) error {
	if _, err := kr.Key(name, passphrase); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	if err := os.Remove(kr.path(name)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("delete: key %q: %w", name, ErrKeyNotFound)
		}
		return fmt.Errorf("delete key %q: %w", name, err)
	}
	syncDir(kr.dir)
	return nil
}

// ExportKeystore returns the named key's encrypted keystore v3 JSON exactly
// as stored. It can be imported by ImportKeystore, geth and wallets, and
// needs the key's passphrase to be used. It fails with ErrKeyNotFound or
// ErrInvalidName.
func (kr *Keyring) ExportKeystore(name string) ([]byte, error) {
	return kr.read(name)
}

// ExportPrivateKeyHex returns the named private key as 64 lowercase hex
// digits without 0x prefix, after decrypting it with passphrase. The result is
// the unprotected secret key: handle it with care. It fails with
// ErrKeyNotFound, ErrInvalidName or ErrBadPassphrase.
func (kr *Keyring) ExportPrivateKeyHex(name, passphrase string) (string, error) {
	key, err := kr.Key(name, passphrase)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(crypto.FromECDSA(key)), nil
}

func (kr *Keyring) path(name string) string { return filepath.Join(kr.dir, name+fileExt) }

// read returns the contents of the named key file.
func (kr *Keyring) read(name string) ([]byte, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(kr.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("key %q: %w in %s; list the keys to see which names exist", name, ErrKeyNotFound, kr.dir)
	}
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", name, err)
	}
	return data, nil
}

// decryptKey is keystore.DecryptKey, turning the panics it raises on some
// malformed files (it type-asserts KDF parameters unchecked) into errors.
func decryptKey(keyJSON []byte, passphrase string) (key *keystore.Key, err error) {
	defer func() {
		if r := recover(); r != nil {
			key, err = nil, fmt.Errorf("malformed keystore file: %v", r)
		}
	}()
	return keystore.DecryptKey(keyJSON, passphrase)
}

// keyFile holds the unencrypted fields of a key file.
type keyFile struct {
	Address   string `json:"address"`
	PublicKey string `json:"publickey"`
}

// parseInfo extracts the Info from a key file without decrypting it, checking
// that the public key, if present, matches the address.
func (kr *Keyring) parseInfo(name string, data []byte) (Info, error) {
	corrupt := func(what string) (Info, error) {
		return Info{}, fmt.Errorf("key %q: %s is not a valid key file: %s; remove it or restore it from a backup",
			name, kr.path(name), what)
	}
	var f keyFile
	if err := json.Unmarshal(data, &f); err != nil {
		return corrupt("bad JSON")
	}
	if !common.IsHexAddress(f.Address) {
		return corrupt("missing or malformed address")
	}
	info := Info{Name: name, Address: common.HexToAddress(f.Address)}
	if f.PublicKey != "" {
		pub, err := hex.DecodeString(f.PublicKey)
		if err != nil || len(pub) != 33 {
			return corrupt("malformed public key")
		}
		pk, err := crypto.DecompressPubkey(pub)
		if err != nil {
			return corrupt("malformed public key")
		}
		if crypto.PubkeyToAddress(*pk) != info.Address {
			return corrupt("public key does not match address")
		}
		info.PublicKey = pub
	}
	return info, nil
}

// store encrypts key under passphrase and creates the key file for name.
// A zero id is replaced by a random one.
func (kr *Keyring) store(name string, key *ecdsa.PrivateKey, id uuid.UUID, passphrase string) (Info, error) {
	if id == uuid.Nil {
		var err error
		if id, err = uuid.NewRandom(); err != nil {
			return Info{}, fmt.Errorf("store key %q: %w", name, err)
		}
	}
	info := Info{
		Name:      name,
		Address:   crypto.PubkeyToAddress(key.PublicKey),
		PublicKey: crypto.CompressPubkey(&key.PublicKey),
	}
	ksKey := &keystore.Key{Id: id, Address: info.Address, PrivateKey: key}
	enc, err := keystore.EncryptKey(ksKey, passphrase, kr.scryptN, kr.scryptP)
	if err != nil {
		return Info{}, fmt.Errorf("store key %q: encrypt: %w", name, err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(enc, &fields); err != nil {
		return Info{}, fmt.Errorf("store key %q: %w", name, err)
	}
	fields["publickey"], _ = json.Marshal(hex.EncodeToString(info.PublicKey))
	data, err := json.Marshal(fields)
	if err != nil {
		return Info{}, fmt.Errorf("store key %q: %w", name, err)
	}
	if err := kr.create(name, data); err != nil {
		return Info{}, err
	}
	return info, nil
}

// create atomically creates the file for name with mode 0600, failing with
// ErrKeyExists if it already exists. The data is written to a temporary file
// that is then hard-linked into place (link, unlike rename, never replaces an
// existing file); where hard links are unsupported it falls back to rename.
func (kr *Keyring) create(name string, data []byte) error {
	dst := kr.path(name)
	exists := func() error {
		return fmt.Errorf("key %q: %w in %s; choose another name or delete the existing key first", name, ErrKeyExists, kr.dir)
	}
	if _, err := os.Lstat(dst); err == nil {
		return exists()
	}
	tmp, err := os.CreateTemp(kr.dir, "."+name+".tmp-*") // created with mode 0600
	if err != nil {
		return fmt.Errorf("store key %q: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store key %q: write %s: %w", name, tmp.Name(), err)
	}
	if err := os.Link(tmp.Name(), dst); err != nil {
		if _, serr := os.Lstat(dst); serr == nil || errors.Is(err, fs.ErrExist) {
			return exists()
		}
		// No hard links on this file system; rename is atomic but could
		// replace a file created since the Lstat above.
		if err := os.Rename(tmp.Name(), dst); err != nil {
			return fmt.Errorf("store key %q: %w", name, err)
		}
	}
	syncDir(kr.dir)
	return nil
}

// syncDir makes directory entry changes durable where supported.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // best effort: not supported everywhere (e.g. Windows)
		_ = d.Close()
	}
}

// checkNew validates the arguments for storing a new key.
func checkNew(name, passphrase string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	if passphrase == "" {
		return fmt.Errorf("key %q: %w: choose a passphrase to encrypt the key with", name, ErrEmptyPassphrase)
	}
	return nil
}

// normalizeKey checks that key is a valid secp256k1 private key and returns a
// copy with the curve and public key derived from its scalar.
func normalizeKey(key *ecdsa.PrivateKey) (*ecdsa.PrivateKey, error) {
	bad := errors.New("not a valid secp256k1 private key")
	if key == nil || key.D == nil || key.D.Sign() <= 0 || key.Curve == nil {
		return nil, bad
	}
	p, s := key.Curve.Params(), crypto.S256().Params()
	if p == nil || p.P.Cmp(s.P) != 0 || p.N.Cmp(s.N) != 0 || p.B.Cmp(s.B) != 0 || p.Gx.Cmp(s.Gx) != 0 {
		return nil, fmt.Errorf("%w (wrong curve)", bad)
	}
	k, err := crypto.ToECDSA(math.PaddedBigBytes(key.D, 32))
	if err != nil {
		return nil, bad
	}
	return k, nil
}
