package auth

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/ethereum/go-ethereum/crypto"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	optionsv1 "github.com/ledgerd/ledgerd/proto/ledgerd/options/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// The EIP-712 types of every message are derived from the protobuf
// descriptors, once: TxBody's oneof "msg" lists the message kinds; each
// kind's primary type is its message's fields, in field-number order, named
// by their JSON names (lowerCamelCase), after the envelope's signer, nonce
// and validUntilHeight. The ledgerd.options.v1 annotations say where a
// field is signed otherwise (address, bytes32, flattened, a oneof digest)
// and name structs. Nothing here knows a message kind: a new message
// needs its .proto, nothing in this package.

// Solidity types of atomic values.
const (
	typeAddress = "address"
	typeBytes32 = "bytes32"
	typeBytes   = "bytes"
	typeString  = "string"
	typeBool    = "bool"
	typeUint32  = "uint32"
	typeUint64  = "uint64"
	typeInt32   = "int32"
	typeInt64   = "int64"
)

// fieldKind is how one EIP-712 member's value is produced and encoded.
type fieldKind int

const (
	kindAtomic        fieldKind = iota // one protobuf scalar (or enum)
	kindStruct                         // a nested message: hashStruct
	kindArray                          // a repeated field: keccak of its elements' encodings
	kindOneofName                      // ONEOF_DIGEST: the name of the oneof field set
	kindOneofHash                      // ONEOF_DIGEST: keccak256 of the message's encoding
	kindEnvelopeAddr                   // the body's signer
	kindEnvelopeNonce                  // the body's nonce
	kindEnvelopeValid                  // the body's valid_until_height
)

// member is one member of an EIP-712 struct.
type member struct {
	name string // EIP-712 name: the field's JSON name
	typ  string // EIP-712 type: "address", "Leg[]", ...
	kind fieldKind
	// path leads from the struct's message to the field: one descriptor,
	// or two when the field is in a flattened message field.
	path []protoreflect.FieldDescriptor
	// elem is the atomic type of an array's elements ("" for structs).
	elem string
	// sub is the struct of a nested message or of an array's elements.
	sub *structType
}

// structType is one EIP-712 struct, derived from a message descriptor.
type structType struct {
	name     string
	msg      protoreflect.MessageDescriptor
	members  []member
	deps     []*structType // every struct it refers to, directly or not, by name
	typeHash [32]byte
}

// encodeType is EIP-712's encodeType: the struct followed by the structs
// it refers to, sorted by name.
func (s *structType) encodeType() string {
	t := s.own()
	for _, d := range s.deps {
		t += d.own()
	}
	return t
}

func (s *structType) own() string {
	parts := make([]string, len(s.members))
	for i, m := range s.members {
		parts[i] = m.typ + " " + m.name
	}
	return s.name + "(" + strings.Join(parts, ",") + ")"
}

// typeTable holds the primary type of each message kind, by the TxBody
// field number carrying it.
type typeTable struct {
	msgOneof protoreflect.OneofDescriptor
	primary  map[protoreflect.FieldNumber]*structType
	ordered  []*structType // in TxBody field order
}

var (
	tableOnce sync.Once
	table     *typeTable
)

// types returns the type table, derived from the descriptors on first use.
// A descriptor the rules cannot type is a programming error caught by the
// first test that signs anything: it panics.
func types() *typeTable {
	tableOnce.Do(func() {
		t, err := deriveTypes((&authv1.TxBody{}).ProtoReflect().Descriptor())
		if err != nil {
			panic(fmt.Sprintf("auth: deriving EIP-712 types: %v", err))
		}
		table = t
	})
	return table
}

func deriveTypes(body protoreflect.MessageDescriptor) (*typeTable, error) {
	od := body.Oneofs().ByName("msg")
	if od == nil {
		return nil, fmt.Errorf("%s has no oneof msg", body.FullName())
	}
	t := &typeTable{msgOneof: od, primary: map[protoreflect.FieldNumber]*structType{}}
	d := &deriver{structs: map[protoreflect.FullName]*structType{}, names: map[string]protoreflect.FullName{}}
	fields := od.Fields()
	for i := range fields.Len() {
		f := fields.Get(i)
		if f.Message() == nil {
			return nil, fmt.Errorf("TxBody.%s is not a message", f.Name())
		}
		st, err := d.structOf(f.Message(), true)
		if err != nil {
			return nil, err
		}
		t.primary[f.Number()] = st
		t.ordered = append(t.ordered, st)
	}
	return t, nil
}

