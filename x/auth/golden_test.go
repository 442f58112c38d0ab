package auth

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"testing"

	"google.golang.org/protobuf/proto"

	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/typeddata_golden.json")

// goldenDomain is the devnet's domain, as wallets see it.
var goldenDomain = Domain{ChainID: "ledgerd-devnet", NumericID: 1337}

// goldenCase is one transaction body whose signing digests and typed-data
// document are frozen.
type goldenCase struct {
	Name string `json:"name"`
	// Body is the canonical protobuf encoding of the TxBody, hex.
	Body string `json:"body"`
	// EIP712 and EIP191 are the digests signed in each mode, hex.
	EIP712 string `json:"eip712"`
	EIP191 string `json:"eip191"`
	// TypedData is the eth_signTypedData_v4 document.
	TypedData json.RawMessage `json:"typed_data"`
}

// goldenBodies covers every message kind, with edge values (empty strings,
// zeros, 2^64-1, negative int64, several legs, no legs' memo) and every
// governance action kind.
func goldenBodies() []struct {
	name string
	body *authv1.TxBody
} {
	a := func(b byte) []byte { return bytes.Repeat([]byte{b}, 20) }
	h := func(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }
	signer := a(0x5a)
	body := func(nonce uint64, msg proto.Message) *authv1.TxBody {
		b := &authv1.TxBody{ChainId: goldenDomain.ChainID, Signer: signer, Nonce: nonce, ValidUntilHeight: 1000 + nonce}
		if err := SetMsg(b, msg); err != nil {
			panic(err)
		}
		return b
	}
	action := func(a *govv1.Action) *govv1.MsgSubmitProposal {
		return &govv1.MsgSubmitProposal{Title: "t", Description: "d 说明", DocumentHash: h(0xd0), VotingEnd: 1_767_225_600, Action: a}
	}
	params := &walletv1.Params{Denoms: []string{"CNY"}, UtcOffsetSeconds: 28800, MaxBatchLegs: 1000,
		Limits: []*walletv1.DenomLimits{{Denom: "CNY", Tiers: []*walletv1.TierLimits{{Tier: 2, Limits: &walletv1.Limits{BalanceCap: 1}}}}}}
	type c = struct {
		name string
		body *authv1.TxBody
	}
	return []c{
		{"open-wallet", body(0, &walletv1.MsgOpenWallet{Owner: a(1), KycHash: h(2), Tier: 4})},
		{"deposit", body(1, &walletv1.MsgDeposit{Wallet: a(1), Denom: "CNY", Amount: 100_000, Reference: "CASH-2026-0001"})},
		{"transfer", body(2, &walletv1.MsgTransfer{To: a(3), Denom: "CNY", Amount: 25_000, Memo: "dinner 晚饭"})},
		{"transfer-max-empty-memo", body(math.MaxUint64, &walletv1.MsgTransfer{To: a(3), Denom: "USD", Amount: math.MaxUint64})},
		{"redeem", body(3, &walletv1.MsgRedeem{Denom: "CNY", Amount: 1, PayoutReference: "acct-1"})},
		{"batch-transfer", body(4, &walletv1.MsgBatchTransfer{Denom: "CNY", Memo: "payroll", Legs: []*walletv1.BatchLeg{
			{To: a(4), Amount: 1}, {To: a(5), Amount: math.MaxUint64}, {To: a(6), Amount: 300}}})},
		{"batch-transfer-one-leg", body(5, &walletv1.MsgBatchTransfer{Denom: "CNY", Legs: []*walletv1.BatchLeg{{To: a(4), Amount: 7}}})},
		{"freeze", body(6, &walletv1.MsgFreeze{Wallet: a(1), Kind: walletv1.FreezeKind_FREEZE_KIND_DEBIT, LegalBasis: "court 1", Expires: 1_767_225_600})},
		{"freeze-negative-expiry", body(7, &walletv1.MsgFreeze{Wallet: a(1), Kind: walletv1.FreezeKind_FREEZE_KIND_FULL, LegalBasis: "x", Expires: -5})},
		{"release", body(8, &walletv1.MsgRelease{Wallet: a(1), OrderId: 3, Reason: "lifted"})},
		{"set-tier", body(9, &walletv1.MsgSetTier{Wallet: a(1), Tier: 2, KycHash: h(9)})},
		{"set-limits", body(10, &walletv1.MsgSetLimits{Wallet: a(1), Denom: "CNY", Limits: &walletv1.Limits{
			BalanceCap: 1, PaymentLimit: 2, DailyOutflowLimit: 3, AnnualOutflowLimit: 4}})},
		{"set-limits-none", body(11, &walletv1.MsgSetLimits{Wallet: a(1), Denom: "CNY"})},
		{"close-wallet", body(12, &walletv1.MsgCloseWallet{Wallet: a(1)})},
		{"vote", body(13, &govv1.MsgVote{ProposalId: 7, Option: govv1.VoteOption_VOTE_OPTION_ABSTAIN})},
		{"propose-add-member", body(14, action(&govv1.Action{Kind: &govv1.Action_AddMember{AddMember: &govv1.AddMember{
			Member: &consortiumv1.Member{Id: "bank-x", Name: "Bank X", Roles: []consortiumv1.Role{consortiumv1.Role_ROLE_ISSUER},
				Operators: [][]byte{a(7)}, NodeIds: []string{"0123456789abcdef0123456789abcdef01234567"},
				Validator: &consortiumv1.Validator{PubKey: h(8), Power: 10}}, AllowConcentration: true}}}))},
		{"propose-set-member-status", body(15, action(&govv1.Action{Kind: &govv1.Action_SetMemberStatus{SetMemberStatus: &govv1.SetMemberStatus{
			MemberId: "bank-x", Status: consortiumv1.MemberStatus_MEMBER_STATUS_SUSPENDED}}}))},
		{"propose-set-roles", body(16, action(&govv1.Action{Kind: &govv1.Action_SetRoles{SetRoles: &govv1.SetRoles{
			MemberId: "bank-x", Roles: []consortiumv1.Role{consortiumv1.Role_ROLE_ISSUER, consortiumv1.Role_ROLE_LENDER}}}}))},
		{"propose-set-operators", body(17, action(&govv1.Action{Kind: &govv1.Action_SetOperators{SetOperators: &govv1.SetOperators{
			MemberId: "bank-x", Operators: [][]byte{a(9), a(10)}}}}))},
		{"propose-set-node-ids", body(18, action(&govv1.Action{Kind: &govv1.Action_SetNodeIds{SetNodeIds: &govv1.SetNodeIds{
			MemberId: "bank-x", NodeIds: []string{"fedcba9876543210fedcba9876543210fedcba98"}}}}))},
		{"propose-set-validator", body(19, action(&govv1.Action{Kind: &govv1.Action_SetValidator{SetValidator: &govv1.SetValidator{
			MemberId: "bank-x", PubKey: h(11), Power: 5}}}))},
		{"propose-set-wallet-params", body(20, action(&govv1.Action{Kind: &govv1.Action_SetWalletParams{SetWalletParams: &govv1.SetWalletParams{Params: params}}}))},
		{"propose-set-aml-params", body(21, action(&govv1.Action{Kind: &govv1.Action_SetAmlParams{SetAmlParams: &govv1.SetAMLParams{}}}))},
		{"propose-set-gov-params", body(22, action(&govv1.Action{Kind: &govv1.Action_SetGovParams{SetGovParams: &govv1.SetGovParams{Params: &govv1.Params{
			ThresholdNumerator: 2, ThresholdDenominator: 3, MaxVotingPeriodSeconds: 86400, MinVotingPeriodSeconds: 3600, MaxOpenProposals: 10}}}}))},
		{"propose-move-wallets", body(23, action(&govv1.Action{Kind: &govv1.Action_MoveWallets{MoveWallets: &govv1.MoveWallets{
			Wallets: [][]byte{a(1), a(2)}, ToBank: "bank-x"}}}))},
	}
}

