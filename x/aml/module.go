package aml

import (
	"bytes"
	"encoding/json"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/proto"

	amlv1 "github.com/ledgerd/ledgerd/proto/ledgerd/aml/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/module"
)

// Module is the AML module: it observes the wallets' flows (Monitor) and
// keeps the reports and alerts.
type Module struct {
	// params caches the decoded parameters, which every payment reads.
	params *store.ProtoCache[*amlv1.Params]
}

// New returns the AML module.
func New() *Module { return &Module{params: new(store.ProtoCache[*amlv1.Params])} }

// Module returns the AML module's registration.
func (mod *Module) Module() *module.Module {
	return &module.Module{
		Name: StoreName,
		Doc:  "anti-money-laundering records: large-value reports and velocity alerts, by day, bank and wallet",
		Genesis: &module.Genesis{
			Default: func() json.RawMessage {
				b, _ := json.Marshal(DefaultGenesis())
				return b
			},
			Init: func(ctx exec.Context, section json.RawMessage) ([]abci.ValidatorUpdate, error) {
				var g Genesis
				dec := json.NewDecoder(bytes.NewReader(section))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&g); err != nil {
					return nil, errcode.Wrap(ErrInvalidGenesis, "%v", err)
				}
				st, err := g.Validate()
				if err != nil {
					return nil, err
				}
				NewKeeper(ctx.KV(StoreName)).InitGenesis(st)
				return nil, nil
			},
		},
		Queries: []module.Query{
			{Path: "params", Doc: "the parameters (amlv1.Params)", Handle: func(s module.Stores, _ string, _ []byte) (proto.Message, error) {
				return NewView(s.Reader(StoreName)).Params(), nil
			}},
			{Path: KindReports + "/", Doc: "{day|bank|wallet}/<value>[/after/<id>]: a page of reports (amlv1.Reports)", Handle: queryList(KindReports)},
			{Path: KindAlerts + "/", Doc: "{day|bank|wallet}/<value>[/after/<id>]: a page of alerts (amlv1.Alerts)", Handle: queryList(KindAlerts)},
		},
		Params: &module.Params{
			Key: ParamsKey(),
			New: func() proto.Message { return new(amlv1.Params) },
			Doc: "large-value thresholds per denom, the velocity limit",
			Validate: func(_ exec.Context, next proto.Message) (proto.Message, error) {
				return ValidateParams(next.(*amlv1.Params))
			},
		},
		GovActions: []module.GovAction{{
			Field: "set_aml_params", Name: "set-aml-params", Doc: "replace the AML parameters",
			Apply: func(ctx exec.Context, m proto.Message) ([]abci.ValidatorUpdate, error) {
				p := m.(*govv1.SetAMLParams).GetParams()
				if p == nil {
					return nil, fmt.Errorf("AML parameters: none given")
				}
				next, err := ValidateParams(p)
				if err != nil {
					return nil, fmt.Errorf("AML parameters: %v", err)
				}
				NewKeeper(ctx.KV(StoreName)).SetParams(next)
				return nil, nil
			},
			Describe: func(proto.Message) string { return "replace the AML parameters" },
			Commands: []module.CLI{{
				Use:   "set-aml-params --file FILE",
				Short: "Replace the AML parameters (large-value thresholds, velocity limit)",
				Flags: []module.Flag{{Name: "file", File: true, Required: true, Usage: `JSON in the genesis "aml" section's format`}},
				Build: func(in module.Input) (proto.Message, error) {
					b, err := in.File("file")
					if err != nil {
						return nil, err
					}
					var g Genesis
					dec := json.NewDecoder(bytes.NewReader(b))
					dec.DisallowUnknownFields()
					if err := dec.Decode(&g); err != nil {
						return nil, fmt.Errorf("--file: %v", err)
					}
					st, err := g.Validate()
					if err != nil {
						return nil, err
					}
					return &govv1.SetAMLParams{Params: st.Params}, nil
				},
			}},
		}},
		Events: []module.Event{
			{Type: EventReport, Doc: "a large-value report was filed",
				Attrs:   []string{"id", "wallet", "bank", "day", "date", "direction", "denom", "amount", "threshold"},
				Indexed: []string{"wallet", "bank", "date"}},
			{Type: EventAlert, Doc: "a velocity alert was raised", Attrs: []string{"id", "wallet", "bank", "day", "date", "payments", "limit"},
				Indexed: []string{"wallet", "bank", "date"}},
		},
	}
}
