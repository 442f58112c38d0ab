package credit_test

import (
	"crypto/ecdsa"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/ledgerd/ledgerd/app/apptest"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/credit"
)

// TestRandomLoanLives runs random sequences of draws, repayments (in part
// or in full), prepayments, settlements and missed installments (days and
// weeks going by, the sweep doing the rest) for two borrowers, one with
// auto-debit, and checks after every block what must always hold: each
// loan's outstanding principal is what was drawn minus the principal its
// history says was repaid; the portfolios equal the sum over the loans;
// supply equals the sum of balances (no balance goes below zero, or the
// sum would not match); a line's drawn amount is the sum of its open
// loans' outstanding principal.
func TestRandomLoanLives(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4}
	steps := 60
	if testing.Short() {
		seeds, steps = seeds[:2], 40
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { runLoanLives(t, seed, steps) })
	}
}

func runLoanLives(t *testing.T, seed uint64, steps int) {
	rng := rand.New(rand.NewPCG(seed, 0x1ed9e4d))
	c := newChain(t, 0)
	now := at(2025, 1, 31)
	p := c.product()
	c.ok(now, c.maker, p)
	// The borrower repays by hand; the guarantor's wallet (a borrower
	// here too) has its dues pulled.
	type borrower struct {
		key       *ecdsa.PrivateKey
		autodebit bool
	}
	borrowers := []borrower{{c.borrower, false}, {c.guarantor, true}}
	drawn := map[uint64]uint64{}  // loan -> principal drawn
	repaid := map[uint64]uint64{} // loan -> principal repaid, from the history
	loanOf := map[uint64]int{}    // loan -> borrower
	lines := map[uint64]bool{}
	var open []uint64
	var log []string

	// run runs a block at now and reads the loans' histories in it.
	run := func(txs ...[]byte) []*abci.ExecTxResult {
		res := c.block(now, txs...)
		for _, id := range open {
			for _, e := range c.entries(id) {
				switch e.Kind {
				case creditv1.LoanEntryKind_LOAN_ENTRY_KIND_REPAID, creditv1.LoanEntryKind_LOAN_ENTRY_KIND_AUTODEBIT,
					creditv1.LoanEntryKind_LOAN_ENTRY_KIND_PREPAID, creditv1.LoanEntryKind_LOAN_ENTRY_KIND_SETTLED:
					repaid[id] += e.Principal
				}
			}
		}
		return res
	}
	// check checks the invariants, then drops the loans that ended.
	check := func() {
		t.Helper()
		defer func() {
			kept := open[:0]
			for _, id := range open {
				if l := c.loan(id); l.ClosedDay == 0 {
					kept = append(kept, id)
				} else if l.Outstanding != 0 {
					t.Fatalf("seed %d: loan %d closed owing %d", seed, id, l.Outstanding)
				}
			}
			open = kept
		}()
		c.checkInvariants()
		byLine := map[uint64]uint64{}
		for _, id := range open {
			l := c.loan(id)
			if l.Outstanding != drawn[id]-repaid[id] {
				t.Fatalf("seed %d: loan %d owes %d principal, drawn %d minus repaid %d is %d\n%v",
					seed, id, l.Outstanding, drawn[id], repaid[id], drawn[id]-repaid[id], log)
			}
			byLine[l.Line] += l.Outstanding
		}
		for line := range lines {
			if got := c.line(line).Drawn; got != byLine[line] {
				t.Fatalf("seed %d: line %d shows %d drawn, its open loans owe %d\n%v", seed, line, got, byLine[line], log)
			}
		}
	}

	for step := 0; step < steps; step++ {
		// Time goes by: mostly a few days, sometimes weeks (installments
		// missed, the loan overdue, its class worse). A first block that
		// day lets the sweep bring every loan up to date (pulls made), so
		// the schedule read after it is what the next block sees.
		gap := time.Duration(rng.IntN(6)) * 24 * time.Hour
		if rng.IntN(5) == 0 {
			gap = time.Duration(20+rng.IntN(40)) * 24 * time.Hour
		}
		now = now.Add(gap + time.Hour)
		run()
		check()
		now = now.Add(time.Minute)
		who := rng.IntN(len(borrowers))
		b := borrowers[who]
		var mine []uint64
		for _, id := range open {
			if loanOf[id] == who {
				mine = append(mine, id)
			}
		}
		var msg apptest.Msg
		switch op := rng.IntN(6); {
		case op == 0 || len(mine) == 0:
			if len(mine) >= 3 {
				run()
				break
			}
			// An installment line allows one draw: a line per loan.
			line := c.openLineFor(now, b.key, p, 5_000_000, b.autodebit)
			lines[line] = true
			amount := uint64(10_000 + rng.IntN(400_000))
			res := run(c.tx(b.key, &creditv1.MsgDrawLoan{Line: line, Denom: apptest.Denom, Amount: amount}))[0]
			if res.Code != 0 {
				t.Fatalf("seed %d: draw %d: %s/%d %s", seed, amount, res.Codespace, res.Code, res.Log)
			}
			for _, e := range c.eventsOf(credit.EventDrawdown) {
				var id uint64
				fmt.Sscan(attr(e, "loan"), &id)
				drawn[id], loanOf[id] = amount, who
				open = append(open, id)
			}
			log = append(log, fmt.Sprintf("%s: %d draws %d", now.Format(time.DateOnly), who, amount))
		default:
			id := mine[rng.IntN(len(mine))]
			s := c.schedule(id, zone.Day(now.Unix()))
			switch {
			case op <= 2 && s.DueNow > 0:
				amount := s.DueNow
				if rng.IntN(2) == 0 {
					amount = 1 + rng.Uint64N(s.DueNow)
				}
				msg = &creditv1.MsgRepayLoan{Loan: id, Denom: apptest.Denom, Amount: amount}
			case op == 3 && s.DueNow == 0 && s.SettleNow > 1:
				msg = &creditv1.MsgPrepayLoan{Loan: id, Denom: apptest.Denom, Amount: 1 + rng.Uint64N(s.SettleNow-1)}
			case op == 4:
				msg = &creditv1.MsgSettleLoan{Loan: id, Denom: apptest.Denom, MaxAmount: s.SettleNow}
			}
			if msg == nil {
				run()
				break
			}
			res := run(c.tx(b.key, msg))[0]
			log = append(log, fmt.Sprintf("%s: %T %v -> %s/%d", now.Format(time.DateOnly), msg, msg, res.Codespace, res.Code))
			if res.Code != 0 {
				t.Fatalf("seed %d: %T %v: %s/%d %s\n%v", seed, msg, msg, res.Codespace, res.Code, res.Log, log)
			}
		}
		check()
	}
	if len(drawn) < 3 {
		t.Fatalf("seed %d: only %d loans drawn in %d steps: the test exercises too little", seed, len(drawn), steps)
	}
}
