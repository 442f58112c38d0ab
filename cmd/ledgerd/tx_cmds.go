package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"

	"github.com/ledgerd/ledgerd/client"
	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/auth"
)

func newTxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tx",
		Short: "Build, sign, broadcast a transaction and wait for its block",
	}
	wallet := &cobra.Command{Use: "wallet", Short: "Wallet transactions: open, deposit, transfer, redeem, batch-transfer, freeze, release, set-tier, set-limits, close"}
	wallet.AddCommand(newOpenWalletCmd(), newDepositCmd(), newTransferCmd())
	wallet.AddCommand(newWalletAdminCmds()...)
	cmd.AddCommand(wallet, newTxGovCmd())
	return cmd
}

// txFlags are the flags every tx command takes.
func txFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.String("from", "", "name of the signing key in the keyring (required)")
	f.String("nonce", "", "nonce to sign with (default: the account's next nonce, from the node)")
	f.Uint64("valid-for", client.DefaultValidFor, "blocks the transaction stays valid for")
	f.String("sign-mode", "eip712", "eip712 (typed data) or eip191 (personal_sign over the EIP-712 digest)")
	f.Bool("no-wait", false, "return after the node accepted the transaction into its mempool")
	f.Duration("timeout", 30*time.Second, "how long to wait for the block")
	f.Bool("print-typed-data", false, "print the EIP-712 typed data (for an external wallet) instead of signing and sending")
	_ = cmd.MarkFlagRequired("from")
}

func newOpenWalletCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "open OWNER --tier N --kyc-hash HEX --from OPERATOR",
		Short: "Open a wallet for OWNER (an address) as its bank of record (issuer's operator)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			owner, err := parseAddress("owner", args[0])
			if err != nil {
				return err
			}
			tier, _ := cmd.Flags().GetUint32("tier")
			kyc, err := hex.DecodeString(strings.TrimPrefix(stringFlag(cmd, "kyc-hash"), "0x"))
			if err != nil || len(kyc) != 32 {
				return fmt.Errorf("--kyc-hash must be 32 bytes of hex (e.g. the SHA-256 of the bank's KYC record)")
			}
			return sendTx(cmd, &walletv1.MsgOpenWallet{Owner: owner.Bytes(), KycHash: kyc, Tier: tier})
		},
	}
	cmd.Flags().Uint32("tier", 0, "verification tier: 1 (in person, full KYC) to 4 (phone number only)")
	cmd.Flags().String("kyc-hash", "", "32-byte hex digest of the bank's off-chain KYC record")
	_ = cmd.MarkFlagRequired("tier")
	_ = cmd.MarkFlagRequired("kyc-hash")
	txFlags(cmd)
	return cmd
}

func newDepositCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deposit WALLET AMOUNT DENOM --reference REF --from OPERATOR",
		Short: "Issue AMOUNT minor units into a wallet of your bank against fiat received (issuer's operator)",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := parseAddress("wallet", args[0])
			if err != nil {
				return err
			}
			amount, err := parseAmount(args[1])
			if err != nil {
				return err
			}
			return sendTx(cmd, &walletv1.MsgDeposit{Wallet: w.Bytes(), Amount: amount, Denom: args[2],
				Reference: stringFlag(cmd, "reference")})
		},
	}
	cmd.Flags().String("reference", "", "the bank's reference of the fiat receipt; each is credited once")
	_ = cmd.MarkFlagRequired("reference")
	txFlags(cmd)
	return cmd
}

func newTransferCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "transfer TO AMOUNT DENOM --from OWNER",
		Short: "Pay AMOUNT minor units from your wallet to another wallet, at any bank",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			to, err := parseAddress("recipient", args[0])
			if err != nil {
				return err
			}
			amount, err := parseAmount(args[1])
			if err != nil {
				return err
			}
			return sendTx(cmd, &walletv1.MsgTransfer{To: to.Bytes(), Amount: amount, Denom: args[2],
				Memo: stringFlag(cmd, "memo")})
		},
	}
	cmd.Flags().String("memo", "", "free text for the recipient, at most 256 bytes")
	txFlags(cmd)
	return cmd
}

func parseAddress(what, s string) (common.Address, error) {
	if !common.IsHexAddress(s) {
		return common.Address{}, fmt.Errorf("%s %q is not a 0x-prefixed 20-byte hex address", what, s)
	}
	return common.HexToAddress(s), nil
}

func parseAmount(s string) (uint64, error) {
	a, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("amount %q must be a whole number of minor units (fen: 100 = 1.00 CNY)", s)
	}
	return a, nil
}

func newClient(cmd *cobra.Command, opts ...client.Option) (*client.Client, error) {
	return client.New(stringFlag(cmd, flagNode), opts...)
}

