package settle

import (
	"encoding/json"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/module"
)

// Genesis is the settle section of the genesis file: the parameters in
// protobuf's JSON mapping, e.g.
//
//	{"params": {"agent": "cnaps", "deadlineDays": 1, "caps": [{"bank": "bank-a", "denom": "CNY", "cap": "500000000"}],
//	  "holidays": ["20362"], "workingDays": ["20359"]}}
//
// (days counted from 1970-01-01: 20362 is 2025-10-01, a holiday, 20359 is
// Sunday 2025-09-28, a working day). Absent params take the defaults.
// Cycles start empty.
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
	params, err = ValidateParams(params, mod.members(ctx))
	if err != nil {
		return nil, errcode.Wrap(ErrInvalidGenesis, "params: %v", err)
	}
	k := NewKeeper(ctx.KV(StoreName))
	k.set(ParamsKey(), params)
	// The first daily close is on the first business day after genesis.
	k.setLastDaily(mod.today(ctx))
	return nil, nil
}
