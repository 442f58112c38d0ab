package store

import (
	"bytes"
	"fmt"
	"sync"

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

// ProtoCache remembers the decoding of one record that is read far more
// often than it changes (module parameters). Get returns the cached message
// while the stored bytes are unchanged, and decodes again when they differ,
// so its result is always what GetProto would give. Callers must not modify
// the message it returns. It is safe for concurrent use.
type ProtoCache[T proto.Message] struct {
	mu  sync.Mutex
	raw []byte
	msg T
	ok  bool
}

// Get returns the message stored at key (newMsg() if absent).
func (c *ProtoCache[T]) Get(r Reader, key []byte, newMsg func() T) T {
	b := r.Get(key)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ok && bytes.Equal(b, c.raw) && (b == nil) == (c.raw == nil) {
		return c.msg
	}
	m := newMsg()
	if b != nil {
		DecodeProto(key, b, m)
	}
	c.raw, c.msg, c.ok = append([]byte(nil), b...), m, true
	if b == nil {
		c.raw = nil
	}
	return m
}
