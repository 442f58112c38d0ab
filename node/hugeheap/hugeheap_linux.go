package hugeheap

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"syscall"
	"unsafe"
)

// hugePage is the size of an x86-64 or arm64 transparent huge page.
const hugePage = 2 << 20

// Advise maps size bytes of Go heap (capped at half the machine's memory),
// advises MADV_HUGEPAGE on them and returns them to the runtime, released
// (they were never touched, so the process's resident memory does not
// grow). It returns how many bytes it advised: 0 when the THP mode is not
// "madvise" ("always" already gives the heap huge pages, "never" refuses
// them). Call it once, early: the heap grows into the range as it needs
// memory, and whatever the heap needs beyond it gets ordinary pages.
//
// Advise forces a collection (debug.FreeOSMemory) to return the range.
// Where memory is fragmented the kernel may compact it to find a huge
// page, and khugepaged may later fill partly released huge pages back in,
// so over hours the resident memory can approach the advised size; the
// caller sizes the range to the memory it lets the heap use.
//
// Only the first call in a process acts; later ones return its result. (A
// second range would be made of memory the heap has used, which the
// runtime zeroes when it hands it out: every page of it would be touched.)
func Advise(size int64) (int64, error) {
	once.Do(func() { advised, adviseErr = advise(size) })
	return advised, adviseErr
}

var (
	once      sync.Once
	advised   int64
	adviseErr error
)

func advise(size int64) (int64, error) {
	if Mode() != "madvise" {
		return 0, nil
	}
	var info syscall.Sysinfo_t
	if err := syscall.Sysinfo(&info); err != nil {
		return 0, fmt.Errorf("hugeheap: sysinfo: %w", err)
	}
	size = limit(size, int64(info.Totalram)*int64(info.Unit))
	if size < 2*hugePage {
		return 0, nil
	}
	// A large object comes from fresh spans the runtime knows are zero, so
	// making it does not touch its pages.
	b := make([]byte, size)
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	start := (p + hugePage - 1) &^ (hugePage - 1)
	end := (p + uintptr(size)) &^ (hugePage - 1)
	err := syscall.Madvise(b[start-p:end-p], syscall.MADV_HUGEPAGE)
	runtime.KeepAlive(b)
	b = nil
	debug.FreeOSMemory()
	if err != nil {
		return 0, fmt.Errorf("hugeheap: madvise(MADV_HUGEPAGE) on %d MiB of heap: %w", (end-start)>>20, err)
	}
	return int64(end - start), nil
}
