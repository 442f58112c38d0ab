package main

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// resident is the process's resident memory in MiB, from /proc/self/status:
// anonymous (the Go heap, stacks, cgo's allocations) and file-backed
// (the binary's and Badger's memory-mapped files: page cache, which the kernel
// can reclaim under memory pressure). Zero where the file is missing (not
// Linux).
type resident struct{ anon, file float64 }

func readResident() resident {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return resident{}
	}
	var r resident
	for line := range strings.Lines(string(b)) {
		var kib float64
		if n, _ := fmt.Sscanf(line, "RssAnon: %f kB", &kib); n == 1 {
			r.anon = kib / 1024
		} else if n, _ := fmt.Sscanf(line, "RssFile: %f kB", &kib); n == 1 {
			r.file = kib / 1024
		}
	}
	return r
}

// sampleResident reads the resident memory every interval until stop is
// called, and stop returns the highest of each part seen. The kernel keeps
// the peak of the whole (getrusage's maxrss) but not of its parts.
func sampleResident(interval time.Duration) (stop func() resident) {
	var peak resident
	done := make(chan struct{})
	finished := make(chan struct{})
	take := func() {
		r := readResident()
		peak.anon, peak.file = max(peak.anon, r.anon), max(peak.file, r.file)
	}
	go func() {
		defer close(finished)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			take()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() resident {
		close(done)
		<-finished
		take()
		return peak
	}
}
