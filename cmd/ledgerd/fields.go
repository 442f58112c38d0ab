package main

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	optionsv1 "github.com/ledgerd/ledgerd/proto/ledgerd/options/v1"
	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/calendar"
)

// Message fields are filled from command-line text by their protobuf types
// and annotations (ledgerd.options.v1): addresses, bytes32 and bytes as
// hex, amounts in major units of their denomination, Unix times as RFC
// 3339 times, dates or seconds, enums by name, repeated values
// comma-separated. A path is dotted into nested messages, with indexes
// into repeated ones ("legs.3.amount").

// decimalsFunc returns the decimals of a denomination's major unit.
type decimalsFunc func(denom string) (uint32, error)

// setField fills the field at path of msg from text.
func setField(msg proto.Message, path, text string, decimals decimalsFunc) error {
	elems := strings.Split(path, ".")
	stack := []protoreflect.Message{msg.ProtoReflect()}
	m := stack[0]
	for i := 0; i < len(elems)-1; i++ {
		fd := m.Descriptor().Fields().ByName(protoreflect.Name(elems[i]))
		if fd == nil || fd.Message() == nil {
			return fmt.Errorf("%s has no message field %q", m.Descriptor().FullName(), elems[i])
		}
		if !fd.IsList() {
			m = m.Mutable(fd).Message()
			stack = append(stack, m)
			continue
		}
		i++
		idx, err := strconv.Atoi(elems[i])
		list := m.Mutable(fd).List()
		switch {
		case err != nil || idx < 0 || idx > list.Len():
			return fmt.Errorf("%s: %q is not an index of %s (length %d)", path, elems[i], fd.Name(), list.Len())
		case idx == list.Len():
			list.Append(list.NewElement())
		}
		m = list.Get(idx).Message()
		stack = append(stack, m)
	}
	fd := m.Descriptor().Fields().ByName(protoreflect.Name(elems[len(elems)-1]))
	if fd == nil || fd.Message() != nil {
		return fmt.Errorf("%s has no field %q to set from text", m.Descriptor().FullName(), elems[len(elems)-1])
	}
	parse := func(s string) (protoreflect.Value, error) { return parseScalar(fd, s, stack, decimals) }
	if !fd.IsList() {
		v, err := parse(text)
		if err != nil {
			return err
		}
		m.Set(fd, v)
		return nil
	}
	list := m.NewField(fd).List()
	for _, part := range strings.Split(text, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		v, err := parse(part)
		if err != nil {
			return err
		}
		list.Append(v)
	}
	m.Set(fd, protoreflect.ValueOfList(list))
	return nil
}

// isAmount reports whether fd is an amount in minor units of a denom.
func isAmount(fd protoreflect.FieldDescriptor) bool {
	return proto.GetExtension(fd.Options(), optionsv1.E_AmountOf).(string) != ""
}

func parseScalar(fd protoreflect.FieldDescriptor, s string, stack []protoreflect.Message, decimals decimalsFunc) (protoreflect.Value, error) {
	name := fd.Name()
	switch fd.Kind() {
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(s), nil
	case protoreflect.BoolKind:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return protoreflect.Value{}, fmt.Errorf("%s %q: want true or false", name, s)
		}
		return protoreflect.ValueOfBool(b), nil
	case protoreflect.BytesKind:
		return parseBytes(fd, s)
	case protoreflect.EnumKind:
		return parseEnum(fd.Enum(), s)
	}
	if denomField := proto.GetExtension(fd.Options(), optionsv1.E_AmountOf).(string); denomField != "" {
		denom := ""
		for i := len(stack) - 1; i >= 0 && denom == ""; i-- {
			denom = stringAt(stack[i], denomField)
		}
		if denom == "" {
			return protoreflect.Value{}, fmt.Errorf("%s %q: the denomination (%s) must be given before the amount", name, s, denomField)
		}
		d, err := decimals(denom)
		if err != nil {
			return protoreflect.Value{}, err
		}
		v, err := arith.Parse(s, d)
		if err != nil {
			return protoreflect.Value{}, fmt.Errorf("%s %q: an amount of %s in major units, at most %d decimals (%s): %v", name, s, denom, d, arith.Format(1, d), err)
		}
		return protoreflect.ValueOfUint64(v), nil
	}
	if proto.GetExtension(fd.Options(), optionsv1.E_CalendarDay).(bool) {
		d, err := calendar.ParseDay(s)
		if err != nil {
			return protoreflect.Value{}, fmt.Errorf("%s: %w", name, err)
		}
		return protoreflect.ValueOfInt64(int64(d)), nil
	}
	if proto.GetExtension(fd.Options(), optionsv1.E_UnixTime).(bool) {
		t, err := parseTime(s)
		if err != nil {
			return protoreflect.Value{}, fmt.Errorf("%s: %w", name, err)
		}
		return protoreflect.ValueOfInt64(t), nil
	}
	switch fd.Kind() {
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return protoreflect.Value{}, fmt.Errorf("%s %q: want a whole number", name, s)
		}
		return protoreflect.ValueOfUint32(uint32(n)), nil
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return protoreflect.Value{}, fmt.Errorf("%s %q: want a whole number", name, s)
		}
		return protoreflect.ValueOfUint64(n), nil
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		n, err := strconv.ParseInt(s, 10, 32)
		if err != nil {
			return protoreflect.Value{}, fmt.Errorf("%s %q: want a whole number", name, s)
		}
		return protoreflect.ValueOfInt32(int32(n)), nil
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return protoreflect.Value{}, fmt.Errorf("%s %q: want a whole number", name, s)
		}
		return protoreflect.ValueOfInt64(n), nil
	}
	return protoreflect.Value{}, fmt.Errorf("%s: %s fields cannot be set from the command line", name, fd.Kind())
}

