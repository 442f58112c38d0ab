package wallet

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/history"
	"github.com/ledgerd/ledgerd/x/module"
)

// AccountKind is the kind of the wallets' nonce accounts: a wallet's owner
// signs with the wallet's nonce.
const AccountKind = "wallet"

// Owner is the signer rule of messages a wallet's key signs: the signer's
// account is its wallet (ErrWalletNotFound otherwise, for an operator),
// and a second signature, if any, is by the wallet's second factor.
var Owner module.Signer = ownerRule{}

// ownerIntroducing is Owner for messages that introduce a key, which may
// make the second signature itself (checked by the handler).
var ownerIntroducing module.Signer = ownerRule{introducing: true}

// Issuer is the rule of messages signed by an operator of an active issuer
// (a bank that holds wallets and issues e-money).
var issuer = func(members func(exec.Context) Members) module.Signer {
	return roleRule{members, consortiumv1.Role_ROLE_ISSUER, "an operator of an active issuer"}
}

type roleRule struct {
	members func(exec.Context) Members
	role    consortiumv1.Role
	doc     string
}

func (r roleRule) Authorize(ctx exec.Context) error {
	_, err := r.members(ctx).ActingMember(ctx.Signer, r.role)
	return err
}

func (r roleRule) Describe() string { return r.doc }

