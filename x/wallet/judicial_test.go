package wallet_test

import (
	"crypto/ecdsa"
	"testing"
	"time"

	"github.com/ledgerd/ledgerd/app/apptest"
	"github.com/ledgerd/ledgerd/node/appstate"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// TestJudicialDeduction: the bank of record carries out a court's notice
// through the court's own freeze order (a debit freeze: the owner cannot
// pay), down to exactly the protected minimum (1,500.00 CNY) and not a fen
// below; a notice that is not the order's legal basis, another
// authority's standing order, and another bank are refused, each with its
// code and no balance moved.
func TestJudicialDeduction(t *testing.T) {
	h := apptest.New(t, apptest.Options{Wallets: 3, Balance: 1_000_000, EditGenesis: func(g *appstate.State) {
		g.Wallet.ProtectedMinimums = map[string]uint64{apptest.Denom: 150_000}
	}})
	defer h.Close()
	bank, debtor, creditor := h.IssuerKey(), apptest.Address(h.WalletKey(1)), apptest.Address(h.WalletKey(2))
	at := apptest.BaseTime
	nonces := map[*ecdsa.PrivateKey]uint64{}
	run := func(key *ecdsa.PrivateKey, msg apptest.Msg) (uint32, string) {
		t.Helper()
		at = at.Add(time.Minute)
		n := h.Nonce(apptest.Address(key)) + nonces[key]
		res := h.BlockAt(at, h.Sign(key, n, msg))[0]
		return res.Code, res.Codespace
	}
	const notice = "(2025) Jing 0105 Zhi 123"
	if code, _ := run(bank, &walletv1.MsgFreeze{Wallet: debtor.Bytes(), Kind: walletv1.FreezeKind_FREEZE_KIND_DEBIT, LegalBasis: notice}); code != 0 {
		t.Fatalf("freeze: %d", code)
	}
	deduct := func(amount uint64, n string) *walletv1.MsgJudicialDeduct {
		return &walletv1.MsgJudicialDeduct{Wallet: debtor.Bytes(), OrderId: 1, Notice: n, To: creditor.Bytes(), Denom: apptest.Denom, Amount: amount}
	}
	refused := func(key *ecdsa.PrivateKey, msg apptest.Msg, want uint32) {
		t.Helper()
		before := h.Balance(debtor)
		if code, space := run(key, msg); code != want || space != wallet.Codespace {
			t.Fatalf("%v: got %s/%d, want wallet/%d", msg, space, code, want)
		}
		if h.Balance(debtor) != before {
			t.Fatal("a refused deduction moved money")
		}
	}
	refused(bank, deduct(850_001, notice), wallet.ErrProtectedMinimum.Code)
	refused(bank, deduct(1_000, "another notice"), wallet.ErrJudicialOrder.Code)
	refused(h.OtherIssuerKey(), deduct(1_000, notice), wallet.ErrNotBankOfRecord.Code)
	if code, _ := run(h.WalletKey(1), apptest.Transfer(creditor, 1)); code == 0 {
		t.Fatal("the debtor paid through the court's freeze")
	}
	if code, space := run(bank, deduct(850_000, notice)); code != 0 {
		t.Fatalf("deduction to the protected minimum: %s/%d", space, code)
	}
	if got := h.Balance(debtor); got != 150_000 {
		t.Fatalf("debtor keeps %d, want the protected minimum 150000", got)
	}
	if got := h.Balance(creditor); got != 1_850_000 {
		t.Fatalf("creditor has %d", got)
	}
	// Another authority's order stands in the way.
	if code, _ := run(h.RegulatorKey(), &walletv1.MsgFreeze{Wallet: debtor.Bytes(), Kind: walletv1.FreezeKind_FREEZE_KIND_FULL, LegalBasis: "regulator"}); code != 0 {
		t.Fatalf("regulator freeze: %d", code)
	}
	refused(bank, deduct(1, notice), wallet.ErrJudicialOrder.Code)
}
