package aml

import (
	"encoding/binary"
	"fmt"

	"github.com/ethereum/go-ethereum/common"

	amlv1 "github.com/ledgerd/ledgerd/proto/ledgerd/aml/v1"
)

// StoreName is the name of the AML store and of its proof op key.
const StoreName = "aml"

const (
	prefixReport         byte = 0x01
	prefixAlert          byte = 0x02
	prefixReportByDay    byte = 0x03
	prefixReportByBank   byte = 0x04
	prefixReportByWallet byte = 0x05
	prefixAlertByDay     byte = 0x06
	prefixAlertByBank    byte = 0x07
	prefixAlertByWallet  byte = 0x08
	prefixReportFiled    byte = 0x09
	prefixAlertRaised    byte = 0x0a
	keyLastReport        byte = 0x0b
	keyLastAlert         byte = 0x0c
	keyParams            byte = 0x0d
)

// ReportKey is the store key of report id: prove a report with it.
func ReportKey(id uint64) []byte { return idKey(prefixReport, id) }

// AlertKey is the store key of alert id: prove an alert with it.
func AlertKey(id uint64) []byte { return idKey(prefixAlert, id) }

// ParamsKey is the store key of the parameters.
func ParamsKey() []byte { return []byte{keyParams} }

// LastReportIDKey and LastAlertIDKey are the store keys of the last id
// issued (8 bytes big-endian; absent before the first record): prove one
// to show how many records exist.
func LastReportIDKey() []byte { return []byte{keyLastReport} }

// LastAlertIDKey: see LastReportIDKey.
func LastAlertIDKey() []byte { return []byte{keyLastAlert} }

func idKey(prefix byte, id uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefix}, id)
}

// appendDay appends day so that key order is day order: big-endian with
// the sign bit flipped.
func appendDay(k []byte, day int64) []byte {
	return binary.BigEndian.AppendUint64(k, uint64(day)^(1<<63))
}

// appendBank appends a member id, length-prefixed so that no id is a
// prefix of another's keys. Member ids are at most 32 bytes; a longer one
// here means corrupted state.
func appendBank(k []byte, bank string) []byte {
	if len(bank) > 255 {
		panic(fmt.Sprintf("aml: bank id of %d bytes", len(bank)))
	}
	return append(append(k, byte(len(bank))), bank...)
}

// dayPrefix, bankPrefix and walletPrefix are the prefixes of one index's
// entries for a day, a bank or a wallet; an entry is prefix | id
// (entryKey).
func dayPrefix(index byte, day int64) []byte { return appendDay([]byte{index}, day) }

func bankPrefix(index byte, bank string) []byte { return appendBank([]byte{index}, bank) }

func walletPrefix(index byte, wallet common.Address) []byte {
	return append([]byte{index}, wallet[:]...)
}

// entryKey returns prefix | id in a new slice.
func entryKey(prefix []byte, id uint64) []byte {
	k := make([]byte, 0, len(prefix)+8)
	return binary.BigEndian.AppendUint64(append(k, prefix...), id)
}

// reportFiledKey marks that wallet's report of day, direction and denom is
// filed.
func reportFiledKey(wallet common.Address, day int64, dir amlv1.Direction, denom string) []byte {
	k := make([]byte, 0, 1+20+8+1+len(denom))
	k = append(k, prefixReportFiled)
	k = append(k, wallet[:]...)
	k = appendDay(k, day)
	return append(append(k, byte(dir)), denom...)
}

// alertRaisedKey marks that wallet's alert of day is raised.
func alertRaisedKey(wallet common.Address, day int64) []byte {
	k := make([]byte, 0, 1+20+8)
	k = append(k, prefixAlertRaised)
	return appendDay(append(k, wallet[:]...), day)
}
