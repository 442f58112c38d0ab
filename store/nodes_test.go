//go:build !js

package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// badgerNodeKeys counts the IAVL node keys Badger holds.
func badgerNodeKeys(t *testing.T, s *Store) int {
	t.Helper()
	it, err := s.db.Iterator([]byte("t/"), []byte("t0"))
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	n := 0
	for ; it.Valid(); it.Next() {
		if isNodeKey(it.Key()) {
			n++
		}
	}
	return n
}

func TestIsNodeKey(t *testing.T) {
	v := "\x00\x00\x00\x00\x00\x00\x00\x07\x00\x00\x00\x01"
	for key, want := range map[string]bool{
		"t/wallet/s" + v:        true,
		"t/a/s" + v:             true,
		"t/wallet/s" + v[:11]:   false, // short
		"t/wallet/s" + v + "x":  false, // long
		"t/wallet/m" + v:        false, // metadata
		"t/wallet" + v:          false, // no second slash
		"c/latest":              false,
		"x/wallet/s" + v:        false,
		"t/wallet/x/s" + v[:11]: false,
	} {
		if got := isNodeKey([]byte(key)); got != want {
			t.Errorf("isNodeKey(%q) = %v, want %v", key, got, want)
		}
	}
}

// TestNodesInTheLog: on disk, the trees' nodes go to the node log and none
// to Badger, through commits, pruning and reopening.
func TestNodesInTheLog(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Dir: dir, KeepRecent: 2, PruneEvery: 1}
	s := openStore(t, opts)
	hashes := map[int64][]byte{}
	for h := int64(1); h <= 8; h++ {
		write(s, map[string]string{"alpha/n": fmt.Sprint(h), fmt.Sprintf("beta/k%d", h): "v"})
		hashes[h] = commit(t, s).AppHash
		if h == 1 {
			// The first commit, a bulk load, is checkpointed at once.
			if _, err := os.Stat(filepath.Join(dir, nodeLogDir, "checkpoint.idx")); err != nil {
				t.Fatalf("no checkpoint after the first commit: %v", err)
			}
		}
	}
	if n := badgerNodeKeys(t, s); n != 0 {
		t.Fatalf("Badger holds %d nodes", n)
	}
	st := s.log.Stats()
	if st.LiveRecords == 0 || st.LiveBytes >= st.Bytes {
		t.Fatalf("node log %+v: want live records and the pruned ones' bytes dead", st)
	}
	s.Close()

	s = openStore(t, opts)
	defer s.Close()
	for h := int64(7); h <= 8; h++ {
		v := version(t, s, h)
		if !bytes.Equal(v.AppHash(), hashes[h]) || value(t, v, "alpha", "n") != fmt.Sprint(h) || value(t, v, "beta", "k1") != "v" {
			t.Fatalf("version %d after reopening: hash %x, n=%q", h, v.AppHash(), value(t, v, "alpha", "n"))
		}
	}
	if _, err := s.Version(6); !errors.Is(err, ErrVersionPruned) {
		t.Fatalf("Version(6) = %v, want ErrVersionPruned", err)
	}
	if s.legacyNodes {
		t.Fatal("a database the node log wrote is taken for an older one")
	}
}

