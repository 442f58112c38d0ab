package history

import (
	"encoding/base64"
	"testing"
)

// TestBase64String checks the events' base64 against the standard
// encoder on both sides of the room it encodes in.
func TestBase64String(t *testing.T) {
	b := make([]byte, 700)
	for i := range b {
		b[i] = byte(i * 7)
	}
	for n := 0; n <= len(b); n++ {
		if got, want := base64String(b[:n]), base64.StdEncoding.EncodeToString(b[:n]); got != want {
			t.Fatalf("%d bytes: %q, want %q", n, got, want)
		}
	}
}
