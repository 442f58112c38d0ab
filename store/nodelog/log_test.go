package nodelog

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

func nodeKey(prefix string, version uint64, nonce uint32) []byte {
	return appendKey(nil, prefix, version, nonce)
}

func open(t *testing.T, dir string, opts Options) *Log {
	t.Helper()
	l, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func write(t *testing.T, l *Log, sync bool, ops func(b *Batch)) {
	t.Helper()
	b := l.NewBatch()
	defer b.Close()
	ops(b)
	var err error
	if sync {
		err = b.WriteSync()
	} else {
		err = b.Write()
	}
	if err != nil {
		t.Fatalf("write: %v", err)
	}
}

func mustGet(t *testing.T, l *Log, key []byte) []byte {
	t.Helper()
	v, err := l.Get(key)
	if err != nil {
		t.Fatalf("Get(%x): %v", key, err)
	}
	return v
}

// model is what the log should hold.
type model map[string][]byte

func (m model) sortedKeys() []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func collect(t *testing.T, l *Log, start, end []byte, reverse bool) (keys []string, values [][]byte) {
	t.Helper()
	var it interface {
		Valid() bool
		Next()
		Key() []byte
		Value() []byte
		Error() error
		Close() error
	}
	var err error
	if reverse {
		it, err = l.ReverseIterator(start, end)
	} else {
		it, err = l.Iterator(start, end)
	}
	if err != nil {
		t.Fatalf("iterator [%x, %x): %v", start, end, err)
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		keys = append(keys, string(it.Key()))
		values = append(values, it.Value())
	}
	if err := it.Error(); err != nil {
		t.Fatalf("iterator: %v", err)
	}
	return keys, values
}

// nonces is how many nonces the model's keys use in each version: few
// (dense versions) or many (sparse ones).
var nonces = 12

// randomBound returns a bound near the model's keys: a key, a key cut or
// extended, a bare prefix, or nil.
func randomBound(rng *rand.Rand, prefixes []string) []byte {
	p := prefixes[rng.IntN(len(prefixes))]
	k := nodeKey(p, uint64(rng.IntN(12)), uint32(rng.IntN(nonces)))
	switch rng.IntN(6) {
	case 0:
		return nil
	case 1:
		return k[:len(p)+rng.IntN(suffixLen)] // cut inside the version or nonce
	case 2:
		return append(k, byte(rng.Uint32())) // longer than a key
	case 3:
		return []byte(p[:1+rng.IntN(len(p)-1)]) // a piece of the prefix
	default:
		return k
	}
}

// check compares every read of l with m.
func check(t *testing.T, rng *rand.Rand, l *Log, m model, prefixes []string) {
	t.Helper()
	keys := m.sortedKeys()
	for _, k := range keys {
		if v := mustGet(t, l, []byte(k)); !bytes.Equal(v, m[k]) || v == nil {
			t.Fatalf("Get(%x) = %x, want %x", k, v, m[k])
		}
	}
	for i := 0; i < 50; i++ {
		absent := nodeKey(prefixes[rng.IntN(len(prefixes))], uint64(rng.IntN(12)), uint32(rng.IntN(nonces)))
		_, want := m[string(absent)]
		if has, err := l.Has(absent); err != nil || has != want {
			t.Fatalf("Has(%x) = %v, %v; want %v", absent, has, err, want)
		}
		if v := mustGet(t, l, absent); (v != nil) != want {
			t.Fatalf("Get(%x) = %x; want present=%v", absent, v, want)
		}
	}
	for i := 0; i < 40; i++ {
		start, end := randomBound(rng, prefixes), randomBound(rng, prefixes)
		var want []string
		for _, k := range keys {
			if (start == nil || k >= string(start)) && (end == nil || k < string(end)) {
				want = append(want, k)
			}
		}
		for _, reverse := range []bool{false, true} {
			got, values := collect(t, l, start, end, reverse)
			w := slices.Clone(want)
			if reverse {
				slices.Reverse(w)
			}
			if !slices.Equal(got, w) {
				t.Fatalf("iterator [%x, %x) reverse=%v:\n got %x\nwant %x", start, end, reverse, got, w)
			}
			for j, k := range got {
				if !bytes.Equal(values[j], m[k]) {
					t.Fatalf("iterator value of %x = %x, want %x", k, values[j], m[k])
				}
			}
		}
	}
}

// TestAgainstModel runs random batches of writes and deletes over three
// prefixes, compacting and reopening the log now and then, and checks
// every read against a map; with 300 nonces a version, most versions turn
// sparse.
func TestAgainstModel(t *testing.T) {
	prefixes := []string{"t/aml/s", "t/wallet/s", "t/credit/s"}
	defer func() { nonces = 12 }()
	for _, n := range []int{12, 300} {
		nonces = n
		for seed := int64(1); seed <= int64(72/n+6); seed++ { // 12 seeds dense, 6 sparse
			t.Run(fmt.Sprintf("%d nonces/seed %d", n, seed), func(t *testing.T) { modelRun(t, seed, prefixes) })
		}
	}
}

func modelRun(t *testing.T, seed int64, prefixes []string) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	dir := t.TempDir()
	opts := Options{SegmentSize: int64(64 + rng.IntN(4096))} // many segments
	l, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	m := model{}
	for round := 0; round < 30; round++ {
		b := l.NewBatchWithChunk(1 + rng.IntN(512))
		for i := rng.IntN(40); i > 0; i-- {
			k := nodeKey(prefixes[rng.IntN(len(prefixes))], uint64(rng.IntN(12)), uint32(rng.IntN(nonces)))
			if rng.IntN(3) == 0 {
				if err := b.Delete(k); err != nil {
					t.Fatal(err)
				}
				delete(m, string(k))
				continue
			}
			v := make([]byte, rng.IntN(100))
			for j := range v {
				v[j] = byte(rng.Uint32())
			}
			if err := b.Set(k, v); err != nil {
				t.Fatal(err)
			}
			m[string(k)] = v
		}
		if err := b.Write(); err != nil {
			t.Fatal(err)
		}
		check(t, rng, l, m, prefixes)
		if rng.IntN(3) == 0 {
			if err := l.Compact(int64(1 + rng.IntN(8192))); err != nil {
				t.Fatal(err)
			}
			check(t, rng, l, m, prefixes)
		}
		if rng.IntN(5) == 0 {
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			if l, err = Open(dir, opts); err != nil {
				t.Fatal(err)
			}
			check(t, rng, l, m, prefixes)
		}
	}
	st := l.Stats()
	live := 0
	for range m {
		live++
	}
	if st.LiveRecords != live || st.LiveBytes > st.Bytes || st.Segments < 2 {
		t.Fatalf("Stats = %+v, want %d live records in several segments", st, live)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

// lastSegment returns the path and contents of dir's last segment.
func lastSegment(t *testing.T, dir string) (string, []byte) {
	t.Helper()
	ids, err := segmentIDs(dir)
	if err != nil || len(ids) == 0 {
		t.Fatalf("segments: %v %v", ids, err)
	}
	path := filepath.Join(dir, segmentName(ids[len(ids)-1]))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

// TestTornTail: a crash can leave the last segment ending inside a record,
// or with a record whose bytes did not all reach the disk. Open cuts the
// segment there, keeps what came before and writes on after it.
func TestTornTail(t *testing.T) {
	k1, k2, k3 := nodeKey("t/w/s", 5, 1), nodeKey("t/w/s", 5, 2), nodeKey("t/w/s", 6, 1)
	for _, tc := range []struct {
		name  string
		spoil func(data []byte) []byte
	}{
		{"cut in the header", func(d []byte) []byte { return d[:len(d)-len(appendRecord(nil, opPut, k2, []byte("two")))+3] }},
		{"cut in the value", func(d []byte) []byte { return d[:len(d)-1] }},
		{"bytes changed", func(d []byte) []byte { d[len(d)-2] ^= 0xff; return d }},
		{"zeros appended", func(d []byte) []byte { return append(d, make([]byte, 100)...) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			l := open(t, dir, Options{})
			write(t, l, true, func(b *Batch) { b.Set(k1, []byte("one")) })
			write(t, l, true, func(b *Batch) { b.Set(k2, []byte("two")) })
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			path, data := lastSegment(t, dir)
			if err := os.WriteFile(path, tc.spoil(data), 0o644); err != nil {
				t.Fatal(err)
			}

			l = open(t, dir, Options{})
			if v := mustGet(t, l, k1); string(v) != "one" {
				t.Fatalf("Get(k1) = %q after the cut, want one", v)
			}
			if tc.name != "zeros appended" {
				if v := mustGet(t, l, k2); v != nil {
					t.Fatalf("Get(k2) = %q: the damaged record was kept", v)
				}
			}
			write(t, l, true, func(b *Batch) { b.Set(k3, []byte("three")) })
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			l = open(t, dir, Options{})
			if v := mustGet(t, l, k3); string(v) != "three" {
				t.Fatalf("Get(k3) = %q after reopening, want three", v)
			}
		})
	}
}

// TestDamageBeforeTheLastSegment: a segment before the last was synced
// before the next began, so damage there is corruption, not a crash.
func TestDamageBeforeTheLastSegment(t *testing.T) {
	dir := t.TempDir()
	l := open(t, dir, Options{SegmentSize: 100})
	for i := uint32(1); i <= 5; i++ {
		write(t, l, false, func(b *Batch) { b.Set(nodeKey("t/w/s", 1, i), bytes.Repeat([]byte{byte(i)}, 60)) })
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	first := filepath.Join(dir, segmentName(1))
	data, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-1] ^= 1
	if err := os.WriteFile(first, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, Options{SegmentSize: 100}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open = %v, want ErrCorrupt", err)
	}
}

// TestRollInterrupted: a crash right after a new segment's file was
// created leaves it shorter than its header.
func TestRollInterrupted(t *testing.T) {
	dir := t.TempDir()
	l := open(t, dir, Options{})
	k := nodeKey("t/w/s", 1, 1)
	write(t, l, true, func(b *Batch) { b.Set(k, []byte("v")) })
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, segmentName(2)), segmentMagic[:3], 0o644); err != nil {
		t.Fatal(err)
	}
	l = open(t, dir, Options{})
	k2 := nodeKey("t/w/s", 2, 1)
	write(t, l, true, func(b *Batch) { b.Set(k2, []byte("w")) })
	if string(mustGet(t, l, k)) != "v" || string(mustGet(t, l, k2)) != "w" {
		t.Fatal("records lost around an interrupted roll")
	}
}

func TestRefusedInput(t *testing.T) {
	l := open(t, t.TempDir(), Options{})
	good := nodeKey("t/w/s", 1, 1)
	for _, tc := range []struct {
		name string
		op   func(b *Batch) error
		want error
	}{
		{"short key", func(b *Batch) error { return b.Set(good[:12], []byte("v")) }, ErrKeyShape},
		{"nonce too large", func(b *Batch) error { return b.Set(nodeKey("t/w/s", 1, maxNonce+1), []byte("v")) }, ErrKeyShape},
		{"nil value", func(b *Batch) error { return b.Set(good, nil) }, ErrNilValue},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := l.NewBatch()
			defer b.Close()
			if err := b.Set(good, []byte("kept?")); err != nil {
				t.Fatal(err)
			}
			if err := tc.op(b); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if err := b.Write(); !errors.Is(err, tc.want) {
				t.Fatalf("Write after a refused update = %v, want %v", err, tc.want)
			}
			if v := mustGet(t, l, good); v != nil {
				t.Fatalf("a poisoned batch wrote %q", v)
			}
		})
	}
	// A prefix that is a proper prefix of one the log holds is refused at
	// Write, and the batch writes nothing.
	write(t, l, false, func(b *Batch) { b.Set(nodeKey("t/wallet/s", 1, 1), []byte("v")) })
	b := l.NewBatch()
	b.Set(nodeKey("t/other/s", 1, 1), []byte("v"))
	b.Set(nodeKey("t/wallet/", 1, 1), []byte("v"))
	if err := b.Write(); !errors.Is(err, ErrPrefixConflict) {
		t.Fatalf("Write = %v, want ErrPrefixConflict", err)
	}
	if v := mustGet(t, l, nodeKey("t/other/s", 1, 1)); v != nil {
		t.Fatal("a refused batch wrote part of itself")
	}
	if _, err := l.Get(good[:5]); !errors.Is(err, ErrKeyShape) {
		t.Fatalf("Get(short key) = %v, want ErrKeyShape", err)
	}
	if _, err := l.Iterator([]byte{}, nil); err == nil {
		t.Fatal("Iterator with an empty bound: no error")
	}
}

