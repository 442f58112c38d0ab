package main

import (
	"encoding/json"
	"fmt"
	"log"
	"math/big"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/ledgerd/ledgerd/app/apptest"
	"github.com/ledgerd/ledgerd/node/appstate"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/credit"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// creditResult are the credit module's figures.
type creditResult struct {
	Loans int `json:"loans"`
	Due   int `json:"due"`
	// RepaymentsPerSec: blocks of repayments, each by its own borrower, on
	// the due day.
	RepaymentsPerSec float64 `json:"repayments_per_sec"`
	// OrdinaryBlockMs is the median of ordinaryBlocks blocks of BlockTxs
	// transfers on a day without date-driven credit work.
	OrdinaryBlockMs float64 `json:"ordinary_block_ms"`
	// Days: the extra execution of a day's date-driven work (the sweep's
	// blocks, all of them, minus as many empty blocks), per day.
	Days []creditDay `json:"days"`
}

type creditDay struct {
	Name    string  `json:"name"`
	Day     string  `json:"day"`
	Blocks  int     `json:"blocks"`
	ExtraMs float64 `json:"extra_ms"`
	// Ratio is ExtraMs over OrdinaryBlockMs (target: at most 2).
	Ratio float64 `json:"ratio"`
}

// ordinaryBlocks is how many blocks of transfers the ordinary block is the
// median of.
const ordinaryBlocks = 3

// benchCredit measures the credit module: loans open, of which due fall
// due on one day (drawn on 31 January: due 28 February, a month end), the
// rest drawn ten days later. It times the day's date-driven work (the
// reminder three days ahead, the due date, the first day past the grace
// days: each over however many blocks the sweep takes) against an
// ordinary block of blockTxs transfers, and repayments per second.
func benchCredit(dir string, loans, due, blockTxs int, profile string) creditResult {
	if loans <= ordinaryBlocks*blockTxs || due > loans {
		log.Fatalf("credit: -loans %d: need more than %d (the ordinary blocks' transfers are between borrowers) and at least -due %d", loans, ordinaryBlocks*blockTxs, due)
	}
	zone := calendar.Zone{UTCOffset: 8 * 3600}
	noon := func(y, m, d int) time.Time {
		day, err := calendar.Date(y, m, d)
		if err != nil {
			log.Fatal(err)
		}
		return time.Unix(zone.Start(day)+12*3600, 0).UTC()
	}
	wallets := loans + 1 // wallet 0 is the treasury
	log.Printf("credit: genesis with %d wallets, a lender and its product", wallets)
	h := apptest.New(apptest.Panic{}, apptest.Options{
		Dir: dir, Store: store.Options{CacheNodes: 500_000}, Wallets: wallets, Balance: 10_000_000,
		EditGenesis: func(g *appstate.State) {
			g.Consortium.Members[0].Roles = append(g.Consortium.Members[0].Roles, "lender")
			treasury := new(big.Int).SetUint64(10_000_000 * uint64(wallets))
			g.Wallet.Wallets[0].Balances[0].Amount = treasury.String()
			p := &creditv1.Product{Lender: apptest.Issuer, Id: "bench", Terms: &creditv1.Terms{
				Kind: creditv1.LineKind_LINE_KIND_INSTALLMENT, Denom: apptest.Denom, RateBps: 1800, PenaltyRateBps: 500,
				Method: creditv1.Method_METHOD_EQUAL_INSTALLMENTS, Accrual: creditv1.Accrual_ACCRUAL_MONTHLY, Basis: 360,
				TermMonths: 12, GraceDays: 3, AutodebitRetryDays: 3, PrepayMode: creditv1.PrepayMode_PREPAY_MODE_SHORTEN_TERM,
				Treasury: common.HexToAddress(g.Wallet.Wallets[0].Owner).Bytes(),
			}, MinLimit: 10_000, MaxLimit: 5_000_000, MinTermMonths: 1, MaxTermMonths: 24, MaxRateBps: 1800}
			b, err := protojson.Marshal(p)
			if err != nil {
				log.Fatal(err)
			}
			params := credit.DefaultParams()
			pb, _ := protojson.Marshal(params)
			g.Credit = &credit.Genesis{Params: pb, Products: []json.RawMessage{b}}
		},
	})
	defer h.Close()

	bank := h.IssuerKey()
	bankNonce := uint64(0)
	contract := make([]byte, 32)
	contract[0] = 1
	// Each borrower's line is id i (offers are numbered from 1 in order).
	run := func(at time.Time, txs [][]byte) time.Duration {
		t0 := time.Now()
		resp := h.FinalizeBlockAt(at, txs...)
		d := time.Since(t0)
		for _, r := range resp.TxResults {
			if r.Code != 0 {
				log.Fatalf("credit setup: %s/%d %s", r.Codespace, r.Code, r.Log)
			}
		}
		h.Commit()
		return d
	}
	open := func(from, to int, at time.Time) {
		for lo := from; lo < to; lo += blockTxs {
			hi := min(lo+blockTxs, to)
			var offers, accepts, draws [][]byte
			for i := lo; i < hi; i++ {
				w := h.WalletKey(1 + i)
				offers = append(offers, h.Sign(bank, bankNonce, &creditv1.MsgOfferLine{Product: "bench", Borrower: apptest.Address(w).Bytes(),
					Denom: apptest.Denom, Limit: 100_000, Expires: at.Add(72 * time.Hour).Unix(), ContractHash: contract, Subject: contract, Autodebit: false}))
				bankNonce++
				accepts = append(accepts, h.Sign(w, 0, &creditv1.MsgAcceptLine{Line: uint64(1 + i), Denom: apptest.Denom, Limit: 100_000,
					RateBps: 1800, PenaltyRateBps: 500, TermMonths: 12, ContractHash: contract}))
				draws = append(draws, h.Sign(w, 1, &creditv1.MsgDrawLoan{Line: uint64(1 + i), Denom: apptest.Denom, Amount: 100_000}))
			}
			run(at, offers)
			run(at.Add(time.Second), accepts)
			run(at.Add(2*time.Second), draws)
			at = at.Add(3 * time.Second)
		}
	}
	log.Printf("credit: %d loans drawn on 31 January (due 28 February), %d on 10 February", due, loans-due)
	open(0, due, noon(2025, 1, 31))
	open(due, loans, noon(2025, 2, 10))

	emptyBlock := func(at time.Time) time.Duration { return run(at, nil) }
	// An ordinary day: transfers between borrowers, no credit work due;
	// the median of ordinaryBlocks blocks, as one block alone is noisy.
	times := make([]time.Duration, ordinaryBlocks)
	for b := range ordinaryBlocks {
		var transfers [][]byte
		for i := b * blockTxs; i < (b+1)*blockTxs; i++ {
			transfers = append(transfers, h.Sign(h.WalletKey(1+i), 2, apptest.Transfer(apptest.Address(h.WalletKey(2+i)), 100)))
		}
		times[b] = run(noon(2025, 2, 12).Add(time.Duration(b)*time.Second), transfers)
	}
	slices.Sort(times)
	ordinary := times[ordinaryBlocks/2]
	var empty time.Duration
	for i := range 5 {
		empty += emptyBlock(noon(2025, 2, 12).Add(time.Duration(ordinaryBlocks+i) * time.Second))
	}
	empty /= 5
	res := creditResult{Loans: loans, Due: due, OrdinaryBlockMs: ms(ordinary)}

	sweepLeft := func(day calendar.Day) bool { return credit.SweepPending(reader(h, credit.StoreName), day) }
	measureDay := func(name string, y, m, d int) {
		at := noon(y, m, d)
		day := zone.Day(at.Unix())
		var total time.Duration
		blocks := 0
		for blocks == 0 || sweepLeft(day) {
			total += emptyBlock(at.Add(time.Duration(blocks) * time.Second))
			blocks++
		}
		extra := total - time.Duration(blocks)*empty
		cd := creditDay{Name: name, Day: day.String(), Blocks: blocks, ExtraMs: ms(extra), Ratio: float64(extra) / float64(ordinary)}
		res.Days = append(res.Days, cd)
		log.Printf("credit: %s (%s): %d blocks, %.1f ms beyond empty blocks, %.2f ordinary blocks", name, cd.Day, blocks, cd.ExtraMs, cd.Ratio)
	}
	stopProfile := startProfile(profile)
	measureDay("reminders", 2025, 2, 25)
	measureDay("due date (a month end)", 2025, 2, 28)

	// Repayments on the due day, each by its own borrower.
	var repayBlocks [][][]byte
	for lo := 0; lo < due; lo += blockTxs {
		var txs [][]byte
		for i := lo; i < min(lo+blockTxs, due); i++ {
			w := h.WalletKey(1 + i)
			nonce := uint64(2)
			if i < ordinaryBlocks*blockTxs {
				nonce = 3 // these paid in the ordinary blocks
			}
			txs = append(txs, h.Sign(w, nonce, &creditv1.MsgRepayLoan{Loan: uint64(1 + i), Denom: apptest.Denom, Amount: 9_168}))
		}
		repayBlocks = append(repayBlocks, txs)
	}
	// Half the due loans repay on the due date; the rest go overdue.
	var repayTime time.Duration
	repaid := 0
	for i, txs := range repayBlocks[:max(1, len(repayBlocks)/2)] {
		repayTime += run(noon(2025, 2, 28).Add(time.Duration(100+i)*time.Second), txs) - empty
		repaid += len(txs)
	}
	res.RepaymentsPerSec = float64(repaid) / repayTime.Seconds()
	log.Printf("credit: %d repayments, %.0f/s", repaid, res.RepaymentsPerSec)
	measureDay("the day after a month end", 2025, 3, 1)
	measureDay("first day past the grace days", 2025, 3, 4)
	stopProfile()
	if err := credit.CheckPortfolios(reader(h, credit.StoreName)); err != nil {
		log.Fatal(err)
	}
	if err := wallet.Invariant(reader(h, wallet.StoreName)); err != nil {
		log.Fatal(err)
	}
	return res
}

func reader(h *apptest.Harness, name string) store.Reader {
	v, err := h.Store.Version(0)
	if err != nil {
		log.Fatal(err)
	}
	r, err := v.Reader(name)
	if err != nil {
		log.Fatal(err)
	}
	return r
}

func printCredit(r creditResult, blockTxs int) {
	fmt.Printf("credit: %d loans open, %d falling due on one day\n", r.Loans, r.Due)
	fmt.Printf("  repayments/s     %8.0f\n", r.RepaymentsPerSec)
	fmt.Printf("  ordinary block   %8.1f ms  (%d transfers)\n", r.OrdinaryBlockMs, blockTxs)
	for _, d := range r.Days {
		fmt.Printf("  %-32s %s: %3d blocks, %7.1f ms of extra work = %.2f ordinary blocks\n", d.Name, d.Day, d.Blocks, d.ExtraMs, d.Ratio)
	}
}
