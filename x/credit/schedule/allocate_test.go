package schedule

import (
	"errors"
	"math/rand"
	"reflect"
	"testing"
)

// Apache Fineract's worked allocation (research/fineract-loans.md 3.3):
// installment 1 owes 50.00 penalty, 120.00 interest and 946.19 principal,
// installment 2 110.54 interest and 955.65 principal; 1,200.00 is paid.
func TestAllocateFineract(t *testing.T) {
	owed := []Owed{
		{Seq: 1, Penalty: 5_000, Interest: 12_000, Principal: 94_619},
		{Seq: 2, Interest: 11_054, Principal: 95_565},
	}
	for _, tc := range []struct {
		name  string
		order [3]Component
		paid  []Paid
	}{
		{"penalty, interest, principal (mifos-standard)", DefaultOrder(), []Paid{
			{Seq: 1, Penalty: 5_000, Interest: 12_000, Principal: 94_619},
			{Seq: 2, Interest: 8_381}, // 26.73 interest and all the principal left
		}},
		{"principal, interest, penalty", [3]Component{Principal, Interest, Penalty}, []Paid{
			{Seq: 1, Penalty: 5_000, Interest: 12_000, Principal: 94_619},
			{Seq: 2, Principal: 8_381}, // 871.84 principal and all the interest left
		}},
	} {
		paid, rest, err := Allocate(owed, 120_000, tc.order)
		if err != nil || rest != 0 || !reflect.DeepEqual(paid, tc.paid) {
			t.Errorf("%s: %+v, rest %d, %v; want %+v", tc.name, paid, rest, err, tc.paid)
		}
	}
}

func TestAllocate(t *testing.T) {
	owed := []Owed{
		{Seq: 3, Penalty: 100, Interest: 200, Principal: 1_000},
		{Seq: 4}, // nothing owed: skipped
		{Seq: 5, Penalty: 10, Interest: 20, Principal: 30},
	}
	for _, tc := range []struct {
		name   string
		amount uint64
		order  [3]Component
		paid   []Paid
		rest   uint64
	}{
		{"nothing", 0, DefaultOrder(), nil, 0},
		{"part of the first component", 60, DefaultOrder(), []Paid{{Seq: 3, Penalty: 60}}, 0},
		{"into the second component", 150, DefaultOrder(), []Paid{{Seq: 3, Penalty: 100, Interest: 50}}, 0},
		{"the oldest in full, no more", 1_300, DefaultOrder(), []Paid{{Seq: 3, Penalty: 100, Interest: 200, Principal: 1_000}}, 0},
		{"the oldest before the next's penalty", 1_315, DefaultOrder(), []Paid{{Seq: 3, Penalty: 100, Interest: 200, Principal: 1_000}, {Seq: 5, Penalty: 10, Interest: 5}}, 0},
		{"everything, and the rest back", 2_000, DefaultOrder(), []Paid{{Seq: 3, Penalty: 100, Interest: 200, Principal: 1_000}, {Seq: 5, Penalty: 10, Interest: 20, Principal: 30}}, 640},
		{"interest first", 250, [3]Component{Interest, Principal, Penalty}, []Paid{{Seq: 3, Interest: 200, Principal: 50}}, 0},
		{"principal first", 1_150, [3]Component{Principal, Penalty, Interest}, []Paid{{Seq: 3, Penalty: 100, Interest: 50, Principal: 1_000}}, 0},
		{"the largest amount", ^uint64(0), [3]Component{Principal, Interest, Penalty}, []Paid{{Seq: 3, Penalty: 100, Interest: 200, Principal: 1_000}, {Seq: 5, Penalty: 10, Interest: 20, Principal: 30}}, ^uint64(0) - 1_360},
	} {
		paid, rest, err := Allocate(owed, tc.amount, tc.order)
		if err != nil || rest != tc.rest || !reflect.DeepEqual(paid, tc.paid) {
			t.Errorf("%s: %+v, rest %d, %v; want %+v, rest %d", tc.name, paid, rest, err, tc.paid, tc.rest)
		}
		// Conservation: what is paid and the rest make the amount.
		sum := rest
		for _, p := range paid {
			sum += p.Penalty + p.Interest + p.Principal
		}
		if sum != tc.amount {
			t.Errorf("%s: %d paid and left of %d", tc.name, sum, tc.amount)
		}
	}
	if paid, rest, err := Allocate(nil, 500, DefaultOrder()); err != nil || paid != nil || rest != 500 {
		t.Errorf("nothing owed: %+v, %d, %v; want all 500 back", paid, rest, err)
	}
}

func TestAllocateRefuses(t *testing.T) {
	good := []Owed{{Seq: 1, Principal: 1}, {Seq: 2, Principal: 1}}
	for _, order := range [][3]Component{
		{},
		{Penalty, Penalty, Principal},
		{Penalty, Interest, Interest},
		{Penalty, Interest, 4},
		{0, Interest, Principal},
	} {
		if _, _, err := Allocate(good, 1, order); !errors.Is(err, ErrInvalidAllocation) {
			t.Errorf("order %v: %v; want ErrInvalidAllocation", order, err)
		}
	}
	for _, owed := range [][]Owed{
		{{Seq: 2}, {Seq: 1}},
		{{Seq: 1}, {Seq: 1}},
		{{Seq: 1}, {Seq: 3}, {Seq: 2}},
	} {
		if _, _, err := Allocate(owed, 1, DefaultOrder()); !errors.Is(err, ErrInvalidAllocation) {
			t.Errorf("owed %v: %v; want ErrInvalidAllocation", owed, err)
		}
	}
	if got := (Component(7)).String(); got != "Component(7)" {
		t.Errorf("Component(7).String() = %q", got)
	}
}

// Over random debts, amounts and orders: the amount is conserved; nothing
// is paid beyond what is owed; an installment gets nothing until every
// older one is paid in full, and within one a component gets nothing until
// the components before it in order are paid in full.
func TestAllocateProperties(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	orders := [][3]Component{
		{Penalty, Interest, Principal}, {Penalty, Principal, Interest}, {Interest, Penalty, Principal},
		{Interest, Principal, Penalty}, {Principal, Penalty, Interest}, {Principal, Interest, Penalty},
	}
	for range 5_000 {
		owed := make([]Owed, rng.Intn(6))
		var total uint64
		seq := uint32(0)
		for i := range owed {
			seq += 1 + uint32(rng.Intn(3))
			owed[i] = Owed{Seq: seq, Penalty: uint64(rng.Intn(3) * rng.Intn(500)), Interest: uint64(rng.Intn(2_000)), Principal: uint64(rng.Intn(10_000))}
			total += owed[i].Penalty + owed[i].Interest + owed[i].Principal
		}
		amount := uint64(rng.Int63n(int64(total) + 2_000))
		order := orders[rng.Intn(len(orders))]
		paid, rest, err := Allocate(owed, amount, order)
		if err != nil {
			t.Fatal(err)
		}
		sum, j := rest, 0
		short := false // an older installment or earlier component left unpaid
		for _, o := range owed {
			var p Paid
			if j < len(paid) && paid[j].Seq == o.Seq {
				p = paid[j]
				j++
			}
			for _, c := range order {
				got, due := *p.component(c), o.component(c)
				if got > due || (got > 0 && short) {
					t.Fatalf("owed %+v, %d by %v: paid %+v", owed, amount, order, paid)
				}
				short = short || got < due
				sum += got
			}
		}
		if j != len(paid) || sum != amount || (rest > 0 && short) {
			t.Fatalf("owed %+v, %d by %v: paid %+v, rest %d", owed, amount, order, paid, rest)
		}
	}
}
