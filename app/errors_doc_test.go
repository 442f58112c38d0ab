package app_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"testing"

	_ "github.com/ledgerd/ledgerd/app" // registers every module's errors
	"github.com/ledgerd/ledgerd/x/errcode"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/errors.md from the error registry")

// TestErrorsDoc keeps docs/errors.md equal to the registered errors, so that
// a new code cannot ship undocumented. Regenerate with
// go test ./app -run TestErrorsDoc -update-docs.
func TestErrorsDoc(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`# Error codes

Every rejected transaction or query carries a codespace and a code in its ABCI
result (` + "`codespace`, `code`" + `, and a readable ` + "`log`" + `). They are stable: clients
may branch on them. Code 0 is success; code 1 in any codespace is an internal
error (a bug, never the caller's fault). This file is generated from the code
(` + "`go test ./app -run TestErrorsDoc -update-docs`" + `) and a test keeps it current.

| codespace | code | meaning |
|---|---|---|
`)
	for _, e := range errcode.All() {
		if e.Codespace == "errcode-test" || e.Codespace == "errcode-dup" {
			continue
		}
		fmt.Fprintf(&b, "| %s | %d | %s |\n", e.Codespace, e.Code, e.Desc)
	}
	const path = "../docs/errors.md"
	if *updateDocs {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./app -run TestErrorsDoc -update-docs)", err)
	}
	if !bytes.Equal(have, b.Bytes()) {
		t.Fatalf("docs/errors.md is out of date with the registered errors: run go test ./app -run TestErrorsDoc -update-docs")
	}
}
