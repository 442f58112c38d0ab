package hugeheap

import (
	"bufio"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// TestAdvise checks the contract, in order, since only a process's first
// call acts: with free pages the heap had used at its top (where one large
// object covering the range would begin, and be zeroed whole), the advised
// range is not touched; it is marked for huge pages; the heap's next large
// allocation goes there (the runtime fills the lowest free addresses
// first); a second call does nothing.
func TestAdvise(t *testing.T) {
	if m := Mode(); m != "madvise" {
		t.Skipf("THP mode %q: Advise has nothing to do here", m)
	}
	used := make([]byte, 64<<20)
	for i := range used {
		used[i] = 1
	}
	runtime.KeepAlive(used)
	used = nil
	runtime.GC()

	before := statusBytes(t, "VmHWM")
	n, err := Advise(512 << 20)
	if err != nil {
		t.Fatal(err)
	}
	if n < 500<<20 {
		t.Fatalf("advised %d MiB of 512", n>>20)
	}
	if grew := statusBytes(t, "VmHWM") - before; grew > 32<<20 && !raceEnabled {
		t.Fatalf("peak resident memory grew by %d MiB: the advised range was touched", grew>>20)
	}
	huge := hugeMappings(t)
	var total uint64
	for _, m := range huge {
		total += m[1] - m[0]
	}
	if total < uint64(n) {
		t.Fatalf("%d MiB of mappings are marked for huge pages, advised %d MiB", total>>20, n>>20)
	}

	b := make([]byte, 64<<20)
	b[0] = 1
	lo := uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b))))
	hi := lo + uint64(len(b))
	var inside uint64
	for _, m := range huge {
		if a, z := max(lo, m[0]), min(hi, m[1]); a < z {
			inside += z - a
		}
	}
	// The advised runs start and end on huge page boundaries, so the
	// allocation's edges, and gaps where something else was allocated
	// between the chunks, may fall outside them.
	if inside < uint64(len(b))*7/8 {
		t.Fatalf("%d MiB of a 64 MiB allocation at %#x are in the advised range %x", inside>>20, lo, huge)
	}

	again, err := Advise(1 << 30)
	if again != n || err != nil {
		t.Fatalf("second call returned %d, %v; the first %d, nil", again, err, n)
	}
	if grew := statusBytes(t, "VmHWM") - before; grew > 96<<20 && !raceEnabled {
		t.Fatalf("peak resident memory grew by %d MiB after the second call", grew>>20)
	}
}

// statusBytes is the field of /proc/self/status named (VmRSS, VmHWM).
func statusBytes(t *testing.T, field string) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// hugeMappings lists the [start, end) of the process's mappings whose
// VmFlags carry "hg" (MADV_HUGEPAGE).
func hugeMappings(t *testing.T) [][2]uint64 {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][2]uint64
	var cur [2]uint64
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		if flags, ok := strings.CutPrefix(line, "VmFlags:"); ok {
			for _, f := range strings.Fields(flags) {
				if f == "hg" {
					out = append(out, cur)
				}
			}
			continue
		}
		first, _, _ := strings.Cut(line, " ")
		lo, hi, ok := strings.Cut(first, "-")
		if !ok {
			continue
		}
		a, err1 := strconv.ParseUint(lo, 16, 64)
		b, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 == nil && err2 == nil {
			cur = [2]uint64{a, b}
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// runsTestBuf is on the heap, where it does not move: a buffer on the
// goroutine's stack moves when the stack grows, and its addresses taken
// before would not match those runs sees.
var runsTestBuf = make([]byte, 40)

func TestRunsMergeAdjacentChunks(t *testing.T) {
	buf := runsTestBuf
	chunks := [][]byte{buf[20:30], buf[0:10], buf[10:20], buf[35:40]}
	base := uintptr(unsafe.Pointer(&buf[0]))
	got := runs(chunks)
	want := [][2]uintptr{{base, base + 30}, {base + 35, base + 40}}
	if !slices.Equal(got, want) {
		t.Fatalf("runs = %v, want %v", got, want)
	}
}
