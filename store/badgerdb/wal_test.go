package badgerdb

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

func TestMemLogsAreTheLogsInOrder(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"00010.mem", "00002.mem", "00001.mem", "000003.sst", "MANIFEST", "KEYREGISTRY", "00001.vlog", "x.mem"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "00011.mem"), 0o700); err != nil {
		t.Fatal(err)
	}
	logs, err := memLogs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"00001.mem", "00002.mem", "00010.mem"}; !slices.Equal(logs, want) {
		t.Fatalf("memLogs = %q, want %q (by number, nothing but logs)", logs, want)
	}
	if got, want := olderLogs(logs), []string{"00001.mem", "00002.mem"}; !slices.Equal(got, want) {
		t.Fatalf("olderLogs = %q, want %q", got, want)
	}
	// One log alone is the memtable being written, which Badger syncs.
	if got := olderLogs([]string{"00007.mem"}); len(got) != 0 {
		t.Fatalf("olderLogs of one log = %q, want none", got)
	}
}

// recordLogs makes openLog record the logs it opens, and fail with
// fs.ErrNotExist for those named in gone, as if written out meanwhile.
func recordLogs(t *testing.T, gone ...string) *[]string {
	t.Helper()
	var opened []string
	prev := openLog
	openLog = func(path string) (*os.File, error) {
		name := filepath.Base(path)
		opened = append(opened, name)
		if slices.Contains(gone, name) {
			return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
		}
		return prev(path)
	}
	t.Cleanup(func() { openLog = prev })
	return &opened
}

func TestSyncSkipsALogWrittenOut(t *testing.T) {
	db, dir := openTestDB(t, Options{})
	if err := db.Set([]byte("k"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	// An older log, written out as a table by the time Sync opens it.
	gone := filepath.Join(dir, "00000.mem")
	if err := os.WriteFile(gone, []byte("entries"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(gone) })
	opened := recordLogs(t, "00000.mem")
	if err := db.Sync(); err != nil {
		t.Fatalf("Sync with a log gone meanwhile: %v", err)
	}
	if want := []string{"00000.mem"}; !slices.Equal(*opened, want) {
		t.Fatalf("opened %q, want %q", *opened, want)
	}
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
}

// TestSyncFollowsARotationDuringIt checks that when the memtable rotates
// while Badger syncs (a write on another goroutine), the log Badger's sync
// was meant to cover is synced after it.
func TestSyncFollowsARotationDuringIt(t *testing.T) {
	db, dir := openTestDB(t, Options{})
	if err := db.Set([]byte("k"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	newer := filepath.Join(dir, "00002.mem")
	t.Cleanup(func() { _ = os.Remove(newer) })
	prev := syncBadger
	syncBadger = func(bdb *badger.DB) error {
		// Badger's first log is 00001.mem; a newer one appears as if a
		// memtable had filled during the sync.
		if err := os.WriteFile(newer, []byte("entries"), 0o600); err != nil {
			return err
		}
		return prev(bdb)
	}
	t.Cleanup(func() { syncBadger = prev })
	opened := recordLogs(t)
	if err := db.Sync(); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	if want := []string{"00001.mem"}; !slices.Equal(*opened, want) {
		t.Fatalf("after a rotation during Badger's sync, synced %q, want %q", *opened, want)
	}
	if err := os.Remove(newer); err != nil {
		t.Fatal(err)
	}
}

// TestSyncSyncsRotatedLogs checks that DB.Sync reaches the logs Badger's
// own Sync leaves out: a log older than the one Badger writes, which a
// memtable rotated in the middle of a commit would leave behind.
func TestSyncSyncsRotatedLogs(t *testing.T) {
	db, dir := openTestDB(t, Options{})
	if err := db.Set([]byte("k"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	// Badger numbers its first log 00001.mem; an older one stands for a
	// memtable rotated out and not yet written as a table.
	older := filepath.Join(dir, "00000.mem")
	if err := os.WriteFile(older, []byte("entries"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(older) })
	opened := recordLogs(t)
	if err := db.Sync(); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	if !slices.Contains(*opened, "00000.mem") {
		t.Fatalf("Sync synced the logs %q, not the rotated 00000.mem", *opened)
	}
	if slices.Contains(*opened, "00001.mem") {
		t.Fatalf("Sync fsynced the newest log %q too, which Badger's Sync covers", *opened)
	}
	if err := os.Remove(older); err != nil {
		t.Fatal(err)
	}
}

func TestSyncInMemoryTouchesNoLogs(t *testing.T) {
	db, err := Open("", Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	opened := recordLogs(t)
	if err := db.Sync(); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	if len(*opened) != 0 {
		t.Fatalf("an in-memory database synced logs %q", *opened)
	}
}
