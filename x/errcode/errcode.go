// Package errcode gives every error a transaction can fail with a stable
// (codespace, code) pair that ABCI results carry, in the manner of the Cosmos
// SDK's registered errors.
//
// Codes are part of the protocol: clients branch on them and they are hashed
// into blocks through the results hash. Never renumber a registered error;
// retire a code by leaving it registered and unused.
package errcode

import (
	"errors"
	"fmt"
	"sort"
	"sync"
)

// Internal is the code of errors that were not registered: a bug or a
// corrupted state, never the user's fault.
const Internal uint32 = 1

// Error is a registered error: a codespace, a numeric code unique within it,
// and a description. Wrap it with %w to add the facts of one occurrence.
type Error struct {
	Codespace string
	Code      uint32
	Desc      string
}

// Error implements error.
func (e *Error) Error() string { return e.Desc }

// Is makes errors.Is compare registered errors by identity of their code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Codespace == e.Codespace && t.Code == e.Code
}

var (
	mu       sync.Mutex
	registry = map[string]*Error{}
)

// Register records a new error and returns it. It panics if the code is 0 or
// 1 (reserved for OK and Internal) or already taken in the codespace: both are
// programming errors caught when the package initialises.
func Register(codespace string, code uint32, desc string) *Error {
	if code <= Internal {
		panic(fmt.Sprintf("errcode: code %d is reserved (codespace %q)", code, codespace))
	}
	key := fmt.Sprintf("%s/%d", codespace, code)
	mu.Lock()
	defer mu.Unlock()
	if prev, ok := registry[key]; ok {
		panic(fmt.Sprintf("errcode: %s already registered as %q", key, prev.Desc))
	}
	e := &Error{Codespace: codespace, Code: code, Desc: desc}
	registry[key] = e
	return e
}

// Wrap returns an error that carries err's code and says format's facts
// before err's description.
func Wrap(err *Error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", err, fmt.Sprintf(format, args...))
}

// ABCIInfo returns the codespace and code an ABCI result carries for err,
// and the log line. A nil err is (“”, 0, “”). An unregistered error is
// reported as Internal in codespace "undefined" with its message.
func ABCIInfo(err error) (codespace string, code uint32, log string) {
	if err == nil {
		return "", 0, ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Codespace, e.Code, err.Error()
	}
	return "undefined", Internal, err.Error()
}

// All returns every registered error, ordered by codespace and code: the
// table docs/errors.md is checked against.
func All() []*Error {
	mu.Lock()
	defer mu.Unlock()
	out := make([]*Error, 0, len(registry))
	for _, e := range registry { // nolint:determinism: sorted below, never reaches state
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Codespace != out[j].Codespace {
			return out[i].Codespace < out[j].Codespace
		}
		return out[i].Code < out[j].Code
	})
	return out
}

// Lookup returns the registered error of codespace and code, if any.
func Lookup(codespace string, code uint32) (*Error, bool) {
	mu.Lock()
	defer mu.Unlock()
	e, ok := registry[fmt.Sprintf("%s/%d", codespace, code)]
	return e, ok
}
