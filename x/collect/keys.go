package collect

import (
	"encoding/binary"

	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/index"
)

// StoreName is the name of the collection store and of its proof op key.
const StoreName = "collect"

// Store layout. Ids, days and times are 8-byte big-endian, so that keys
// sort by them; member ids are length-prefixed (one byte). Index keys
// ("-> mark") hold the one byte 0x01: an empty value could not be proven.
const (
	keyParams         byte = 0x01 // -> Params
	prefixCase        byte = 0x02 // | case id -> Case
	prefixLoanCase    byte = 0x03 // | loan id -> open case id (8)
	keyNextCase       byte = 0x04 // -> next case id (8)
	prefixWake        byte = 0x05 // | day | case id -> mark: the case changes by the calendar that day
	prefixOpen        byte = 0x06 // | day | loan id -> mark: the loan's case may open that day
	prefixLenderCase  byte = 0x07 // | lender* | case id -> mark
	prefixBorrCase    byte = 0x08 // | borrower(20) | case id -> mark
	prefixPermit      byte = 0x09 // | permit id -> Permit
	keyNextPermit     byte = 0x0a // -> next permit id (8)
	prefixBorrPermit  byte = 0x0b // | borrower(20) | channel | granted time | permit id -> mark
	prefixBorrCount   byte = 0x0c // | borrower(20) | channel | day -> permits granted (8)
	prefixCaseCount   byte = 0x0d // | case id | channel | day -> permits granted (8)
	prefixContact     byte = 0x0e // | borrower(20) | contact -> Contact
	prefixCease       byte = 0x0f // | borrower(20) | lender* | channel -> mark
	prefixComplaint   byte = 0x10 // | complaint id -> Complaint
	keyNextComplaint  byte = 0x11 // -> next complaint id (8)
	prefixSuspension  byte = 0x12 // | collector* -> Suspension
	prefixStats       byte = 0x13 // | member* -> Stats
	prefixDeadline    byte = 0x14 // | deadline time | permit id -> mark: a permit awaiting its outcome
	prefixBorrComplnt byte = 0x15 // | borrower(20) | complaint id -> mark
	prefixDelegCase   byte = 0x16 // | collector* | case id -> mark: cases delegated to the collector
	prefixPortfolio   byte = 0x17 // | lender* | class -> Portfolio
	prefixPortSweep   byte = 0x18 // | lender* | class -> mark: the portfolio's delegation has cases to go through
	prefixDayCount    byte = 0x19 // | member* | overdue since day -> open cases by floor: early, mid (8 bytes each)
	prefixSince       byte = 0x1a // | overdue since day | case id -> mark: an open case whose stage follows its days past due
	keyStageCursor    byte = 0x1b // -> where the scan for stage events is: the mid and the late crossings' last since|case keys
)

// ParamsKey is the store key of the parameters.
func ParamsKey() []byte { return []byte{keyParams} }

// CaseKey is the store key of case id.
func CaseKey(id uint64) []byte { return idKey(prefixCase, id) }

// LoanCaseKey is the store key of the open case of loan id.
func LoanCaseKey(loan uint64) []byte { return idKey(prefixLoanCase, loan) }

// LenderCasesPrefix is the prefix of the index of lender's cases.
func LenderCasesPrefix(lender string) []byte { return memberPrefix(prefixLenderCase, lender) }

// DelegateCasesPrefix is the prefix of the index of the cases delegated
// to collector.
func DelegateCasesPrefix(collector string) []byte { return memberPrefix(prefixDelegCase, collector) }

// BorrowerCasesPrefix is the prefix of the index of borrower's cases.
func BorrowerCasesPrefix(borrower []byte) []byte { return append([]byte{prefixBorrCase}, borrower...) }

// PermitKey is the store key of permit id.
func PermitKey(id uint64) []byte { return idKey(prefixPermit, id) }

// BorrowerPermitsPrefix is the prefix of the index of the permits to
// contact borrower (or their contacts) by ch, by the time each was
// granted.
func BorrowerPermitsPrefix(borrower []byte, ch collectv1.Channel) []byte {
	return append(append([]byte{prefixBorrPermit}, borrower...), byte(ch))
}

