package store

import (
	"bytes"
	"fmt"
	"slices"
	"sync"

	"google.golang.org/protobuf/proto"
)

var (
	marshalDeterministic = proto.MarshalOptions{Deterministic: true}
	unmarshalStrict      = proto.UnmarshalOptions{}
)

// GeneratedCodec is a message with the codecs protoc-gen-go-vtproto
// generates (for the packages the Makefile's VTPROTO_PATHS names): they
// encode and decode as proto.Marshal's deterministic encoding and
// proto.Unmarshal do, without reflection, in about half the time and
// allocations. TestGeneratedCodecs holds them to that on valid messages.
//
// They are laxer than proto's on what is not valid, so they are for
// state's own records only, never for bytes from outside: they neither
// refuse to encode nor refuse to decode a string that is not UTF-8, and
// the decoder takes some malformed input proto refuses (an overlong
// varint, a field number past 2^29-1) and refuses a known field number
// with another wire type, which proto keeps as an unknown field (a field
// number is never reused in ledgerd's .proto files). State's strings come
// from transactions and genesis documents that proto and encoding/json
// have already decoded, which makes them valid UTF-8.
type GeneratedCodec interface {
	proto.Message
	SizeVT() int
	MarshalVT() ([]byte, error)
	MarshalToSizedBufferVT(b []byte) (int, error)
	UnmarshalVT(b []byte) error
}

// Marshal returns m's deterministic encoding, through m's generated codec
// if it has one.
func Marshal(m proto.Message) ([]byte, error) {
	if g, ok := m.(GeneratedCodec); ok {
		return g.MarshalVT() // nil for a nil message, as proto gives
	}
	return marshalDeterministic.Marshal(m)
}

// MarshalAppend appends m's deterministic encoding to b, through m's
// generated codec if it has one.
func MarshalAppend(b []byte, m proto.Message) ([]byte, error) {
	g, ok := m.(GeneratedCodec)
	if !ok {
		return marshalDeterministic.MarshalAppend(b, m)
	}
	n := g.SizeVT()
	b = slices.Grow(b, n)
	if _, err := g.MarshalToSizedBufferVT(b[len(b) : len(b)+n]); err != nil {
		return b, err
	}
	return b[:len(b)+n], nil
}

// Unmarshal decodes b into m, which it resets first, as proto.Unmarshal
// does, through m's generated codec if it has one.
func Unmarshal(b []byte, m proto.Message) error {
	g, ok := m.(GeneratedCodec)
	if !ok {
		return unmarshalStrict.Unmarshal(b, m)
	}
	proto.Reset(m)
	return g.UnmarshalVT(b)
}

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
	if err := Unmarshal(value, m); err != nil {
		panic(fmt.Sprintf("store: corrupted %T record at %x: %v", m, key, err))
	}
}

// SetProto stores m's deterministic encoding under key.
func SetProto(kv KV, key []byte, m proto.Message) {
	b, err := Marshal(m)
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