// deriver builds struct types, each message once, and checks that no two
// messages take one struct name.
type deriver struct {
	structs map[protoreflect.FullName]*structType
	names   map[string]protoreflect.FullName
}

func structName(md protoreflect.MessageDescriptor) string {
	if n := proto.GetExtension(md.Options(), optionsv1.E_Eip712Struct).(string); n != "" {
		return n
	}
	return strings.TrimPrefix(string(md.Name()), "Msg")
}

func fieldOption(fd protoreflect.FieldDescriptor) optionsv1.Eip712 {
	return proto.GetExtension(fd.Options(), optionsv1.E_Eip712).(optionsv1.Eip712)
}

func (d *deriver) structOf(md protoreflect.MessageDescriptor, primary bool) (*structType, error) {
	if st, ok := d.structs[md.FullName()]; ok {
		return st, nil
	}
	st := &structType{name: structName(md), msg: md}
	if other, taken := d.names[st.name]; taken && other != md.FullName() {
		return nil, fmt.Errorf("EIP-712 struct name %q is taken by %s and %s: set (ledgerd.options.v1.eip712_struct)", st.name, other, md.FullName())
	}
	d.names[st.name] = md.FullName()
	d.structs[md.FullName()] = st
	if primary {
		st.members = append(st.members,
			member{name: "signer", typ: typeAddress, kind: kindEnvelopeAddr},
			member{name: "nonce", typ: typeUint64, kind: kindEnvelopeNonce},
			member{name: "validUntilHeight", typ: typeUint64, kind: kindEnvelopeValid})
	}
	if err := d.addFields(st, md, nil); err != nil {
		return nil, err
	}
	deps := map[string]*structType{}
	for _, m := range st.members {
		if m.sub != nil {
			deps[m.sub.name] = m.sub
			for _, dd := range m.sub.deps {
				deps[dd.name] = dd
			}
		}
	}
	delete(deps, st.name)
	for _, dep := range deps { // nolint:determinism: sorted below; computed once, never in state
		st.deps = append(st.deps, dep)
	}
	slices.SortFunc(st.deps, func(a, b *structType) int { return strings.Compare(a.name, b.name) })
	st.typeHash = crypto.Keccak256Hash([]byte(st.encodeType()))
	return st, nil
}

// addFields appends md's fields to st, under the path prefix (a flattened
// message field).
func (d *deriver) addFields(st *structType, md protoreflect.MessageDescriptor, prefix []protoreflect.FieldDescriptor) error {
	fields := md.Fields()
	ordered := make([]protoreflect.FieldDescriptor, fields.Len())
	for i := range fields.Len() {
		ordered[i] = fields.Get(i)
	}
	slices.SortFunc(ordered, func(a, b protoreflect.FieldDescriptor) int { return int(a.Number()) - int(b.Number()) })
	for _, fd := range ordered {
		path := append(slices.Clone(prefix), fd)
		where := fmt.Sprintf("%s.%s", md.FullName(), fd.Name())
		if fd.IsMap() {
			return fmt.Errorf("%s: maps cannot be signed as EIP-712", where)
		}
		switch opt := fieldOption(fd); opt {
		case optionsv1.Eip712_EIP712_FLATTEN:
			if fd.Message() == nil || fd.IsList() {
				return fmt.Errorf("%s: FLATTEN needs a singular message field", where)
			}
			if err := d.addFields(st, fd.Message(), path); err != nil {
				return err
			}
			continue
		case optionsv1.Eip712_EIP712_ONEOF_DIGEST:
			if fd.Message() == nil || fd.IsList() || fd.Message().Oneofs().Len() != 1 {
				return fmt.Errorf("%s: ONEOF_DIGEST needs a singular message field with one oneof", where)
			}
			st.members = append(st.members,
				member{name: fd.JSONName(), typ: typeString, kind: kindOneofName, path: path},
				member{name: fd.JSONName() + "Hash", typ: typeBytes32, kind: kindOneofHash, path: path})
			continue
		}
		m := member{name: fd.JSONName(), path: path}
		if fd.Message() != nil {
			sub, err := d.structOf(fd.Message(), false)
			if err != nil {
				return err
			}
			m.sub, m.typ, m.kind = sub, sub.name, kindStruct
		} else {
			atomic, err := atomicType(fd, where)
			if err != nil {
				return err
			}
			m.typ, m.kind, m.elem = atomic, kindAtomic, atomic
		}
		if fd.IsList() {
			m.typ += "[]"
			m.kind = kindArray
		}
		st.members = append(st.members, m)
	}
	return nil
}

