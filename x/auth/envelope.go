package auth

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
)

// SetMsg sets body's message oneof to msg, in the TxBody field whose type
// is msg's. It fails on a nil message or a type the envelope does not
// carry: the oneof "msg" of TxBody is the list of message kinds.
func SetMsg(body *authv1.TxBody, msg proto.Message) error {
	if body == nil {
		return errors.New("auth: SetMsg: nil body")
	}
	if msg == nil || !msg.ProtoReflect().IsValid() {
		return errors.New("auth: SetMsg: nil message")
	}
	fd := MsgField(msg)
	if fd == nil {
		return fmt.Errorf("auth: SetMsg: %s is not a transaction message (TxBody's oneof msg does not carry it)", msg.ProtoReflect().Descriptor().FullName())
	}
	body.ProtoReflect().Set(fd, protoreflect.ValueOfMessage(msg.ProtoReflect()))
	return nil
}

// MsgField returns the TxBody field that carries messages of msg's type,
// or nil.
func MsgField(msg proto.Message) protoreflect.FieldDescriptor {
	name := msg.ProtoReflect().Descriptor().FullName()
	fields := types().msgOneof.Fields()
	for i := range fields.Len() {
		if f := fields.Get(i); f.Message().FullName() == name {
			return f
		}
	}
	return nil
}

// MsgOf returns body's message and the TxBody field carrying it ("transfer"),
// or nil and "" when it carries none.
func MsgOf(body *authv1.TxBody) (proto.Message, protoreflect.FieldDescriptor) {
	r := body.ProtoReflect()
	fd := r.WhichOneof(types().msgOneof)
	if fd == nil {
		return nil, nil
	}
	return r.Get(fd).Message().Interface(), fd
}

// MsgFields returns the TxBody fields of every message kind, in field
// number order.
func MsgFields() []protoreflect.FieldDescriptor {
	fields := types().msgOneof.Fields()
	out := make([]protoreflect.FieldDescriptor, fields.Len())
	for i := range out {
		out[i] = fields.Get(i)
	}
	return out
}
