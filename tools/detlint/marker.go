package detlint

import (
	"bytes"
	"go/ast"
	"go/token"
	"os"
	"strings"

	"golang.org/x/tools/go/analysis"
)

const marker = "nolint:determinism"

// markers returns the lines of f whose findings a nolint:determinism marker
// with a reason suppresses, and the positions of markers without a reason. A
// marker is a // comment whose text starts with "nolint:determinism"; it
// covers its own line, and the next one when it stands alone on its line.
func markers(pass *analysis.Pass, f *ast.File) (allowed map[int]bool, invalid []token.Pos) {
	allowed = map[int]bool{}
	readFile := pass.ReadFile
	if readFile == nil {
		readFile = os.ReadFile
	}
	var src []byte // f's source, read when the first marker needs it
	read := false
	for _, g := range f.Comments {
		for _, c := range g.List {
			reason, ok := markerReason(c.Text)
			switch {
			case !ok:
				continue
			case reason == "":
				invalid = append(invalid, c.Pos())
				continue
			}
			pos := pass.Fset.PositionFor(c.Pos(), false)
			allowed[pos.Line] = true
			if !read {
				src, _ = readFile(pos.Filename) // unreadable: the marker covers its own line only
				read = true
			}
			if src != nil && aloneOnLine(src, pos.Offset) {
				allowed[pos.Line+1] = true
			}
		}
	}
	return allowed, invalid
}

// markerReason returns the reason in the comment text (with its // or /*) if
// it is a nolint:determinism marker, and whether it is one. Block comments are
// not markers.
func markerReason(text string) (reason string, ok bool) {
	rest, isLine := strings.CutPrefix(text, "//")
	if !isLine {
		return "", false
	}
	rest, ok = strings.CutPrefix(strings.TrimSpace(rest), marker)
	if !ok || (rest != "" && rest[0] != ':' && rest[0] != ' ' && rest[0] != '\t') {
		return "", false // not a marker, or another word such as nolint:determinismx
	}
	reason, hasColon := strings.CutPrefix(rest, ":")
	if !hasColon {
		return "", true
	}
	return strings.TrimSpace(reason), true
}

// aloneOnLine reports whether only blanks precede offset on its line of src.
func aloneOnLine(src []byte, offset int) bool {
	start := bytes.LastIndexByte(src[:offset], '\n') + 1
	return len(bytes.TrimLeft(src[start:offset], " \t")) == 0
}
