package node

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/node/appstate"
	"github.com/ledgerd/ledgerd/x/consortium"
)

// GenesisFile is a genesis document being assembled by hand: CometBFT's
// document and the ledger's app state, decoded.
type GenesisFile struct {
	Path string
	Doc  *cmttypes.GenesisDoc
	App  *appstate.State
}

// ReadGenesisFile reads and decodes the genesis at path. Unknown app_state
// fields are errors, as when a node starts.
func ReadGenesisFile(path string) (*GenesisFile, error) {
	doc, err := cmttypes.GenesisDocFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("genesis %s: %w", path, err)
	}
	st, err := appstate.Decode(doc.AppState)
	if err != nil {
		return nil, fmt.Errorf("genesis %s: %w", path, err)
	}
	return &GenesisFile{Path: path, Doc: doc, App: st}, nil
}

// Validate checks the app state as a node would at InitChain, and that
// CometBFT's validator list is the members' validators.
func (g *GenesisFile) Validate() error {
	if err := ValidateAppState(g.App, g.Doc.GenesisTime, g.Files()); err != nil {
		return err
	}
	want, err := genesisValidators(g.App)
	if err != nil {
		return err
	}
	if len(want) != len(g.Doc.Validators) {
		return fmt.Errorf("genesis lists %d validators, the members have %d: rewrite it with `ledgerd genesis` commands", len(g.Doc.Validators), len(want))
	}
	for i := range want {
		have := g.Doc.Validators[i]
		if !have.PubKey.Equals(want[i].PubKey) || have.Power != want[i].Power {
			return fmt.Errorf("genesis validator %d (%s) does not match member %s's validator", i, have.Name, want[i].Name)
		}
	}
	return nil
}

// Files are the files beside the genesis document, which its sections
// may name (a wallets file): its directory.
func (g *GenesisFile) Files() fs.FS { return GenesisFiles(g.Path) }

// GenesisFiles are the files the genesis at path may name: its directory.
func GenesisFiles(path string) fs.FS { return os.DirFS(filepath.Dir(path)) }

// ValidateAppState checks st as InitChain would at genesis time t,
// reading the files it names from files (nil: it may name none).
func ValidateAppState(st *appstate.State, t time.Time, files fs.FS) error {
	b, err := st.JSON()
	if err != nil {
		return err
	}
	_, err = app.ValidateGenesis(b, t, files)
	return err
}

// Write validates the app state, sets CometBFT's validator list from the
// members, and writes the document back to g.Path. The chain id, genesis
// time and consensus parameters are kept.
func (g *GenesisFile) Write() error {
	if err := ValidateAppState(g.App, g.Doc.GenesisTime, g.Files()); err != nil {
		return fmt.Errorf("not written: %w", err)
	}
	appState, err := g.App.JSON()
	if err != nil {
		return err
	}
	vals, err := genesisValidators(g.App)
	if err != nil {
		return err
	}
	g.Doc.AppState, g.Doc.Validators = appState, vals
	if err := g.Doc.ValidateAndComplete(); err != nil {
		return fmt.Errorf("genesis: %w", err)
	}
	return g.Doc.SaveAs(g.Path)
}

// Hash is the SHA-256 of the file as written: every bank must start from
// the same bytes, so they compare it.
func (g *GenesisFile) Hash() ([32]byte, error) {
	b, err := os.ReadFile(g.Path)
	if err != nil {
		return [32]byte{}, err
	}
	return sha256.Sum256(b), nil
}

// AddMember adds m to the consortium; it fails if the id is taken. The
// whole genesis is validated when written.
func (g *GenesisFile) AddMember(m consortium.GenesisMember) error {
	for _, have := range g.App.Consortium.Members {
		if have.ID == m.ID {
			return fmt.Errorf("member %q is already in the genesis", m.ID)
		}
	}
	g.App.Consortium.Members = append(g.App.Consortium.Members, m)
	return nil
}

// RemoveMember removes member id; it fails if there is none.
func (g *GenesisFile) RemoveMember(id string) error {
	for i, have := range g.App.Consortium.Members {
		if have.ID == id {
			g.App.Consortium.Members = append(g.App.Consortium.Members[:i], g.App.Consortium.Members[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("no member %q in the genesis", id)
}

// SetParam sets one setting of the app state by its JSON path, with dots
// between keys and list indexes: "consortium.max_block_txs",
// "wallet.utc_offset", "wallet.limits.0.tiers.1.balance_cap",
// "aml.velocity_limit". value is JSON (a number, true, a quoted string, an
// object); a bare word that is not JSON is taken as a string, and so is any
// value replacing a string (amounts are decimal strings in the genesis).
// The path's parent must exist; the result must decode into the app
// state, so a misspelt key is an error.
func (g *GenesisFile) SetParam(path, value string) error {
	raw, err := g.App.JSON()
	if err != nil {
		return err
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal([]byte(value), &v); err != nil {
		v = value
	}
	keys := strings.Split(path, ".")
	node := tree
	for i, k := range keys {
		last := i == len(keys)-1
		switch n := node.(type) {
		case map[string]any:
			if last {
				n[k] = keepString(n[k], v, value)
				break
			}
			next, ok := n[k]
			if !ok || next == nil {
				next = map[string]any{}
				n[k] = next
			}
			node = next
		case []any:
			idx, err := strconv.Atoi(k)
			if err != nil || idx < 0 || idx >= len(n) {
				return fmt.Errorf("%s: %q is not an index of a list of %d", path, k, len(n))
			}
			if last {
				n[idx] = keepString(n[idx], v, value)
				break
			}
			node = n[idx]
		default:
			return fmt.Errorf("%s: %s is not an object or a list", path, strings.Join(keys[:i], "."))
		}
	}
	raw, err = json.Marshal(tree)
	if err != nil {
		return err
	}
	next, err := appstate.Decode(raw)
	if err != nil {
		return fmt.Errorf("%s = %s: %w", path, value, err)
	}
	g.App = next
	return nil
}

// keepString returns raw if the value it replaces is a string, else v.
func keepString(old, v any, raw string) any {
	if _, ok := old.(string); ok {
		return raw
	}
	return v
}