// Module returns the wallet module's registration: its store, genesis,
// messages, the freeze expiries at the start of each block, its queries,
// parameters, governance actions, invariant and events.
func (mod *Module) Module() *module.Module {
	byIssuer := issuer(mod.members)
	anyMember := module.AnySigner("an operator of the wallet's bank of record, or of a regulator")
	bankOfRecord := module.AnySigner("an operator of the wallet's bank of record")
	return &module.Module{
		Name:    StoreName,
		Doc:     "wallets, their tiers, limits and freezes; e-money issued against fiat, payments, redemption; supply",
		Genesis: &module.Genesis{Init: mod.initGenesis},
		Accounts: &module.Accounts{
			Kind:            AccountKind,
			Lookup:          mod.lookup,
			IncrementNonce:  func(kv store.KV, addr common.Address) { NewKeeper(kv).IncrementNonce(addr) },
			SecondSignature: true,
		},
		Msgs: []module.Msg{
			module.NewMsg(byIssuer, ValidateOpenWallet, mod.OpenWallet, module.CLI{
				Use: "open OWNER --tier N --kyc-hash HEX", Short: "Open a wallet for OWNER (an address) as its bank of record",
				Args: []string{"owner"},
				Flags: []module.Flag{
					{Field: "tier", Required: true, Usage: "verification tier: 1 (in person, full KYC) to 4 (phone number only)"},
					{Field: "kyc_hash", Required: true, Usage: "32-byte hex digest of the bank's off-chain KYC record"},
				}}),
			module.NewMsg(byIssuer, ValidateDeposit, mod.Deposit, module.CLI{
				Use: "deposit WALLET AMOUNT DENOM --reference REF", Short: "Issue e-money into a wallet of your bank against fiat received",
				Args:  []string{"wallet", "amount", "denom"},
				Flags: []module.Flag{{Field: "reference", Required: true, Usage: "the bank's reference of the fiat receipt; each is credited once"}}}),
			module.NewMsg(Owner, ValidateTransfer, mod.Transfer, module.CLI{
				Use: "transfer TO AMOUNT DENOM [--memo TEXT]", Short: "Pay from your wallet to another wallet, at any bank",
				Args:  []string{"to", "amount", "denom"},
				Flags: []module.Flag{{Field: "memo", Usage: "free text for the recipient, at most 256 bytes"}}}),
			module.NewMsg(Owner, ValidateRedeem, mod.Redeem, module.CLI{
				Use: "redeem AMOUNT DENOM --payout-reference REF", Short: "Cash out: burn e-money from your wallet, for your bank of record to pay in fiat",
				Args:  []string{"amount", "denom"},
				Flags: []module.Flag{{Field: "payout_reference", Required: true, Usage: "where the bank pays out (an account token agreed with it)"}}}),
			module.NewMsg(Owner, ValidateBatchTransfer, mod.BatchTransfer, module.CLI{
				Use:   "batch-transfer DENOM --legs FILE [--memo TEXT]",
				Short: "Pay many wallets at once, all or nothing (payroll, benefits); FILE has one 'ADDRESS,AMOUNT' per line",
				Args:  []string{"denom"},
				Flags: []module.Flag{
					{Name: "legs", File: true, Required: true, Usage: "CSV file of recipients: ADDRESS,AMOUNT per line, amounts in major units ('#' starts a comment)"},
					{Field: "memo", Usage: "free text for every recipient, at most 256 bytes"},
				},
				Build: buildBatch}),
			module.NewMsg(bankOfRecord, ValidateJudicialDeduct, mod.JudicialDeduct, module.CLI{
				Use:   "judicial-deduct WALLET TO AMOUNT DENOM --order ID --notice REF",
				Short: "Carry out a court's enforcement notice (bank of record): deduct AMOUNT from WALLET to TO through the court's freeze order, leaving the protected minimum",
				Args:  []string{"wallet", "to", "amount", "denom"},
				Flags: []module.Flag{
					{Field: "order_id", Name: "order", Required: true, Usage: "the court's freeze order on the wallet (its legal basis is the notice)"},
					{Field: "notice", Required: true, Usage: "the enforcement notice's reference"},
				}}),
			module.NewMsg(anyMember, ValidateFreeze, mod.Freeze, module.CLI{
				Use:   "freeze WALLET --kind full|debit --legal-basis TEXT [--expires TIME]",
				Short: "Place a freeze order (bank of record or regulator): full stops everything, debit leaves receive only",
				Args:  []string{"wallet"},
				Flags: []module.Flag{
					{Field: "kind", Default: "full", Usage: "full (nothing in or out) or debit (receive only)"},
					{Field: "legal_basis", Required: true, Usage: "reference of the legal instrument (court order, police notice)"},
					{Field: "expires", Usage: "when the order lifts by itself: RFC 3339 time, date (YYYY-MM-DD, midnight UTC) or Unix seconds; default never"},
				}}),
			module.NewMsg(module.AnySigner("an operator of the order's authority, or of a regulator"), ValidateRelease, mod.Release, module.CLI{
				Use: "release WALLET ORDER_ID [--reason TEXT]", Short: "Lift a freeze order (its authority or a regulator)",
				Args:  []string{"wallet", "order_id"},
				Flags: []module.Flag{{Field: "reason", Usage: "why the order is lifted"}}}),
			module.NewMsg(byIssuer, ValidateSetTier, mod.SetTier, module.CLI{
				Use: "set-tier WALLET TIER --kyc-hash HEX", Short: "Change a wallet's tier after a new verification (bank of record)",
				Args:  []string{"wallet", "tier"},
				Flags: []module.Flag{{Field: "kyc_hash", Required: true, Usage: "32-byte hex digest of the new KYC record"}}}),
			module.NewMsg(byIssuer, ValidateSetLimits, mod.SetLimits, module.CLI{
				Use:   "set-limits WALLET DENOM [--balance-cap N] [--payment-limit N] [--daily-limit N] [--annual-limit N]",
				Short: "Change a wallet's own limits, which bind where stricter than its tier's (bank of record); 0 clears one",
				Long: `set-limits changes the limits named by flags and keeps the wallet's other own
limits in DENOM as they are (read from the node first); 0 clears a limit. The
transaction itself carries all four, so what it sets is exactly what it shows.
Amounts are in major units (250.00).`,
				Args: []string{"wallet", "denom"},
				Flags: []module.Flag{
					{Field: "limits.balance_cap", Usage: "most the wallet may hold"},
					{Field: "limits.payment_limit", Usage: "largest single payment out"},
					{Field: "limits.daily_outflow_limit", Name: "daily-limit", Usage: "most paid out in a calendar day"},
					{Field: "limits.annual_outflow_limit", Name: "annual-limit", Usage: "most paid out in a calendar year"},
				},
				Build: buildSetLimits}),
			module.NewMsg(module.AnySigner("the wallet's owner, its parent's, or an operator of its bank of record"), ValidateCloseWallet, mod.CloseWallet, module.CLI{
				Use: "close WALLET", Short: "Close an empty wallet for good (its owner or its bank of record), or a sub-wallet (its parent: its money is swept back first)",
				Args: []string{"wallet"}}),
			module.NewMsg(byIssuer, ValidateRecoverWallet, mod.RecoverWallet, module.CLI{
				Use:   "recover WALLET NEW_KEY --kyc-hash HEX [--clear-second-factor]",
				Short: "Start a key recovery after verifying the customer again (bank of record): NEW_KEY signs for the wallet after the recovery delay unless cancelled; receive only until then",
				Args:  []string{"wallet", "new_key"},
				Flags: []module.Flag{
					{Field: "kyc_hash", Required: true, Usage: "32-byte hex digest of the new KYC record"},
					{Field: "clear_second_factor", Bool: true, Usage: "also remove the wallet's second factor when the recovery completes (the customer lost it too)"},
				}}),
			module.NewMsg(module.AnySigner("the wallet's current key (with its second factor, if any), or an operator of its bank of record"), ValidateCancelRecovery, mod.CancelRecovery, module.CLI{
				Use: "cancel-recovery WALLET", Short: "Cancel a wallet's pending key recovery (its current key, or its bank of record)",
				Args: []string{"wallet"}}),
			module.NewMsg(ownerIntroducing, ValidateRotateKey, mod.RotateKey, module.CLI{
				Use:   "rotate-key NEW_KEY --cosign NEW_KEY_NAME",
				Short: "Make NEW_KEY your wallet's key at once; NEW_KEY co-signs (or, if the wallet has one, its second factor)",
				Long: `rotate-key moves your wallet to a new key: from the block that commits it, the
new key signs for the wallet (same address, balance, history, limits) and the
old key is refused. The transaction carries two signatures: yours with --from,
and the new key's with --cosign (a key in the keyring) or --second-signature
(made elsewhere over the same typed data). A wallet with a second factor is
co-signed by its second factor instead.`,
				Args: []string{"new_key"}}),
			module.NewMsg(ownerIntroducing, ValidateSetSecondFactor, mod.SetSecondFactor, module.CLI{
				Use:   "set-second-factor KEY THRESHOLD DENOM --cosign KEY_NAME",
				Short: "Require KEY's signature too on your payments and redemptions above THRESHOLD (KEY co-signs; a replacement is co-signed by the second factor in force)",
				Args:  []string{"key", "threshold", "denom"}}),
			module.NewMsg(Owner, nil, mod.RemoveSecondFactor, module.CLI{
				Use:   "remove-second-factor",
				Short: "Remove your wallet's second factor: at once if it co-signs (--cosign), else after the recovery delay"}),
			module.NewMsg(Owner, ValidateOpenSubWallet, mod.OpenSubWallet, module.CLI{
				Use:   "open-sub OWNER DENOM [--balance-cap N] [--payment-limit N] [--daily-limit N] [--annual-limit N] [--payees ADDR,...]",
				Short: "Open a sub-wallet under your wallet for OWNER's key, with limits within yours and optional payees; its payments count toward your limits",
				Args:  []string{"owner", "denom"},
				Flags: subFlags}),
			module.NewMsg(Owner, ValidateSetSubWallet, mod.SetSubWallet, module.CLI{
				Use:   "set-sub WALLET DENOM [--balance-cap N] [--payment-limit N] [--daily-limit N] [--annual-limit N] [--payees ADDR,...]",
				Short: "Change a sub-wallet's limits in DENOM and its payees (its parent); limits and payees not given stay as they are, 0 clears a limit",
				Args:  []string{"wallet", "denom"},
				Flags: append(subFlags[:4:4], module.Flag{Name: "payees", Usage: "the only wallets it may pay besides you, comma-separated; 'none' clears the list"}),
				Build: buildSetSub}),
			module.NewMsg(Owner, ValidateFreezeSubWallet, mod.FreezeSubWallet, module.CLI{
				Use: "freeze-sub WALLET [--unfreeze]", Short: "Stop a sub-wallet's payments, or resume them with --unfreeze (its parent)",
				Args:  []string{"wallet"},
				Flags: []module.Flag{{Field: "unfreeze", Bool: true, Usage: "resume its payments"}}}),
			module.NewMsg(Owner, ValidateSweepSubWallet, mod.SweepSubWallet, module.CLI{
				Use: "sweep-sub WALLET DENOM [--amount N]", Short: "Move a sub-wallet's money back to you, its parent (all of DENOM unless --amount)",
				Args:  []string{"wallet", "denom"},
				Flags: []module.Flag{{Field: "amount", Usage: "how much, in major units; default all"}}}),
		},
		BeginBlock: func(ctx exec.Context) error {
			if err := mod.LiftExpired(ctx); err != nil {
				return err
			}
			return mod.SettleDue(ctx)
		},
		Queries: []module.Query{
			{Path: "issuances/", Doc: "<issuer>: the issuer's outstanding issuance per denom (walletv1.Issuances)", Handle: queryIssuances},
			{Path: "denoms", Doc: "every denomination the ledger carries with its decimals (walletv1.Denoms)", Handle: func(s module.Stores, _ string, _ []byte) (proto.Message, error) {
				p := NewView(s.Reader(StoreName)).Params()
				out := new(walletv1.Denoms)
				for _, d := range p.Denoms {
					out.Denoms = append(out.Denoms, &walletv1.DenomDecimals{Denom: d, Decimals: Decimals(p, d)})
				}
				return out, nil
			}},
			{Path: "params", Doc: "the parameters (walletv1.Params)", Handle: func(s module.Stores, _ string, _ []byte) (proto.Message, error) {
				return NewView(s.Reader(StoreName)).Params(), nil
			}},
			{Path: "invariant", Doc: "empty if supply = sum of balances = sum of issuance for every denom at the last height, an error otherwise; computed once per height",
				Handle: queryInvariant, WholeState: true},
		},
		Params: &module.Params{
			Key: ParamsKey(),
			New: func() proto.Message { return new(walletv1.Params) },
			Doc: "denominations, tier limits, issuance caps, the consortium's time zone, batch size",
			Validate: func(ctx exec.Context, next proto.Message) (proto.Message, error) {
				return mod.validateParams(ctx, next.(*walletv1.Params))
			},
		},
		GovActions: []module.GovAction{{
			Field: "set_wallet_params", Name: "set-wallet-params", Doc: "replace the wallet parameters",
			Apply: func(ctx exec.Context, m proto.Message) ([]abci.ValidatorUpdate, error) {
				p := m.(*govv1.SetWalletParams).GetParams()
				if p == nil {
					return nil, fmt.Errorf("wallet parameters: none given")
				}
				next, err := mod.validateParams(ctx, p)
				if err != nil {
					return nil, fmt.Errorf("wallet parameters: %v", err)
				}
				NewKeeper(ctx.KV(StoreName)).SetParams(next)
				return nil, nil
			},
			Describe: func(proto.Message) string { return "replace the wallet parameters" },
			Commands: []module.CLI{{
				Use:   "set-wallet-params --file FILE",
				Short: "Replace the wallet parameters (denoms, tier limits, issuance caps, time zone, batch size)",
				Flags: []module.Flag{{Name: "file", File: true, Required: true, Usage: `JSON in the genesis "wallet" section's format, without wallets`}},
				Build: func(in module.Input) (proto.Message, error) {
					b, err := in.File("file")
					if err != nil {
						return nil, err
					}
					var g Genesis
					dec := json.NewDecoder(bytes.NewReader(b))
					dec.DisallowUnknownFields()
					if err := dec.Decode(&g); err != nil {
						return nil, fmt.Errorf("--file: %v", err)
					}
					if len(g.Wallets) > 0 || g.WalletsFile != nil {
						return nil, fmt.Errorf("--file: wallets cannot be set by governance; leave out wallets and wallets_file")
					}
					// The chain checks the issuers of the caps; here the format.
					st, err := g.Validate(anyIssuer{})
					if err != nil {
						return nil, err
					}
					return &govv1.SetWalletParams{Params: st.Params}, nil
				},
			}},
		}, {
			Field: "move_wallets", Name: "move-wallets", Doc: "move wallets to another bank of record; balances and the issuance behind them stay (the positions move: settlement re-attributes the issuance)",
			Apply: func(ctx exec.Context, m proto.Message) ([]abci.ValidatorUpdate, error) {
				return nil, mod.MoveWallets(ctx, m.(*govv1.MoveWallets))
			},
			Describe: func(m proto.Message) string {
				mv := m.(*govv1.MoveWallets)
				return fmt.Sprintf("move %d wallet(s) to %s", len(mv.GetWallets()), mv.GetToBank())
			},
			Commands: []module.CLI{{
				Use: "move-wallets --to BANK WALLET...", Short: "Move wallets to another bank of record (an active issuer); balances stay",
				Flags: []module.Flag{{Field: "to_bank", Name: "to", Required: true, Usage: "member id of the new bank of record"}},
				Build: func(in module.Input) (proto.Message, error) {
					mv := new(govv1.MoveWallets)
					if err := in.Set(mv, "to_bank", in.Flag("to")); err != nil {
						return nil, err
					}
					for i := 0; in.Arg(i) != ""; i++ {
						if !common.IsHexAddress(in.Arg(i)) {
							return nil, fmt.Errorf("wallet %q is not a 0x-prefixed 20-byte hex address", in.Arg(i))
						}
						mv.Wallets = append(mv.Wallets, common.HexToAddress(in.Arg(i)).Bytes())
					}
					if len(mv.Wallets) == 0 {
						return nil, fmt.Errorf("name the wallets to move")
					}
					return mv, nil
				},
			}},
		}},
		Invariants: []module.Invariant{{Name: "supply", Check: func(s module.Stores) error {
			return Invariant(s.Reader(StoreName))
		}}},
		Events: events,
		Histories: []module.HistorySubject{{
			Name: HistorySubject, Doc: "a wallet's history: opening, deposits, payments, redemptions, freezes, tier and limit changes, closing",
			Key: WalletKey,
			Chain: func(value []byte) (history.Chain, error) {
				w := new(walletv1.Wallet)
				if err := proto.Unmarshal(value, w); err != nil {
					return history.Chain{}, fmt.Errorf("wallet record: %w", err)
				}
				return history.Chain{Count: w.HistoryCount, Head: w.HistoryHead}, nil
			},
			Decode: func(data []byte) (proto.Message, error) { return DecodeHistoryEntry(data) },
			ParseID: func(s string) ([]byte, error) {
				if !strings.HasPrefix(s, "0x") || !common.IsHexAddress(s) {
					return nil, fmt.Errorf("wallet %q is not a 0x-prefixed 20-byte hex address", s)
				}
				return common.HexToAddress(s).Bytes(), nil
			},
		}},
	}
}

