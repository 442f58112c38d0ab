package wallet

import (
	"math"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
)

// Every transaction a wallet signs reads the wallet's nonce (the app's
// account lookup) and writes it one higher (after the message executed).
// Decoding the whole record for that, and encoding it again, costs as much
// as the payment's own reading of the wallet: its balances, limits, flows
// and freezes are a few dozen allocations. The functions here read and
// write the nonce on the encoded record instead.
//
// Their contract: b is a wallet record as store.SetProto wrote it, the
// canonical encoding, which every wallet in the store is; on it their
// result is the one decoding would give (FuzzWalletNonce checks this
// against the protobuf library). They check what is cheap to check of the
// top level (fields in ascending order with a repeated field's elements
// together, the wire type each field has, minimal tags and varints, no
// singular scalar at its zero value) and report false for anything else,
// on which the caller decodes the record as before; the contents of
// length-delimited fields are not checked.

const (
	fieldNonce    protowire.Number = 6  // walletv1.Wallet.nonce
	fieldKey      protowire.Number = 19 // walletv1.Wallet.key
	fieldRecovery protowire.Number = 20 // walletv1.Wallet.recovery
)

// walletField is what the canonical encoding allows for one field number.
type walletField struct {
	known    bool
	wire     protowire.Type
	repeated bool
	message  bool // a message field: present even when empty
}

// walletFields is indexed by field number, built from the message's
// descriptor so that it follows the .proto file.
var walletFields = func() []walletField {
	fields := (&walletv1.Wallet{}).ProtoReflect().Descriptor().Fields()
	var out []walletField
	for i := range fields.Len() {
		fd := fields.Get(i)
		wire, ok := wireType(fd)
		if !ok {
			// A kind this scanner does not handle: every record with it
			// takes the decoding path.
			continue
		}
		for int(fd.Number()) >= len(out) {
			out = append(out, walletField{})
		}
		out[fd.Number()] = walletField{known: true, wire: wire, repeated: fd.IsList(),
			message: fd.Kind() == protoreflect.MessageKind}
	}
	return out
}()

// wireType is the wire type the canonical encoding gives fd, for the kinds
// the wallet record uses: varint scalars (singular), and bytes, strings and
// messages (singular or repeated).
func wireType(fd protoreflect.FieldDescriptor) (protowire.Type, bool) {
	if fd.IsMap() || fd.ContainingOneof() != nil {
		return 0, false
	}
	switch fd.Kind() {
	case protoreflect.BoolKind, protoreflect.EnumKind, protoreflect.Int32Kind, protoreflect.Int64Kind,
		protoreflect.Uint32Kind, protoreflect.Uint64Kind:
		if fd.IsList() {
			return 0, false // packed: not in the wallet record
		}
		return protowire.VarintType, true
	case protoreflect.BytesKind, protoreflect.StringKind, protoreflect.MessageKind:
		return protowire.BytesType, true
	}
	return 0, false
}

// walletNonce returns the nonce of the encoded wallet b, and whether the
// wallet is signed for by its own address alone (plain: it has no key of
// its own and no recovery, whose signer must be resolved from the whole
// record); ok is false when b is not a canonical encoding.
func walletNonce(b []byte) (nonce uint64, plain, ok bool) {
	s, ok := scanWallet(b)
	return s.nonce, !s.keyed, ok
}

// withNextNonce returns the canonical encoding of the wallet b with its
// nonce one higher; ok is false when b is not a canonical encoding or its
// nonce is at the maximum.
func withNextNonce(b []byte) ([]byte, bool) {
	s, ok := scanWallet(b)
	if !ok || s.nonce == math.MaxUint64 {
		return nil, false
	}
	out := make([]byte, 0, len(b)+protowire.SizeTag(fieldNonce)+protowire.SizeVarint(s.nonce+1))
	out = append(out, b[:s.nonceStart]...)
	out = protowire.AppendTag(out, fieldNonce, protowire.VarintType)
	out = protowire.AppendVarint(out, s.nonce+1)
	return append(out, b[s.nonceEnd:]...), true
}

// walletScan is what scanWallet finds in an encoded wallet.
type walletScan struct {
	nonce uint64
	// [nonceStart, nonceEnd) is the nonce field's place: where it is, or,
	// empty, where it goes (a nonce of 0 is not encoded).
	nonceStart, nonceEnd int
	// keyed: the wallet has a key of its own or a recovery.
	keyed bool
}

// scanWallet reads the fields of b that the nonce functions need, and
// reports whether b is a canonical encoding. An empty b (no such wallet,
// when it comes from a read) is not.
func scanWallet(b []byte) (walletScan, bool) {
	s := walletScan{nonceStart: -1}
	if len(b) == 0 {
		return s, false
	}
	prev := protowire.Number(0)
	for pos := 0; pos < len(b); {
		num, wire, n := protowire.ConsumeTag(b[pos:])
		if n < 0 || n != protowire.SizeTag(num) || int(num) >= len(walletFields) {
			return s, false
		}
		f := walletFields[num]
		if !f.known || wire != f.wire || num < prev || (num == prev && !f.repeated) {
			return s, false
		}
		start := pos
		pos += n
		switch wire {
		case protowire.VarintType:
			v, m := protowire.ConsumeVarint(b[pos:])
			if m < 0 || m != protowire.SizeVarint(v) || v == 0 {
				return s, false
			}
			pos += m
			if num == fieldNonce {
				s.nonce, s.nonceStart, s.nonceEnd = v, start, pos
			}
		case protowire.BytesType:
			v, m := protowire.ConsumeBytes(b[pos:])
			if m < 0 || m != protowire.SizeBytes(len(v)) || (len(v) == 0 && !f.repeated && !f.message) {
				return s, false
			}
			pos += m
		}
		if num == fieldKey || num == fieldRecovery {
			s.keyed = true
		}
		if num > fieldNonce && s.nonceStart < 0 {
			s.nonceStart, s.nonceEnd = start, start
		}
		prev = num
	}
	if s.nonceStart < 0 {
		s.nonceStart, s.nonceEnd = len(b), len(b)
	}
	return s, true
}
