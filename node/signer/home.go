package signer

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"text/template"

	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/privval"
	"github.com/spf13/viper"
)

// A signer home has a node home's layout for the key and its state, so that
// the two files move between them unchanged (and `ledgerd show-validator
// --home` works on either):
//
//	config/priv_validator_key.json   the validator key (CometBFT's FilePV key file)
//	data/priv_validator_state.json   the last height/round/step signed, and that signature
//	config/signer.toml               chain_id and addr (Config)
//	data/signer.lock                 held by the signer process serving the home
func KeyFile(home string) string { return filepath.Join(home, "config", "priv_validator_key.json") }

// StateFile is home's last-signed state.
func StateFile(home string) string {
	return filepath.Join(home, "data", "priv_validator_state.json")
}

// ConfigFile is home's signer.toml.
func ConfigFile(home string) string { return filepath.Join(home, "config", "signer.toml") }

func lockFile(home string) string { return filepath.Join(home, "data", "signer.lock") }

// Config is a signer home's signer.toml.
type Config struct {
	// ChainID is the only chain the signer signs for.
	ChainID string `mapstructure:"chain_id"`
	// Addr is the node's signer listen address, which the signer dials:
	// tcp://host:port or unix:///path.
	Addr string `mapstructure:"addr"`
}

// LoadConfig reads home's signer.toml.
func LoadConfig(home string) (Config, error) {
	v := viper.New()
	v.SetConfigFile(ConfigFile(home))
	var c Config
	if err := v.ReadInConfig(); err != nil {
		return c, fmt.Errorf("read signer config (run `ledgerd signer init` first?): %w", err)
	}
	if err := v.Unmarshal(&c); err != nil {
		return c, fmt.Errorf("parse %s: %w", ConfigFile(home), err)
	}
	return c, nil
}

var configTemplate = template.Must(template.New("signer.toml").Parse(`# ledgerd signer settings; flags of 'ledgerd signer' override them.

# The chain this signer signs for: it refuses requests for any other.
chain_id = "{{.ChainID}}"
# The node's remote signer listen address (its remote_signer.laddr in
# ledgerd.toml, or priv_validator_laddr in config.toml), which this signer
# dials: tcp://NODE:PORT or unix:///path/to/socket.
addr = "{{.Addr}}"
`))

// InitOptions says what Init writes.
type InitOptions struct {
	Home    string
	ChainID string
	Addr    string
	// ImportKey and ImportState, if set, are a validator key file and its
	// last-signed state to move into the home, typically a node home's
	// config/priv_validator_key.json and data/priv_validator_state.json.
	// Without them, Init keeps a key already in the home (with its state)
	// or generates a new one.
	ImportKey, ImportState string
}

// InitResult is what Init made.
type InitResult struct {
	// PubKey is the validator's public key, base64 (as in genesis and
	// `ledgerd show-validator`), and Address its CometBFT address, hex.
	PubKey  string `json:"validator_pub_key"`
	Address string `json:"validator_address"`
	// Key is "generated", "moved" (from ImportKey) or "kept".
	Key       string `json:"key"`
	KeyFile   string `json:"key_file"`
	StateFile string `json:"state_file"`
	Config    string `json:"config"`
}

// Init writes a signer home: its signer.toml and a validator key with its
// last-signed state. It refuses a home that has a signer.toml already.
//
// Moving a key (ImportKey) writes and syncs both copies before it removes
// the originals, so that a crash leaves the key in one place or, at worst,
// in both, never in neither; it refuses when the home has a key already. A
// key must be moved with its state: a key without its state could sign a
// height twice. The caller makes sure the key's previous owner is stopped
// and will not sign again.
func Init(o InitOptions) (*InitResult, error) {
	if o.ChainID == "" {
		return nil, errors.New("signer init: the chain id is required")
	}
	if err := notNodeHome(o.Home); err != nil {
		return nil, fmt.Errorf("signer init: %w", err)
	}
	if _, err := os.Stat(ConfigFile(o.Home)); err == nil {
		return nil, fmt.Errorf("signer init: %s exists; this home is initialised already", ConfigFile(o.Home))
	}
	for _, dir := range []string{filepath.Dir(KeyFile(o.Home)), filepath.Dir(StateFile(o.Home))} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("signer init: %w", err)
		}
	}
	res := &InitResult{KeyFile: KeyFile(o.Home), StateFile: StateFile(o.Home), Config: ConfigFile(o.Home)}
	_, keyErr := os.Stat(res.KeyFile)
	switch {
	case o.ImportKey != "":
		if keyErr == nil {
			return nil, fmt.Errorf("signer init: %s exists: refusing to replace a validator key", res.KeyFile)
		}
		if o.ImportState == "" {
			return nil, errors.New("signer init: a key moves with its last-signed state, or it could sign a height twice")
		}
		if err := moveKey(o.ImportKey, o.ImportState, res.KeyFile, res.StateFile); err != nil {
			return nil, fmt.Errorf("signer init: %w", err)
		}
		res.Key = "moved"
	case keyErr == nil:
		res.Key = "kept"
	default:
		pv := privval.GenFilePV(res.KeyFile, res.StateFile)
		pv.Save()
		res.Key = "generated"
	}
	key, err := checkKeyFiles(res.KeyFile, res.StateFile)
	if err != nil {
		return nil, fmt.Errorf("signer init: %w", err)
	}
	res.PubKey = base64.StdEncoding.EncodeToString(key.PubKey.Bytes())
	res.Address = key.Address.String()

	var buf bytes.Buffer
	if err := configTemplate.Execute(&buf, Config{ChainID: o.ChainID, Addr: o.Addr}); err != nil {
		return nil, err
	}
	if err := os.WriteFile(res.Config, buf.Bytes(), 0o600); err != nil {
		return nil, fmt.Errorf("signer init: %w", err)
	}
	return res, nil
}