// sendTx signs msg with --from and broadcasts it, waiting for its block
// unless --no-wait, and prints the result; or prints its typed data with
// --print-typed-data.
func sendTx(cmd *cobra.Command, msg client.Msg) error {
	res, err := submitTx(cmd, msg)
	if err != nil || res == nil {
		return err
	}
	return printTxResult(cmd, res, nil)
}

// submitTx is sendTx without the printing of the result: it returns the
// result, or nil once it printed the typed data.
func submitTx(cmd *cobra.Command, msg client.Msg) (*client.TxResult, error) {
	ctx := cmd.Context()
	c, err := newClient(cmd)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	kr, err := keyring(cmd)
	if err != nil {
		return nil, err
	}
	from := stringFlag(cmd, "from")
	info, err := kr.Show(from)
	if err != nil {
		return nil, err
	}
	opts := client.TxOptions{}
	opts.ValidFor, _ = cmd.Flags().GetUint64("valid-for")
	opts.Timeout, _ = cmd.Flags().GetDuration("timeout")
	if s := stringFlag(cmd, "nonce"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("--nonce %q: %v", s, err)
		}
		opts.Nonce = &n
	}
	switch stringFlag(cmd, "sign-mode") {
	case "eip712":
	case "eip191":
		opts.SignMode = authv1.SignMode_SIGN_MODE_EIP191
	default:
		return nil, fmt.Errorf("--sign-mode %q: want eip712 or eip191", stringFlag(cmd, "sign-mode"))
	}
	if typed, _ := cmd.Flags().GetBool("print-typed-data"); typed {
		return nil, printTypedData(ctx, cmd, c, info.Address, msg, opts)
	}
	pass, err := passphrase(cmd, false)
	if err != nil {
		return nil, err
	}
	key, err := kr.Key(from, pass)
	if err != nil {
		return nil, err
	}
	noWait, _ := cmd.Flags().GetBool("no-wait")
	return c.Submit(ctx, key, msg, opts, !noWait)
}

// printTxResult prints res, with extra's fields beside the result's in
// JSON and its lines after the result's in text.
func printTxResult(cmd *cobra.Command, res *client.TxResult, extra *txExtra) error {
	var view any = res
	if extra != nil && len(extra.fields) > 0 {
		b, err := json.Marshal(res)
		if err != nil {
			return err
		}
		fields := map[string]any{}
		if err := json.Unmarshal(b, &fields); err != nil {
			return err
		}
		for k, v := range extra.fields {
			fields[k] = v
		}
		view = fields
	}
	return printResult(cmd, view, func(w io.Writer) {
		if res.Height == 0 {
			fmt.Fprintf(w, "accepted into the mempool: tx %X\n", res.Hash)
		} else {
			fmt.Fprintf(w, "committed: tx %X in block %d (code 0)\n", res.Hash, res.Height)
		}
		if extra != nil {
			for _, l := range extra.lines {
				fmt.Fprintln(w, l)
			}
		}
	})
}

// txExtra is what a command adds to a transaction's printed result.
type txExtra struct {
	fields map[string]any
	lines  []string
}

// printTypedData prints the EIP-712 document an external wallet signs
// (eth_signTypedData_v4) for msg from addr; for a proposal, the action it
// signs follows, decoded, on stderr.
func printTypedData(ctx context.Context, cmd *cobra.Command, c *client.Client, addr common.Address, msg client.Msg, opts client.TxOptions) error {
	domain, err := c.Domain(ctx)
	if err != nil {
		return err
	}
	body := &authv1.TxBody{ChainId: domain.ChainID, Signer: addr.Bytes()}
	if err := client.SetMsg(body, msg); err != nil {
		return err
	}
	if opts.Nonce != nil {
		body.Nonce = *opts.Nonce
	} else if body.Nonce, err = c.Nonce(ctx, addr); err != nil {
		return err
	}
	latest, err := c.LatestHeight(ctx)
	if err != nil {
		return err
	}
	body.ValidUntilHeight = uint64(latest) + opts.ValidFor
	td, err := auth.NewTypedData(domain, body)
	if err != nil {
		return err
	}
	out, err := td.JSON()
	if err != nil {
		return err
	}
	fmt.Fprintln(cmd.OutOrStdout(), string(out))
	if p, ok := msg.(*govv1.MsgSubmitProposal); ok {
		// The typed data signs the action as a kind and a hash: show the
		// signer what they stand for, apart from the document a wallet reads.
		return printSignedAction(cmd.ErrOrStderr(), p.Action)
	}
	return nil
}

// lightDir is where the CLI keeps the light client's trusted headers.
func lightDir(cmd *cobra.Command) string { return filepath.Join(home(cmd), "light") }
