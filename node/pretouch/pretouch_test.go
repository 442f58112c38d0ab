package pretouch

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

// live is what the tests keep in use while Heap runs, as a node keeps its
// state.
var live [][]byte

func keepLive(t *testing.T, size int) {
	t.Helper()
	for range size / (1 << 20) {
		b := make([]byte, 1<<20)
		for i := 0; i < len(b); i += page {
			b[i] = 1
		}
		live = append(live, b)
	}
	t.Cleanup(func() { live = nil })
}

func read(names ...string) []uint64 {
	s := make([]metrics.Sample, len(names))
	for i, n := range names {
		s[i].Name = n
	}
	metrics.Read(s)
	out := make([]uint64, len(s))
	for i := range s {
		out[i] = s[i].Value.Uint64()
	}
	return out
}

// used is the process's memory as the memory limit counts it.
func used() uint64 {
	m := read("/memory/classes/total:bytes", "/memory/classes/heap/released:bytes")
	return m[0] - m[1]
}

// gcSettings sets GOGC and the memory limit for the test and restores them
// after.
func gcSettings(t *testing.T, percent int, limit int64) {
	oldPercent, oldLimit := debug.SetGCPercent(percent), debug.SetMemoryLimit(limit)
	t.Cleanup(func() {
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	})
}

// TestHeapLeavesTheMemoryWithTheHeap checks the contract: Heap touches
// about the heap goal's headroom, ends after the collection its
// allocations trigger without forcing one, and the memory it touched stays
// with the heap, free and not returned to the kernel, where a node's next
// allocations reuse it.
func TestHeapLeavesTheMemoryWithTheHeap(t *testing.T) {
	gcSettings(t, 300, math.MaxInt64)
	keepLive(t, 64<<20)
	runtime.GC()
	runtime.GC()
	before := read("/gc/cycles/total:gc-cycles", "/gc/cycles/forced:gc-cycles", "/gc/heap/goal:bytes", "/memory/classes/heap/objects:bytes")
	cycles, forced, goal, inUse := before[0], before[1], before[2], before[3]

	r := Heap()

	after := read("/gc/cycles/total:gc-cycles", "/gc/cycles/forced:gc-cycles")
	if after[0] == cycles {
		t.Fatal("Heap returned before a collection")
	}
	if after[1] != forced {
		t.Fatal("Heap forced a collection: the scavenger may then return what it touched to the kernel")
	}
	if headroom := int64(goal - inUse); r.Touched < headroom/2 || r.Touched > int64(goal)+chunk {
		t.Fatalf("touched %d MiB; the heap goal was %d MiB with %d MiB in use", r.Touched>>20, goal>>20, inUse>>20)
	}
	// Long enough for the sweeper to free the chunks and for the
	// scavenger, which runs in the background at a bounded rate, to
	// return memory above its goal.
	time.Sleep(time.Second)
	if free := int64(read("/memory/classes/heap/free:bytes")[0]); free < r.Touched/2 {
		t.Fatalf("touched %d MiB, of which %d MiB is still the heap's free memory: the rest went back to the kernel",
			r.Touched>>20, free>>20)
	}
}

// TestHeapWithACollectionUnderWay: a collection that ends just after Heap
// begins was not triggered by its chunks and would leave the heap's
// headroom untouched; Heap goes on to the next.
func TestHeapWithACollectionUnderWay(t *testing.T) {
	gcSettings(t, 300, math.MaxInt64)
	keepLive(t, 64<<20)
	runtime.GC()
	done := make(chan struct{})
	go func() {
		runtime.GC()
		close(done)
	}()
	r := Heap()
	<-done
	after := read("/gc/heap/goal:bytes", "/gc/heap/live:bytes")
	if headroom := int64(after[0] - after[1]); r.Touched < headroom/2 {
		t.Fatalf("touched %d MiB of a headroom of %d MiB", r.Touched>>20, headroom>>20)
	}
}

// TestHeapUnderAMemoryLimit: with the heap goal beyond what a memory
// limit leaves, Heap keeps the process's memory below limitShare of the
// limit, above which the runtime collects often and returns memory to the
// kernel.
func TestHeapUnderAMemoryLimit(t *testing.T) {
	gcSettings(t, 300, math.MaxInt64)
	keepLive(t, 64<<20)
	runtime.GC()
	limit := used() + 128<<20
	debug.SetMemoryLimit(int64(limit))
	r := Heap()
	if ceiling := limit / 100 * limitShare; used() > ceiling+chunk {
		t.Fatalf("touched %d MiB: the process uses %d MiB against a limit of %d MiB", r.Touched>>20, used()>>20, limit>>20)
	}
	if r.Touched == 0 {
		t.Fatalf("touched nothing with %d MiB under the limit", (limit-used())>>20)
	}
}

// TestHeapWithoutAGoal: with GOGC=off and no memory limit the heap is
// never collected, and Heap touches nothing; with a limit, the limit is
// the goal, and Heap stays below it.
func TestHeapWithoutAGoal(t *testing.T) {
	gcSettings(t, -1, math.MaxInt64)
	if r := Heap(); r.Touched != 0 {
		t.Fatalf("GOGC=off without a limit: touched %d MiB", r.Touched>>20)
	}
	keepLive(t, 32<<20)
	limit := used() + 256<<20
	debug.SetMemoryLimit(int64(limit))
	if r := Heap(); r.Touched == 0 || used() > limit {
		t.Fatalf("GOGC=off under a limit %d MiB above the memory in use: touched %d MiB, in use now %d MiB of %d",
			256, r.Touched>>20, used()>>20, limit>>20)
	}
}
