package wallet

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
)

var (
	operator = common.HexToAddress("0x1111111111111111111111111111111111111111")
	owner1   = common.HexToAddress("0xa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1")
	owner2   = common.HexToAddress("0xb2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2")
	kycHex   = strings.Repeat("ab", 32)
)

func members() []*consortiumv1.Member {
	return []*consortiumv1.Member{
		{Id: "demo-bank", Roles: []consortiumv1.Role{consortiumv1.Role_ROLE_ISSUER}, Operators: [][]byte{operator.Bytes()}},
		{Id: "auditor", Roles: []consortiumv1.Role{consortiumv1.Role_ROLE_AUDITOR}},
	}
}

func validGenesis() *Genesis {
	return &Genesis{
		Denoms: []string{"USD", "CNY"},
		Wallets: []GenesisWallet{
			{Owner: owner1.Hex(), Bank: "demo-bank", Tier: 2, KYCHash: "0x" + kycHex,
				Balances: []GenesisCoin{{Denom: "USD", Amount: "5"}, {Denom: "CNY", Amount: "100"}}},
			{Owner: owner2.Hex(), Bank: "demo-bank", Tier: 1, KYCHash: kycHex},
		},
	}
}

func TestGenesisValid(t *testing.T) {
	st, err := validGenesis().Validate(MemberList(members()))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(st.Params.Denoms) != "[CNY USD]" {
		t.Fatalf("denoms %v, want sorted", st.Params.Denoms)
	}
	w := st.Wallets[0]
	if !bytes.Equal(w.Owner, owner1.Bytes()) || w.Bank != "demo-bank" || w.Tier != 2 ||
		w.Status != walletv1.WalletStatus_WALLET_STATUS_ACTIVE || len(w.KycHash) != 32 {
		t.Fatalf("wallet %v", w)
	}
	if len(w.Balances) != 2 || w.Balances[0].Denom != "CNY" || w.Balances[0].Amount != 100 || w.Balances[1].Amount != 5 {
		t.Fatalf("balances %v, want sorted by denom", w.Balances)
	}
	if len(st.Wallets[1].Balances) != 0 {
		t.Fatalf("balances %v", st.Wallets[1].Balances)
	}
}

