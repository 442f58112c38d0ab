package nodelog

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to start writing the n bytes at off of f
// to the disk, without waiting for them: a chunk written while a batch
// gathers the next is then on its way by the time Sync waits for it,
// which leaves the sync less to wait for. It changes nothing Sync
// promises, so its error is of no use and is dropped.
func startWriteback(f *os.File, off int64, n int) {
	c, err := f.SyscallConn()
	if err != nil {
		return
	}
	_ = c.Control(func(fd uintptr) {
		_ = unix.SyncFileRange(int(fd), off, int64(n), unix.SYNC_FILE_RANGE_WRITE)
	})
}
