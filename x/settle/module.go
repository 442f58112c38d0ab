package settle

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	settlev1 "github.com/ledgerd/ledgerd/proto/ledgerd/settle/v1"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/history"
	"github.com/ledgerd/ledgerd/x/module"
)

// memberRule is the signer rule of settlement messages: an operator of an
// active member; the handler checks it is the right one (the leg's payer or
// payee, an issuer or the agent).
type memberRule struct {
	mod *Module
	doc string
}

func (r memberRule) Authorize(ctx exec.Context) error {
	_, err := r.mod.members(ctx).Acting(ctx.Signer)
	return err
}

func (r memberRule) Describe() string { return r.doc }

// Module returns the settle module's registration.
func (mod *Module) Module() *module.Module {
	return &module.Module{
		Name:    StoreName,
		Doc:     "interbank settlement: cycles fixing the banks' net positions, legs paid through the settlement agent or bilaterally and confirmed, caps, deadlines, disputes",
		Genesis: &module.Genesis{Default: DefaultGenesisJSON, Init: mod.initGenesis},
		Msgs: []module.Msg{
			module.NewMsg(memberRule{mod, "an operator of an active issuer, or of the settlement agent (not bilateral)"}, ValidateCloseCycle, mod.CloseCycle, module.CLI{
				Use:   "close-cycle DENOM [--with BANK]",
				Short: "Close an extra settlement cycle of DENOM now: through the agent, or bilaterally with BANK",
				Long: `close-cycle fixes every bank's net position in DENOM (its position less what
open legs of earlier cycles settle) and creates the legs: each net debtor pays
the settlement agent, the agent pays each net creditor. With --with BANK, only
your bank and BANK settle, directly: if one owes and the other is owed, the
debtor pays the creditor the smaller of the two nets. Daily cycles close by
themselves at the first block of each business day when an agent is set.`,
				Args:   []string{"denom"},
				Flags:  []module.Flag{{Field: "with", Usage: "member id of the other bank of a bilateral cycle"}},
				Report: reportCycle}),
			module.NewMsg(memberRule{mod, "an operator of the leg's payer"}, ValidatePaySettlement, mod.PaySettlement, module.CLI{
				Use:   "pay CYCLE LEG --reference REF",
				Short: "Record your bank's off-ledger payment of a leg (the large-value transfer's reference)",
				Args:  []string{"cycle", "leg"},
				Flags: []module.Flag{{Field: "reference", Required: true, Usage: "the reference of the large-value payment system's transfer"}}}),
			module.NewMsg(memberRule{mod, "an operator of the leg's payee"}, ValidateConfirmSettlement, mod.ConfirmSettlement, module.CLI{
				Use:   "confirm CYCLE LEG",
				Short: "Confirm receipt of a leg's payment (payee): the leg's amount of issuance moves from payer to you",
				Args:  []string{"cycle", "leg"}}),
			module.NewMsg(memberRule{mod, "an operator of the leg's payee"}, ValidateDisputeSettlement, mod.DisputeSettlement, module.CLI{
				Use:   "dispute CYCLE LEG --reason TEXT",
				Short: "Dispute a leg's recorded payment (payee): recorded, escalated to the regulators; the payer records a payment again",
				Args:  []string{"cycle", "leg"},
				Flags: []module.Flag{{Field: "reason", Required: true, Usage: "what is wrong with the payment (not received, wrong amount)"}}}),
		},
		BeginBlock: mod.BeginBlock,
		Queries:    queries(),
		Params: &module.Params{
			Key: ParamsKey(),
			New: func() proto.Message { return new(settlev1.Params) },
			Doc: "the settlement agent, net debit caps, the deadline in business days, holidays and working days, the sweep's batch",
			Validate: func(ctx exec.Context, next proto.Message) (proto.Message, error) {
				return ValidateParams(next.(*settlev1.Params), mod.members(ctx))
			},
		},
		Invariants: []module.Invariant{{Name: "cycles", Check: func(s module.Stores) error { return Invariant(s.Reader(StoreName)) }}},
		Events:     events,
		Histories: []module.HistorySubject{{
			Name: HistorySubject, Doc: "a settlement cycle's history: its close, every leg due, paid, confirmed, disputed or late, breaches and their lifting, settlement",
			Key: func(id []byte) []byte { return append([]byte{prefixCycle}, id...) },
			Chain: func(value []byte) (history.Chain, error) {
				c := new(settlev1.Cycle)
				if err := proto.Unmarshal(value, c); err != nil {
					return history.Chain{}, fmt.Errorf("cycle record: %w", err)
				}
				return history.Chain{Count: c.HistoryCount, Head: c.HistoryHead}, nil
			},
			Decode:  func(data []byte) (proto.Message, error) { return DecodeCycleEntry(data) },
			ParseID: ParseCycleID,
		}},
	}
}

// reportCycle says which cycle a close-cycle created.
func reportCycle(r module.Result) module.Report {
	id := r.Attr("settle_cycle_closed", "cycle")
	if id == "" {
		return module.Report{}
	}
	legs := r.Attr("settle_cycle_closed", "legs")
	return module.Report{Fields: map[string]any{"cycle": id, "legs": legs},
		Lines: []string{fmt.Sprintf("cycle %s closed with %s legs: 'ledgerd query settle legs %s' lists them", id, legs, id)}}
}