// stringAt is the string field at path (dotted: "terms.denom") of m, or ""
// if m has no such field or it is unset.
func stringAt(m protoreflect.Message, path string) string {
	parts := strings.Split(path, ".")
	for i, part := range parts {
		fd := m.Descriptor().Fields().ByName(protoreflect.Name(part))
		switch {
		case fd == nil:
			return ""
		case i == len(parts)-1:
			if fd.Kind() != protoreflect.StringKind {
				return ""
			}
			return m.Get(fd).String()
		case fd.Message() == nil || !m.Has(fd):
			return ""
		}
		m = m.Get(fd).Message()
	}
	return ""
}

func parseBytes(fd protoreflect.FieldDescriptor, s string) (protoreflect.Value, error) {
	switch proto.GetExtension(fd.Options(), optionsv1.E_Eip712).(optionsv1.Eip712) {
	case optionsv1.Eip712_EIP712_ADDRESS:
		if !strings.HasPrefix(s, "0x") || !common.IsHexAddress(s) {
			return protoreflect.Value{}, fmt.Errorf("%s %q is not a 0x-prefixed 20-byte hex address", fd.Name(), s)
		}
		return protoreflect.ValueOfBytes(common.HexToAddress(s).Bytes()), nil
	case optionsv1.Eip712_EIP712_BYTES32:
		b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
		if err != nil || len(b) != 32 {
			return protoreflect.Value{}, fmt.Errorf("%s must be 32 bytes of hex (64 characters, e.g. a SHA-256)", fd.Name())
		}
		return protoreflect.ValueOfBytes(b), nil
	}
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil {
		return protoreflect.Value{}, fmt.Errorf("%s %q: want hex", fd.Name(), s)
	}
	return protoreflect.ValueOfBytes(b), nil
}

// enumPrefix is the prefix an enum's value names share: its type name in
// upper snake case ("FREEZE_KIND_").
func enumPrefix(ed protoreflect.EnumDescriptor) string {
	var b strings.Builder
	for i, r := range string(ed.Name()) {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String() + "_"
}

// EnumName is an enum value's name as the CLI reads and prints it: without
// the type's prefix, lowercase, dashes for underscores ("debit").
func EnumName(ed protoreflect.EnumDescriptor, n protoreflect.EnumNumber) string {
	v := ed.Values().ByNumber(n)
	if v == nil {
		return strconv.Itoa(int(n))
	}
	return strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(string(v.Name()), enumPrefix(ed))), "_", "-")
}

func parseEnum(ed protoreflect.EnumDescriptor, s string) (protoreflect.Value, error) {
	var names []string
	values := ed.Values()
	for i := range values.Len() {
		v := values.Get(i)
		if v.Number() == 0 {
			continue // UNSPECIFIED
		}
		short := EnumName(ed, v.Number())
		names = append(names, short)
		if strings.EqualFold(s, short) || strings.EqualFold(strings.ReplaceAll(s, "-", "_"), strings.ReplaceAll(short, "-", "_")) ||
			strings.EqualFold(s, string(v.Name())) || s == strconv.Itoa(int(v.Number())) {
			return protoreflect.ValueOfEnum(v.Number()), nil
		}
	}
	return protoreflect.Value{}, fmt.Errorf("%q: want one of %s", s, strings.Join(names, ", "))
}

// parseTime reads an RFC 3339 time, a YYYY-MM-DD date (midnight UTC) or
// Unix seconds; "" is 0.
func parseTime(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	for _, layout := range []string{time.RFC3339, time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Unix(), nil
		}
	}
	return 0, fmt.Errorf("%q: want RFC 3339 (2026-12-31T18:00:00+08:00), YYYY-MM-DD or Unix seconds", s)
}
