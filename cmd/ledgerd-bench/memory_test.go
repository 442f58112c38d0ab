package main

import (
	"runtime"
	"testing"
)

func TestNewMemoryGBpsMeasures(t *testing.T) {
	gbps := newMemoryGBps(16 << 20)
	if runtime.GOOS != "linux" {
		if gbps != 0 {
			t.Errorf("off Linux the probe reports %v, want 0", gbps)
		}
		return
	}
	// Even a fresh virtual machine's memory is touched at a few hundred
	// MB/s, and no machine zeroes pages at a TB/s: outside this band the
	// timing or the mapping is broken.
	if gbps < 0.05 || gbps > 1000 {
		t.Errorf("first touch of 16 MiB measured %.3f GB/s", gbps)
	}
}
