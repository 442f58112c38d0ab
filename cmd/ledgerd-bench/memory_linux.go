package main

import (
	"syscall"
	"time"
)

// newMemoryGBps is how fast the process can first touch memory the kernel
// has just mapped for it, in GB/s: n bytes mapped anonymous with huge
// pages advised (as the node's heap is), one write per 4 KiB page, then
// unmapped. It measures the machine, not ledgerd. A page the kernel hands
// out is zeroed at its first touch; on a virtual machine whose host backs
// the guest's memory only when the guest first uses it (Firecracker's, on
// which the project is measured), that first use costs a fault in the host
// as well: about 0.5 GB/s on a freshly started machine against 14-17 GB/s
// once its memory has been used. A node's heap and Badger's memtables and
// logs grow into new memory through the first blocks, so on a fresh
// machine those blocks pay it. 0 when the mapping fails.
func newMemoryGBps(n int) float64 {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return 0
	}
	defer syscall.Munmap(b)
	_ = syscall.Madvise(b, syscall.MADV_HUGEPAGE) // where THP is off, the pages are 4 KiB: the same measure
	t0 := time.Now()
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	return float64(n) / time.Since(t0).Seconds() / 1e9
}
