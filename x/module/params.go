package module

import (
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/exec"
)

// ParamsAction is a governance action whose message holds one module's
// parameters in its field params (set_wallet_params, set_aml_params,
// set_gov_params): the module that owns the parameters registers it.
func ParamsAction(mod *Module, field, name string, commands ...CLI) GovAction {
	return GovAction{
		Field: field, Name: name, Doc: "replace the " + mod.Name + " parameters",
		Apply: func(ctx exec.Context, m proto.Message) ([]abci.ValidatorUpdate, error) {
			r := m.ProtoReflect()
			pf := r.Descriptor().Fields().ByName("params")
			if pf == nil || pf.Message() == nil {
				return nil, fmt.Errorf("%s carries no params field", r.Descriptor().FullName())
			}
			if !r.Has(pf) {
				return nil, fmt.Errorf("%s parameters: none given", mod.Name)
			}
			return nil, SetParams(ctx, mod, r.Get(pf).Message().Interface())
		},
		Describe: func(proto.Message) string { return "replace the " + mod.Name + " parameters" },
		Commands: commands,
	}
}

// SetParams validates next as mod's parameters against ctx's state
// and stores what validation returns.
func SetParams(ctx exec.Context, mod *Module, next proto.Message) error {
	if want, got := mod.Params.New().ProtoReflect().Descriptor().FullName(), next.ProtoReflect().Descriptor().FullName(); want != got {
		return fmt.Errorf("%s parameters are %s, not %s", mod.Name, want, got)
	}
	p, err := mod.Params.Validate(ctx, proto.Clone(next))
	if err != nil {
		return fmt.Errorf("%s parameters: %v", mod.Name, err)
	}
	store.SetProto(ctx.KV(mod.Name), mod.Params.Key, p)
	return nil
}
