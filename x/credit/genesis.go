package credit

import (
	"encoding/json"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/module"
)

// Genesis is the credit section of the genesis file: the parameters and
// the lenders' products, in protobuf's JSON mapping (amounts in minor
// units, as strings):
//
//	{"params": {"maxAllInBps": 2400, ...},
//	 "products": [{"lender": "bank-a", "id": "instant-12m", "terms": {...}, ...}]}
//
// Absent params take the defaults. Lines and loans start empty: they come
// only from the borrowers' and lenders' signatures.
type Genesis struct {
	Params   json.RawMessage   `json:"params,omitempty"`
	Products []json.RawMessage `json:"products,omitempty"`
}

// DefaultGenesisJSON is the section a genesis without one gets.
func DefaultGenesisJSON() json.RawMessage {
	b, _ := protojson.Marshal(DefaultParams())
	out, _ := json.Marshal(Genesis{Params: b})
	return out
}

// initGenesis checks the section and writes it. Products are checked as a
// lender's MsgSetCreditProduct would be, against the members and wallets
// the modules before wrote.
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
	for i, raw := range g.Products {
		p := new(creditv1.Product)
		if err := protojson.Unmarshal(raw, p); err != nil {
			return nil, errcode.Wrap(ErrInvalidGenesis, "product %d: %v", i, err)
		}
		msg := &creditv1.MsgSetCreditProduct{Id: p.Id, Name: p.Name, Terms: p.Terms, MinLimit: p.MinLimit, MaxLimit: p.MaxLimit,
			MinTermMonths: p.MinTermMonths, MaxTermMonths: p.MaxTermMonths, MaxRateBps: p.MaxRateBps, Retired: p.Retired}
		if err := ValidateSetCreditProduct(msg); err != nil {
			return nil, errcode.Wrap(ErrInvalidGenesis, "product %d (%s/%s): %v", i, p.Lender, p.Id, err)
		}
		if _, err := k.Product(p.Lender, p.Id); err == nil {
			return nil, errcode.Wrap(ErrInvalidGenesis, "product %s/%s listed twice", p.Lender, p.Id)
		}
		if err := mod.checkProduct(ctx, params, p.Lender, msg); err != nil {
			return nil, errcode.Wrap(ErrInvalidGenesis, "product %d (%s/%s): %v", i, p.Lender, p.Id, err)
		}
		k.setProto(ProductKey(p.Lender, p.Id), proto.Clone(p))
	}
	return nil, nil
}
