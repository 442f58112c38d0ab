// Package hugeheap backs the Go heap with transparent huge pages on Linux
// hosts whose THP mode is "madvise" (the usual default).
//
// The Go runtime does not ask for huge pages for its heap (it stopped in Go
// 1.21.1, go.dev/issue/64332), so under "madvise" every page the heap grows
// into is faulted in 4 KiB at a time. On virtual machines such a fault is
// dear: about 10 µs on the 2-core Firecracker machines ledgerd is measured
// on, where a node whose heap was growing (by 35 MB a block) spent a quarter
// of its CPU in them. Advise has the runtime map a range of heap at once, marks it
// MADV_HUGEPAGE, and hands it back to the runtime untouched; the runtime
// fills the lowest free addresses first, so the heap grows into that range
// and faults it in 2 MiB at a time.
package hugeheap

import (
	"os"
	"strings"
)

// Mode is the kernel's transparent huge page mode: "always", "madvise" or
// "never", or "" where there is none (not Linux, or THP compiled out).
func Mode() string {
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil {
		return ""
	}
	return selectedMode(string(b))
}

// selectedMode returns the bracketed word of a THP "enabled" file
// ("always [madvise] never").
func selectedMode(s string) string {
	_, rest, ok := strings.Cut(s, "[")
	if !ok {
		return ""
	}
	mode, _, ok := strings.Cut(rest, "]")
	if !ok {
		return ""
	}
	return mode
}

// limit returns size capped at half of total, the most Advise maps: the
// range is only address space, but a kernel that refuses large anonymous
// mappings ("heuristic" overcommit) could refuse one larger than the
// machine, and the Go runtime treats a refused heap mapping as fatal.
func limit(size, total int64) int64 {
	return max(min(size, total/2), 0)
}
