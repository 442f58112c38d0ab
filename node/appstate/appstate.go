// Package appstate is the genesis app_state of the modules this binary
// carries, typed, for the tools that build and edit genesis files (ledgerd
// init, testnet, ledgerd genesis, test harnesses). The chain itself reads
// app_state section by section, each module its own (app.Genesis); this
// package only spares its callers the JSON.
package appstate

import (
	"encoding/json"
	"fmt"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/x/aml"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/credit"
	"github.com/ledgerd/ledgerd/x/gov"
	"github.com/ledgerd/ledgerd/x/settle"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// State is app_state with the sections of this binary's modules decoded.
// Sections of modules it does not type are kept as they are in Other.
type State struct {
	Consortium consortium.Genesis
	Wallet     wallet.Genesis
	// AML, Credit, Settle and Gov are optional: absent, the module's
	// defaults apply.
	AML    *aml.Genesis
	Credit *credit.Genesis
	Settle *settle.Genesis
	Gov    *gov.Genesis
	// Other holds every other section, by module name, unchanged.
	Other map[string]json.RawMessage
}

// Decode reads app_state, refusing unknown fields in the typed sections.
func Decode(appState []byte) (*State, error) {
	var g app.Genesis
	if err := json.Unmarshal(appState, &g); err != nil {
		return nil, fmt.Errorf("genesis app_state: %w", err)
	}
	s := &State{Other: map[string]json.RawMessage{}}
	if err := g.Section(consortium.StoreName, &s.Consortium); err != nil {
		return nil, err
	}
	if err := g.Section(wallet.StoreName, &s.Wallet); err != nil {
		return nil, err
	}
	if _, ok := g[aml.StoreName]; ok {
		s.AML = new(aml.Genesis)
		if err := g.Section(aml.StoreName, s.AML); err != nil {
			return nil, err
		}
	}
	if _, ok := g[credit.StoreName]; ok {
		s.Credit = new(credit.Genesis)
		if err := g.Section(credit.StoreName, s.Credit); err != nil {
			return nil, err
		}
	}
	if _, ok := g[settle.StoreName]; ok {
		s.Settle = new(settle.Genesis)
		if err := g.Section(settle.StoreName, s.Settle); err != nil {
			return nil, err
		}
	}
	if _, ok := g[gov.StoreName]; ok {
		s.Gov = new(gov.Genesis)
		if err := g.Section(gov.StoreName, s.Gov); err != nil {
			return nil, err
		}
	}
	for name, raw := range g { // nolint:determinism: a map filled from a map
		switch name {
		case consortium.StoreName, wallet.StoreName, aml.StoreName, credit.StoreName, settle.StoreName, gov.StoreName:
		default:
			s.Other[name] = raw
		}
	}
	return s, nil
}

// Genesis returns the sections as app.Genesis.
func (s *State) Genesis() (app.Genesis, error) {
	g := app.Genesis{}
	for name, raw := range s.Other { // nolint:determinism: a map filled from a map; encoded with sorted keys
		g[name] = raw
	}
	if err := g.SetSection(consortium.StoreName, s.Consortium); err != nil {
		return nil, err
	}
	if err := g.SetSection(wallet.StoreName, s.Wallet); err != nil {
		return nil, err
	}
	if s.AML != nil {
		if err := g.SetSection(aml.StoreName, s.AML); err != nil {
			return nil, err
		}
	}
	if s.Credit != nil {
		if err := g.SetSection(credit.StoreName, s.Credit); err != nil {
			return nil, err
		}
	}
	if s.Settle != nil {
		if err := g.SetSection(settle.StoreName, s.Settle); err != nil {
			return nil, err
		}
	}
	if s.Gov != nil {
		if err := g.SetSection(gov.StoreName, s.Gov); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// JSON returns app_state, indented.
func (s *State) JSON() ([]byte, error) {
	g, err := s.Genesis()
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(g, "", "  ")
}
