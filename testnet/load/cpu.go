package load

import (
	"syscall"
	"time"
)

// CPUTime returns the CPU time, user and system, that this process has
// used so far: its difference over a stretch of wall time, divided by that
// time, is the load generator's own CPU share (in cores), which tells a
// reader whether a figure measured the network or the generator.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
