package nodelog

import (
	"fmt"
	"sync"

	corestore "cosmossdk.io/core/store"
)

// DefaultChunkBytes is how many bytes of records a batch gathers before
// it writes them out, keeping a large batch (a genesis's first version)
// from holding all of it in memory. A full chunk is written on a
// goroutine of its own while the batch gathers the next, so a chunk also
// sets how much of a batch's writing overlaps its making: make bench's
// blocks write about 1.5 MiB of nodes each, six chunks.
const DefaultChunkBytes = 256 << 10

// Batch gathers updates and writes them to the log: a chunk at a time as
// it fills, the rest on Write. See the package documentation for what a
// reader or a crash may see of a batch. A batch is safe for concurrent
// use.
type Batch struct {
	l     *Log
	chunk int

	mu      sync.Mutex
	buf     []byte // records not yet handed to a write
	written int    // bytes of records of earlier chunks, handed to a write
	// writing reports the write of the last full chunk, which runs on a
	// goroutine of its own; nil when none is in flight. The batch waits
	// for it before it hands over the next chunk, so that a batch's chunks
	// reach the log in order, and before Write, WriteSync and Close return.
	writing chan error
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
		return b.writeChunk()
	}
	return nil
}

// writeChunk hands the gathered records to a goroutine that writes them,
// once the chunk before is written; the next records go into another
// buffer meanwhile. A failed write fails the batch: the call that next
// waits for it returns the error. Callers hold b.mu.
func (b *Batch) writeChunk() error {
	if err := b.waitChunk(); err != nil {
		return err
	}
	buf := b.buf
	b.buf = nil
	b.written += len(buf)
	done := make(chan error, 1)
	b.writing = done
	go func() {
		err := b.l.write(buf)
		b.l.putBuffer(buf)
		done <- err
	}()
	return nil
}

// waitChunk waits for the chunk in flight, if any, and returns its
// write's error. Callers hold b.mu.
func (b *Batch) waitChunk() error {
	if b.writing == nil {
		return nil
	}
	err := <-b.writing
	b.writing = nil
	if err != nil && b.err == nil {
		b.err = err
	}
	return err
}

// flush writes the gathered records, after the chunk in flight. Callers
// hold b.mu.
func (b *Batch) flush() error {
	if err := b.waitChunk(); err != nil {
		return err
	}
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
	// A failed chunk fails the batch, so wait for it before usable.
	_ = b.waitChunk()
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

// Close releases the batch, after the chunk in flight, if any, is
// written. Records of chunks already written stay written; the rest are
// dropped. It is idempotent.
func (b *Batch) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	_ = b.waitChunk() // a failed chunk's error is the batch's, which Close does not report
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
