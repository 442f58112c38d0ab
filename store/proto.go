package store

import (
	"fmt"

	"google.golang.org/protobuf/proto"
)

var (
	marshalDeterministic = proto.MarshalOptions{Deterministic: true}
	unmarshalStrict      = proto.UnmarshalOptions{}
)

// GetProto decodes the value of key into m and reports whether it exists. A
// value that does not decode panics: state is written only by SetProto, so
// that is corruption.
func GetProto(r Reader, key []byte, m proto.Message) bool {
	b := r.Get(key)
	if b == nil {
		return false
	}
	DecodeProto(key, b, m)
	return true
}

// DecodeProto decodes value, read at key, into m; it panics on corruption
// as GetProto does.
func DecodeProto(key, value []byte, m proto.Message) {
	if err := unmarshalStrict.Unmarshal(value, m); err != nil {
		panic(fmt.Sprintf("store: corrupted %T record at %x: %v", m, key, err))
	}
}

// SetProto stores m's deterministic encoding under key.
func SetProto(kv KV, key []byte, m proto.Message) {
	b, err := marshalDeterministic.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("store: encode %T: %v", m, err))
	}
	kv.Set(key, b)
}
