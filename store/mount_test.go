package store

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/ledgerd/ledgerd/store/commitinfo"
)

// withGamma is testNames plus a store a later upgrade adds.
var withGamma = []string{"alpha", "beta", "gamma"}

func TestMountAddsStoreAtHeight(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, Options{Dir: dir})
	write(s, map[string]string{"alpha/a": "1", "beta/b": "1"})
	id1 := commit(t, s)
	write(s, map[string]string{"alpha/a": "2"})
	id2 := commit(t, s)
	s.Close()

	// The binary of the upgrade knows gamma; the database does not have it.
	s, err := Open(Options{Dir: dir}, withGamma)
	if err != nil {
		t.Fatal(err)
	}
	if c := s.LastCommit(); c.Height != 2 || !bytes.Equal(c.AppHash, id2.AppHash) || s.Mounted("gamma") {
		t.Fatalf("reopened with an unmounted store: height %d, hash changed %v, gamma mounted %v", c.Height, !bytes.Equal(c.AppHash, id2.AppHash), s.Mounted("gamma"))
	}
	if v := version(t, s, 2); v.Mounted("gamma") || value(t, v, "gamma", "g") != "" {
		t.Fatal("height 2 has a gamma store")
	}
	if _, _, err := version(t, s, 2).Prove("gamma", []byte("g")); !errors.Is(err, ErrNotMounted) {
		t.Fatalf("proof in an unmounted store: %v", err)
	}

	// A mount that is rolled back (a block finalized again) leaves nothing.
	if err := s.Mount("gamma"); err != nil {
		t.Fatal(err)
	}
	s.Rollback()
	if s.Mounted("gamma") || !bytes.Equal(s.WorkingHash(), id2.AppHash) {
		t.Fatal("Rollback kept the mount")
	}

	if err := s.Mount("gamma"); err != nil {
		t.Fatal(err)
	}
	if err := s.Mount("gamma"); err == nil {
		t.Fatal("mounted twice")
	}
	write(s, map[string]string{"gamma/g": "new", "alpha/a": "3"})
	id3 := commit(t, s)
	write(s, map[string]string{"gamma/g": "newer"})
	id4 := commit(t, s)
	s.Close()

	s, err = Open(Options{Dir: dir}, withGamma)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if c := s.LastCommit(); c.Height != 4 || !bytes.Equal(c.AppHash, id4.AppHash) || !s.Mounted("gamma") {
		t.Fatalf("reopened at %d, hash equal %v, gamma mounted %v", c.Height, bytes.Equal(c.AppHash, id4.AppHash), s.Mounted("gamma"))
	}
	// Old heights keep their app hashes (without gamma); new ones include
	// it, and proofs of old and new stores verify against each.
	for _, c := range []struct {
		id    CommitID
		gamma string
	}{{id1, ""}, {id2, ""}, {id3, "new"}, {id4, "newer"}} {
		v := version(t, s, c.id.Height)
		if !bytes.Equal(v.AppHash(), c.id.AppHash) {
			t.Fatalf("height %d: app hash changed", c.id.Height)
		}
		val, ops, err := v.Prove("alpha", []byte("a"))
		if err != nil || commitinfo.VerifyValue(v.AppHash(), "alpha", []byte("a"), val, ops) != nil {
			t.Fatalf("height %d: alpha proof: %v", c.id.Height, err)
		}
		if c.gamma == "" {
			if v.Mounted("gamma") {
				t.Fatalf("height %d has gamma", c.id.Height)
			}
			continue
		}
		val, ops, err = v.Prove("gamma", []byte("g"))
		if err != nil || string(val) != c.gamma {
			t.Fatalf("height %d: gamma = %q, %v", c.id.Height, val, err)
		}
		if err := commitinfo.VerifyValue(v.AppHash(), "gamma", []byte("g"), val, ops); err != nil {
			t.Fatalf("height %d: gamma proof: %v", c.id.Height, err)
		}
		_, ops, err = v.Prove("gamma", []byte("absent"))
		if err != nil || commitinfo.VerifyAbsence(v.AppHash(), "gamma", []byte("absent"), ops) != nil {
			t.Fatalf("height %d: gamma absence proof: %v", c.id.Height, err)
		}
	}
}

