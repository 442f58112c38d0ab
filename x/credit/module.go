package credit

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/history"
	"github.com/ledgerd/ledgerd/x/module"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// lenderRule is the signer rule of a lender's messages: an operator of an
// active lender (the handler checks it is the line's or loan's).
type lenderRule struct{ mod *Module }

func (r lenderRule) Authorize(ctx exec.Context) error {
	_, err := r.mod.members(ctx).ActingMember(ctx.Signer, consortiumv1.Role_ROLE_LENDER)
	if err != nil {
		return errcode.Wrap(ErrNotLender, "%s: %v", ctx.Signer.Hex(), err)
	}
	return nil
}

func (lenderRule) Describe() string {
	return "an operator of the lender (an active member with the lender role)"
}

// ZoneGuard refuses a change of the consortium's time zone once a loan
// exists: due dates, days past due and month ends are counted in it.
func (mod *Module) ZoneGuard(ctx exec.Context) error {
	if NewView(ctx.KV(StoreName)).HasLoans() {
		return errcode.Wrap(ErrZoneLocked, "loans exist")
	}
	return nil
}

// Module returns the credit module's registration.
func (mod *Module) Module() *module.Module {
	lender := lenderRule{mod}
	borrower := ownerRule{"the borrower (the owner of the loan's or line's wallet)"}
	payer := ownerRule{"the borrower, or a guarantor paying from their own wallet"}
	return &module.Module{
		Name: StoreName,
		Doc:  "credit: lenders' products, lines offered and accepted, loans with their schedules, repayment, auto-debit, delinquency, classification, four-eyes actions, assignment, portfolios",
		Genesis: &module.Genesis{
			Default: DefaultGenesisJSON,
			Init:    mod.initGenesis,
		},
		Msgs: []module.Msg{
			module.NewMsg(lender, ValidateSetCreditProduct, mod.SetCreditProduct, module.CLI{
				Use:   "set-product ID --denom DENOM --kind KIND --method METHOD --rate-bps N --min-limit AMOUNT --max-limit AMOUNT --treasury ADDR ...",
				Short: "Create or replace a credit product of your bank (lender); lines already offered keep their terms",
				Long: `set-product defines a product: what a line of it lends (kind: revolving,
installment or bullet; denom), how it is repaid (method: equal_installments,
equal_principal, interest_only, bullet; accrual: monthly or daily; basis 360 or
365), its rate and penalty rate in basis points a year, the ranges an offer must
lie in (limit, term, rate), grace days, retry days of a failed auto-debit, the
order a repayment pays an installment's components, what a prepayment does
(shorten_term or lower_installment) and the treasury wallet that lends and is
repaid. The all-in rate (rate plus penalty over 365 days) must stay within the
consortium's cap (credit parameter max_all_in_bps, default 2400). Amounts are
in major units (250.00).`,
				Args: []string{"id"},
				Flags: []module.Flag{
					{Field: "name", Usage: "name for people"},
					{Field: "terms.kind", Name: "kind", Required: true, Usage: "revolving, installment or bullet"},
					{Field: "terms.denom", Name: "denom", Required: true, Usage: "what it lends"},
					{Field: "terms.method", Name: "method", Required: true, Usage: "equal_installments, equal_principal, interest_only or bullet"},
					{Field: "terms.accrual", Name: "accrual", Default: "monthly", Usage: "monthly (rate/12 a month) or daily (actual days over the basis)"},
					{Field: "terms.basis", Name: "basis", Default: "360", Usage: "day-count basis of daily interest and penalty: 360 or 365"},
					{Field: "terms.rate_bps", Name: "rate-bps", Required: true, Usage: "default annual rate, basis points"},
					{Field: "max_rate_bps", Required: true, Usage: "highest rate an offer may carry"},
					{Field: "terms.penalty_rate_bps", Name: "penalty-rate-bps", Usage: "extra annual rate on overdue principal, basis points"},
					{Field: "terms.term_months", Name: "term-months", Required: true, Usage: "default term"},
					{Field: "min_term_months", Required: true, Usage: "shortest term an offer may carry"},
					{Field: "max_term_months", Required: true, Usage: "longest term an offer may carry"},
					{Field: "min_limit", Required: true, Usage: "smallest limit an offer may carry"},
					{Field: "max_limit", Required: true, Usage: "largest limit an offer may carry"},
					{Field: "terms.grace_days", Name: "grace-days", Usage: "days after a due date a payment still counts as on time"},
					{Field: "terms.autodebit_retry_days", Name: "retry-days", Default: "3", Usage: "days a failed auto-debit is retried"},
					{Field: "terms.allocation", Name: "allocation", Usage: "order within an installment, e.g. penalty,interest,principal (the default)"},
					{Field: "terms.prepay_mode", Name: "prepay-mode", Default: "shorten_term", Usage: "shorten_term or lower_installment"},
					{Field: "terms.treasury", Name: "treasury", Required: true, Usage: "the lender's wallet that lends and is repaid"},
					{Field: "retired", Bool: true, Usage: "take no new offers"},
				}}),
			module.NewMsg(lender, ValidateOfferLine, mod.OfferLine, module.CLI{
				Use:   "offer BORROWER PRODUCT LIMIT DENOM --expires TIME --contract-hash HEX --subject HEX [--rate-bps N] [--term-months N] [--autodebit]",
				Short: "Offer a credit line on a product to a wallet owner, who must accept it",
				Args:  []string{"borrower", "product", "limit", "denom"},
				Flags: []module.Flag{
					{Field: "expires", Required: true, Usage: "when the offer lapses: RFC 3339, a date, or Unix seconds (within 90 days)"},
					{Field: "contract_hash", Required: true, Usage: "32-byte hex digest of the signed contract, kept off the ledger"},
					{Field: "subject", Required: true, Usage: "the borrower's 32-byte credit subject id (keyed hash of their ID number)"},
					{Field: "rate_bps", Usage: "annual rate, basis points (default: the product's)"},
					{Field: "term_months", Usage: "term (default: the product's)"},
					{Field: "autodebit", Bool: true, Usage: "ask the borrower to grant auto-debit"},
				},
				Report: reportAttr(EventLine, "line", "line %s offered: the borrower accepts it with 'ledgerd tx credit accept %s ...'")}),
			module.NewMsg(borrower, nil, mod.AcceptLine, module.CLI{
				Use:   "accept LINE LIMIT DENOM --rate-bps N --penalty-rate-bps N --term-months N --contract-hash HEX [--autodebit]",
				Short: "Accept a credit line offered to you, on the terms you repeat (your signature shows them)",
				Args:  []string{"line", "limit", "denom"},
				Flags: []module.Flag{
					{Field: "rate_bps", Required: true, Usage: "the offered rate"},
					{Field: "penalty_rate_bps", Usage: "the offered penalty rate"},
					{Field: "term_months", Required: true, Usage: "the offered term"},
					{Field: "contract_hash", Required: true, Usage: "the offered contract's hash"},
					{Field: "autodebit", Bool: true, Usage: "grant the pull of what falls due from your wallet"},
				}}),
			module.NewMsg(lender, ValidateSetLine, mod.SetLine, module.CLI{
				Use:   "set-line LINE ACTION --reason TEXT [LIMIT DENOM]",
				Short: "Reduce (new limit), freeze, unfreeze or close a line of your bank, with a reason",
				Args:  []string{"line", "action", "limit", "denom"},
				Flags: []module.Flag{{Field: "reason", Required: true, Usage: "why, for the record"}}}),
			module.NewMsg(borrower, ValidateDrawLoan, mod.DrawLoan, module.CLI{
				Use:    "draw LINE AMOUNT DENOM [--term-months N]",
				Short:  "Draw a loan on your line: the lender's treasury pays your wallet (the instant loan)",
				Args:   []string{"line", "amount", "denom"},
				Flags:  []module.Flag{{Field: "term_months", Usage: "a revolving line's draw may be shorter than the line's term"}},
				Report: reportAttr(EventDrawdown, "loan", "loan %s drawn: 'ledgerd query credit schedule %s' shows its installments")}),
			module.NewMsg(payer, ValidateRepayLoan, mod.RepayLoan, module.CLI{
				Use:   "repay LOAN AMOUNT DENOM",
				Short: "Pay what is due on a loan from your wallet (the borrower's, or a guarantor's)",
				Args:  []string{"loan", "amount", "denom"}}),
			module.NewMsg(payer, ValidatePrepayLoan, mod.PrepayLoan, module.CLI{
				Use:   "prepay LOAN AMOUNT DENOM",
				Short: "Pay what is due, interest to the day, and principal ahead of schedule",
				Args:  []string{"loan", "amount", "denom"}}),
			module.NewMsg(payer, nil, mod.SettleLoan, module.CLI{
				Use:   "settle LOAN MAX_AMOUNT DENOM",
				Short: "Pay a loan off today (interest to the day), or for an approved discount; refused if it costs more than MAX_AMOUNT",
				Args:  []string{"loan", "max_amount", "denom"}}),
			module.NewMsg(borrower, nil, mod.AuthorizeAutoDebit, module.CLI{
				Use: "auto-debit LOAN", Short: "Let the lender pull what falls due on your loan from your wallet",
				Args: []string{"loan"}}),
			module.NewMsg(borrower, nil, mod.RevokeAutoDebit, module.CLI{
				Use: "revoke-auto-debit LOAN", Short: "Withdraw the auto-debit of your loan",
				Args: []string{"loan"}}),
			module.NewMsg(lender, ValidateWriteOffLoan, mod.WriteOffLoan, module.CLI{
				Use:    "write-off LOAN --reason TEXT --expires TIME",
				Short:  "Propose writing a loan off (four eyes: a second operator approves); it stays owed and collectable",
				Args:   []string{"loan"},
				Flags:  []module.Flag{{Field: "reason", Required: true}, {Field: "expires", Required: true, Usage: "when the proposal lapses unapproved"}},
				Report: reportAttr(EventProposal, "pending", "proposal %s recorded: a second operator approves it with 'ledgerd tx credit approve LOAN %s'")}),
			module.NewMsg(lender, ValidateRestructureLoan, mod.RestructureLoan, module.CLI{
				Use:   "restructure LOAN --term-months N --rate-bps N --method METHOD --contract-hash HEX --reason TEXT --expires TIME",
				Short: "Propose a new schedule (four eyes, and the borrower accepts): what is unpaid is rescheduled from today",
				Args:  []string{"loan"},
				Flags: []module.Flag{
					{Field: "term_months", Required: true}, {Field: "rate_bps", Required: true},
					{Field: "method", Required: true, Usage: "equal_installments, equal_principal, interest_only or bullet"},
					{Field: "contract_hash", Required: true}, {Field: "reason", Required: true},
					{Field: "expires", Required: true, Usage: "when the proposal lapses"},
				},
				Report: reportAttr(EventProposal, "pending", "proposal %s recorded: a second operator approves it with 'ledgerd tx credit approve LOAN %s'")}),
			module.NewMsg(lender, ValidateClassifyLoan, mod.ClassifyLoan, module.CLI{
				Use:    "classify LOAN CLASS --reason TEXT --expires TIME",
				Short:  "Propose a worse class than the rules give (four eyes); unspecified lifts a manual class",
				Args:   []string{"loan", "class"},
				Flags:  []module.Flag{{Field: "reason", Required: true}, {Field: "expires", Required: true}},
				Report: reportAttr(EventProposal, "pending", "proposal %s recorded: a second operator approves it with 'ledgerd tx credit approve LOAN %s'")}),
			module.NewMsg(lender, ValidateOfferDiscount, mod.OfferDiscount, module.CLI{
				Use:    "offer-discount LOAN AMOUNT DENOM --reason TEXT --expires TIME",
				Short:  "Propose settling a loan for AMOUNT (four eyes); once approved the borrower settles for it",
				Args:   []string{"loan", "amount", "denom"},
				Flags:  []module.Flag{{Field: "reason", Required: true}, {Field: "expires", Required: true}},
				Report: reportAttr(EventProposal, "pending", "proposal %s recorded: a second operator approves it with 'ledgerd tx credit approve LOAN %s'")}),
			module.NewMsg(lender, nil, mod.ApproveLoanAction, module.CLI{
				Use: "approve LOAN PROPOSAL", Short: "Approve another operator's proposal on a loan of your bank (the checker)",
				Args: []string{"loan", "pending"}}),
			module.NewMsg(borrower, ValidateAcceptRestructure, mod.AcceptRestructure, module.CLI{
				Use:   "accept-restructure LOAN PROPOSAL --term-months N --rate-bps N --method METHOD --contract-hash HEX",
				Short: "Accept a proposed restructuring of your loan, repeating its figures",
				Args:  []string{"loan", "pending"},
				Flags: []module.Flag{{Field: "term_months", Required: true}, {Field: "rate_bps", Required: true},
					{Field: "method", Required: true}, {Field: "contract_hash", Required: true}}}),
			module.NewMsg(lender, ValidateAssignLoan, mod.AssignLoan, module.CLI{
				Use:   "assign LOAN TO PRICE DENOM --contract-hash HEX",
				Short: "Propose selling a loan of your bank to another lender",
				Args:  []string{"loan", "to", "price", "denom"},
				Flags: []module.Flag{{Field: "contract_hash", Required: true}}}),
			module.NewMsg(lender, ValidateAcceptAssignment, mod.AcceptAssignment, module.CLI{
				Use:   "accept-assignment LOAN PRICE DENOM --treasury ADDR",
				Short: "Accept buying a loan (the buyer), naming the wallet the borrower will repay",
				Args:  []string{"loan", "price", "denom"},
				Flags: []module.Flag{{Field: "treasury", Required: true}}}),
			module.NewMsg(lender, ValidateNotifyAssignment, mod.NotifyAssignment, module.CLI{
				Use:   "notify-assignment LOAN --notice-hash HEX",
				Short: "Record the notice of an accepted assignment to the borrower: the debt moves to the buyer",
				Args:  []string{"loan"},
				Flags: []module.Flag{{Field: "notice_hash", Required: true, Usage: "32-byte hex digest of the notice sent"}}}),
			module.NewMsg(lender, ValidatePayWithAssets, mod.PayWithAssets, module.CLI{
				Use:   "pay-with-assets LOAN VALUE DENOM --reference REF",
				Short: "Record assets taken against a loan: what is due, or a settlement (report code Z)",
				Args:  []string{"loan", "value", "denom"},
				Flags: []module.Flag{{Field: "reference", Required: true}}}),
			module.NewMsg(lender, ValidateAttestSubject, mod.AttestSubject, module.CLI{
				Use:   "attest-subject WALLET SUBJECT",
				Short: "Attest that a wallet belongs to a credit subject (the 32-byte keyed hash of the owner's ID number), as a lender",
				Args:  []string{"wallet", "subject"},
				Report: func(module.Result) module.Report {
					return module.Report{Lines: []string{"attested: the wallet's loans now count in the subject's report"}}
				}}),
			module.NewMsg(ownerRule{"a wallet attested to the credit subject (the person)"}, ValidateGrantConsent, mod.GrantConsent, module.CLI{
				Use:   "consent LENDER PURPOSE --expires TIME",
				Short: "Consent that a lender enquire into your credit report for a purpose (loan_approval, card_approval, guarantee_review) until a time",
				Args:  []string{"lender", "purpose"},
				Flags: []module.Flag{{Field: "expires", Required: true, Usage: "when the consent lapses: RFC 3339, a date, or Unix seconds (within a year)"}}}),
			module.NewMsg(lender, ValidateEnquire, mod.Enquire, module.CLI{
				Use:    "enquire SUBJECT PURPOSE",
				Short:  "Record an enquiry into a person's credit report (with their consent, or post_loan as their lender); your bank may then read it",
				Args:   []string{"subject", "purpose"},
				Report: reportAttr(EventEnquiry, "seq", "enquiry %s recorded: read the report with 'ledgerd query credit report SUBJECT --as KEY' (%s)")}),
			module.NewMsg(ownerRule{"a wallet of the loan's credit subject"}, ValidateDispute, mod.Dispute, module.CLI{
				Use:   "dispute LOAN --reason TEXT --evidence-hash HEX [--month YYYY-MM-DD]",
				Short: "Dispute a loan's record (a month's code, or the whole record); its lender must answer within dispute_days",
				Args:  []string{"loan"},
				Flags: []module.Flag{
					{Field: "reason", Required: true, Usage: "what is wrong"},
					{Field: "evidence_hash", Required: true, Usage: "32-byte hex digest of the evidence, kept off the ledger"},
					{Field: "month", Usage: "a day of the disputed month (default: the whole record)"},
				},
				Report: reportAttr(EventDispute, "dispute", "dispute %s opened: the lender answers it with 'ledgerd tx credit answer-dispute %s ...'")}),
			module.NewMsg(lender, ValidateAnswerDispute, mod.AnswerDispute, module.CLI{
				Use:   "answer-dispute DISPUTE --answer TEXT [--correct --correction CODE]",
				Short: "Answer a dispute of a loan of your bank: a correction (a new entry beside the fixed code) or a reasoned rejection",
				Args:  []string{"dispute"},
				Flags: []module.Flag{
					{Field: "answer", Required: true, Usage: "the reasons"},
					{Field: "correct", Bool: true, Usage: "accept the dispute and record a correction"},
					{Field: "correction", Usage: "the code the month should read (with --correct)"},
				}}),
		},
		BeginBlock: mod.BeginBlock,
		Queries:    append(mod.queries(), mod.reportQueries()...),
		Private:    mod.Private,
		Params: &module.Params{
			Key: ParamsKey(),
			New: func() proto.Message { return new(creditv1.Params) },
			Doc: "the all-in rate cap, reminder days, the sweep's batch, four-eyes expiry, the longest term",
			Validate: func(_ exec.Context, next proto.Message) (proto.Message, error) {
				return ValidateParams(next.(*creditv1.Params))
			},
		},
		Invariants: []module.Invariant{{Name: "portfolios", Check: func(s module.Stores) error {
			return CheckPortfolios(s.Reader(StoreName))
		}}},
		Events: events,
		Histories: []module.HistorySubject{{
			Name: HistorySubject, Doc: "a loan's history: drawdown, due dates, repayments and their allocation, auto-debits, notices, status and class changes, proposals and approvals, restructuring, write-off, assignment",
			Key: func(id []byte) []byte {
				if len(id) != 8 {
					return nil
				}
				return append([]byte{prefixLoan}, id...)
			},
			Chain: func(value []byte) (history.Chain, error) {
				l := new(creditv1.Loan)
				if err := proto.Unmarshal(value, l); err != nil {
					return history.Chain{}, fmt.Errorf("loan record: %w", err)
				}
				return history.Chain{Count: l.HistoryCount, Head: l.HistoryHead}, nil
			},
			Decode:  func(data []byte) (proto.Message, error) { return DecodeLoanEntry(data) },
			ParseID: ParseLoanID,
		}},
	}
}

// ownerRule is the wallet module's owner rule with the credit module's
// words for who signs.
type ownerRule struct{ doc string }

func (ownerRule) Authorize(ctx exec.Context) error { return wallet.Owner.Authorize(ctx) }
func (r ownerRule) Describe() string               { return r.doc }

// reportAttr reports the value of attribute key of the transaction's first
// event kind, in a field and a line (format takes the value twice).
func reportAttr(kind, key, format string) func(module.Result) module.Report {
	return func(r module.Result) module.Report {
		v := r.Attr(kind, key)
		if v == "" {
			return module.Report{}
		}
		return module.Report{Fields: map[string]any{key: v}, Lines: []string{fmt.Sprintf(format, v, v)}}
	}
}