func (mod *Module) initGenesis(ctx exec.Context, section json.RawMessage) ([]abci.ValidatorUpdate, error) {
	var g Genesis
	dec := json.NewDecoder(bytes.NewReader(section))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return nil, errcode.Wrap(ErrInvalidGenesis, "%v", err)
	}
	members := mod.members(ctx)
	st, err := g.Validate(members)
	if err != nil {
		return nil, err
	}
	k := NewKeeper(ctx.KV(StoreName))
	files := ctx.GenesisFiles()
	if g.WalletsFile == nil || files.Skip {
		return nil, k.InitGenesis(st)
	}
	return nil, k.initGenesis(st, func(m *genesisMinter) error {
		return openWalletsFile(files, *g.WalletsFile, newWalletCheck(st.Params, members), k, m)
	})
}

// anyIssuer takes every member id for an issuer and no address for an
// operator: the CLI checks a parameters file's format, the chain its
// members.
type anyIssuer struct{}

func (anyIssuer) Member(id string) (*consortiumv1.Member, error) {
	return &consortiumv1.Member{Id: id, Roles: []consortiumv1.Role{consortiumv1.Role_ROLE_ISSUER}}, nil
}

func (anyIssuer) Operator(common.Address) (*consortiumv1.Operator, bool) { return nil, false }

