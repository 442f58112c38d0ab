package load

import (
	"strings"
	"testing"
	"time"
)

func TestBusyTime(t *testing.T) {
	stat := "cpu  100 20 30 4000 500 6 7 8 90 0\ncpu0 50 10 15 2000 250 3 3 4 45 0\nintr 1 2 3\n"
	got, err := busyTime([]byte(stat))
	if err != nil {
		t.Fatal(err)
	}
	// user 100 + nice 20 + system 30 + irq 6 + softirq 7 + steal 8 ticks;
	// idle, iowait and guest (already in user) are left out.
	if want := 171 * 10 * time.Millisecond; got != want {
		t.Fatalf("busy %v, want %v", got, want)
	}
	for _, bad := range []string{"", "cpu0 1 2 3 4\n", "cpu 1 2 3\n", "cpu 1 x 3 4 5\n"} {
		if _, err := busyTime([]byte(bad)); err == nil {
			t.Errorf("busyTime(%q) passed", bad)
		}
	}
}

func TestMachineCPUInReport(t *testing.T) {
	r := &Report{Rate: 500, Duration: 20, Submitted: 10000, Accepted: 10000, Committed: 10000, TxPerSec: 500,
		CPU: 0.1, MachineCPU: 1.9, MachineCores: 2}
	line := r.String()
	// The nodes took 1.8 cores for 500 payments/s: 3.6 ms of CPU each.
	if want := "machine CPU 1.90 of 2 cores (3.6 ms per committed payment besides the generator)"; !strings.Contains(line, want) {
		t.Fatalf("report %q lacks %q", line, want)
	}
	r.MachineCores = 0
	if strings.Contains(r.String(), "machine CPU") {
		t.Fatalf("report %q has a machine CPU it did not measure", r.String())
	}
}
