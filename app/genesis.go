package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/module"
)

// Genesis is the app_state of the CometBFT genesis file: one section per
// module, under the module's name ("consortium", "wallet", ...), in the
// form the module's genesis reads. A module with a default may be left
// out; a section no module reads is an error, so a misspelt name is not
// silently ignored.
type Genesis map[string]json.RawMessage

// Section decodes the named section into v, refusing unknown fields; an
// absent section leaves v as it is.
func (g Genesis) Section(name string, v any) error {
	raw, ok := g[name]
	if !ok {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("genesis app_state.%s: %w", name, err)
	}
	return nil
}

// SetSection encodes v as the named section.
func (g Genesis) SetSection(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("genesis app_state.%s: %w", name, err)
	}
	g[name] = b
	return nil
}

// parseGenesis decodes app_state into its sections.
func parseGenesis(appState []byte) (Genesis, error) {
	var g Genesis
	if err := json.Unmarshal(appState, &g); err != nil {
		return nil, fmt.Errorf("genesis app_state: %w", err)
	}
	return g, nil
}

// initGenesis writes every module's section into b, in module order, at
// genesis time t, reading the files sections name from files, and returns
// the validators they name. A module's section is checked against what
// the modules before it wrote.
func initGenesis(reg *module.Registry, b *store.Branch, t time.Time, appState []byte, files exec.GenesisFiles) ([]abci.ValidatorUpdate, error) {
	g, err := parseGenesis(appState)
	if err != nil {
		return nil, err
	}
	s, err := exported(g)
	if err != nil {
		return nil, err
	}
	return writeGenesis(reg, b, t, g, s, files)
}

// writeGenesis is initGenesis of a parsed app_state g, and s its exported
// state if it holds one (exported(g)): the document is parsed once.
func writeGenesis(reg *module.Registry, b *store.Branch, t time.Time, g Genesis, s *ExportedState, files exec.GenesisFiles) ([]abci.ValidatorUpdate, error) {
	if s != nil {
		// The validators are the genesis file's, as exported.
		return nil, importState(b, reg.StoreNames(), s)
	}
	var vals []abci.ValidatorUpdate
	ctx := exec.New(b, 0, t).WithGenesisFiles(files)
	mods := reg.Modules()
	if files.Skip {
		// Loaded for the peer filter only: the sections after the last
		// module with a filter are not needed, and may check records a
		// skipped file holds (a credit product's treasury wallet).
		last := -1
		for i, m := range mods {
			if m.PeerFilter != nil {
				last = i
			}
		}
		mods = mods[:last+1]
	}
	for _, m := range mods {
		if m.Genesis == nil {
			continue
		}
		section, ok := g[m.Name]
		if !ok {
			if m.Genesis.Default == nil {
				return nil, fmt.Errorf("genesis app_state has no %q section", m.Name)
			}
			section = m.Genesis.Default()
		}
		// The section is read once: dropping it lets the collector free a
		// large one (a million wallets are a quarter of a GiB of JSON)
		// while the next modules and the trees are built.
		if ok {
			g[m.Name] = nil
		}
		v, err := m.Genesis.Init(ctx, section)
		if err != nil {
			return nil, fmt.Errorf("genesis app_state.%s: %w", m.Name, err)
		}
		vals = append(vals, v...)
	}
	var unknown []string
	for name := range g { // nolint:determinism: sorted below; genesis only
		if reg.Module(name) == nil {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, fmt.Errorf("genesis app_state has sections no module of this chain reads: %v (modules: %v)", unknown, reg.StoreNames())
	}
	return vals, nil
}

// ValidateGenesis checks app_state as InitChain does, on a scratch state
// at genesis time t, and returns the validators it names. An exported
// state (ExportSection) is checked too, but InitChain also wants it with
// initial_height one above its height, which app_state alone does not say.
// files holds the files the sections name (the genesis file's directory);
// nil fails a genesis that names one.
func ValidateGenesis(appState []byte, t time.Time, files fs.FS) ([]abci.ValidatorUpdate, error) {
	reg := Modules()
	names := reg.StoreNames()
	return initGenesis(reg, store.NewBranch(names, store.EmptyReaders(len(names))), t, appState, exec.GenesisFiles{FS: files})
}
