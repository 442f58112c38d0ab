package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/client"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/module"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// newTxCmd is `ledgerd tx`: a group per module, a command per registered
// message, built from its module.CLI specification.
func newTxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tx",
		Short: "Build, sign, broadcast a transaction and wait for its block",
	}
	for _, m := range app.Modules().Modules() {
		if len(m.Msgs) == 0 {
			continue
		}
		group := &cobra.Command{Use: m.Name, Short: capitalize(m.Name) + " transactions: " + m.Doc}
		for _, msg := range m.Msgs {
			group.AddCommand(msgCmd(msg))
		}
		cmd.AddCommand(group)
	}
	return cmd
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// msgCmd is the command of one registered message.
func msgCmd(msg module.Msg) *cobra.Command {
	spec := msg.CLI
	if spec.Use == "" {
		spec.Use = strings.TrimPrefix(strings.ToLower(string(msg.Type.ProtoReflect().Descriptor().Name())), "msg")
	}
	cmd := &cobra.Command{
		Use:   spec.Use,
		Short: spec.Short + " (" + msg.Signer.Describe() + ")",
		Long:  spec.Long,
	}
	if spec.Subcommands != nil {
		for _, sub := range spec.Subcommands() {
			cmd.AddCommand(partCmd(msg, spec, sub))
		}
		return cmd
	}
	addFlags(cmd, msg.Type, spec.Flags)
	cmd.Args = argsRule(spec)
	cmd.Use += " --from KEY"
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		in := newCLIInput(cmd, args, msg.Type)
		m, err := in.build(spec, msg.Type)
		if err != nil {
			return err
		}
		return sendMsg(cmd, in, m, spec.Report)
	}
	txFlags(cmd)
	return cmd
}

// partCmd is a subcommand building a part that the parent's Build
// completes with the parent's flags (`tx gov propose add-member ...`).
func partCmd(msg module.Msg, parent, sub module.CLI) *cobra.Command {
	cmd := &cobra.Command{Use: sub.Use, Short: sub.Short, Long: sub.Long}
	cmd.Args = argsRule(sub)
	cmd.Use += " " + flagsUsage(parent.Flags) + " --from KEY"
	addFlags(cmd, nil, sub.Flags)
	addFlags(cmd, msg.Type, parent.Flags)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		in := newCLIInput(cmd, args, msg.Type)
		part, err := in.buildPart(sub)
		if err != nil {
			return err
		}
		in.part = part
		m, err := parent.Build(in)
		if err != nil {
			return err
		}
		return sendMsg(cmd, in, m, parent.Report)
	}
	txFlags(cmd)
	return cmd
}

func flagsUsage(flags []module.Flag) string {
	var parts []string
	for _, f := range flags {
		if f.Required {
			parts = append(parts, "--"+f.FlagName()+" "+strings.ToUpper(strings.ReplaceAll(f.FlagName(), "-", "_")))
		}
	}
	return strings.Join(parts, " ")
}

func argsRule(spec module.CLI) cobra.PositionalArgs {
	if spec.Build != nil {
		return cobra.MinimumNArgs(len(spec.Args))
	}
	return cobra.ExactArgs(len(spec.Args))
}

// addFlags declares spec's flags: a repeated field takes several values
// (repeat the flag or separate them with commas), a Bool flag none.
func addFlags(cmd *cobra.Command, typ proto.Message, flags []module.Flag) {
	for _, f := range flags {
		name := f.FlagName()
		usage := f.Usage
		if f.Required {
			usage += " (required)"
		}
		switch {
		case f.Bool:
			cmd.Flags().Bool(name, false, usage)
		case f.Repeated || isRepeated(typ, f.Field):
			cmd.Flags().StringSlice(name, nil, usage)
		default:
			cmd.Flags().String(name, f.Default, usage)
		}
		if f.Required {
			_ = cmd.MarkFlagRequired(name)
		}
	}
}

// isRepeated reports whether the field at path of typ is repeated.
func isRepeated(typ proto.Message, path string) bool {
	if typ == nil || path == "" {
		return false
	}
	md := typ.ProtoReflect().Descriptor()
	elems := strings.Split(path, ".")
	for i, e := range elems {
		fd := md.Fields().ByName(protoreflect.Name(e))
		if fd == nil {
			return false
		}
		if i == len(elems)-1 {
			return fd.IsList()
		}
		if fd.Message() == nil {
			return false
		}
		md = fd.Message()
	}
	return false
}

