package verifier

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/ledgerd/ledgerd/client"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/collect"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/credit"
)

// TestCreditMirrorsTheModule checks what the credit and case pages copy
// from x/credit, x/collect and package client (neither builds for the browser): keys,
// default windows, days past due, closed loans, the signed read's path
// and validity.
func TestCreditMirrorsTheModule(t *testing.T) {
	subject, owner := bytes.Repeat([]byte{9}, 32), bytes.Repeat([]byte{7}, 20)
	start, end := creditBracket(creditSubjLoanPfx, subject)
	estart, eend := creditBracket(creditEnquiryPfx, subject)
	for _, c := range []struct{ got, want []byte }{
		{[]byte{creditParamsKey}, credit.ParamsKey()},
		{creditIDKey(creditLinePrefix, 5), credit.LineKey(5)},
		{creditIDKey(creditLoanPrefix, 5), credit.LoanKey(5)},
		{append([]byte{creditSubjectPfx}, subject...), credit.SubjectKey(subject)},
		{append([]byte{creditWalletSubj}, owner...), credit.WalletSubjectKey(owner)},
		{start, credit.RangeStart(credit.SubjectLoansPrefix(subject))},
		{end, credit.RangeEnd(credit.SubjectLoansPrefix(subject))},
		{estart, credit.RangeStart(credit.SubjectEnquiriesPrefix(subject))},
		{eend, credit.RangeEnd(credit.SubjectEnquiriesPrefix(subject))},
		{binary.BigEndian.AppendUint64(append([]byte{creditEnquiryPfx}, subject...), 3), binary.BigEndian.AppendUint64(credit.SubjectEnquiriesPrefix(subject), 3)},
		{consortiumParamsKey(), consortium.ParamsKey()},
		{binary.BigEndian.AppendUint64([]byte{collectCasePrefix}, 5), collect.CaseKey(5)},
		{binary.BigEndian.AppendUint64([]byte{collectComplaint}, 5), collect.ComplaintKey(5)},
		{append([]byte{collectComplaints}, owner...), collect.BorrowerComplaintsPrefix(owner)},
		{binary.BigEndian.AppendUint64(nil, 5), collect.CaseHistoryID(5)},
	} {
		if !bytes.Equal(c.got, c.want) {
			t.Errorf("key %X, the module's is %X", c.got, c.want)
		}
	}
	if collectStore != collect.StoreName || caseHistory != collect.HistorySubject {
		t.Error("collection store or history subject differs")
	}
	if creditStore != credit.StoreName {
		t.Error("store name differs")
	}
	if creditReportMonths != credit.DefaultReportMonths || creditRetention != credit.DefaultRetentionMonths || creditEnquiryMonths != credit.DefaultEnquiryMonths {
		t.Error("default windows differ")
	}
	if pathRead != client.PathRead || readValidFor != client.ReadValidFor {
		t.Error("signed reads differ from package client's")
	}
	for s := range creditv1.LoanStatus_name {
		for _, day := range []int64{0, 20000} {
			l := &creditv1.Loan{Status: creditv1.LoanStatus(s), ClosedDay: day}
			if got, want := loanClosed(l), credit.Terminal(l.Status) || day != 0; got != want {
				t.Errorf("status %v, closed day %d: closed %v, the module's %v", l.Status, day, got, want)
			}
		}
	}
	for _, l := range []*creditv1.Loan{{}, {AsOf: 100, OverdueSince: 90}, {AsOf: 90, OverdueSince: 100}, {AsOf: 100, OverdueSince: 100}} {
		if got, want := daysPastDue(l), credit.DaysPastDue(l); got != want {
			t.Errorf("%v: %d days past due, the module's %d", l, got, want)
		}
	}
}