// PermitRange is the index range of the permits to contact borrower by
// ch: its ids are the time granted and the permit id (package index).
func PermitRange(borrower []byte, ch collectv1.Channel) index.Range {
	return index.Range{Prefix: BorrowerPermitsPrefix(borrower, ch), IDLen: 16}
}

// BorrowerPermitKey is the index key of a permit by ch granted at time.
func BorrowerPermitKey(borrower []byte, ch collectv1.Channel, granted int64, id uint64) []byte {
	k := binary.BigEndian.AppendUint64(BorrowerPermitsPrefix(borrower, ch), uint64(granted))
	return binary.BigEndian.AppendUint64(k, id)
}

// ContactKey is the store key of borrower's authorised contact.
func ContactKey(borrower, contact []byte) []byte {
	return append(append([]byte{prefixContact}, borrower...), contact...)
}

// CeaseKey is the store key of borrower's cease request to lender for
// channel.
func CeaseKey(borrower []byte, lender string, ch collectv1.Channel) []byte {
	k := append([]byte{prefixCease}, borrower...)
	k = append(k, byte(len(lender)))
	return append(append(k, lender...), byte(ch))
}

// ComplaintKey is the store key of complaint id.
func ComplaintKey(id uint64) []byte { return idKey(prefixComplaint, id) }

// BorrowerComplaintsPrefix is the prefix of the index of borrower's
// complaints.
func BorrowerComplaintsPrefix(borrower []byte) []byte {
	return append([]byte{prefixBorrComplnt}, borrower...)
}

// SuspensionKey is the store key of collector's suspension.
func SuspensionKey(collector string) []byte { return memberPrefix(prefixSuspension, collector) }

// StatsKey is the store key of member's statistics.
func StatsKey(member string) []byte { return memberPrefix(prefixStats, member) }

func borrowerCountKey(borrower []byte, ch collectv1.Channel, day calendar.Day) []byte {
	k := append(append([]byte{prefixBorrCount}, borrower...), byte(ch))
	return binary.BigEndian.AppendUint64(k, uint64(day))
}

func caseCountKey(c uint64, ch collectv1.Channel, day calendar.Day) []byte {
	k := append(idKey(prefixCaseCount, c), byte(ch))
	return binary.BigEndian.AppendUint64(k, uint64(day))
}

// DayCountPrefix is the prefix of member's counts of open cases by the day
// they have been overdue since.
func DayCountPrefix(member string) []byte { return memberPrefix(prefixDayCount, member) }

// DayCountKey is the store key of member's count of open cases overdue
// since day.
func DayCountKey(member string, day calendar.Day) []byte {
	return binary.BigEndian.AppendUint64(DayCountPrefix(member), uint64(day))
}

func sinceKey(day calendar.Day, id uint64) []byte { return dayIDKey(prefixSince, uint64(day), id) }

func wakeKey(day calendar.Day, id uint64) []byte { return dayIDKey(prefixWake, uint64(day), id) }

func openKey(day calendar.Day, loan uint64) []byte { return dayIDKey(prefixOpen, uint64(day), loan) }

func deadlineKey(deadline int64, permit uint64) []byte {
	return dayIDKey(prefixDeadline, uint64(deadline), permit)
}

func idKey(prefix byte, id uint64) []byte { return binary.BigEndian.AppendUint64([]byte{prefix}, id) }

// dayIDKey is prefix | when | id, when a day or a time after 1970.
func dayIDKey(prefix byte, when, id uint64) []byte {
	k := binary.BigEndian.AppendUint64([]byte{prefix}, when)
	return binary.BigEndian.AppendUint64(k, id)
}

// idOfKey reads the trailing 8-byte id of a key.
func idOfKey(k []byte) uint64 { return binary.BigEndian.Uint64(k[len(k)-8:]) }

func memberPrefix(prefix byte, member string) []byte {
	k := make([]byte, 0, 2+len(member)+8)
	k = append(k, prefix, byte(len(member)))
	return append(k, member...)
}
