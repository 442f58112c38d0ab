package verifier

import (
	"bytes"
	"encoding/binary"
)

// Store names and keys of the records the console proves. They mirror
// x/wallet's and x/consortium's keys.go, whose packages bring the store's
// Badger code and so cannot be compiled for the browser; keys_test.go
// checks them against those packages.

const (
	walletStore     = "wallet"
	consortiumStore = "consortium"
	govStore        = "gov"
	amlStore        = "aml"
)

// The AML store's keys (x/aml).
const (
	amlReportPrefix  byte = 0x01
	amlAlertPrefix   byte = 0x02
	amlLastReportKey byte = 0x0b
	amlLastAlertKey  byte = 0x0c
)

// Governance's keys and default threshold (x/gov).
const (
	govProposalPrefix     byte = 0x01
	govVotePrefix         byte = 0x02
	govParamsKey          byte = 0x03
	govDefaultNumerator        = 2
	govDefaultDenominator      = 3
)

// Prefixes of the wallet store's supply and issuance records.
const (
	issuancePrefix byte = 0x02
	supplyPrefix   byte = 0x03
)

func walletKey(owner []byte) []byte { return append([]byte{0x01}, owner...) }
func supplyKey(denom string) []byte { return append([]byte{supplyPrefix}, denom...) }
func walletParamsKey() []byte       { return []byte{0x05} }
func memberPrefix() []byte          { return []byte{0x01} }

// The consortium's parameters (x/consortium's ParamsKey): the signing
// domain's numeric chain id.
func consortiumParamsKey() []byte { return []byte{0x03} }

// The credit store's keys (x/credit/keys.go) the credit page reads, and
// the report's default windows (x/credit/params.go).
const (
	creditStore              = "credit"
	creditParamsKey     byte = 0x01
	creditLinePrefix    byte = 0x03
	creditLoanPrefix    byte = 0x04
	creditSubjectPfx    byte = 0x11
	creditSubjLoanPfx   byte = 0x12
	creditWalletSubj    byte = 0x14
	creditEnquiryPfx    byte = 0x16
	creditReportMonths       = 24
	creditRetention          = 60
	creditEnquiryMonths      = 24
)

func creditIDKey(prefix byte, id uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefix}, id)
}

// creditBracket is the first and last key of one of a subject's ranges:
// the marks at ids 0 and 2^64-1 (x/credit's RangeStart and RangeEnd).
func creditBracket(prefix byte, subject []byte) (start, end []byte) {
	p := append([]byte{prefix}, subject...)
	return binary.BigEndian.AppendUint64(bytes.Clone(p), 0), binary.BigEndian.AppendUint64(bytes.Clone(p), ^uint64(0))
}

// The collection store's keys (x/collect/keys.go) and its history subject.
const (
	collectStore           = "collect"
	caseHistory            = "case"
	collectCasePrefix byte = 0x02
	collectComplaints byte = 0x15 // | borrower(20) | complaint id -> mark
	collectComplaint  byte = 0x10 // | complaint id -> Complaint
)

// The AML store's indexes (x/aml/keys.go): prefix | value | id (8) -> a
// mark, per kind (reports, alerts) and filter (day, bank, wallet). A day is
// big-endian with its sign bit flipped, a bank length-prefixed.
var amlIndexPrefixes = map[string]map[string]byte{
	"reports": {"day": 0x03, "bank": 0x04, "wallet": 0x05},
	"alerts":  {"day": 0x06, "bank": 0x07, "wallet": 0x08},
}

func amlDayPrefix(index byte, day int64) []byte {
	return binary.BigEndian.AppendUint64([]byte{index}, uint64(day)^(1<<63))
}

func amlBankPrefix(index byte, bank string) []byte {
	return append([]byte{index, byte(len(bank))}, bank...)
}

func amlWalletPrefix(index byte, wallet []byte) []byte { return append([]byte{index}, wallet...) }