// TestNodesWrittenBeforeTheLog: a database with its nodes in Badger
// (written by an older ledgerd, or with NodesInBadger, which then creates
// no node log) reads them, prunes them from Badger and writes new nodes to
// the log.
func TestNodesWrittenBeforeTheLog(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Dir: dir, KeepRecent: 2, PruneEvery: 1}
	archive := opts
	archive.NodesInBadger = true
	s := openStore(t, archive)
	hashes := map[int64][]byte{}
	for h := int64(1); h <= 4; h++ {
		write(s, map[string]string{"alpha/n": fmt.Sprint(h), fmt.Sprintf("beta/k%d", h): "v"})
		hashes[h] = commit(t, s).AppHash
	}
	old := badgerNodeKeys(t, s)
	if onDisk, err := nodeLogOnDisk(dir); s.log != nil || onDisk || err != nil {
		t.Fatal("a store with NodesInBadger created a node log")
	}
	s.Close()

	s = openStore(t, opts)
	if !s.legacyNodes || old == 0 {
		t.Fatalf("legacy nodes not found (%d in Badger)", old)
	}
	for h := int64(3); h <= 4; h++ {
		if v := version(t, s, h); !bytes.Equal(v.AppHash(), hashes[h]) || value(t, v, "alpha", "n") != fmt.Sprint(h) {
			t.Fatalf("version %d written before the log: hash %x", h, v.AppHash())
		}
	}
	for h := int64(5); h <= 9; h++ {
		write(s, map[string]string{"alpha/n": fmt.Sprint(h)})
		hashes[h] = commit(t, s).AppHash
	}
	if n := badgerNodeKeys(t, s); n >= old {
		t.Fatalf("Badger holds %d nodes, %d before: pruning did not reach them", n, old)
	}
	s.Close()

	s = openStore(t, opts)
	defer s.Close()
	for h := int64(8); h <= 9; h++ {
		v := version(t, s, h)
		if !bytes.Equal(v.AppHash(), hashes[h]) || value(t, v, "alpha", "n") != fmt.Sprint(h) || value(t, v, "beta", "k2") != "v" {
			t.Fatalf("version %d: hash %x, n=%q, k2=%q", h, v.AppHash(), value(t, v, "alpha", "n"), value(t, v, "beta", "k2"))
		}
	}
	// Iterating a tree reads nodes from both places.
	var keys []string
	if err := version(t, s, 9).Iterate("beta", nil, func(k, _ []byte) bool { keys = append(keys, string(k)); return true }); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 4 || keys[0] != "k1" || keys[3] != "k4" {
		t.Fatalf("beta at 9 iterates %q, want k1..k4", keys)
	}
	// So does an iterator of the database under a tree's prefix: in
	// order, each node once, from Badger and the log.
	db := treeDB{DB: s.db, log: s.log, legacy: s.legacyNodes, nodesToLog: true}
	for _, reverse := range []bool{false, true} {
		var it interface {
			Valid() bool
			Next()
			Key() []byte
			Close() error
		}
		var err error
		if reverse {
			it, err = db.ReverseIterator([]byte("t/beta/s"), []byte("t/beta/t"))
		} else {
			it, err = db.Iterator([]byte("t/beta/s"), []byte("t/beta/t"))
		}
		if err != nil {
			t.Fatal(err)
		}
		var got [][]byte
		inBadger := 0
		for ; it.Valid(); it.Next() {
			k := it.Key()
			if n := len(got); n > 0 && (bytes.Compare(got[n-1], k) >= 0) != reverse {
				t.Fatalf("reverse=%v: %x after %x", reverse, k, got[n-1])
			}
			if v, _ := s.db.Get(k); v != nil {
				inBadger++
			}
			got = append(got, k)
		}
		it.Close()
		if inBadger == 0 || inBadger == len(got) {
			t.Fatalf("reverse=%v: %d of %d nodes in Badger, want some in each place", reverse, inBadger, len(got))
		}
	}
}

// TestNodeLogCompactsPrunedVersions runs a pruned store long enough for
// the node log to compact many times (small segments), reopening it
// along the way, and checks every kept version's values and hash.
func TestNodeLogCompactsPrunedVersions(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Dir: dir, KeepRecent: 3, PruneEvery: 2, NodeLogSegmentSize: 8 << 10}
	s := openStore(t, opts)
	defer func() { s.Close() }()
	hashes := map[int64][]byte{}
	for h := int64(1); h <= 120; h++ {
		kvs := map[string]string{"alpha/n": fmt.Sprint(h)}
		for i := int64(0); i < 20; i++ {
			kvs[fmt.Sprintf("beta/k%03d", (h*7+i*13)%200)] = fmt.Sprint(h)
		}
		write(s, kvs)
		hashes[h] = commit(t, s).AppHash
		if h%25 == 0 {
			s.Close()
			s = openStore(t, opts)
		}
		for v := max(1, h-2); v <= h; v++ {
			ver := version(t, s, v)
			if !bytes.Equal(ver.AppHash(), hashes[v]) || value(t, ver, "alpha", "n") != fmt.Sprint(v) {
				t.Fatalf("after commit %d: version %d hash %x n=%q", h, v, ver.AppHash(), value(t, ver, "alpha", "n"))
			}
		}
	}
	st := s.log.Stats()
	if st.Segments > 40 || st.Bytes > 4*st.LiveBytes+4*(8<<10) {
		t.Fatalf("node log %+v: pruned nodes' space not reclaimed", st)
	}
}