// atomicType is the EIP-712 type of a scalar field.
func atomicType(fd protoreflect.FieldDescriptor, where string) (string, error) {
	opt := fieldOption(fd)
	if opt != optionsv1.Eip712_EIP712_UNSPECIFIED && fd.Kind() != protoreflect.BytesKind {
		return "", fmt.Errorf("%s: eip712 option %s applies to bytes fields", where, opt)
	}
	switch fd.Kind() {
	case protoreflect.BytesKind:
		switch opt {
		case optionsv1.Eip712_EIP712_ADDRESS:
			return typeAddress, nil
		case optionsv1.Eip712_EIP712_BYTES32:
			return typeBytes32, nil
		}
		return typeBytes, nil
	case protoreflect.StringKind:
		return typeString, nil
	case protoreflect.BoolKind:
		return typeBool, nil
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.EnumKind:
		return typeUint32, nil
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return typeUint64, nil
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return typeInt32, nil
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return typeInt64, nil
	}
	return "", fmt.Errorf("%s: %s fields cannot be signed as EIP-712", where, fd.Kind())
}

// PrimaryTypes returns the EIP-712 encodeType of every message kind, by
// primary type name: the schema docs/signing.md documents.
func PrimaryTypes() map[string]string {
	out := map[string]string{}
	for _, st := range types().ordered {
		out[st.name] = st.encodeType()
	}
	return out
}

// PrimaryType returns the name and encodeType of the primary type of the
// message kind carried in TxBody field name (e.g. "transfer"), or false.
func PrimaryType(field string) (name, encodeType string, ok bool) {
	t := types()
	fd := t.msgOneof.Fields().ByName(protoreflect.Name(field))
	if fd == nil {
		return "", "", false
	}
	st := t.primary[fd.Number()]
	return st.name, st.encodeType(), true
}

// primaryOf returns the primary type of body's message and the message.
func primaryOf(body *authv1.TxBody) (*structType, protoreflect.Message, error) {
	t := types()
	r := body.ProtoReflect()
	fd := r.WhichOneof(t.msgOneof)
	if fd == nil {
		return nil, nil, errcode.Wrap(ErrInvalidTx, "body carries no message")
	}
	return t.primary[fd.Number()], r.Get(fd).Message(), nil
}

// HashStruct is EIP-712's hashStruct of body's message.
func HashStruct(body *authv1.TxBody) ([32]byte, error) {
	st, m, err := primaryOf(body)
	if err != nil {
		return [32]byte{}, err
	}
	return hashStruct(st, m, body, nil)
}

// path names a value in errors ("legs[2].to"); it is only formatted when
// a value is refused, so hashing allocates nothing for it.
type path struct {
	parent *path
	name   string
	index  int // an array element's index, or -1
}

func (p *path) String() string {
	if p == nil {
		return ""
	}
	s := p.parent.String()
	if p.index >= 0 {
		return fmt.Sprintf("%s[%d]", s, p.index)
	}
	if s != "" {
		s += "."
	}
	return s + p.name
}

// lazyPath is a path and a last name, formatted only for an error.
type lazyPath struct {
	parent *path
	name   string
}

func (l lazyPath) String() string {
	return (&path{parent: l.parent, name: l.name, index: -1}).String()
}

// hashStruct hashes m as st; body supplies the envelope's members of a
// primary type; where names m in errors.
func hashStruct(st *structType, m protoreflect.Message, body *authv1.TxBody, where *path) ([32]byte, error) {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	enc := append(sc.buf[:0], st.typeHash[:]...)
	for i := range st.members {
		mem := &st.members[i]
		var slot [32]byte
		if err := encodeMember(slot[:], mem, m, body, where); err != nil {
			return [32]byte{}, err
		}
		enc = append(enc, slot[:]...)
	}
	sc.buf = enc
	return sc.sum(enc), nil
}

// scratch is a Keccak state and an encoding buffer, recycled: hashing a
// payment's typed data then allocates almost nothing.
type scratch struct {
	h   crypto.KeccakState
	buf []byte
	// memo holds the last few short strings it hashed, with their hashes
	// (hashString); next is the entry the next one replaces.
	memo [memoEntries]struct {
		s string
		h [32]byte
	}
	next int
}

// memoEntries and memoLimit bound the strings a scratch remembers the
// hashes of: a few (a payment's denomination, among a memo or a domain's
// name and version), of at most memoLimit bytes each.
const (
	memoEntries = 4
	memoLimit   = 64
)

