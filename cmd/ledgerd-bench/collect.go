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
	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/collect"
	"github.com/ledgerd/ledgerd/x/credit"
)

// collectResult are the collection module's figures: the extra execution
// of the day on which moving of loans delinquent cases reach the mid stage
// (all of that day's date-driven work, credit's and collection's, over
// however many blocks the sweeps take), against one ordinary block.
type collectResult struct {
	Loans           int     `json:"loans"`
	Moving          int     `json:"moving"`
	OpenCases       int     `json:"open_cases"`
	OrdinaryBlockMs float64 `json:"ordinary_block_ms"`
	Blocks          int     `json:"blocks"`
	ExtraMs         float64 `json:"extra_ms"`
	// Ratio is ExtraMs over OrdinaryBlockMs (target: at most 2).
	Ratio float64 `json:"ratio"`
	// The same in CPU time (user and system, all threads, during
	// FinalizeBlock): unlike the wall clock, little moved by other
	// processes on a shared machine.
	OrdinaryBlockCPUMs float64 `json:"ordinary_block_cpu_ms"`
	ExtraCPUMs         float64 `json:"extra_cpu_ms"`
	CPURatio           float64 `json:"cpu_ratio"`
}

// benchCollect opens loans, none repaid: moving of them drawn on 20
// January (due 20 February, cases open on 24 February, mid stage on 23
// March), the rest on 1 February (due 1 March, cases open on 5 March, mid
// on 1 April). It brings every day up to 22 March, times an ordinary block
// of blockTxs transfers then, and times 23 March: moving cases change
// stage (and their loans their delinquency bucket), nothing else does.
func benchCollect(dir string, loans, moving, blockTxs int, profile string) collectResult {
	if loans <= ordinaryBlocks*blockTxs || moving > loans {
		log.Fatalf("collect: -collect-loans %d: need more than %d and at least -collect-moving %d", loans, ordinaryBlocks*blockTxs, moving)
	}
	zone := calendar.Zone{UTCOffset: 8 * 3600}
	noon := func(y, m, d int) time.Time {
		day, err := calendar.Date(y, m, d)
		if err != nil {
			log.Fatal(err)
		}
		return time.Unix(zone.Start(day)+12*3600, 0).UTC()
	}
	wallets := loans + 1
	log.Printf("collect: genesis with %d wallets, a lender and its product", wallets)
	h := apptest.New(apptest.Panic{}, apptest.Options{
		Dir: dir, Store: store.Options{CacheNodes: 500_000}, Wallets: wallets, Balance: 10_000_000,
		EditGenesis: func(g *appstate.State) {
			g.Consortium.Members[0].Roles = append(g.Consortium.Members[0].Roles, "lender")
			g.Wallet.Wallets[0].Balances[0].Amount = new(big.Int).SetUint64(10_000_000 * uint64(wallets)).String()
			p := &creditv1.Product{Lender: apptest.Issuer, Id: "bench", Terms: &creditv1.Terms{
				Kind: creditv1.LineKind_LINE_KIND_INSTALLMENT, Denom: apptest.Denom, RateBps: 1800, PenaltyRateBps: 500,
				Method: creditv1.Method_METHOD_EQUAL_INSTALLMENTS, Accrual: creditv1.Accrual_ACCRUAL_MONTHLY, Basis: 360,
				TermMonths: 12, GraceDays: 3, AutodebitRetryDays: 3, Treasury: common.HexToAddress(g.Wallet.Wallets[0].Owner).Bytes(),
			}, MinLimit: 10_000, MaxLimit: 5_000_000, MinTermMonths: 1, MaxTermMonths: 24, MaxRateBps: 1800}
			b, err := protojson.Marshal(p)
			if err != nil {
				log.Fatal(err)
			}
			pb, _ := protojson.Marshal(credit.DefaultParams())
			g.Credit = &credit.Genesis{Params: pb, Products: []json.RawMessage{b}}
		},
	})
	defer h.Close()
	bank := h.IssuerKey()
	bankNonce := uint64(0)
	contract := make([]byte, 32)
	contract[0] = 1
	var last time.Time
	var cpu time.Duration // of the last run's FinalizeBlock
	run := func(at time.Time, txs [][]byte) time.Duration {
		if !at.After(last) {
			at = last.Add(time.Second)
		}
		last = at
		c0, t0 := cpuTime(), time.Now()
		resp := h.FinalizeBlockAt(at, txs...)
		d := time.Since(t0)
		cpu = cpuTime() - c0
		for _, r := range resp.TxResults {
			if r.Code != 0 {
				log.Fatalf("collect setup: %s/%d %s", r.Codespace, r.Code, r.Log)
			}
		}
		h.Commit()
		return d
	}
	open := func(from, to int, at time.Time) {
		for lo := from; lo < to; lo += blockTxs {
			var offers, accepts, draws [][]byte
			for i := lo; i < min(lo+blockTxs, to); i++ {
				w := h.WalletKey(1 + i)
				offers = append(offers, h.Sign(bank, bankNonce, &creditv1.MsgOfferLine{Product: "bench", Borrower: apptest.Address(w).Bytes(),
					Denom: apptest.Denom, Limit: 100_000, Expires: at.Add(72 * time.Hour).Unix(), ContractHash: contract, Subject: contract}))
				bankNonce++
				accepts = append(accepts, h.Sign(w, 0, &creditv1.MsgAcceptLine{Line: uint64(1 + i), Denom: apptest.Denom, Limit: 100_000,
					RateBps: 1800, PenaltyRateBps: 500, TermMonths: 12, ContractHash: contract}))
				draws = append(draws, h.Sign(w, 1, &creditv1.MsgDrawLoan{Line: uint64(1 + i), Denom: apptest.Denom, Amount: 100_000}))
			}
			run(at, offers)
			run(at, accepts)
			run(at, draws)
		}
	}
	log.Printf("collect: %d loans drawn on 20 January, %d on 1 February", moving, loans-moving)
	open(0, moving, noon(2025, 1, 20))
	open(moving, loans, noon(2025, 2, 1))
	pending := func(day calendar.Day) bool {
		return credit.SweepPending(reader(h, credit.StoreName), day) || collect.SweepPending(reader(h, collect.StoreName), day)
	}
	// Every day up to 22 March, its sweeps to the end.
	start, _ := calendar.Date(2025, 2, 2)
	end, _ := calendar.Date(2025, 3, 22)
	for d := start; d <= end; d++ {
		at := time.Unix(zone.Start(d)+6*3600, 0).UTC()
		for i := 0; i == 0 || pending(d); i++ {
			run(at.Add(time.Duration(i)*time.Second), nil)
		}
	}
	cv := collect.NewView(reader(h, collect.StoreName))
	res := collectResult{Loans: loans, Moving: moving}
	for _, s := range cv.StatsOn(apptest.Issuer, cv.Params(), end).CasesByStage {
		res.OpenCases += int(s)
	}
	log.Printf("collect: %d cases open on 22 March", res.OpenCases)
	times, cpus := make([]time.Duration, ordinaryBlocks), make([]time.Duration, ordinaryBlocks)
	for b := range ordinaryBlocks {
		var transfers [][]byte
		for i := b * blockTxs; i < (b+1)*blockTxs; i++ {
			// Valid for the next blocks: the chain is past apptest's default
			// validity by now.
			body := apptest.Body(h.WalletKey(1+i), 2, apptest.Transfer(apptest.Address(h.WalletKey(2+i)), 100))
			body.ValidUntilHeight = uint64(h.Height()) + 50
			transfers = append(transfers, h.Encode(h.SignTx(h.WalletKey(1+i), body)))
		}
		times[b] = run(noon(2025, 3, 22).Add(time.Duration(b)*time.Second), transfers)
		cpus[b] = cpu
	}
	slices.Sort(times)
	slices.Sort(cpus)
	ordinary, ordinaryCPU := times[ordinaryBlocks/2], cpus[ordinaryBlocks/2]
	var empty, emptyCPU time.Duration
	for i := range 5 {
		empty += run(noon(2025, 3, 22).Add(time.Duration(ordinaryBlocks+i)*time.Second), nil)
		emptyCPU += cpu
	}
	empty /= 5
	emptyCPU /= 5
	day, _ := calendar.Date(2025, 3, 23)
	at := time.Unix(zone.Start(day)+6*3600, 0).UTC()
	defer startProfile(profile)()
	var total, totalCPU time.Duration
	for res.Blocks == 0 || pending(day) {
		total += run(at.Add(time.Duration(res.Blocks)*time.Second), nil)
		totalCPU += cpu
		res.Blocks++
	}
	extra, extraCPU := total-time.Duration(res.Blocks)*empty, totalCPU-time.Duration(res.Blocks)*emptyCPU
	res.OrdinaryBlockMs, res.ExtraMs, res.Ratio = ms(ordinary), ms(extra), float64(extra)/float64(ordinary)
	res.OrdinaryBlockCPUMs, res.ExtraCPUMs = ms(ordinaryCPU), ms(extraCPU)
	res.CPURatio = float64(extraCPU) / float64(max(ordinaryCPU, 1))
	cv = collect.NewView(reader(h, collect.StoreName))
	s := cv.StatsOn(apptest.Issuer, cv.Params(), day)
	if s.CasesByStage[collectv1.Stage_STAGE_MID-1] != uint64(moving) {
		log.Fatalf("collect: %d cases at mid stage on 23 March, want %d", s.CasesByStage[collectv1.Stage_STAGE_MID-1], moving)
	}
	if err := collect.CheckCases(reader(h, collect.StoreName)); err != nil {
		log.Fatal(err)
	}
	if err := collect.CheckStatsOn(reader(h, collect.StoreName), day); err != nil {
		log.Fatal(err)
	}
	return res
}

func printCollect(r collectResult, blockTxs int) {
	fmt.Printf("collect: %d delinquent loans with open cases, %d changing stage on one day\n", r.OpenCases, r.Moving)
	fmt.Printf("  ordinary block   %8.1f ms  (%d transfers)\n", r.OrdinaryBlockMs, blockTxs)
	fmt.Printf("  the stage day: %3d blocks, %7.1f ms of extra work = %.2f ordinary blocks\n", r.Blocks, r.ExtraMs, r.Ratio)
	fmt.Printf("  in CPU time:   ordinary block %.1f ms, the stage day's extra %.1f ms = %.2f ordinary blocks\n",
		r.OrdinaryBlockCPUMs, r.ExtraCPUMs, r.CPURatio)
}
