//go:build !js

package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	corestore "cosmossdk.io/core/store"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	"github.com/cosmos/iavl"
	dbm "github.com/cosmos/iavl/db"

	"github.com/ledgerd/ledgerd/store/badgerdb"
	"github.com/ledgerd/ledgerd/store/commitinfo"
	"github.com/ledgerd/ledgerd/store/nodelog"
)

// Options configures Open.
type Options struct {
	// Dir is the Badger directory; ignored when InMemory.
	Dir      string
	InMemory bool
	// CacheNodes is the IAVL node cache size of each tree, in nodes.
	CacheNodes int
	// EncodedCacheMB is the size, in MiB, of the cache of encoded nodes
	// that the trees share below their node caches; 0: none. Its index
	// takes 32 to 64 bytes a node, a quarter to a half as much again.
	EncodedCacheMB int
	// KeepRecent is how many recent versions to keep for queries and proofs;
	// 0 keeps every version (archive and auditor nodes).
	KeepRecent int64
	// PruneEvery is how often, in blocks, old versions are deleted.
	PruneEvery int64
	// Badger tunes the database.
	Badger badgerdb.Options
	// ValueCacheEntries bounds each working tree's cache of values read
	// (DefaultValueCacheEntries when 0).
	ValueCacheEntries int
	// NodeLogSegmentSize is the size in bytes of the node log's segment
	// files (nodelog.DefaultSegmentSize when 0): the unit compaction
	// reclaims, so smaller segments return pruned nodes' space sooner, in
	// smaller steps, at the cost of more files and checkpoints.
	NodeLogSegmentSize int64
	// NodesInBadger writes the trees' new nodes to Badger instead of the
	// node log. The log's index is in memory, 12 bytes or more for each
	// node it holds: bounded on a node that prunes, but on one that keeps
	// every version it grows with the chain, and such a node's nodes
	// belong in Badger, whose index is on disk. A node log already on disk
	// (written while the node pruned) is still read, and pruned if the
	// node prunes again.
	NodesInBadger bool
}

// CommitID identifies a committed state.
type CommitID struct {
	Height  int64
	AppHash []byte
	// Time is the block time given to CommitAt (zero for Commit).
	Time time.Time
}

// ErrVersionPruned is returned for a height that is not (or no longer) kept.
var ErrVersionPruned = errors.New("store: height not available: pruned or not yet committed")

var commitRecordKey = []byte("c/latest")

// mountPrefix keys the mount records of the stores a chain upgrade added:
// "m/<name>" holds the first version of that store (8 bytes, big-endian).
// Stores without one exist from genesis.
const mountPrefix = "m/"

// ErrNotMounted is returned for a store a chain upgrade has not added (yet).
var ErrNotMounted = errors.New("store: store not in the state")

// Store is the ledger's state: one IAVL tree per module on one Badger
// database, the trees' nodes in a node log beside it (nodes.go).
//
// A store named at Open but absent from a database that has commits is not
// mounted: it is not part of the app hash, reads of it see nothing and
// writes to it panic, until Mount adds it (a chain upgrade's migration)
// with its first version at the height being executed. From then on it is
// committed with the others and its root is in the app hash.
//
// The working trees belong to the block executor (FinalizeBlock, Commit):
// Apply, WorkingHash, Commit and Rollback are not safe for concurrent use
// with each other. LastCommit, Durable and Version are safe to call from any
// goroutine at any time.
type Store struct {
	db *badgerdb.DB
	// log holds the trees' nodes (nil in memory, and on disk when
	// Options.NodesInBadger is set and no log was written before, where
	// Badger keeps them); legacyNodes marks a database with nodes in
	// Badger as well (written before the log, or with NodesInBadger).
	log         *nodelog.Log
	legacyNodes bool
	names       []string
	// trees[i] is nil while names[i] is not mounted; first[i] is the
	// first version of a mounted tree (1 for the stores of genesis), and
	// mounting[i] marks a Mount not yet committed. trees and first change
	// under mu (Version reads them from other goroutines).
	trees    []*iavl.MutableTree
	first    []int64
	mounting []bool
	// values[i] caches values of the working tree names[i] (valueCache).
	values []*valueCache
	// encoded is the trees' shared cache of encoded nodes (nil: none);
	// tree names[i] keeps its nodes there under space i.
	encoded *iavl.EncodedNodeCache
	opts    Options
	// flushThreshold is IAVL's batch size in bytes: well under Badger's
	// transaction limit, since IAVL treats any batch error as fatal.
	flushThreshold int

	mu        sync.RWMutex
	committed CommitID
	durable   int64
	// held counts the exports (snapshots) reading each height, which
	// pruning leaves alone.
	held map[int64]int
	// initialVersion, if not 0, is the height of the first commit of a
	// store with none yet (SetInitialVersion).
	initialVersion int64
}

