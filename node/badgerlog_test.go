package node

import (
	"bytes"
	"strings"
	"testing"

	cmtlog "github.com/cometbft/cometbft/libs/log"

	"github.com/ledgerd/ledgerd/store/badgerdb"
)

// Badger's lines reach the node's log under module=badger, and the node's
// log level filters them: at info, opening a database logs the tables it
// opened; at error, only Badger's errors pass.
func TestBadgerLogGoesToTheNodeLog(t *testing.T) {
	for _, level := range []string{"info", "error"} {
		var out bytes.Buffer
		allow, err := cmtlog.AllowLevel(level)
		if err != nil {
			t.Fatal(err)
		}
		l := newBadgerLogger(cmtlog.NewFilter(cmtlog.NewTMLogger(cmtlog.NewSyncWriter(&out)), allow), "state")
		db, err := badgerdb.Open(t.TempDir(), badgerdb.Options{MemTableSize: badgerdb.MinMemTableSize, Logger: l})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		opened := strings.Contains(out.String(), "tables opened")
		if opened != (level == "info") {
			t.Fatalf("log level %s: Badger's opening logged %v; output:\n%s", level, opened, out.String())
		}
		l.Errorf("disk %s\n", "full")
		if !strings.Contains(out.String(), "disk full") || !strings.Contains(out.String(), "module=badger db=state") {
			t.Fatalf("log level %s: Badger's error not in the node's log under module=badger db=state; output:\n%s", level, out.String())
		}
		l.Debugf("compaction priority %d", 1)
		if strings.Contains(out.String(), "compaction priority") {
			t.Fatal("Badger's debug output reached the node's log")
		}
	}
}
