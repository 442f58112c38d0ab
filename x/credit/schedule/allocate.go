package schedule

import (
	"fmt"
	"strconv"
)

// Component is a part of what an installment owes. The zero value is none
// of them.
type Component uint8

const (
	// Penalty is penalty interest on overdue amounts.
	Penalty Component = iota + 1
	// Interest is the installment's interest.
	Interest
	// Principal is the installment's principal.
	Principal
)

// String returns "penalty", "interest" or "principal", or "Component(n)"
// for a value that is none of them.
func (c Component) String() string {
	switch c {
	case Penalty:
		return "penalty"
	case Interest:
		return "interest"
	case Principal:
		return "principal"
	}
	return "Component(" + strconv.Itoa(int(c)) + ")"
}

// DefaultOrder returns the usual order of allocation within an installment:
// penalty, then interest, then principal (Fineract's default strategy).
func DefaultOrder() [3]Component {
	return [3]Component{Penalty, Interest, Principal}
}

// Owed is what is unpaid of one installment, by component, in minor units.
type Owed struct {
	Seq                          uint32
	Penalty, Interest, Principal uint64
}

// Paid is what a repayment paid of one installment, by component, in minor
// units.
type Paid struct {
	Seq                          uint32
	Penalty, Interest, Principal uint64
}

// Allocate pays amount over owed, oldest installment first: it pays each
// installment's components in order, each in full or with all that is left,
// before it moves to the next installment (Fineract's horizontal
// allocation). It returns what each installment got, in the order of owed,
// for the installments that got something, and the rest that owed could not
// take (an overpayment, for the caller to hold apart: never negative
// principal). The amounts paid and the rest sum to amount exactly.
//
// owed must be oldest first, in strictly increasing Seq; which installments
// it holds (the overdue ones only, or the current one too) is the caller's
// choice of strategy. It fails with an error wrapping ErrInvalidAllocation
// if order is not a permutation of Penalty, Interest and Principal, or if
// owed is not in strictly increasing Seq. It is pure and deterministic and
// does not modify owed.
func Allocate(owed []Owed, amount uint64, order [3]Component) ([]Paid, uint64, error) {
	var seen [Principal + 1]bool
	for _, c := range order {
		if c < Penalty || c > Principal || seen[c] {
			return nil, 0, fmt.Errorf("%w: order %s, %s, %s is not a permutation of penalty, interest and principal", ErrInvalidAllocation, order[0], order[1], order[2])
		}
		seen[c] = true
	}
	for i := 1; i < len(owed); i++ {
		if owed[i].Seq <= owed[i-1].Seq {
			return nil, 0, fmt.Errorf("%w: installment %d follows installment %d: owed must be oldest first", ErrInvalidAllocation, owed[i].Seq, owed[i-1].Seq)
		}
	}
	var paid []Paid
	for _, o := range owed {
		if amount == 0 {
			break
		}
		p := Paid{Seq: o.Seq}
		for _, c := range order {
			got := min(o.component(c), amount)
			*p.component(c) = got
			amount -= got
		}
		if p != (Paid{Seq: o.Seq}) {
			paid = append(paid, p)
		}
	}
	return paid, amount, nil
}

// component returns what o owes of c, a valid component.
func (o Owed) component(c Component) uint64 {
	switch c {
	case Penalty:
		return o.Penalty
	case Interest:
		return o.Interest
	}
	return o.Principal
}

// component returns where p records c, a valid component.
func (p *Paid) component(c Component) *uint64 {
	switch c {
	case Penalty:
		return &p.Penalty
	case Interest:
		return &p.Interest
	}
	return &p.Principal
}
