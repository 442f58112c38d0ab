package auth

import (
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// TestSigningDocListsEveryType keeps docs/signing.md, which wallet
// developers sign from, in step with the primary types consensus hashes.
func TestSigningDocListsEveryType(t *testing.T) {
	doc, err := os.ReadFile("../../docs/signing.md")
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range PrimaryTypes() {
		if !strings.Contains(string(doc), typ) {
			t.Errorf("docs/signing.md does not give the type of %s: %s", name, typ)
		}
	}
	if vc := VerifyingContract("ledgerd-devnet"); !strings.Contains(strings.ToLower(string(doc)), "0x"+strings.ToLower(hex.EncodeToString(vc[:]))) {
		t.Errorf("docs/signing.md's devnet verifyingContract example is not %x", vc)
	}
}
