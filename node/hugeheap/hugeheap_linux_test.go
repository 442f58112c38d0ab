package hugeheap

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// TestAdviseBacksLaterAllocations checks the contract: the advised range
// is marked for huge pages, was not touched, and is where the heap's next
// large allocation goes (the runtime fills the lowest free addresses first).
func TestAdviseBacksLaterAllocations(t *testing.T) {
	if m := Mode(); m != "madvise" {
		t.Skipf("THP mode %q: Advise has nothing to do here", m)
	}
	before := residentBytes(t)
	n, err := Advise(256 << 20)
	if err != nil {
		t.Fatal(err)
	}
	if n < 250<<20 {
		t.Fatalf("advised %d MiB of 256", n>>20)
	}
	if grew := residentBytes(t) - before; grew > 32<<20 {
		t.Fatalf("resident memory grew by %d MiB: the advised range was touched", grew>>20)
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
	// The range's first huge page boundary may fall up to 2 MiB into it.
	if inside < uint64(len(b))-hugePage {
		t.Fatalf("%d MiB of a 64 MiB allocation at %#x are in the advised range %x", inside>>20, lo, huge)
	}
}

// residentBytes is the process's VmRSS.
func residentBytes(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
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

// TestAdviseActsOnce: a second call must not allocate the range again,
// which the runtime would zero, touching all of it.
func TestAdviseActsOnce(t *testing.T) {
	first, err1 := Advise(256 << 20)
	before := residentBytes(t)
	second, err2 := Advise(512 << 20)
	if first != second || err1 != err2 {
		t.Fatalf("second call returned %d, %v; the first %d, %v", second, err2, first, err1)
	}
	if grew := residentBytes(t) - before; grew > 32<<20 {
		t.Fatalf("resident memory grew by %d MiB on the second call", grew>>20)
	}
}
