//go:build !js

package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	corestore "cosmossdk.io/core/store"
	dbm "github.com/cosmos/iavl/db"

	"github.com/ledgerd/ledgerd/store/badgerdb"
	"github.com/ledgerd/ledgerd/store/nodelog"
)

// The trees' nodes are kept in a node log (store/nodelog) beside the Badger
// database, in its directory's nodeLogDir; the rest of a tree's records
// (IAVL's metadata) and the store's own stay in Badger. A database an older
// ledgerd wrote has its nodes in Badger: the store goes on reading and
// pruning them there, and writes new ones to the log.
const (
	nodeLogDir = "nodes"
	// nodeLogCompactBudget is how much of the log a commit may read to
	// reclaim the space of pruned nodes: several times what a block of
	// 2,000 transfers writes, so that compaction keeps up with pruning.
	nodeLogCompactBudget = 4 << 20
)

// nodeLogOnDisk reports whether the store in dir has a node log with
// anything in it.
func nodeLogOnDisk(dir string) (bool, error) {
	entries, err := os.ReadDir(filepath.Join(dir, nodeLogDir))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: read the node log's directory: %w", err)
	}
	return len(entries) > 0, nil
}

// openNodeLog opens the node log of an on-disk store and reports whether
// Badger holds nodes of the trees named, written before the log existed.
func openNodeLog(db *badgerdb.DB, dir string, segmentSize int64, names []string) (*nodelog.Log, bool, error) {
	l, err := nodelog.Open(filepath.Join(dir, nodeLogDir), nodelog.Options{SegmentSize: segmentSize})
	if err != nil {
		return nil, false, fmt.Errorf("store: open the node log: %w", err)
	}
	for _, name := range names {
		prefix := []byte(treePrefix(name) + "s")
		it, err := db.Iterator(prefix, append(bytes.Clone(prefix[:len(prefix)-1]), 's'+1))
		if err != nil {
			l.Close()
			return nil, false, err
		}
		found := it.Valid()
		it.Close()
		if found {
			return l, true, nil
		}
	}
	return l, false, nil
}

func treePrefix(name string) string { return "t/" + name + "/" }

// isNodeKey reports whether key is an IAVL node key of a tree: the tree's
// prefix, "s", and 12 bytes of version and nonce.
func isNodeKey(key []byte) bool {
	if len(key) < 2 || key[0] != 't' || key[1] != '/' {
		return false
	}
	i := bytes.IndexByte(key[2:], '/')
	if i < 0 {
		return false
	}
	rest := key[2+i+1:]
	return len(rest) == 13 && rest[0] == 's'
}

// treeDB is the database IAVL sees under the trees' prefixes: node keys in
// the node log (when log is not nil), everything else in Badger. legacy
// marks a database whose trees have nodes in Badger too, which reads,
// deletes and iterators then also reach there; nodesToLog is false when
// new nodes go to Badger (Options.NodesInBadger) though a log is read.
type treeDB struct {
	*badgerdb.DB
	log        *nodelog.Log
	legacy     bool
	nodesToLog bool
}

var _ dbm.DB = treeDB{}

func (d treeDB) inLog(key []byte) bool { return d.log != nil && isNodeKey(key) }

func (d treeDB) Get(key []byte) ([]byte, error) {
	if !d.inLog(key) {
		return d.DB.Get(key)
	}
	v, err := d.log.Get(key)
	if v == nil && err == nil && d.legacy {
		return d.DB.Get(key)
	}
	return v, err
}

func (d treeDB) Has(key []byte) (bool, error) {
	if !d.inLog(key) {
		return d.DB.Has(key)
	}
	ok, err := d.log.Has(key)
	if !ok && err == nil && d.legacy {
		return d.DB.Has(key)
	}
	return ok, err
}

func (d treeDB) Iterator(start, end []byte) (corestore.Iterator, error) {
	return d.iterator(start, end, false)
}

func (d treeDB) ReverseIterator(start, end []byte) (corestore.Iterator, error) {
	return d.iterator(start, end, true)
}

func (d treeDB) iterator(start, end []byte, reverse bool) (corestore.Iterator, error) {
	open := func(db interface {
		Iterator(start, end []byte) (corestore.Iterator, error)
		ReverseIterator(start, end []byte) (corestore.Iterator, error)
	}) (corestore.Iterator, error) {
		if reverse {
			return db.ReverseIterator(start, end)
		}
		return db.Iterator(start, end)
	}
	kv, err := open(d.DB)
	if err != nil || d.log == nil {
		return kv, err
	}
	nodes, err := open(d.log)
	if err != nil {
		kv.Close()
		return nil, err
	}
	return newUnionIterator(kv, nodes, reverse), nil
}

func (d treeDB) NewBatch() corestore.Batch { return d.newBatch() }

func (d treeDB) NewBatchWithSize(int) corestore.Batch { return d.newBatch() }

