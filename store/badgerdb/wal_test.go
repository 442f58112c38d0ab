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
	if got, want := logNames(logs), []string{"00001.mem", "00002.mem", "00010.mem"}; !slices.Equal(got, want) {
		t.Fatalf("memLogs = %q, want %q (by number, nothing but logs)", got, want)
	}
	if got, want := logNames(olderLogs(logs)), []string{"00001.mem", "00002.mem"}; !slices.Equal(got, want) {
		t.Fatalf("olderLogs = %q, want %q", got, want)
	}
	// One log alone is the memtable being written, which Badger syncs.
	if got := olderLogs(logs[2:]); len(got) != 0 {
		t.Fatalf("olderLogs of one log = %q, want none", logNames(got))
	}
	if got := memLogName(123456); got != "123456.mem" {
		t.Fatalf("memLogName(123456) = %q", got)
	}
}

func logNames(logs []memLog) []string {
	names := make([]string, len(logs))
	for i, l := range logs {
		names[i] = l.name
	}
	return names
}

// fakeLog writes a memtable log named name into dir, removed when the test
// ends (before the database is closed: cleanups run last first).
func fakeLog(t *testing.T, dir, name string) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte("entries"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(path) })
}

// openWrittenDB opens a test database holding one write, in its first
// memtable log, 00001.mem.
func openWrittenDB(t *testing.T) (*DB, string) {
	t.Helper()
	db, dir := openTestDB(t, Options{})
	if err := db.Set([]byte("k"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	return db, dir
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
	db, dir := openWrittenDB(t)
	// An older log, written out as a table by the time Sync opens it.
	fakeLog(t, dir, "00000.mem")
	opened := recordLogs(t, "00000.mem")
	if err := db.Sync(); err != nil {
		t.Fatalf("Sync with a log gone meanwhile: %v", err)
	}
	if want := []string{"00000.mem"}; !slices.Equal(*opened, want) {
		t.Fatalf("opened %q, want %q", *opened, want)
	}
}

// TestSyncFollowsARotationDuringIt checks that when the memtable rotates
// while Badger syncs (a write on another goroutine), the log Badger's sync
// was meant to cover is synced after it.
func TestSyncFollowsARotationDuringIt(t *testing.T) {
	db, dir := openWrittenDB(t)
	prev := syncBadger
	syncBadger = func(bdb *badger.DB) error {
		// A successor of 00001.mem appears, as if the memtable had filled
		// during the sync.
		fakeLog(t, dir, "00002.mem")
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
}

// TestSyncSyncsRotatedLogs checks that DB.Sync reaches the logs Badger's
// own Sync leaves out: a log older than the one Badger writes, which a
// memtable rotated in the middle of a commit would leave behind, and only
// those.
func TestSyncSyncsRotatedLogs(t *testing.T) {
	db, dir := openWrittenDB(t)
	fakeLog(t, dir, "00000.mem")
	opened := recordLogs(t)
	if err := db.Sync(); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	if want := []string{"00000.mem"}; !slices.Equal(*opened, want) {
		t.Fatalf("Sync synced the logs %q, want %q (the rotated log, not the newest, which Badger's Sync covers)", *opened, want)
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
