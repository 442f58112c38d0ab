package gov

import (
	"fmt"

	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// Defaults of the parameters.
const (
	DefaultThresholdNumerator   = 2
	DefaultThresholdDenominator = 3
	DefaultMaxVotingPeriod      = 30 * 24 * 3600 // seconds
	DefaultMinVotingPeriod      = 3600
	DefaultMaxOpenProposals     = 100
	// MaxOpenProposalsBound bounds max_open_proposals: the end of every
	// block walks the open proposals.
	MaxOpenProposalsBound = 1000
)

// DefaultParams are the parameters a genesis without a gov section gets.
func DefaultParams() *govv1.Params {
	return &govv1.Params{
		ThresholdNumerator: DefaultThresholdNumerator, ThresholdDenominator: DefaultThresholdDenominator,
		MaxVotingPeriodSeconds: DefaultMaxVotingPeriod, MinVotingPeriodSeconds: DefaultMinVotingPeriod,
		MaxOpenProposals: DefaultMaxOpenProposals,
	}
}

// ValidateParams checks p: a threshold above one half and at most all
// members, voting periods from 1 minute to 1 year with min <= max, and 1 to
// MaxOpenProposalsBound open proposals.
func ValidateParams(p *govv1.Params) error {
	switch {
	case p == nil:
		return fmt.Errorf("no parameters")
	case p.ThresholdDenominator == 0 || p.ThresholdDenominator > 100 || p.ThresholdNumerator > p.ThresholdDenominator ||
		2*p.ThresholdNumerator <= p.ThresholdDenominator:
		return fmt.Errorf("threshold %d/%d: want more than 1/2 and at most 1, denominator at most 100",
			p.ThresholdNumerator, p.ThresholdDenominator)
	case p.MinVotingPeriodSeconds < 60 || p.MaxVotingPeriodSeconds > 365*24*3600 || p.MinVotingPeriodSeconds > p.MaxVotingPeriodSeconds:
		return fmt.Errorf("voting period %d to %d seconds: want 60 s to 1 year, min <= max",
			p.MinVotingPeriodSeconds, p.MaxVotingPeriodSeconds)
	case p.MaxOpenProposals == 0 || p.MaxOpenProposals > MaxOpenProposalsBound:
		return fmt.Errorf("max_open_proposals %d: want 1 to %d", p.MaxOpenProposals, MaxOpenProposalsBound)
	}
	return nil
}

// Genesis is governance's genesis section; zero fields take the defaults.
type Genesis struct {
	ThresholdNumerator     uint32 `json:"threshold_numerator,omitempty"`
	ThresholdDenominator   uint32 `json:"threshold_denominator,omitempty"`
	MaxVotingPeriodSeconds int64  `json:"max_voting_period_seconds,omitempty"`
	MinVotingPeriodSeconds int64  `json:"min_voting_period_seconds,omitempty"`
	MaxOpenProposals       uint32 `json:"max_open_proposals,omitempty"`
}

// Validate returns the parameters g sets (ErrInvalidGenesis).
func (g *Genesis) Validate() (*govv1.Params, error) {
	p := DefaultParams()
	if g != nil {
		if g.ThresholdDenominator != 0 || g.ThresholdNumerator != 0 {
			p.ThresholdNumerator, p.ThresholdDenominator = g.ThresholdNumerator, g.ThresholdDenominator
		}
		if g.MaxVotingPeriodSeconds != 0 {
			p.MaxVotingPeriodSeconds = g.MaxVotingPeriodSeconds
		}
		if g.MinVotingPeriodSeconds != 0 {
			p.MinVotingPeriodSeconds = g.MinVotingPeriodSeconds
		}
		if g.MaxOpenProposals != 0 {
			p.MaxOpenProposals = g.MaxOpenProposals
		}
	}
	if err := ValidateParams(p); err != nil {
		return nil, errcode.Wrap(ErrInvalidGenesis, "%v", err)
	}
	return p, nil
}

// Needed is the yes votes a proposal needs among eligible active members:
// the smallest n with n/eligible >= numerator/denominator.
func Needed(p *govv1.Params, eligible uint32) uint32 {
	num, den := uint64(p.ThresholdNumerator), uint64(p.ThresholdDenominator)
	return uint32((uint64(eligible)*num + den - 1) / den)
}
