package iavl

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corestore "cosmossdk.io/core/store"

	dbm "github.com/cosmos/iavl/db"
)

// ledgerd's patch 8: with CopyingBatchOption, SaveNode writes every node
// into one array and every key into another, which the batch must copy.

// copyingDB is a MemDB whose batches copy what Set and Delete are given,
// as CopyingBatchOption asks.
type copyingDB struct{ *dbm.MemDB }

func (db copyingDB) NewBatch() corestore.Batch { return copyingBatch{db.MemDB.NewBatch()} }
func (db copyingDB) NewBatchWithSize(int) corestore.Batch {
	return copyingBatch{db.MemDB.NewBatch()}
}

type copyingBatch struct{ corestore.Batch }

func (b copyingBatch) Set(key, value []byte) error {
	return b.Batch.Set(bytes.Clone(key), bytes.Clone(value))
}
func (b copyingBatch) Delete(key []byte) error { return b.Batch.Delete(bytes.Clone(key)) }

// savedTrace saves twenty versions of the same pseudo-random writes and
// removals to db, then loads the last version into a tree with no cache,
// so that every node is decoded from what the database holds, and
// returns each version's hash and every record the loaded tree reads.
func savedTrace(t *testing.T, db dbm.DB, opts ...Option) ([]byte, error) {
	t.Helper()
	tree := NewMutableTree(db, 100, true, NewNopLogger(), opts...)
	r := rand.New(rand.NewSource(8))
	var trace bytes.Buffer
	for v := 0; v < 20; v++ {
		for i := 0; i < 150; i++ {
			key := binary.BigEndian.AppendUint32(nil, uint32(r.Intn(2000)))
			if r.Intn(5) == 0 {
				if _, _, err := tree.Remove(key); err != nil {
					return nil, err
				}
			} else if _, err := tree.Set(key, fmt.Appendf(nil, "value %d of version %d", r.Intn(1e6), v)); err != nil {
				return nil, err
			}
		}
		h, _, err := tree.SaveVersion()
		if err != nil {
			return nil, err
		}
		trace.Write(h)
	}
	loaded := NewMutableTree(db, 0, true, NewNopLogger(), opts...)
	if _, err := loaded.Load(); err != nil {
		return nil, err
	}
	_, err := loaded.Iterate(func(key, value []byte) bool {
		trace.Write(key)
		trace.Write(value)
		return false
	})
	return trace.Bytes(), err
}

func TestSavedNodesInReusedArrays(t *testing.T) {
	want, err := savedTrace(t, dbm.NewMemDB())
	if err != nil {
		t.Fatal(err)
	}
	got, err := savedTrace(t, copyingDB{dbm.NewMemDB()}, CopyingBatchOption())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("the versions saved in reused arrays differ from upstream's")
	}
	// Patch 9: written and cached on two goroutines, the same versions,
	// and the cache holds what SaveNode leaves in it, whether it is filled
	// on the saving goroutine or on another.
	parallelSaveMin = 1
	defer func() { parallelSaveMin = 1024 }()
	got, err = savedTrace(t, copyingDB{dbm.NewMemDB()}, CopyingBatchOption())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("the versions saved on two goroutines differ from upstream's")
	}
	// Patch 11: encoded ahead of the writes, in chunks of a few nodes, so
	// that each encoder runs encodedPerEncoder chunks ahead and waits for
	// the writes.
	for _, n := range []int{1, 7, 64} {
		encodeChunkNodes = n
		got, err = savedTrace(t, copyingDB{dbm.NewMemDB()}, CopyingBatchOption())
		encodeChunkNodes = 512
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("the versions saved with the encoding in chunks of %d nodes ahead of the writes differ from upstream's", n)
		}
	}
	serial := cachedKeys(t, dbm.NewMemDB(), 1024)
	inline, parallel := cachedKeys(t, copyingDB{dbm.NewMemDB()}, 1024, CopyingBatchOption()), cachedKeys(t, copyingDB{dbm.NewMemDB()}, 1, CopyingBatchOption())
	if !slicesEqual(serial, inline) {
		t.Fatal("the node cache after a save through the reused arrays differs from SaveNode's")
	}
	if len(parallel) == 0 || !slicesEqual(serial, parallel) {
		t.Fatalf("the node cache after a parallel save holds %d nodes, after a serial one %d, or in another order", len(parallel), len(serial))
	}
	// The arrays are reused: a batch that keeps them ends up with every
	// node overwritten by a later one.
	if kept, err := savedTrace(t, dbm.NewMemDB(), CopyingBatchOption()); err == nil && bytes.Equal(kept, want) {
		t.Fatal("a batch that keeps its arguments saved the same versions: SaveNode does not reuse its arrays")
	}
}

