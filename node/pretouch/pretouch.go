// Package pretouch faults in, before a node serves blocks, the Go heap
// memory that the node's first blocks would otherwise fault in one by one.
//
// Until the collector first runs, a process's heap grows into memory it
// has never touched; from then on the collector frees what the blocks
// allocated and the heap reuses it. The first touch of a page is dear on a
// virtual machine whose host backs the guest's memory lazily: on the
// 2-core Firecracker machines ledgerd is measured on, new memory is faulted
// in at about 0.5 GB/s, 2 ms a MiB. A node at 100,000 wallets whose heap
// grows by 14 MiB a block spent 20-45 ms of each 95 ms block in the kernel
// from its tenth block or so until its first collection, some fifty blocks
// after start. Heap does that growing at start instead, in about a second
// there.
//
// It touches no more than the node would touch anyway: the memory up to
// the heap goal the last collection set, which the heap reaches before its
// next collection, and under a memory limit no closer to the limit than
// limitShare of it. A node that runs to its first collection has the same
// peak resident memory; it reaches it at start.
package pretouch

import (
	"math"
	"runtime"
	"runtime/metrics"
	"time"
)

// chunk is the size of the allocations Heap touches and drops. The few
// allocated while the collection they trigger is marking stay allocated
// until the next one; at 4 MiB they hold little.
const chunk = 4 << 20

// page is the stride of the touches: the smallest page a Linux heap has.
const page = 4 << 10

// limitShare is the share of the memory limit, in per cent, that Heap
// keeps the process's memory below.
const limitShare = 90

// Result is what Heap did.
type Result struct {
	// Touched is how many bytes of heap Heap touched.
	Touched int64
	// Took is how long it took.
	Took time.Duration
}

// Heap allocates chunks of memory, writes a byte in each page of each, and
// drops them, until the collector completes a cycle that they triggered.
// The allocations trigger it when the heap nears the goal that GOGC and
// the memory limit set; that cycle frees them, and their pages stay with
// the heap as free memory that later allocations reuse without a fault. A
// cycle that completes before the chunks since the one before it came to
// half the heap's headroom (the goal it set, less the live heap) was
// triggered by something else, such as a collection under way at the
// call, and Heap goes on to the next.
//
// Heap does not force that collection (runtime.GC). A collection forced
// once the chunks were freed would find only the live heap in use, and the
// runtime's scavenger, which keeps the heap's memory within a tenth above
// what was in use at the last collection, would then return the touched
// memory to the kernel, to be faulted in again.
//
// Under a memory limit Heap keeps the process's memory (as the limit
// counts it) below limitShare of the limit. A heap the limit bounds is
// near the limit already, where the runtime collects often and its
// scavenger returns memory above 95% of the limit to the kernel at once:
// touched memory there would be faulted in again, and the collections
// come sooner. When that stops Heap before its cycle, the chunks it
// allocated are freed by the node's first collection.
//
// Heap returns at once, touching nothing, when the heap has no goal
// (GOGC=off without a memory limit). It also stops once it has touched
// twice the goal it started with, in case its cycle does not come. Call
// it once, at start, before the node's work begins: while Heap runs, the
// process's other allocations compete with it for the same goal.
func Heap() Result {
	start := time.Now()
	s := []metrics.Sample{
		{Name: "/gc/cycles/total:gc-cycles"},
		{Name: "/gc/heap/goal:bytes"},
		{Name: "/gc/heap/live:bytes"},
		{Name: "/gc/gogc:percent"},
		{Name: "/gc/gomemlimit:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
	}
	metrics.Read(s)
	cycles, goal, gogc, limit := s[0].Value.Uint64(), s[1].Value.Uint64(), s[3].Value.Uint64(), s[4].Value.Uint64()
	if int64(gogc) < 0 && limit == math.MaxInt64 {
		// GOGC=off (-1) and no limit: the heap is never collected, so
		// there is no reuse to prepare.
		return Result{Took: time.Since(start)}
	}
	// The memory the process may reach: with a limit, limitShare of it;
	// without one, no bound beyond the goal's.
	ceiling := uint64(math.MaxUint64)
	if limit != math.MaxInt64 {
		ceiling = limit / 100 * limitShare
	}
	var touched, sinceCycle uint64
	for touched < 2*goal {
		metrics.Read(s[5:])
		if used := s[5].Value.Uint64() - s[6].Value.Uint64(); used+chunk > ceiling {
			break
		}
		b := make([]byte, chunk)
		for i := 0; i < len(b); i += page {
			b[i] = 1
		}
		runtime.KeepAlive(b)
		touched += chunk
		sinceCycle += chunk
		metrics.Read(s[:3])
		if s[0].Value.Uint64() == cycles {
			continue
		}
		// The goal and live heap this cycle set; the loop's bound stays
		// the goal Heap started with.
		newGoal, live := s[1].Value.Uint64(), s[2].Value.Uint64()
		if newGoal <= live || sinceCycle >= (newGoal-live)/2 {
			break
		}
		cycles, sinceCycle = s[0].Value.Uint64(), 0
	}
	return Result{Touched: int64(touched), Took: time.Since(start)}
}
