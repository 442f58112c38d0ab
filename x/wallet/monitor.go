package wallet

import (
	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/x/exec"
)

// Monitor is what the wallet module reports to anti-money-laundering
// monitoring (package aml) after every balance movement. Implementations
// are deterministic and write only through ctx.
type Monitor interface {
	// ObserveFlow is called when a wallet's aggregate inflow or outflow of
	// a denom for a day grows from Before to After.
	ObserveFlow(ctx exec.Context, f Flow) error
	// ObservePayments is called when a wallet's count of outgoing payments
	// in a day grows to Payments.
	ObservePayments(ctx exec.Context, p Payments) error
}

// Flow is a change of a wallet's daily aggregate.
type Flow struct {
	Wallet common.Address
	Bank   string
	// Day is days since 1970-01-01 in the consortium's time zone.
	Day     int64
	Outflow bool // false: inflow
	Denom   string
	Before  uint64
	After   uint64
}

// Payments is a wallet's count of outgoing payments in a day.
type Payments struct {
	Wallet   common.Address
	Bank     string
	Day      int64
	Payments uint32
}

// NoMonitor observes nothing.
type NoMonitor struct{}

// ObserveFlow implements Monitor.
func (NoMonitor) ObserveFlow(exec.Context, Flow) error { return nil }

// ObservePayments implements Monitor.
func (NoMonitor) ObservePayments(exec.Context, Payments) error { return nil }
