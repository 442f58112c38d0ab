package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	"github.com/cosmos/iavl"
	dbm "github.com/cosmos/iavl/db"

	"github.com/ledgerd/ledgerd/store/badgerdb"
	"github.com/ledgerd/ledgerd/store/commitinfo"
)

// Options configures Open.
type Options struct {
	// Dir is the Badger directory; ignored when InMemory.
	Dir      string
	InMemory bool
	// CacheNodes is the IAVL node cache size of each tree, in nodes.
	CacheNodes int
	// KeepRecent is how many recent versions to keep for queries and proofs;
	// 0 keeps every version (archive and auditor nodes).
	KeepRecent int64
	// PruneEvery is how often, in blocks, old versions are deleted.
	PruneEvery int64
	// Badger tunes the database.
	Badger badgerdb.Options
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

// Store is the ledger's state: one IAVL tree per module on one Badger
// database.
//
// The working trees belong to the block executor (FinalizeBlock, Commit):
// Apply, WorkingHash, Commit and Rollback are not safe for concurrent use
// with each other. LastCommit, Durable and Version are safe to call from any
// goroutine at any time.
type Store struct {
	db    *badgerdb.DB
	names []string
	trees []*iavl.MutableTree
	opts  Options
	// flushThreshold is IAVL's batch size in bytes: well under Badger's
	// transaction limit, since IAVL treats any batch error as fatal.
	flushThreshold int

	mu        sync.RWMutex
	committed CommitID
	durable   int64
}

// Open opens (or creates) the store with one tree per name, in the order
// given, and loads the last committed version, discarding any tree versions
// written after it by an interrupted commit.
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
	if err := s.load(); err != nil {
		db.Close()
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
	for i, name := range s.names {
		tree, err := s.loadTree(name, height)
		if err != nil {
			return fmt.Errorf("store %q at height %d: %w", name, height, err)
		}
		s.trees[i] = tree
	}
	s.committed = CommitID{Height: height, AppHash: s.WorkingHash(), Time: blockTime}
	s.durable = height
	return nil
}

func (s *Store) newTree(name string) *iavl.MutableTree {
	return iavl.NewMutableTree(prefixDB{dbm.NewPrefixDB(s.db, []byte("t/"+name+"/"))}, s.opts.CacheNodes,
		true, iavl.NewNopLogger(), iavl.FlushThresholdOption(s.flushThreshold), iavl.SyncOption(false))
}

func (s *Store) loadTree(name string, height int64) (*iavl.MutableTree, error) {
	tree := s.newTree(name)
	if height > 0 {
		return tree, tree.LoadVersionForOverwriting(height)
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
		tree = s.newTree(name)
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

// Names returns the store names in order.
func (s *Store) Names() []string { return s.names }

// Working returns a Reader per tree over the working (uncommitted) state,
// for the block's Branch.
func (s *Store) Working() []Reader {
	out := make([]Reader, len(s.trees))
	for i, t := range s.trees {
		out[i] = treeReader{t}
	}
	return out
}

// Apply writes the branch's writes into the working trees in key order.
func (s *Store) Apply(b *Branch) {
	b.WriteTo(func(name string) KV { return treeKV{s.trees[s.index(name)]} })
}

func (s *Store) index(name string) int {
	for i, n := range s.names {
		if n == name {
			return i
		}
	}
	panic("store: no store named " + name)
}

// WorkingHash returns the app hash of the working state.
func (s *Store) WorkingHash() []byte {
	roots := make([]commitinfo.StoreRoot, len(s.trees))
	for i, t := range s.trees {
		roots[i] = commitinfo.StoreRoot{Name: s.names[i], Hash: t.WorkingHash()}
	}
	return commitinfo.AppHash(roots)
}

// IterateWorking calls fn for each key of the named working tree in
// [start, end), ascending, until fn returns false. It sees writes applied
// with Apply, not those still in a Branch.
func (s *Store) IterateWorking(name string, start, end []byte, fn func(key []byte) bool) error {
	it, err := s.trees[s.index(name)].Iterator(start, end, true)
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

// Rollback discards the working trees' unsaved writes.
func (s *Store) Rollback() {
	for _, t := range s.trees {
		t.Rollback()
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
	errs := make([]error, len(s.trees))
	var wg sync.WaitGroup
	for i, t := range s.trees {
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
	height := s.trees[0].Version()
	for i, t := range s.trees {
		if t.Version() != height {
			return CommitID{}, fmt.Errorf("store: tree %q at version %d, %q at %d", s.names[i], t.Version(), s.names[0], height)
		}
	}
	var rec [16]byte
	binary.BigEndian.PutUint64(rec[:], uint64(height))
	if !blockTime.IsZero() {
		binary.BigEndian.PutUint64(rec[8:], uint64(blockTime.UnixNano()))
	}
	if err := s.db.Set(commitRecordKey, rec[:]); err != nil {
		return CommitID{}, fmt.Errorf("store: write commit record: %w", err)
	}
	if err := s.db.Sync(); err != nil {
		return CommitID{}, fmt.Errorf("store: sync: %w", err)
	}
	id := CommitID{Height: height, AppHash: s.WorkingHash(), Time: blockTime}
	s.mu.Lock()
	s.committed, s.durable = id, height
	s.mu.Unlock()
	if err := s.prune(height); err != nil {
		return id, err
	}
	return id, nil
}

func (s *Store) prune(height int64) error {
	if s.opts.KeepRecent <= 0 || s.opts.PruneEvery <= 0 || height%s.opts.PruneEvery != 0 {
		return nil
	}
	to := height - s.opts.KeepRecent
	if to < 1 {
		return nil
	}
	for i, t := range s.trees {
		if err := t.DeleteVersionsTo(to); err != nil {
			return fmt.Errorf("store: prune %q to %d: %w", s.names[i], to, err)
		}
	}
	return nil
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
	v := &Version{Height: height, names: s.names, trees: make([]*iavl.ImmutableTree, len(s.trees))}
	for i, t := range s.trees {
		it, err := t.GetImmutable(height)
		if err != nil {
			return nil, fmt.Errorf("%w: height %d: %v", ErrVersionPruned, height, err)
		}
		v.trees[i] = it
	}
	return v, nil
}

// Close closes the database. The store must not be used after.
func (s *Store) Close() error { return s.db.Close() }

// Version is the committed state at one height. It is safe for concurrent
// use while that height is kept.
type Version struct {
	Height int64
	names  []string
	trees  []*iavl.ImmutableTree
}

// Readers returns a Reader per store, in the store's name order.
func (v *Version) Readers() []Reader {
	out := make([]Reader, len(v.trees))
	for i, t := range v.trees {
		out[i] = immutableReader{t}
	}
	return out
}

// Reader returns the named store's Reader.
func (v *Version) Reader(name string) (Reader, error) {
	t, err := v.tree(name)
	if err != nil {
		return nil, err
	}
	return immutableReader{t}, nil
}

// Get returns the value of key in the named store, nil if absent.
func (v *Version) Get(name string, key []byte) ([]byte, error) {
	t, err := v.tree(name)
	if err != nil {
		return nil, err
	}
	return t.Get(key)
}

// Iterate calls fn for each key with prefix in the named store, in
// ascending order, until fn returns false.
func (v *Version) Iterate(name string, prefix []byte, fn func(key, value []byte) bool) error {
	t, err := v.tree(name)
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
// height: ics23:iavl then ics23:simple.
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
	roots := make([]commitinfo.StoreRoot, len(v.trees))
	for i, t := range v.trees {
		roots[i] = commitinfo.StoreRoot{Name: v.names[i], Hash: t.Hash()}
	}
	return roots
}

func (v *Version) tree(name string) (*iavl.ImmutableTree, error) {
	for i, n := range v.names {
		if n == name {
			return v.trees[i], nil
		}
	}
	return nil, fmt.Errorf("store: no store named %q", name)
}

// prefixDB keeps a tree from closing the shared database.
type prefixDB struct{ *dbm.PrefixDB }

func (prefixDB) Close() error { return nil }

type treeReader struct{ t *iavl.MutableTree }

// Iterator implements Reader over the working tree: the last commit and
// the writes Apply made since. IAVL requires that the tree is not written
// while an iterator is open; blocks write to a Branch, not to the tree.
func (r treeReader) Iterator(start, end []byte, reverse bool) Iterator {
	return newTreeIterator(r.t.Iterator(start, end, !reverse))
}

func (r treeReader) Get(key []byte) []byte {
	v, err := r.t.Get(key)
	if err != nil {
		panic(fmt.Sprintf("store: read failed, state unreadable: %v", err))
	}
	return v
}

type treeKV struct{ t *iavl.MutableTree }

func (kv treeKV) Get(key []byte) []byte { return treeReader(kv).Get(key) }
func (kv treeKV) Iterator(start, end []byte, reverse bool) Iterator {
	return treeReader(kv).Iterator(start, end, reverse)
}
func (kv treeKV) Set(key, value []byte) {
	if _, err := kv.t.Set(key, value); err != nil {
		panic(fmt.Sprintf("store: write failed: %v", err))
	}
}
func (kv treeKV) Delete(key []byte) {
	if _, _, err := kv.t.Remove(key); err != nil {
		panic(fmt.Sprintf("store: delete failed: %v", err))
	}
}

type immutableReader struct{ t *iavl.ImmutableTree }

// Iterator implements Reader over a committed version.
func (r immutableReader) Iterator(start, end []byte, reverse bool) Iterator {
	return newTreeIterator(r.t.Iterator(start, end, !reverse))
}

func (r immutableReader) Get(key []byte) []byte {
	v, err := r.t.Get(key)
	if err != nil {
		panic(fmt.Sprintf("store: read failed, state unreadable: %v", err))
	}
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
