package wallet

import (
	"errors"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/history"
)

// keeperEnv is the wallet store after validGenesis with owner1 at tier 2
// (CNY limits: payment 5,000,000, day 10,000,000) holding 100 CNY and 5
// USD, owner2 at tier 1 holding nothing, and a context at noon.
func keeperEnv(t *testing.T) (*Module, exec.Context, *store.Overlay) {
	t.Helper()
	g := validGenesis()
	def := DefaultGenesis()
	g.Limits = def.Limits
	st, err := g.Validate(MemberList(members()))
	if err != nil {
		t.Fatal(err)
	}
	base := store.NewOverlay(store.Empty)
	if err := NewKeeper(base).InitGenesis(st); err != nil {
		t.Fatal(err)
	}
	o := store.NewOverlay(base)
	ctx := exec.New(oneStore{o}, 7, time.Date(2026, 3, 1, 4, 0, 0, 0, time.UTC))
	return New(nil, nil), ctx, o
}

type oneStore struct{ kv store.KV }

func (s oneStore) KV(string) store.KV { return s.kv }

func historyOf(t *testing.T, ctx exec.Context, events []abci.Event, owner common.Address) []*walletv1.HistoryEntry {
	t.Helper()
	var out []*walletv1.HistoryEntry
	for _, ev := range events {
		if ev.Type != history.Event {
			continue
		}
		ie, err := history.FromEvent(ev, ctx.Height)
		if err != nil {
			t.Fatal(err)
		}
		if ie.Subject != HistorySubject || common.BytesToAddress(ie.Id) != owner {
			continue
		}
		e, err := DecodeHistoryEntry(ie.Data)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func TestSendKeeper(t *testing.T) {
	mod, ctx, o := keeperEnv(t)
	why := Reason{Kind: "credit.drawdown", Reference: "loan 7", Memo: "instant loan"}
	if err := mod.Send(ctx, owner1, owner2, "CNY", 60, why); err != nil {
		t.Fatal(err)
	}
	if mod.Balance(ctx, owner1, "CNY") != 40 || mod.Balance(ctx, owner2, "CNY") != 60 {
		t.Fatalf("balances %d, %d", mod.Balance(ctx, owner1, "CNY"), mod.Balance(ctx, owner2, "CNY"))
	}
	out, in := historyOf(t, ctx, ctx.Events(), owner1), historyOf(t, ctx, ctx.Events(), owner2)
	if len(out) != 1 || out[0].Kind != walletv1.HistoryKind_HISTORY_KIND_TRANSFER_OUT || out[0].Reason != why.Kind ||
		out[0].Reference != why.Reference || out[0].Detail != why.Memo || out[0].BalanceAfter != 40 {
		t.Fatalf("sender's history %v", out)
	}
	if len(in) != 1 || in[0].Kind != walletv1.HistoryKind_HISTORY_KIND_TRANSFER_IN || in[0].Reason != why.Kind || in[0].Amount != 60 {
		t.Fatalf("recipient's history %v", in)
	}
	w, _ := mod.Wallet(ctx, owner1)
	if w.HistoryCount != 1 || w.DayPayments != 1 || flowOf(w, "CNY", Day(ctx.Time.Unix(), mod.Zone(ctx).UTCOffset)).DayOutflow != 60 {
		t.Fatalf("sender %v", w)
	}

	// Every refusal leaves the store as it was.
	frozen := func() {
		w, _ := mod.Wallet(ctx, owner2)
		w.Freezes = []*walletv1.FreezeOrder{{Id: 1, Kind: walletv1.FreezeKind_FREEZE_KIND_FULL}}
		w.Status = effectiveStatus(w)
		NewKeeper(o).SetWallet(w)
	}
	for _, tc := range []struct {
		name   string
		before func()
		from   common.Address
		to     common.Address
		denom  string
		amount uint64
		want   *errcode.Error
	}{
		{"more than the balance", nil, owner1, owner2, "CNY", 41, ErrInsufficientFunds},
		{"zero", nil, owner1, owner2, "CNY", 0, ErrZeroAmount},
		{"to itself", nil, owner1, owner1, "CNY", 1, ErrSelfTransfer},
		{"denom not carried", nil, owner1, owner2, "EUR", 1, ErrUnknownDenom},
		{"no such recipient", nil, owner1, operator, "CNY", 1, ErrWalletNotFound},
		{"no such sender", nil, operator, owner1, "CNY", 1, ErrWalletNotFound},
		{"frozen recipient", frozen, owner1, owner2, "CNY", 1, ErrWalletFrozen},
		{"frozen sender", nil, owner2, owner1, "CNY", 1, ErrWalletFrozen},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.before != nil {
				tc.before()
			}
			writes := o.Len()
			events := len(ctx.Events())
			if err := mod.Send(ctx, tc.from, tc.to, tc.denom, tc.amount, why); !errors.Is(err, tc.want) {
				t.Fatalf("Send = %v, want %v", err, tc.want)
			}
			if o.Len() != writes || len(ctx.Events()) != events {
				t.Fatalf("a refused Send wrote %d keys and %d events", o.Len()-writes, len(ctx.Events())-events)
			}
		})
	}
}

