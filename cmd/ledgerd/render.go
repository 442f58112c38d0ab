package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	optionsv1 "github.com/ledgerd/ledgerd/proto/ledgerd/options/v1"
	"github.com/ledgerd/ledgerd/x/calendar"
)

// renderMessage writes m for people, one field a line, nested messages
// indented: amounts in major units of their denomination (amount_of),
// addresses checksummed, other bytes in hex, enums by their short names,
// Unix times and calendar days as dates. Unset fields are left out.
// stack holds the enclosing messages, where an amount's denomination may
// be.
func renderMessage(w io.Writer, m protoreflect.Message, indent string, stack []protoreflect.Message, money money) {
	stack = append(stack, m)
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if !m.Has(fd) {
			continue
		}
		name := string(fd.Name())
		v := m.Get(fd)
		switch {
		case fd.IsList() && fd.Message() != nil:
			list := v.List()
			fmt.Fprintf(w, "%s%s:\n", indent, name)
			for j := range list.Len() {
				fmt.Fprintf(w, "%s  - #%d\n", indent, j+1)
				renderMessage(w, list.Get(j).Message(), indent+"    ", stack, money)
			}
		case fd.IsList():
			list := v.List()
			parts := make([]string, list.Len())
			for j := range list.Len() {
				parts[j] = scalarText(fd, list.Get(j), stack, money)
			}
			fmt.Fprintf(w, "%s%s: %s\n", indent, name, strings.Join(parts, ", "))
		case fd.IsMap():
			fmt.Fprintf(w, "%s%s: %d entries\n", indent, name, v.Map().Len())
		case fd.Message() != nil:
			fmt.Fprintf(w, "%s%s:\n", indent, name)
			renderMessage(w, v.Message(), indent+"  ", stack, money)
		default:
			fmt.Fprintf(w, "%s%s: %s\n", indent, name, scalarText(fd, v, stack, money))
		}
	}
}

// scalarText is one scalar value for people.
func scalarText(fd protoreflect.FieldDescriptor, v protoreflect.Value, stack []protoreflect.Message, money money) string {
	opts := fd.Options()
	switch fd.Kind() {
	case protoreflect.BytesKind:
		b := v.Bytes()
		if proto.GetExtension(opts, optionsv1.E_Eip712).(optionsv1.Eip712) == optionsv1.Eip712_EIP712_ADDRESS || len(b) == common.AddressLength {
			return common.BytesToAddress(b).Hex()
		}
		return "0x" + hex.EncodeToString(b)
	case protoreflect.EnumKind:
		return EnumName(fd.Enum(), v.Enum())
	case protoreflect.BoolKind:
		if v.Bool() {
			return "yes"
		}
		return "no"
	case protoreflect.StringKind:
		return v.String()
	}
	if path := proto.GetExtension(opts, optionsv1.E_AmountOf).(string); path != "" {
		if denom := denomIn(stack, path); denom != "" {
			return money.Text(v.Uint(), denom)
		}
	}
	if proto.GetExtension(opts, optionsv1.E_UnixTime).(bool) {
		return time.Unix(v.Int(), 0).UTC().Format(time.RFC3339)
	}
	if proto.GetExtension(opts, optionsv1.E_CalendarDay).(bool) {
		return calendar.Day(v.Int()).String()
	}
	return v.String()
}

// denomIn finds the denomination an amount names (amount_of path) in the
// innermost enclosing message that has it, or, failing that, a "denom"
// field of one (a schedule's installments: their loan's terms.denom is the
// schedule's denom).
func denomIn(stack []protoreflect.Message, path string) string {
	for _, p := range []string{path, "denom"} {
		for i := len(stack) - 1; i >= 0; i-- {
			if d := stringAt(stack[i], p); d != "" {
				return d
			}
		}
	}
	return ""
}
