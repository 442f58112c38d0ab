package module

import (
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ledgerd/ledgerd/x/exec"
)

// Msg registers one message kind: everything about it but its protobuf
// definition (whose TxBody oneof field carries it, and whose descriptor
// gives its EIP-712 type and the CLI's field parsing) is here.
type Msg struct {
	// Type is a value of the message's type, e.g. (*walletv1.MsgTransfer)(nil).
	Type proto.Message
	// Validate applies the stateless checks, before the signature is
	// checked (nil: none). It fails with a registered error.
	Validate func(msg proto.Message) error
	// Signer is who may sign it.
	Signer Signer
	// Execute applies it to ctx's stores. It may fail after writing: the
	// app runs each transaction on a branch and drops it on failure.
	Execute func(ctx exec.Context, msg proto.Message) error
	// CLI is its command, `ledgerd tx <module> ...`.
	CLI CLI
}

// Name is the message's protobuf full name.
func (m Msg) Name() protoreflect.FullName { return m.Type.ProtoReflect().Descriptor().FullName() }

// NewMsg registers messages of type M: validate (nil: none) and execute get
// the message typed.
func NewMsg[M proto.Message](signer Signer, validate func(M) error, execute func(exec.Context, M) error, cli CLI) Msg {
	var zero M
	m := Msg{Type: zero, Signer: signer, CLI: cli}
	m.Execute = func(ctx exec.Context, msg proto.Message) error {
		typed, ok := msg.(M)
		if !ok {
			return fmt.Errorf("module: %T routed to the handler of %T", msg, zero)
		}
		return execute(ctx, typed)
	}
	if validate != nil {
		m.Validate = func(msg proto.Message) error {
			typed, ok := msg.(M)
			if !ok {
				return fmt.Errorf("module: %T routed to the validation of %T", msg, zero)
			}
			return validate(typed)
		}
	}
	return m
}

// CLI specifies a command that builds a message: the ledgerd binary turns
// it into a command with the flags every transaction takes (--from,
// --nonce, ...). Field values are read by their protobuf types and
// annotations: addresses as 0x-hex, bytes32 as hex, amounts in major units
// of their denomination ("250.00"), Unix times as RFC 3339 times, dates or
// seconds, enums by name ("debit" for FREEZE_KIND_DEBIT), repeated values
// comma-separated.
type CLI struct {
	// Use is the command and its arguments: "transfer TO AMOUNT DENOM".
	Use   string
	Short string
	Long  string
	// Args name the fields the positional arguments fill, in order; a
	// field of a nested message is a dotted path ("limits.balance_cap").
	Args []string
	// Flags fill further fields.
	Flags []Flag
	// Build, for a message the fields cannot express one argument each (a
	// file of batch legs), makes the message from the input; Args and
	// Flags then also name what Build reads. It runs in the CLI, never in
	// a block.
	Build func(in Input) (proto.Message, error)
	// Subcommands, if set, are alternative commands under this one, each
	// building a part of the message (Input.Part) that Build completes
	// with this command's flags: `tx gov propose add-member ...`.
	Subcommands func() []CLI
	// Report, if set, adds to the printed result of the committed
	// transaction ("proposal 4 submitted").
	Report func(r Result) Report
}

// Result is a transaction's result, for a Report function.
type Result interface {
	// Msg is the message that was sent.
	Msg() proto.Message
	// Height is the block that committed it (0: only admitted).
	Height() int64
	// Attr returns the value of attribute key of the transaction's first
	// event of type kind ("" if none).
	Attr(kind, key string) string
	// Record reads a record at the result's height, unverified.
	Record(storeName string, key []byte, msg proto.Message) (bool, error)
	// Query runs a query path at the result's height, unverified.
	Query(path string, msg proto.Message) (bool, error)
	// Explain describes a registered error recorded in state (codespace,
	// code), with the text of the event that reported it in the block at
	// height when the node still has it: the event of type kind whose "id"
	// attribute is id, its "reason" attribute.
	Explain(height int64, codespace string, code uint32, kind, id string) string
}

// Report is what a command adds to a transaction's printed result: fields
// in JSON output, lines in text output.
type Report struct {
	Fields map[string]any
	Lines  []string
}

// Flag is a flag of a CLI command.
type Flag struct {
	// Field is the message field the flag fills (a dotted path), or ""
	// for a flag that only Build reads.
	Field string
	// Name is the flag's name; default: the last element of Field with
	// '_' as '-'.
	Name     string
	Usage    string
	Required bool
	Default  string
	// File makes the flag name a file, whose content Build reads with
	// Input.File.
	File bool
	// Bool makes the flag a switch (--flag, no value).
	Bool bool
	// Repeated makes the flag take several values, the flag repeated or
	// the values comma-separated, as a flag of a repeated field of the
	// command's message does anyway. A subcommand's flags need it: the
	// binary does not know the type of the part they fill before Build.
	Repeated bool
}

// FlagName is the flag's name.
func (f Flag) FlagName() string {
	if f.Name != "" {
		return f.Name
	}
	name := f.Field
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '.' {
			name = name[i+1:]
			break
		}
	}
	out := []byte(name)
	for i, c := range out {
		if c == '_' {
			out[i] = '-'
		}
	}
	return string(out)
}

// PageAfter is a QueryCLI.Path for paginated lists: the positional
// arguments, then after/<id> if the command's --after flag is given
// ("lender/demo-bank/after/100").
func PageAfter(in Input) (string, error) {
	var parts []string
	for i := 0; in.Arg(i) != ""; i++ {
		parts = append(parts, in.Arg(i))
	}
	if a := in.Flag("after"); a != "" {
		parts = append(parts, "after", a)
	}
	return strings.Join(parts, "/"), nil
}

// Input is what a command was given, for a Build function.
type Input interface {
	// Arg returns positional argument i.
	Arg(i int) string
	// Flag returns the value of a flag ("" if not given and no default).
	Flag(name string) string
	// File returns the content of the file a File flag names.
	File(name string) ([]byte, error)
	// Set fills the field at path of msg from text, as Args and Flags are
	// filled (amounts in major units, addresses, enums by name; a repeated
	// field from comma-separated values).
	Set(msg proto.Message, path, text string) error
	// Fill fills msg from the arguments and flags spec names, as a command
	// without Build is filled.
	Fill(msg proto.Message, spec CLI) error
	// Record reads the record at key of a module's store from the node, at
	// its latest height and unverified, for defaults (false: absent).
	Record(storeName string, key []byte, msg proto.Message) (bool, error)
	// Changed reports whether the flag was given on the command line.
	Changed(name string) bool
	// Part is what the subcommand built (see CLI.Subcommands).
	Part() proto.Message
	// Now is this machine's clock, for deadlines given as durations.
	Now() time.Time
}
