package pretouch

import (
	"math"
	"runtime"
	"syscall"
	"testing"
)

func minorFaults(t *testing.T) int64 {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return ru.Minflt
}

// TestAllocationsAfterHeapDoNotFault is what Heap is for: allocations after
// it, up to half the memory it touched, take pages it faulted in already.
// Without Heap each of their pages would be faulted in as they are first
// used (these tests' heap is not on huge pages).
func TestAllocationsAfterHeapDoNotFault(t *testing.T) {
	gcSettings(t, 300, math.MaxInt64)
	keepLive(t, 64<<20)
	runtime.GC()
	runtime.GC()
	r := Heap()
	if r.Touched < 64<<20 {
		t.Fatalf("touched %d MiB", r.Touched>>20)
	}

	const object = 8 << 10
	n := int(r.Touched / 2 / object)
	held := make([][]byte, 0, n)
	f0 := minorFaults(t)
	for range n {
		b := make([]byte, object)
		b[0], b[object-1] = 1, 1
		held = append(held, b)
	}
	faults := minorFaults(t) - f0
	runtime.KeepAlive(held)
	if pages := int64(n) * object / page; faults > pages/10 {
		t.Fatalf("%d MiB allocated after Heap took %d page faults, against %d pages", int64(n)*object>>20, faults, pages)
	}
}
