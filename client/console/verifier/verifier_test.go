package verifier_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ledgerd/ledgerd/client/console/consoletest"
	"github.com/ledgerd/ledgerd/client/console/verifier"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
)

// TestWalletAgainstDevnet proves a wallet that paid on a devnet, then
// meets a relay that changes its balance and one that drops a history
// entry, and a pinned root that is not the chain's.
func TestWalletAgainstDevnet(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a devnet")
	}
	d := consoletest.NewDevnet(t)
	relay := consoletest.NewTamper(t, d.RPC)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	v, err := verifier.New(ctx, relay.URL, 0, nil, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if r := v.Root(); r.Pinned || r.Height != 1 {
		t.Fatalf("root of trust on first use: %+v", r)
	}
	w, err := v.Wallet(ctx, d.Alice.Hex())
	if err != nil {
		t.Fatal(err)
	}
	if !w.Record.Verified || !w.History.Verified || !w.Found {
		t.Fatalf("honest node: %+v", w)
	}
	if len(w.Balances) != 1 || w.Balances[0].Text != "749.50" || w.Balances[0].Denom != "CNY" {
		t.Fatalf("balances: %+v", w.Balances)
	}
	// Newest first.
	if len(w.Entries) != 3 || w.Entries[0].Seq != 3 || w.Entries[0].Kind != "TRANSFER_OUT" || w.Entries[0].Amount.Text != "250.50" ||
		w.Entries[0].BalanceAfter.Text != "749.50" || w.Entries[0].Detail != "dinner" || w.Entries[0].Counterparty != d.Bob.Hex() ||
		w.Entries[2].Kind != "OPENED" || w.Entries[2].Counterparty != "demo-bank" {
		t.Fatalf("history: %+v", w.Entries)
	}
	if len(w.Chart) != 2 || w.Chart[0].Balance.Text != "1000.00" || w.Chart[1].Balance.Text != "749.50" {
		t.Fatalf("balance chart: %+v", w.Chart)
	}
	if p, err := v.HistoryPage(d.Alice.Hex(), 0); err != nil || p.Pages != 1 || len(p.Entries) != 3 || !p.History.Verified {
		t.Fatalf("history page: %+v, %v", p, err)
	}
	if _, err := v.HistoryPage(d.Bob.Hex(), 0); err == nil {
		t.Fatal("a page of a history not verified")
	}
	if len(w.Limits) != 1 || w.Limits[0].UsedToday.Text != "250.50" || w.Limits[0].UsedThisYear.Text != "250.50" || w.Limits[0].Daily == nil {
		t.Fatalf("limits: %+v", w.Limits)
	}
	if w.Record.Mark.HeaderHeight != w.Record.Mark.Height+1 || len(w.Record.Mark.HeaderHash) != 64 {
		t.Fatalf("mark: %+v", w.Record.Mark)
	}

	relay.Set(consoletest.ChangeBalance)
	w, err = v.Wallet(ctx, d.Alice.Hex())
	if err != nil {
		t.Fatal(err)
	}
	if w.Record.Verified || !strings.Contains(w.Record.Error, "does not match the app hash") || len(w.Balances) != 0 {
		t.Fatalf("changed balance: %+v", w)
	}

	relay.Set(consoletest.DropHistory)
	w, err = v.Wallet(ctx, d.Alice.Hex())
	if err != nil {
		t.Fatal(err)
	}
	if !w.Record.Verified || w.History.Verified || !strings.Contains(w.History.Error, "does not match the accumulator") || len(w.Entries) != 0 {
		t.Fatalf("dropped entry: %+v", w)
	}
	relay.Set(consoletest.Honest)

	n, err := v.Network(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !n.Header.Verified || !n.Members.Verified || !n.Blocks.Verified || len(n.MemberList) != 2 || len(n.Validators) != 1 ||
		n.Validators[0].Member != "demo-bank" || len(n.BlockList) == 0 {
		t.Fatalf("network: %+v", n)
	}
	var withTx int64 // the newest block with a transaction: the payment's
	for _, b := range n.BlockList {
		if b.NumTxs > 0 {
			withTx = b.Height
			break
		}
	}
	if withTx == 0 {
		t.Fatal("no block with a transaction among the latest")
	}
	b, err := v.Block(ctx, withTx)
	if err != nil {
		t.Fatal(err)
	}
	if !b.Block.Verified || !b.Results.Verified || len(b.Txs) != 1 || b.Txs[0].Message != "transfer" || b.Txs[0].Code != 0 ||
		b.Txs[0].Signer != strings.ToLower(d.Alice.Hex()) || !strings.Contains(b.Txs[0].Body, `"to":"`+strings.ToLower(d.Bob.Hex())+`"`) ||
		!strings.Contains(b.Txs[0].Body, `"memo":"dinner"`) {
		t.Fatalf("block %d: %+v", withTx, b)
	}

	// The demo genesis funds the bank's treasury with 1,000,000.00 CNY; Alice got 1000.00.
	bank, err := v.Bank(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !bank.Proof.Verified || len(bank.Denoms) != 1 || bank.Denoms[0].Supply.Text != "1001000.00" || !bank.Denoms[0].Holds ||
		len(bank.Denoms[0].Banks) != 1 || bank.Denoms[0].Banks[0].Bank != "demo-bank" || bank.Denoms[0].Banks[0].Outstanding != "1001000.00" {
		t.Fatalf("bank: %+v", bank)
	}

	// A proposal with demo-bank's yes vote: one of the two members voted,
	// the 2/3 threshold needs both.
	doc := sha256.Sum256([]byte("agreement"))
	d.Send(t, d.Bank, &govv1.MsgSubmitProposal{Title: "Auditor also regulator", DocumentHash: doc[:], VotingEnd: time.Now().Add(2 * time.Hour).Unix(),
		Action: &govv1.Action{Kind: &govv1.Action_SetRoles{SetRoles: &govv1.SetRoles{MemberId: "demo-auditor",
			Roles: []consortiumv1.Role{consortiumv1.Role_ROLE_AUDITOR, consortiumv1.Role_ROLE_REGULATOR}}}}})
	d.Send(t, d.Bank, &govv1.MsgVote{ProposalId: 1, Option: govv1.VoteOption_VOTE_OPTION_YES})
	var g *verifier.GovView
	for deadline := time.Now().Add(10 * time.Second); ; {
		if g, err = v.Gov(ctx); err != nil {
			t.Fatal(err)
		}
		if len(g.Proposals) == 1 && len(g.Proposals[0].Votes) == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond) // the state proven is one block behind
	}
	if !g.Proof.Verified || g.Eligible != 2 || g.Threshold != "2/3" || len(g.Proposals) != 1 {
		t.Fatalf("governance: %+v", g)
	}
	if p := g.Proposals[0]; p.Status != "VOTING" || p.Action != "set_roles" || !p.Recounted || p.Tally.Yes != 1 || p.Tally.Needed != 2 ||
		p.Tally.Passes || len(p.Votes) != 1 || p.Votes[0].Member != "demo-bank" || p.Votes[0].Option != "YES" {
		t.Fatalf("proposal: %+v", p)
	}

	// A deposit of 500,000.00 CNY, the default large-value threshold, into
	// a tier-1 wallet is reported.
	carol := common.HexToAddress("0x00000000000000000000000000000000000Ca201")
	kyc := sha256.Sum256([]byte("carol"))
	d.Send(t, d.Bank, &walletv1.MsgOpenWallet{Owner: carol[:], KycHash: kyc[:], Tier: 1})
	d.Send(t, d.Bank, &walletv1.MsgDeposit{Wallet: carol[:], Denom: "CNY", Amount: 50_000_000, Reference: "CASH-2"})
	var a *verifier.AMLView
	for deadline := time.Now().Add(10 * time.Second); ; {
		if a, err = v.AML(ctx); err != nil {
			t.Fatal(err)
		}
		if len(a.Reports) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !a.Proof.Verified || a.ReportCount != 1 || len(a.Reports) != 1 || a.Reports[0].Wallet != carol.Hex() ||
		a.Reports[0].Amount.Text != "500000.00" || a.Reports[0].Direction != "inflow" || a.Reports[0].Bank != "demo-bank" {
		t.Fatalf("aml: %+v", a)
	}

	// The lookups by day, bank and wallet walk the node's indexes as
	// proven complete ranges. A second report (dave's) makes two pages of
	// one by day and by bank.
	dave := common.HexToAddress("0x00000000000000000000000000000000000DA4E1")
	d.Send(t, d.Bank, &walletv1.MsgOpenWallet{Owner: dave[:], KycHash: kyc[:], Tier: 1})
	d.Send(t, d.Bank, &walletv1.MsgDeposit{Wallet: dave[:], Denom: "CNY", Amount: 60_000_000, Reference: "CASH-3"})
	day := a.Reports[0].Day
	var ix *verifier.AMLIndexView
	for deadline := time.Now().Add(10 * time.Second); ; {
		if ix, err = v.AMLIndex(ctx, "reports", "wallet", dave.Hex(), 0); err != nil {
			t.Fatal(err)
		}
		if len(ix.Reports) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !ix.Proof.Verified || len(ix.Reports) != 1 || ix.Reports[0].ID != 2 || ix.Reports[0].Amount.Text != "600000.00" || ix.Next != 0 {
		t.Fatalf("dave's reports: %+v", ix)
	}
	restore := verifier.SetAMLPageSize(1)
	for _, by := range [][2]string{{"day", day}, {"bank", "demo-bank"}} {
		first, err := v.AMLIndex(ctx, "reports", by[0], by[1], 0)
		if err != nil || !first.Proof.Verified || len(first.Reports) != 1 || first.Reports[0].ID != 1 || first.Next != 1 {
			t.Fatalf("reports by %s, page 1: %+v, %v", by[0], first, err)
		}
		second, err := v.AMLIndex(ctx, "reports", by[0], by[1], first.Next)
		if err != nil || !second.Proof.Verified || len(second.Reports) != 1 || second.Reports[0].ID != 2 || second.Next != 0 {
			t.Fatalf("reports by %s, page 2: %+v, %v", by[0], second, err)
		}
	}
	restore()
	for _, q := range [][3]string{{"reports", "wallet", d.Alice.Hex()}, {"alerts", "day", day}, {"reports", "day", "2020-01-01"}, {"reports", "bank", "no-such-bank"}} {
		if e, err := v.AMLIndex(ctx, q[0], q[1], q[2], 0); err != nil || !e.Proof.Verified || len(e.Reports)+len(e.Alerts) != 0 {
			t.Fatalf("%v: proven empty: %+v, %v", q, e, err)
		}
	}
	for _, q := range [][3]string{{"reports", "day", "2026-02-29"}, {"reports", "wallet", "0x12"}, {"loans", "day", day}, {"alerts", "month", "x"}} {
		if _, err := v.AMLIndex(ctx, q[0], q[1], q[2], 0); err == nil {
			t.Fatalf("%v accepted", q)
		}
	}
	// The supply over the last 24 blocks, each point proven against its
	// own header: it ends at 2101000.00 (Carol's and Dave's deposits).
	sr, err := v.SupplyHistory(ctx, 24)
	if err != nil || !sr.Proof.Verified || len(sr.Points) < 15 || len(sr.Points) > verifier.SupplyPoints || len(sr.Skipped) != 0 {
		t.Fatalf("supply history: %+v, %v", sr, err)
	}
	headers := map[string]bool{}
	for i, p := range sr.Points {
		if p.Mark.HeaderHeight != p.Mark.Height+1 || len(p.Supplies) != 1 || (i > 0 && p.Mark.Height != sr.Points[i-1].Mark.Height+1) {
			t.Fatalf("supply point %d: %+v", i, p)
		}
		headers[p.Mark.HeaderHash] = true
	}
	if last := sr.Points[len(sr.Points)-1]; last.Supplies[0].Text != "2101000.00" || len(headers) != len(sr.Points) {
		t.Fatalf("supply history: last %+v, %d distinct headers", last, len(headers))
	}
	// A node that no longer keeps the older heights: they are skipped and
	// listed, the rest shown.
	relay.Prune(sr.Points[5].Mark.Height)
	pr, err := v.SupplyHistory(ctx, 24)
	relay.Prune(0)
	if err != nil || !pr.Proof.Verified || len(pr.Skipped) == 0 || len(pr.Points) == 0 || !strings.Contains(pr.Skipped[0].Reason, "pruned") ||
		pr.Points[0].Mark.Height < sr.Points[5].Mark.Height {
		t.Fatalf("pruned heights: %+v, %v", pr, err)
	}
	if _, err := v.SupplyHistory(ctx, 0); err == nil {
		t.Fatal("a span of 0 blocks accepted")
	}
	relay.Set(consoletest.ChangeSupply)
	if sr, err = v.SupplyHistory(ctx, 24); err != nil || sr.Proof.Verified || len(sr.Points) != 0 || !strings.Contains(sr.Proof.Error, "does not match the app hash") {
		t.Fatalf("changed supply: %+v, %v", sr, err)
	}
	relay.Set(consoletest.DropAMLEntry)
	if ix, err = v.AMLIndex(ctx, "reports", "day", day, 0); err != nil || ix.Proof.Verified || len(ix.Reports) != 0 ||
		!strings.Contains(ix.Proof.Error, "does not match the app hash") {
		t.Fatalf("dropped index entry: %+v, %v", ix, err)
	}
	relay.Set(consoletest.Honest)

	// A root pinned to a hash that is not the chain's is refused.
	wrong, _ := hex.DecodeString(strings.Repeat("AB", 32))
	if _, err := verifier.New(ctx, relay.URL, 1, wrong, time.Now); !errors.Is(err, verifier.ErrNotVerified) ||
		!strings.Contains(err.Error(), "root of trust refused") {
		t.Fatalf("wrong root: %v", err)
	}
	// The right one is accepted.
	if _, err := verifier.New(ctx, relay.URL, v.Root().Height, mustHex(t, v.Root().Hash), time.Now); err != nil {
		t.Fatalf("pinned root: %v", err)
	}
}

func mustHex(t *testing.T, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
