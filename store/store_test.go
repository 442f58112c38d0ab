package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cosmos/iavl"

	"github.com/ledgerd/ledgerd/store/badgerdb"
	"github.com/ledgerd/ledgerd/store/commitinfo"
)

var testNames = []string{"alpha", "beta"}

func openStore(t *testing.T, opts Options) *Store {
	t.Helper()
	s, err := Open(opts, testNames)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func memStore(t *testing.T, opts Options) *Store {
	t.Helper()
	opts.InMemory = true
	s := openStore(t, opts)
	t.Cleanup(func() { s.Close() })
	return s
}

// write applies kv pairs ("store/key" -> value, "" value deletes) to the
// working trees through a Branch, as the app does.
func write(s *Store, kvs map[string]string) {
	b := NewBranch(s.Names(), s.Working())
	for _, sk := range sortedKeys(kvs) {
		i := bytes.IndexByte([]byte(sk), '/')
		kv := b.KV(sk[:i])
		if v := kvs[sk]; v == "" {
			kv.Delete([]byte(sk[i+1:]))
		} else {
			kv.Set([]byte(sk[i+1:]), []byte(v))
		}
	}
	s.Apply(b)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func commit(t *testing.T, s *Store) CommitID {
	t.Helper()
	id, err := s.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func version(t *testing.T, s *Store, h int64) *Version {
	t.Helper()
	v, err := s.Version(h)
	if err != nil {
		t.Fatalf("Version(%d): %v", h, err)
	}
	return v
}

func value(t *testing.T, v *Version, name, key string) string {
	t.Helper()
	b, err := v.Get(name, []byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCommitAndVersions(t *testing.T) {
	s := memStore(t, Options{})
	if c := s.LastCommit(); c.Height != 0 || s.Durable() != 0 {
		t.Fatalf("fresh store at %d", c.Height)
	}
	if _, err := s.Version(0); !errors.Is(err, ErrVersionPruned) {
		t.Fatalf("Version(0) of an empty store: %v", err)
	}
	empty := s.WorkingHash()

	write(s, map[string]string{"alpha/a": "1", "alpha/b": "2", "beta/x": "9"})
	working := s.WorkingHash()
	if bytes.Equal(working, empty) {
		t.Fatal("writes do not change the working hash")
	}
	if c := s.LastCommit(); c.Height != 0 {
		t.Fatal("Apply committed")
	}
	id1 := commit(t, s)
	if id1.Height != 1 || !bytes.Equal(id1.AppHash, working) || s.Durable() != 1 {
		t.Fatalf("commit %d %x, working hash was %x", id1.Height, id1.AppHash, working)
	}
	if c := s.LastCommit(); c.Height != 1 || !bytes.Equal(c.AppHash, id1.AppHash) {
		t.Fatalf("LastCommit %v", c)
	}

	// Uncommitted writes are invisible to versions and undone by Rollback.
	write(s, map[string]string{"alpha/a": "10", "alpha/b": "", "beta/y": "8"})
	if got := value(t, version(t, s, 0), "alpha", "a"); got != "1" {
		t.Fatalf("version sees uncommitted write: %q", got)
	}
	s.Rollback()
	if !bytes.Equal(s.WorkingHash(), id1.AppHash) {
		t.Fatal("Rollback did not restore the last commit")
	}
	write(s, map[string]string{"alpha/a": "10", "alpha/b": "", "beta/y": "8"})
	id2 := commit(t, s)
	// An unchanged version has the same hash.
	id3 := commit(t, s)
	if id3.Height != 3 || !bytes.Equal(id3.AppHash, id2.AppHash) {
		t.Fatalf("empty commit changed the hash: %x -> %x", id2.AppHash, id3.AppHash)
	}

	for _, tc := range []struct {
		height            int64
		hash              []byte
		a, b, x, y, total string
	}{
		{1, id1.AppHash, "1", "2", "9", "", "a b"},
		{2, id2.AppHash, "10", "", "9", "8", "a"},
		{3, id2.AppHash, "10", "", "9", "8", "a"},
		{0, id3.AppHash, "10", "", "9", "8", "a"},
	} {
		v := version(t, s, tc.height)
		if tc.height == 0 && v.Height != 3 {
			t.Fatalf("Version(0).Height = %d", v.Height)
		}
		if !bytes.Equal(v.AppHash(), tc.hash) {
			t.Fatalf("height %d: app hash %x, want %x", tc.height, v.AppHash(), tc.hash)
		}
		got := []string{value(t, v, "alpha", "a"), value(t, v, "alpha", "b"), value(t, v, "beta", "x"), value(t, v, "beta", "y")}
		if want := []string{tc.a, tc.b, tc.x, tc.y}; !slices.Equal(got, want) {
			t.Fatalf("height %d: values %q, want %q", tc.height, got, want)
		}
		var keys []string
		if err := v.Iterate("alpha", nil, func(k, _ []byte) bool { keys = append(keys, string(k)); return true }); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(keys) != "["+tc.total+"]" {
			t.Fatalf("height %d: alpha keys %v, want [%s]", tc.height, keys, tc.total)
		}
		// The readers the check state uses agree with Get.
		if got := string(v.Readers()[0].Get([]byte("a"))); got != tc.a {
			t.Fatalf("height %d: reader says %q", tc.height, got)
		}
	}
	if _, err := s.Version(4); !errors.Is(err, ErrVersionPruned) {
		t.Fatalf("Version(4): %v, want ErrVersionPruned", err)
	}
	if _, err := version(t, s, 0).Get("gamma", []byte("a")); err == nil {
		t.Fatal("Get of an unknown store succeeded")
	}
}

func TestIterate(t *testing.T) {
	s := memStore(t, Options{})
	write(s, map[string]string{"alpha/\x01a": "1", "alpha/\x01b": "2", "alpha/\x01c": "3", "alpha/\x02a": "4", "alpha/\x00z": "0"})
	commit(t, s)
	v := version(t, s, 0)
	var got []string
	if err := v.Iterate("alpha", []byte{1}, func(k, val []byte) bool { got = append(got, fmt.Sprintf("%q=%s", k, val)); return true }); err != nil {
		t.Fatal(err)
	}
	if want := []string{`"\x01a"=1`, `"\x01b"=2`, `"\x01c"=3`}; !slices.Equal(got, want) {
		t.Fatalf("prefix 01: %v, want %v", got, want)
	}
	got = nil
	v.Iterate("alpha", []byte{1}, func(k, _ []byte) bool { got = append(got, string(k)); return len(got) < 2 })
	if len(got) != 2 {
		t.Fatalf("iteration did not stop: %q", got)
	}
}

func TestProve(t *testing.T) {
	s := memStore(t, Options{})
	write(s, map[string]string{"alpha/a": "1", "alpha/c": "3", "beta/x": "9"})
	commit(t, s)
	write(s, map[string]string{"alpha/a": "11"})
	commit(t, s)
	for height, want := range map[int64]string{1: "1", 2: "11"} {
		v := version(t, s, height)
		val, ops, err := v.Prove("alpha", []byte("a"))
		if err != nil {
			t.Fatal(err)
		}
		if string(val) != want {
			t.Fatalf("height %d: proved value %q, want %q", height, val, want)
		}
		if err := commitinfo.VerifyValue(v.AppHash(), "alpha", []byte("a"), val, ops); err != nil {
			t.Fatalf("height %d: %v", height, err)
		}
		if err := commitinfo.VerifyValue(v.AppHash(), "beta", []byte("a"), val, ops); err == nil {
			t.Fatal("proof verifies under another store name")
		}
		// Absent keys: before, between and after the present ones.
		for _, key := range []string{"0", "b", "z"} {
			val, ops, err := v.Prove("alpha", []byte(key))
			if err != nil || val != nil {
				t.Fatalf("Prove(%s) = %q, %v", key, val, err)
			}
			if err := commitinfo.VerifyAbsence(v.AppHash(), "alpha", []byte(key), ops); err != nil {
				t.Fatalf("height %d key %s: %v", height, key, err)
			}
		}
	}
	if _, _, err := version(t, s, 0).Prove("gamma", []byte("a")); err == nil {
		t.Fatal("Prove in an unknown store succeeded")
	}
}

func TestReopen(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, Options{Dir: dir})
	var ids []CommitID
	for i := range 4 {
		write(s, map[string]string{fmt.Sprintf("alpha/k%d", i): "v", "beta/n": fmt.Sprint(i + 1)})
		ids = append(ids, commit(t, s))
	}
	s.Close()

	s = openStore(t, Options{Dir: dir})
	defer s.Close()
	if c := s.LastCommit(); c.Height != 4 || !bytes.Equal(c.AppHash, ids[3].AppHash) || s.Durable() != 4 {
		t.Fatalf("reopened at %d %x, want 4 %x", c.Height, c.AppHash, ids[3].AppHash)
	}
	if !bytes.Equal(s.WorkingHash(), ids[3].AppHash) {
		t.Fatal("working trees not at the last commit")
	}
	for _, id := range ids {
		if v := version(t, s, id.Height); !bytes.Equal(v.AppHash(), id.AppHash) || value(t, v, "beta", "n") != fmt.Sprint(id.Height) {
			t.Fatalf("height %d after reopen differs", id.Height)
		}
	}
	write(s, map[string]string{"alpha/k9": "v"})
	if id := commit(t, s); id.Height != 5 {
		t.Fatalf("next commit at %d", id.Height)
	}
}

// saveTrees saves the working trees as the next version without the commit
// record, as a crash inside Commit leaves them; n limits it to the first n
// trees.
func saveTrees(t *testing.T, s *Store, n int) {
	t.Helper()
	for _, tree := range s.trees[:n] {
		if _, _, err := tree.SaveVersion(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestInterruptedCommit(t *testing.T) {
	for _, saved := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d of 2 trees saved", saved), func(t *testing.T) {
			dir := t.TempDir()
			s := openStore(t, Options{Dir: dir})
			write(s, map[string]string{"alpha/a": "1", "beta/b": "1"})
			commit(t, s)
			write(s, map[string]string{"alpha/a": "2", "beta/b": "2"})
			id2 := commit(t, s)

			write(s, map[string]string{"alpha/a": "lost", "beta/b": "lost", "alpha/new": "lost"})
			saveTrees(t, s, saved)
			s.Close()

			s = openStore(t, Options{Dir: dir})
			defer s.Close()
			if c := s.LastCommit(); c.Height != 2 || !bytes.Equal(c.AppHash, id2.AppHash) {
				t.Fatalf("recovered %d %x, want 2 %x", c.Height, c.AppHash, id2.AppHash)
			}
			if _, err := s.Version(3); !errors.Is(err, ErrVersionPruned) {
				t.Fatalf("the interrupted version is readable: %v", err)
			}
			if !bytes.Equal(s.WorkingHash(), id2.AppHash) {
				t.Fatal("working trees carry the interrupted writes")
			}
			// Height 3 is written again, differently.
			write(s, map[string]string{"alpha/a": "3"})
			id3 := commit(t, s)
			v := version(t, s, 3)
			if id3.Height != 3 || value(t, v, "alpha", "a") != "3" || value(t, v, "beta", "b") != "2" || value(t, v, "alpha", "new") != "" {
				t.Fatalf("height 3 after recovery: %d a=%q b=%q new=%q", id3.Height,
					value(t, v, "alpha", "a"), value(t, v, "beta", "b"), value(t, v, "alpha", "new"))
			}
		})
	}
}

func TestInterruptedFirstCommit(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, Options{Dir: dir})
	empty := s.WorkingHash()
	write(s, map[string]string{"alpha/a": "lost"})
	saveTrees(t, s, 2)
	s.Close()

	s = openStore(t, Options{Dir: dir})
	defer s.Close()
	if c := s.LastCommit(); c.Height != 0 || !bytes.Equal(s.WorkingHash(), empty) {
		t.Fatalf("recovered at %d with working hash %x, want 0 and the empty hash", c.Height, s.WorkingHash())
	}
	write(s, map[string]string{"beta/b": "1"})
	id := commit(t, s)
	if id.Height != 1 || value(t, version(t, s, 1), "alpha", "a") != "" || value(t, version(t, s, 1), "beta", "b") != "1" {
		t.Fatal("first commit after recovery is wrong")
	}
}

func TestCorruptCommitRecord(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, Options{Dir: dir})
	if err := s.db.Set(commitRecordKey, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(Options{Dir: dir}, testNames); err == nil {
		s.Close()
		t.Fatal("Open accepted a corrupted commit record")
	}
}

// TestPruning: with KeepRecent k and PruneEvery p, after a pruning commit
// at height h exactly the versions h-k+1..h are kept, including versions
// that changed nothing (IAVL stores those as references to the previous
// root, which pruning must not break).
func TestPruning(t *testing.T) {
	s := memStore(t, Options{KeepRecent: 3, PruneEvery: 2})
	hashes := map[int64][]byte{}
	for h := int64(1); h <= 10; h++ {
		if h%3 != 0 { // heights 3, 6 and 9 change nothing
			write(s, map[string]string{"alpha/n": fmt.Sprint(h), fmt.Sprintf("beta/k%02d", h): "v"})
		}
		hashes[h] = commit(t, s).AppHash

		// Versions kept: all until the first prune (at 4, to 1); then 3
		// after a pruning (even) height, and those 3 plus h after an odd one.
		kept := h
		switch {
		case h >= 4 && h%2 == 0:
			kept = 3
		case h >= 5:
			kept = 4
		}
		for v := int64(1); v <= h; v++ {
			_, err := s.Version(v)
			if wantKept := v > h-kept; wantKept != (err == nil) {
				t.Fatalf("after commit %d: Version(%d) error %v, want kept=%v", h, v, err, wantKept)
			}
			if err != nil && !errors.Is(err, ErrVersionPruned) {
				t.Fatalf("after commit %d: Version(%d): %v, want ErrVersionPruned", h, v, err)
			}
		}
	}
	for h := int64(8); h <= 10; h++ {
		v := version(t, s, h)
		if !bytes.Equal(v.AppHash(), hashes[h]) {
			t.Fatalf("kept version %d has a different hash", h)
		}
		lastWrite := h
		if h%3 == 0 {
			lastWrite = h - 1
		}
		if got := value(t, v, "alpha", "n"); got != fmt.Sprint(lastWrite) {
			t.Fatalf("version %d: n = %q, want %d", h, got, lastWrite)
		}
		var keys int
		v.Iterate("beta", nil, func(_, _ []byte) bool { keys++; return true })
		if want := lastWrite - lastWrite/3; int64(keys) != want {
			t.Fatalf("version %d: %d beta keys, want %d", h, keys, want)
		}
		if val, ops, err := v.Prove("alpha", []byte("n")); err != nil || commitinfo.VerifyValue(v.AppHash(), "alpha", []byte("n"), val, ops) != nil {
			t.Fatalf("version %d: proof after pruning: %v", h, err)
		}
	}
}

func TestNoPruning(t *testing.T) {
	s := memStore(t, Options{KeepRecent: 0, PruneEvery: 1})
	for h := 1; h <= 5; h++ {
		write(s, map[string]string{"alpha/n": fmt.Sprint(h)})
		commit(t, s)
	}
	for h := int64(1); h <= 5; h++ {
		if got := value(t, version(t, s, h), "alpha", "n"); got != fmt.Sprint(h) {
			t.Fatalf("version %d: %q", h, got)
		}
	}
}

func TestPruningSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Dir: dir, KeepRecent: 2, PruneEvery: 1}
	s := openStore(t, opts)
	for h := 1; h <= 5; h++ {
		write(s, map[string]string{"alpha/n": fmt.Sprint(h)})
		commit(t, s)
	}
	s.Close()
	s = openStore(t, opts)
	defer s.Close()
	if _, err := s.Version(3); !errors.Is(err, ErrVersionPruned) {
		t.Fatalf("Version(3): %v", err)
	}
	if got := value(t, version(t, s, 4), "alpha", "n"); got != "4" {
		t.Fatalf("version 4: %q", got)
	}
	write(s, map[string]string{"alpha/n": "6"})
	if id := commit(t, s); id.Height != 6 {
		t.Fatalf("commit at %d", id.Height)
	}
	if _, err := s.Version(4); !errors.Is(err, ErrVersionPruned) {
		t.Fatalf("Version(4) after the next prune: %v", err)
	}
}

func TestCommitRecordEncoding(t *testing.T) {
	s := memStore(t, Options{})
	commit(t, s)
	commit(t, s)
	rec, err := s.db.Get(commitRecordKey)
	if err != nil || len(rec) != 16 || binary.BigEndian.Uint64(rec) != 2 || binary.BigEndian.Uint64(rec[8:]) != 0 {
		t.Fatalf("commit record %x, %v", rec, err)
	}
}

// TestCommitRecordKeepsBlockTime: a reopened store knows the time of its
// last block, which CheckTx needs after a restart.
func TestCommitRecordKeepsBlockTime(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir}, []string{"alpha"})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 16, 0, 0, 123, time.UTC)
	if _, err := s.CommitAt(at); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(Options{Dir: dir}, []string{"alpha"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.LastCommit(); got.Height != 1 || !got.Time.Equal(at) {
		t.Fatalf("reopened at height %d time %v, want 1 and %v", got.Height, got.Time, at)
	}
}

// TestFirstCommitReleasesLargeTrees: after the first commit a tree larger
// than its node cache is replaced by the same tree loaded afresh, and a
// tree the cache holds whole is kept; both read and commit on as before,
// and a view taken before the commit keeps reading.
func TestFirstCommitReleasesLargeTrees(t *testing.T) {
	s := memStore(t, Options{CacheNodes: 8})
	kvs := map[string]string{"beta/x": "9"}
	for i := range 20 {
		kvs[fmt.Sprintf("alpha/k%02d", i)] = fmt.Sprint(i)
	}
	write(s, kvs)
	alpha, beta := s.trees[0], s.trees[1]
	id1 := commit(t, s)
	if s.trees[0] == alpha || s.trees[1] != beta {
		t.Fatalf("after the first commit: alpha reloaded %v (want true), beta reloaded %v (want false)",
			s.trees[0] != alpha, s.trees[1] != beta)
	}
	if !bytes.Equal(s.WorkingHash(), id1.AppHash) || s.trees[0].Version() != 1 {
		t.Fatalf("reloaded tree at version %d, working hash %x, commit %x", s.trees[0].Version(), s.WorkingHash(), id1.AppHash)
	}
	v1 := version(t, s, 1)
	write(s, map[string]string{"alpha/k05": "five", "alpha/new": "n"})
	reloaded := s.trees[0]
	id2 := commit(t, s)
	if s.trees[0] != reloaded {
		t.Fatal("a later commit reloaded the tree")
	}
	if got := value(t, v1, "alpha", "k05"); got != "5" {
		t.Fatalf("version 1 reads %q", got)
	}
	if v2 := version(t, s, 2); value(t, v2, "alpha", "k05") != "five" || value(t, v2, "alpha", "new") != "n" ||
		value(t, v2, "alpha", "k19") != "19" || !bytes.Equal(v2.AppHash(), id2.AppHash) {
		t.Fatal("version 2 does not read its writes and the first commit's")
	}
}

// TestReleasedTreesReadTheGenesisEncoded: a tree the first commit reloads
// with an empty node cache reads the genesis's nodes from the encoded node
// cache, not from the database.
func TestReleasedTreesReadTheGenesisEncoded(t *testing.T) {
	s := memStore(t, Options{CacheNodes: 8, EncodedCacheMB: 1})
	kvs := map[string]string{}
	for i := range 200 {
		kvs[fmt.Sprintf("alpha/k%03d", i)] = fmt.Sprint(i)
	}
	write(s, kvs)
	commit(t, s)
	v1 := version(t, s, 1)
	for i := range 200 {
		if got := value(t, v1, "alpha", fmt.Sprintf("k%03d", i)); got != fmt.Sprint(i) {
			t.Fatalf("k%03d reads %q", i, got)
		}
	}
	st := s.EncodedCacheStats()
	if st.Hits < 200 || st.Misses != 0 || st.Entries != 2*200-1 {
		t.Fatalf("encoded cache: %+v; want every node of the 200-record tree, and every read a hit", st)
	}

	none := memStore(t, Options{CacheNodes: 8})
	if st := none.EncodedCacheStats(); st != (iavl.EncodedNodeCacheStats{}) {
		t.Fatalf("a store without an encoded cache reports %+v", st)
	}
}

// TestFirstCommitCompactsTheGenesis writes a genesis large enough to leave
// Badger level-0 tables and checks that the first commit compacted them
// away (settleBulkLoad), with every record readable then and after a
// reopen, and that later commits leave level 0 to Badger.
func TestFirstCommitCompactsTheGenesis(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Dir: dir, Badger: badgerdb.Options{MemTableSize: badgerdb.MinMemTableSize}}
	s := openStore(t, opts)
	kvs := map[string]string{}
	const records = 6000 // about 4 MiB of nodes: several 1 MiB memtables
	pad := strings.Repeat("v", 200)
	for i := range records {
		kvs[fmt.Sprintf("alpha/k%05d", i)] = pad + fmt.Sprint(i)
	}
	write(s, kvs)
	commit(t, s)
	if n := s.db.Level0Tables(); n != 0 {
		t.Fatalf("level 0 holds %d tables after the genesis's commit, want 0", n)
	}
	check := func(s *Store, h int64) {
		t.Helper()
		v := version(t, s, h)
		for i := range records {
			if got, want := value(t, v, "alpha", fmt.Sprintf("k%05d", i)), pad+fmt.Sprint(i); got != want {
				t.Fatalf("k%05d at %d reads %q", i, h, got)
			}
		}
	}
	check(s, 1)
	write(s, map[string]string{"alpha/k00000": "changed"})
	commit(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, opts)
	defer s.Close()
	check(s, 1)
	if got := value(t, version(t, s, 2), "alpha", "k00000"); got != "changed" {
		t.Fatalf("k00000 at 2 reads %q after a reopen", got)
	}
}