// Open opens (or creates) the store with one tree per name, in the order
// given, and loads the last committed version, discarding any tree versions
// written after it by an interrupted commit. In a new database every name
// is mounted from genesis; in one with commits, a name whose tree was never
// committed is left unmounted (see Mount).
func Open(opts Options, names []string) (*Store, error) {
	if opts.KeepRecent == 1 || opts.KeepRecent < 0 {
		// Keeping only the last version would prune the version CheckTx and
		// queries still read while Commit switches them to the new one.
		return nil, fmt.Errorf("store: KeepRecent %d: want 0 (keep all) or at least 2", opts.KeepRecent)
	}
	db, err := badgerdb.Open(opts.Dir, badgerdb.Options{
		CacheSizeMB:      opts.Badger.CacheSizeMB,
		IndexCacheSizeMB: opts.Badger.IndexCacheSizeMB,
		MemTableSize:     opts.Badger.MemTableSize,
		InMemory:         opts.InMemory || opts.Badger.InMemory,
		Logger:           opts.Badger.Logger,
	})
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, names: names, opts: opts, flushThreshold: flushThreshold(opts.Badger)}
	useLog := !opts.InMemory && !opts.Badger.InMemory
	if useLog && opts.NodesInBadger {
		if useLog, err = nodeLogOnDisk(opts.Dir); err != nil {
			db.Close()
			return nil, err
		}
	}
	if useLog {
		if s.log, s.legacyNodes, err = openNodeLog(db, opts.Dir, opts.NodeLogSegmentSize, names); err != nil {
			db.Close()
			return nil, err
		}
		s.legacyNodes = s.legacyNodes || opts.NodesInBadger
	}
	for range names {
		s.values = append(s.values, newValueCache(opts.ValueCacheEntries))
	}
	if opts.EncodedCacheMB > 0 {
		s.encoded = iavl.NewEncodedNodeCache(opts.EncodedCacheMB << 20)
	}
	if err := s.load(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) load() error {
	height, blockTime, err := s.readCommitRecord()
	if err != nil {
		return err
	}
	s.trees = make([]*iavl.MutableTree, len(s.names))
	s.first = make([]int64, len(s.names))
	s.mounting = make([]bool, len(s.names))
	for i, name := range s.names {
		first, err := s.mountedAt(name, height)
		if err != nil {
			return fmt.Errorf("store %q at height %d: %w", name, height, err)
		}
		if first == 0 {
			continue
		}
		tree, err := s.loadTree(name, height)
		if err != nil {
			return fmt.Errorf("store %q at height %d: %w", name, height, err)
		}
		s.trees[i], s.first[i] = tree, first
	}
	s.committed = CommitID{Height: height, AppHash: s.WorkingHash(), Time: blockTime}
	s.durable = height
	for _, c := range s.values {
		c.committed(height)
	}
	return nil
}

// mountedAt returns the first version of the named store in a database
// whose last commit is height, or 0 if the store is not mounted there. A
// mount record above height is the residue of an interrupted commit: the
// record and the tree's versions are removed.
func (s *Store) mountedAt(name string, height int64) (int64, error) {
	if height == 0 {
		return 1, nil
	}
	v, err := s.db.Get([]byte(mountPrefix + name))
	if err != nil {
		return 0, err
	}
	if v != nil {
		if len(v) != 8 {
			return 0, fmt.Errorf("store: mount record is %d bytes, want 8: database corrupted", len(v))
		}
		if first := int64(binary.BigEndian.Uint64(v)); first <= height {
			return first, nil
		}
		if err := s.db.Delete([]byte(mountPrefix + name)); err != nil {
			return 0, err
		}
		return 0, s.dropTree(name)
	}
	// A store of genesis has a version at every height; one added to the
	// binary for a later upgrade has none, or only versions above height
	// that an interrupted commit of its upgrade block saved.
	tree := s.newTree(name, 0)
	latest, err := tree.Load()
	if err != nil {
		return 0, err
	}
	if latest == 0 {
		return 0, nil
	}
	if vs := tree.AvailableVersions(); len(vs) > 0 && int64(vs[0]) > height {
		return 0, s.dropTree(name)
	}
	return 1, nil
}

