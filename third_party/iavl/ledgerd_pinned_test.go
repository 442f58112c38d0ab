package iavl

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	dbm "github.com/cosmos/iavl/db"
)

// ledgerd's patch: the saved nodes of the upper levels keep their children
// (pinnedLevels), so that a walk down a saved tree follows pointers there
// instead of looking every node up in the node cache; and a saved node is
// never changed, so that readers of saved versions may walk it while the
// working tree changes.

func withPinnedLevels(levels int8, f func()) {
	defer func(was int8) { pinnedLevels = was }(pinnedLevels)
	pinnedLevels = levels
	f()
}

func cacheLookups(stat *Statistics) uint64 {
	return atomic.LoadUint64(&stat.cacheHitCnt) + atomic.LoadUint64(&stat.cacheMissCnt)
}

func pinnedKey(i int) []byte { return binary.BigEndian.AppendUint32([]byte("k"), uint32(i)) }

// TestSavedUpperLevelsWalkByPointer reads every record of a tree of 2,000
// (about 13 levels) after three saved versions: with 16 pinned levels no
// read looks a node up in the cache; with upstream's behaviour (0) every
// read does, once per level below the root.
func TestSavedUpperLevelsWalkByPointer(t *testing.T) {
	const records = 2000
	lookups := func(levels int8) (working, saved uint64) {
		withPinnedLevels(levels, func() {
			stat := &Statistics{}
			tree := NewMutableTree(dbm.NewMemDB(), 1_000_000, true, NewNopLogger(), StatOption(stat))
			for version := 1; version <= 3; version++ {
				for i := version - 1; i < records; i += version {
					if _, err := tree.Set(pinnedKey(i), []byte(fmt.Sprint(version))); err != nil {
						t.Fatal(err)
					}
				}
				if _, _, err := tree.SaveVersion(); err != nil {
					t.Fatal(err)
				}
			}
			last, err := tree.GetImmutable(tree.Version())
			if err != nil {
				t.Fatal(err)
			}
			// Changes rolled back leave the saved nodes as they were.
			if _, err := tree.Set(pinnedKey(records), []byte("rolled back")); err != nil {
				t.Fatal(err)
			}
			tree.Rollback()

			before := cacheLookups(stat)
			readAll(t, tree.ImmutableTree, records)
			working = cacheLookups(stat) - before
			before = cacheLookups(stat)
			readAll(t, last, records)
			saved = cacheLookups(stat) - before
		})
		return working, saved
	}
	if working, saved := lookups(16); working != 0 || saved != 0 {
		t.Fatalf("16 pinned levels: %d and %d node-cache lookups reading the working tree and the last version, want none", working, saved)
	}
	if working, saved := lookups(0); working < 10*records || saved < 10*records {
		t.Fatalf("upstream's behaviour: %d and %d node-cache lookups, want at least 10 a read", working, saved)
	}
}

func readAll(t *testing.T, tree *ImmutableTree, records int) {
	t.Helper()
	for i := 0; i < records; i++ {
		if v, err := tree.Get(pinnedKey(i)); err != nil || v == nil {
			t.Fatalf("record %d: %q, %v", i, v, err)
		}
	}
}

// pinnedTrace applies pseudo-random writes, removals, rollbacks, saves and
// prunings, and records every hash and every value read from the working
// tree, the last saved version and an older one.
func pinnedTrace(t *testing.T, seed int64) []byte {
	t.Helper()
	tree := NewMutableTree(dbm.NewMemDB(), 500, true, NewNopLogger())
	r := rand.New(rand.NewSource(seed))
	var trace bytes.Buffer
	key := func() []byte { return pinnedKey(r.Intn(1500)) }
	read := func(tree *ImmutableTree) {
		for i := 0; i < 5; i++ {
			v, err := tree.Get(key())
			if err != nil {
				t.Fatal(err)
			}
			trace.Write(v)
			trace.WriteByte(0)
		}
	}
	for step := 0; step < 5000; step++ {
		switch op := r.Intn(100); {
		case op < 60:
			if _, err := tree.Set(key(), []byte(fmt.Sprint(step))); err != nil {
				t.Fatal(err)
			}
		case op < 75:
			if _, _, err := tree.Remove(key()); err != nil {
				t.Fatal(err)
			}
		case op < 85:
			read(tree.ImmutableTree)
		case op < 87:
			tree.Rollback()
		case op < 97:
			h, v, err := tree.SaveVersion()
			if err != nil {
				t.Fatal(err)
			}
			trace.Write(h)
			if v > 4 {
				old, err := tree.GetImmutable(v - 3)
				if err != nil {
					t.Fatal(err)
				}
				read(old)
			}
			if v > 10 && v%5 == 0 {
				if err := tree.DeleteVersionsTo(v - 6); err != nil {
					t.Fatal(err)
				}
			}
		default:
			last, err := tree.GetImmutable(tree.Version())
			if err == nil {
				read(last)
			} else if tree.Version() != 0 {
				t.Fatal(err)
			}
		}
	}
	return trace.Bytes()
}

