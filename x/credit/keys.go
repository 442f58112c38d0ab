package credit

import (
	"encoding/binary"

	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"

	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/index"
)

// StoreName is the name of the credit store and of its proof op key.
const StoreName = "credit"

// Store layout. Ids and days are 8-byte big-endian, so that keys sort by
// them; member ids are length-prefixed (one byte), so that no id is a
// prefix of another's keys. Index keys ("-> mark") hold the one byte 0x01:
// an empty value could not be proven.
const (
	keyParams         byte = 0x01 // -> Params
	prefixProduct     byte = 0x02 // | lender* | product id -> Product
	prefixLine        byte = 0x03 // | line id -> Line
	prefixLoan        byte = 0x04 // | loan id -> Loan
	keyNextLine       byte = 0x05 // -> next line id (8)
	keyNextLoan       byte = 0x06 // -> next loan id (8)
	prefixBorrLine    byte = 0x07 // | borrower(20) | line id -> mark
	prefixBorrLoan    byte = 0x08 // | borrower(20) | loan id -> mark
	prefixLendLoan    byte = 0x09 // | lender* | loan id -> mark
	prefixWake        byte = 0x0a // | day | loan id -> mark: the loan has date-driven work that day
	prefixOffer       byte = 0x0b // | day | line id -> mark: the offer lapses after that day
	prefixPull        byte = 0x0c // | borrower(20) | day | loan id -> mark: an auto-debit pull due that day
	keyReminderCursor byte = 0x0d // -> the last reminder key the sweep has sent
	prefixPortfolio   byte = 0x0e // | lender* | denom -> Portfolio
	prefixLineLoan    byte = 0x0f // | line id | loan id -> mark: the line's open loans
	prefixReminder    byte = 0x10 // | day | loan id -> Reminder: a pre-due notice to send that day
	// The portfolios' overdue amounts by the day their loans became
	// overdue, under the day they next cross a bucket's threshold
	// (ageing.go).
	prefixOverdueDay byte = 0x1c // | crossing day | overdue-since day | lender* | denom -> overdue principal and interest (8)
)

// ParamsKey is the store key of the parameters.
func ParamsKey() []byte { return []byte{keyParams} }

// ProductKey is the store key of lender's product id.
func ProductKey(lender, id string) []byte { return append(memberPrefix(prefixProduct, lender), id...) }

// ProductPrefix is the prefix of lender's products.
func ProductPrefix(lender string) []byte { return memberPrefix(prefixProduct, lender) }

// LineKey is the store key of line id.
func LineKey(id uint64) []byte { return idKey(prefixLine, id) }

// LoanKey is the store key of loan id.
func LoanKey(id uint64) []byte { return idKey(prefixLoan, id) }

// LoanPrefix is the prefix of every loan.
func LoanPrefix() []byte { return []byte{prefixLoan} }

// BorrowerLinesPrefix is the prefix of the index of borrower's lines.
func BorrowerLinesPrefix(borrower []byte) []byte { return append([]byte{prefixBorrLine}, borrower...) }

// BorrowerLoansPrefix is the prefix of the index of borrower's loans.
func BorrowerLoansPrefix(borrower []byte) []byte { return append([]byte{prefixBorrLoan}, borrower...) }

// LenderLoansPrefix is the prefix of the index of lender's loans.
func LenderLoansPrefix(lender string) []byte { return memberPrefix(prefixLendLoan, lender) }

// LineLoansPrefix is the prefix of the index of line's open loans.
func LineLoansPrefix(line uint64) []byte { return idKey(prefixLineLoan, line) }

// PortfolioKey is the store key of lender's portfolio in denom.
func PortfolioKey(lender, denom string) []byte {
	return append(memberPrefix(prefixPortfolio, lender), denom...)
}

// PortfolioPrefix is the prefix of lender's portfolios.
func PortfolioPrefix(lender string) []byte { return memberPrefix(prefixPortfolio, lender) }

func lineLoanKey(line, loan uint64) []byte {
	return binary.BigEndian.AppendUint64(LineLoansPrefix(line), loan)
}

func wakeKey(day calendar.Day, loan uint64) []byte { return dayIDKey(prefixWake, day, loan) }

func reminderKey(day calendar.Day, loan uint64) []byte { return dayIDKey(prefixReminder, day, loan) }

func offerKey(day calendar.Day, line uint64) []byte { return dayIDKey(prefixOffer, day, line) }

// overdueDayKey is the key of the overdue amount of lender's loans in
// denom overdue since since, which next changes bucket on cross.
func overdueDayKey(cross, since calendar.Day, lender, denom string) []byte {
	k := dayIDKey(prefixOverdueDay, cross, uint64(since))
	k = append(k, byte(len(lender)))
	return append(append(k, lender...), denom...)
}

// parseOverdueDayKey reads an overdueDayKey.
func parseOverdueDayKey(k []byte) (cross, since calendar.Day, lender, denom string, ok bool) {
	if len(k) < 18 || len(k) < 18+int(k[17]) {
		return 0, 0, "", "", false
	}
	n := int(k[17])
	return dayOfKey(k, 1), dayOfKey(k, 9), string(k[18 : 18+n]), string(k[18+n:]), true
}

