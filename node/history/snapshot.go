package history

import (
	"encoding/binary"
	"errors"
	"fmt"

	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	"github.com/ledgerd/ledgerd/x/history"
)

// ExportEntries calls fn with every indexed entry of a height at or below
// height, ordered by subject, id (each length-prefixed, as in the keys)
// and seq: what a state-sync snapshot of that height carries. It reads a
// consistent view of the index while blocks go on being applied; the index
// must be at height or above.
func (x *Index) ExportEntries(height int64, fn func(*historyv1.Entry) error) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return errClosed
	}
	if wm := x.Watermark(); wm < height {
		return fmt.Errorf("history: index %s is at height %d, below %d", x.dir, wm, height)
	}
	prefix := []byte{prefixEntry}
	it, err := x.db.Iterator(prefix, prefixEnd(prefix))
	if err != nil {
		return x.readErr(err)
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		e, err := x.decode(it.Key(), it.Value())
		if err != nil {
			return err
		}
		if e.Height > height {
			continue
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return x.readErr(it.Error())
}

// Restore fills an empty index from a snapshot (see RestoreEntries).
type Restore struct {
	x      *Index
	height int64
	w      *writer
	done   bool
}

// RestoreEntries starts filling the index, which must be empty, with the
// entries of every height up to height, for a node that joined by state
// sync and has none of the blocks to build it from. Add checks each entry
// as Apply does; Commit sets the watermark to height, after which blocks
// are applied from height+1; Abort empties the index again. The caller
// verifies the entries against the state's accumulators (package app).
func (x *Index) RestoreEntries(height int64) (*Restore, error) {
	x.wmu.Lock()
	unlock := true
	defer func() {
		if unlock {
			x.wmu.Unlock()
		}
	}()
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return nil, errClosed
	}
	if wm := x.Watermark(); wm != 0 {
		return nil, fmt.Errorf("history: index %s is at height %d: only an empty index is restored from a snapshot; delete it first", x.dir, wm)
	}
	it, err := x.db.Iterator([]byte{prefixEntry}, prefixEnd([]byte{prefixTx}))
	if err != nil {
		return nil, x.readErr(err)
	}
	empty := !it.Valid()
	it.Close()
	if !empty {
		return nil, fmt.Errorf("history: index %s holds entries above its watermark 0: delete it first", x.dir)
	}
	unlock = false // held until Commit or Abort: no block is applied meanwhile
	return &Restore{x: x, height: height, w: x.newWriter()}, nil
}

// Add writes one entry.
func (r *Restore) Add(e *historyv1.Entry) error {
	if r.done {
		return errors.New("history: restore is over")
	}
	if err := checkEntry(e.GetHeight(), e); err != nil {
		return err
	}
	if e.Height > r.height || e.Height < 1 {
		return fmt.Errorf("history: entry %d of %s %x at height %d, restoring up to %d", e.Seq, e.Subject, e.Id, e.Height, r.height)
	}
	if err := r.w.set(entryKey(e.Subject, e.Id, e.Seq), history.Encode(e)); err != nil {
		return err
	}
	if len(e.TxHash) == txHashLen {
		return r.w.set(txEntryKey(e.TxHash, e.Subject, e.Id, e.Seq), []byte{})
	}
	return nil
}

// Commit writes the watermark, the restore's height, with the last
// entries.
func (r *Restore) Commit() error {
	if r.done {
		return errors.New("history: restore is over")
	}
	r.done = true
	defer r.x.wmu.Unlock()
	defer r.w.close()
	r.x.mu.RLock()
	defer r.x.mu.RUnlock()
	if r.x.closed {
		return errClosed
	}
	if err := r.w.set([]byte{keyWatermark}, binary.BigEndian.AppendUint64(nil, uint64(r.height))); err != nil {
		return err
	}
	if err := r.w.flush(); err != nil {
		return err
	}
	r.x.watermark.Store(r.height)
	return nil
}

// Abort deletes whatever the restore wrote.
func (r *Restore) Abort() error {
	if r.done {
		return nil
	}
	r.done = true
	defer r.x.wmu.Unlock()
	r.w.close()
	r.x.mu.RLock()
	defer r.x.mu.RUnlock()
	if r.x.closed {
		return errClosed
	}
	it, err := r.x.db.Iterator([]byte{prefixEntry}, prefixEnd([]byte{prefixTx}))
	if err != nil {
		return r.x.readErr(err)
	}
	var keys [][]byte
	for ; it.Valid(); it.Next() {
		keys = append(keys, append([]byte(nil), it.Key()...))
	}
	it.Close()
	w := r.x.newWriter()
	defer w.close()
	for _, k := range keys {
		if err := w.delete(k); err != nil {
			return err
		}
	}
	return w.flush()
}

func (w *writer) delete(k []byte) error {
	cost := len(k) + perKeyOverheadB
	if w.n > 0 && (w.bytes+cost > w.x.maxBytes || w.n+1 > w.x.maxKeys) {
		if err := w.flush(); err != nil {
			return err
		}
	}
	if err := w.b.Delete(k); err != nil {
		return fmt.Errorf("history: index %s: %w", w.x.dir, err)
	}
	w.bytes += cost
	w.n++
	return nil
}