// cliInput is what a command was given: module.Input for Build functions.
type cliInput struct {
	cmd  *cobra.Command
	args []string
	typ  proto.Message
	part proto.Message

	once   sync.Once
	c      *client.Client
	cerr   error
	denoms map[string]uint32
}

func newCLIInput(cmd *cobra.Command, args []string, typ proto.Message) *cliInput {
	return &cliInput{cmd: cmd, args: args, typ: typ}
}

func (in *cliInput) Arg(i int) string {
	if i < len(in.args) {
		return in.args[i]
	}
	return ""
}

func (in *cliInput) Flag(name string) string {
	f := in.cmd.Flags().Lookup(name)
	if f == nil {
		return ""
	}
	switch f.Value.Type() {
	case "bool":
		if v, _ := in.cmd.Flags().GetBool(name); v {
			return "true"
		}
		return ""
	case "stringSlice":
		v, _ := in.cmd.Flags().GetStringSlice(name)
		return strings.Join(v, ",")
	}
	return f.Value.String()
}

func (in *cliInput) Changed(name string) bool { return in.cmd.Flags().Changed(name) }

func (in *cliInput) File(name string) ([]byte, error) {
	path := in.Flag(name)
	if path == "" {
		return nil, fmt.Errorf("--%s: no file given", name)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", name, err)
	}
	return b, nil
}

func (in *cliInput) Set(msg proto.Message, path, text string) error {
	return setField(msg, path, text, in.decimals)
}

func (in *cliInput) Part() proto.Message { return in.part }

func (in *cliInput) Fill(msg proto.Message, spec module.CLI) error { return in.fill(msg, spec) }

func (in *cliInput) Now() time.Time { return time.Now() }

// client returns the node's client, made once.
func (in *cliInput) client() (*client.Client, error) {
	in.once.Do(func() { in.c, in.cerr = newClient(in.cmd) })
	return in.c, in.cerr
}

func (in *cliInput) Record(storeName string, key []byte, msg proto.Message) (bool, error) {
	c, err := in.client()
	if err != nil {
		return false, err
	}
	err = c.Record(in.cmd.Context(), storeName, key, 0, storeName+" record", msg)
	if _, absent := err.(*client.NotFoundError); absent {
		return false, nil
	}
	return err == nil, err
}

// decimals asks the node, once, for every denomination's decimals.
func (in *cliInput) decimals(denom string) (uint32, error) {
	if in.denoms == nil {
		c, err := in.client()
		if err != nil {
			return 0, err
		}
		d, err := denomDecimals(in.cmd.Context(), c)
		if err != nil {
			return 0, err
		}
		in.denoms = d
	}
	d, ok := in.denoms[denom]
	if !ok {
		return 0, fmt.Errorf("denomination %q is not carried by this ledger (it carries %s)", denom, denomList(in.denoms))
	}
	return d, nil
}

// denomDecimals reads the denominations the ledger carries with their
// decimals.
func denomDecimals(ctx context.Context, c *client.Client) (map[string]uint32, error) {
	out := new(walletv1.Denoms)
	r, err := c.Query(ctx, "/"+wallet.StoreName+"/denoms", nil, 0)
	if err != nil {
		return nil, fmt.Errorf("reading the denominations' decimals: %w", err)
	}
	if err := proto.Unmarshal(r.Value, out); err != nil {
		return nil, fmt.Errorf("reading the denominations' decimals: %w", err)
	}
	m := map[string]uint32{}
	for _, d := range out.Denoms {
		m[d.Denom] = d.Decimals
	}
	return m, nil
}