func pullPrefix(borrower []byte) []byte { return append([]byte{prefixPull}, borrower...) }

func pullKey(borrower []byte, day calendar.Day, loan uint64) []byte {
	k := binary.BigEndian.AppendUint64(pullPrefix(borrower), uint64(day))
	return binary.BigEndian.AppendUint64(k, loan)
}

// dayOfKey reads the day of a key made by dayIDKey (after prefixLen bytes).
func dayOfKey(k []byte, prefixLen int) calendar.Day {
	return calendar.Day(int64(binary.BigEndian.Uint64(k[prefixLen:])))
}

// idOfKey reads the trailing 8-byte id of a key.
func idOfKey(k []byte) uint64 { return binary.BigEndian.Uint64(k[len(k)-8:]) }

func idKey(prefix byte, id uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefix}, id)
}

// dayIDKey is prefix | day | id. Days before 1970 do not occur: block times
// are after genesis.
func dayIDKey(prefix byte, day calendar.Day, id uint64) []byte {
	k := binary.BigEndian.AppendUint64([]byte{prefix}, uint64(day))
	return binary.BigEndian.AppendUint64(k, id)
}

func memberPrefix(prefix byte, member string) []byte {
	k := make([]byte, 0, 2+len(member)+16)
	k = append(k, prefix, byte(len(member)))
	return append(k, member...)
}

// The credit report's keys (subject.go, enquiry.go, dispute.go). A subject
// is 32 bytes. Each index range (a subject's loans, enquiries, disputes;
// a borrower's lines and loans; a lender's loans; a line's loans) is
// bracketed by two marks, id 0 and id 2^64-1 (Keeper.index), so that a
// proof of absence inside the range names only the range's own keys: a
// reader allowed one subject proves its ranges complete without reading
// another's.
const (
	prefixSubject     byte = 0x11 // | subject -> Subject
	prefixSubjLoan    byte = 0x12 // | subject | loan id -> mark
	prefixSubjWallet  byte = 0x13 // | subject | wallet(20) -> mark
	prefixWalletSubj  byte = 0x14 // | wallet(20) -> subject (32)
	prefixConsent     byte = 0x15 // | subject | lender* | purpose(1) -> Consent
	prefixEnquiry     byte = 0x16 // | subject | seq -> Enquiry
	prefixAccess      byte = 0x17 // | subject | lender* -> until (8, Unix seconds)
	prefixDispute     byte = 0x18 // | dispute id -> Dispute
	prefixSubjDispute byte = 0x19 // | subject | dispute id -> mark
	prefixRecDispute  byte = 0x1a // | loan id | month day -> the record's last dispute id (8)
	keyNextDispute    byte = 0x1b // -> next dispute id (8)
)

// SubjectKey is the store key of subject's record.
func SubjectKey(subject []byte) []byte { return append([]byte{prefixSubject}, subject...) }

// SubjectLoansPrefix is the prefix of the index of subject's loans.
func SubjectLoansPrefix(subject []byte) []byte { return append([]byte{prefixSubjLoan}, subject...) }

// SubjectEnquiriesPrefix is the prefix of subject's enquiries.
func SubjectEnquiriesPrefix(subject []byte) []byte { return append([]byte{prefixEnquiry}, subject...) }

// SubjectDisputesPrefix is the prefix of the index of subject's disputes.
func SubjectDisputesPrefix(subject []byte) []byte {
	return append([]byte{prefixSubjDispute}, subject...)
}

// WalletSubjectKey is the store key of the subject wallet is attested to.
func WalletSubjectKey(wallet []byte) []byte { return append([]byte{prefixWalletSubj}, wallet...) }

// DisputeKey is the store key of dispute id.
func DisputeKey(id uint64) []byte { return idKey(prefixDispute, id) }

// RangeStart and RangeEnd bound the ids of one of a subject's ranges
// (prefix one of the Subject*Prefix): walk [RangeStart, RangeEnd) and skip
// id 0, the opening mark (package index).
func RangeStart(prefix []byte) []byte { return index.Of(prefix).Open() }

// RangeEnd is the closing mark of a subject's range.
func RangeEnd(prefix []byte) []byte { return index.Of(prefix).Close() }

func subjectWalletKey(subject, wallet []byte) []byte {
	return append(append([]byte{prefixSubjWallet}, subject...), wallet...)
}

func consentKey(subject []byte, lender string, purpose creditv1.Purpose) []byte {
	k := append([]byte{prefixConsent}, subject...)
	k = append(k, byte(len(lender)))
	k = append(k, lender...)
	return append(k, byte(purpose))
}

func accessKey(subject []byte, lender string) []byte {
	k := append([]byte{prefixAccess}, subject...)
	k = append(k, byte(len(lender)))
	return append(k, lender...)
}

func recordDisputeKey(loan uint64, month calendar.Day) []byte {
	return binary.BigEndian.AppendUint64(idKey(prefixRecDispute, loan), uint64(month))
}