// cachedKeys saves five versions of 300 writes to db with parallelSaveMin
// set to min, into a cache of 500 nodes, and returns the keys the cache
// holds, most recently used first.
func cachedKeys(t *testing.T, db dbm.DB, min int, opts ...Option) [][12]byte {
	t.Helper()
	parallelSaveMin = min
	defer func() { parallelSaveMin = 1024 }()
	tree := NewMutableTree(db, 500, true, NewNopLogger(), opts...)
	r := rand.New(rand.NewSource(9))
	for v := 0; v < 5; v++ {
		for i := 0; i < 300; i++ {
			if _, err := tree.Set(binary.BigEndian.AppendUint32(nil, uint32(r.Intn(1000))), []byte{byte(v)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := tree.SaveVersion(); err != nil {
			t.Fatal(err)
		}
	}
	var keys [][12]byte
	for n := tree.ndb.nodeCache.head; n != nil; n = n.lruNext {
		keys = append(keys, n.nodeKey.array())
	}
	return keys
}

func slicesEqual(a, b [][12]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestReadersOfSavedVersionsWhileSavingInParallel reads the last saved
// version from two goroutines while versions are saved on two goroutines
// (patch 9) into a node cache too small for the tree, so that the caching
// goroutine evicts while readers look nodes up. make race runs it.
func TestReadersOfSavedVersionsWhileSavingInParallel(t *testing.T) {
	parallelSaveMin = 1
	defer func() { parallelSaveMin = 1024 }()
	const records = 3000
	tree := NewMutableTree(copyingDB{dbm.NewMemDB()}, 2000, true, NewNopLogger(), CopyingBatchOption())
	key := func(i int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(i)) }
	for i := 0; i < records; i++ {
		if _, err := tree.Set(key(i), []byte("1")); err != nil {
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
				value, err := v.Get(key(i))
				if wrote, _ := strconv.ParseInt(string(value), 10, 64); err != nil || wrote < 1 || wrote > v.Version() {
					errs <- fmt.Errorf("version %d, record %d: %q, %v", v.Version(), i, value, err)
					return
				}
			}
		}(g)
	}
	r := rand.New(rand.NewSource(99))
	for version := 2; version <= 20; version++ {
		for n := 0; n < 300; n++ {
			if _, err := tree.Set(key(r.Intn(records)), []byte(fmt.Sprint(version))); err != nil {
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

// failingDB's batches fail at the Set after the first sets.
type failingDB struct {
	copyingDB
	sets *atomic.Int64
}

var errBatchFull = fmt.Errorf("batch full")

func (db failingDB) NewBatch() corestore.Batch { return failingBatch{db.copyingDB.NewBatch(), db.sets} }
func (db failingDB) NewBatchWithSize(int) corestore.Batch {
	return failingBatch{db.copyingDB.NewBatch(), db.sets}
}

type failingBatch struct {
	corestore.Batch
	sets *atomic.Int64
}

func (b failingBatch) Set(key, value []byte) error {
	if b.sets.Add(-1) < 0 {
		return errBatchFull
	}
	return b.Batch.Set(key, value)
}

// TestWriteFailureStopsTheEncoder checks that a save whose batch fails
// half way through a version's nodes returns the batch's error, and that
// the encoders running ahead of the writes (patch 11) stop with it.
func TestWriteFailureStopsTheEncoder(t *testing.T) {
	parallelSaveMin, encodeChunkNodes = 1, 16
	defer func() { parallelSaveMin, encodeChunkNodes = 1024, 512 }()
	for _, sets := range []int64{0, 5, 16, 40} {
		var left atomic.Int64
		left.Store(1 << 40)
		tree := NewMutableTree(failingDB{copyingDB{dbm.NewMemDB()}, &left}, 1000, true, NewNopLogger(), CopyingBatchOption())
		for i := 0; i < 500; i++ {
			if _, err := tree.Set(binary.BigEndian.AppendUint32(nil, uint32(i*7919%10007)), []byte("value")); err != nil {
				t.Fatal(err)
			}
		}
		before := runtime.NumGoroutine()
		left.Store(sets)
		if _, _, err := tree.SaveVersion(); !errors.Is(err, errBatchFull) {
			t.Fatalf("save failing after %d sets = %v, want %v", sets, err, errBatchFull)
		}
		// The cache's and the encoders' goroutines are gone once the save
		// returns; give the runtime a moment to count them out.
		for i := 0; runtime.NumGoroutine() > before && i < 100; i++ {
			time.Sleep(time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			t.Fatalf("save failing after %d sets left %d goroutines, %d before", sets, n, before)
		}
	}
}

// TestEncodeFailureStopsTheWrites gives the encoders of a version's nodes
// (patch 11) a node that cannot be encoded (an inner node without its left
// child's key) at several places among 200, in chunks of 16: the save
// must return the encoding's error, set in the batch exactly the nodes
// before it, in order, and leave no encoder running.
func TestEncodeFailureStopsTheWrites(t *testing.T) {
	encodeChunkNodes = 16
	defer func() { encodeChunkNodes = 512 }()
	for _, bad := range []int{0, 5, 15, 16, 40, 199} {
		var left atomic.Int64
		const budget = 1 << 40
		left.Store(budget)
		mem := dbm.NewMemDB()
		tree := NewMutableTree(failingDB{copyingDB{mem}, &left}, 1000, true, NewNopLogger(), CopyingBatchOption())
		nodes := make([]*Node, 200)
		for i := range nodes {
			nodes[i] = &Node{key: binary.BigEndian.AppendUint32(nil, uint32(i)), value: []byte("value"), size: 1,
				nodeKey: &NodeKey{version: 1, nonce: uint32(i + 1)}}
		}
		nodes[bad] = &Node{key: []byte("inner"), subtreeHeight: 1, size: 2, hash: make([]byte, hashSize),
			rightNodeKey: (&NodeKey{version: 1, nonce: 1}).GetKey(), nodeKey: &NodeKey{version: 1, nonce: uint32(bad + 1)}}
		before := runtime.NumGoroutine()
		if err := tree.ndb.writeNodesBehind(nodes); !errors.Is(err, ErrLeftNodeKeyEmpty) {
			t.Fatalf("node %d unencodable: save = %v, want %v", bad, err, ErrLeftNodeKeyEmpty)
		}
		if sets := budget - left.Load(); sets != int64(bad) {
			t.Fatalf("node %d unencodable: %d nodes set in the batch, want the %d before it", bad, sets, bad)
		}
		if err := tree.ndb.batch.Write(); err != nil {
			t.Fatal(err)
		}
		for i, node := range nodes {
			stored, err := mem.Get(tree.ndb.nodeKey(node.GetKey()))
			if err != nil {
				t.Fatal(err)
			}
			var want []byte
			if i < bad {
				var w appendWriter
				if err := node.writeBytes(&w); err != nil {
					t.Fatal(err)
				}
				want = w.b
			}
			if !bytes.Equal(stored, want) {
				t.Fatalf("node %d unencodable: node %d stored as %x, want %x", bad, i, stored, want)
			}
		}
		for i := 0; runtime.NumGoroutine() > before && i < 100; i++ {
			time.Sleep(time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			t.Fatalf("node %d unencodable: %d goroutines left, %d before", bad, n, before)
		}
	}
}
