package schedule_test

import (
	"fmt"

	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/credit/schedule"
)

func mustDate(y, m, d int) calendar.Day {
	day, err := calendar.Date(y, m, d)
	if err != nil {
		panic(err)
	}
	return day
}

// 12,000.00 at 12% a year over 12 months in equal installments: EMI
// 1,066.19, the last 1,066.14.
func ExampleGenerate() {
	s, err := schedule.Generate(schedule.Terms{
		Principal: 1_200_000, RateBps: 1200, Months: 12,
		Method: schedule.EqualInstallments, Accrual: schedule.Monthly, Basis: 360,
		Start: mustDate(2026, 1, 31),
	})
	if err != nil {
		panic(err)
	}
	for _, in := range []schedule.Installment{s[0], s[1], s[11]} {
		fmt.Println(in.Seq, in.Due, arith.Format(in.Principal, 2), arith.Format(in.Interest, 2))
	}
	// Output:
	// 1 2026-02-28 946.19 120.00
	// 2 2026-03-31 955.65 110.54
	// 12 2027-01-31 1055.58 10.56
}

// 3,000.00 prepaid on 1 May, between the 3rd and 4th installments: the
// caller charges the interest on the former balance from 15 April, and the
// rest of the schedule is rebuilt, here keeping its 9 installments.
func ExampleReamortize() {
	terms := schedule.Terms{
		Principal: 1_200_000, RateBps: 1200, Months: 12,
		Method: schedule.EqualInstallments, Accrual: schedule.Monthly, Basis: 360,
		Start: mustDate(2026, 1, 15),
	}
	s, err := schedule.Generate(terms)
	if err != nil {
		panic(err)
	}
	var outstanding uint64 // after the 3rd installment
	for _, in := range s[3:] {
		outstanding += in.Principal
	}
	prepaid := mustDate(2026, 5, 1)
	toDay, err := schedule.InterestToDay(outstanding, terms.RateBps, terms.Basis, s[2].Due, prepaid)
	if err != nil {
		panic(err)
	}
	rest, err := schedule.Reamortize(terms, s, 4, prepaid, outstanding-300_000, schedule.LowerInstallment)
	if err != nil {
		panic(err)
	}
	fmt.Println("interest to the day:", arith.Format(toDay, 2))
	for _, in := range []schedule.Installment{rest[0], rest[1], rest[8]} {
		fmt.Println(in.Seq, in.Due, arith.Format(in.Principal, 2), arith.Format(in.Interest, 2))
	}
	// Output:
	// interest to the day: 48.71
	// 4 2026-05-15 654.63 28.62
	// 5 2026-06-15 661.18 54.78
	// 12 2027-01-15 708.90 7.09
}

// Penalty interest on overdue principal that changes while it runs: 5,000.00
// overdue for 10 days, then 3,000.00 for 20 days, at 18% a year on 360 days,
// rounded once when charged.
func ExampleAccrued() {
	var penalty schedule.Accrued
	penalty, err := penalty.Accrue(500_000, 1800, 10)
	if err != nil {
		panic(err)
	}
	if penalty, err = penalty.Accrue(300_000, 1800, 20); err != nil {
		panic(err)
	}
	charged, err := penalty.Charge(360)
	if err != nil {
		panic(err)
	}
	fmt.Println(arith.Format(charged, 2))
	// Output:
	// 55.00
}

// 1,200.00 paid over two late installments, penalty first.
func ExampleAllocate() {
	owed := []schedule.Owed{
		{Seq: 1, Penalty: 5_000, Interest: 12_000, Principal: 94_619},
		{Seq: 2, Interest: 11_054, Principal: 95_565},
	}
	paid, rest, err := schedule.Allocate(owed, 120_000, schedule.DefaultOrder())
	if err != nil {
		panic(err)
	}
	for _, p := range paid {
		fmt.Println(p.Seq, arith.Format(p.Penalty, 2), arith.Format(p.Interest, 2), arith.Format(p.Principal, 2))
	}
	fmt.Println("rest", arith.Format(rest, 2))
	// Output:
	// 1 50.00 120.00 946.19
	// 2 0.00 83.81 0.00
	// rest 0.00
}

// 24% a year on a 360-day basis is 24.34% over 365: above a 2,400 bps cap.
func ExampleAllInBps() {
	allIn, err := schedule.AllInBps(2400, 0, 360)
	fmt.Println(allIn, err, allIn <= 2400)
	// Output:
	// 2434 <nil> false
}