// notNodeHome refuses a node's home (one with CometBFT's config.toml): a
// signer's key must not be where a node would find it.
func notNodeHome(home string) error {
	if _, err := os.Stat(filepath.Join(home, "config", "config.toml")); err == nil {
		return fmt.Errorf("%s is a node's home (it has config/config.toml): give the signer a home of its own", home)
	}
	return nil
}

// moveKey moves a key file and its state file: it checks both, writes and
// syncs the copies, then removes the originals.
func moveKey(fromKey, fromState, toKey, toState string) error {
	if _, err := checkKeyFiles(fromKey, fromState); err != nil {
		return err
	}
	for _, f := range [][2]string{{fromKey, toKey}, {fromState, toState}} {
		b, err := os.ReadFile(f[0])
		if err != nil {
			return err
		}
		if err := writeSynced(f[1], b); err != nil {
			return err
		}
	}
	for _, f := range []string{fromKey, fromState} {
		if err := os.Remove(f); err != nil {
			return fmt.Errorf("the key is copied, but removing the original failed (remove it by hand): %w", err)
		}
		if err := syncDir(filepath.Dir(f)); err != nil {
			return err
		}
	}
	return nil
}

// checkKeyFiles reads a FilePV key file and its state file, which must be
// private to their owner, as CometBFT's privval.LoadFilePV would (which
// exits the process on an error instead of returning it).
func checkKeyFiles(keyFile, stateFile string) (*privval.FilePVKey, error) {
	var key privval.FilePVKey
	if err := readPrivateJSON(keyFile, &key); err != nil {
		return nil, fmt.Errorf("validator key: %w", err)
	}
	if key.PrivKey == nil {
		return nil, fmt.Errorf("validator key %s: no priv_key", keyFile)
	}
	key.PubKey = key.PrivKey.PubKey()
	key.Address = key.PubKey.Address()
	var state privval.FilePVLastSignState
	if err := readPrivateJSON(stateFile, &state); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			err = fmt.Errorf("%w. Bring the state file of the home the key came from (data/priv_validator_state.json), "+
				"which records what it signed last: without it the key could sign a height twice", err)
		}
		return nil, fmt.Errorf("validator key's last-signed state: %w", err)
	}
	return &key, nil
}

func readPrivateJSON(path string, v any) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%s has mode %04o, open to its group or others; run chmod 600 %s", path, perm, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := cmtjson.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writeSynced writes b to path (mode 0600, which must not exist) and syncs
// the file and its directory.
func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// syncFile syncs the file at path and its directory.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Open loads home's validator key and last-signed state for serving, and
// locks the home: a second signer process on it is refused (two signers
// with one key and two states could sign a height twice). The lock holds
// until release is called or the process exits.
func Open(home string) (pv *privval.FilePV, release func(), err error) {
	if err := notNodeHome(home); err != nil {
		return nil, nil, err
	}
	if _, err := checkKeyFiles(KeyFile(home), StateFile(home)); err != nil {
		return nil, nil, err
	}
	f, err := os.OpenFile(lockFile(home), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, nil, fmt.Errorf("another signer process serves %s (it holds %s)", home, lockFile(home))
		}
		return nil, nil, fmt.Errorf("lock %s: %w", lockFile(home), err)
	}
	return privval.LoadFilePV(KeyFile(home), StateFile(home)), func() { f.Close() }, nil
}