// emptyHash is keccak256 of nothing: the encoding of an empty string or
// bytes member, such as a payment's memo left empty.
var emptyHash = crypto.Keccak256Hash()

var scratchPool = sync.Pool{New: func() any { return &scratch{h: crypto.NewKeccakState(), buf: make([]byte, 0, 32*16)} }}

func (sc *scratch) sum(data []byte) (out [32]byte) {
	sc.h.Reset()
	sc.h.Write(data)
	sc.h.Read(out[:])
	return out
}

// hashString returns keccak256(s), the encoding of a string member. Each
// scratch remembers the last few short strings it hashed: the denomination,
// which a consortium's payments repeat, is then hashed once per scratch
// rather than once per transaction.
func hashString(s string) [32]byte {
	if s == "" {
		return emptyHash
	}
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	for i := range sc.memo {
		if sc.memo[i].s == s {
			return sc.memo[i].h
		}
	}
	out := sc.sum([]byte(s))
	if len(s) <= memoLimit {
		// A copy: s may alias a buffer its message reuses.
		sc.memo[sc.next].s, sc.memo[sc.next].h = strings.Clone(s), out
		sc.next = (sc.next + 1) % memoEntries
	}
	return out
}

// keccak returns keccak256(data).
func keccak(data []byte) [32]byte {
	if len(data) == 0 {
		return emptyHash
	}
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	return sc.sum(data)
}

// value returns the value at mem's path in m, and whether the flattened
// parent on the path is present (an absent one reads as zero values).
func value(mem *member, m protoreflect.Message) protoreflect.Value {
	for _, fd := range mem.path[:len(mem.path)-1] {
		m = m.Get(fd).Message()
	}
	return m.Get(mem.path[len(mem.path)-1])
}

func encodeMember(out []byte, mem *member, m protoreflect.Message, body *authv1.TxBody, where *path) error {
	switch mem.kind {
	case kindEnvelopeAddr:
		return encodeAtomic(out, typeAddress, protoreflect.ValueOfBytes(body.GetSigner()), where, mem.name)
	case kindEnvelopeNonce:
		binary.BigEndian.PutUint64(out[24:], body.GetNonce())
		return nil
	case kindEnvelopeValid:
		binary.BigEndian.PutUint64(out[24:], body.GetValidUntilHeight())
		return nil
	case kindAtomic:
		return encodeAtomic(out, mem.typ, value(mem, m), where, mem.name)
	case kindStruct:
		sub := value(mem, m).Message()
		h, err := hashStruct(mem.sub, sub, nil, &path{parent: where, name: mem.name, index: -1})
		copy(out, h[:])
		return err
	case kindArray:
		list := value(mem, m).List()
		buf := make([]byte, 32*list.Len())
		at := &path{parent: where, name: mem.name, index: -1}
		for i := range list.Len() {
			if mem.sub != nil {
				h, err := hashStruct(mem.sub, list.Get(i).Message(), nil, &path{parent: at, index: i})
				if err != nil {
					return err
				}
				copy(buf[32*i:], h[:])
			} else if err := encodeAtomic(buf[32*i:32*(i+1)], mem.elem, list.Get(i), at, fmt.Sprint(i)); err != nil {
				return err
			}
		}
		h := keccak(buf)
		copy(out, h[:])
		return nil
	case kindOneofName, kindOneofHash:
		name, hash, err := oneofDigest(value(mem, m), &path{parent: where, name: mem.path[len(mem.path)-1].JSONName(), index: -1})
		if err != nil {
			return err
		}
		if mem.kind == kindOneofName {
			copy(out, crypto.Keccak256([]byte(name)))
		} else {
			copy(out, hash)
		}
		return nil
	}
	panic(fmt.Sprintf("auth: member %s of unknown kind %d", mem.name, mem.kind))
}

