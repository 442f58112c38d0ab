package store

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ledgerd/ledgerd/store/badgerdb"
)

// exported is a store's export, recorded.
type exported struct {
	names []string
	nodes [][]*ExportNode
}

func export(t *testing.T, s *Store, height int64) exported {
	t.Helper()
	var e exported
	err := s.Export(height, func(name string) error {
		e.names = append(e.names, name)
		e.nodes = append(e.nodes, nil)
		return nil
	}, func(n *ExportNode) error {
		e.nodes[len(e.nodes)-1] = append(e.nodes[len(e.nodes)-1], n)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func restore(s *Store, height int64, e exported, at time.Time) (CommitID, error) {
	r, err := s.Restore(height)
	if err != nil {
		return CommitID{}, err
	}
	for i, name := range e.names {
		if err := r.Tree(name); err != nil {
			return CommitID{}, err
		}
		for _, n := range e.nodes[i] {
			if err := r.Node(n); err != nil {
				return CommitID{}, err
			}
		}
	}
	return r.Commit(at)
}

// TestExportRestore restores an older version of a store (one tree empty
// at that height) into an empty store, which then has the same app hash,
// values and proofs, reopens at that height and commits the next blocks
// exactly as the original does.
func TestExportRestore(t *testing.T) {
	src := memStore(t, Options{})
	for h := 1; h <= 3; h++ {
		kvs := map[string]string{}
		for k := 0; k < 50; k++ {
			kvs[fmt.Sprintf("alpha/k%03d", k*h)] = fmt.Sprintf("v%d", h)
		}
		if h == 3 {
			kvs["beta/late"] = "x"
		}
		write(src, kvs)
		commit(t, src)
	}
	write(src, map[string]string{"beta/after": "y"})
	commit(t, src)
	e := export(t, src, 2)
	if len(e.nodes[1]) != 0 {
		t.Fatalf("beta was empty at 2, exported %d nodes", len(e.nodes[1]))
	}

	dir := t.TempDir()
	dst := openStore(t, Options{Dir: dir})
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	id, err := restore(dst, 2, e, at)
	if err != nil {
		t.Fatal(err)
	}
	if want := version(t, src, 2).AppHash(); !bytes.Equal(id.AppHash, want) || id.Height != 2 {
		t.Fatalf("restored %d %X, want 2 %X", id.Height, id.AppHash, want)
	}
	if got := value(t, version(t, dst, 2), "alpha", "k098"); got != "v2" {
		t.Fatalf("alpha/k098 = %q", got)
	}
	dst.Close()
	dst = openStore(t, Options{Dir: dir})
	defer dst.Close()
	if c := dst.LastCommit(); c.Height != 2 || !c.Time.Equal(at) || !bytes.Equal(c.AppHash, id.AppHash) {
		t.Fatalf("reopened at %+v", c)
	}
	// Blocks 3 and 4 again on the restored store: the same hashes.
	for h := int64(3); h <= 4; h++ {
		kvs := map[string]string{}
		for k := 0; k < 50; k++ {
			kvs[fmt.Sprintf("alpha/k%03d", k*3)] = "v3"
		}
		kvs["beta/late"] = "x"
		if h == 4 {
			kvs = map[string]string{"beta/after": "y"}
		}
		write(dst, kvs)
		if got, want := commit(t, dst).AppHash, version(t, src, h).AppHash(); !bytes.Equal(got, want) {
			t.Fatalf("height %d on the restored store: %X, want %X", h, got, want)
		}
	}
}

// TestRestoreRefusals checks that a restore refuses trees out of order, a
// node from after the snapshot's height and a store that is not empty, and
// that Abort leaves the store empty for another attempt.
func TestRestoreRefusals(t *testing.T) {
	src := memStore(t, Options{})
	write(src, map[string]string{"alpha/a": "1", "alpha/b": "2", "beta/c": "3"})
	commit(t, src)
	e := export(t, src, 1)

	dst := memStore(t, Options{})
	r, err := dst.Restore(1)
	if err != nil {
		t.Fatal(err)
	}
	// beta first leaves alpha out, as a store not mounted at the height;
	// alpha after beta is out of order.
	if err := r.Tree("beta"); err != nil {
		t.Fatal(err)
	}
	if err := r.Tree("alpha"); err == nil {
		t.Fatal("restore took alpha after beta")
	}
	if err := r.Abort(); err != nil {
		t.Fatal(err)
	}
	r, _ = dst.Restore(1)
	if err := r.Tree("alpha"); err != nil {
		t.Fatal(err)
	}
	late := *e.nodes[0][0]
	late.Version = 2
	if err := r.Node(&late); err == nil {
		t.Fatal("restore took a node of version 2 into height 1")
	}
	if err := r.Abort(); err != nil {
		t.Fatal(err)
	}
	// Missing tree: beta is left out as not mounted, so the restored app
	// hash is not the source's, and the caller, comparing it with the one
	// it trusts, aborts.
	r, _ = dst.Restore(1)
	if err := r.Tree("alpha"); err != nil {
		t.Fatal(err)
	}
	for _, n := range e.nodes[0] {
		if err := r.Node(n); err != nil {
			t.Fatal(err)
		}
	}
	if id, err := r.Commit(time.Time{}); err != nil || bytes.Equal(id.AppHash, src.LastCommit().AppHash) {
		t.Fatalf("restore without beta: %v, app hash %X like the source's", err, id.AppHash)
	}
	if err := r.Abort(); err != nil {
		t.Fatal(err)
	}
	if h := dst.LastCommit().Height; h != 0 {
		t.Fatalf("aborted store at height %d", h)
	}
	id, err := restore(dst, 1, e, time.Time{})
	if err != nil {
		t.Fatalf("restore after aborts: %v", err)
	}
	if !bytes.Equal(id.AppHash, src.LastCommit().AppHash) {
		t.Fatal("restore after aborts: another app hash")
	}
	if _, err := dst.Restore(1); err == nil {
		t.Fatal("restore into a store at height 1")
	}
}

// TestExportHoldsPruning checks that a version being exported is not
// pruned under the export.
func TestExportHoldsPruning(t *testing.T) {
	s := memStore(t, Options{KeepRecent: 2, PruneEvery: 1})
	for h := 0; h < 3; h++ {
		write(s, map[string]string{"alpha/k": fmt.Sprint(h)})
		commit(t, s)
	}
	release, err := s.hold(2)
	if err != nil {
		t.Fatal(err)
	}
	for h := 0; h < 5; h++ {
		write(s, map[string]string{"alpha/k": fmt.Sprint(h)})
		commit(t, s)
	}
	if _, err := s.Version(2); err != nil {
		t.Fatalf("held version pruned: %v", err)
	}
	release()
	write(s, map[string]string{"alpha/k": "z"})
	commit(t, s)
	if _, err := s.Version(2); err == nil {
		t.Fatal("version 2 still kept after its release")
	}
}

// TestSetInitialVersion checks that an empty store's first commit takes
// the initial version, and that it reopens there.
func TestSetInitialVersion(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, Options{Dir: dir})
	if err := s.SetInitialVersion(41); err != nil {
		t.Fatal(err)
	}
	write(s, map[string]string{"alpha/a": "1"})
	if id := commit(t, s); id.Height != 41 {
		t.Fatalf("first commit at %d", id.Height)
	}
	write(s, map[string]string{"alpha/a": "2"})
	commit(t, s)
	if err := s.SetInitialVersion(5); err == nil {
		t.Fatal("initial version set on a store with commits")
	}
	s.Close()
	s = openStore(t, Options{Dir: dir})
	defer s.Close()
	if h := s.LastCommit().Height; h != 42 || value(t, version(t, s, 41), "alpha", "a") != "1" {
		t.Fatalf("reopened at %d", h)
	}
}

// TestRestoredStorePrunes checks that a store restored at a height prunes
// its versions as any other once blocks go on.
func TestRestoredStorePrunes(t *testing.T) {
	src := memStore(t, Options{})
	for h := 0; h < 5; h++ {
		write(src, map[string]string{"alpha/k": fmt.Sprint(h), "beta/b": "x"})
		commit(t, src)
	}
	dst := memStore(t, Options{KeepRecent: 2, PruneEvery: 1})
	if _, err := restore(dst, 5, export(t, src, 5), time.Time{}); err != nil {
		t.Fatal(err)
	}
	for h := 0; h < 4; h++ {
		write(dst, map[string]string{"alpha/k": fmt.Sprint(h + 10)})
		commit(t, dst)
	}
	if _, err := dst.Version(6); err == nil {
		t.Fatal("version 6 kept with keep_recent 2 at height 9")
	}
	if got := value(t, version(t, dst, 9), "alpha", "k"); got != "13" {
		t.Fatalf("alpha/k at 9 = %q", got)
	}
}

// TestRestoreCompactsTheLoadedState restores a snapshot large enough to
// leave Badger level-0 tables and checks that Commit compacted them away,
// as the genesis's first commit does (settleBulkLoad).
func TestRestoreCompactsTheLoadedState(t *testing.T) {
	src := memStore(t, Options{})
	kvs := map[string]string{}
	pad := strings.Repeat("v", 200)
	for i := range 6000 {
		kvs[fmt.Sprintf("alpha/k%05d", i)] = pad + fmt.Sprint(i)
	}
	write(src, kvs)
	commit(t, src)
	dst := openStore(t, Options{Dir: t.TempDir(), Badger: badgerdb.Options{MemTableSize: badgerdb.MinMemTableSize}})
	defer dst.Close()
	id, err := restore(dst, 1, export(t, src, 1), time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(id.AppHash, version(t, src, 1).AppHash()) {
		t.Fatalf("restored app hash %X, want %X", id.AppHash, version(t, src, 1).AppHash())
	}
	if n := dst.db.Level0Tables(); n != 0 {
		t.Fatalf("level 0 holds %d tables after the restore, want 0", n)
	}
	if got := value(t, version(t, dst, 1), "alpha", "k05999"); got != pad+"5999" {
		t.Fatalf("alpha/k05999 = %q", got)
	}
}