// buildBatch reads the legs file: ADDRESS,AMOUNT lines, amounts in major
// units.
func buildBatch(in module.Input) (proto.Message, error) {
	b := new(walletv1.MsgBatchTransfer)
	if err := in.Set(b, "denom", in.Arg(0)); err != nil {
		return nil, err
	}
	if err := in.Set(b, "memo", in.Flag("memo")); err != nil {
		return nil, err
	}
	content, err := in.File("legs")
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(content))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		addr, amount, ok := strings.Cut(line, ",")
		if !ok {
			return nil, fmt.Errorf("--legs line %d: want ADDRESS,AMOUNT", n)
		}
		i := len(b.Legs)
		if err := in.Set(b, fmt.Sprintf("legs.%d.to", i), strings.TrimSpace(addr)); err != nil {
			return nil, fmt.Errorf("--legs line %d: %w", n, err)
		}
		if err := in.Set(b, fmt.Sprintf("legs.%d.amount", i), strings.TrimSpace(amount)); err != nil {
			return nil, fmt.Errorf("--legs line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(b.Legs) == 0 {
		return nil, fmt.Errorf("--legs: no recipients")
	}
	return b, nil
}

// subFlags are the flags of a sub-wallet's limits and payees.
var subFlags = []module.Flag{
	{Field: "limits.balance_cap", Usage: "most it may hold (0: its tier's)"},
	{Field: "limits.payment_limit", Usage: "largest single payment, within yours"},
	{Field: "limits.daily_outflow_limit", Name: "daily-limit", Usage: "most paid out in a day, within yours (its payments count toward yours too)"},
	{Field: "limits.annual_outflow_limit", Name: "annual-limit", Usage: "most paid out in a year, within yours"},
	{Field: "payees", Usage: "the only wallets it may pay besides you (default: any)"},
}

