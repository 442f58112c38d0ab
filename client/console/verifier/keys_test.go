package verifier

import (
	"bytes"
	"encoding/binary"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/client"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/aml"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/gov"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// TestKeysMirrorTheModules checks the keys and rules this package copies
// (its packages cannot be built for the browser) against the modules'.
func TestKeysMirrorTheModules(t *testing.T) {
	owner := bytes.Repeat([]byte{7}, 20)
	for _, c := range []struct{ got, want []byte }{
		{walletKey(owner), wallet.WalletKey(owner)},
		{supplyKey("CNY"), wallet.SupplyKey("CNY")},
		{walletParamsKey(), wallet.ParamsKey()},
		{memberPrefix(), consortium.MemberPrefix()},
		{consortiumParamsKey(), consortium.ParamsKey()},
		{[]byte{issuancePrefix}, wallet.IssuancePrefix("")[:1]},
		{[]byte{govProposalPrefix}, gov.ProposalPrefix()},
		{govVoteKey(7, "demo-bank"), gov.VoteKey(7, "demo-bank")},
		{[]byte{govParamsKey}, gov.ParamsKey()},
		{binary.BigEndian.AppendUint64([]byte{amlReportPrefix}, 9), aml.ReportKey(9)},
		{binary.BigEndian.AppendUint64([]byte{amlAlertPrefix}, 9), aml.AlertKey(9)},
		{[]byte{amlLastReportKey}, aml.LastReportIDKey()},
		{[]byte{amlLastAlertKey}, aml.LastAlertIDKey()},
	} {
		if !bytes.Equal(c.got, c.want) {
			t.Errorf("key %X, the module's is %X", c.got, c.want)
		}
	}
	if pathRead != client.PathRead || readValidFor != client.ReadValidFor {
		t.Error("signed reads differ from package client's")
	}
	if walletStore != wallet.StoreName || consortiumStore != consortium.StoreName || govStore != gov.StoreName || amlStore != aml.StoreName {
		t.Error("store names differ")
	}
	def := gov.DefaultParams()
	if def.ThresholdNumerator != govDefaultNumerator || def.ThresholdDenominator != govDefaultDenominator {
		t.Errorf("governance's default threshold is %d/%d", def.ThresholdNumerator, def.ThresholdDenominator)
	}
	for _, p := range []*govv1.Params{def, {ThresholdNumerator: 3, ThresholdDenominator: 4}, {ThresholdNumerator: 1, ThresholdDenominator: 1}} {
		for eligible := uint32(0); eligible < 12; eligible++ {
			if got, want := needed(p, eligible), gov.Needed(p, eligible); got != want {
				t.Errorf("%d/%d of %d: needed %d, x/gov says %d", p.ThresholdNumerator, p.ThresholdDenominator, eligible, got, want)
			}
		}
	}
	p := &walletv1.Params{Limits: []*walletv1.DenomLimits{{Denom: "CNY", Tiers: []*walletv1.TierLimits{
		{Tier: 2, Limits: &walletv1.Limits{BalanceCap: 500, PaymentLimit: 50, DailyOutflowLimit: 100}},
		{Tier: 3, Limits: &walletv1.Limits{BalanceCap: 20}},
	}}}}
	for _, w := range []*walletv1.Wallet{
		{Tier: 2},
		{Tier: 3},
		{Tier: 2, Limits: []*walletv1.WalletLimits{{Denom: "CNY", Limits: &walletv1.Limits{PaymentLimit: 10, AnnualOutflowLimit: 7, BalanceCap: 900}}}},
		{Tier: 9, Limits: []*walletv1.WalletLimits{{Denom: "USD", Limits: &walletv1.Limits{PaymentLimit: 10}}}},
	} {
		for _, d := range []string{"CNY", "USD"} {
			if got, want := effectiveLimits(p, w, d), wallet.EffectiveLimits(p, w, d); !proto.Equal(got, want) {
				t.Errorf("tier %d %s: limits %v, the module's %v", w.Tier, d, got, want)
			}
		}
	}
}

func TestDecimalsMirrorTheModule(t *testing.T) {
	p := &walletv1.Params{Decimals: []*walletv1.DenomDecimals{{Denom: "JPY", Decimals: 0}, {Denom: "BHD", Decimals: 3}}}
	for _, d := range []string{"JPY", "BHD", "CNY"} {
		if got, want := decimalsOf(p).Of(d), wallet.Decimals(p, d); got != want {
			t.Errorf("%s: %d decimals, the module says %d", d, got, want)
		}
	}
}

func TestFormatMinor(t *testing.T) {
	for _, c := range []struct {
		minor uint64
		dec   uint32
		want  string
	}{{25050, 2, "250.50"}, {5, 2, "0.05"}, {0, 2, "0.00"}, {100, 0, "100"}, {1234567, 3, "1234.567"}} {
		if got := formatMinor(c.minor, c.dec); got != c.want {
			t.Errorf("%d with %d decimals: %q, want %q", c.minor, c.dec, got, c.want)
		}
	}
}

// TestAMLLookupDaysMirrorTheModule checks the AML lookup's date parsing
// against x/aml's (its index keys are checked end to end by the devnet
// test, which finds the report through each index).
func TestAMLLookupDaysMirrorTheModule(t *testing.T) {
	for _, date := range []string{"1969-12-31", "1970-01-01", "2000-02-29", "2026-12-02", "9999-12-31"} {
		want, err := aml.ParseDay(date)
		if err != nil {
			t.Fatal(err)
		}
		got, err := amlIndexPrefix("reports", "day", date)
		if err != nil || !bytes.Equal(got, amlDayPrefix(0x03, want)) {
			t.Errorf("%s: %X, %v; x/aml's day is %d", date, got, err, want)
		}
	}
	for _, date := range []string{"2026-02-29", "2026-13-01", "26-12-02", ""} {
		if _, err := aml.ParseDay(date); err == nil {
			t.Fatalf("x/aml accepts %q", date)
		}
		if _, err := amlIndexPrefix("alerts", "day", date); err == nil {
			t.Errorf("%q accepted", date)
		}
	}
}
