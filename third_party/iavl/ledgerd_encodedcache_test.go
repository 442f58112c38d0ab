package iavl

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand"
	"sync/atomic"
	"testing"

	dbm "github.com/cosmos/iavl/db"
)

func encKey(i int) []byte {
	nk := (&NodeKey{version: int64(i/1000 + 1), nonce: uint32(i%1000 + 1)}).array()
	return nk[:]
}

// encodingOf returns a recognisable encoding of size bytes for entry i.
func encodingOf(i, size int) []byte {
	b := bytes.Repeat([]byte{byte(i)}, size)
	binary.BigEndian.PutUint32(b, uint32(i))
	return b
}

func TestEncodedCacheGetsWhatWasPut(t *testing.T) {
	c := NewEncodedNodeCache(1 << 20)
	c.put(1, encKey(1), encodingOf(1, 100))
	c.put(2, encKey(1), encodingOf(2, 60)) // same node key, another tree
	if got := c.get(1, encKey(1)); !bytes.Equal(got, encodingOf(1, 100)) {
		t.Fatalf("space 1: got %x", got)
	}
	if got := c.get(2, encKey(1)); !bytes.Equal(got, encodingOf(2, 60)) {
		t.Fatalf("space 2: got %x", got)
	}
	if got := c.get(3, encKey(1)); got != nil {
		t.Fatalf("space 3 holds nothing, got %x", got)
	}
	if !c.holds(1, encKey(1)) || !c.holds(2, encKey(1)) || c.holds(3, encKey(1)) || c.holds(1, encKey(2)) {
		t.Fatal("holds disagrees with get")
	}
	// What get returns is the caller's: writing to it changes no entry.
	got := c.get(1, encKey(1))
	got[10] ^= 0xff
	if again := c.get(1, encKey(1)); !bytes.Equal(again, encodingOf(1, 100)) {
		t.Fatal("writing to a returned encoding changed the entry")
	}
	// A node key names one encoding: a second put keeps the first.
	c.put(1, encKey(1), encodingOf(7, 30))
	if got := c.get(1, encKey(1)); !bytes.Equal(got, encodingOf(1, 100)) {
		t.Fatalf("after a second put: got %x", got)
	}
	if got := c.get(1, []byte("short")); got != nil {
		t.Fatal("a key of the wrong length was found")
	}
	c.put(1, encKey(2), make([]byte, maxEncoded+1))
	if c.get(1, encKey(2)) != nil {
		t.Fatal("an encoding over maxEncoded was kept")
	}
	s := c.Stats()
	if s.Hits != 5 || s.Misses != 2 || s.Entries != 2 || s.Bytes != encodedChunk {
		t.Fatalf("stats %+v, want 5 hits, 2 misses, 2 entries, one chunk", s)
	}
}

func TestEncodedCacheAllocatesChunksAsTheHeadReachesThem(t *testing.T) {
	c := NewEncodedNodeCache(64 << 20)
	if b := c.Stats().Bytes; b != 0 {
		t.Fatalf("an empty cache takes %d bytes", b)
	}
	for i := 0; i < 3000; i++ { // about 3 MiB
		c.put(0, encKey(i), encodingOf(i, 1000))
	}
	if b := c.Stats().Bytes; b != 3*encodedChunk {
		t.Fatalf("3,000 entries of 1,018 bytes take %d bytes, want 3 chunks", b)
	}
}

