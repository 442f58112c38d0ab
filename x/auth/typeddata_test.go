package auth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	optionsv1 "github.com/ledgerd/ledgerd/proto/ledgerd/options/v1"
)

// synthetic builds messages of a file made up in the test, with the
// ledgerd.options.v1 annotations, for the shapes no transaction message
// has yet: arrays of atomic values, bools, signed 32-bit integers, plain
// bytes, structs nested in structs.
func synthetic(t *testing.T, messages ...*descriptorpb.DescriptorProto) protoreflect.FileDescriptor {
	t.Helper()
	fd, err := protodesc.NewFile(&descriptorpb.FileDescriptorProto{
		Name: proto.String("synthetic.proto"), Package: proto.String("test"), Syntax: proto.String("proto3"),
		MessageType: messages,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fd
}

func field(name string, num int32, typ descriptorpb.FieldDescriptorProto_Type, repeated bool, typeName string, opt optionsv1.Eip712) *descriptorpb.FieldDescriptorProto {
	f := &descriptorpb.FieldDescriptorProto{Name: proto.String(name), Number: proto.Int32(num), Type: typ.Enum(),
		Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(), JsonName: proto.String(jsonName(name))}
	if repeated {
		f.Label = descriptorpb.FieldDescriptorProto_LABEL_REPEATED.Enum()
	}
	if typeName != "" {
		f.TypeName = proto.String(".test." + typeName)
	}
	if opt != optionsv1.Eip712_EIP712_UNSPECIFIED {
		f.Options = &descriptorpb.FieldOptions{}
		proto.SetExtension(f.Options, optionsv1.E_Eip712, opt)
	}
	return f
}

func jsonName(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
	}
	return strings.Join(parts, "")
}

const (
	tBytes  = descriptorpb.FieldDescriptorProto_TYPE_BYTES
	tString = descriptorpb.FieldDescriptorProto_TYPE_STRING
	tBool   = descriptorpb.FieldDescriptorProto_TYPE_BOOL
	tInt32  = descriptorpb.FieldDescriptorProto_TYPE_INT32
	tUint64 = descriptorpb.FieldDescriptorProto_TYPE_UINT64
	tMsg    = descriptorpb.FieldDescriptorProto_TYPE_MESSAGE
)

// TestDerivedStructsMatchGoEthereum hashes made-up messages with every
// shape the rules support and checks each against go-ethereum's apitypes
// on the typed-data document the same rules write.
func TestDerivedStructsMatchGoEthereum(t *testing.T) {
	file := synthetic(t,
		&descriptorpb.DescriptorProto{Name: proto.String("Point"), Field: []*descriptorpb.FieldDescriptorProto{
			field("x", 1, tInt32, false, "", 0), field("label", 2, tString, false, "", 0),
		}},
		&descriptorpb.DescriptorProto{Name: proto.String("Shape"), Field: []*descriptorpb.FieldDescriptorProto{
			field("owners", 1, tBytes, true, "", optionsv1.Eip712_EIP712_ADDRESS),
			field("closed", 2, tBool, false, "", 0),
			field("blob", 3, tBytes, false, "", 0),
			field("origin", 4, tMsg, false, "Point", 0),
			field("points", 5, tMsg, true, "Point", 0),
			field("amounts", 6, tUint64, true, "", 0),
			field("tags", 7, tString, true, "", 0),
			field("digests", 8, tBytes, true, "", optionsv1.Eip712_EIP712_BYTES32),
		}},
	)
	shape := file.Messages().ByName("Shape")
	d := &deriver{structs: map[protoreflect.FullName]*structType{}, names: map[string]protoreflect.FullName{}}
	st, err := d.structOf(shape, false)
	if err != nil {
		t.Fatal(err)
	}
	const wantType = "Shape(address[] owners,bool closed,bytes blob,Point origin,Point[] points,uint64[] amounts,string[] tags,bytes32[] digests)Point(int32 x,string label)"
	if got := st.encodeType(); got != wantType {
		t.Fatalf("encodeType = %s\nwant          %s", got, wantType)
	}

	point := func(x int32, label string) protoreflect.Value {
		p := dynamicpb.NewMessage(file.Messages().ByName("Point"))
		p.Set(p.Descriptor().Fields().ByName("x"), protoreflect.ValueOfInt32(x))
		p.Set(p.Descriptor().Fields().ByName("label"), protoreflect.ValueOfString(label))
		return protoreflect.ValueOfMessage(p)
	}
	for name, fill := range map[string]func(m *dynamicpb.Message){
		"empty": func(*dynamicpb.Message) {},
		"full": func(m *dynamicpb.Message) {
			f := m.Descriptor().Fields()
			owners := m.NewField(f.ByName("owners")).List()
			owners.Append(protoreflect.ValueOfBytes(bytes.Repeat([]byte{1}, 20)))
			owners.Append(protoreflect.ValueOfBytes(bytes.Repeat([]byte{2}, 20)))
			m.Set(f.ByName("owners"), protoreflect.ValueOfList(owners))
			m.Set(f.ByName("closed"), protoreflect.ValueOfBool(true))
			m.Set(f.ByName("blob"), protoreflect.ValueOfBytes([]byte("any length at all")))
			m.Set(f.ByName("origin"), point(-7, "origin"))
			points := m.NewField(f.ByName("points")).List()
			points.Append(point(1, "a"))
			points.Append(point(-2147483648, ""))
			m.Set(f.ByName("points"), protoreflect.ValueOfList(points))
			amounts := m.NewField(f.ByName("amounts")).List()
			amounts.Append(protoreflect.ValueOfUint64(1<<63 + 1))
			m.Set(f.ByName("amounts"), protoreflect.ValueOfList(amounts))
			tags := m.NewField(f.ByName("tags")).List()
			tags.Append(protoreflect.ValueOfString("标签"))
			tags.Append(protoreflect.ValueOfString(""))
			m.Set(f.ByName("tags"), protoreflect.ValueOfList(tags))
			digests := m.NewField(f.ByName("digests")).List()
			digests.Append(protoreflect.ValueOfBytes(bytes.Repeat([]byte{9}, 32)))
			m.Set(f.ByName("digests"), protoreflect.ValueOfList(digests))
		},
	} {
		t.Run(name, func(t *testing.T) {
			m := dynamicpb.NewMessage(shape)
			fill(m)
			got, err := hashStruct(st, m, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			types := apitypes.Types{}
			for _, s := range append([]*structType{st}, st.deps...) {
				for _, mem := range s.members {
					types[s.name] = append(types[s.name], apitypes.Type{Name: mem.name, Type: mem.typ})
				}
			}
			doc, err := json.Marshal(structJSON(st, m, nil))
			if err != nil {
				t.Fatal(err)
			}
			var msg apitypes.TypedDataMessage
			if err := json.Unmarshal(doc, &msg); err != nil {
				t.Fatal(err)
			}
			types["EIP712Domain"] = []apitypes.Type{{Name: "name", Type: "string"}}
			td := apitypes.TypedData{Types: types, PrimaryType: st.name, Message: msg, Domain: apitypes.TypedDataDomain{Name: "t"}}
			want, err := td.HashStruct(st.name, msg)
			if err != nil {
				t.Fatalf("go-ethereum rejects the document: %v\n%s", err, doc)
			}
			if !bytes.Equal(got[:], want) {
				t.Fatalf("hashStruct %x, go-ethereum %x\n%s", got, want, doc)
			}
		})
	}

	// A wrong length is refused with the path of the value.
	m := dynamicpb.NewMessage(shape)
	owners := m.NewField(shape.Fields().ByName("owners")).List()
	owners.Append(protoreflect.ValueOfBytes(bytes.Repeat([]byte{1}, 20)))
	owners.Append(protoreflect.ValueOfBytes([]byte{1, 2}))
	m.Set(shape.Fields().ByName("owners"), protoreflect.ValueOfList(owners))
	if _, err := hashStruct(st, m, nil, nil); err == nil || !strings.Contains(err.Error(), "owners.1 must be a 20-byte address, got 2 bytes") {
		t.Fatalf("short address: %v", err)
	}
}

// TestDerivationRefusesWhatItCannotSign: descriptors the rules cannot type
// fail at derivation (the node would not start), not at signing.
func TestDerivationRefusesWhatItCannotSign(t *testing.T) {
	for name, tc := range map[string]struct {
		msgs []*descriptorpb.DescriptorProto
		want string
	}{
		"address option on a string": {[]*descriptorpb.DescriptorProto{{Name: proto.String("MsgA"), Field: []*descriptorpb.FieldDescriptorProto{
			field("who", 1, tString, false, "", optionsv1.Eip712_EIP712_ADDRESS)}}}, "applies to bytes fields"},
		"flatten on a scalar": {[]*descriptorpb.DescriptorProto{{Name: proto.String("MsgA"), Field: []*descriptorpb.FieldDescriptorProto{
			field("n", 1, tUint64, false, "", optionsv1.Eip712_EIP712_FLATTEN)}}}, "FLATTEN needs a singular message field"},
		"oneof digest without a oneof": {[]*descriptorpb.DescriptorProto{
			{Name: proto.String("Inner"), Field: []*descriptorpb.FieldDescriptorProto{field("n", 1, tUint64, false, "", 0)}},
			{Name: proto.String("MsgA"), Field: []*descriptorpb.FieldDescriptorProto{field("inner", 1, tMsg, false, "Inner", optionsv1.Eip712_EIP712_ONEOF_DIGEST)}},
		}, "ONEOF_DIGEST needs"},
		"one struct name for two messages": {[]*descriptorpb.DescriptorProto{
			{Name: proto.String("A"), Field: []*descriptorpb.FieldDescriptorProto{field("n", 1, tUint64, false, "", 0)}},
			{Name: proto.String("MsgA"), Field: []*descriptorpb.FieldDescriptorProto{field("a", 1, tMsg, false, "A", 0)}},
		}, "is taken by"},
	} {
		t.Run(name, func(t *testing.T) {
			file := synthetic(t, tc.msgs...)
			d := &deriver{structs: map[protoreflect.FullName]*structType{}, names: map[string]protoreflect.FullName{}}
			_, err := d.structOf(file.Messages().ByName("MsgA"), true)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("derivation error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

// TestStringHashes checks hashString, which remembers the last strings a
// scratch hashed, against keccak256 over a sequence that repeats strings,
// alternates them, includes empty and long ones, and passes more than a
// scratch remembers.
func TestStringHashes(t *testing.T) {
	long := strings.Repeat("l", memoLimit+1)
	seq := []string{"", "uLED", "uLED", "uUSD", "uLED", "", long, long, "uLED", "a", "uLED"}
	for i := range memoEntries + 1 { // more strings than a scratch remembers
		seq = append(seq, fmt.Sprint(i), "uLED", fmt.Sprint(i))
	}
	for i, s := range seq {
		want := crypto.Keccak256Hash([]byte(s))
		if got := hashString(s); got != want {
			t.Fatalf("string %d (%q): hash %x, want %x", i, s, got, want)
		}
	}
}
