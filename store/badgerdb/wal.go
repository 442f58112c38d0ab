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
)

// Badger writes each memtable's updates to a write-ahead log of its own,
// NNNNN.mem in the database's directory, which it replays at open up to the
// log's first damaged entry. When a memtable fills, Badger starts a new one
// and log without syncing the old log; the old one is synced in effect only
// once its memtable is written as a table (which Badger syncs) and the log
// deleted. Badger's Sync syncs the newest log alone.
//
// A memtable that fills in the middle of a store commit thus leaves the
// commit's first writes in a log nothing syncs for a while, and the rest,
// with the commit record, in the log the commit's Sync syncs. A power loss
// in that window would bring the commit record back without those first
// writes: a version named committed whose nodes are missing. DB.Sync
// therefore fsyncs the rotated logs before Badger's Sync, so that the
// commit record is never durable before a write made ahead of it.

// memLogSuffix is the extension of Badger's memtable logs.
const memLogSuffix = ".mem"

// openLog opens a memtable log for syncLog; a variable for tests.
var openLog = func(path string) (*os.File, error) { return os.Open(path) }

// syncRotatedLogs fsyncs every memtable log in dir but the newest, which
// belongs to the memtable being written (Badger numbers them in order). A
// log that is gone by the time it is opened had its memtable written as a
// table, which Badger synced, and is skipped.
func syncRotatedLogs(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list memtable logs: %w", err)
	}
	for _, name := range rotatedLogs(entries) {
		if err := syncLog(filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

// rotatedLogs returns the names of the memtable logs among entries, oldest
// first, without the newest.
func rotatedLogs(entries []fs.DirEntry) []string {
	type log struct {
		fid  int
		name string
	}
	var logs []log
	for _, e := range entries {
		name := e.Name()
		fid, err := strconv.Atoi(strings.TrimSuffix(name, memLogSuffix))
		if !strings.HasSuffix(name, memLogSuffix) || err != nil || e.IsDir() {
			continue
		}
		logs = append(logs, log{fid, name})
	}
	if len(logs) < 2 {
		return nil
	}
	slices.SortFunc(logs, func(a, b log) int { return a.fid - b.fid })
	names := make([]string, 0, len(logs)-1)
	for _, l := range logs[:len(logs)-1] {
		names = append(names, l.name)
	}
	return names
}

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