// TestEncodedCacheOverwritesTheOldest writes entries of random sizes many
// times round a ring of a few chunks, so that entries end chunks both with
// a skip mark and with less room than a header. Each key's encoding is
// its own (a put of a key held is dropped, so the test does not depend on
// which). At every step an entry is either absent or its key's encoding;
// the entries written in the last half of the ring are all present; and
// the index holds no more entries than the ring can.
func TestEncodedCacheOverwritesTheOldest(t *testing.T) {
	const ring = 4 * encodedChunk
	c := NewEncodedNodeCache(ring)
	rng := rand.New(rand.NewSource(6))
	sizes := make([]int, 20_000) // each key's encoding's size
	for k := range sizes {
		sizes[k] = 4 + rng.Intn(2000)
		if rng.Intn(50) == 0 {
			sizes[k] = maxEncoded // a few of the largest
		}
	}
	var written []int // keys in the order their entries were written
	for i := 0; i < 40_000; i++ {
		k := rng.Intn(len(sizes))
		held := c.getQuiet(encKey(k)) != nil
		c.put(0, encKey(k), encodingOf(k, sizes[k]))
		if !held {
			written = append(written, k)
		}
		if c.getQuiet(encKey(k)) == nil {
			t.Fatalf("put %d: key %d not found right after", i+1, k)
		}

		if i%997 != 0 {
			continue
		}
		s := c.Stats()
		if s.Entries > ring/encodedHeader {
			t.Fatalf("after %d puts the index holds %d entries, more than the ring can", i+1, s.Entries)
		}
		present := 0
		for key, size := range sizes {
			got := c.getQuiet(encKey(key))
			if got == nil {
				continue
			}
			present++
			if !bytes.Equal(got, encodingOf(key, size)) {
				t.Fatalf("after %d puts key %d holds %d bytes, not its encoding (%d bytes)", i+1, key, len(got), size)
			}
		}
		if uint64(present) != s.Entries {
			t.Fatalf("after %d puts %d keys are found, the index holds %d", i+1, present, s.Entries)
		}
		// The newest entries, up to half the ring, are all there.
		back := 0
		for j := len(written) - 1; j >= 0; j-- {
			k := written[j]
			back += encodedHeader + sizes[k]
			if back > ring/2 {
				break
			}
			if c.getQuiet(encKey(k)) == nil {
				t.Fatalf("after %d puts key %d, written %d bytes ago, is gone", i+1, k, back)
			}
		}
	}
}

// getQuiet is get without refreshing: for checks that must not change what
// they check.
func (c *EncodedNodeCache) getQuiet(nk []byte) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	off, ok := c.offsetOf(encodedKey{0, [12]byte(nk)})
	if !ok {
		return nil
	}
	e := c.at(off)
	n := int(binary.BigEndian.Uint16(e))
	return bytes.Clone(e[encodedHeader : encodedHeader+n])
}

func TestEncodedCacheKeepsWhatIsRead(t *testing.T) {
	c := NewEncodedNodeCache(encodedChunk)
	read, unread := encKey(1), encKey(2)
	c.put(0, read, encodingOf(1, 500))
	c.put(0, unread, encodingOf(2, 500))
	// Write past the end of the ring (1,030 entries of 1,018 bytes fill
	// it), reading one entry when it is in the older half.
	for i := 0; i < 1100; i++ {
		c.put(0, encKey(10_000+i), encodingOf(i, 1000))
		if i == 700 && c.get(0, read) == nil {
			t.Fatal("the entry read is gone before the ring came round")
		}
	}
	if c.get(0, read) == nil {
		t.Fatal("an entry read in the older half of the ring was overwritten")
	}
	if c.get(0, unread) != nil {
		t.Fatal("an entry never read survived the ring coming round")
	}
}

// countingDB counts the reads of node records.
type countingDB struct {
	dbm.DB
	reads atomic.Int64
}

func (d *countingDB) Get(key []byte) ([]byte, error) {
	if len(key) > 0 && key[0] == nodeKeyFormat.Prefix()[0] {
		d.reads.Add(1)
	}
	return d.DB.Get(key)
}

