package collect

import (
	"encoding/hex"
	"strconv"
	"strings"

	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	"github.com/ledgerd/ledgerd/x/module"
)

// Event types the collection module emits, for the banks' and agencies'
// systems and for searches. Ids, parties, stages and channels are
// indexed; reasons and hashes are not.
const (
	EventCase       = "collect_case"
	EventDelegation = "collect_delegation"
	EventPermit     = "collect_permit"
	EventOutcome    = "collect_outcome"
	EventPromise    = "collect_promise"
	EventContact    = "collect_contact"
	EventCease      = "collect_cease"
	EventComplaint  = "collect_complaint"
	EventSuspension = "collect_suspension"
	EventPlan       = "collect_plan"
	EventPortfolio  = "collect_portfolio"
)

var events = []module.Event{
	{Type: EventCase, Doc: "a case opened, changed stage (by days past due, escalation or write-off), followed its loan to a new lender, or closed",
		Attrs: []string{"case", "loan", "lender", "borrower", "status", "stage", "reason"}, Indexed: []string{"case", "loan", "lender", "borrower", "stage"}},
	{Type: EventDelegation, Doc: "a lender delegated a case to a collector until a time, or ended the delegation",
		Attrs: []string{"case", "lender", "collector", "until"}, Indexed: []string{"case", "lender", "collector"}},
	{Type: EventPermit, Doc: "a permit to contact was granted (or its deadline passed without an outcome: missed)",
		Attrs:   []string{"permit", "case", "lender", "collector", "borrower", "channel", "deadline", "state"},
		Indexed: []string{"permit", "case", "lender", "collector", "borrower", "channel"}},
	{Type: EventOutcome, Doc: "the outcome of a permitted contact was recorded", Attrs: []string{"permit", "case", "lender", "collector", "result"},
		Indexed: []string{"permit", "case", "lender", "collector"}},
	{Type: EventPromise, Doc: "a promise to pay was proposed, confirmed by the borrower, kept or broken",
		Attrs: []string{"case", "lender", "borrower", "seq", "state", "amount", "denom", "due"}, Indexed: []string{"case", "lender", "borrower", "state"}},
	{Type: EventContact, Doc: "a borrower authorised a contact, or withdrew it", Attrs: []string{"borrower", "contact", "state"}, Indexed: []string{"borrower"}},
	{Type: EventCease, Doc: "a borrower asked a lender to cease contact by a channel, or lifted it", Attrs: []string{"borrower", "lender", "channel", "state"},
		Indexed: []string{"borrower", "lender"}},
	{Type: EventComplaint, Doc: "a borrower filed a complaint, or a regulator ruled on it",
		Attrs: []string{"complaint", "borrower", "lender", "collector", "permit", "status"}, Indexed: []string{"complaint", "borrower", "lender", "collector", "status"}},
	{Type: EventPlan, Doc: "a repayment plan or a settlement was offered on a case, or accepted by the borrower",
		Attrs: []string{"case", "lender", "borrower", "seq", "kind", "state"}, Indexed: []string{"case", "lender", "borrower", "state"}},
	{Type: EventPortfolio, Doc: "a lender delegated its cases of a loan class to a collector until a time, or ended that delegation",
		Attrs: []string{"lender", "class", "collector", "until"}, Indexed: []string{"lender", "collector"}},
	{Type: EventSuspension, Doc: "a regulator suspended a collector, or lifted the suspension", Attrs: []string{"collector", "state", "reason"},
		Indexed: []string{"collector"}},
}

func idString(id uint64) string { return strconv.FormatUint(id, 10) }

func hexAddr(b []byte) string { return "0x" + hex.EncodeToString(b) }

// StageName is a stage's short name ("early").
func StageName(s collectv1.Stage) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "STAGE_"))
}

// ChannelName is a channel's short name ("call").
func ChannelName(c collectv1.Channel) string {
	return strings.ToLower(strings.TrimPrefix(c.String(), "CHANNEL_"))
}
