package iavl

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand"
	"testing"

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
	// The arrays are reused: a batch that keeps them ends up with every
	// node overwritten by a later one.
	if kept, err := savedTrace(t, dbm.NewMemDB(), CopyingBatchOption()); err == nil && bytes.Equal(kept, want) {
		t.Fatal("a batch that keeps its arguments saved the same versions: SaveNode does not reuse its arrays")
	}
}