// buildSetSub reads the sub-wallet's limits in the denom and its payees
// from the node and changes what the flags name.
func buildSetSub(in module.Input) (proto.Message, error) {
	m := &walletv1.MsgSetSubWallet{Limits: &walletv1.Limits{}}
	if err := in.Set(m, "wallet", in.Arg(0)); err != nil {
		return nil, err
	}
	if err := in.Set(m, "denom", in.Arg(1)); err != nil {
		return nil, err
	}
	w := new(walletv1.Wallet)
	found, err := in.Record(StoreName, WalletKey(m.Wallet), w)
	if err != nil {
		return nil, err
	}
	if !found || len(w.Parent) == 0 {
		return nil, errcode.Wrap(ErrNotParent, "%s is not a sub-wallet", common.BytesToAddress(m.Wallet).Hex())
	}
	if i, ok := findWalletLimits(w.Limits, m.Denom); ok && w.Limits[i].Limits != nil {
		m.Limits = proto.Clone(w.Limits[i].Limits).(*walletv1.Limits)
	}
	m.Payees = w.Payees
	for _, f := range subFlags[:4] {
		if v := in.Flag(f.FlagName()); v != "" {
			if err := in.Set(m, f.Field, v); err != nil {
				return nil, fmt.Errorf("--%s: %w", f.FlagName(), err)
			}
		}
	}
	switch v := in.Flag("payees"); v {
	case "":
	case "none":
		m.Payees = nil
	default:
		m.Payees = nil
		if err := in.Set(m, "payees", v); err != nil {
			return nil, fmt.Errorf("--payees: %w", err)
		}
	}
	return m, nil
}

