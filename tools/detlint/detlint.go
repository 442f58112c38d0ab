package detlint

import (
	"go/token"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// DefaultConsensus is the default of the -consensus flag: ledgerd's modules
// and its ABCI application.
const DefaultConsensus = "github.com/ledgerd/ledgerd/x,github.com/ledgerd/ledgerd/app"

// Analyzer reports nondeterministic constructs in consensus code; see the
// package documentation for the rules and the nolint:determinism marker.
var Analyzer = &analysis.Analyzer{
	Name: "detlint",
	Doc: "report nondeterministic constructs in consensus code\n\n" +
		"Reports map iteration, go statements, wall-clock reads, floats, and imports of " +
		"math/rand, math/rand/v2, crypto/rand, unsafe and reflect in the packages under " +
		"the -consensus prefixes (not in _test.go, .pb.go or /apptest). A line comment " +
		`"// nolint:determinism: <why>" on the line, or alone on the line above, ` +
		"suppresses the findings on that line.",
	Run: run,
}

var consensus string

func init() {
	Analyzer.Flags.StringVar(&consensus, "consensus", DefaultConsensus,
		"comma-separated import path prefixes of consensus code; a prefix covers itself and the packages under it")
}

// finding is a diagnostic waiting for the file's markers to be known.
type finding struct {
	pos token.Pos
	msg string
}

// run reports the findings in pass's package if it is consensus code, skipping
// _test.go and .pb.go files and the lines that a marker with a reason covers.
func run(pass *analysis.Pass) (any, error) {
	if !isConsensus(pass.Pkg.Path(), consensus) {
		return nil, nil
	}
	for _, f := range pass.Files {
		name := pass.Fset.File(f.FileStart).Name()
		if strings.HasSuffix(name, "_test.go") || strings.HasSuffix(name, ".pb.go") {
			continue
		}
		findings := check(pass, f)
		allowed, invalid := markers(pass, f)
		for _, pos := range invalid {
			pass.Reportf(pos, "nolint:determinism needs a reason")
		}
		for _, d := range findings {
			if !allowed[pass.Fset.PositionFor(d.pos, false).Line] {
				pass.Report(analysis.Diagnostic{Pos: d.pos, Message: d.msg})
			}
		}
	}
	return nil, nil
}

// isConsensus reports whether the package at path is consensus code under the
// comma-separated prefixes: it equals one or lies under one, and its path does
// not end in /apptest. A test binary's synthesized main package (path.test) is
// not consensus code.
func isConsensus(path, prefixes string) bool {
	if strings.HasSuffix(path, "/apptest") || strings.HasSuffix(path, ".test") {
		return false
	}
	for p := range strings.SplitSeq(prefixes, ",") {
		p = strings.TrimSuffix(strings.TrimSpace(p), "/")
		if p != "" && (path == p || strings.HasPrefix(path, p+"/")) {
			return true
		}
	}
	return false
}
