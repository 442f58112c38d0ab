package load

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
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

// MachineCPUTime returns the CPU time every process on this machine has
// used so far (all of /proc/stat's states but idle and iowait), and false
// where /proc/stat cannot be read (a system other than Linux). Over a step,
// less the generator's own, it is what the nodes took: near the machine's
// cores, the network's figure is bounded by the CPU, and that time divided
// by the committed payments is their cost.
func MachineCPUTime() (time.Duration, bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	d, err := busyTime(b)
	return d, err == nil
}

// userHZ is the unit of /proc/stat's times: USER_HZ, 100 on every
// architecture Linux runs on (the kernel converts to it for user space).
const userHZ = 100

// busyTime reads the aggregate "cpu" line of /proc/stat's text: user, nice,
// system, idle, iowait, irq, softirq, steal (guest time is already in user),
// and returns all but idle and iowait.
func busyTime(procStat []byte) (time.Duration, error) {
	sc := bufio.NewScanner(bytes.NewReader(procStat))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || fields[0] != "cpu" {
			continue
		}
		if len(fields) < 5 {
			return 0, fmt.Errorf("/proc/stat: cpu line has %d fields, want at least 4 times", len(fields))
		}
		var busy uint64
		for i, f := range fields[1:min(len(fields), 9)] {
			v, err := strconv.ParseUint(f, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/stat: cpu time %q: %w", f, err)
			}
			if i != 3 && i != 4 { // idle, iowait
				busy += v
			}
		}
		return time.Duration(busy) * (time.Second / userHZ), nil
	}
	return 0, errors.New("/proc/stat: no aggregate cpu line")
}
