package wallet

import (
	"errors"
	"strings"
	"testing"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/exec"
)

// TestPositionWrites: a payment between two wallets of one bank writes the
// two wallets and nothing else; one across banks writes the two banks'
// issuance records too, and moves the positions by its amount; a
// redemption at the payee's bank leaves the positions where they were;
// re-attribution brings them back to zero.
func TestPositionWrites(t *testing.T) {
	mod, ctx, o := keeperEnv(t)
	keysWritten := func(pay func(ctx exec.Context) error) []string {
		t.Helper()
		scratch := store.NewOverlay(o)
		sc := exec.New(oneStore{scratch}, ctx.Height, ctx.Time)
		if err := pay(sc); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, w := range scratch.Writes() {
			keys = append(keys, string(w.Key[:1]))
		}
		scratch.WriteTo(o)
		return keys
	}
	same := keysWritten(func(sc exec.Context) error { return mod.Send(sc, owner1, owner2, "CNY", 10, Reason{Kind: "test"}) })
	if strings.Join(same, "") != "\x01\x01" {
		t.Fatalf("a payment within demo-bank wrote %q, want the two wallets only", same)
	}
	// owner2 (holding 10) moves to other-bank: demo-bank owes 10.
	k := NewKeeper(o)
	w, _ := k.Wallet(owner2)
	if err := k.crossed(w.Bank, "other-bank", "CNY", 10); err != nil {
		t.Fatal(err)
	}
	w.Bank = "other-bank"
	k.SetWallet(w)
	cross := keysWritten(func(sc exec.Context) error { return mod.Send(sc, owner1, owner2, "CNY", 30, Reason{Kind: "test"}) })
	if strings.Join(cross, "") != "\x01\x01\x02\x02" {
		t.Fatalf("a payment across banks wrote %q, want the two wallets and the two banks' issuance", cross)
	}
	position := func(bank string) arith.Signed {
		p, err := Position(k.Issuance(bank, "CNY"))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if position("demo-bank") != arith.Plus(40) || position("other-bank") != arith.Minus(40) {
		t.Fatalf("positions %s, %s", position("demo-bank"), position("other-bank"))
	}
	// other-bank pays out 40 it never issued: below zero, positions stay.
	keysWritten(func(sc exec.Context) error {
		return mod.Burn(sc, "other-bank", owner2, "CNY", 40, Reason{Kind: "test"})
	})
	if is := k.Issuance("other-bank", "CNY"); !is.Negative || is.Outstanding != 40 || is.Held != 0 || position("other-bank") != arith.Minus(40) {
		t.Fatalf("other-bank after paying out: %v", is)
	}
	if err := Invariant(o); err != nil {
		t.Fatal(err)
	}
	if err := mod.Reattribute(ctx, "demo-bank", "other-bank", "CNY", 40); err != nil {
		t.Fatal(err)
	}
	if !position("demo-bank").IsZero() || !position("other-bank").IsZero() || k.Issuance("other-bank", "CNY").Negative {
		t.Fatalf("after settling: %v, %v", k.Issuance("demo-bank", "CNY"), k.Issuance("other-bank", "CNY"))
	}
	if err := mod.Reattribute(ctx, "demo-bank", "demo-bank", "CNY", 1); !errors.Is(err, ErrInvalidMsg) {
		t.Fatalf("issuance moved to its own bank: %v", err)
	}
	if err := Invariant(o); err != nil {
		t.Fatal(err)
	}
	// The invariant catches a bank's holdings that are not its wallets'.
	is := k.Issuance("other-bank", "CNY")
	is.Held++
	store.SetProto(o, IssuanceKey("other-bank", "CNY"), is)
	if err := Invariant(o); err == nil || !strings.Contains(err.Error(), "its wallets hold 0, its issuance record says 1") {
		t.Fatalf("Invariant = %v", err)
	}
	store.SetProto(o, IssuanceKey("other-bank", "CNY"), &walletv1.Issuance{Issuer: "other-bank", Denom: "CNY", Negative: true})
	if err := Invariant(o); err == nil || !strings.Contains(err.Error(), "negative zero") {
		t.Fatalf("Invariant = %v", err)
	}
}