// dropTree deletes every version of the named tree.
func (s *Store) dropTree(name string) error {
	tree := s.newTree(name, 0)
	latest, err := tree.Load()
	if err != nil || latest == 0 {
		return err
	}
	first := int64(0)
	if vs := tree.AvailableVersions(); len(vs) > 0 {
		first = int64(vs[0])
	}
	return tree.DeleteVersionsFrom(first)
}

// newTree returns the named tree; first, if not 0, is the version its
// first SaveVersion writes.
func (s *Store) newTree(name string, first int64) *iavl.MutableTree {
	// treeBatch copies what it is given (Badger's batch and the node
	// log's both do), and so does the prefix database on its way.
	opts := []iavl.Option{iavl.FlushThresholdOption(s.flushThreshold), iavl.SyncOption(false), iavl.CopyingBatchOption()}
	if first > 0 {
		opts = append(opts, iavl.InitialVersionOption(uint64(first)))
	}
	if s.encoded != nil {
		opts = append(opts, iavl.EncodedNodeCacheOption(s.encoded, uint32(slices.Index(s.names, name))))
	}
	return iavl.NewMutableTree(newPrefixDB(treeDB{DB: s.db, log: s.log, legacy: s.legacyNodes, nodesToLog: !s.opts.NodesInBadger}, []byte(treePrefix(name))), s.opts.CacheNodes,
		true, iavl.NewNopLogger(), opts...)
}

func (s *Store) loadTree(name string, height int64) (*iavl.MutableTree, error) {
	tree := s.newTree(name, 0)
	if height > 0 {
		if err := tree.LoadVersionForOverwriting(height); err != nil {
			return nil, err
		}
		// Linked now, so that the first blocks after a start walk the
		// upper levels by pointer, as later ones do (see releaseNodes).
		return tree, tree.LoadPinnedLevels()
	}
	// Nothing committed: drop whatever an interrupted first commit wrote.
	latest, err := tree.Load()
	if err != nil {
		return nil, err
	}
	if latest > 0 {
		if err := tree.DeleteVersionsFrom(1); err != nil {
			return nil, err
		}
		tree = s.newTree(name, 0)
	}
	return tree, nil
}

// The commit record is the height (8 bytes) and the block time in Unix
// nanoseconds (8 bytes), big-endian.
func (s *Store) readCommitRecord() (int64, time.Time, error) {
	v, err := s.db.Get(commitRecordKey)
	if err != nil || v == nil {
		return 0, time.Time{}, err
	}
	if len(v) != 16 {
		return 0, time.Time{}, fmt.Errorf("store: commit record is %d bytes, want 16: database corrupted", len(v))
	}
	var t time.Time
	if ns := int64(binary.BigEndian.Uint64(v[8:])); ns != 0 {
		t = time.Unix(0, ns).UTC()
	}
	return int64(binary.BigEndian.Uint64(v)), t, nil
}

// nextHeight is the height the next commit saves.
func (s *Store) nextHeight() int64 {
	last := s.LastCommit().Height
	if last == 0 && s.initialVersion > 0 {
		return s.initialVersion
	}
	return last + 1
}

// Names returns the store names in order.
func (s *Store) Names() []string { return s.names }

// Mounted reports whether the named store is in the working state.
func (s *Store) Mounted(name string) bool { return s.trees[s.index(name)] != nil }

// Mount adds the named store, empty, to the working state: its first
// version is the next commit's height, and the app hash includes its root
// from then on. The mount is written with that commit; Rollback undoes it.
// It fails if the store is already mounted. Like Apply, it belongs to the
// block executor.
func (s *Store) Mount(name string) error {
	i := s.index(name)
	if s.trees[i] != nil {
		return fmt.Errorf("store: %q is already mounted (since version %d)", name, s.first[i])
	}
	first := s.nextHeight()
	// Versions left by an interrupted commit of another height would
	// collide with this one's.
	if err := s.dropTree(name); err != nil {
		return fmt.Errorf("store: mount %q: %w", name, err)
	}
	tree := s.newTree(name, first)
	if _, err := tree.Load(); err != nil {
		return fmt.Errorf("store: mount %q: %w", name, err)
	}
	s.mu.Lock()
	s.trees[i], s.first[i], s.mounting[i] = tree, first, true
	s.mu.Unlock()
	s.values[i].reset()
	return nil
}