func TestBatchLifecycle(t *testing.T) {
	l := open(t, t.TempDir(), Options{})
	k := nodeKey("t/w/s", 3, 7)
	b := l.NewBatchWithChunk(64)
	for i := uint32(1); i <= 10; i++ {
		if err := b.Set(nodeKey("t/w/s", 3, i), []byte("0123456789")); err != nil {
			t.Fatal(err)
		}
	}
	// Chunks are written as they fill, each on a goroutine of the batch's
	// while it gathers the next, and a chunk is written before the next is
	// handed over: the first records are visible.
	if v := mustGet(t, l, nodeKey("t/w/s", 3, 1)); v == nil {
		t.Fatal("a full chunk was not written before Write")
	}
	if n, err := b.GetByteSize(); err != nil || n != 10*len(appendRecord(nil, opPut, k, []byte("0123456789"))) {
		t.Fatalf("GetByteSize = %d, %v", n, err)
	}
	if err := b.WriteSync(); err != nil {
		t.Fatal(err)
	}
	if err := b.Set(k, []byte("x")); !errors.Is(err, ErrBatchClosed) {
		t.Fatalf("Set after Write = %v, want ErrBatchClosed", err)
	}
	if err := b.Write(); !errors.Is(err, ErrBatchClosed) {
		t.Fatalf("second Write = %v, want ErrBatchClosed", err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if v := mustGet(t, l, nodeKey("t/w/s", 3, 10)); string(v) != "0123456789" {
		t.Fatalf("last record = %q", v)
	}
	// Closed without Write: the unwritten records are dropped.
	b = l.NewBatch()
	b.Set(nodeKey("t/w/s", 4, 1), []byte("dropped"))
	b.Close()
	if v := mustGet(t, l, nodeKey("t/w/s", 4, 1)); v != nil {
		t.Fatalf("a closed batch wrote %q", v)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Get(k); !errors.Is(err, ErrClosed) {
		t.Fatalf("Get after Close = %v, want ErrClosed", err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
}

// TestChunkInFlight checks a batch's full chunk, written on a goroutine
// of its own: a failed write fails the batch, which then writes nothing
// more, and Close waits for the chunk, which stays written.
func TestChunkInFlight(t *testing.T) {
	l := open(t, t.TempDir(), Options{})
	value := []byte("0123456789")
	chunk := 2 * len(appendRecord(nil, opPut, nodeKey("t/a/s", 1, 1), value))

	// The log refuses the first chunk at its write (its prefix is a proper
	// prefix of one the log holds), after Set took it.
	write(t, l, false, func(b *Batch) { b.Set(nodeKey("t/wallet/s", 1, 1), []byte("v")) })
	b := l.NewBatchWithChunk(chunk)
	var errs []error
	for i := uint32(1); i <= 2; i++ {
		errs = append(errs, b.Set(nodeKey("t/wallet/", 2, i), value))
	}
	for i := uint32(1); i <= 6; i++ {
		errs = append(errs, b.Set(nodeKey("t/a/s", 2, i), value))
	}
	errs = append(errs, b.Write())
	failed := slices.IndexFunc(errs, func(err error) bool { return err != nil })
	if failed < 0 || !errors.Is(errs[failed], ErrPrefixConflict) {
		t.Fatalf("errors %v: want ErrPrefixConflict from a call after the refused chunk", errs)
	}
	for _, err := range errs[failed:] {
		if err == nil {
			t.Fatalf("errors %v: a call after the failure succeeded", errs)
		}
	}
	for i := uint32(1); i <= 6; i++ {
		if v := mustGet(t, l, nodeKey("t/a/s", 2, i)); v != nil {
			t.Fatalf("record %d of a failed batch was written", i)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	// Closed with a chunk in flight: Close returns once it is written, and
	// drops the records gathered after it.
	b = l.NewBatchWithChunk(chunk)
	for i := uint32(1); i <= 3; i++ {
		if err := b.Set(nodeKey("t/a/s", 3, i), value); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"", string(value), string(value), ""} {
		if v := mustGet(t, l, nodeKey("t/a/s", 3, uint32(i))); string(v) != want {
			t.Fatalf("record %d after Close = %q, want %q", i, v, want)
		}
	}
}

// TestConcurrentReadsAndWrites runs readers and an iterator over the
// first version while a writer adds versions, prunes them and compacts the
// log (run with -race).
func TestConcurrentReadsAndWrites(t *testing.T) {
	l := open(t, t.TempDir(), Options{SegmentSize: 4096})
	value := func(v uint64, n uint32) []byte { return binary.BigEndian.AppendUint32([]byte(fmt.Sprint(v)), n) }
	write(t, l, false, func(b *Batch) {
		for n := uint32(1); n <= 20; n++ {
			b.Set(nodeKey("t/w/s", 1, n), value(1, n))
		}
	})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for v := uint64(2); v <= 60; v++ {
			b := l.NewBatchWithChunk(256)
			for n := uint32(1); n <= 20; n++ {
				b.Set(nodeKey("t/w/s", v, n), value(v, n))
				if v > 2 {
					b.Delete(nodeKey("t/w/s", v-1, n)) // pruned, for Compact to reclaim
				}
			}
			if err := b.Write(); err != nil {
				t.Error(err)
				return
			}
			if err := l.Compact(2048); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				n := uint32(1 + i%20)
				if v, err := l.Get(nodeKey("t/w/s", 1, n)); err != nil || !bytes.Equal(v, value(1, n)) {
					t.Errorf("Get = %x, %v", v, err)
					return
				}
				it, err := l.Iterator(nodeKey("t/w/s", 1, 0), nodeKey("t/w/s", 2, 0))
				if err != nil {
					t.Error(err)
					return
				}
				count := 0
				for ; it.Valid(); it.Next() {
					count++
				}
				it.Close()
				if count != 20 {
					t.Errorf("iterated %d records of version 1, want 20", count)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestStatsAfterDeletes(t *testing.T) {
	l := open(t, t.TempDir(), Options{})
	write(t, l, false, func(b *Batch) {
		for n := uint32(1); n <= 4; n++ {
			b.Set(nodeKey("t/w/s", 1, n), make([]byte, 50))
		}
	})
	full := l.Stats()
	write(t, l, false, func(b *Batch) {
		b.Delete(nodeKey("t/w/s", 1, 1))
		b.Delete(nodeKey("t/w/s", 1, 9)) // absent: a no-op
	})
	st := l.Stats()
	rec := int64(len(appendRecord(nil, opPut, nodeKey("t/w/s", 1, 1), make([]byte, 50))))
	if st.LiveRecords != 3 || st.LiveBytes != full.LiveBytes-rec || st.Bytes <= full.Bytes {
		t.Fatalf("Stats after a delete = %+v (before %+v)", st, full)
	}
}

// compactFully calls Compact until no segment but the active one is at
// least half dead, and fails if that takes too many calls.
func compactFully(t *testing.T, l *Log, budget int64) {
	t.Helper()
	for i := 0; i < 10000; i++ {
		if err := l.Compact(budget); err != nil {
			t.Fatal(err)
		}
		l.waitCheckpoint()
		l.mu.RLock()
		idle := len(l.compaction.victims) == 0 && len(l.pickVictims()) == 0 && !l.hasEmptySegment()
		l.mu.RUnlock()
		if idle {
			return
		}
	}
	t.Fatal("Compact did not finish")
}

// TestCompactionReclaimsSpace deletes most records, compacts in small
// steps with a reopen in the middle, and checks that the records left
// read back and that the log shrank to about what they take.
func TestCompactionReclaimsSpace(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentSize: 4096}
	l, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	m := model{}
	value := func(v uint64, n uint32) []byte { return bytes.Repeat([]byte{byte(v), byte(n)}, 20) }
	for v := uint64(1); v <= 40; v++ {
		b := l.NewBatch()
		for n := uint32(1); n <= 30; n++ {
			k := nodeKey("t/w/s", v, n)
			b.Set(k, value(v, n))
			m[string(k)] = value(v, n)
		}
		// Prune as IAVL does: the versions before the last three lose
		// all but every tenth node.
		if v > 3 {
			for n := uint32(1); n <= 30; n++ {
				if n%10 != 0 {
					k := nodeKey("t/w/s", v-3, n)
					b.Delete(k)
					delete(m, string(k))
				}
			}
		}
		if err := b.Write(); err != nil {
			t.Fatal(err)
		}
	}
	before := l.Stats()
	// A few steps, then a crash-like reopen before the checkpoint.
	for i := 0; i < 3; i++ {
		if err := l.Compact(300); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if l, err = Open(dir, opts); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	check(t, rng, l, m, []string{"t/w/s"})
	compactFully(t, l, 1000)
	check(t, rng, l, m, []string{"t/w/s"})
	after := l.Stats()
	if after.Copied == 0 || after.Appended < after.Copied {
		t.Fatalf("Stats %+v: compaction copied nothing", after)
	}
	if after.LiveRecords != len(m) || after.Segments >= before.Segments || after.Bytes > 2*after.LiveBytes+2*opts.SegmentSize {
		t.Fatalf("after compaction %+v (before %+v): the dead records' space was not reclaimed", after, before)
	}
	for _, s := range l.segs {
		if s != l.active && 2*s.live <= s.size-int64(len(segmentMagic)) {
			t.Fatalf("segment %d is still at least half dead: %d live of %d bytes", s.id, s.live, s.size)
		}
	}
	// The checkpoint and the records after it rebuild the same index.
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if l, err = Open(dir, opts); err != nil {
		t.Fatal(err)
	}
	check(t, rng, l, m, []string{"t/w/s"})
	after.Appended, after.Copied = 0, 0 // counted since Open
	if got := l.Stats(); got != after {
		t.Fatalf("Stats after reopening = %+v, want %+v", got, after)
	}
}

// TestCheckpointDamage: a checkpoint is written whole and renamed into
// place, so a damaged one is corruption.
func TestCheckpointDamage(t *testing.T) {
	dir := t.TempDir()
	l := open(t, dir, Options{SegmentSize: 256})
	for v := uint64(1); v <= 20; v++ {
		write(t, l, false, func(b *Batch) {
			b.Set(nodeKey("t/w/s", v, 1), make([]byte, 40))
			if v > 1 {
				b.Delete(nodeKey("t/w/s", v-1, 1))
			}
		})
	}
	compactFully(t, l, 1<<20)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, checkpointName)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no checkpoint after compaction: %v", err)
	}
	data[len(checkpointMagic)+2] ^= 1
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, Options{SegmentSize: 256}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open with a damaged checkpoint = %v, want ErrCorrupt", err)
	}
}

// TestVersionIndexTurnsSparse: a version pruned to a few records keeps
// only those, and reads, writes and its slot order still work.
func TestVersionIndexTurnsSparse(t *testing.T) {
	var v versionIndex
	for n := uint32(1); n <= 1000; n++ {
		v.set(n, loc{seg: 1, off: n, n: 10})
	}
	for n := uint32(1); n <= 1000; n++ {
		if n%10 != 0 {
			if old := v.remove(n); old.off != n {
				t.Fatalf("remove(%d) = %+v", n, old)
			}
		}
	}
	if !v.sparse() || len(v.locs) > 200 || v.live != 100 {
		t.Fatalf("after pruning 900 of 1000: sparse=%v, %d slots, %d live", v.sparse(), len(v.locs), v.live)
	}
	for n := uint32(0); n <= 1001; n++ {
		if got, want := v.get(n).n != 0, n%10 == 0 && n >= 10 && n <= 1000; got != want {
			t.Fatalf("get(%d) present=%v, want %v", n, got, want)
		}
	}
	v.set(5, loc{seg: 2, off: 5, n: 10}) // written again into a sparse version
	if v.get(5).seg != 2 || v.live != 101 {
		t.Fatalf("set into a sparse version: %+v, %d live", v.get(5), v.live)
	}
	last := -1
	for i := range v.slots() {
		n, _ := v.slot(i)
		if int(n) <= last {
			t.Fatalf("slot %d has nonce %d after %d", i, n, last)
		}
		last = int(n)
	}
}

// TestCrashBeforeEmptiedSegmentsAreDeleted: a crash after a compaction's
// checkpoint but before it deleted the segments it emptied leaves them on
// disk. The next Open ignores what they hold, and the next pass deletes
// them.
func TestCrashBeforeEmptiedSegmentsAreDeleted(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentSize: 512}
	l, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	m := model{}
	for v := uint64(1); v <= 30; v++ {
		b := l.NewBatch()
		replaceVersion(b, m, v)
		if err := b.Write(); err != nil {
			t.Fatal(err)
		}
	}
	saved := map[string][]byte{}
	ids, err := segmentIDs(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		data, err := os.ReadFile(filepath.Join(dir, segmentName(id)))
		if err != nil {
			t.Fatal(err)
		}
		saved[segmentName(id)] = data
	}
	compactFully(t, l, 1<<20)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	restored := 0
	for name, data := range saved {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			restored++
		}
	}
	if restored == 0 {
		t.Fatal("the compaction deleted no segment")
	}
	if l, err = Open(dir, opts); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rng := rand.New(rand.NewPCG(3, 4))
	check(t, rng, l, m, []string{"t/w/s"})
	before := l.Stats().Segments
	compactFully(t, l, 1<<20)
	check(t, rng, l, m, []string{"t/w/s"})
	if after := l.Stats().Segments; after > before-restored {
		t.Fatalf("%d segments after the next pass, %d before with %d left over: the leftovers were not deleted", after, before, restored)
	}
}

// replaceVersion adds to b, and to m, version v's four records of 30
// bytes, and deletes the previous version's last three: most of each
// segment dies a version after it was written, which gives a compaction
// work.
func replaceVersion(b *Batch, m model, v uint64) {
	for n := uint32(1); n <= 4; n++ {
		k := nodeKey("t/w/s", v, n)
		b.Set(k, bytes.Repeat([]byte{byte(v)}, 30))
		m[string(k)] = bytes.Repeat([]byte{byte(v)}, 30)
		if v > 1 && n > 1 {
			old := nodeKey("t/w/s", v-1, n)
			b.Delete(old)
			delete(m, string(old))
		}
	}
}

// TestDeleteWhileIterating: IAVL deletes the nodes it iterates
// (DeleteVersionsFrom); deletes that turn a version sparse under the
// iterator must not make it skip records.
func TestDeleteWhileIterating(t *testing.T) {
	l := open(t, t.TempDir(), Options{})
	const n = 1000
	write(t, l, false, func(b *Batch) {
		for i := uint32(1); i <= n; i++ {
			b.Set(nodeKey("t/a/s", 1, i), []byte("v"))
		}
	})
	b := l.NewBatchWithChunk(200)
	it, _ := l.Iterator(nodeKey("t/a/s", 1, 0), nodeKey("t/a/s", 2, 0))
	visited := 0
	for ; it.Valid(); it.Next() {
		visited++
		b.Delete(it.Key())
	}
	it.Close()
	b.Write()
	if visited != n || l.Stats().LiveRecords != 0 {
		t.Errorf("visited %d of %d, left %d", visited, n, l.Stats().LiveRecords)
	}
}

// TestValueAfterCompact: an iterator's record moved by Compact (its
// segment deleted) still reads.
func TestValueAfterCompact(t *testing.T) {
	l := open(t, t.TempDir(), Options{SegmentSize: 4096})
	val := make([]byte, 100)
	write(t, l, true, func(b *Batch) {
		for i := uint32(1); i <= 30; i++ {
			b.Set(nodeKey("t/a/s", 1, i), val)
		}
	})
	write(t, l, true, func(b *Batch) {
		for i := uint32(1); i <= 60; i++ {
			b.Set(nodeKey("t/a/s", 2, i), val)
		}
	})
	it, _ := l.Iterator(nodeKey("t/a/s", 1, 1), nodeKey("t/a/s", 1, 2))
	write(t, l, true, func(b *Batch) {
		for i := uint32(2); i <= 30; i++ {
			b.Delete(nodeKey("t/a/s", 1, i))
		}
	})
	for range 10 {
		if err := l.Compact(1 << 20); err != nil {
			t.Fatal(err)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("Value panicked: %v", r)
		}
	}()
	if v := it.Value(); len(v) != 100 || it.Error() != nil {
		t.Errorf("Value after Compact = %d bytes, %v", len(v), it.Error())
	}
}

// watchSyncs replaces fsync for the test with one that records the base
// name of each file it syncs, then calls during, if set.
func watchSyncs(t *testing.T, during func(name string)) *[]string {
	var mu sync.Mutex
	var names []string
	t.Cleanup(func() { fsync = (*os.File).Sync })
	fsync = func(f *os.File) error {
		name := filepath.Base(f.Name())
		mu.Lock()
		names = append(names, name)
		mu.Unlock()
		if during != nil {
			during(name)
		}
		return f.Sync()
	}
	return &names
}

// TestSyncWaitsForAnInFlightSync checks that neither Sync nor Compact
// returns while another Sync still fsyncs the writes it took: a Sync that
// found nothing left to sync would otherwise report those writes durable
// before they were.
func TestSyncWaitsForAnInFlightSync(t *testing.T) {
	l := open(t, t.TempDir(), Options{})
	inSync, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	watchSyncs(t, func(string) {
		once.Do(func() {
			close(inSync)
			<-release
		})
	})
	write(t, l, false, func(b *Batch) { b.Set(nodeKey("t/w/s", 1, 1), []byte("v")) })
	first := make(chan error)
	go func() { first <- l.Sync() }()
	<-inSync

	second := make(chan error, 2)
	go func() { second <- l.Sync() }()
	go func() { second <- l.Compact(1 << 20) }()
	select {
	case err := <-second:
		t.Fatalf("a Sync or Compact returned (err %v) while another Sync still fsynced", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	for _, c := range []chan error{first, second, second} {
		if err := <-c; err != nil {
			t.Fatal(err)
		}
	}
}

// TestRollSyncsTheDirectory checks that a roll makes the full segment and
// its directory entry durable before it creates the next segment, so that
// a crash cannot keep a segment and lose the one before it.
func TestRollSyncsTheDirectory(t *testing.T) {
	dir := t.TempDir()
	l := open(t, dir, Options{SegmentSize: 100})
	var early []string
	synced := watchSyncs(t, func(name string) {
		if name != filepath.Base(dir) {
			return
		}
		ids, _ := segmentIDs(dir)
		if n := len(ids); n > 0 && ids[n-1] > uint32(len(early)+1) {
			t.Errorf("segment %d exists at directory sync %d", ids[n-1], len(early)+1)
		}
		early = append(early, name)
	})
	for v := uint64(1); v <= 3; v++ { // each record fills a segment
		write(t, l, false, func(b *Batch) { b.Set(nodeKey("t/w/s", v, 1), bytes.Repeat([]byte("x"), 60)) })
	}
	want := []string{segmentName(1), filepath.Base(dir), segmentName(2), filepath.Base(dir)}
	if !slices.Equal(*synced, want) {
		t.Fatalf("fsyncs during two rolls: %q, want %q", *synced, want)
	}
}

// emptySegments writes records over several segments of l and deletes
// them all, so that the next Compact checkpoints and frees those segments.
func emptySegments(t *testing.T, l *Log) (kept []byte) {
	t.Helper()
	for n := uint32(1); n <= 20; n++ {
		write(t, l, false, func(b *Batch) { b.Set(nodeKey("t/w/s", 1, n), bytes.Repeat([]byte("x"), 40)) })
	}
	write(t, l, true, func(b *Batch) {
		for n := uint32(1); n <= 20; n++ {
			b.Delete(nodeKey("t/w/s", 1, n))
		}
		b.Set(nodeKey("t/w/s", 2, 1), []byte("kept"))
	})
	return nodeKey("t/w/s", 2, 1)
}

// TestCheckpointFinishesInTheBackground checks that Compact returns
// before its checkpoint's fsync, that the log reads and writes meanwhile,
// that nothing is renamed or deleted until the checkpoint is synced, and
// that Close waits for it.
func TestCheckpointFinishesInTheBackground(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, Options{SegmentSize: 256})
	if err != nil {
		t.Fatal(err)
	}
	kept := emptySegments(t, l)
	before := l.Stats().Segments
	inSync, release := make(chan struct{}), make(chan struct{})
	watchSyncs(t, func(name string) {
		if name == checkpointTemp {
			close(inSync)
			<-release
		}
	})
	if err := l.Compact(1 << 20); err != nil {
		t.Fatal(err)
	}
	<-inSync
	if _, err := os.Stat(filepath.Join(dir, checkpointName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the checkpoint is in place before it was synced: %v", err)
	}
	if string(mustGet(t, l, kept)) != "kept" || l.Stats().Segments != before {
		t.Fatal("the log changed before its checkpoint was synced")
	}
	write(t, l, false, func(b *Batch) { b.Set(nodeKey("t/w/s", 3, 1), []byte("during")) })
	if err := l.Compact(1 << 20); err != nil { // a second one does not start
		t.Fatal(err)
	}
	closed := make(chan error)
	go func() { closed <- l.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) before the checkpoint was synced", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, checkpointName)); err != nil {
		t.Fatalf("no checkpoint after Close: %v", err)
	}
	ids, err := segmentIDs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) >= before {
		t.Fatalf("%d segments after the checkpoint, %d before: none freed", len(ids), before)
	}
	l = open(t, dir, Options{SegmentSize: 256})
	if string(mustGet(t, l, kept)) != "kept" || string(mustGet(t, l, nodeKey("t/w/s", 3, 1))) != "during" {
		t.Fatal("records lost around a checkpoint finished in the background")
	}
}

// TestCheckpointFailure checks that a checkpoint whose sync fails deletes
// nothing and that the next Compact reports it.
func TestCheckpointFailure(t *testing.T) {
	dir := t.TempDir()
	l := open(t, dir, Options{SegmentSize: 256})
	kept := emptySegments(t, l)
	before := l.Stats().Segments
	failed := errors.New("disk full")
	t.Cleanup(func() { fsync = (*os.File).Sync })
	fsync = func(f *os.File) error {
		if filepath.Base(f.Name()) == checkpointTemp {
			return failed
		}
		return f.Sync()
	}
	if err := l.Compact(1 << 20); err != nil {
		t.Fatal(err)
	}
	l.waitCheckpoint()
	if err := l.Compact(1 << 20); !errors.Is(err, failed) {
		t.Fatalf("Compact after a failed checkpoint: %v, want %v", err, failed)
	}
	if got := l.Stats().Segments; got != before {
		t.Fatalf("%d segments after a failed checkpoint, %d before", got, before)
	}
	if _, err := os.Stat(filepath.Join(dir, checkpointName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a checkpoint whose sync failed is in place: %v", err)
	}
	fsync = (*os.File).Sync
	compactFully(t, l, 1<<20)
	if got := l.Stats().Segments; got >= before || string(mustGet(t, l, kept)) != "kept" {
		t.Fatalf("%d segments after the retry, %d before", got, before)
	}
}

// TestOpenSyncsTheLastSegment checks that Open syncs the last segment and
// the directory: a crash may have left the segment's tail unsynced, and a
// checkpoint after the restart syncs only what that process wrote.
func TestOpenSyncsTheLastSegment(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, l, false, func(b *Batch) { b.Set(nodeKey("t/w/s", 1, 1), []byte("v")) })
	l.closeFiles() // as a crash would: nothing synced
	synced := watchSyncs(t, nil)
	l = open(t, dir, Options{})
	want := []string{segmentName(1), filepath.Base(dir)}
	if !slices.Equal(*synced, want) {
		t.Fatalf("fsyncs at Open: %q, want %q", *synced, want)
	}
}

// TestCheckpointNow checks that Checkpoint returns with a durable
// checkpoint at the log's end, the emptied segments deleted.
func TestCheckpointNow(t *testing.T) {
	dir := t.TempDir()
	l := open(t, dir, Options{SegmentSize: 256})
	kept := emptySegments(t, l)
	before := l.Stats().Segments
	if err := l.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	l.mu.RLock()
	at, end := l.checkpoint, position{seg: l.active.id, off: uint32(l.active.size)}
	l.mu.RUnlock()
	if at != end {
		t.Fatalf("checkpoint at %+v, the log ends at %+v", at, end)
	}
	if _, err := os.Stat(filepath.Join(dir, checkpointName)); err != nil {
		t.Fatal(err)
	}
	if got := l.Stats().Segments; got >= before || string(mustGet(t, l, kept)) != "kept" {
		t.Fatalf("%d segments after Checkpoint, %d before", got, before)
	}
}

// TestKilledInsideACompaction takes the log's directory as a kill of the
// process (SIGKILL: what was written stays, synced or not) would leave
// it at every step of compactions that run among a stream of writes and
// deletions, as a pruning node's do: after each Compact of a small budget
// (live records half copied from their segments, some of them deleted
// since the compaction began), and at every fsync the compactions make
// (the segments before a checkpoint, the checkpoint written under its
// temporary name and not yet renamed, the directory after the rename and
// before the emptied segments are deleted). Each image must open and read
// exactly the records the log held when it was taken, and take records
// after it.
func TestKilledInsideACompaction(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentSize: 512}
	l, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	m := model{}
	rng := rand.New(rand.NewPCG(5, 6))
	// writeVersion writes and syncs replaceVersion's batch and, with
	// prune, deletes one more record the model holds, as a pruning node
	// deletes old versions' nodes.
	writeVersion := func(v uint64, prune bool) {
		write(t, l, true, func(b *Batch) {
			replaceVersion(b, m, v)
			if keys := m.sortedKeys(); prune && len(keys) > 8 {
				old := keys[rng.IntN(len(keys)-8)]
				b.Delete([]byte(old))
				delete(m, old)
			}
		})
	}
	for v := uint64(1); v <= 30; v++ {
		writeVersion(v, false)
	}

	type image struct {
		when  string
		files map[string][]byte
		held  model // the records the log held when the image was taken
	}
	var (
		mu     sync.Mutex
		images []image
		held   = maps.Clone(m)
		syncs  int
		// writing is set while a version is written: its sync is not
		// the compaction's, and the log then holds neither held nor m.
		writing bool
	)
	take := func(when string) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Error(err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		img := image{when: when, files: map[string][]byte{}, held: held}
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Error(err)
				return
			}
			img.files[e.Name()] = data
		}
		images = append(images, img)
	}
	watchSyncs(t, func(name string) {
		mu.Lock()
		if writing {
			mu.Unlock()
			return
		}
		syncs++
		n := syncs
		mu.Unlock()
		take(fmt.Sprintf("at fsync %d (%s)", n, name))
	})
	// Compact in small steps, a version written and synced between two,
	// then without writes until idle.
	v := uint64(31)
	for step := 1; ; step++ {
		if step > 10000 {
			t.Fatal("Compact did not finish")
		}
		if err := l.Compact(100); err != nil {
			t.Fatal(err)
		}
		l.waitCheckpoint()
		take(fmt.Sprintf("after Compact %d", step))
		if step <= 60 {
			mu.Lock()
			writing = true
			mu.Unlock()
			writeVersion(v, true)
			v++
			mu.Lock()
			held, writing = maps.Clone(m), false
			mu.Unlock()
			continue
		}
		l.mu.RLock()
		idle := len(l.compaction.victims) == 0 && len(l.pickVictims()) == 0 && !l.hasEmptySegment()
		l.mu.RUnlock()
		if idle {
			break
		}
	}
	fsync = (*os.File).Sync // the images' own syncs below are not the compaction's
	check(t, rng, l, m, []string{"t/w/s"})
	temps := 0
	for _, img := range images {
		if _, ok := img.files[checkpointTemp]; ok {
			temps++
		}
	}
	if temps == 0 || syncs == 0 || len(images) < 50 {
		t.Fatalf("%d images, %d at an fsync, %d with a temporary checkpoint: the test means to catch the compactions between their steps", len(images), syncs, temps)
	}

	for i, img := range images {
		d := t.TempDir()
		for name, data := range img.files {
			if err := os.WriteFile(filepath.Join(d, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		killed, err := Open(d, opts)
		if err != nil {
			t.Fatalf("image %d (%s): Open: %v", i, img.when, err)
		}
		check(t, rng, killed, img.held, []string{"t/w/s"})
		after := nodeKey("t/w/s", v, 1)
		write(t, killed, true, func(b *Batch) { b.Set(after, []byte("after")) })
		want := maps.Clone(img.held)
		want[string(after)] = []byte("after")
		compactFully(t, killed, 1<<20)
		check(t, rng, killed, want, []string{"t/w/s"})
		if err := killed.Close(); err != nil {
			t.Fatalf("image %d (%s): %v", i, img.when, err)
		}
	}
	t.Logf("%d images: %d at an fsync, %d with a temporary checkpoint", len(images), syncs, temps)
}
