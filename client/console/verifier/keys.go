package verifier

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
