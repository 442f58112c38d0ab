package collect

import (
	"encoding/json"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/module"
)

// Genesis is the collect section of the genesis file: the parameters, in
// protobuf's JSON mapping ({"params": {"openDaysPastDue": 1, ...}}).
// Absent params take the defaults; cases come only from loans.
type Genesis struct {
	Params json.RawMessage `json:"params,omitempty"`
}

// DefaultGenesisJSON is the section a genesis without one gets.
func DefaultGenesisJSON() json.RawMessage {
	b, _ := protojson.Marshal(DefaultParams())
	out, _ := json.Marshal(Genesis{Params: b})
	return out
}

func (mod *Module) initGenesis(ctx exec.Context, section json.RawMessage) ([]abci.ValidatorUpdate, error) {
	var g Genesis
	if err := module.DecodeSection(section, &g); err != nil {
		return nil, errcode.Wrap(ErrInvalidGenesis, "%v", err)
	}
	params, err := module.GenesisParams(g.Params, DefaultParams())
	if err != nil {
		return nil, errcode.Wrap(ErrInvalidGenesis, "%v", err)
	}
	if _, err := ValidateParams(params); err != nil {
		return nil, errcode.Wrap(ErrInvalidGenesis, "params: %v", err)
	}
	k := NewKeeper(ctx.KV(StoreName))
	k.setProto(ParamsKey(), params)
	k.mark(dayCountsMark)
	return nil, nil
}