// Working returns a Reader per store over the working (uncommitted) state,
// for the block's Branch; an unmounted store reads as empty.
func (s *Store) Working() []Reader {
	out := make([]Reader, len(s.trees))
	for i, t := range s.trees {
		if t == nil {
			out[i] = emptyReader{}
			continue
		}
		out[i] = treeReader{t, s.values[i]}
	}
	return out
}

// Apply writes the branch's writes into the working trees in key order. It
// panics on a write to a store that is not mounted: a module of a later
// upgrade ran before its upgrade, a programming error.
func (s *Store) Apply(b *Branch) {
	b.WriteTo(func(name string) KV {
		i := s.index(name)
		if s.trees[i] == nil {
			panic(fmt.Sprintf("store: write to %q, which is not mounted", name))
		}
		return treeKV{s.trees[i], s.values[i]}
	})
}

func (s *Store) index(name string) int {
	for i, n := range s.names {
		if n == name {
			return i
		}
	}
	panic("store: no store named " + name)
}

// WorkingHash returns the app hash of the working state: over the mounted
// stores.
func (s *Store) WorkingHash() []byte {
	roots := make([]commitinfo.StoreRoot, 0, len(s.trees))
	for i, t := range s.trees {
		if t != nil {
			roots = append(roots, commitinfo.StoreRoot{Name: s.names[i], Hash: t.WorkingHash()})
		}
	}
	return commitinfo.AppHash(roots)
}

// IterateWorking calls fn for each key of the named working tree in
// [start, end), ascending, until fn returns false. It sees writes applied
// with Apply, not those still in a Branch.
func (s *Store) IterateWorking(name string, start, end []byte, fn func(key []byte) bool) error {
	t := s.trees[s.index(name)]
	if t == nil {
		return nil
	}
	it, err := t.Iterator(start, end, true)
	if err != nil {
		return err
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		if !fn(it.Key()) {
			break
		}
	}
	return it.Error()
}

// Rollback discards the working trees' unsaved writes and the mounts not
// yet committed.
func (s *Store) Rollback() {
	for i, t := range s.trees {
		if s.mounting[i] {
			// Dropped; its Rollback stops what the tree was doing
			// beside the writes (iavl's HashBehind).
			t.Rollback()
			s.mu.Lock()
			s.trees[i], s.first[i], s.mounting[i] = nil, 0, false
			s.mu.Unlock()
			s.values[i].reset()
			continue
		}
		if t != nil {
			t.Rollback()
			s.values[i].rolledBack()
		}
	}
}

// Commit saves the working trees as the next version, then the commit
// record, then syncs the database once. It returns the new commit. An error
// leaves the store unusable: the caller must stop, and Open recovers the
// previous commit.
func (s *Store) Commit() (CommitID, error) { return s.CommitAt(time.Time{}) }

