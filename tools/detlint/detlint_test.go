package detlint

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"
)

// TestAnalyzer checks the diagnostics against the // want comments of the
// packages under testdata/src/ledger, with ledger/x and ledger/app as the
// consensus prefixes.
func TestAnalyzer(t *testing.T) {
	setConsensus(t, "ledger/x/, ledger/app")
	analysistest.Run(t, analysistest.TestData(), Analyzer, "ledger/...")
}

func TestIsConsensusDefault(t *testing.T) {
	for path, want := range map[string]bool{
		"github.com/ledgerd/ledgerd/x/wallet":       true,
		"github.com/ledgerd/ledgerd/x/auth":         true,
		"github.com/ledgerd/ledgerd/app":            true,
		"github.com/ledgerd/ledgerd/app/apptest":    false,
		"github.com/ledgerd/ledgerd/app.test":       false,
		"github.com/ledgerd/ledgerd/x/auth.test":    false,
		"github.com/ledgerd/ledgerd/appendix":       false,
		"github.com/ledgerd/ledgerd/node":           false,
		"github.com/ledgerd/ledgerd/store":          false,
		"github.com/ledgerd/ledgerd/tools/detlint":  false,
		"github.com/ledgerd/ledgerd/cmd/ledgerd":    false,
		"github.com/ledgerd/ledgerd/x-not-a-module": false,
	} {
		if got := isConsensus(path, DefaultConsensus); got != want {
			t.Errorf("isConsensus(%q) = %v, want %v", path, got, want)
		}
	}
}

// setConsensus sets the -consensus flag for the test and restores it after.
func setConsensus(t *testing.T, prefixes string) {
	t.Helper()
	old := consensus
	if err := Analyzer.Flags.Set("consensus", prefixes); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { consensus = old })
}