func (d treeDB) newBatch() corestore.Batch {
	b := treeBatch{kv: d.NewStreamingBatch(streamChunkBytes), legacy: d.legacy, nodesToLog: d.nodesToLog}
	if d.log != nil {
		b.nodes = d.log.NewBatch()
	}
	return b
}

// treeBatch is treeDB's batch: a Badger streaming batch and a node log
// batch. Write writes the nodes first. Set and Delete copy the keys and
// values they are given, as both batches do: the trees reuse one array
// for every node they save (iavl.CopyingBatchOption), and prefixBatch one
// for every key.
type treeBatch struct {
	kv         corestore.Batch
	nodes      *nodelog.Batch // nil: no node log
	legacy     bool
	nodesToLog bool
}

func (b treeBatch) Set(key, value []byte) error {
	if b.nodes != nil && b.nodesToLog && isNodeKey(key) {
		return b.nodes.Set(key, value)
	}
	return b.kv.Set(key, value)
}

// Delete deletes a node from the log, and from Badger as well in a
// database with nodes there (deleting an absent key is a no-op).
func (b treeBatch) Delete(key []byte) error {
	if b.nodes == nil || !isNodeKey(key) {
		return b.kv.Delete(key)
	}
	if err := b.nodes.Delete(key); err != nil {
		return err
	}
	if b.legacy {
		return b.kv.Delete(key)
	}
	return nil
}

func (b treeBatch) Write() error {
	if b.nodes != nil {
		if err := b.nodes.Write(); err != nil {
			return err
		}
	}
	return b.kv.Write()
}

func (b treeBatch) WriteSync() error {
	if b.nodes != nil {
		if err := b.nodes.WriteSync(); err != nil {
			return err
		}
	}
	return b.kv.WriteSync()
}

func (b treeBatch) Close() error {
	var err error
	if b.nodes != nil {
		err = b.nodes.Close()
	}
	return errors.Join(err, b.kv.Close())
}

func (b treeBatch) GetByteSize() (int, error) {
	n, err := b.kv.GetByteSize()
	if err != nil || b.nodes == nil {
		return n, err
	}
	m, err := b.nodes.GetByteSize()
	return n + m, err
}

// unionIterator iterates two iterators over disjoint sets of keys as one.
type unionIterator struct {
	a, b    corestore.Iterator
	reverse bool
	cur     corestore.Iterator // nil when both are done
}

func newUnionIterator(a, b corestore.Iterator, reverse bool) *unionIterator {
	u := &unionIterator{a: a, b: b, reverse: reverse}
	u.pick()
	return u
}

func (u *unionIterator) pick() {
	switch {
	case !u.a.Valid() && !u.b.Valid():
		u.cur = nil
	case !u.b.Valid():
		u.cur = u.a
	case !u.a.Valid():
		u.cur = u.b
	case (bytes.Compare(u.a.Key(), u.b.Key()) < 0) != u.reverse:
		u.cur = u.a
	default:
		u.cur = u.b
	}
}

func (u *unionIterator) Domain() ([]byte, []byte) { return u.a.Domain() }
func (u *unionIterator) Valid() bool              { return u.cur != nil && u.cur.Valid() }
func (u *unionIterator) Key() []byte              { return u.cur.Key() }
func (u *unionIterator) Value() []byte            { return u.cur.Value() }

func (u *unionIterator) Next() {
	if u.cur == nil {
		panic("store: Next on an invalid iterator")
	}
	u.cur.Next()
	u.pick()
}

func (u *unionIterator) Error() error { return errors.Join(u.a.Error(), u.b.Error()) }

func (u *unionIterator) Close() error { return errors.Join(u.a.Close(), u.b.Close()) }

// prefixBatch is prefixDB's batch: a treeBatch with every key under the
// tree's prefix, built in one array reused for each (the batch copies it).
type prefixBatch struct {
	prefix []byte
	source corestore.Batch

	mu  sync.Mutex // guards key
	key []byte
}

// prefixed returns prefix+key in b.key. Callers hold b.mu.
func (b *prefixBatch) prefixed(key []byte) []byte {
	b.key = append(append(b.key[:0], b.prefix...), key...)
	return b.key
}

func (b *prefixBatch) Set(key, value []byte) error {
	if len(key) == 0 {
		return errors.New("store: batch Set with an empty key")
	}
	if value == nil {
		return errors.New("store: batch Set with a nil value")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.source.Set(b.prefixed(key), value)
}

func (b *prefixBatch) Delete(key []byte) error {
	if len(key) == 0 {
		return errors.New("store: batch Delete with an empty key")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.source.Delete(b.prefixed(key))
}

func (b *prefixBatch) Write() error              { return b.source.Write() }
func (b *prefixBatch) WriteSync() error          { return b.source.WriteSync() }
func (b *prefixBatch) Close() error              { return b.source.Close() }
func (b *prefixBatch) GetByteSize() (int, error) { return b.source.GetByteSize() }