// TestPinnedTreesReadLikeUpstreams compares what the trees read and hash
// with no pinned levels (upstream), a few (the boundary inside the tree) and
// all of them.
func TestPinnedTreesReadLikeUpstreams(t *testing.T) {
	for seed := int64(1); seed <= 4; seed++ {
		var want []byte
		withPinnedLevels(0, func() { want = pinnedTrace(t, seed) })
		for _, levels := range []int8{3, 16} {
			var got []byte
			withPinnedLevels(levels, func() { got = pinnedTrace(t, seed) })
			if !bytes.Equal(got, want) {
				t.Fatalf("seed %d, %d pinned levels: reads or hashes differ from upstream's", seed, levels)
			}
		}
	}
}

// TestReadersOfSavedVersionsWhileTheWorkingTreeChanges reads the last saved
// version from other goroutines while the working tree is written and
// saved, as ledgerd's mempool and queries do while a block executes. Under
// the race detector it reports upstream's clone, which cleared the child
// pointers of the saved nodes it copied.
func TestReadersOfSavedVersionsWhileTheWorkingTreeChanges(t *testing.T) {
	const records = 3000
	tree := NewMutableTree(dbm.NewMemDB(), 1_000_000, true, NewNopLogger())
	for i := 0; i < records; i++ {
		if _, err := tree.Set(pinnedKey(i), []byte("1")); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := tree.SaveVersion(); err != nil {
		t.Fatal(err)
	}
	var last atomic.Pointer[ImmutableTree]
	publish := func() {
		v, err := tree.GetImmutable(tree.Version())
		if err != nil {
			t.Fatal(err)
		}
		last.Store(v)
	}
	publish()

	var done atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			r := rand.New(rand.NewSource(int64(g)))
			for !done.Load() {
				v := last.Load()
				i := r.Intn(records)
				// Every record holds the version that last wrote it.
				value, err := v.Get(pinnedKey(i))
				if wrote, _ := strconv.ParseInt(string(value), 10, 64); err != nil || wrote < 1 || wrote > v.Version() {
					errs <- fmt.Errorf("version %d, record %d: %q, %v", v.Version(), i, value, err)
					return
				}
			}
		}(g)
	}
	r := rand.New(rand.NewSource(99))
	for version := 2; version <= 30; version++ {
		for n := 0; n < 200; n++ {
			if _, err := tree.Set(pinnedKey(r.Intn(records)), []byte(fmt.Sprint(version))); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := tree.SaveVersion(); err != nil {
			t.Fatal(err)
		}
		publish()
	}
	done.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// TestLoadPinnedLevels loads a saved tree afresh and checks that, after
// LoadPinnedLevels, reading every record of a tree of 2,000 (about 13
// levels, all within the 16 pinned) looks no node up in the cache, where
// the tree as LoadVersion leaves it looks one up at each level of each
// read; and that it reads the same values and hashes either way.
func TestLoadPinnedLevels(t *testing.T) {
	const records = 2000
	db := dbm.NewMemDB()
	tree := NewMutableTree(db, 1_000_000, true, NewNopLogger())
	for i := 0; i < records; i++ {
		if _, err := tree.Set(pinnedKey(i), []byte(strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	hash, version, err := tree.SaveVersion()
	if err != nil {
		t.Fatal(err)
	}
	load := func(pin bool) (lookups uint64) {
		stat := &Statistics{}
		loaded := NewMutableTree(db, 1_000_000, true, NewNopLogger(), StatOption(stat))
		if _, err := loaded.LoadVersion(version); err != nil {
			t.Fatal(err)
		}
		if pin {
			if err := loaded.LoadPinnedLevels(); err != nil {
				t.Fatal(err)
			}
		}
		if h := loaded.WorkingHash(); !bytes.Equal(h, hash) {
			t.Fatalf("loaded tree's hash %x, want %x", h, hash)
		}
		before := cacheLookups(stat)
		for i := 0; i < records; i++ {
			if v, err := loaded.Get(pinnedKey(i)); err != nil || string(v) != strconv.Itoa(i) {
				t.Fatalf("record %d: %q, %v", i, v, err)
			}
		}
		return cacheLookups(stat) - before
	}
	if n := load(true); n != 0 {
		t.Fatalf("%d node-cache lookups reading a tree whose upper levels were loaded, want none", n)
	}
	if n := load(false); n < 10*records {
		t.Fatalf("%d node-cache lookups reading a tree as loaded, want at least 10 a read", n)
	}
}