// TestHashBehindTheWrites: a block's writes applied at once, which hash the
// tree behind them (treeKV.writeSorted, iavl's HashBehind), give the app
// hash of the same writes applied in runs of fewer than it hashes behind,
// over versions of insertions and updates and one with removals.
func TestHashBehindTheWrites(t *testing.T) {
	whole, runs := memStore(t, Options{}), memStore(t, Options{})
	for v := 1; v <= 6; v++ {
		kvs := make(map[string]string)
		for i := range 1500 {
			k := (i*7919 + v*104729) % 4000
			kvs[fmt.Sprintf("alpha/k%05d", k)] = fmt.Sprintf("v%d-%d", v, i)
			if i%3 == 0 {
				kvs[fmt.Sprintf("beta/k%05d", k)] = fmt.Sprintf("w%d-%d", v, i)
			}
		}
		if v == 4 {
			for k := range 40 {
				kvs[fmt.Sprintf("alpha/k%05d", k*97)] = "" // removals
			}
		}
		write(whole, kvs)
		keys := sortedKeys(kvs)
		for lo := 0; lo < len(keys); lo += hashBehindEvery - 1 {
			run := make(map[string]string)
			for _, k := range keys[lo:min(lo+hashBehindEvery-1, len(keys))] {
				run[k] = kvs[k]
			}
			write(runs, run)
		}
		if got, want := whole.WorkingHash(), runs.WorkingHash(); !bytes.Equal(got, want) {
			t.Fatalf("version %d: working hash %x, %x from runs of writes", v, got, want)
		}
		if got, want := commit(t, whole), commit(t, runs); !bytes.Equal(got.AppHash, want.AppHash) {
			t.Fatalf("version %d: app hash %x, %x from runs of writes", v, got.AppHash, want.AppHash)
		}
	}
}
