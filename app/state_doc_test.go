package app_test

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ledgerd/ledgerd/app"
)

// TestStateDocListsEveryKeyPrefix keeps docs/state.md's key layout equal to
// the key prefixes the modules declare: every store of the app has a
// section "### Store `<name>`" whose code blocks list, one line each
// ("0x01 | ..."), every byte constant named prefix* or key* in
// x/<name>/keys.go, and no other.
func TestStateDocListsEveryKeyPrefix(t *testing.T) {
	doc, err := os.ReadFile("../docs/state.md")
	if err != nil {
		t.Fatal(err)
	}
	listed := stateDocPrefixes(doc)
	for _, name := range app.StoreNames {
		path := filepath.Join("..", "x", name, "keys.go")
		declared, err := declaredKeyPrefixes(path)
		if err != nil {
			t.Errorf("store %q: %v (declare its key prefixes there)", name, err)
			continue
		}
		have, ok := listed[name]
		if !ok {
			t.Errorf("docs/state.md has no section \"### Store `%s`\": document the store's keys there", name)
			continue
		}
		for _, d := range declared {
			if !slices.Contains(have, d.value) {
				t.Errorf("docs/state.md, store %s: prefix 0x%02x (%s in %s) is not listed", name, d.value, d.name, path)
			}
		}
		for _, v := range have {
			if !slices.ContainsFunc(declared, func(d keyPrefix) bool { return d.value == v }) {
				t.Errorf("docs/state.md, store %s: lists prefix 0x%02x, which %s does not declare", name, v, path)
			}
		}
		delete(listed, name)
	}
	for name := range listed {
		t.Errorf("docs/state.md documents store %q, which the app does not have", name)
	}
}

type keyPrefix struct {
	name  string
	value byte
}

// declaredKeyPrefixes reads the byte constants named prefix* or key* of a
// keys.go file, which must have literal values.
func declaredKeyPrefixes(path string) ([]keyPrefix, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		return nil, err
	}
	var out []keyPrefix
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if typ, ok := vs.Type.(*ast.Ident); !ok || typ.Name != "byte" {
				continue
			}
			for i, n := range vs.Names {
				lower := strings.ToLower(n.Name)
				if !strings.HasPrefix(lower, "prefix") && !strings.HasPrefix(lower, "key") {
					continue
				}
				var lit *ast.BasicLit
				if i < len(vs.Values) {
					lit, _ = vs.Values[i].(*ast.BasicLit)
				}
				if lit == nil {
					return nil, fmt.Errorf("%s: %s: give the prefix a literal value", path, n.Name)
				}
				v, err := strconv.ParseUint(lit.Value, 0, 8)
				if err != nil {
					return nil, fmt.Errorf("%s: %s = %s: %v", path, n.Name, lit.Value, err)
				}
				out = append(out, keyPrefix{n.Name, byte(v)})
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s declares no byte constant named prefix* or key*", path)
	}
	return out, nil
}

var (
	storeHeading = regexp.MustCompile("^### Store `([a-z0-9_]+)`")
	layoutLine   = regexp.MustCompile(`^0x([0-9a-f]{2})\b`)
)

// stateDocPrefixes returns, per store section of docs/state.md, the
// prefixes that begin a line of its code blocks.
func stateDocPrefixes(doc []byte) map[string][]byte {
	out := map[string][]byte{}
	var store string
	inCode := false
	sc := bufio.NewScanner(bytes.NewReader(doc))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "```"):
			inCode = !inCode
		case !inCode && strings.HasPrefix(line, "#"):
			store = ""
			if m := storeHeading.FindStringSubmatch(line); m != nil {
				store = m[1]
				out[store] = []byte{}
			}
		case inCode && store != "":
			if m := layoutLine.FindStringSubmatch(line); m != nil {
				v, _ := strconv.ParseUint(m[1], 16, 8)
				out[store] = append(out[store], byte(v))
			}
		}
	}
	return out
}
