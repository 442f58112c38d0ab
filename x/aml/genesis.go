package aml

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	amlv1 "github.com/ledgerd/ledgerd/proto/ledgerd/aml/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// Defaults, after China's large-value transaction report rule for a natural
// person's domestic transfers (>= 500,000.00 CNY in a day, inflow and
// outflow summed separately) and a velocity rule of 100 outgoing payments a
// day.
const (
	DefaultDenom         = "CNY"
	DefaultLargeValue    = 50_000_000 // minor units: 500,000.00 CNY
	DefaultVelocityLimit = 100
	// MaxThresholds bounds the parameter list.
	MaxThresholds = 64
)

// Genesis is the AML part of the genesis file:
//
//	{"large_value": [{"denom": "CNY", "amount": "50000000"}], "velocity_limit": 100}
//
// A field that is absent takes its default (DefaultGenesis), so a genesis
// without an "aml" section monitors with the defaults. To switch a rule
// off, say so: "large_value": [] reports nothing, "velocity_limit": 0
// raises no alerts.
type Genesis struct {
	LargeValue    []GenesisThreshold `json:"large_value"`
	VelocityLimit *uint32            `json:"velocity_limit,omitempty"`
}

// GenesisThreshold is a denom's large-value threshold in minor units, as a
// decimal string.
type GenesisThreshold struct {
	Denom  string `json:"denom"`
	Amount string `json:"amount"`
}

// State is the validated genesis.
type State struct {
	Params *amlv1.Params
}

var denomPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]{2,15}$`)

// DefaultGenesis returns the defaults written out: CNY 50,000,000 minor
// units (500,000.00), velocity limit 100.
func DefaultGenesis() Genesis {
	v := uint32(DefaultVelocityLimit)
	return Genesis{
		LargeValue:    []GenesisThreshold{{Denom: DefaultDenom, Amount: strconv.FormatUint(DefaultLargeValue, 10)}},
		VelocityLimit: &v,
	}
}

// Validate checks g, fills absent fields with their defaults, and returns
// its state form with thresholds sorted by denom (ErrInvalidGenesis).
func (g *Genesis) Validate() (*State, error) {
	bad := func(format string, args ...any) (*State, error) {
		return nil, errcode.Wrap(ErrInvalidGenesis, format, args...)
	}
	def := DefaultGenesis()
	large, velocity := g.LargeValue, g.VelocityLimit
	if large == nil {
		large = def.LargeValue
	}
	if velocity == nil {
		velocity = def.VelocityLimit
	}
	if len(large) > MaxThresholds {
		return bad("%d large_value thresholds: at most %d", len(large), MaxThresholds)
	}
	p := &amlv1.Params{VelocityLimit: *velocity}
	for i, t := range large {
		if !denomPattern.MatchString(t.Denom) {
			return bad("large_value %d: denom %q: want 3-16 characters of A-Z and 0-9, starting with a letter", i, t.Denom)
		}
		amount, err := strconv.ParseUint(t.Amount, 10, 64)
		if err != nil || amount == 0 {
			return bad("large_value %d (%s): amount %q must be a positive integer of minor units", i, t.Denom, t.Amount)
		}
		p.LargeValue = append(p.LargeValue, &amlv1.Threshold{Denom: t.Denom, Amount: amount})
	}
	slices.SortFunc(p.LargeValue, func(a, b *amlv1.Threshold) int { return strings.Compare(a.Denom, b.Denom) })
	for i := 1; i < len(p.LargeValue); i++ {
		if p.LargeValue[i].Denom == p.LargeValue[i-1].Denom {
			return bad("large_value: denom %q listed twice", p.LargeValue[i].Denom)
		}
	}
	return &State{Params: p}, nil
}

// InitGenesis writes st into the store.
func (k Keeper) InitGenesis(st *State) { k.SetParams(st.Params) }
