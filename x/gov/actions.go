package gov

import (
	"errors"
	"fmt"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/module"
)

// actionKind is the oneof of govv1.Action.
var actionKind = (&govv1.Action{}).ProtoReflect().Descriptor().Oneofs().ByName("kind")

// ActionName is the action's kind as events, the CLI and docs name it: the
// Action oneof field set, with dashes ("add-member"); "" if none is set.
func ActionName(a *govv1.Action) string {
	fd := a.ProtoReflect().WhichOneof(actionKind)
	if fd == nil {
		return ""
	}
	return strings.ReplaceAll(string(fd.Name()), "_", "-")
}

// apply validates action a against ctx's state and applies it, through the
// module that registered it (module.GovAction); it returns the validator
// updates it causes. Any failure is ErrInvalidAction with the reason; the
// caller discards the writes (the state is a branch).
func (mod *Module) apply(ctx exec.Context, a *govv1.Action) ([]abci.ValidatorUpdate, error) {
	fd := a.ProtoReflect().WhichOneof(actionKind)
	if fd == nil {
		return nil, errcode.Wrap(ErrInvalidAction, "no action")
	}
	inner := a.ProtoReflect().Get(fd).Message().Interface()
	reg, ok := mod.reg.GovAction(string(fd.Name()))
	if !ok {
		return nil, errcode.Wrap(ErrInvalidAction, "no module executes %s actions on this chain", fd.Name())
	}
	updates, err := reg.Item.Apply(ctx, inner)
	if err != nil {
		if errors.Is(err, ErrInvalidAction) {
			return nil, err
		}
		return nil, errcode.Wrap(ErrInvalidAction, "%v", err)
	}
	return updates, nil
}

// Describe summarises a for people, through the module that executes it.
func (mod *Module) Describe(a *govv1.Action) string {
	fd := a.ProtoReflect().WhichOneof(actionKind)
	if fd == nil {
		return "no action"
	}
	reg, ok := mod.reg.GovAction(string(fd.Name()))
	if !ok || reg.Item.Describe == nil {
		return ActionName(a)
	}
	return reg.Item.Describe(a.ProtoReflect().Get(fd).Message().Interface())
}

// SetParamsAction is the governance action replacing module's parameters
// (set_params): any module's, those of modules added later included.
func SetParamsAction(reg *module.Registry) module.GovAction {
	return module.GovAction{
		Field: "set_params", Name: "set-params",
		Doc: "replace a module's parameters: the canonical protobuf encoding of its parameters message",
		Apply: func(ctx exec.Context, m proto.Message) ([]abci.ValidatorUpdate, error) {
			sp := m.(*govv1.SetParams)
			mod := reg.Module(sp.GetModule())
			if mod == nil || mod.Params == nil {
				return nil, fmt.Errorf("module %q has no parameters governance can set", sp.GetModule())
			}
			next := mod.Params.New()
			if err := (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(sp.GetParams(), next); err != nil {
				return nil, fmt.Errorf("%s parameters do not decode as %s: %v", sp.GetModule(), next.ProtoReflect().Descriptor().FullName(), err)
			}
			return nil, module.SetParams(ctx, mod, next)
		},
		Describe: func(m proto.Message) string {
			return fmt.Sprintf("replace the %s parameters", m.(*govv1.SetParams).GetModule())
		},
		Commands: []module.CLI{{
			Use:   "set-params MODULE --file FILE",
			Short: "Replace a module's parameters (credit, ...): FILE is its parameters message in protobuf's JSON mapping",
			Long: `set-params proposes new parameters for MODULE. FILE holds the module's parameters
message in protobuf's JSON mapping, every field (absent ones are zero); read the
current ones with 'ledgerd query MODULE params -o json' and edit them. The
proposal signs the canonical protobuf encoding of the parameters.`,
			Args:  []string{"module"},
			Flags: []module.Flag{{Name: "file", File: true, Required: true, Usage: "the parameters as JSON"}},
			Build: func(in module.Input) (proto.Message, error) {
				name := in.Arg(0)
				mod := reg.Module(name)
				if mod == nil || mod.Params == nil {
					return nil, fmt.Errorf("module %q has no parameters governance can set", name)
				}
				b, err := in.File("file")
				if err != nil {
					return nil, err
				}
				next := mod.Params.New()
				if err := protojson.Unmarshal(b, next); err != nil {
					return nil, fmt.Errorf("--file: not %s in protobuf's JSON mapping: %v", next.ProtoReflect().Descriptor().FullName(), err)
				}
				raw, err := proto.MarshalOptions{Deterministic: true}.Marshal(next)
				if err != nil {
					return nil, err
				}
				return &govv1.SetParams{Module: name, Params: raw}, nil
			},
		}},
	}
}

// oneofField returns the Action oneof field a module action type is
// carried in, or nil.
func oneofField(m proto.Message) protoreflect.FieldDescriptor {
	fields := actionKind.Fields()
	for i := range fields.Len() {
		if f := fields.Get(i); f.Message().FullName() == m.ProtoReflect().Descriptor().FullName() {
			return f
		}
	}
	return nil
}

// NewAction wraps a module's action message in a govv1.Action, in the
// oneof field that carries its type.
func NewAction(m proto.Message) (*govv1.Action, error) {
	f := oneofField(m)
	if f == nil {
		return nil, fmt.Errorf("%s is not a governance action", m.ProtoReflect().Descriptor().FullName())
	}
	a := new(govv1.Action)
	a.ProtoReflect().Set(f, protoreflect.ValueOfMessage(m.ProtoReflect()))
	return a, nil
}