func TestSendKeeperLimits(t *testing.T) {
	mod, ctx, o := keeperEnv(t)
	// The tier-2 payment limit binds a module's payment as the owner's.
	w, _ := mod.Wallet(ctx, owner1)
	setBalance(w, "CNY", 6_000_000)
	NewKeeper(o).SetWallet(w)
	if err := mod.Send(ctx, owner1, owner2, "CNY", 5_000_001, Reason{Kind: "test"}); !errors.Is(err, ErrPaymentLimit) {
		t.Fatalf("over the payment limit: %v", err)
	}
	if err := mod.Send(ctx, owner1, owner2, "CNY", 5_000_000, Reason{Kind: "test"}); err != nil {
		t.Fatalf("at the payment limit: %v", err)
	}
}

func TestIssuerKeeper(t *testing.T) {
	mod, ctx, _ := keeperEnv(t)
	why := Reason{Kind: "settle.receipt", Reference: "HVPS-1"}
	if err := mod.Mint(ctx, "other-bank", owner2, "CNY", 10, why); !errors.Is(err, ErrNotBankOfRecord) {
		t.Fatalf("mint by another bank: %v", err)
	}
	if err := mod.Mint(ctx, "demo-bank", owner2, "CNY", 10, why); err != nil {
		t.Fatal(err)
	}
	v := NewView(ctx.KV(StoreName))
	if v.Issuance("demo-bank", "CNY").Outstanding != 110 || v.Supply("CNY").Amount != 110 || mod.Balance(ctx, owner2, "CNY") != 10 {
		t.Fatalf("after mint: issuance %v, supply %v", v.Issuance("demo-bank", "CNY"), v.Supply("CNY"))
	}
	if err := mod.Burn(ctx, "demo-bank", owner2, "CNY", 11, why); !errors.Is(err, ErrInsufficientFunds) {
		t.Fatalf("burn more than held: %v", err)
	}
	if err := mod.Burn(ctx, "demo-bank", owner2, "CNY", 10, why); err != nil {
		t.Fatal(err)
	}
	if v.Issuance("demo-bank", "CNY").Outstanding != 100 || v.Supply("CNY").Amount != 100 {
		t.Fatalf("after burn: issuance %v, supply %v", v.Issuance("demo-bank", "CNY"), v.Supply("CNY"))
	}
	if err := Invariant(ctx.KV(StoreName)); err != nil {
		t.Fatal(err)
	}
	h := historyOf(t, ctx, ctx.Events(), owner2)
	if len(h) != 2 || h[0].Kind != walletv1.HistoryKind_HISTORY_KIND_DEPOSIT || h[1].Kind != walletv1.HistoryKind_HISTORY_KIND_REDEEM ||
		h[1].Reference != "HVPS-1" {
		t.Fatalf("history %v", h)
	}
}
