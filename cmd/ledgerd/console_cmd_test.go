package main

import (
	"strings"
	"testing"
)

// TestConsoleRefusesHalfARoot checks the console's root-of-trust flags
// before it listens: a height without its hash, or a hash that is not 32
// bytes, is refused.
func TestConsoleRefusesHalfARoot(t *testing.T) {
	for _, args := range [][]string{
		{"console", "--trust-height", "5"},
		{"console", "--trust-hash", strings.Repeat("AB", 32)},
		{"console", "--trust-height", "5", "--trust-hash", "ABCD"},
	} {
		if _, err := run(t, append(args, "--listen", "127.0.0.1:0")...); err == nil || !strings.Contains(err.Error(), "go together") {
			t.Errorf("%s: %v", strings.Join(args, " "), err)
		}
	}
	if _, err := run(t, "console", "--trust-height", "-1"); err == nil || !strings.Contains(err.Error(), "negative") {
		t.Errorf("negative height: %v", err)
	}
}