func TestMountInterruptedCommit(t *testing.T) {
	for _, record := range []bool{false, true} {
		dir := t.TempDir()
		s := openStore(t, Options{Dir: dir})
		write(s, map[string]string{"alpha/a": "1"})
		id1 := commit(t, s)
		s.Close()

		s, err := Open(Options{Dir: dir}, withGamma)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Mount("gamma"); err != nil {
			t.Fatal(err)
		}
		write(s, map[string]string{"gamma/g": "lost"})
		// Every tree saved at 2 (and maybe the mount record), no commit
		// record: a crash inside Commit.
		for _, tree := range s.trees {
			if _, _, err := tree.SaveVersion(); err != nil {
				t.Fatal(err)
			}
		}
		if record {
			if err := s.db.Set([]byte(mountPrefix+"gamma"), []byte{0, 0, 0, 0, 0, 0, 0, 2}); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()

		s, err = Open(Options{Dir: dir}, withGamma)
		if err != nil {
			t.Fatalf("mount record %v: %v", record, err)
		}
		if c := s.LastCommit(); c.Height != 1 || !bytes.Equal(c.AppHash, id1.AppHash) || s.Mounted("gamma") {
			t.Fatalf("mount record %v: recovered at %d, gamma mounted %v", record, c.Height, s.Mounted("gamma"))
		}
		// The block is executed again: the mount and its write.
		if err := s.Mount("gamma"); err != nil {
			t.Fatal(err)
		}
		write(s, map[string]string{"gamma/g": "again"})
		commit(t, s)
		if got := value(t, version(t, s, 2), "gamma", "g"); got != "again" {
			t.Fatalf("mount record %v: gamma/g = %q", record, got)
		}
		s.Close()
	}
}

func TestWriteToUnmountedStorePanics(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, Options{Dir: dir})
	commit(t, s)
	s.Close()
	s, err := Open(Options{Dir: dir}, withGamma)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	defer func() {
		if recover() == nil {
			t.Fatal("a write to an unmounted store was applied")
		}
	}()
	write(s, map[string]string{"gamma/g": "x"})
}

func TestNewDatabaseMountsEveryStore(t *testing.T) {
	s, err := Open(Options{InMemory: true}, withGamma)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	write(s, map[string]string{"gamma/g": "1"})
	if id := commit(t, s); !version(t, s, id.Height).Mounted("gamma") {
		t.Fatal("a new database left a store unmounted")
	}
}

// TestSnapshotAcrossMount: an export of a height before a store was
// mounted leaves it out, and a node restored from it has it unmounted
// (the app hash of that height) and mounts it at the upgrade as the
// exporting node did; an export after the mount carries it.
func TestSnapshotAcrossMount(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, Options{Dir: dir})
	write(s, map[string]string{"alpha/a": "1", "beta/b": "1"})
	before := commit(t, s)
	s.Close()
	s, err := Open(Options{Dir: dir}, withGamma)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Mount("gamma"); err != nil {
		t.Fatal(err)
	}
	write(s, map[string]string{"gamma/g": "new"})
	after := commit(t, s)

	old := export(t, s, before.Height)
	if len(old.names) != 2 || old.names[1] != "beta" {
		t.Fatalf("export before the mount has trees %v", old.names)
	}
	dst, err := Open(Options{InMemory: true}, withGamma)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	id, err := restore(dst, before.Height, old, time.Time{})
	if err != nil || !bytes.Equal(id.AppHash, before.AppHash) || dst.Mounted("gamma") {
		t.Fatalf("restored before the mount: %v, app hash equal %v, gamma mounted %v", err, bytes.Equal(id.AppHash, before.AppHash), dst.Mounted("gamma"))
	}
	if err := dst.Mount("gamma"); err != nil {
		t.Fatal(err)
	}
	write(dst, map[string]string{"gamma/g": "new"})
	if got := commit(t, dst); !bytes.Equal(got.AppHash, after.AppHash) {
		t.Fatal("the restored node's upgrade block has another app hash")
	}

	recent := export(t, s, after.Height)
	again, err := Open(Options{InMemory: true}, withGamma)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if id, err := restore(again, after.Height, recent, time.Time{}); err != nil || !bytes.Equal(id.AppHash, after.AppHash) || !again.Mounted("gamma") {
		t.Fatalf("restored after the mount: %v, app hash equal %v, gamma mounted %v", err, bytes.Equal(id.AppHash, after.AppHash), again.Mounted("gamma"))
	}
}
