package app

import (
	"bytes"
	"encoding/json"
	"fmt"

	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	"github.com/ledgerd/ledgerd/x/aml"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/gov"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// Genesis is the app_state of the CometBFT genesis file.
type Genesis struct {
	Consortium consortium.Genesis `json:"consortium"`
	Wallet     wallet.Genesis     `json:"wallet"`
	// AML is optional: absent, the defaults apply (aml.DefaultGenesis).
	AML *aml.Genesis `json:"aml,omitempty"`
	// Gov is optional: absent, the defaults apply (gov.DefaultParams).
	Gov *gov.Genesis `json:"gov,omitempty"`
}

// GenesisState is a validated Genesis.
type GenesisState struct {
	Consortium *consortium.State
	Wallet     *wallet.State
	AML        *aml.State
	Gov        *govv1.Params
}

// ParseGenesis decodes and validates app_state. Unknown fields are errors,
// so a misspelt setting is not silently ignored.
func ParseGenesis(appState []byte) (*GenesisState, error) {
	var g Genesis
	dec := json.NewDecoder(bytes.NewReader(appState))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return nil, fmt.Errorf("genesis app_state: %w", err)
	}
	return g.Validate()
}

// Validate checks every module's genesis, including what one module's
// genesis requires of another's.
func (g *Genesis) Validate() (*GenesisState, error) {
	c, err := g.Consortium.Validate()
	if err != nil {
		return nil, err
	}
	w, err := g.Wallet.Validate(c.Members)
	if err != nil {
		return nil, err
	}
	amlGen := aml.DefaultGenesis()
	if g.AML != nil {
		amlGen = *g.AML
	}
	a, err := amlGen.Validate()
	if err != nil {
		return nil, err
	}
	gp, err := g.Gov.Validate()
	if err != nil {
		return nil, err
	}
	return &GenesisState{Consortium: c, Wallet: w, AML: a, Gov: gp}, nil
}
