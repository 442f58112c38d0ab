package badgerdb

import (
	"fmt"
	"log"
	"os"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/skl"
)

// Defaults applied by Open for zero-valued Options fields.
const (
	DefaultCacheSizeMB      = 64
	DefaultIndexCacheSizeMB = 32
	DefaultMemTableSize     = 64 << 20

	// MinMemTableSize is the smallest accepted Options.MemTableSize. Below it
	// Badger's per-transaction limits become too small to be useful.
	MinMemTableSize = 1 << 20

	// badgerMaxValueThreshold mirrors Badger's maxValueThreshold (1 MiB), the
	// default and largest ValueThreshold: values below it live in the LSM tree.
	badgerMaxValueThreshold = 1 << 20
)

// Options configures Open. The zero value is a valid on-disk configuration.
type Options struct {
	// CacheSizeMB bounds Badger's block cache (decompressed SSTable blocks),
	// in MiB. 0 selects DefaultCacheSizeMB.
	CacheSizeMB int

	// IndexCacheSizeMB bounds the cache of SSTable indices and bloom filters,
	// in MiB. 0 selects DefaultIndexCacheSizeMB. (Badger's own default keeps
	// every index in memory, which grows without bound with the state.)
	IndexCacheSizeMB int

	// MemTableSize is the size of one memtable in bytes. 0 selects
	// DefaultMemTableSize; values below MinMemTableSize are rejected. It also
	// fixes how large one transaction, hence one batch, may be: see TxnLimits.
	MemTableSize int64

	// InMemory keeps all data in memory and ignores the directory given to
	// Open. Intended for tests; nothing survives Close.
	InMemory bool

	// Logger receives Badger's log output. nil logs Badger's errors through
	// the standard log package to stderr and discards everything else; see
	// Logger (the function) for Badger's compactions too.
	Logger badger.Logger
}

func (o Options) withDefaults() (Options, error) {
	if o.CacheSizeMB < 0 || o.IndexCacheSizeMB < 0 || o.MemTableSize < 0 {
		return o, fmt.Errorf("badgerdb: negative option: CacheSizeMB=%d IndexCacheSizeMB=%d MemTableSize=%d",
			o.CacheSizeMB, o.IndexCacheSizeMB, o.MemTableSize)
	}
	if o.CacheSizeMB == 0 {
		o.CacheSizeMB = DefaultCacheSizeMB
	}
	if o.IndexCacheSizeMB == 0 {
		o.IndexCacheSizeMB = DefaultIndexCacheSizeMB
	}
	if o.MemTableSize == 0 {
		o.MemTableSize = DefaultMemTableSize
	}
	if o.MemTableSize < MinMemTableSize {
		return o, fmt.Errorf("badgerdb: MemTableSize %d is below the minimum of %d bytes", o.MemTableSize, MinMemTableSize)
	}
	if o.Logger == nil {
		o.Logger = Logger(log.New(os.Stderr, "badger: ", log.LstdFlags), false)
	}
	return o, nil
}

// badgerOptions translates resolved Options into Badger options.
func (o Options) badgerOptions(dir string) badger.Options {
	if o.InMemory {
		dir = "" // Badger refuses a directory in in-memory mode.
	}
	maxBytes, _ := TxnLimits(o)
	bo := badger.DefaultOptions(dir).
		WithInMemory(o.InMemory).
		WithLogger(o.Logger).
		WithMemTableSize(o.MemTableSize).
		WithBlockCacheSize(int64(o.CacheSizeMB) << 20).
		WithIndexCacheSize(int64(o.IndexCacheSizeMB) << 20).
		// IAVL provides its own versioning and nothing here needs Badger's
		// optimistic concurrency control, which only costs memory per txn.
		WithDetectConflicts(false).
		// Durability comes from the explicit Sync at block commit.
		WithSyncWrites(false).
		WithNumVersionsToKeep(1).
		// Snappy: IAVL leaves carry application values (protobuf, addresses,
		// amounts) that compress, and snappy costs little CPU. Because the
		// block cache holds decompressed blocks, hot reads do not pay for
		// decompression at all; compression is also what makes the bounded
		// block cache above worthwhile (without it Badger reads blocks
		// straight from mmap). Badger requires a block cache with it.
		WithCompression(options.Snappy)
	// Badger rejects a ValueThreshold above its per-txn byte limit, which a
	// small MemTableSize can push below the 1 MiB default.
	if bo.ValueThreshold > maxBytes {
		bo.ValueThreshold = maxBytes
	}
	return bo
}

// TxnLimits reports Badger's limits on one read-write transaction (hence one
// Batch) under opts, as computed by badger.Open (checkAndSetOptions):
//
//	maxBytes   = 15 * MemTableSize / 100
//	maxEntries = maxBytes / skl.MaxNodeSize   (96 bytes on 64-bit platforms)
//
// With the default 64 MiB memtable that is 10,066,329 bytes and 104,857
// entries. Badger charges each Set or Delete one entry and
// len(key) + len(value) + 12 bytes (len(key) + 24 when the value is stored in
// the value log), and a fresh transaction starts at 1 entry and 21 bytes; it
// fails with badger.ErrTxnTooBig once either total would reach its limit.
// Zero fields of opts take their defaults.
func TxnLimits(opts Options) (maxBytes, maxEntries int64) {
	mt := opts.MemTableSize
	if mt <= 0 {
		mt = DefaultMemTableSize
	}
	maxBytes = 15 * mt / 100
	return maxBytes, maxBytes / int64(skl.MaxNodeSize)
}

// MaxBatchBytes returns the largest Batch.GetByteSize (accumulated key and
// value bytes) for which a batch is guaranteed to commit under opts, whatever
// its mix of keys, values and deletes. Use it as the upper bound for IAVL's
// FlushThresholdOption, which keeps every batch at or below the threshold.
//
// The entry limit binds first: every entry has a key of at least one byte,
// so a batch of at most maxEntries-2 bytes has at most maxEntries-2 entries,
// and its Badger byte charge, at most 21 + 13*(maxEntries-2), stays far below
// maxBytes = 96*maxEntries. With the default 64 MiB memtable this is 104,855
// bytes, so IAVL's default FlushThreshold of 100,000 is safe. Workloads whose
// entries are known to be larger may go higher, up to roughly
// maxEntries * (smallest key+value size), but must stay below maxBytes / 2.
func MaxBatchBytes(opts Options) int {
	_, maxEntries := TxnLimits(opts)
	return int(maxEntries - 2)
}

// Logger returns a badger.Logger that writes Badger's errors to l and, when
// verbose, its warnings and information too: among them each compaction
// that took over 2 s, with its levels, its tables in and out and its time,
// and the state of every level when the database closes. Badger's debug
// output is dropped. Options.Logger nil is Logger of a standard logger to
// stderr, not verbose.
func Logger(l *log.Logger, verbose bool) badger.Logger {
	return logger{l: l, verbose: verbose}
}

type logger struct {
	l       *log.Logger
	verbose bool
}

func (g logger) Errorf(format string, args ...any) { g.l.Printf("ERROR: "+format, args...) }

func (g logger) Warningf(format string, args ...any) {
	if g.verbose {
		g.l.Printf("WARNING: "+format, args...)
	}
}

func (g logger) Infof(format string, args ...any) {
	if g.verbose {
		g.l.Printf("INFO: "+format, args...)
	}
}

func (logger) Debugf(string, ...any) {}
