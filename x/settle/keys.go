package settle

import "encoding/binary"

// StoreName is the name of the settle store and of its proof op key.
const StoreName = "settle"

const (
	keyParams      byte = 0x01
	prefixCycle    byte = 0x02
	prefixLeg      byte = 0x03
	keyNextCycle   byte = 0x04
	prefixBreach   byte = 0x05
	prefixDeadline byte = 0x06
	prefixInflight byte = 0x07
	keyLastDaily   byte = 0x08
)

// indexValue is what an index key holds: ICS23 proves no empty value.
var indexValue = []byte{1}

// ParamsKey is the store key of the parameters.
func ParamsKey() []byte { return []byte{keyParams} }

// CycleKey is the store key of cycle id.
func CycleKey(id uint64) []byte { return binary.BigEndian.AppendUint64([]byte{prefixCycle}, id) }

// LegKey is the store key of leg index of cycle.
func LegKey(cycle uint64, leg uint32) []byte {
	return binary.BigEndian.AppendUint32(LegPrefix(cycle), leg)
}

// LegPrefix is the prefix of cycle's legs.
func LegPrefix(cycle uint64) []byte { return binary.BigEndian.AppendUint64([]byte{prefixLeg}, cycle) }

// BreachKey is the store key of bank's breach of kind in cycle.
func BreachKey(bank string, cycle uint64, kind byte) []byte {
	return append(binary.BigEndian.AppendUint64(BreachPrefix(bank), cycle), kind)
}

// BreachPrefix is the prefix of bank's breaches ("" : every bank's).
func BreachPrefix(bank string) []byte {
	if bank == "" {
		return []byte{prefixBreach}
	}
	return memberPrefix(prefixBreach, bank)
}

// DeadlineKey is the key of an open cycle in the deadline index.
func DeadlineKey(day int64, cycle uint64) []byte {
	k := binary.BigEndian.AppendUint64([]byte{prefixDeadline}, uint64(day))
	return binary.BigEndian.AppendUint64(k, cycle)
}

// InflightKey is the store key of bank's open legs' sums in denom.
func InflightKey(bank, denom string) []byte {
	return append(memberPrefix(prefixInflight, bank), denom...)
}

// NextCycleKey is the key of the next cycle id.
func NextCycleKey() []byte { return []byte{keyNextCycle} }

// LastDailyKey is the key of the day of the last daily close.
func LastDailyKey() []byte { return []byte{keyLastDaily} }

func memberPrefix(prefix byte, id string) []byte {
	k := make([]byte, 0, 2+len(id)+16)
	k = append(k, prefix, byte(len(id)))
	return append(k, id...)
}
