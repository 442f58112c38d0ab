package aml

import (
	"strconv"

	amlv1 "github.com/ledgerd/ledgerd/proto/ledgerd/aml/v1"
)

// ParamsGenesis returns p in the genesis file's form.
func ParamsGenesis(p *amlv1.Params) Genesis {
	velocity := p.GetVelocityLimit()
	g := Genesis{LargeValue: []GenesisThreshold{}, VelocityLimit: &velocity}
	for _, t := range p.GetLargeValue() {
		g.LargeValue = append(g.LargeValue, GenesisThreshold{Denom: t.Denom, Amount: strconv.FormatUint(t.Amount, 10)})
	}
	return g
}

// ValidateParams checks replacement parameters by the genesis rules and
// returns them normalised.
func ValidateParams(p *amlv1.Params) (*amlv1.Params, error) {
	g := ParamsGenesis(p)
	st, err := g.Validate()
	if err != nil {
		return nil, err
	}
	return st.Params, nil
}
