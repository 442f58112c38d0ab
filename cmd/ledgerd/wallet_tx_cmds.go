package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
)

// newWalletAdminCmds are the wallet transactions beyond open, deposit and
// transfer: redemption, batch payments, freezes, tier and limit changes,
// closure.
func newWalletAdminCmds() []*cobra.Command {
	redeem := &cobra.Command{
		Use:   "redeem AMOUNT DENOM --payout-reference REF --from OWNER",
		Short: "Cash out: burn e-money from your wallet, for your bank of record to pay in fiat",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			amount, err := parseAmount(args[0])
			if err != nil {
				return err
			}
			return sendTx(cmd, &walletv1.MsgRedeem{Amount: amount, Denom: args[1], PayoutReference: stringFlag(cmd, "payout-reference")})
		},
	}
	redeem.Flags().String("payout-reference", "", "where the bank pays out (an account token agreed with it)")
	_ = redeem.MarkFlagRequired("payout-reference")

	batch := &cobra.Command{
		Use:   "batch-transfer DENOM --legs FILE --from OWNER",
		Short: "Pay many wallets at once, all or nothing (payroll, benefits); FILE has one 'ADDRESS,AMOUNT' per line",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			legs, err := readLegs(stringFlag(cmd, "legs"))
			if err != nil {
				return err
			}
			return sendTx(cmd, &walletv1.MsgBatchTransfer{Denom: args[0], Legs: legs, Memo: stringFlag(cmd, "memo")})
		},
	}
	batch.Flags().String("legs", "", "CSV file of recipients: ADDRESS,AMOUNT per line ('#' starts a comment)")
	batch.Flags().String("memo", "", "free text for every recipient, at most 256 bytes")
	_ = batch.MarkFlagRequired("legs")

	freeze := &cobra.Command{
		Use:   "freeze WALLET --kind full|debit --legal-basis TEXT [--expires TIME] --from OPERATOR",
		Short: "Place a freeze order (bank of record or regulator): full stops everything, debit leaves receive only",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := parseAddress("wallet", args[0])
			if err != nil {
				return err
			}
			var kind walletv1.FreezeKind
			switch stringFlag(cmd, "kind") {
			case "full":
				kind = walletv1.FreezeKind_FREEZE_KIND_FULL
			case "debit":
				kind = walletv1.FreezeKind_FREEZE_KIND_DEBIT
			default:
				return fmt.Errorf("--kind %q: want full or debit", stringFlag(cmd, "kind"))
			}
			expires, err := parseTime(stringFlag(cmd, "expires"))
			if err != nil {
				return fmt.Errorf("--expires: %w", err)
			}
			return sendTx(cmd, &walletv1.MsgFreeze{Wallet: w.Bytes(), Kind: kind, LegalBasis: stringFlag(cmd, "legal-basis"), Expires: expires})
		},
	}
	freeze.Flags().String("kind", "full", "full (nothing in or out) or debit (receive only)")
	freeze.Flags().String("legal-basis", "", "reference of the legal instrument (court order, police notice)")
	freeze.Flags().String("expires", "", "when the order lifts by itself: RFC 3339 time, date (YYYY-MM-DD, midnight UTC) or Unix seconds; default never")
	_ = freeze.MarkFlagRequired("legal-basis")

	release := &cobra.Command{
		Use:   "release WALLET ORDER_ID [--reason TEXT] --from OPERATOR",
		Short: "Lift a freeze order (its authority or a regulator)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := parseAddress("wallet", args[0])
			if err != nil {
				return err
			}
			id, err := strconv.ParseUint(args[1], 10, 64)
			if err != nil || id == 0 {
				return fmt.Errorf("order id %q: want the positive number 'query wallet' lists", args[1])
			}
			return sendTx(cmd, &walletv1.MsgRelease{Wallet: w.Bytes(), OrderId: id, Reason: stringFlag(cmd, "reason")})
		},
	}
	release.Flags().String("reason", "", "why the order is lifted")

	setTier := &cobra.Command{
		Use:   "set-tier WALLET TIER --kyc-hash HEX --from OPERATOR",
		Short: "Change a wallet's tier after a new verification (bank of record)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := parseAddress("wallet", args[0])
			if err != nil {
				return err
			}
			tier, err := strconv.ParseUint(args[1], 10, 32)
			if err != nil {
				return fmt.Errorf("tier %q: want 1 to 4", args[1])
			}
			kyc, err := hex.DecodeString(strings.TrimPrefix(stringFlag(cmd, "kyc-hash"), "0x"))
			if err != nil || len(kyc) != 32 {
				return fmt.Errorf("--kyc-hash must be 32 bytes of hex")
			}
			return sendTx(cmd, &walletv1.MsgSetTier{Wallet: w.Bytes(), Tier: uint32(tier), KycHash: kyc})
		},
	}
	setTier.Flags().String("kyc-hash", "", "32-byte hex digest of the new KYC record")
	_ = setTier.MarkFlagRequired("kyc-hash")

	setLimits := &cobra.Command{
		Use:   "set-limits WALLET DENOM [--balance-cap N] [--payment-limit N] [--daily-limit N] [--annual-limit N] --from OPERATOR",
		Short: "Change a wallet's own limits, which bind where stricter than its tier's (bank of record); 0 clears one",
		Long: `set-limits changes the limits named by flags and keeps the wallet's other own
limits in DENOM as they are (read from the node first); 0 clears a limit. The
transaction itself carries all four, so what it sets is exactly what it shows.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := parseAddress("wallet", args[0])
			if err != nil {
				return err
			}
			lim, err := currentLimits(cmd, w, args[1])
			if err != nil {
				return err
			}
			f := cmd.Flags()
			for name, field := range map[string]*uint64{
				"balance-cap": &lim.BalanceCap, "payment-limit": &lim.PaymentLimit,
				"daily-limit": &lim.DailyOutflowLimit, "annual-limit": &lim.AnnualOutflowLimit,
			} {
				if f.Changed(name) {
					*field, _ = f.GetUint64(name)
				}
			}
			return sendTx(cmd, &walletv1.MsgSetLimits{Wallet: w.Bytes(), Denom: args[1], Limits: lim})
		},
	}
	setLimits.Flags().Uint64("balance-cap", 0, "most the wallet may hold, minor units")
	setLimits.Flags().Uint64("payment-limit", 0, "largest single payment out")
	setLimits.Flags().Uint64("daily-limit", 0, "most paid out in a calendar day")
	setLimits.Flags().Uint64("annual-limit", 0, "most paid out in a calendar year")

	closeCmd := &cobra.Command{
		Use:   "close WALLET --from OWNER|OPERATOR",
		Short: "Close an empty wallet for good (its owner or its bank of record)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := parseAddress("wallet", args[0])
			if err != nil {
				return err
			}
			return sendTx(cmd, &walletv1.MsgCloseWallet{Wallet: w.Bytes()})
		},
	}
	cmds := []*cobra.Command{redeem, batch, freeze, release, setTier, setLimits, closeCmd}
	for _, c := range cmds {
		txFlags(c)
	}
	return cmds
}

// currentLimits returns the wallet's own limits in denom as the node has
// them now (all zero if none).
func currentLimits(cmd *cobra.Command, addr common.Address, denom string) (*walletv1.Limits, error) {
	c, err := newClient(cmd)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	w, err := c.Wallet(cmd.Context(), addr)
	if err != nil {
		return nil, err
	}
	for _, l := range w.Limits {
		if l.Denom == denom && l.Limits != nil {
			return proto.Clone(l.Limits).(*walletv1.Limits), nil
		}
	}
	return &walletv1.Limits{}, nil
}

// readLegs reads ADDRESS,AMOUNT lines.
func readLegs(path string) ([]*walletv1.BatchLeg, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var legs []*walletv1.BatchLeg
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		addr, amount, ok := strings.Cut(line, ",")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want ADDRESS,AMOUNT", path, n)
		}
		a, err := parseAddress("recipient", strings.TrimSpace(addr))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		v, err := parseAmount(strings.TrimSpace(amount))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		legs = append(legs, &walletv1.BatchLeg{To: a.Bytes(), Amount: v})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(legs) == 0 {
		return nil, fmt.Errorf("%s: no recipients", path)
	}
	return legs, nil
}

// parseTime reads an RFC 3339 time, a YYYY-MM-DD date (midnight UTC) or
// Unix seconds; "" is 0.
func parseTime(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	for _, layout := range []string{time.RFC3339, time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Unix(), nil
		}
	}
	return 0, fmt.Errorf("%q: want RFC 3339 (2026-12-31T18:00:00+08:00), YYYY-MM-DD or Unix seconds", s)
}