func denomList(m map[string]uint32) string {
	var out []string
	for d := range m {
		out = append(out, d)
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

// build makes the message: spec's Build, or the arguments and flags into
// their fields (amounts last, once their denominations are set).
func (in *cliInput) build(spec module.CLI, typ proto.Message) (proto.Message, error) {
	if spec.Build != nil {
		return spec.Build(in)
	}
	msg := typ.ProtoReflect().New().Interface()
	return msg, in.fill(msg, spec)
}

func (in *cliInput) buildPart(sub module.CLI) (proto.Message, error) {
	if sub.Build != nil {
		return sub.Build(in)
	}
	return nil, fmt.Errorf("ledgerd: command %q has no builder: its module must set Build", sub.Use)
}

func (in *cliInput) fill(msg proto.Message, spec module.CLI) error {
	type assignment struct{ path, text, what string }
	var first, amounts []assignment
	add := func(a assignment) {
		if isAmountPath(msg, a.path) {
			amounts = append(amounts, a)
		} else {
			first = append(first, a)
		}
	}
	for i, path := range spec.Args {
		add(assignment{path, in.Arg(i), strings.ToUpper(strings.ReplaceAll(path, ".", "_"))})
	}
	for _, f := range spec.Flags {
		if f.Field == "" {
			continue
		}
		v := in.Flag(f.FlagName())
		if v == "" {
			continue
		}
		add(assignment{f.Field, v, "--" + f.FlagName()})
	}
	for _, a := range append(first, amounts...) {
		if err := in.Set(msg, a.path, a.text); err != nil {
			return fmt.Errorf("%s: %w", a.what, err)
		}
	}
	return nil
}

// isAmountPath reports whether the field at path of msg is an amount.
func isAmountPath(msg proto.Message, path string) bool {
	md := msg.ProtoReflect().Descriptor()
	elems := strings.Split(path, ".")
	for i := 0; i < len(elems); i++ {
		fd := md.Fields().ByName(protoreflect.Name(elems[i]))
		if fd == nil {
			return false
		}
		if i == len(elems)-1 {
			return isAmount(fd)
		}
		if fd.Message() == nil {
			return false
		}
		md = fd.Message()
		if fd.IsList() {
			i++ // the index
		}
	}
	return false
}

// sendMsg signs msg with --from and broadcasts it, waiting for its block
// unless --no-wait, and prints the result with report's additions; or
// prints its typed data with --print-typed-data.
func sendMsg(cmd *cobra.Command, in *cliInput, msg proto.Message, report func(module.Result) module.Report) error {
	res, err := submitTx(cmd, msg)
	if err != nil || res == nil {
		return err
	}
	var extra *txExtra
	if report != nil {
		r := report(&cliResult{in: in, msg: msg, res: res})
		extra = &txExtra{fields: r.Fields, lines: r.Lines}
	}
	return printTxResult(cmd, res, extra)
}

// cliResult is a committed transaction's result for a Report function.
type cliResult struct {
	in  *cliInput
	msg proto.Message
	res *client.TxResult
}

func (r *cliResult) Msg() proto.Message { return r.msg }
func (r *cliResult) Height() int64      { return r.res.Height }

func (r *cliResult) Attr(kind, key string) string { return eventAttr(r.res.Events, kind, key) }

func (r *cliResult) Record(storeName string, key []byte, msg proto.Message) (bool, error) {
	c, err := r.in.client()
	if err != nil {
		return false, err
	}
	err = c.Record(r.in.cmd.Context(), storeName, key, r.res.Height, storeName+" record", msg)
	if _, absent := err.(*client.NotFoundError); absent {
		return false, nil
	}
	return err == nil, err
}

func (r *cliResult) Query(path string, msg proto.Message) (bool, error) {
	c, err := r.in.client()
	if err != nil {
		return false, err
	}
	resp, err := c.Query(r.in.cmd.Context(), path, nil, r.res.Height)
	if err != nil {
		return false, err
	}
	return true, proto.Unmarshal(resp.Value, msg)
}

func (r *cliResult) Explain(height int64, codespace string, code uint32, kind, id string) string {
	c, err := r.in.client()
	if err != nil {
		return explainCode(codespace, code)
	}
	return c.ExplainFailure(r.in.cmd.Context(), height, codespace, code, kind, id)
}

func explainCode(codespace string, code uint32) string {
	what := fmt.Sprintf("%s/%d", codespace, code)
	if e, ok := errcode.Lookup(codespace, code); ok {
		what += " (" + e.Desc + ")"
	}
	return what
}

func eventAttr(events []abci.Event, kind, key string) string {
	for _, e := range events {
		if e.Type != kind {
			continue
		}
		for _, a := range e.Attributes {
			if a.Key == key {
				return a.Value
			}
		}
	}
	return ""
}

// money formats amounts as the CLI prints them: major units with the
// denomination's decimals, "250.00 CNY". Decimals come from the node once;
// a denomination it does not list is printed with wallet.DefaultDecimals.
type money map[string]uint32

// moneyOf reads the node's denominations (nil, printing every denom with
// the default decimals, when the node cannot be asked).
func moneyOf(cmd *cobra.Command, c *client.Client) money {
	d, err := denomDecimals(cmd.Context(), c)
	if err != nil {
		return money{}
	}
	return d
}

// Text is amount of denom in major units with the denom: "250.00 CNY".
func (m money) Text(amount uint64, denom string) string { return m.Number(amount, denom) + " " + denom }

// Number is amount of denom in major units: "250.00".
func (m money) Number(amount uint64, denom string) string {
	d, ok := m[denom]
	if !ok {
		d = wallet.DefaultDecimals
	}
	return arith.Format(amount, d)
}
