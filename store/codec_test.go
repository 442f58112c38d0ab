package store_test

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
)

// TestGeneratedCodecs holds every ledgerd message with generated codecs
// (store.GeneratedCodec) to the protobuf library: on random messages,
// store.Marshal and store.MarshalAppend give proto's deterministic
// encoding byte for byte (state's records and history's entries are hashed
// in it), and store.Unmarshal decodes it, with unknown fields, into what
// proto.Unmarshal gives, whatever the message held before.
func TestGeneratedCodecs(t *testing.T) {
	var tested []string
	for _, fd := range generatedCodecFiles {
		tested = append(tested, checkGeneratedCodecs(t, fd.Messages())...)
	}
	if b, err := store.Marshal((*walletv1.Wallet)(nil)); b != nil || err != nil {
		t.Errorf("store.Marshal(nil wallet) = %x, %v; proto gives nil, nil (which a store refuses to set)", b, err)
	}
	if !containsName(tested, string((&walletv1.Wallet{}).ProtoReflect().Descriptor().FullName())) {
		t.Fatalf("the wallet record has no generated codec (tested: %v): run make proto", tested)
	}
	t.Logf("%d messages: %s", len(tested), strings.Join(tested, ", "))
}

// generatedCodecFiles are the .proto files of the packages the Makefile's
// VTPROTO_PATHS gives generated codecs: a package added there is added
// here.
var generatedCodecFiles = []protoreflect.FileDescriptor{
	walletv1.File_ledgerd_wallet_v1_wallet_proto,
}

func containsName(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// checkGeneratedCodecs tests the messages of mds (and those nested in
// them) that have generated codecs, and returns their names.
func checkGeneratedCodecs(t *testing.T, mds protoreflect.MessageDescriptors) []string {
	var names []string
	for i := range mds.Len() {
		md := mds.Get(i)
		names = append(names, checkGeneratedCodecs(t, md.Messages())...)
		if md.IsMapEntry() {
			continue
		}
		mt, err := protoregistry.GlobalTypes.FindMessageByName(md.FullName())
		if err != nil {
			t.Fatalf("%s: %v", md.FullName(), err)
		}
		if _, ok := mt.New().Interface().(store.GeneratedCodec); !ok {
			t.Errorf("%s has no generated codec: the Makefile's VTPROTO_PATHS generates them for every message of its packages", md.FullName())
			continue
		}
		names = append(names, string(md.FullName()))
		for f := range md.Fields().Len() {
			// The generated encoder writes a map in Go's iteration order,
			// which deterministic encoding does not allow.
			if fd := md.Fields().Get(f); fd.IsMap() {
				t.Errorf("%s.%s is a map: its generated encoding is not deterministic", md.FullName(), fd.Name())
			}
		}
		r := rand.New(rand.NewPCG(uint64(i), 7))
		for n := range 300 {
			m := mt.New()
			fill(r, m, 0)
			checkCodecOn(t, mt, m.Interface(), n)
		}
		checkCodecOn(t, mt, mt.New().Interface(), -1) // the empty message
	}
	return names
}

var deterministic = proto.MarshalOptions{Deterministic: true}

func checkCodecOn(t *testing.T, mt protoreflect.MessageType, m proto.Message, n int) {
	t.Helper()
	name := mt.Descriptor().FullName()
	want, err := deterministic.Marshal(m)
	if err != nil {
		t.Fatalf("%s #%d: proto: %v", name, n, err)
	}
	got, err := store.Marshal(m)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%s #%d: store.Marshal = %x, %v; proto gives %x", name, n, got, err, want)
	}
	prefix := []byte{0xAA, 0xBB}
	appended, err := store.MarshalAppend(prefix[:len(prefix):len(prefix)], m)
	if err != nil || !bytes.Equal(appended, append(prefix, want...)) {
		t.Fatalf("%s #%d: store.MarshalAppend = %x, %v; want %x after %x", name, n, appended, err, want, prefix)
	}

	// Decoding, into a message that held something else, with an unknown
	// field (both codecs keep it and write it last).
	withUnknown := protowire.AppendTag(bytes.Clone(want), 1999, protowire.VarintType)
	withUnknown = protowire.AppendVarint(withUnknown, uint64(n+2))
	for _, in := range [][]byte{want, withUnknown} {
		wantMsg := mt.New().Interface()
		if err := proto.Unmarshal(in, wantMsg); err != nil {
			t.Fatalf("%s #%d: proto.Unmarshal: %v", name, n, err)
		}
		gotMsg := mt.New()
		fill(rand.New(rand.NewPCG(uint64(n), 1)), gotMsg, 0)
		if err := store.Unmarshal(in, gotMsg.Interface()); err != nil {
			t.Fatalf("%s #%d: store.Unmarshal: %v", name, n, err)
		}
		if !proto.Equal(gotMsg.Interface(), wantMsg) {
			t.Fatalf("%s #%d: store.Unmarshal(%x) = %v; proto gives %v", name, n, in, gotMsg.Interface(), wantMsg)
		}
		again, err := store.Marshal(gotMsg.Interface())
		if err != nil || !bytes.Equal(again, in) {
			t.Fatalf("%s #%d: decoded and encoded again: %x, %v; want %x", name, n, again, err, in)
		}
	}
}

// fill sets a random selection of m's fields (each kind's zero value among
// the choices, so that presence is tested too) to random values, nested
// messages to a depth of three.
func fill(r *rand.Rand, m protoreflect.Message, depth int) {
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if r.IntN(4) == 0 || (fd.Message() != nil && depth >= 3) {
			continue
		}
		if oneof := fd.ContainingOneof(); oneof != nil && m.WhichOneof(oneof) != nil {
			continue
		}
		switch {
		case fd.IsList():
			list := m.Mutable(fd).List()
			for range r.IntN(4) {
				if fd.Message() != nil {
					elem := list.NewElement()
					fill(r, elem.Message(), depth+1)
					list.Append(elem)
				} else {
					list.Append(randomScalar(r, fd))
				}
			}
		case fd.Message() != nil:
			fill(r, m.Mutable(fd).Message(), depth+1)
		default:
			m.Set(fd, randomScalar(r, fd))
		}
	}
}

func randomScalar(r *rand.Rand, fd protoreflect.FieldDescriptor) protoreflect.Value {
	small := r.IntN(3) == 0 // small values, zero among them, beside full-width ones
	u := r.Uint64()
	if small {
		u = uint64(r.IntN(3))
	}
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(u&1 == 1)
	case protoreflect.EnumKind: // known values, and others of any sign
		if small {
			return protoreflect.ValueOfEnum(protoreflect.EnumNumber(u % 9))
		}
		return protoreflect.ValueOfEnum(protoreflect.EnumNumber(int32(u)))
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(u))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(int64(u))
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(u))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(u)
	case protoreflect.StringKind:
		const letters = "abcdefghijklmnopqrstuvwxyz0123456789-é€"
		var s strings.Builder
		for range u % 24 {
			s.WriteRune([]rune(letters)[r.IntN(len([]rune(letters)))])
		}
		return protoreflect.ValueOfString(s.String())
	case protoreflect.BytesKind:
		b := make([]byte, u%40)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return protoreflect.ValueOfBytes(b)
	}
	panic("randomScalar: kind " + fd.Kind().String() + " of " + string(fd.FullName()))
}
