package app_test

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"time"

	"github.com/ledgerd/ledgerd/app/apptest"
	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/collect"
	"github.com/ledgerd/ledgerd/x/gov"
)

// goldenCollect runs the collection module on loan 3 (other-bank's,
// borrower n0), written off a moment before: demo-bank becomes a
// collector by governance and is delegated the case; the borrower
// authorises a contact and asks other-bank to stop texting; permits (one
// refused: sms ceased), an outcome, one left to miss its deadline; a
// promise and its confirmation; a complaint covered by a permit, upheld;
// the collector suspended. Loan 3 is settled next, which closes the case.
func goldenCollect(c *goldenChain, bank, other, auditor, regulator, n0, payee *ecdsa.PrivateKey) {
	hash := func(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }
	day := func(t time.Time) int64 { return (t.Unix() + 8*3600) / 86400 } // the day in UTC+8
	step := func(after time.Duration, txs ...[]byte) { c.block(after, txs...) }
	ver, _ := c.h.Store.Version(0)
	gr, _ := ver.Reader(gov.StoreName)
	prop := gov.NewView(gr).LastID() + 1
	cr, _ := ver.Reader(collect.StoreName)
	cs := collect.NewView(cr).OpenCaseOf(3)
	if cs == 0 {
		c.t.Fatal("golden scenario: loan 3 has no open case after its write-off")
	}
	step(time.Minute,
		c.tx(bank, &govv1.MsgSubmitProposal{Title: "collector", DocumentHash: hash("collector"), VotingEnd: c.at.Unix() + 7200,
			Action: &govv1.Action{Kind: &govv1.Action_SetRoles{SetRoles: &govv1.SetRoles{MemberId: apptest.Issuer,
				Roles: []consortiumv1.Role{consortiumv1.Role_ROLE_ISSUER, consortiumv1.Role_ROLE_LENDER, consortiumv1.Role_ROLE_COLLECTOR}}}}}),
		c.tx(n0, &collectv1.MsgAuthorizeContact{Contact: hash("sister"), Relation: "sister"}),
		c.tx(n0, &collectv1.MsgCeaseContact{Lender: apptest.OtherIssuer, Channel: collectv1.Channel_CHANNEL_SMS}),
	)
	yes := govv1.VoteOption_VOTE_OPTION_YES
	step(time.Minute,
		c.tx(bank, &govv1.MsgVote{ProposalId: prop, Option: yes}), c.tx(other, &govv1.MsgVote{ProposalId: prop, Option: yes}),
		c.tx(auditor, &govv1.MsgVote{ProposalId: prop, Option: yes}), c.tx(regulator, &govv1.MsgVote{ProposalId: prop, Option: yes}),
	)
	step(time.Minute,
		c.tx(other, &collectv1.MsgDelegateCase{Case: cs, Collector: apptest.Issuer, Until: c.at.Add(30 * 24 * time.Hour).Unix()}),
		c.tx(other, &collectv1.MsgEscalateCase{Case: cs, Stage: collectv1.Stage_STAGE_LATE, Reason: "no contact for weeks"}),
		c.tx(other, &collectv1.MsgDelegatePortfolio{Class: creditv1.Class_CLASS_DOUBTFUL, Collector: apptest.Issuer, Until: c.at.Add(90 * 24 * time.Hour).Unix()}),
		c.tx(other, &collectv1.MsgOfferPlan{Case: cs, Denom: "CNY", SettleAmount: 1, Expires: c.at.Add(24 * time.Hour).Unix(), Reason: "one-off"}),
	)
	step(time.Minute,
		c.tx(bank, &collectv1.MsgRequestPermit{Case: cs, Channel: collectv1.Channel_CHANNEL_CALL}),
		c.bad(bank, &collectv1.MsgRequestPermit{Case: cs, Channel: collectv1.Channel_CHANNEL_SMS}), // ceased
		c.tx(bank, &collectv1.MsgRequestPermit{Case: cs, Channel: collectv1.Channel_CHANNEL_VISIT, Contact: hash("sister")}),
		c.tx(bank, &collectv1.MsgPromiseToPay{Case: cs, Denom: "CNY", Amount: 100, Due: day(c.at) + 5}),
	)
	contact := c.at.Unix()
	step(time.Minute,
		c.tx(bank, &collectv1.MsgRecordOutcome{Permit: 1, Result: "reached", EvidenceHash: hash("recording")}),
		c.tx(n0, &collectv1.MsgConfirmPromise{Case: cs, Seq: 1, Denom: "CNY", Amount: 100, Due: day(c.at) + 5}),
		c.tx(n0, &collectv1.MsgFileComplaint{Lender: apptest.OtherIssuer, Time: contact, Channel: collectv1.Channel_CHANNEL_CALL,
			EvidenceHash: hash("my recording")}),
	)
	step(20*time.Minute, // permit 2's deadline passes: missed
		c.tx(regulator, &collectv1.MsgRuleComplaint{Complaint: 1, Upheld: true, Reason: "abusive language on the recording"}),
		c.tx(regulator, &collectv1.MsgSuspendCollector{Collector: apptest.Issuer, Reason: "upheld complaint"}),
	)
	// A court's enforcement notice against n0, carried out by its bank of
	// record through the court's freeze order, which is then lifted.
	order := c.h.Wallet(apptest.Address(n0)).NextFreezeId + 1
	step(time.Minute, c.tx(bank, &walletv1.MsgFreeze{Wallet: apptest.Address(n0).Bytes(), Kind: walletv1.FreezeKind_FREEZE_KIND_DEBIT,
		LegalBasis: "court notice 7"}))
	step(time.Minute,
		c.bad(bank, &walletv1.MsgJudicialDeduct{Wallet: apptest.Address(n0).Bytes(), OrderId: order, Notice: "another notice",
			To: apptest.Address(other).Bytes(), Denom: "CNY", Amount: 100}),
		c.tx(bank, &walletv1.MsgJudicialDeduct{Wallet: apptest.Address(n0).Bytes(), OrderId: order, Notice: "court notice 7",
			To: apptest.Address(payee).Bytes(), Denom: "CNY", Amount: 100}),
	)
	step(time.Minute, c.tx(bank, &walletv1.MsgRelease{Wallet: apptest.Address(n0).Bytes(), OrderId: order, Reason: "enforced"}))
}
