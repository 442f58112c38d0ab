package credit

import (
	"encoding/hex"
	"strconv"
	"strings"

	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/module"
)

// Event types the credit module emits, for the banks' notification
// systems and for searches. Ids, parties and days are indexed; amounts
// and reasons are not.
const (
	EventProduct       = "credit_product"
	EventLine          = "credit_line"
	EventDrawdown      = "credit_drawdown"
	EventRepayment     = "credit_repayment"
	EventAutoDebit     = "credit_autodebit"
	EventLoan          = "credit_loan"
	EventReminder      = "credit_reminder"
	EventOverdueNotice = "credit_overdue_notice"
	EventProposal      = "credit_proposal"
	EventAssignment    = "credit_assignment"
	EventSubject       = "credit_subject"
	EventConsent       = "credit_consent"
	EventEnquiry       = "credit_enquiry"
	EventDispute       = "credit_dispute"
)

var events = []module.Event{
	{Type: EventSubject, Doc: "a lender attested a wallet to a credit subject", Attrs: []string{"wallet", "lender"}, Indexed: []string{"wallet", "lender"}},
	{Type: EventConsent, Doc: "a subject consented that a lender enquire", Attrs: []string{"wallet", "lender", "purpose", "expires"},
		Indexed: []string{"wallet", "lender"}},
	{Type: EventEnquiry, Doc: "a lender recorded an enquiry into a subject's report", Attrs: []string{"lender", "purpose", "seq"}, Indexed: []string{"lender"}},
	{Type: EventDispute, Doc: "a borrower disputed a loan's record, or its lender answered", Attrs: []string{"dispute", "loan", "lender", "status"},
		Indexed: []string{"dispute", "loan", "lender"}},
	{Type: EventProduct, Doc: "a lender set a product", Attrs: []string{"lender", "product", "retired"}, Indexed: []string{"lender", "product"}},
	{Type: EventLine, Doc: "a line was offered, accepted, reduced, frozen, unfrozen, closed or lapsed",
		Attrs: []string{"line", "lender", "borrower", "status", "limit", "reason"}, Indexed: []string{"line", "lender", "borrower", "status"}},
	{Type: EventDrawdown, Doc: "a loan was drawn into the borrower's wallet",
		Attrs: []string{"loan", "line", "lender", "borrower", "denom", "amount", "installments"}, Indexed: []string{"loan", "line", "lender", "borrower"}},
	{Type: EventRepayment, Doc: "a loan was repaid (repay, prepay, settle, auto-debit, assets), with the allocation",
		Attrs: []string{"loan", "lender", "payer", "kind", "denom", "amount", "penalty", "interest", "principal"}, Indexed: []string{"loan", "lender", "payer"}},
	{Type: EventAutoDebit, Doc: "an auto-debit pull was tried: ok, or why it failed",
		Attrs: []string{"loan", "lender", "borrower", "denom", "amount", "result"}, Indexed: []string{"loan", "lender", "borrower"}},
	{Type: EventLoan, Doc: "a loan's status or class changed", Attrs: []string{"loan", "lender", "borrower", "status", "class"},
		Indexed: []string{"loan", "lender", "borrower", "status"}},
	{Type: EventReminder, Doc: "a borrower notice: an installment falls due in reminder_days days",
		Attrs: []string{"loan", "borrower", "lender", "installment", "due", "amount", "denom"}, Indexed: []string{"loan", "borrower", "lender", "due"}},
	{Type: EventOverdueNotice, Doc: "a borrower notice: the first day past due of an installment",
		Attrs: []string{"loan", "borrower", "lender", "installment", "due", "amount", "denom"}, Indexed: []string{"loan", "borrower", "lender", "due"}},
	{Type: EventProposal, Doc: "a four-eyes proposal on a loan was made, approved, accepted by the borrower, applied or lapsed",
		Attrs: []string{"loan", "lender", "pending", "action", "state", "by", "reason"}, Indexed: []string{"loan", "lender"}},
	{Type: EventAssignment, Doc: "a loan's assignment was proposed, accepted by the buyer, or notified to the borrower",
		Attrs: []string{"loan", "from", "to", "state", "new_loan"}, Indexed: []string{"loan", "from", "to"}},
}

func idString(id uint64) string { return strconv.FormatUint(id, 10) }

func hexAddr(b []byte) string { return "0x" + hex.EncodeToString(b) }

// statusName is a status's short name ("overdue").
func statusName(s creditv1.LoanStatus) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "LOAN_STATUS_"))
}

// className is a class's short name ("special_mention").
func className(c creditv1.Class) string {
	return strings.ToLower(strings.TrimPrefix(c.String(), "CLASS_"))
}

func lineStatusName(s creditv1.LineStatus) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "LINE_STATUS_"))
}

// enumName is an enum value's name without its prefix, in lower case.
func enumName(name, prefix string) string { return strings.ToLower(strings.TrimPrefix(name, prefix)) }