// oneofDigest returns the name of the oneof field set in v's message and
// the keccak256 of its canonical encoding.
func oneofDigest(v protoreflect.Value, where fmt.Stringer) (string, []byte, error) {
	msg := v.Message()
	if !msg.IsValid() {
		return "", nil, errcode.Wrap(ErrInvalidTx, "%s is not set", where)
	}
	od := msg.Descriptor().Oneofs().Get(0)
	set := msg.WhichOneof(od)
	if set == nil {
		return "", nil, errcode.Wrap(ErrInvalidTx, "%s has no %s set", where, od.Name())
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(msg.Interface())
	if err != nil {
		return "", nil, errcode.Wrap(ErrInvalidTx, "%s: %v", where, err)
	}
	return string(set.Name()), crypto.Keccak256(b), nil
}

// encodeAtomic writes EIP-712's encodeData of one atomic or dynamic value
// into the 32-byte slot out.
func encodeAtomic(out []byte, typ string, v protoreflect.Value, in *path, name string) error {
	where := lazyPath{in, name}
	switch typ {
	case typeAddress:
		b := v.Bytes()
		if len(b) != 20 {
			return errcode.Wrap(ErrInvalidTx, "%s must be a 20-byte address, got %d bytes", where, len(b))
		}
		copy(out[12:], b)
	case typeBytes32:
		b := v.Bytes()
		if len(b) != 32 {
			return errcode.Wrap(ErrInvalidTx, "%s must be 32 bytes, got %d", where, len(b))
		}
		copy(out, b)
	case typeBytes:
		h := keccak(v.Bytes())
		copy(out, h[:])
	case typeString:
		h := hashString(v.String())
		copy(out, h[:])
	case typeBool:
		if v.Bool() {
			out[31] = 1
		}
	case typeUint32:
		if e, ok := v.Interface().(protoreflect.EnumNumber); ok {
			if e < 0 {
				return errcode.Wrap(ErrInvalidTx, "%s: enum value %d is negative", where, e)
			}
			binary.BigEndian.PutUint32(out[28:], uint32(e))
			return nil
		}
		binary.BigEndian.PutUint32(out[28:], uint32(v.Uint()))
	case typeUint64:
		binary.BigEndian.PutUint64(out[24:], v.Uint())
	case typeInt32, typeInt64:
		// Two's complement, sign-extended to 256 bits.
		n := v.Int()
		if n < 0 {
			for i := range out[:24] {
				out[i] = 0xff
			}
		}
		binary.BigEndian.PutUint64(out[24:], uint64(n))
	default:
		panic(fmt.Sprintf("auth: %s has unsupported type %s", where, typ))
	}
	return nil
}

// SigningDigest is the 32-byte EIP-712 digest a signer signs in
// SIGN_MODE_EIP712: keccak256(0x19 0x01 || domainSeparator || hashStruct).
func SigningDigest(d Domain, body *authv1.TxBody) ([32]byte, error) {
	return signingDigest(d.Separator(), body)
}

func signingDigest(separator [32]byte, body *authv1.TxBody) ([32]byte, error) {
	h, err := HashStruct(body)
	if err != nil {
		return [32]byte{}, err
	}
	var buf [2 + 32 + 32]byte
	buf[0], buf[1] = 0x19, 0x01
	copy(buf[2:], separator[:])
	copy(buf[34:], h[:])
	return keccak(buf[:]), nil
}

// PersonalDigest is the digest signed in SIGN_MODE_EIP191: personal_sign
// (EIP-191 version 0x45) over the 32 bytes of the EIP-712 digest, which is
// what `ethkey signmessage` and wallets' "sign message" produce.
func PersonalDigest(eip712 [32]byte) [32]byte {
	return crypto.Keccak256Hash([]byte("\x19Ethereum Signed Message:\n32"), eip712[:])
}

// Digest returns the digest mode signs for body.
func Digest(d Domain, body *authv1.TxBody, mode authv1.SignMode) ([32]byte, error) {
	return digestWithSeparator(d.Separator(), body, mode)
}

func digestWithSeparator(separator [32]byte, body *authv1.TxBody, mode authv1.SignMode) ([32]byte, error) {
	h, err := signingDigest(separator, body)
	if err != nil {
		return h, err
	}
	return modeDigest(h, mode)
}

// modeDigest is what a signature in mode signs of the EIP-712 digest h.
func modeDigest(h [32]byte, mode authv1.SignMode) ([32]byte, error) {
	switch mode {
	case authv1.SignMode_SIGN_MODE_EIP712:
		return h, nil
	case authv1.SignMode_SIGN_MODE_EIP191:
		return PersonalDigest(h), nil
	default:
		return [32]byte{}, errcode.Wrap(ErrInvalidSignMode, "sign mode %d", mode)
	}
}

// OneofDigest returns what an ONEOF_DIGEST field signs of m: the name of
// the oneof field set in it and the keccak256 of its canonical encoding
// (a proposal's action, which `ledgerd tx gov propose --print-typed-data`
// shows decoded beside the hash).
func OneofDigest(m proto.Message) (string, []byte, error) {
	return oneofDigest(protoreflect.ValueOfMessage(m.ProtoReflect()), &path{name: string(m.ProtoReflect().Descriptor().Name()), index: -1})
}
