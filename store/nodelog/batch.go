package nodelog

import (
	"fmt"
	"sync"

	corestore "cosmossdk.io/core/store"
)

// DefaultChunkBytes is how many bytes of records a batch gathers before
// it writes them out, keeping a large batch (a genesis's first version)
// from holding all of it in memory.
const DefaultChunkBytes = 1 << 20

// Batch gathers updates and writes them to the log: a chunk at a time as
// it fills, the rest on Write. See the package documentation for what a
// reader or a crash may see of a batch. A batch is safe for concurrent
// use.
type Batch struct {
	l     *Log
	chunk int

	mu      sync.Mutex
	buf     []byte // records not yet written
	written int    // bytes of records written in earlier chunks
	done    bool
	err     error // first failure: the batch writes nothing more
}

var _ corestore.Batch = (*Batch)(nil)

// NewBatch returns an empty batch that writes in chunks of
// DefaultChunkBytes.
func (l *Log) NewBatch() *Batch { return l.NewBatchWithChunk(DefaultChunkBytes) }

// NewBatchWithChunk returns an empty batch that writes its records
// whenever chunk bytes of them have gathered (0: DefaultChunkBytes).
func (l *Log) NewBatchWithChunk(chunk int) *Batch {
	if chunk <= 0 {
		chunk = DefaultChunkBytes
	}
	return &Batch{l: l, chunk: chunk}
}

// Set records key=value; both are copied.
func (b *Batch) Set(key, value []byte) error {
	if value == nil {
		return b.fail(ErrNilValue)
	}
	return b.add(opPut, key, value)
}

// Delete records the removal of key, which the log need not hold.
func (b *Batch) Delete(key []byte) error { return b.add(opDelete, key, nil) }

func (b *Batch) add(op byte, key, value []byte) error {
	if _, _, _, err := splitKey(key); err != nil {
		return b.fail(err)
	}
	if n := recordHeader + bodyHeader + len(key) + len(value); n > maxRecord {
		return b.fail(fmt.Errorf("nodelog: record of %d bytes exceeds %d", n, maxRecord))
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.usable(); err != nil {
		return err
	}
	if b.buf == nil {
		b.buf = b.l.getBuffer(b.chunk)
	}
	b.buf = appendRecord(b.buf, op, key, value)
	if len(b.buf) >= b.chunk {
		return b.flush()
	}
	return nil
}

// flush writes the gathered records. Callers hold b.mu.
func (b *Batch) flush() error {
	if len(b.buf) == 0 {
		return nil
	}
	if err := b.l.write(b.buf); err != nil {
		b.err = err
		return err
	}
	b.written += len(b.buf)
	b.buf = b.buf[:0]
	return nil
}

func (b *Batch) usable() error {
	if b.done {
		return ErrBatchClosed
	}
	return b.err
}

func (b *Batch) fail(err error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return ErrBatchClosed
	}
	if b.err == nil {
		b.err = err
	}
	return err
}

// Write writes the batch's remaining records without fsync.
func (b *Batch) Write() error { return b.finish(false) }

// WriteSync writes the batch's remaining records and syncs the log.
func (b *Batch) WriteSync() error { return b.finish(true) }

func (b *Batch) finish(sync bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.usable(); err != nil {
		return err
	}
	b.done = true
	err := b.flush()
	b.release()
	if err != nil {
		return err
	}
	if sync {
		return b.l.Sync()
	}
	return nil
}

// Close releases the batch. Records of chunks already written stay
// written; the rest are dropped. It is idempotent.
func (b *Batch) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = true
	b.release()
	return nil
}

// release hands the batch's buffer back to the log. Callers hold b.mu.
func (b *Batch) release() {
	if b.buf != nil {
		b.l.putBuffer(b.buf)
		b.buf = nil
	}
}

// GetByteSize returns the bytes of records the batch has made, written
// chunks included.
func (b *Batch) GetByteSize() (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return 0, ErrBatchClosed
	}
	return b.written + len(b.buf), nil
}