func TestGenesisInvalid(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(g *Genesis)
		want   string
	}{
		{"no denoms", func(g *Genesis) { g.Denoms = nil }, "no denoms"},
		{"bad denom", func(g *Genesis) { g.Denoms = []string{"cny"} }, `denom "cny"`},
		{"denom listed twice", func(g *Genesis) { g.Denoms = []string{"CNY", "USD", "CNY"} }, "listed twice"},
		{"owner not an address", func(g *Genesis) { g.Wallets[0].Owner = "a1a1" }, "owner is not"},
		{"owner twice", func(g *Genesis) { g.Wallets[1].Owner = owner1.Hex() }, "already has a wallet"},
		{"owner is an operator", func(g *Genesis) { g.Wallets[1].Owner = operator.Hex() }, "is an operator"},
		{"bank unknown", func(g *Genesis) { g.Wallets[0].Bank = "nobody" }, "not an issuer"},
		{"bank not an issuer", func(g *Genesis) { g.Wallets[0].Bank = "auditor" }, "not an issuer"},
		{"kyc hash not hex", func(g *Genesis) { g.Wallets[0].KYCHash = "zz" }, "kyc_hash"},
		{"kyc hash short", func(g *Genesis) { g.Wallets[0].KYCHash = "abcd" }, "kyc_hash"},
		{"tier 0", func(g *Genesis) { g.Wallets[0].Tier = 0 }, "tier"},
		{"tier 5", func(g *Genesis) { g.Wallets[0].Tier = MaxTier + 1 }, "tier"},
		{"zero owner", func(g *Genesis) { g.Wallets[0].Owner = common.Address{}.Hex() }, "zero address"},
		{"zero amount", func(g *Genesis) { g.Wallets[0].Balances[0].Amount = "0" }, "positive integer"},
		{"negative amount", func(g *Genesis) { g.Wallets[0].Balances[0].Amount = "-5" }, "positive integer"},
		{"amount past 2^64-1", func(g *Genesis) { g.Wallets[0].Balances[0].Amount = "18446744073709551616" }, "positive integer"},
		{"unknown denom", func(g *Genesis) { g.Wallets[0].Balances[0].Denom = "EUR" }, `denom "EUR" is not in denoms`},
		{"denom twice in balances", func(g *Genesis) { g.Wallets[0].Balances[1].Denom = "USD" }, "listed twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := validGenesis()
			tc.mutate(g)
			_, err := g.Validate(MemberList(members()))
			if !errors.Is(err, ErrInvalidGenesis) {
				t.Fatalf("Validate = %v, want ErrInvalidGenesis", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestSetBalance(t *testing.T) {
	w := new(walletv1.Wallet)
	show := func() string {
		var parts []string
		for _, c := range w.Balances {
			parts = append(parts, fmt.Sprintf("%s:%d", c.Denom, c.Amount))
		}
		return strings.Join(parts, " ")
	}
	for _, step := range []struct {
		denom  string
		amount uint64
		want   string
	}{
		{"USD", 5, "USD:5"},
		{"CNY", 7, "CNY:7 USD:5"},
		{"ZAR", 1, "CNY:7 USD:5 ZAR:1"},
		{"HKD", 3, "CNY:7 HKD:3 USD:5 ZAR:1"},
		{"USD", 50, "CNY:7 HKD:3 USD:50 ZAR:1"},
		{"HKD", 0, "CNY:7 USD:50 ZAR:1"},
		{"EUR", 0, "CNY:7 USD:50 ZAR:1"}, // zero for an absent denom stores nothing
		{"CNY", 0, "USD:50 ZAR:1"},
		{"ZAR", 0, "USD:50"},
		{"USD", 0, ""},
	} {
		setBalance(w, step.denom, step.amount)
		if got := show(); got != step.want {
			t.Fatalf("after %s=%d: %q, want %q", step.denom, step.amount, got, step.want)
		}
		if Balance(w, step.denom) != step.amount {
			t.Fatalf("Balance(%s) = %d, want %d", step.denom, Balance(w, step.denom), step.amount)
		}
	}
}

// genesisState is validGenesis written to an empty store.
func genesisState(t *testing.T) (*store.Overlay, Keeper) {
	t.Helper()
	st, err := validGenesis().Validate(MemberList(members()))
	if err != nil {
		t.Fatal(err)
	}
	o := store.NewOverlay(store.Empty)
	k := NewKeeper(o)
	if err := k.InitGenesis(st); err != nil {
		t.Fatal(err)
	}
	return o, k
}

func TestInitGenesis(t *testing.T) {
	o, k := genesisState(t)
	if err := Invariant(o); err != nil {
		t.Fatal(err)
	}
	if k.Supply("CNY").Amount != 100 || k.Supply("USD").Amount != 5 || k.Issuance("demo-bank", "CNY").Outstanding != 100 {
		t.Fatalf("supply %v, issuance %v", k.Supply("CNY"), k.Issuance("demo-bank", "CNY"))
	}
	w, err := k.Wallet(owner1)
	if err != nil || Balance(w, "CNY") != 100 {
		t.Fatalf("wallet %v %v", w, err)
	}
	if _, err := k.Wallet(operator); !errors.Is(err, ErrWalletNotFound) {
		t.Fatalf("Wallet of a non-owner: %v", err)
	}
}

func TestInitGenesisOverflow(t *testing.T) {
	g := validGenesis()
	g.Wallets[0].Balances = []GenesisCoin{{Denom: "CNY", Amount: fmt.Sprint(uint64(math.MaxUint64))}}
	g.Wallets[1].Balances = []GenesisCoin{{Denom: "CNY", Amount: "1"}}
	st, err := g.Validate(MemberList(members()))
	if err != nil {
		t.Fatal(err)
	}
	if err := NewKeeper(store.NewOverlay(store.Empty)).InitGenesis(st); !errors.Is(err, ErrAmountOverflow) {
		t.Fatalf("InitGenesis = %v, want ErrAmountOverflow", err)
	}
}

func TestInvariantDetectsBrokenState(t *testing.T) {
	for _, tc := range []struct {
		name    string
		corrupt func(k Keeper)
		want    string
	}{
		{"balance without supply", func(k Keeper) {
			w, _ := k.Wallet(owner2)
			setBalance(w, "CNY", 1)
			k.SetWallet(w)
		}, "invariant broken for CNY"},
		{"balance lost", func(k Keeper) {
			w, _ := k.Wallet(owner1)
			setBalance(w, "USD", 0)
			k.SetWallet(w)
		}, "invariant broken for USD"},
		{"supply without issuance", func(k Keeper) {
			store.SetProto(k.kv, SupplyKey("CNY"), &walletv1.Coin{Denom: "CNY", Amount: 101})
		}, "invariant broken for CNY"},
		{"issuance without supply", func(k Keeper) {
			store.SetProto(k.kv, IssuanceKey("other-bank", "USD"), &walletv1.Issuance{Issuer: "other-bank", Denom: "USD", Outstanding: 1})
		}, "invariant broken for USD"},
		{"zero balance stored", func(k Keeper) {
			w, _ := k.Wallet(owner2)
			w.Balances = []*walletv1.Coin{{Denom: "CNY", Amount: 0}}
			k.SetWallet(w)
		}, "zero CNY balance"},
		{"sum overflows", func(k Keeper) {
			for _, o := range []common.Address{owner1, owner2} {
				w, _ := k.Wallet(o)
				setBalance(w, "USD", math.MaxUint64)
				k.SetWallet(w)
			}
		}, "overflows"},
		{"denom only in supply", func(k Keeper) {
			store.SetProto(k.kv, SupplyKey("EUR"), &walletv1.Coin{Denom: "EUR", Amount: 3})
		}, "invariant broken for EUR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, k := genesisState(t)
			tc.corrupt(k)
			err := Invariant(o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Invariant = %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}

// TestMint: a mint that would overflow writes nothing.
func TestMint(t *testing.T) {
	o, k := genesisState(t)
	if err := k.mint(&walletv1.Params{}, "demo-bank", "CNY", math.MaxUint64-100); err != nil {
		t.Fatal(err)
	}
	before := len(o.Writes())
	supply := k.Supply("CNY").Amount
	if err := k.mint(&walletv1.Params{}, "other-bank", "CNY", 1); !errors.Is(err, ErrAmountOverflow) {
		t.Fatalf("mint past 2^64-1: %v", err)
	}
	if k.Supply("CNY").Amount != supply || k.Issuance("other-bank", "CNY").Outstanding != 0 || len(o.Writes()) != before {
		t.Fatal("failed mint wrote")
	}
}

func TestValidateMsgs(t *testing.T) {
	kyc := bytes.Repeat([]byte{1}, 32)
	long := strings.Repeat("x", MaxMemoLen+1)
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"open ok", ValidateOpenWallet(&walletv1.MsgOpenWallet{Owner: owner1.Bytes(), KycHash: kyc, Tier: 1}), nil},
		{"open short owner", ValidateOpenWallet(&walletv1.MsgOpenWallet{Owner: owner1.Bytes()[:19], KycHash: kyc, Tier: 1}), ErrInvalidMsg},
		{"open short kyc", ValidateOpenWallet(&walletv1.MsgOpenWallet{Owner: owner1.Bytes(), KycHash: kyc[:31], Tier: 1}), ErrInvalidMsg},
		{"deposit ok", ValidateDeposit(&walletv1.MsgDeposit{Wallet: owner1.Bytes(), Denom: "CNY", Amount: 1, Reference: "r"}), nil},
		{"deposit no reference", ValidateDeposit(&walletv1.MsgDeposit{Wallet: owner1.Bytes(), Denom: "CNY", Amount: 1}), ErrInvalidMsg},
		{"deposit long reference", ValidateDeposit(&walletv1.MsgDeposit{Wallet: owner1.Bytes(), Denom: "CNY", Amount: 1, Reference: long[:MaxReferenceLen+1]}), ErrInvalidMsg},
		{"deposit zero", ValidateDeposit(&walletv1.MsgDeposit{Wallet: owner1.Bytes(), Denom: "CNY", Reference: "r"}), ErrZeroAmount},
		{"transfer ok", ValidateTransfer(&walletv1.MsgTransfer{To: owner1.Bytes(), Denom: "CNY", Amount: 1, Memo: long[:MaxMemoLen]}), nil},
		{"transfer long memo", ValidateTransfer(&walletv1.MsgTransfer{To: owner1.Bytes(), Denom: "CNY", Amount: 1, Memo: long}), ErrInvalidMsg},
		{"transfer bad denom", ValidateTransfer(&walletv1.MsgTransfer{To: owner1.Bytes(), Denom: "C", Amount: 1}), ErrInvalidMsg},
		{"transfer zero address", ValidateTransfer(&walletv1.MsgTransfer{To: make([]byte, 20), Denom: "CNY", Amount: 1}), ErrInvalidMsg},
	} {
		if (tc.want == nil) != (tc.err == nil) || (tc.want != nil && !errors.Is(tc.err, tc.want)) {
			t.Errorf("%s: %v, want %v", tc.name, tc.err, tc.want)
		}
	}
}