// CommitAt is Commit recording blockTime with the height, so that a
// restarted node knows the time of its last block (LastCommit().Time).
func (s *Store) CommitAt(blockTime time.Time) (CommitID, error) {
	s.mu.Lock()
	first := s.committed.Height == 0
	s.mu.Unlock()
	errs := make([]error, len(s.trees))
	var wg sync.WaitGroup
	for i, t := range s.trees {
		if t == nil {
			continue
		}
		if first && s.reloadedAfterFirstCommit(i) {
			// Its nodes go to the encoded cache as they are written, which
			// releaseNodes would otherwise fill from the node cache.
			t.SaveToEncodedCache()
		}
		wg.Add(1)
		// nolint:determinism: independent trees; results do not depend on order.
		go func() {
			defer wg.Done()
			_, _, errs[i] = t.SaveVersion()
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return CommitID{}, fmt.Errorf("store: save trees: %w", err)
	}
	height := s.nextHeight()
	for i, t := range s.trees {
		if t != nil && t.Version() != height {
			return CommitID{}, fmt.Errorf("store: tree %q at version %d, want %d", s.names[i], t.Version(), height)
		}
	}
	for _, c := range s.values {
		c.committed(height)
	}
	// Mount records before the commit record: a crash between them leaves
	// a record above the last commit, which Open discards.
	for i := range s.trees {
		if s.mounting[i] {
			if err := s.db.Set([]byte(mountPrefix+s.names[i]), binary.BigEndian.AppendUint64(nil, uint64(height))); err != nil {
				return CommitID{}, fmt.Errorf("store: write mount record: %w", err)
			}
		}
	}
	if err := s.writeCommitRecord(height, blockTime); err != nil {
		return CommitID{}, err
	}
	id := CommitID{Height: height, AppHash: s.WorkingHash(), Time: blockTime}
	s.mu.Lock()
	s.committed, s.durable = id, height
	clear(s.mounting)
	s.mu.Unlock()
	if first {
		if err := s.settleBulkLoad(); err != nil {
			return id, err
		}
		if err := s.releaseNodes(height); err != nil {
			return id, err
		}
	}
	if err := s.prune(height); err != nil {
		return id, err
	}
	if s.log != nil {
		if err := s.log.Compact(nodeLogCompactBudget); err != nil {
			return id, fmt.Errorf("store: compact the node log: %w", err)
		}
	}
	return id, nil
}

// settleBulkLoad compacts what a bulk load (the genesis's first commit, a
// restored snapshot) left in Badger's level 0 into the levels below, before
// any block runs: otherwise that compaction starts at the first memtable
// flush that tips level 0 over, and runs beside the blocks
// (badgerdb.DB.CompactLevel0). It blocks Badger's writes while it runs;
// the store writes only from the goroutine that commits or restores,
// which is this one. It also checkpoints the node log, which a bulk load
// of a million wallets fills past the point where the first block's
// commit would otherwise write the checkpoint.
func (s *Store) settleBulkLoad() error {
	if err := s.db.CompactLevel0(); err != nil {
		return fmt.Errorf("store: compact the loaded state: %w", err)
	}
	if s.log != nil {
		if err := s.log.Checkpoint(); err != nil {
			return fmt.Errorf("store: checkpoint the loaded state's nodes: %w", err)
		}
	}
	return nil
}

// releaseNodes replaces every working tree larger than its node cache
// with the same tree loaded afresh at height, its cache empty, so that the
// collector can free the nodes the old one holds. The first commit writes the whole genesis
// state, whose nodes (two million at a million wallets) were allocated
// among the far more numerous copies that building the trees by
// insertion leaves behind (IAVL copies every inner node on the path of
// each insertion): the nodes the node cache keeps would otherwise
// hold most of that memory in use for good. Views already taken keep
// reading their own trees.
func (s *Store) releaseNodes(height int64) error {
	for i, name := range s.names {
		if !s.reloadedAfterFirstCommit(i) {
			continue
		}
		// The nodes it caches stay at hand, encoded (Options.EncodedCacheMB;
		// the first commit wrote its nodes there already: CommitAt).
		s.trees[i].SpillNodeCache()
		tree := s.newTree(name, 0)
		if _, err := tree.LoadVersion(height); err != nil {
			return fmt.Errorf("store: reload %q at %d: %w", name, height, err)
		}
		// Its upper levels read now and linked by pointer, so that the
		// first blocks do not read them through the caches at every walk
		// until a write copies them (iavl's LoadPinnedLevels).
		if err := tree.LoadPinnedLevels(); err != nil {
			return fmt.Errorf("store: reload %q at %d: %w", name, height, err)
		}
		s.mu.Lock()
		s.trees[i] = tree
		s.mu.Unlock()
	}
	return nil
}

// reloadedAfterFirstCommit reports whether releaseNodes replaces tree i:
// a tree the node cache holds whole (two nodes a record) is kept, its
// cache worth more than the memory and holding no garbage.
func (s *Store) reloadedAfterFirstCommit(i int) bool {
	return s.trees[i] != nil && 2*s.trees[i].Size() > int64(s.opts.CacheNodes)
}

// writeCommitRecord records height and blockTime as the last commit and
// syncs the database, after the node log: no commit record may name
// nodes a crash could still lose.
func (s *Store) writeCommitRecord(height int64, blockTime time.Time) error {
	if s.log != nil {
		if err := s.log.Sync(); err != nil {
			return fmt.Errorf("store: sync the node log: %w", err)
		}
	}
	var rec [16]byte
	binary.BigEndian.PutUint64(rec[:], uint64(height))
	if !blockTime.IsZero() {
		binary.BigEndian.PutUint64(rec[8:], uint64(blockTime.UnixNano()))
	}
	if err := s.db.Set(commitRecordKey, rec[:]); err != nil {
		return fmt.Errorf("store: write commit record: %w", err)
	}
	if err := s.db.Sync(); err != nil {
		return fmt.Errorf("store: sync: %w", err)
	}
	return nil
}

func (s *Store) prune(height int64) error {
	if s.opts.KeepRecent <= 0 || s.opts.PruneEvery <= 0 || height%s.opts.PruneEvery != 0 {
		return nil
	}
	to := s.pruneLimit(height - s.opts.KeepRecent)
	if to < 1 {
		return nil
	}
	for i, t := range s.trees {
		if t == nil || s.first[i] > to {
			continue
		}
		if err := t.DeleteVersionsTo(to); err != nil {
			return fmt.Errorf("store: prune %q to %d: %w", s.names[i], to, err)
		}
	}
	return nil
}

// EncodedCacheStats returns the use of the trees' shared cache of encoded
// nodes (Options.EncodedCacheMB) since Open; zero when there is none.
func (s *Store) EncodedCacheStats() iavl.EncodedNodeCacheStats {
	if s.encoded == nil {
		return iavl.EncodedNodeCacheStats{}
	}
	return s.encoded.Stats()
}

// NodeLogStats returns the sizes of the node log, which holds the trees'
// nodes, and what it wrote since Open; zero for a store in memory.
func (s *Store) NodeLogStats() nodelog.Stats {
	if s.log == nil {
		return nodelog.Stats{}
	}
	return s.log.Stats()
}

// LastCommit returns the last committed height and app hash.
func (s *Store) LastCommit() CommitID {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.committed
}

// Durable returns the last height whose state is synced to disk. It never
// exceeds LastCommit().Height; CometBFT replays the blocks after it.
func (s *Store) Durable() int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.durable
}

