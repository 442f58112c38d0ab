package module

import (
	"bytes"
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// DecodeSection decodes a module's genesis section into g, refusing
// fields g does not have (a misspelt key is an error, not a default).
func DecodeSection(section json.RawMessage, g any) error {
	dec := json.NewDecoder(bytes.NewReader(section))
	dec.DisallowUnknownFields()
	return dec.Decode(g)
}

// GenesisParams decodes a section's parameters, in protobuf's JSON
// mapping, into a new message of defaults' type; absent ones (raw empty)
// are defaults. The caller validates them and wraps an error in its
// module's genesis error.
func GenesisParams[P proto.Message](raw json.RawMessage, defaults P) (P, error) {
	if len(raw) == 0 {
		return defaults, nil
	}
	p := defaults.ProtoReflect().New().Interface().(P)
	if err := protojson.Unmarshal(raw, p); err != nil {
		return defaults, fmt.Errorf("params: %w", err)
	}
	return p, nil
}
