package main

import (
	"testing"
	"time"
)

func TestCoresBusy(t *testing.T) {
	for _, c := range []struct {
		cpu, wall time.Duration
		want      float64
	}{
		{3 * time.Second, 2 * time.Second, 1.5},
		{500 * time.Millisecond, time.Second, 0.5},
		{time.Second, 0, 0}, // no blocks measured: no figure, not a division by zero
	} {
		if got := coresBusy(c.cpu, c.wall); got != c.want {
			t.Errorf("coresBusy(%v, %v) = %v, want %v", c.cpu, c.wall, got, c.want)
		}
	}
}

func TestRusageCPUAddsUserAndSystem(t *testing.T) {
	r := rusage{user: 700 * time.Millisecond, system: 300 * time.Millisecond}
	if got := r.cpu(); got != time.Second {
		t.Errorf("cpu() = %v, want 1s", got)
	}
}