// Version returns a read-only view of the committed state at height; 0 means
// the last commit. It fails with ErrVersionPruned when that height is not
// kept.
func (s *Store) Version(height int64) (*Version, error) {
	last := s.LastCommit().Height
	if height == 0 {
		height = last
	}
	if height <= 0 || height > last {
		return nil, fmt.Errorf("%w: height %d (last commit %d)", ErrVersionPruned, height, last)
	}
	v := &Version{Height: height, names: s.names, trees: make([]*iavl.ImmutableTree, len(s.names)), values: s.values}
	s.mu.RLock()
	trees, first := slices.Clone(s.trees), slices.Clone(s.first)
	s.mu.RUnlock()
	for i, t := range trees {
		if t == nil || first[i] > height {
			continue
		}
		it, err := t.GetImmutable(height)
		if err != nil {
			return nil, fmt.Errorf("%w: height %d: %v", ErrVersionPruned, height, err)
		}
		v.trees[i] = it
	}
	return v, nil
}

// Close closes the node log and the database. The store must not be used
// after.
func (s *Store) Close() error {
	var err error
	if s.log != nil {
		err = s.log.Close()
	}
	return errors.Join(err, s.db.Close())
}

// Version is the committed state at one height. It is safe for concurrent
// use while that height is kept. A store not mounted at that height reads
// as empty and has no proofs.
type Version struct {
	Height int64
	names  []string
	trees  []*iavl.ImmutableTree
	// values are the working trees' value caches, which readers of the
	// last committed version share (valueCache.getAt).
	values []*valueCache
}

// Readers returns a Reader per store, in the store's name order.
func (v *Version) Readers() []Reader {
	out := make([]Reader, len(v.trees))
	for i, t := range v.trees {
		if t == nil {
			out[i] = emptyReader{}
			continue
		}
		out[i] = immutableReader{t, v.values[i], v.Height}
	}
	return out
}

// Reader returns the named store's Reader.
func (v *Version) Reader(name string) (Reader, error) {
	t, err := v.tree(name)
	if errors.Is(err, ErrNotMounted) {
		return emptyReader{}, nil
	}
	if err != nil {
		return nil, err
	}
	return immutableReader{t, v.values[slices.Index(v.names, name)], v.Height}, nil
}

