package hugeheap

import (
	"cmp"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"unsafe"
)

// hugePage is the size of an x86-64 or arm64 transparent huge page.
const hugePage = 2 << 20

// Advise maps size bytes of Go heap (capped at half the machine's memory),
// advises MADV_HUGEPAGE on them and returns them to the runtime, released.
// It does not touch them (beyond free pages the heap had used already), so
// the process's resident memory does not grow. It returns how many bytes
// it advised, which may fall short of size by the edges of the runs the
// heap mapped them in; 0 when the THP mode is not "madvise" ("always"
// already gives the heap huge pages, "never" refuses them) and on 32-bit
// platforms. Call it early: the heap grows into the range as it needs
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
	first.Do(func() { firstAdvised, firstErr = advise(size) })
	return firstAdvised, firstErr
}

// first guards the one call of advise; firstAdvised and firstErr are its
// result.
var (
	first        sync.Once
	firstAdvised int64
	firstErr     error
)

// advise is Advise without the guard.
func advise(size int64) (int64, error) {
	// On a 32-bit platform the range could take the heap's whole address
	// space, and the runtime treats a heap it cannot map as fatal.
	if Mode() != "madvise" || strconv.IntSize < 64 {
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
	// The range is made of chunks, each a large object. The runtime zeroes
	// a large object only when its pages were used before; a fresh one it
	// knows is zero and does not touch. One object of the whole size would
	// be zeroed whole if it began in free pages the heap had used, and the
	// first fit often does. In chunks, only those that fall in used pages
	// are zeroed (pages the process has touched already), and the rest,
	// above them, are fresh.
	chunks := make([][]byte, 0, size/chunkSize)
	for range size / chunkSize {
		chunks = append(chunks, make([]byte, chunkSize))
	}
	var advised int64
	var err error
	for _, r := range runs(chunks) {
		lo := (r[0] + hugePage - 1) &^ (hugePage - 1)
		hi := r[1] &^ (hugePage - 1)
		if lo >= hi {
			continue
		}
		if e := madvise(lo, hi-lo); e != nil {
			if err == nil {
				err = fmt.Errorf("hugeheap: madvise(MADV_HUGEPAGE) on %d MiB of heap: %w", (hi-lo)>>20, e)
			}
			continue
		}
		advised += int64(hi - lo)
	}
	runtime.KeepAlive(chunks)
	chunks = nil
	debug.FreeOSMemory()
	return advised, err
}

// chunkSize is the allocation Advise makes the range of: large enough to
// be a whole span of its own, small enough that the few chunks the heap's
// used free pages hold cost little to zero.
const chunkSize = 4 << 20

// runs returns the address ranges [lo, hi) the chunks cover, adjacent
// chunks merged, in address order.
func runs(chunks [][]byte) [][2]uintptr {
	rs := make([][2]uintptr, 0, len(chunks))
	for _, c := range chunks {
		lo := uintptr(unsafe.Pointer(unsafe.SliceData(c)))
		rs = append(rs, [2]uintptr{lo, lo + uintptr(len(c))})
	}
	slices.SortFunc(rs, func(a, b [2]uintptr) int { return cmp.Compare(a[0], b[0]) })
	out := rs[:0]
	for _, r := range rs {
		if n := len(out); n > 0 && out[n-1][1] == r[0] {
			out[n-1][1] = r[1]
			continue
		}
		out = append(out, r)
	}
	return out
}

// madvise advises MADV_HUGEPAGE on [addr, addr+n), memory of the Go heap
// the caller keeps alive.
func madvise(addr, n uintptr) error {
	_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, addr, n, syscall.MADV_HUGEPAGE)
	if errno != 0 {
		return errno
	}
	return nil
}
