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
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/client"
	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	optionsv1 "github.com/ledgerd/ledgerd/proto/ledgerd/options/v1"
	"github.com/ledgerd/ledgerd/x/auth"
)

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
	f.String("cosign", "", "name of a second key in the keyring that signs the same typed data (a second factor, or the key the message introduces)")
	f.String("second-signature", "", "a second signature made elsewhere (a hardware key) over the same typed data: 65 bytes hex; sign with --nonce and --valid-until fixed")
	f.String("second-sign-mode", "eip712", "what --second-signature signed: eip712 or eip191")
	f.Uint64("valid-until", 0, "last height the transaction is valid at (instead of --valid-for): to sign the same typed data on two devices")
	_ = cmd.MarkFlagRequired("from")
}

func parseAddress(what, s string) (common.Address, error) {
	if !common.IsHexAddress(s) {
		return common.Address{}, fmt.Errorf("%s %q is not a 0x-prefixed 20-byte hex address", what, s)
	}
	return common.HexToAddress(s), nil
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
	opts.ValidUntilHeight, _ = cmd.Flags().GetUint64("valid-until")
	if s := stringFlag(cmd, "nonce"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("--nonce %q: %v", s, err)
		}
		opts.Nonce = &n
	}
	if opts.SignMode, err = signModeFlag(cmd, "sign-mode"); err != nil {
		return nil, err
	}
	if opts.SecondSignMode, err = signModeFlag(cmd, "second-sign-mode"); err != nil {
		return nil, err
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
	if name := stringFlag(cmd, "cosign"); name != "" {
		if opts.Cosigner, err = kr.Key(name, pass); err != nil {
			return nil, fmt.Errorf("--cosign: %w", err)
		}
	}
	noWait, _ := cmd.Flags().GetBool("no-wait")
	second := stringFlag(cmd, "second-signature")
	if second == "" {
		return c.Submit(ctx, key, msg, opts, !noWait)
	}
	if opts.Cosigner != nil {
		return nil, fmt.Errorf("give --cosign or --second-signature, not both")
	}
	sig, err := hex.DecodeString(strings.TrimPrefix(second, "0x"))
	if err != nil {
		return nil, fmt.Errorf("--second-signature: %v", err)
	}
	tx, _, err := c.BuildTx(ctx, key, msg, opts)
	if err != nil {
		return nil, err
	}
	domain, err := c.Domain(ctx)
	if err != nil {
		return nil, err
	}
	_, b, by, err := client.AddSecondSignature(domain, tx, sig, opts.SecondSignMode)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "second signature by %s\n", by.Hex())
	if noWait {
		return c.Broadcast(ctx, b)
	}
	return c.BroadcastAndWait(ctx, b, opts.Timeout)
}

func signModeFlag(cmd *cobra.Command, name string) (authv1.SignMode, error) {
	switch stringFlag(cmd, name) {
	case "eip712":
		return authv1.SignMode_SIGN_MODE_EIP712, nil
	case "eip191":
		return authv1.SignMode_SIGN_MODE_EIP191, nil
	}
	return 0, fmt.Errorf("--%s %q: want eip712 or eip191", name, stringFlag(cmd, name))
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
	body, err := c.Unsigned(ctx, addr, msg, opts)
	if err != nil {
		return err
	}
	domain, err := c.Domain(ctx) // known by now: no second query
	if err != nil {
		return err
	}
	td, err := auth.NewTypedData(domain, body)
	if err != nil {
		return err
	}
	out, err := td.JSON()
	if err != nil {
		return err
	}
	fmt.Fprintln(cmd.OutOrStdout(), string(out))
	// A field signed as a kind and a hash (a proposal's action): show the
	// signer what they stand for, apart from the document a wallet reads.
	return printDigestedFields(cmd.ErrOrStderr(), msg)
}

// lightDir is where the CLI keeps the light client's trusted headers.
func lightDir(cmd *cobra.Command) string { return filepath.Join(home(cmd), "light") }

// printDigestedFields writes, for each field of msg signed as a kind and
// the keccak256 of its encoding (ONEOF_DIGEST: a proposal's action), what
// the typed data carries beside the value decoded, for the signer to check
// before signing.
func printDigestedFields(w io.Writer, msg proto.Message) error {
	r := msg.ProtoReflect()
	fields := r.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if proto.GetExtension(fd.Options(), optionsv1.E_Eip712).(optionsv1.Eip712) != optionsv1.Eip712_EIP712_ONEOF_DIGEST || !r.Has(fd) {
			continue
		}
		value := r.Get(fd).Message().Interface()
		kind, hash, err := auth.OneofDigest(value)
		if err != nil {
			return err
		}
		// The kind names the oneof field set; decoded is its content.
		inner := value.ProtoReflect()
		set := inner.WhichOneof(inner.Descriptor().Oneofs().Get(0))
		doc := map[string]any{fd.JSONName(): kind, fd.JSONName() + "Hash": "0x" + hex.EncodeToString(hash),
			"decoded": protoJSON(inner.Get(set).Message().Interface())}
		if a, ok := value.(*govv1.Action); ok {
			doc["summary"] = describeAction(a)
		}
		b, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintln(w, string(b)); err != nil {
			return err
		}
	}
	return nil
}

// protoJSON is m in protobuf's JSON mapping, with stable formatting
// (protojson's own output varies its spacing on purpose).
func protoJSON(m proto.Message) json.RawMessage {
	b, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(m)
	if err != nil {
		return nil
	}
	var v any
	if json.Unmarshal(b, &v) != nil {
		return nil
	}
	out, _ := json.Marshal(v)
	return out
}