// TestNodesToBadgerAfterTheLog: a store that wrote its nodes to the log and
// is reopened with NodesInBadger (a pruning node made an archive one)
// reads the log's nodes, writes new ones to Badger only, and prunes both.
func TestNodesToBadgerAfterTheLog(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Dir: dir, KeepRecent: 3, PruneEvery: 1}
	s := openStore(t, opts)
	hashes := map[int64][]byte{}
	for h := int64(1); h <= 4; h++ {
		write(s, map[string]string{"alpha/n": fmt.Sprint(h), fmt.Sprintf("beta/k%d", h): "v"})
		hashes[h] = commit(t, s).AppHash
	}
	if n := badgerNodeKeys(t, s); n != 0 {
		t.Fatalf("Badger holds %d nodes before the switch", n)
	}
	inLog := s.log.Stats().LiveRecords
	s.Close()

	opts.NodesInBadger = true
	s = openStore(t, opts)
	if s.log == nil || !s.legacyNodes {
		t.Fatal("the node log written before is not read")
	}
	for h := int64(2); h <= 4; h++ {
		if v := version(t, s, h); !bytes.Equal(v.AppHash(), hashes[h]) || value(t, v, "alpha", "n") != fmt.Sprint(h) {
			t.Fatalf("version %d from the log: hash %x", h, v.AppHash())
		}
	}
	for h := int64(5); h <= 9; h++ {
		write(s, map[string]string{"alpha/n": fmt.Sprint(h)})
		hashes[h] = commit(t, s).AppHash
	}
	it, err := s.log.Iterator(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for ; it.Valid(); it.Next() {
		k := it.Key()
		if v := binary.BigEndian.Uint64(k[len(k)-12:]); v > 4 {
			t.Fatalf("node %x of version %d went to the log", k, v)
		}
	}
	it.Close()
	st := s.log.Stats()
	// Versions 5 to 9 each wrote alpha's one node to Badger (beta kept
	// its nodes in the log, with references to them in Badger); only the
	// kept versions' are left.
	if _, err := s.Version(6); !errors.Is(err, ErrVersionPruned) {
		t.Fatalf("Version(6) = %v, want ErrVersionPruned", err)
	}
	bit, err := s.db.Iterator([]byte("t/alpha/s"), []byte("t/alpha/t"))
	if err != nil {
		t.Fatal(err)
	}
	var inBadger []uint64
	for ; bit.Valid(); bit.Next() {
		if k := bit.Key(); isNodeKey(k) {
			inBadger = append(inBadger, binary.BigEndian.Uint64(k[len(k)-12:]))
		}
	}
	bit.Close()
	if !slices.Equal(inBadger, []uint64{7, 8, 9}) {
		t.Fatalf("Badger holds alpha's nodes of versions %v, want the kept 7 to 9: pruning did not reach it", inBadger)
	}
	if st.LiveRecords >= inLog {
		t.Fatalf("node log holds %d live nodes, %d before: pruning did not reach it", st.LiveRecords, inLog)
	}
	s.Close()

	s = openStore(t, opts)
	defer s.Close()
	for h := int64(7); h <= 9; h++ {
		v := version(t, s, h)
		if !bytes.Equal(v.AppHash(), hashes[h]) || value(t, v, "alpha", "n") != fmt.Sprint(h) || value(t, v, "beta", "k4") != "v" {
			t.Fatalf("version %d: hash %x, n=%q", h, v.AppHash(), value(t, v, "alpha", "n"))
		}
	}
}

// TestArchiveNodeOpensAnUnreadableLog: a store with NodesInBadger whose
// node log's directory cannot be read fails to open, rather than opening
// without the nodes the log holds.
func TestArchiveNodeOpensAnUnreadableLog(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, nodeLogDir), []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(Options{Dir: dir, NodesInBadger: true}, []string{"alpha"}); err == nil {
		s.Close()
		t.Fatal("opened with an unreadable node log")
	}
}

// TestTreeBatchesCopy: what a tree's batch is given may be overwritten as
// soon as Set returns, since the trees reuse one array for every node they
// save (iavl.CopyingBatchOption) and prefixBatch one for every key: for
// nodes in the node log, nodes in Badger and the trees' other keys.
func TestTreeBatchesCopy(t *testing.T) {
	for _, inBadger := range []bool{false, true} {
		s := openStore(t, Options{Dir: t.TempDir(), KeepRecent: 2, PruneEvery: 1, NodesInBadger: inBadger})
		db := newPrefixDB(treeDB{DB: s.db, log: s.log, legacy: s.legacyNodes, nodesToLog: !inBadger}, []byte("t/gamma/"))
		b := db.NewBatch()
		var key, val []byte
		want := map[string]string{}
		put := func(k []byte, v string) {
			key, val = append(key[:0], k...), append(val[:0], v...)
			if err := b.Set(key, val); err != nil {
				t.Fatal(err)
			}
			want[string(k)] = v
			for i := range key {
				key[i] = 0xff
			}
			for i := range val {
				val[i] = '!'
			}
		}
		for i := range 3 {
			nodeKey := binary.BigEndian.AppendUint64([]byte("s"), uint64(100+i))
			put(binary.BigEndian.AppendUint32(nodeKey, 1), fmt.Sprintf("node %d", i))
			put(fmt.Appendf(nil, "m%d", i), fmt.Sprintf("metadata %d", i))
		}
		if err := b.Write(); err != nil {
			t.Fatal(err)
		}
		b.Close()
		for k, v := range want {
			if got, err := db.Get([]byte(k)); err != nil || string(got) != v {
				t.Errorf("inBadger=%v: %q = %q, %v; want %q", inBadger, k, got, err, v)
			}
		}
		if n := badgerNodeKeys(t, s); (n == 3) != inBadger {
			t.Errorf("inBadger=%v: Badger holds %d nodes", inBadger, n)
		}
		s.Close()
	}
}