// TestTypedDataGolden freezes, for every message kind, the digests a
// signature covers and the typed-data document wallets sign: changing any
// of them voids every signature made before. The file is written by
// -update, only for a new message kind or case.
func TestTypedDataGolden(t *testing.T) {
	var got []goldenCase
	for _, c := range goldenBodies() {
		raw, err := proto.MarshalOptions{Deterministic: true}.Marshal(c.body)
		if err != nil {
			t.Fatal(err)
		}
		d712, err := Digest(goldenDomain, c.body, authv1.SignMode_SIGN_MODE_EIP712)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		d191, err := Digest(goldenDomain, c.body, authv1.SignMode_SIGN_MODE_EIP191)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		td, err := NewTypedData(goldenDomain, c.body)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		doc, err := json.Marshal(td)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, goldenCase{Name: c.name, Body: hex.EncodeToString(raw), EIP712: hex.EncodeToString(d712[:]),
			EIP191: hex.EncodeToString(d191[:]), TypedData: doc})
	}
	const path = "testdata/typeddata_golden.json"
	if *updateGolden {
		b, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./x/auth -run TestTypedDataGolden -update writes it)", err)
	}
	var want []goldenCase
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d cases, %s has %d", len(got), path, len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Name != w.Name || g.Body != w.Body {
			t.Fatalf("case %d is %s with body %s, the golden file has %s with %s", i, g.Name, g.Body, w.Name, w.Body)
		}
		if g.EIP712 != w.EIP712 || g.EIP191 != w.EIP191 {
			t.Errorf("%s: digests %s / %s, golden %s / %s: signatures made before no longer verify", g.Name, g.EIP712, g.EIP191, w.EIP712, w.EIP191)
		}
		var gd, wd any
		if err := json.Unmarshal(g.TypedData, &gd); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(w.TypedData, &wd); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(gd) != fmt.Sprint(wd) {
			t.Errorf("%s: typed-data document changed:\n got  %s\n want %s", g.Name, g.TypedData, w.TypedData)
		}
	}
}
