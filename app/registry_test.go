package app_test

import (
	"os"
	"strings"
	"testing"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// TestEveryMessageIsComplete walks TxBody's oneof, the list of message
// kinds, and fails for any kind that lacks what a message must ship with:
// a registration (validation, signer rule, execution), an EIP-712 type, a
// CLI command, its section in docs/signing.md (a heading and its type),
// and its module's error codes in docs/errors.md.
func TestEveryMessageIsComplete(t *testing.T) {
	reg := app.Modules()
	signing, err := os.ReadFile("../docs/signing.md")
	if err != nil {
		t.Fatal(err)
	}
	errorsDoc, err := os.ReadFile("../docs/errors.md")
	if err != nil {
		t.Fatal(err)
	}
	codespaces := map[string]bool{}
	for _, e := range errcode.All() {
		codespaces[e.Codespace] = true
	}
	for _, fd := range auth.MsgFields() {
		name := fd.Message().FullName()
		t.Run(string(fd.Name()), func(t *testing.T) {
			r, ok := reg.Msg(name)
			if !ok {
				t.Fatalf("%s (TxBody field %s) is registered by no module", name, fd.Name())
			}
			msg := r.Item
			if msg.Execute == nil || msg.Signer == nil || msg.Signer.Describe() == "" {
				t.Errorf("%s: registration lacks execution or a described signer rule", name)
			}
			if msg.CLI.Use == "" || msg.CLI.Short == "" {
				t.Errorf("%s: registration has no CLI command (Use and Short)", name)
			}
			primary, encodeType, ok := auth.PrimaryType(string(fd.Name()))
			if !ok {
				t.Fatalf("%s: no EIP-712 type", name)
			}
			if !strings.Contains(string(signing), "### "+primary+"\n") {
				t.Errorf("docs/signing.md has no section \"### %s\"", primary)
			}
			if !strings.Contains(string(signing), encodeType) {
				t.Errorf("docs/signing.md does not give the type of %s: %s", primary, encodeType)
			}
			if !codespaces[r.Module.Name] {
				t.Errorf("module %s registers no errors in its codespace %q", r.Module.Name, r.Module.Name)
			}
			if !strings.Contains(string(errorsDoc), "| "+r.Module.Name+" | ") {
				t.Errorf("docs/errors.md lists no codes of module %s", r.Module.Name)
			}
		})
	}
	// Every registered message is carried by the envelope.
	carried := map[string]bool{}
	for _, fd := range auth.MsgFields() {
		carried[string(fd.Message().FullName())] = true
	}
	for _, m := range reg.Modules() {
		for _, msg := range m.Msgs {
			if !carried[string(msg.Name())] {
				t.Errorf("module %s registers %s, which TxBody's oneof msg does not carry: add it to proto/ledgerd/auth/v1/tx.proto", m.Name, msg.Name())
			}
		}
	}
}