// buildSetLimits starts from the wallet's current own limits in the denom
// and changes those the flags name.
func buildSetLimits(in module.Input) (proto.Message, error) {
	m := &walletv1.MsgSetLimits{Limits: &walletv1.Limits{}}
	if err := in.Set(m, "wallet", in.Arg(0)); err != nil {
		return nil, err
	}
	if err := in.Set(m, "denom", in.Arg(1)); err != nil {
		return nil, err
	}
	w := new(walletv1.Wallet)
	found, err := in.Record(StoreName, WalletKey(m.Wallet), w)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errcode.Wrap(ErrWalletNotFound, "owner %s", common.BytesToAddress(m.Wallet).Hex())
	}
	if i, ok := findWalletLimits(w.Limits, m.Denom); ok && w.Limits[i].Limits != nil {
		m.Limits = proto.Clone(w.Limits[i].Limits).(*walletv1.Limits)
	}
	for _, f := range [][2]string{{"balance-cap", "limits.balance_cap"}, {"payment-limit", "limits.payment_limit"},
		{"daily-limit", "limits.daily_outflow_limit"}, {"annual-limit", "limits.annual_outflow_limit"}} {
		if v := in.Flag(f[0]); v != "" {
			if err := in.Set(m, f[1], v); err != nil {
				return nil, fmt.Errorf("--%s: %w", f[0], err)
			}
		}
	}
	return m, nil
}
