// Command detlint reports nondeterministic constructs in ledgerd's consensus
// code (x/ and app/); see package detlint for the rules.
//
//	detlint [-consensus prefixes] [-test=false] packages
//
// It exits 0 when it finds nothing, 3 when it reports findings, and 1 when
// the packages do not load.
package main

import (
	"github.com/ledgerd/ledgerd/tools/detlint"
	"golang.org/x/tools/go/analysis/singlechecker"
)

func main() { singlechecker.Main(detlint.Analyzer) }
