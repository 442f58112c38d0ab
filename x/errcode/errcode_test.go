package errcode

import (
	"errors"
	"fmt"
	"testing"
)

func TestABCIInfo(t *testing.T) {
	errThing := Register("errcode-test", 2, "thing went wrong")
	wrapped := fmt.Errorf("outer: %w", Wrap(errThing, "key %q", "k"))

	for _, tc := range []struct {
		name      string
		err       error
		codespace string
		code      uint32
		log       string
	}{
		{"nil", nil, "", 0, ""},
		{"registered", errThing, "errcode-test", 2, "thing went wrong"},
		{"wrapped twice", wrapped, "errcode-test", 2, `outer: thing went wrong: key "k"`},
		{"unregistered", errors.New("boom"), "undefined", Internal, "boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs, code, log := ABCIInfo(tc.err)
			if cs != tc.codespace || code != tc.code || log != tc.log {
				t.Fatalf("ABCIInfo = (%q, %d, %q), want (%q, %d, %q)", cs, code, log, tc.codespace, tc.code, tc.log)
			}
		})
	}
	if !errors.Is(wrapped, errThing) {
		t.Fatal("errors.Is does not see through Wrap")
	}
}

func TestRegisterRejectsDuplicatesAndReserved(t *testing.T) {
	Register("errcode-dup", 2, "first")
	for _, code := range []uint32{0, 1, 2} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(code %d) did not panic", code)
				}
			}()
			Register("errcode-dup", code, "again")
		}()
	}
}