// encodedTree builds a tree of n records in db, with a node cache far
// smaller than it, and saves it (before, calls beforeSave if not nil).
func encodedTree(t *testing.T, db dbm.DB, enc *EncodedNodeCache, n int, beforeSave func(*MutableTree)) *MutableTree {
	t.Helper()
	var opts []Option
	if enc != nil {
		opts = append(opts, EncodedNodeCacheOption(enc, 5))
	}
	tree := NewMutableTree(db, 100, true, NewNopLogger(), opts...)
	for i := 0; i < n; i++ {
		if _, err := tree.Set(fmt.Appendf(nil, "wallet/%06d", i), fmt.Appendf(nil, "balance %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if beforeSave != nil {
		beforeSave(tree)
	}
	if _, _, err := tree.SaveVersion(); err != nil {
		t.Fatal(err)
	}
	return tree
}

// readAllEncoded reads every record of a tree loaded afresh, as a node's store
// does after its genesis (store.releaseNodes), and returns the node
// records read from the database.
func readAllEncoded(t *testing.T, db *countingDB, enc *EncodedNodeCache, n int) int64 {
	t.Helper()
	var opts []Option
	if enc != nil {
		opts = append(opts, EncodedNodeCacheOption(enc, 5))
	}
	tree := NewMutableTree(db, 100, true, NewNopLogger(), opts...)
	if _, err := tree.LoadVersion(1); err != nil {
		t.Fatal(err)
	}
	before := db.reads.Load()
	for i := 0; i < n; i++ {
		v, err := tree.Get(fmt.Appendf(nil, "wallet/%06d", i))
		if err != nil || string(v) != fmt.Sprintf("balance %d", i) {
			t.Fatalf("record %d: %q, %v", i, v, err)
		}
	}
	return db.reads.Load() - before
}

func TestTreeReadsNodesTheCacheEvictedFromTheEncodedCache(t *testing.T) {
	const records = 2000
	t.Run("without", func(t *testing.T) {
		db := &countingDB{DB: dbm.NewMemDB()}
		encodedTree(t, db, nil, records, nil)
		if reads := readAllEncoded(t, db, nil, records); reads < records {
			t.Fatalf("%d node reads for %d records through a cache of 100 nodes", reads, records)
		}
	})
	t.Run("with", func(t *testing.T) {
		db := &countingDB{DB: dbm.NewMemDB()}
		enc := NewEncodedNodeCache(8 << 20)
		old := encodedTree(t, db, enc, records, nil)
		old.SpillNodeCache()
		if reads := readAllEncoded(t, db, enc, records); reads != 0 {
			t.Fatalf("%d node reads from the database; the encoded cache holds every node", reads)
		}
		if s := enc.Stats(); s.Entries != 2*records-1 {
			t.Fatalf("encoded cache holds %d nodes, the tree has %d", s.Entries, 2*records-1)
		}
	})
	t.Run("saved to it", func(t *testing.T) {
		db := &countingDB{DB: dbm.NewMemDB()}
		enc := NewEncodedNodeCache(8 << 20)
		old := encodedTree(t, db, enc, records, (*MutableTree).SaveToEncodedCache)
		if n := old.ndb.nodeCache.Len(); n != 0 {
			t.Fatalf("the node cache holds %d nodes after a save to the encoded cache", n)
		}
		if s := enc.Stats(); s.Entries != 2*records-1 {
			t.Fatalf("encoded cache holds %d nodes after the save, the tree has %d", s.Entries, 2*records-1)
		}
		if reads := readAllEncoded(t, db, enc, records); reads != 0 {
			t.Fatalf("%d node reads from the database; the encoded cache holds every node", reads)
		}
	})
}

// TestSaveToEncodedCacheIsIgnoredWithoutOne checks that a tree without
// an encoded cache ignores SaveToEncodedCache and caches what it saves.
func TestSaveToEncodedCacheIsIgnoredWithoutOne(t *testing.T) {
	tree := encodedTree(t, dbm.NewMemDB(), nil, 50, (*MutableTree).SaveToEncodedCache)
	if n := tree.ndb.nodeCache.Len(); n != 99 {
		t.Fatalf("the node cache holds %d nodes after the save, the tree has 99", n)
	}
}

// TestDeletedVersionsLeaveTheEncodedCache saves a version, deletes it and
// saves different records under the same version: the new version's nodes
// have the old ones' node keys, and a read must not find the old ones.
func TestDeletedVersionsLeaveTheEncodedCache(t *testing.T) {
	db := &countingDB{DB: dbm.NewMemDB()}
	enc := NewEncodedNodeCache(8 << 20)
	tree := NewMutableTree(db, 100, true, NewNopLogger(), EncodedNodeCacheOption(enc, 5))
	write := func(version int, value string) {
		for i := 0; i < 500; i++ {
			if _, err := tree.Set(fmt.Appendf(nil, "k%04d-%d", i, version), []byte(value)); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := tree.SaveVersion(); err != nil {
			t.Fatal(err)
		}
	}
	write(1, "one")
	write(2, "old two")
	tree.SpillNodeCache()
	if enc.Stats().Entries == 0 {
		t.Fatal("nothing spilled")
	}

	tree = NewMutableTree(db, 100, true, NewNopLogger(), EncodedNodeCacheOption(enc, 5))
	if err := tree.LoadVersionForOverwriting(1); err != nil {
		t.Fatal(err)
	}
	write(2, "new two")

	again := NewMutableTree(db, 100, true, NewNopLogger(), EncodedNodeCacheOption(enc, 5))
	if _, err := again.LoadVersion(2); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 500; i++ {
		v, err := again.Get(fmt.Appendf(nil, "k%04d-2", i))
		if err != nil || string(v) != "new two" {
			t.Fatalf("record %d of version 2: %q, %v; want the version saved after the delete", i, v, err)
		}
	}
}

// TestEncodedCacheSharedByTreesAtOnce: two trees share a cache too small
// for both, each written, saved and read on a goroutine of its own (as a
// store's commit saves its trees at once), with a reader of saved versions
// beside them. Run under the race detector by make race.
func TestEncodedCacheSharedByTreesAtOnce(t *testing.T) {
	enc := NewEncodedNodeCache(1 << 20)
	errs := make(chan error, 3)
	for space := uint32(1); space <= 2; space++ {
		go func(space uint32) { // (this module's Go version shares loop variables)
			errs <- func() error {
				tree := NewMutableTree(dbm.NewMemDB(), 50, true, NewNopLogger(), EncodedNodeCacheOption(enc, space))
				for version := 1; version <= 20; version++ {
					for i := 0; i < 300; i++ {
						if _, err := tree.Set(fmt.Appendf(nil, "k%04d", (i*version)%2000), fmt.Appendf(nil, "%d/%d", space, version)); err != nil {
							return err
						}
					}
					if _, _, err := tree.SaveVersion(); err != nil {
						return err
					}
					// An older version's nodes have left the node cache.
					back := (version + 1) / 2
					old, err := tree.GetImmutable(int64(back))
					if err != nil {
						return err
					}
					for i := 0; i < 300; i++ {
						v, err := old.Get(fmt.Appendf(nil, "k%04d", (i*back)%2000))
						if err != nil {
							return err
						}
						// Version back wrote every record it reads.
						want := fmt.Sprintf("%d/%d", space, back)
						if string(v) != want {
							return fmt.Errorf("space %d version %d record %d: %q, want %q", space, back, i, v, want)
						}
					}
				}
				return nil
			}()
		}(space)
	}
	go func() {
		for i := 0; i < 20_000; i++ {
			enc.Stats()
		}
		errs <- nil
	}()
	for i := 0; i < 3; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if s := enc.Stats(); s.Hits == 0 {
		t.Fatalf("no read answered from the shared cache: %+v", s)
	}
}

// BenchmarkEncodedCacheGet reads, in a random order, the nodes of a cache
// holding two million of about the size of a wallet tree's (a million
// wallets' tree fills 216 MiB with them): the index lookup and the copy of
// a node the node cache misses. The ring is twice that, so that no read
// finds its entry in the older half and writes it again.
func BenchmarkEncodedCacheGet(b *testing.B) {
	const n = 2_000_000
	c := NewEncodedNodeCache(512 << 20)
	for i := 0; i < n; i++ {
		c.put(0, encKey(i), encodingOf(i, 90))
	}
	order := rand.New(rand.NewSource(1)).Perm(n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if c.get(0, encKey(order[i%n])) == nil {
			b.Fatal("miss")
		}
	}
}
