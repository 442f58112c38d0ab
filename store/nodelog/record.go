package nodelog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// A record is
//
//	crc     4 bytes  CRC-32C of everything after it
//	length  4 bytes  the length of what follows
//	op      1 byte   opPut or opDelete
//	keylen  2 bytes
//	key     keylen bytes
//	value   the rest (opPut only)
//
// all integers big-endian.
const (
	recordHeader = 4 + 4 // crc, length
	bodyHeader   = 1 + 2 // op, keylen
	opPut        = 1
	opDelete     = 2

	// maxKeyLen bounds a key (keylen is two bytes).
	maxKeyLen = 1<<16 - 1
	// maxRecord bounds a record, so that a damaged length field cannot
	// make a reader allocate gigabytes.
	maxRecord = 64 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// appendRecord appends the record of op on key (and value for opPut) to dst.
func appendRecord(dst []byte, op byte, key, value []byte) []byte {
	body := bodyHeader + len(key) + len(value)
	start := len(dst)
	dst = binary.BigEndian.AppendUint32(dst, 0) // crc, filled in below
	dst = binary.BigEndian.AppendUint32(dst, uint32(body))
	dst = append(dst, op)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(key)))
	dst = append(dst, key...)
	dst = append(dst, value...)
	binary.BigEndian.PutUint32(dst[start:], crc32.Checksum(dst[start+4:], castagnoli))
	return dst
}

// errTorn reports a record that runs past the end of the data: in the
// last segment, a write a crash cut short.
var errTorn = errors.New("record runs past the end of the segment")

// record is a decoded record; key and value alias the decoded bytes.
type record struct {
	op         byte
	key, value []byte
}

// recordLen returns the length of the record that begins b from its
// header, or errTorn if b holds less than the header.
func recordLen(b []byte) (int, error) {
	if len(b) < recordHeader {
		return 0, errTorn
	}
	body := binary.BigEndian.Uint32(b[4:])
	if body < bodyHeader || body > maxRecord {
		return 0, fmt.Errorf("record length %d out of range", body)
	}
	return recordHeader + int(body), nil
}

// decodeRecord decodes the record that is exactly b, checking its CRC.
func decodeRecord(b []byte) (record, error) {
	if len(b) < recordHeader+bodyHeader {
		return record{}, errTorn
	}
	if want, got := binary.BigEndian.Uint32(b), crc32.Checksum(b[4:], castagnoli); want != got {
		return record{}, fmt.Errorf("record CRC %08x, want %08x", got, want)
	}
	r := record{op: b[8]}
	keyLen := int(binary.BigEndian.Uint16(b[9:]))
	rest := b[recordHeader+bodyHeader:]
	if keyLen > len(rest) {
		return record{}, fmt.Errorf("key length %d exceeds the record", keyLen)
	}
	r.key, r.value = rest[:keyLen], rest[keyLen:]
	switch r.op {
	case opPut:
	case opDelete:
		if len(r.value) != 0 {
			return record{}, errors.New("delete record carries a value")
		}
	default:
		return record{}, fmt.Errorf("unknown record op %d", r.op)
	}
	return r, nil
}