// Mounted reports whether the named store is in the state at this height.
func (v *Version) Mounted(name string) bool {
	_, err := v.tree(name)
	return err == nil
}

// Get returns the value of key in the named store, nil if absent.
func (v *Version) Get(name string, key []byte) ([]byte, error) {
	t, err := v.tree(name)
	if errors.Is(err, ErrNotMounted) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return t.Get(key)
}

// Iterate calls fn for each key with prefix in the named store, in
// ascending order, until fn returns false.
func (v *Version) Iterate(name string, prefix []byte, fn func(key, value []byte) bool) error {
	t, err := v.tree(name)
	if errors.Is(err, ErrNotMounted) {
		return nil
	}
	if err != nil {
		return err
	}
	it, err := t.Iterator(prefix, PrefixEnd(prefix), true)
	if err != nil {
		return err
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		if !fn(it.Key(), it.Value()) {
			break
		}
	}
	return it.Error()
}

// Prove returns the value of key in the named store (nil if absent) with
// the proof ops that tie it, or its absence, to the app hash of this
// height: ics23:iavl then ics23:simple. A store not mounted at this height
// has no proof (ErrNotMounted).
func (v *Version) Prove(name string, key []byte) ([]byte, []cmtcrypto.ProofOp, error) {
	t, err := v.tree(name)
	if err != nil {
		return nil, nil, err
	}
	value, err := t.Get(key)
	if err != nil {
		return nil, nil, err
	}
	proof, err := t.GetProof(key)
	if err != nil {
		return nil, nil, err
	}
	iavlOp, err := commitinfo.IAVLProofOp(key, proof)
	if err != nil {
		return nil, nil, err
	}
	storeProof, err := commitinfo.ProveStore(v.roots(), name)
	if err != nil {
		return nil, nil, err
	}
	simpleOp, err := commitinfo.SimpleProofOp(name, storeProof)
	if err != nil {
		return nil, nil, err
	}
	return value, []cmtcrypto.ProofOp{iavlOp, simpleOp}, nil
}

// AppHash returns the app hash of this version.
func (v *Version) AppHash() []byte { return commitinfo.AppHash(v.roots()) }

func (v *Version) roots() []commitinfo.StoreRoot {
	roots := make([]commitinfo.StoreRoot, 0, len(v.trees))
	for i, t := range v.trees {
		if t != nil {
			roots = append(roots, commitinfo.StoreRoot{Name: v.names[i], Hash: t.Hash()})
		}
	}
	return roots
}

func (v *Version) tree(name string) (*iavl.ImmutableTree, error) {
	for i, n := range v.names {
		if n == name {
			if v.trees[i] == nil {
				return nil, fmt.Errorf("%w: %q at height %d", ErrNotMounted, name, v.Height)
			}
			return v.trees[i], nil
		}
	}
	return nil, fmt.Errorf("store: no store named %q", name)
}

// treeDB is the database as the trees see it: their batches stream
// (badgerdb.NewStreamingBatch), so that Badger writes one part of a
// version's nodes while IAVL encodes the next. A version needs no atomic
// batch: IAVL splits its batches at its flush threshold anyway, and the
// store loads each tree at the height of its commit record, dropping
// whatever a crash left of a later version.
// streamChunkBytes is a tree batch's chunk: about 2,500 IAVL nodes, a tenth
// of what a block of 2,000 transfers writes to the wallet tree. A variable
// so that tests can cut every version into many chunks.
var streamChunkBytes = 256 << 10

// prefixDB is one tree's part of the shared database, under its prefix.
// It keeps the tree from closing the database, and its batches build each
// prefixed key in an array they reuse (prefixBatch).
type prefixDB struct {
	*dbm.PrefixDB
	prefix []byte
	tree   treeDB
}

func newPrefixDB(tree treeDB, prefix []byte) prefixDB {
	return prefixDB{PrefixDB: dbm.NewPrefixDB(tree, prefix), prefix: prefix, tree: tree}
}

func (prefixDB) Close() error { return nil }

func (p prefixDB) NewBatch() corestore.Batch {
	return &prefixBatch{prefix: p.prefix, source: p.tree.newBatch()}
}

func (p prefixDB) NewBatchWithSize(int) corestore.Batch { return p.NewBatch() }

