package settle

import (
	"fmt"
	"maps"
	"slices"

	settlev1 "github.com/ledgerd/ledgerd/proto/ledgerd/settle/v1"
	"github.com/ledgerd/ledgerd/store"
)

// Invariant checks, over the settle store r at one height, that every settled (confirmed) leg
// matches a payment the payer recorded before its confirmation; that each
// cycle's counts and status match its legs and the agent's sums match its
// confirmed and recorded legs, paying out no more than it received; that
// through an agent what debtors pay equals what creditors receive; and
// that the inflight records are the sums of the legs not confirmed. For
// tests and auditors: its cost is linear in the state.
func Invariant(r store.Reader) error {
	type bankDenom struct{ bank, denom string }
	open := map[bankDenom][2]uint64{} // to pay, to receive
	var err error
	v := NewView(r)
	store.EachPrefix(r, []byte{prefixCycle}, false, func(k, val []byte) bool {
		c := new(settlev1.Cycle)
		store.DecodeProto(k, val, c)
		var confirmed uint32
		var received, paid, in, out uint64
		legs := v.Legs(c.Id)
		for i, l := range legs {
			switch {
			case l.Index != uint32(i) || l.Cycle != c.Id || l.Denom != c.Denom || l.Amount == 0:
				err = fmt.Errorf("cycle %d leg %d: misnumbered, empty or of another denom", c.Id, i)
			case l.Status == settlev1.LegStatus_LEG_STATUS_CONFIRMED && (l.Reference == "" || l.PaidHeight == 0 || l.ConfirmedHeight < l.PaidHeight):
				err = fmt.Errorf("cycle %d leg %d is settled without a recorded payment before it", c.Id, i)
			}
			if err != nil {
				return false
			}
			if l.Status == settlev1.LegStatus_LEG_STATUS_CONFIRMED {
				confirmed++
				if l.Payee == c.Agent {
					received += l.Amount
				}
			} else {
				bp, br := bankDenom{l.Payer, l.Denom}, bankDenom{l.Payee, l.Denom}
				x := open[bp]
				x[0] += l.Amount
				open[bp] = x
				y := open[br]
				y[1] += l.Amount
				open[br] = y
			}
			if l.Payer == c.Agent && (l.Status == settlev1.LegStatus_LEG_STATUS_PAID || l.Status == settlev1.LegStatus_LEG_STATUS_CONFIRMED) {
				paid += l.Amount
			}
			if c.Agent != "" && l.Payee == c.Agent {
				in += l.Amount
			} else if c.Agent != "" {
				out += l.Amount
			}
		}
		settled := c.Status == settlev1.CycleStatus_CYCLE_STATUS_SETTLED
		switch {
		case int(c.Legs) != len(legs) || c.Confirmed != confirmed:
			err = fmt.Errorf("cycle %d counts %d legs, %d confirmed; its legs say %d, %d", c.Id, c.Legs, c.Confirmed, len(legs), confirmed)
		case settled != (confirmed == c.Legs):
			err = fmt.Errorf("cycle %d is %s with %d of %d legs confirmed", c.Id, c.Status, confirmed, c.Legs)
		case c.AgentReceived != received || c.AgentPaid != paid || paid > received:
			err = fmt.Errorf("cycle %d: the agent received %d and paid %d by its record, %d and %d by its legs", c.Id, c.AgentReceived, c.AgentPaid, received, paid)
		case in != out:
			err = fmt.Errorf("cycle %d: debtors pay the agent %d, the agent pays creditors %d", c.Id, in, out)
		}
		return err == nil
	})
	if err != nil {
		return err
	}
	store.EachPrefix(r, []byte{prefixInflight}, false, func(k, val []byte) bool {
		in := new(settlev1.Inflight)
		store.DecodeProto(k, val, in)
		bd := bankDenom{in.Bank, in.Denom}
		if x := open[bd]; x[0] != in.ToPay || x[1] != in.ToReceive || (in.ToPay == 0 && in.ToReceive == 0) {
			err = fmt.Errorf("inflight of %q in %s: %d to pay, %d to receive; the open legs say %d, %d", in.Bank, in.Denom, in.ToPay, in.ToReceive, x[0], x[1])
		}
		delete(open, bd)
		return err == nil
	})
	if err != nil {
		return err
	}
	for _, bd := range slices.SortedFunc(maps.Keys(open), func(a, b bankDenom) int {
		if a.bank != b.bank {
			return cmp(a.bank, b.bank)
		}
		return cmp(a.denom, b.denom)
	}) {
		return fmt.Errorf("%q in %s has open legs (%d to pay, %d to receive) but no inflight record", bd.bank, bd.denom, open[bd][0], open[bd][1])
	}
	return nil
}

func cmp(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
