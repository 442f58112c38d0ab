package verifier

import "encoding/binary"

// Store names and keys of the records the wallet, network, bank, AML and
// governance pages prove. They mirror x/wallet's, x/consortium's, x/aml's
// and x/gov's keys.go, written when those packages could not be compiled
// for the browser (the store's Badger engine came with them; it no longer
// does); keys_test.go checks them against those packages. The credit and
// case pages use x/credit's and x/collect's own code.

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