// treeReader reads a working tree through its value cache.
type treeReader struct {
	t *iavl.MutableTree
	c *valueCache
}

// Iterator implements Reader over the working tree: the last commit and
// the writes Apply made since. IAVL requires that the tree is not written
// while an iterator is open; blocks write to a Branch, not to the tree.
func (r treeReader) Iterator(start, end []byte, reverse bool) Iterator {
	return newTreeIterator(r.t.Iterator(start, end, !reverse))
}

func (r treeReader) Get(key []byte) []byte {
	if v, ok := r.c.get(key); ok {
		return v
	}
	v, err := r.t.Get(key)
	if err != nil {
		panic(fmt.Sprintf("store: read failed, state unreadable: %v", err))
	}
	r.c.fill(key, v)
	return v
}

// treeKV writes a working tree and keeps its value cache in step.
type treeKV struct {
	t *iavl.MutableTree
	c *valueCache
}

func (kv treeKV) Get(key []byte) []byte { return treeReader(kv).Get(key) }
func (kv treeKV) Iterator(start, end []byte, reverse bool) Iterator {
	return treeReader(kv).Iterator(start, end, reverse)
}
func (kv treeKV) Set(key, value []byte) {
	if _, err := kv.t.Set(key, value); err != nil {
		panic(fmt.Sprintf("store: write failed: %v", err))
	}
	kv.c.set(key, value)
}
func (kv treeKV) Delete(key []byte) {
	if _, _, err := kv.t.Remove(key); err != nil {
		panic(fmt.Sprintf("store: delete failed: %v", err))
	}
	kv.c.remove(key)
}

// hashBehindEvery is how many of a block's writes go into a tree between
// two calls of its HashBehind.
const hashBehindEvery = 128

// writeSorted applies ws, which are in key order. When there are at least
// 2*hashBehindEvery of them and none is a deletion, the tree hashes the
// subtrees they have passed on a goroutine of its own while they go on
// (iavl's HashBehind, patch 10 in LEDGERD.md): the writes run on the
// block's goroutine alone, and the hash that follows them then has less
// left to do. A removal's rebalancing could change a subtree behind it,
// which the tree would wait for; so writes with a deletion among them
// (of a key the tree holds or not) leave the hashing to WorkingHash.
func (kv treeKV) writeSorted(ws []Write) {
	behind := len(ws) >= 2*hashBehindEvery && !slices.ContainsFunc(ws, func(w Write) bool { return w.Value == nil })
	for i, w := range ws {
		if behind && i > 0 && i%hashBehindEvery == 0 {
			kv.t.HashBehind(w.Key)
		}
		if w.Value == nil {
			kv.Delete(w.Key)
		} else {
			kv.Set(w.Key, w.Value)
		}
	}
}

// emptyReader is a store that is not mounted: nothing in it.
type emptyReader struct{}

func (emptyReader) Get([]byte) []byte                                 { return nil }
func (emptyReader) Iterator(start, end []byte, reverse bool) Iterator { return emptyIterator{} }

// immutableReader reads a committed version, through the working tree's
// value cache while that holds the same version.
type immutableReader struct {
	t      *iavl.ImmutableTree
	c      *valueCache
	height int64
}

// Iterator implements Reader over a committed version.
func (r immutableReader) Iterator(start, end []byte, reverse bool) Iterator {
	return newTreeIterator(r.t.Iterator(start, end, !reverse))
}

func (r immutableReader) Get(key []byte) []byte {
	if v, ok := r.c.getAt(r.height, key); ok {
		return v
	}
	v, err := r.t.Get(key)
	if err != nil {
		panic(fmt.Sprintf("store: read failed, state unreadable: %v", err))
	}
	r.c.fillAt(r.height, key, v)
	return v
}

// flushThreshold sizes IAVL's batches against Badger's per-transaction
// limits. Badger counts entries as well as bytes; an IAVL node entry is at
// least 48 bytes (key 22 with the tree prefix, value 26 or more), so a batch
// of maxEntries*32 bytes stays under the entry limit with a margin, and half
// of the byte limit under the byte limit.
func flushThreshold(opts badgerdb.Options) int {
	maxBytes, maxEntries := badgerdb.TxnLimits(opts)
	return int(min(maxBytes/2, maxEntries*32, 8<<20))
}
