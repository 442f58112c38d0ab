package badgerdb

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
)

// Badger writes each memtable's updates to a write-ahead log of its own,
// NNNNN.mem in the database's directory, which it replays at open up to the
// log's first damaged entry. When a memtable fills, Badger starts a new
// memtable and a new log without syncing the old log; the old one is synced
// in effect only once its memtable is written as a table (which Badger
// syncs) and the log deleted. Badger's Sync syncs the newest log alone.
//
// A memtable that fills in the middle of a store commit thus leaves the
// commit's first writes in a log nothing syncs for a while, and the rest,
// with the commit record, in the log the commit's Sync syncs. A power loss
// in that window would bring the commit record back without those first
// writes: a version named committed whose nodes are missing. DB.Sync
// therefore fsyncs the older logs before Badger's Sync, so that the commit
// record is never durable before a write made ahead of it (syncLogs).

// memLogSuffix is the extension of Badger's memtable logs.
const memLogSuffix = ".mem"

// openLog opens a memtable log for syncLog; a variable for tests.
var openLog = func(path string) (*os.File, error) { return os.Open(path) }

// syncBadger is Badger's own Sync; a variable for tests.
var syncBadger = func(db *badger.DB) error { return db.Sync() }

// syncLogs makes every write to bdb completed before it was called
// durable, in the order they were made: it fsyncs every memtable log in dir
// but the newest, then has Badger sync the newest. If a write on another
// goroutine rotated the memtable meanwhile (the newest log then has a
// successor), Badger synced the successor, and the log meant is fsynced
// too.
func syncLogs(dir string, bdb *badger.DB) error {
	logs, err := memLogs(dir)
	if err != nil {
		return err
	}
	for _, l := range olderLogs(logs) {
		if err := syncLog(filepath.Join(dir, l.name)); err != nil {
			return err
		}
	}
	if err := syncBadger(bdb); err != nil {
		return err
	}
	if len(logs) == 0 {
		return nil
	}
	newest := logs[len(logs)-1]
	if _, err := os.Stat(filepath.Join(dir, memLogName(newest.fid+1))); err == nil {
		return syncLog(filepath.Join(dir, newest.name))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("look for a newer memtable log: %w", err)
	}
	return nil
}

// memLog is one of Badger's memtable logs: its number and file name.
type memLog struct {
	fid  int
	name string
}

// memLogName is the file name Badger gives log fid.
func memLogName(fid int) string { return fmt.Sprintf("%05d%s", fid, memLogSuffix) }

// memLogs returns the memtable logs in dir, oldest first.
func memLogs(dir string) ([]memLog, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list memtable logs: %w", err)
	}
	var logs []memLog
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, memLogSuffix) {
			continue
		}
		fid, err := strconv.Atoi(strings.TrimSuffix(name, memLogSuffix))
		if err != nil {
			continue
		}
		logs = append(logs, memLog{fid, name})
	}
	slices.SortFunc(logs, func(a, b memLog) int { return a.fid - b.fid })
	return logs, nil
}

// olderLogs returns logs, oldest first, without the newest: the logs of
// memtables Badger rotated out and has not yet written as tables.
func olderLogs(logs []memLog) []memLog {
	if len(logs) < 2 {
		return nil
	}
	return logs[:len(logs)-1]
}

// syncLog fsyncs the log at path. A log that is gone by the time it is
// opened had its memtable written as a table, which Badger synced, and is
// skipped.
func syncLog(path string) error {
	f, err := openLog(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open memtable log: %w", err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync memtable log %s: %w", filepath.Base(path), err)
	}
	return nil
}
