package app_test

import (
	"os"
	"strings"
	"testing"

	"github.com/ledgerd/ledgerd/app"
)

// TestOperationsDocListsEveryQueryPath keeps the table of abci_query paths
// in docs/operations.md complete: every path a module registers appears in
// it as "/<module>/<path>" (a family "x/" as "/<module>/x/").
func TestOperationsDocListsEveryQueryPath(t *testing.T) {
	doc, err := os.ReadFile("../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	for _, m := range app.Modules().Modules() {
		for _, q := range m.Queries {
			path := "`/" + m.Name + "/" + strings.TrimSuffix(q.Path, "/")
			if !strings.Contains(text, path+"`") && !strings.Contains(text, path+"/") && !strings.Contains(text, path+"[") {
				t.Errorf("docs/operations.md, Queries and proofs: path /%s/%s (%s) is not listed", m.Name, q.Path, q.Doc)
			}
		}
	}
	for _, p := range []string{app.QueryStorePrefix, app.QueryAccountPrefix, app.QueryMempool, app.QueryHistory, app.QueryPeerFilterID, app.QueryPeerFilterAddr} {
		if !strings.Contains(text, "`"+p) {
			t.Errorf("docs/operations.md, Queries and proofs: path %s is not listed", p)
		}
	}
}
