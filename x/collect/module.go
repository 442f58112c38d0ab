package collect

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/history"
	"github.com/ledgerd/ledgerd/x/module"
)

// Module returns the collection module's registration.
func (mod *Module) Module() *module.Module {
	acting := collectorRule{mod}
	lender := roleRule{mod, consortiumv1.Role_ROLE_LENDER, ErrNotLender, "an operator of the case's lender"}
	regulator := roleRule{mod, consortiumv1.Role_ROLE_REGULATOR, ErrNotRegulator, "an operator of a regulator"}
	borrower := ownerRule{"the borrower (the owner of the wallet)"}
	return &module.Module{
		Name: StoreName,
		Doc:  "collect: collection cases of delinquent loans, stages, delegation to agencies, permits to contact within the rules, outcomes, promises to pay, complaints and rulings, statistics",
		Genesis: &module.Genesis{
			Default: DefaultGenesisJSON,
			Init:    mod.initGenesis,
		},
		Msgs: []module.Msg{
			module.NewMsg(lender, ValidateDelegateCase, mod.DelegateCase, module.CLI{
				Use:   "delegate CASE [COLLECTOR --until TIME]",
				Short: "Delegate a case of your bank to a collection agency (a member with the collector role) until a time; without COLLECTOR, end the delegation",
				Args:  []string{"case", "collector"},
				Flags: []module.Flag{{Field: "until", Usage: "when the delegation ends: RFC 3339, a date, or Unix seconds"}}}),
			module.NewMsg(lender, ValidateEscalateCase, mod.EscalateCase, module.CLI{
				Use:   "escalate CASE STAGE --reason TEXT",
				Short: "Move a case to a later stage (mid or late) than its days past due give, with a reason",
				Args:  []string{"case", "stage"},
				Flags: []module.Flag{{Field: "reason", Required: true}}}),
			module.NewMsg(acting, ValidateRequestPermit, mod.RequestPermit, module.CLI{
				Use:   "permit CASE CHANNEL [--contact HASH]",
				Short: "Ask for a permit to contact the borrower (or a contact they authorised) by call, sms, visit or letter now; refused with its code when a rule forbids it",
				Args:  []string{"case", "channel"},
				Flags: []module.Flag{{Field: "contact", Usage: "32-byte hex hash of an authorised contact (default: the borrower)"}},
				Report: func(r module.Result) module.Report {
					id, deadline := r.Attr(EventPermit, "permit"), r.Attr(EventPermit, "deadline")
					if id == "" {
						return module.Report{}
					}
					return module.Report{Fields: map[string]any{"permit": id, "deadline": deadline},
						Lines: []string{fmt.Sprintf("permit %s granted until %s (Unix); record its outcome with 'ledgerd tx collect outcome %s RESULT EVIDENCE_HASH'", id, deadline, id)}}
				}}),
			module.NewMsg(acting, ValidateRecordOutcome, mod.RecordOutcome, module.CLI{
				Use:   "outcome PERMIT RESULT EVIDENCE_HASH",
				Short: "Record the outcome of a permitted contact by the permit's deadline: a result and the hash of its evidence",
				Args:  []string{"permit", "result", "evidence_hash"}}),
			module.NewMsg(acting, ValidatePromiseToPay, mod.PromiseToPay, module.CLI{
				Use:   "promise CASE AMOUNT DENOM --due DATE",
				Short: "Record the borrower's promise to pay AMOUNT by a day; the borrower confirms it",
				Args:  []string{"case", "amount", "denom"},
				Flags: []module.Flag{{Field: "due", Required: true, Usage: "the last day, YYYY-MM-DD"}}}),
			module.NewMsg(borrower, nil, mod.ConfirmPromise, module.CLI{
				Use:   "confirm-promise CASE SEQ AMOUNT DENOM --due DATE",
				Short: "Confirm a promise to pay recorded on your case, repeating its figures",
				Args:  []string{"case", "seq", "amount", "denom"},
				Flags: []module.Flag{{Field: "due", Required: true, Usage: "the promised day, YYYY-MM-DD"}}}),
			module.NewMsg(acting, ValidateOfferPlan, mod.OfferPlan, module.CLI{
				Use:   "offer-plan CASE --reason TEXT --expires TIME (--term-months N --rate-bps N --method METHOD --contract-hash HEX | --settle-amount AMOUNT --denom DENOM)",
				Short: "Offer the borrower of a case a repayment plan (the loan's new terms) or a settlement at a discount, until a time (30 days at most); the borrower accepts it",
				Args:  []string{"case"},
				Flags: []module.Flag{{Field: "reason", Required: true}, {Field: "expires", Required: true},
					{Field: "term_months"}, {Field: "rate_bps"},
					{Field: "method", Usage: "equal_installments, equal_principal, interest_only or bullet"},
					{Field: "contract_hash", Usage: "32-byte hex hash of the plan's contract"},
					{Field: "denom", Usage: "a settlement's currency"}, {Field: "settle_amount", Usage: "a settlement: the amount that closes the loan"}},
				Report: func(r module.Result) module.Report {
					seq, kind := r.Attr(EventPlan, "seq"), r.Attr(EventPlan, "kind")
					if seq == "" {
						return module.Report{}
					}
					next := "'ledgerd tx collect accept-plan CASE " + seq + " ...'"
					if kind == "settlement" {
						next = "'ledgerd tx collect settle CASE " + seq + " AMOUNT DENOM'"
					}
					return module.Report{Fields: map[string]any{"seq": seq, "kind": kind},
						Lines: []string{fmt.Sprintf("%s %s offered; the borrower accepts it with %s", kind, seq, next)}}
				}}),
			module.NewMsg(borrower, nil, mod.AcceptPlan, module.CLI{
				Use:   "accept-plan CASE SEQ --term-months N --rate-bps N --method METHOD --contract-hash HEX",
				Short: "Accept the repayment plan offered on your case, repeating its terms: your loan is restructured to them",
				Args:  []string{"case", "seq"},
				Flags: []module.Flag{{Field: "term_months", Required: true}, {Field: "rate_bps", Required: true},
					{Field: "method", Required: true}, {Field: "contract_hash", Required: true}}}),
			module.NewMsg(borrower, nil, mod.SettleCase, module.CLI{
				Use:   "settle CASE SEQ AMOUNT DENOM",
				Short: "Accept the settlement offered on your case: pay its amount from your wallet and the loan ends settled at a discount",
				Args:  []string{"case", "seq", "amount", "denom"}}),
			module.NewMsg(lender, ValidateDelegatePortfolio, mod.DelegatePortfolio, module.CLI{
				Use:   "delegate-portfolio CLASS [COLLECTOR --until TIME]",
				Short: "Delegate every open case of your bank whose loan has a class (normal, special_mention, substandard, doubtful, loss), and those opening in it, to a collection agency until a time; without COLLECTOR, end it",
				Args:  []string{"class", "collector"},
				Flags: []module.Flag{{Field: "until", Usage: "when the delegation ends: RFC 3339, a date, or Unix seconds"}}}),
			module.NewMsg(borrower, ValidateAuthorizeContact, mod.AuthorizeContact, module.CLI{
				Use:   "authorize-contact CONTACT_HASH --relation TEXT [--revoke]",
				Short: "Let collectors contact a person about your debts (by the hash of who they are and their number), or withdraw it",
				Args:  []string{"contact"},
				Flags: []module.Flag{{Field: "relation", Usage: "who they are to you"}, {Field: "revoke", Bool: true, Usage: "withdraw the authorisation"}}}),
			module.NewMsg(borrower, ValidateCeaseContact, mod.CeaseContact, module.CLI{
				Use:   "cease LENDER CHANNEL [--resume]",
				Short: "Ask a lender and its agencies to stop contacting you by call, sms or visit (letters stay allowed), or lift it",
				Args:  []string{"lender", "channel"},
				Flags: []module.Flag{{Field: "resume", Bool: true, Usage: "lift the request"}}}),
			module.NewMsg(borrower, ValidateFileComplaint, mod.FileComplaint, module.CLI{
				Use:   "complain LENDER TIME CHANNEL EVIDENCE_HASH",
				Short: "Complain of a contact by a lender or its agency at a time by a channel; the ledger records whether a permit covered it",
				Args:  []string{"lender", "time", "channel", "evidence_hash"}}),
			module.NewMsg(regulator, ValidateRuleComplaint, mod.RuleComplaint, module.CLI{
				Use:   "rule-complaint COMPLAINT --reason TEXT [--upheld]",
				Short: "Rule on a complaint (regulator): upheld or dismissed, with the reason",
				Args:  []string{"complaint"},
				Flags: []module.Flag{{Field: "reason", Required: true}, {Field: "upheld", Bool: true, Usage: "uphold it (default: dismiss)"}}}),
			module.NewMsg(regulator, ValidateSuspendCollector, mod.SuspendCollector, module.CLI{
				Use:   "suspend-collector COLLECTOR --reason TEXT [--lift]",
				Short: "Suspend a collection agency from every case (regulator), or lift the suspension",
				Args:  []string{"collector"},
				Flags: []module.Flag{{Field: "reason", Required: true}, {Field: "lift", Bool: true, Usage: "lift the suspension"}}}),
		},
		BeginBlock: mod.BeginBlock,
		Queries:    mod.queries(),
		Private:    mod.Private,
		Params: &module.Params{
			Key: ParamsKey(),
			New: func() proto.Message { return new(collectv1.Params) },
			Doc: "when a case opens, the stages' days, contact hours, permit window, caps per channel, the sweep's batch, delegation and complaint periods",
			Validate: func(_ exec.Context, next proto.Message) (proto.Message, error) {
				return ValidateParams(next.(*collectv1.Params))
			},
		},
		Invariants: []module.Invariant{{Name: "cases", Check: func(s module.Stores) error {
			return CheckCases(s.Reader(StoreName))
		}}},
		Events: events,
		Histories: []module.HistorySubject{{
			Name: HistorySubject, Doc: "a collection case's history: opening, stages, delegation, permits and outcomes, promises, repayments, assignment, write-off, closing",
			Key: func(id []byte) []byte {
				if len(id) != 8 {
					return nil
				}
				return append([]byte{prefixCase}, id...)
			},
			Chain: func(value []byte) (history.Chain, error) {
				c := new(collectv1.Case)
				if err := proto.Unmarshal(value, c); err != nil {
					return history.Chain{}, fmt.Errorf("case record: %w", err)
				}
				return history.Chain{Count: c.HistoryCount, Head: c.HistoryHead}, nil
			},
			Decode:  func(data []byte) (proto.Message, error) { return DecodeCaseEntry(data) },
			ParseID: ParseCaseID,
		}},
	}
}
